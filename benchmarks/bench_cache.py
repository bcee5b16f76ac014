"""Work proportional to change: `tsum all` over a 32-article corpus, first run, `--force` with a warm cache
of model outputs, and the run after one glossary entry is added; and the model calls de-duplication saves.

    python benchmarks/bench_cache.py --workdir /tmp/bench-cache             # 32 articles
    python benchmarks/bench_cache.py --workdir /tmp/bench-cache --articles 8  # quicker

Random-weight models of the real shapes (benchmarks/bench_speed.py builds them; fixed output lengths,
so the work is the same whatever the weights say), CTranslate2 int8, the local executor. The corpus is
made of the seeds' paragraphs (tests/corpus.py), and every article also carries two of three boilerplate
paragraphs, as real releases repeat their "about us" and closing lines. Each run is its own process,
timed whole (start-up and model loading included). The glossary entry added is the word of the corpus
whose share of the translated sentences is closest to 5%.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

TARGETS = {"force": 0.10, "glossary": 0.15}
#: Paragraphs many releases of one press office share (body text, so they are translated).
BOILERPLATE = (
    "The Shanghai Cooperation Organization is a permanent intergovernmental international organization "
    "founded in 2001, and its member states account for almost half of the world's population.",
    "The organization's main goals are strengthening mutual confidence and good-neighbourly relations "
    "among the member countries and promoting effective cooperation in politics, trade and education.",
    "Journalists who wish to attend the events described above are invited to contact the press office "
    "of the Secretariat in advance.",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="models, caches, corpus and logs")
    parser.add_argument("--articles", type=int, default=32, help="corpus size [32]")
    parser.add_argument("--new-tokens", type=int, default=20, help="tokens per translated sentence [20]")
    parser.add_argument("--summary-tokens", type=int, default=48, help="tokens per summary chunk [48]")
    parser.add_argument("--models", type=Path, help="build or reuse the models here [--workdir]")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from common import build_all, machine_line, measure, versions, write_config

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    models = build_all((args.models or workdir).resolve())
    config = write_config(workdir / "models-cache.toml", models, args.new_tokens, args.summary_tokens)
    outputs_cache = workdir / "outputs.sqlite"
    env = {
        "TSUM_CACHE": str(workdir / "cache"),
        "TSUM_OUTPUT_CACHE": str(outputs_cache),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONPATH": str(REPO),
    }
    results: dict[str, Any] = {
        "machine": versions(),
        "cpu": machine_line(),
        "articles": args.articles,
        "runs": [],
    }
    print(f"# {results['machine']}\n# {results['cpu']}", flush=True)

    # A small run first, with no cache: converts the models, so no timed run pays for it.
    warm = workdir / "corpus-warm"
    _write_corpus(warm, 2, seed=99)
    measure(_tsum(warm, workdir / "out-warm", config, "--no-cache", "--force"), workdir / "warm.log", env)

    corpus = workdir / f"corpus-{args.articles}"
    _write_corpus(corpus, args.articles, seed=args.articles)
    out = workdir / f"out-{args.articles}"
    shutil.rmtree(out, ignore_errors=True)
    for file in outputs_cache.parent.glob(outputs_cache.name + "*"):
        file.unlink()
    entry, share = _add_term_candidate(corpus)
    results["glossary_entry"] = {"en": entry, "sentence_share": round(share, 4)}

    def timed(name: str, *extra: str) -> dict[str, Any]:
        load = os.getloadavg()
        run = measure(_tsum(corpus, out, config, *extra), workdir / f"run-{name}.log", env)
        run.update(name=name, load_before=[round(x, 2) for x in load], counts=_counts(out))
        results["runs"].append(run)
        c = run["counts"]
        print(
            f"{name:<9} exit {run['returncode']}  {run['seconds']:7.1f} s  model inputs: {c['model']} computed, "
            f"{c['cache']} from the cache, {c['shared']} repeats shared  (load before {load[0]:.1f})",
            flush=True,
        )
        return run

    first = timed("first")
    timed("force", "--force")
    _append_term(corpus / "glossary.tsv", entry)
    timed("glossary")
    print()
    print_table(results, first)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def _write_corpus(folder: Path, count: int, seed: int) -> None:
    """tests/corpus.py's articles, each with two of the boilerplate paragraphs before its end."""
    from corpus import write_corpus

    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(seed)
    for path in write_corpus(folder, count, seed=seed):
        text = path.read_text(encoding="utf-8").rstrip("\n")
        extra = rng.sample(BOILERPLATE, 2)
        path.write_text(text + "\n\n" + "\n\n".join(extra) + "\n", encoding="utf-8")


