"""Share of segments the translation memory serves on the seeds after one article's boilerplate is approved.

    python benchmarks/memory_share.py --workdir /tmp/tm-share [--summarizer extractive|abstractive]

Runs `tsum all` on a copy of seeds/ with the tiny test models (the share depends on the source
sentences, not on the translation models), approves every sentence of the last two paragraphs of
``001_a2e7129abcaddcf3.txt`` (the company boilerplate and the founder's biography) in both languages,
as the review page would, then adds a third press release that repeats that boilerplate after a new
paragraph, runs `tsum all --force`, and prints the served share per article and overall.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from tiny_models import build_bart, build_marian, write_models_toml  # noqa: E402

from translate_sum.cli import cli  # noqa: E402
from translate_sum.memory import MemoryStore  # noqa: E402
from translate_sum.review.edits import save_target  # noqa: E402

BOILERPLATE_SLUG = "president-of-the-weidong-group-visits-sco-secretariat"


def tsum(*args: str) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(result.output)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--summarizer", choices=("extractive", "abstractive"), default="extractive")
    args = parser.parse_args()
    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    models = work / "models"
    config = write_models_toml(
        work / "models.toml",
        build_bart(models / "bart"),
        build_marian(models / "zh", "zh", save_bin=True),
        build_marian(models / "ru", "ru"),
    )
    seeds, out = work / "seeds", work / "outputs"
    shutil.copytree(REPO / "seeds", seeds)
    common = ["--input", str(seeds), "--output", str(out), "--config", str(config), "--quiet"]
    common += ["--summarizer", args.summarizer]
    tsum("all", *common)

    folder = out / BOILERPLATE_SLUG
    records = [
        json.loads(line) for line in (folder / "aligned.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    body_paragraphs = sorted({r["paragraph"] for r in records if r["kind"] == "body"})
    boilerplate = [r for r in records if r["kind"] == "body" and r["paragraph"] in body_paragraphs[-2:]]
    with MemoryStore(out / "tm.sqlite") as store:
        for record in boilerplate:
            for lang in ("zh", "ru"):
                entry = store.get(record["en"], lang)
                # What the page would show: the memory's text and version when it holds one.
                base, version = (entry.target, entry.version) if entry else (record[lang], 0)
                save_target(out, store, BOILERPLATE_SLUG, record["id"], lang, base, "approve", version, base)
    source = (REPO / "seeds" / "001_a2e7129abcaddcf3.txt").read_text(encoding="utf-8")
    tail = "\n\n".join(p for p in source.split("\n\n") if p.strip())
    tail = "\n\n".join(tail.split("\n\n")[-2:])
    (seeds / "002_new_release.txt").write_text(
        "Weidong opens a new training centre\n\n"
        "Weidong Cloud Education Group opened a new vocational training centre in Qingdao on Monday.\n\n"
        + tail
        + "\n",
        encoding="utf-8",
    )
    tsum("all", *common, "--force")

    total = served = 0
    print(f"approved: {len(boilerplate)} sentences x 2 languages; summarizer: {args.summarizer}")
    for manifest_path in sorted(out.glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        segments = manifest["counts"]["segments"]
        memory = manifest["counts"]["memory"]
        n = sum(memory.values())
        total += segments * len(memory)
        served += n
        print(
            f"{manifest_path.parent.name}: {n} of {segments * len(memory)} targets from the memory {memory}"
        )
    print(f"overall: {served} of {total} targets ({served / total:.1%})")


if __name__ == "__main__":
    main()
