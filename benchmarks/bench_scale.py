"""Throughput and peak memory of `tsum all` over a generated corpus: article by article, the local
executor, and the Ray executor with 1 and 2 workers, on random-weight models with the real shapes.

    python benchmarks/bench_scale.py --workdir /tmp/bench-scale            # N = 8 and 32
    python benchmarks/bench_scale.py --workdir /tmp/bench-scale --sizes 8,32,128

Every path runs as its own process over the same corpus with the same models.toml (fixed output
lengths, so the work is the same whatever the random weights say). "Article by article" is the
pipeline as it was before the executors (commit BASELINE), run from a `git archive` of that commit.
See docs/scaling.md for the results and what they mean for a cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from common import build_all, load_average, machine_line, measure, versions, write_config  # noqa: E402

#: The last commit whose `tsum all` went article by article (summarizer, then each translator).
BASELINE = "f59d2fa"
TARGETS = {"local_vs_article": 1.3, "local_peak_rss_gb": 1.0, "ray_vs_local": 0.85}

_RUN_WITH_OPTIONS = """
import sys
from pathlib import Path
from translate_sum.config import load_config
from translate_sum.pipeline import RunOptions, run_all
folder, out, config, release = sys.argv[1:5]
options = RunOptions(Path(folder), Path(out), load_config(Path(config)), ("zh", "ru"), force=True,
                     device="cpu", release_models=release == "release")
