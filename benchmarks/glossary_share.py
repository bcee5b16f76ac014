"""How many glossary term occurrences on the seeds are kept, enforced without a flag, or flagged.

Two translators: the tiny random-weight MarianMT models of the test suite (``tsum all`` with the
extractive summarizer, counts read from each manifest), and a fake "copying" model that returns its
input unchanged, placeholders intact (every source segment, through ``TermGuard``).

The guard's own time is taken too: 2,000 seed sentences (the seeds repeated) through ``TermGuard``
with the copying model, per language, best of three.

    python benchmarks/glossary_share.py [--workdir DIR] [--skip-tiny]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def _line(label: str, counts: Counter) -> str:
    found = counts["found"] or 1
    return (
        f"{label}: {counts['found']} occurrences; kept {counts['kept']}, enforced without a flag "
        f"{counts['enforced']} ({counts['enforced'] / found:.1%}), flagged {counts['flagged']}; "
        f"present without a flag (kept + enforced) {(counts['kept'] + counts['enforced']) / found:.1%}"
    )


def tiny_models(workdir: Path) -> dict[str, Counter]:
    from click.testing import CliRunner
    from tiny_models import build_bart, build_marian, write_models_toml

    from translate_sum.cli import cli

    models = workdir / "models"
    config = write_models_toml(
        workdir / "models.toml",
        build_bart(models / "bart"),
        build_marian(models / "zh", "zh", save_bin=True),
        build_marian(models / "ru", "ru"),
    )
    out = workdir / "out"
    result = CliRunner().invoke(
        cli,
        ["all", "--input", str(REPO / "seeds"), "--output", str(out), "--config", str(config)]
        + ["--summarizer", "extractive", "--force", "--quiet"],
    )
    if result.exit_code != 0:
        raise SystemExit(result.output)
    totals = {lang: Counter() for lang in ("zh", "ru")}
    for manifest in out.glob("*/manifest.json"):
        for lang, counts in json.loads(manifest.read_text())["counts"]["glossary"].items():
            totals[lang].update(counts)
    return totals


def _seed_sentences() -> list[str]:
    from translate_sum.ingest import load_article
    from translate_sum.segment import segment_article

    return [
        s.en for path in sorted((REPO / "seeds").glob("*.txt")) for s in segment_article(load_article(path))
    ]


def guard_time(n: int = 2000) -> dict[str, float]:
    """CPU seconds the guard takes over ``n`` seed sentences with the copying model, best of three (CPU
    time, not wall time, so that other work on a shared machine counts less)."""
    from translate_sum.terms.glossary import Glossary
    from translate_sum.terms.guard import TermGuard

    seeds = _seed_sentences()
    sources = (seeds * (n // len(seeds) + 1))[:n]
    times = {}
    for lang in ("zh", "ru"):
        best = float("inf")
        for _ in range(3):
            glossary = Glossary.load(REPO / "seeds" / "glossary.tsv")  # a fresh index each time
            start = time.process_time()
            TermGuard(glossary).translate(sources, lang, lambda batch: list(batch))
            best = min(best, time.process_time() - start)
        times[lang] = best
    return times


def copying_model() -> dict[str, Counter]:
    from translate_sum.terms.glossary import Glossary
    from translate_sum.terms.guard import TermGuard, count_terms

    glossary = Glossary.load(REPO / "seeds" / "glossary.tsv")
    sources = _seed_sentences()
    return {
        lang: Counter(count_terms(TermGuard(glossary).translate(sources, lang, lambda batch: list(batch))))
        for lang in ("zh", "ru")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workdir", type=Path, help="where to build the tiny models (default: a temporary folder)"
    )
    parser.add_argument("--skip-tiny", action="store_true", help="skip the tiny models (slow to build)")
    args = parser.parse_args()
    for lang, counts in copying_model().items():
        print(_line(f"copying model, {lang}", counts))
    for lang, seconds in guard_time().items():
        print(f"guard time, 2,000 sentences, {lang}: {seconds:.2f} s of CPU")
    if args.skip_tiny:
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for lang, counts in tiny_models(workdir).items():
            print(_line(f"tiny models (tsum all, extractive summary), {lang}", counts))


if __name__ == "__main__":
    main()