def _sentences(folder: Path) -> list[str]:
    """The sentences a run translates (body, title, captions: every segment but end matter)."""
    from translate_sum.ingest import load_article
    from translate_sum.segment import segment_article

    out = []
    for path in sorted(folder.glob("*.txt")):
        out += [s.en for s in segment_article(load_article(path)) if s.kind != "end_matter"]
    return out


def _add_term_candidate(folder: Path) -> tuple[str, float]:
    """The name (a capitalised word or two, not matched by the glossary) in the share of sentences
    closest to 5%."""
    from translate_sum.terms.glossary import Glossary

    glossary = Glossary.load(folder / "glossary.tsv")
    sentences = _sentences(folder)
    seen: Counter[str] = Counter()
    for sentence in sentences:
        names = re.findall(r"\b[A-Z][a-z]{4,}\b", sentence)
        names += re.findall(r"\b(?=([A-Z][a-z]+ [A-Z][a-z]{2,}))", sentence)
        seen.update(set(names))
    near = sorted((abs(n / len(sentences) - 0.05), w) for w, n in seen.items() if not glossary.find(w))[:8]
    # The share as the glossary itself matches the entry (any case, plurals), from a copy with it added.
    shares = []
    for _, word in near:
        trial = folder.parent / "glossary-trial.tsv"
        shutil.copy(folder / "glossary.tsv", trial)
        _append_term(trial, word)
        added = Glossary.load(trial)
        hits = sum(any(m.entry.en == word for m in added.find(s)) for s in sentences)
        shares.append((abs(hits / len(sentences) - 0.05), word, hits / len(sentences)))
    _, word, share = min(shares)
    return word, share


def _append_term(glossary: Path, word: str) -> None:
    with glossary.open("a", encoding="utf-8") as handle:
        handle.write(f"{word}\t术语\tтермин\t\t\t\t\tadded by bench_cache.py\n")


def _counts(out: Path) -> dict[str, int]:
    """Model inputs of the articles in ``out``, summed from their manifests: model, cache, shared."""
    total: Counter[str] = Counter()
    for manifest in out.glob("*/manifest.json"):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        for counts in data.get("model_outputs", {}).values():
            total.update(counts)
    return {k: total[k] for k in ("model", "cache", "shared")}


def _tsum(corpus: Path, out: Path, config: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "translate_sum", "all", "--input", str(corpus), "--output", str(out)] + [
        "--config",
        str(config),
        "--device",
        "cpu",
        "--quiet",
        *extra,
    ]


def print_table(results: dict[str, Any], first: dict[str, Any]) -> None:
    """The rows with their targets, in Markdown."""
    by = {r["name"]: r for r in results["runs"]}
    print(f"{results['cpu']}; {results['machine']}")
    entry = results["glossary_entry"]
    print(
        f"{results['articles']} articles; glossary entry added: {entry['en']!r} "
        f"(in {entry['sentence_share']:.1%} of the translated sentences)\n"
    )
    print("| row | seconds | ÷ first run | target | model inputs computed / from cache / shared |")
    print("| --- | ---: | ---: | --- | --- |")
    names = {
        "first": ("first run (empty cache)", None),
        "force": ("`--force`, warm cache", TARGETS["force"]),
        "glossary": ("after adding one glossary entry", TARGETS["glossary"]),
    }
    for name, (label, target) in names.items():
        run = by[name]
        ratio = run["seconds"] / first["seconds"]
        verdict = "—" if target is None else f"≤ {target:.0%}: {'met' if ratio <= target else 'NOT met'}"
        c = run["counts"]
        print(
            f"| {label} | {run['seconds']:.1f} | {ratio:.1%} | {verdict} | "
            f"{c['model']} / {c['cache']} / {c['shared']} |"
        )
    c = first["counts"]
    inputs = c["model"] + c["cache"] + c["shared"]
    print(
        f"\nde-duplication, first run: {c['shared']} of {inputs} model inputs were repeats in their window "
        f"and never reached a model ({c['shared'] / max(inputs, 1):.1%} of the model calls saved)"
    )


if __name__ == "__main__":
    sys.exit(main())