report = run_all(options)
sys.exit(1 if report.failed else 0)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="models, caches, corpora and logs")
    parser.add_argument("--sizes", default="8,32", help="corpus sizes N [8,32]")
    parser.add_argument("--new-tokens", type=int, default=20, help="tokens per translated sentence [20]")
    parser.add_argument("--summary-tokens", type=int, default=48, help="tokens per summary chunk [48]")
    parser.add_argument(
        "--paths",
        default="article,local,local-keep,ray1,ray2",
        help="which paths to run [article,local,local-keep,ray1,ray2]",
    )
    parser.add_argument("--models", type=Path, help="build or reuse the models here [--workdir]")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from corpus import write_corpus

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    models = build_all(args.models or workdir)
    baseline = _baseline(workdir)
    env = {
        "TSUM_CACHE": str(workdir / "cache"),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    # 0: no [ray] table, which the baseline's models.toml parser would refuse.
    configs = {w: _config(workdir, models, args.new_tokens, args.summary_tokens, w) for w in (0, 1, 2)}
    results: dict[str, Any] = {
        "machine": versions(),
        "cpu": machine_line(),
        "new_tokens": args.new_tokens,
        "summary_tokens": args.summary_tokens,
        "runs": [],
    }
    print(f"# {results['machine']}\n# {results['cpu']}", flush=True)
    # One small run first: converts the models into the CTranslate2 cache, so no timed run pays for it.
    warm = workdir / "corpus-warm"
    shutil.rmtree(warm, ignore_errors=True)
    write_corpus(warm, 2, seed=99)
    measure(
        _tsum(warm, workdir / "out-warm", configs[0]), workdir / "warm.log", {**env, "PYTHONPATH": str(REPO)}
    )
    paths = args.paths.split(",")
    for n in (int(x) for x in args.sizes.split(",")):
        corpus = workdir / f"corpus-{n}"
        shutil.rmtree(corpus, ignore_errors=True)
        write_corpus(corpus, n, seed=n)
        for path in paths:
            out = workdir / f"out-{n}-{path}"
            shutil.rmtree(out, ignore_errors=True)
            argv, extra = _command(path, corpus, out, configs, baseline)
            load = os.getloadavg()[0]
            run = measure(argv, workdir / f"run-{n}-{path}.log", {**env, **extra})
            run.update(n=n, path=path, load_before=round(load, 2), load_after=load_average())
            run["articles_per_min"] = round(n / run["seconds"] * 60, 2) if run["returncode"] == 0 else None
            results["runs"].append(run)
            print(
                f"N={n:<4} {path:<11} exit {run['returncode']}  {run['seconds']:7.1f} s  "
                f"{run['articles_per_min'] or 0:6.2f} articles/min  peak RSS {run['peak_rss_mb']:6.0f} MB "
                f"(largest process {run['largest_process_mb']:.0f} MB; CPU {run['cpu_s']:.0f} s; load before "
                f"{load:.1f}, after {run['load_after']})",
                flush=True,
            )
    print()
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def _command(path: str, corpus: Path, out: Path, configs: dict[int, Path], baseline: Path):
    """The command line of one path and the environment it needs."""
    here = {"PYTHONPATH": str(REPO)}
    if path == "article":
        return _tsum(corpus, out, configs[0]), {"PYTHONPATH": str(baseline)}
    if path == "local":
        return _tsum(corpus, out, configs[0]), here
    if path == "local-keep":
        code = [sys.executable, "-c", _RUN_WITH_OPTIONS, str(corpus), str(out), str(configs[0]), "keep"]
        return code, here
    if path in ("ray1", "ray2"):
        return [*_tsum(corpus, out, configs[int(path[-1])]), "--executor", "ray", "--window", "8"], here
    raise SystemExit(f"unknown path {path!r}")


def _tsum(corpus: Path, out: Path, config: Path) -> list[str]:
    return [sys.executable, "-m", "translate_sum", "all", "--input", str(corpus), "--output", str(out)] + [
        "--config",
        str(config),
        "--device",
        "cpu",
        "--force",
        "--quiet",
    ]


def _config(workdir: Path, models: dict[str, Path], new: int, summary: int, workers: int) -> Path:
    """models.toml: the real-shape models, CTranslate2 int8, fixed output lengths, ``workers`` Ray actors."""
    ray = f"\n[ray]\nconcurrency = {workers}\nnum_cpus = 0.25\n" if workers else ""
    return write_config(workdir / f"models-{workers}.toml", models, new, summary, extra=ray)


def _baseline(workdir: Path) -> Path:
    """The package as of BASELINE, unpacked once."""
    target = workdir / f"baseline-{BASELINE}"
    if not (target / "translate_sum" / "pipeline.py").is_file():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", BASELINE, "translate_sum"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def print_table(results: dict[str, Any]) -> None:
    """The results in Markdown, and which targets are met."""
    names = {
        "article": "(a) article by article (before)",
        "local": "(b) local executor, window 32 (default)",
        "local-keep": "(b') local executor, models kept loaded",
        "ray1": "(c) Ray, 1 worker per stage, window 8",
        "ray2": "(c) Ray, 2 workers per stage, window 8",
    }
    print(f"{results['cpu']}; {results['machine']}")
    print(
        f"fixed lengths: {results['new_tokens']} tokens per sentence, {results['summary_tokens']} per "
        "summary chunk, beam 4\n"
    )
    print("| N | path | seconds | articles/min | × (a) | peak RSS (all processes) | load before → after |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
    by = {(r["n"], r["path"]): r for r in results["runs"]}
    for run in results["runs"]:
        base = by.get((run["n"], "article"))
        speed = run["articles_per_min"]
        ratio = (
            f"{speed / base['articles_per_min']:.2f}" if speed and base and base["articles_per_min"] else "—"
        )
        print(
            f"| {run['n']} | {names.get(run['path'], run['path'])} | {run['seconds']:.1f} | "
            f"{speed if speed is not None else 'failed'} | {ratio} | {run['peak_rss_mb'] / 1024:.2f} GB | "
            f"{run['load_before']} → {run['load_after'][0]} |"
        )
    for n in sorted({r["n"] for r in results["runs"]}):
        a, b = by.get((n, "article")), by.get((n, "local"))
        if a and b and a["articles_per_min"] and b["articles_per_min"]:
            print(
                f"\nN={n}: local / article-by-article = {b['articles_per_min'] / a['articles_per_min']:.2f} "
                f"(target ≥ {TARGETS['local_vs_article']}); local peak RSS {b['peak_rss_mb'] / 1024:.2f} GB "
                f"(target ≤ {TARGETS['local_peak_rss_gb']})"
            )
        for ray in ("ray1", "ray2"):
            r = by.get((n, ray))
            if b and r and r["articles_per_min"] and b["articles_per_min"]:
                print(
                    f"N={n}: {ray} / local = {r['articles_per_min'] / b['articles_per_min']:.2f} "
                    f"(target ≥ {TARGETS['ray_vs_local']})"
                )


if __name__ == "__main__":
    sys.exit(main())
