"""Speed and memory of tsum's translation and summary paths, on random-weight models with the real shapes.

    python benchmarks/bench_speed.py --workdir /tmp/bench   # full run, ~6-10 minutes on 2 idle cores
    python benchmarks/bench_speed.py --quick                  # fewer sentences and tokens, no `tsum all` runs

Random weights decode garbage, so every path is forced to a fixed output length (min = max new
tokens): the work is the same whatever the weights say, and the timings are those of real models.
They say nothing about translation quality. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from common import (  # noqa: E402
    REPO,
    build_all,
    cpu,
    load_average,
    machine_line,
    measure,
    paired_ratio,
    versions,
    write_config,
)

# The environment that makes an AVX-512 machine run the AVX2 code paths of every library used here.
AVX2_CAPS = {"CT2_FORCE_CPU_ISA": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}
TARGETS = {
    # tsum's default translation path against transformers batched fp32: 4× where int8 runs with
    # VNNI, 3.3× on every CPU (oneDNN's int8 without VNNI leaves less to gain).
    "translation_vs_transformers": 3.3,
    "translation_vs_transformers_vnni": 4.0,
    # against raw CTranslate2 int8, beam 4, full vocabulary: what Argos Translate runs.
    "translation_vs_raw_ct2": 1.5,
    "translation_vs_naive": 12.0,
    "summary_vs_fp32": 3.0,
    "peak_rss_gb": 1.5,
    "rerun_s": 1.0,
}
SECTIONS = ("translation", "variants", "summary", "cron", "tsum")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog="Results and method: benchmarks/README.md."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="8 sentences, 16/20 new tokens, 2 interleaved rounds, one pass elsewhere, no `tsum all` runs",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep built models, CT2 caches and logs here, reused next time (~3 GB) "
        "[a temporary folder, removed at the end]",
    )
    parser.add_argument("--sentences", type=int, help="seed sentences to translate [32; quick: 8]")
    parser.add_argument(
        "--skip-tsum-run", action="store_true", help="skip the `tsum all` RSS and re-run timings"
    )
    parser.add_argument(
        "--backend",
        choices=("transformers", "ctranslate2"),
        help="backend of every model in tsum's own paths, (c), (iii) and `tsum all`, "
        "instead of the shipped models.toml's [models.toml's: ctranslate2]",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help="comma-separated: translation (the interleaved targets), variants (other translation paths), "
        "summary, cron (one new article in a processed folder), tsum (`tsum all` memory) [all]",
    )
    parser.add_argument(
        "--rounds", type=int, help="interleaved rounds of the translation section [7; quick: 2]"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        help="timed passes per path outside the interleaved rows, best kept [2; quick: 1]",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=240.0,
        help="most seconds, over the whole run, spent waiting for other processes to go quiet [240]",
    )
    parser.add_argument(
        "--emulate-avx2",
        action="store_true",
        help="cap CTranslate2, oneDNN and PyTorch at AVX2 (CT2_FORCE_CPU_ISA, ONEDNN_MAX_CPU_ISA, "
        "ATEN_CPU_CAPABILITY) to stand in for an AVX2-only CPU on an AVX-512 one; restarts itself",
    )
    parser.add_argument("--json", type=Path, help="also write every number, pass and contention figure here")
    args = parser.parse_args()
    if args.emulate_avx2 and os.environ.get("ONEDNN_MAX_CPU_ISA") != "AVX2":
        # The caps are read when the libraries load: set them, then start again in a fresh interpreter.
        os.environ.update(AVX2_CAPS)
        os.execv(sys.executable, [sys.executable, *sys.argv])

    quick = args.quick
    n_sentences = args.sentences or (8 if quick else 32)
    new_tokens = 16 if quick else 40
    summary_tokens = 20 if quick else 80
    rounds = args.rounds or (2 if quick else 7)
    global REPEAT, QUIET_WAIT_S
    REPEAT = args.repeat or (1 if quick else 2)
    QUIET_WAIT_S = args.quiet_wait

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tsum-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["TSUM_CACHE"] = str(workdir / "cache")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _quiet()

    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    backend = args.backend  # None: each model's backend from the shipped models.toml
    results: dict[str, Any] = {
        "machine": versions(),
        "quick": quick,
        "sentences": n_sentences,
        "new_tokens": new_tokens,
        "summary_tokens": summary_tokens,
        "beams": 4,
        "repeat": REPEAT,
        "rounds": rounds,
        "backend": backend or "models.toml",
        "load_before": load_average(),
    }
    results["cpu"] = _cpu_line()
    results["isa"] = machine_line()
    print(f"# tsum speed benchmark — {results['machine']}")
    print(f"# {results['isa']}\n# {results['cpu']}")
    print(
        f"# workdir {workdir}; {n_sentences} sentences; beam 4; {new_tokens} new tokens per sentence; "
        f"summary {summary_tokens} new tokens; {rounds} interleaved rounds; best of {REPEAT} elsewhere\n",
        flush=True,
    )
    with _CpuShare() as share:
        time.sleep(1.0)
    if share.others > 0.1:
        print(
            f"# NOTE: other processes are using {share.others:.0%} of the CPU; every pass records how busy the "
            "machine was, and passes outside the interleaved rows wait for a quiet spell first (a while at most)\n",
            flush=True,
        )

    t0 = time.perf_counter()
    models = build_all(workdir / "models")
    print(f"models ready in {time.perf_counter() - t0:.0f} s\n", flush=True)

    sections = {x.strip() for x in args.sections.split(",")}
    if sections - set(SECTIONS):
        parser.error(f"--sections: unknown {', '.join(sorted(sections - set(SECTIONS)))}")
    sentences = seed_sentences()[:n_sentences]
    if "translation" in sections:
        results["translation"] = bench_translation(
            models["opus-mt-en-zh"], sentences, new_tokens, rounds, backend
        )
    if "variants" in sections:
        results["variants"] = bench_variants(models["opus-mt-en-zh"], sentences, new_tokens, quick)
    if "summary" in sections:
        results["summary"] = bench_summary(models["distilbart-cnn-12-6"], summary_tokens, backend)
    if "cron" in sections:
        results["cron"] = bench_cron(models, workdir, new_tokens, summary_tokens, backend, 1 if quick else 6)
    if "tsum" not in sections or quick or args.skip_tsum_run:
        results["tsum_all"] = {"skipped": "--quick" if quick else "not asked for"}
    else:
        results["tsum_all"] = bench_tsum_all(models, workdir, new_tokens, summary_tokens, backend)
    results["load_after"] = load_average()
    results["total_s"] = round(time.perf_counter() - t0)

    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


# --- models and inputs ------------------------------------------------------------------------------


def seed_sentences() -> list[str]:
    """Sentences of seeds/*.txt, in file order, as tsum's segmenter cuts them."""
    from translate_sum.segment import split_sentences

    sentences: list[str] = []
    for path in sorted((REPO / "seeds").glob("*.txt")):
        sentences += split_sentences(path.read_text(encoding="utf-8"))
    return sentences


def seed_article() -> list[str]:
    """The first seed article, whole (title and metadata line included), cut into sentences."""
    from translate_sum.segment import split_sentences

    path = sorted((REPO / "seeds").glob("*.txt"))[0]
    return split_sentences(path.read_text(encoding="utf-8"))


def _spec(role: str, directory: Path, **changes: Any):
    from translate_sum.config import ModelSpec

    target = ">>cmn_Hans<<" if role == "zh" else None
    return ModelSpec(role=role, path=directory.resolve(), target_token=target, **changes)


def _shipped_config():
    from translate_sum.config import load_config

    return load_config(REPO / "models.toml")


# --- translation ------------------------------------------------------------------------------------


REPEAT = 2  # timed passes per path; set from --repeat
QUIET_WAIT_S = 240.0  # the most seconds, over the whole run, spent waiting for other processes to go quiet


class _CpuShare:
    """The share of the machine's CPU time that *other* processes used over an interval (Linux).

    On a shared machine another process holding one of the cores makes every parallel region of a
    2-thread OpenMP pool wait for a scheduler slice: a small PyTorch op then takes milliseconds
    instead of microseconds. Each timed pass records how contended it was.
    """

    def __enter__(self):
        self.start = self._sample()
        return self

    def __exit__(self, *exc):
        end = self._sample()
        wall = end[0] - self.start[0]
        busy = end[1] - self.start[1]
        own = end[2] - self.start[2]
        self.others = max(0.0, busy - own) / (wall * (os.cpu_count() or 1)) if wall > 0 else 0.0

    @staticmethod
    def _sample() -> tuple[float, float, float]:
        import resource

        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
            busy = (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf(
                "SC_CLK_TCK"
            )  # all but idle, iowait
        except (OSError, ValueError, IndexError):
            busy = 0.0
        own = sum(
            u.ru_utime + u.ru_stime
            for u in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
        )
        return time.perf_counter(), busy, own


def _wait_for_quiet(threshold: float = 0.1) -> float:
    """Wait (within the run's budget) until other processes use under ``threshold`` of the CPU."""
    global QUIET_WAIT_S
    while True:
        with _CpuShare() as share:
            time.sleep(1.0)
        if share.others < threshold or QUIET_WAIT_S <= 0:
            return share.others
        QUIET_WAIT_S -= 1.0


def _best_of(run: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any, list[float]]:
    """The shortest of ``repeat`` timed calls (other load only ever adds time), all times, the last
    result, and the CPU share other processes took during each pass."""
    times, contention, result = [], [], None
    for _ in range(repeat):
        _wait_for_quiet()
        with _CpuShare() as share:
            t0 = time.perf_counter()
            result = run()
            times.append(round(time.perf_counter() - t0, 3))
        contention.append(round(share.others, 2))
    return min(times), times, result, contention


def _timed(
    label: str, run: Callable[[list[str]], list[str]], sentences: list[str], repeat: int | None = None
):
    """Sentences per second of ``run`` over ``sentences``: best of ``repeat`` passes after a warm-up."""
    run(sentences[:2])  # warm-up: thread pools, allocators, first-call kernel selection
    seconds, times, outputs, others = _best_of(lambda: run(sentences), repeat or REPEAT)
    assert len(outputs) == len(sentences) and all(isinstance(o, str) for o in outputs)
    row = {
        "label": label,
        "seconds": seconds,
        "passes": times,
        "others_cpu": others,
        "sentences_per_s": round(len(sentences) / seconds, 3),
    }
    print(
        f"  {label:<54} {row['sentences_per_s']:8.2f} sent/s  (passes {times} s; others' CPU {others})",
        flush=True,
    )
    return row


def _timed_per_sentence(
    label: str, run: Callable[[list[str]], list[str]], sentences: list[str]
) -> dict[str, Any]:
    """Like _timed for a slow per-sentence loop: each sentence is timed alone and timed again (up to
    twice) when other processes took over 10% of the CPU meanwhile, so one busy spell costs a retry
    of one sentence rather than a whole extra pass."""
    run(sentences[:2])
    total, others = 0.0, []
    for sentence in sentences:
        best, share_of_best = float("inf"), 1.0
        for _ in range(3):
            _wait_for_quiet()
            with _CpuShare() as share:
                t0 = time.perf_counter()
                run([sentence])
                seconds = time.perf_counter() - t0
            if seconds < best:
                best, share_of_best = seconds, share.others
            if share.others < 0.1:
                break
        total += best
        others.append(round(share_of_best, 2))
    row = {
        "label": label,
        "seconds": round(total, 3),
        "passes": [round(total, 3)],
        "others_cpu": [max(others)],
        "sentences_per_s": round(len(sentences) / total, 3),
    }
    print(
        f"  {label:<54} {row['sentences_per_s']:8.2f} sent/s  ({total:.1f} s; others' CPU at most "
        f"{max(others)} per sentence)",
        flush=True,
    )
    return row


class _Ct2Lengths:
    """Stands in for a ctranslate2.Translator: passes every call on, and records output lengths."""

    def __init__(self, model, lengths: list[int]) -> None:
        self._model, self._lengths = model, lengths

    def translate_batch(self, source, **options):
        results = self._model.translate_batch(source, **options)
        self._lengths += [len(r.hypotheses[0]) for r in results]
        return results

    def __getattr__(self, name: str):
        return getattr(self._model, name)


def _record_lengths(engine) -> list[int]:
    """Output lengths of every call tsum's own code makes to ``engine``'s model, from now on.

    The benchmark runs the real generate paths (``translate``, ``summarize``); this only watches the
    model underneath. transformers: tokens after the decoder start token; CTranslate2: hypothesis tokens.
    """
    lengths: list[int] = []
    model = engine.model
    if hasattr(model, "translate_batch"):
        engine.model = _Ct2Lengths(model, lengths)
    else:
        generate = model.generate

        def recorded(*args, **kwargs):
            output = generate(*args, **kwargs)
            tokens = getattr(output, "sequences", output)  # scored paths ask for a dict (issue 20)
            lengths.extend([tokens.shape[1] - 1] * tokens.shape[0])
            return output

        model.generate = recorded  # an instance attribute: shadows the method for this model only
    return lengths


def _expected_length(engine, new_tokens: int) -> int:
    """transformers generates ``new_tokens`` (the forced EOS included); CTranslate2 one fewer: it does
    not generate the forced EOS (ct2_options: max_decoding_length = max_new_tokens - 1)."""
    return new_tokens if not hasattr(engine.model, "translate_batch") else new_tokens - 1


def _check_lengths(label: str, lengths: list[int], expected: int, calls: int) -> None:
    assert len(lengths) >= calls and set(lengths) == {expected}, (
        f"{label}: output lengths {sorted(set(lengths))} over {len(lengths)} outputs, expected {expected} "
        f"for each of at least {calls}: the paths would not be doing the same work"
    )


def _timed_engine(label: str, translator, sentences: list[str], new_tokens: int) -> dict[str, Any]:
    """``translator.translate`` (tsum's path) timed, with every output's length checked."""
    lengths = _record_lengths(translator)
    row = _timed(label, translator.translate, sentences)
    _check_lengths(label, lengths, _expected_length(translator, new_tokens), len(sentences))
    row["tokens_out"] = lengths[-1]
    return row


class RawCt2:
    """Argos Translate's configuration: a ``ctranslate2.Translator`` on SentencePiece pieces, int8,
    beam 4, the full vocabulary, one ``translate_batch`` call for all sentences (max_batch_size 32,
    length_penalty 0.2, replace_unknowns), as argostranslate.translate calls it. The converted model,
    the source pieces (target token first, EOS last) and the fixed output length are tsum's, so the two
    paths do the same work on the same model: what differs is tsum's batching and vocabulary map."""

    def __init__(self, converted: Path, model_dir: Path, target_token: str, new_tokens: int) -> None:
        import ctranslate2
        import sentencepiece

        self.model = ctranslate2.Translator(
            str(converted),
            device="cpu",
            compute_type="int8",
            inter_threads=1,
            intra_threads=os.cpu_count() or 1,
        )
        self.source = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
        self.target = sentencepiece.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
        self.target_token, self.length = target_token, new_tokens - 1  # as tsum's ct2_options
        self.lengths: list[int] = []

    def translate(self, sentences: list[str]) -> list[str]:
        pieces = [[self.target_token, *self.source.encode(s, out_type=str), "</s>"] for s in sentences]
        results = self.model.translate_batch(
            pieces,
            replace_unknowns=True,
            max_batch_size=32,
            beam_size=4,
            num_hypotheses=1,
            length_penalty=0.2,
            return_scores=True,
            min_decoding_length=self.length,
            max_decoding_length=self.length,
        )
        self.lengths += [len(r.hypotheses[0]) for r in results]
        return [self.target.decode(r.hypotheses[0]) for r in results]


def interleaved(
    paths: dict[str, Callable[[list[str]], list[str]]], sentences: list[str], rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds per pass of each path over ``sentences``, in ``rounds`` rounds that run every path once:
    in order in even rounds, in reverse in odd ones (A B C, C B A, …), so each round's passes see
    the same host and a slope within a round cancels over two. Also the CPU share other processes took
    during each pass. One warm-up call per path first."""
    for run in paths.values():
        run(sentences[:2])
    seconds: dict[str, list[float]] = {key: [] for key in paths}
    others: dict[str, list[float]] = {key: [] for key in paths}
    order = list(paths)
    for i in range(rounds):
        for key in order if i % 2 == 0 else order[::-1]:
            with _CpuShare() as share:
                t0 = time.perf_counter()
                outputs = paths[key](sentences)
                seconds[key].append(round(time.perf_counter() - t0, 3))
            others[key].append(round(share.others, 2))
            assert len(outputs) == len(sentences) and all(isinstance(o, str) for o in outputs)
        print(
            f"  round {i + 1}/{rounds}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in seconds.items()),
            flush=True,
        )
    return seconds, others


def bench_translation(
    model_dir: Path, sentences: list[str], new_tokens: int, rounds: int, backend: str | None
) -> dict[str, Any]:
    """The targets' rows: tsum's default path against transformers batched fp32 and against raw
    CTranslate2 (Argos' configuration), same sentences, interleaved passes, median of per-round ratios."""
    from translate_sum.engines.ct2.convert import convert_model
    from translate_sum.engines.hf import MarianTranslator
    from translate_sum.engines.hub import ResolvedModel
    from translate_sum.engines.registry import make_translator

    print("translation (opus-mt-en-zh shape), interleaved:", flush=True)
    fixed = {"num_beams": 4, "min_new_tokens": new_tokens, "max_new_tokens": new_tokens}
    spec = _spec("zh", model_dir, generation=fixed)
    batch_tokens = _shipped_config().batch_tokens
    # tsum's own path: the shipped models.toml's settings for zh, with this model and fixed lengths.
    shipped = _shipped_config().translators["zh"]
    backend = backend or shipped.backend
    tsum_spec = dataclasses.replace(
        spec, backend=backend, quantize=shipped.quantize, vocabulary_map=shipped.vocabulary_map
    )
    tsum = make_translator(tsum_spec, ResolvedModel(tsum_spec, tsum_spec.path, None), "cpu", batch_tokens)
    hf_spec = dataclasses.replace(spec, backend="transformers")
    hf = MarianTranslator(hf_spec, ResolvedModel(hf_spec, hf_spec.path, None), "cpu", batch_tokens)
    ct2_spec = dataclasses.replace(spec, backend="ctranslate2")
    raw = RawCt2(
        convert_model(ResolvedModel(ct2_spec, ct2_spec.path, None), "int8"),
        model_dir,
        ">>cmn_Hans<<",
        new_tokens,
    )
    lengths = {"tsum": _record_lengths(tsum), "transformers": _record_lengths(hf), "raw_ct2": raw.lengths}
    expected = {
        "tsum": _expected_length(tsum, new_tokens),
        "transformers": new_tokens,
        "raw_ct2": new_tokens - 1,
    }
    seconds, others = interleaved(
        {"tsum": tsum.translate, "transformers": hf.translate, "raw_ct2": raw.translate}, sentences, rounds
    )
    for key, found in lengths.items():
        _check_lengths(key, found, expected[key], len(sentences) * rounds)
    labels = {
        "tsum": f"tsum: make_translator, backend={backend}"
        + (" (models.toml)" if backend == shipped.backend else ""),
        "transformers": "transformers fp32, tsum batches",
        "raw_ct2": "raw CTranslate2 int8, beam 4, full vocabulary (Argos)",
    }
    rows: dict[str, Any] = {
        key: {
            "label": labels[key],
            "passes": seconds[key],
            "others_cpu": others[key],
            "sentences_per_s": round(len(sentences) / statistics.median(seconds[key]), 3),
            "tokens_out": expected[key],
        }
        for key in seconds
    }
    rows["tsum"]["settings"] = tsum.generation_settings()
    vnni = cpu().vnni_in_force
    rows["vs_transformers"] = {
        **dataclasses.asdict(paired_ratio(seconds["tsum"], seconds["transformers"])),
        "target": TARGETS["translation_vs_transformers_vnni" if vnni else "translation_vs_transformers"],
        "why": "int8 with VNNI (avx512_vnni/avx_vnni in /proc/cpuinfo flags, not capped)"
        if vnni
        else "no VNNI in force: every CPU's target",
    }
    rows["vs_raw_ct2"] = {
        **dataclasses.asdict(paired_ratio(seconds["tsum"], seconds["raw_ct2"])),
        "target": TARGETS["translation_vs_raw_ct2"],
    }
    print(flush=True)
    return rows


def bench_variants(model_dir: Path, sentences: list[str], new_tokens: int, quick: bool) -> dict[str, Any]:
    """Other translation paths, for context: best of ``REPEAT`` passes each, one path after another
    (not interleaved, so their ratios carry the host's drift; the targets use bench_translation)."""
    from translate_sum.engines.ct2 import Ct2Translator
    from translate_sum.engines.ct2.convert import convert_model, converted_dir
    from translate_sum.engines.hf import MarianTranslator, quantize_linear_int8
    from translate_sum.engines.hub import ResolvedModel

    print("translation variants (opus-mt-en-zh shape; best of passes, not interleaved):", flush=True)
    fixed = {"num_beams": 4, "min_new_tokens": new_tokens, "max_new_tokens": new_tokens}
    greedy = {**fixed, "num_beams": 1}
    spec = _spec("zh", model_dir, generation=fixed)
    resolved = ResolvedModel(spec, spec.path, None)
    batch_tokens = _shipped_config().batch_tokens
    rows: dict[str, Any] = {}

    # (a) one sentence per call of tsum's own MarianTranslator.translate: the real generate path.
    hf = MarianTranslator(dataclasses.replace(spec, backend="transformers"), resolved, "cpu", batch_tokens)
    lengths = _record_lengths(hf)
    rows["naive"] = _timed_per_sentence(
        "(a) transformers fp32, one sentence at a time", hf.translate, sentences
    )
    _check_lengths("(a)", lengths, new_tokens, len(sentences))
    rows["batched_fp32"] = _timed_engine("(b) transformers fp32, tsum batches", hf, sentences, new_tokens)
    if not quick:
        hf_greedy = MarianTranslator(
            dataclasses.replace(spec, backend="transformers", generation=greedy),
            resolved,
            "cpu",
            batch_tokens,
        )
        rows["batched_fp32_greedy"] = _timed_engine(
            "    transformers fp32, tsum batches, greedy", hf_greedy, sentences, new_tokens
        )
        del hf_greedy
    hf.model = quantize_linear_int8(hf.model)
    rows["batched_int8_dynamic"] = _timed_engine(
        "    transformers + dynamic int8 (Linear)", hf, sentences, new_tokens
    )
    del hf

    ct2_spec = dataclasses.replace(spec, backend="ctranslate2")
    ct2_resolved = ResolvedModel(ct2_spec, ct2_spec.path, None)
    shutil.rmtree(converted_dir(ct2_resolved, "int8"), ignore_errors=True)  # time a first conversion
    t0 = time.perf_counter()
    target = convert_model(ct2_resolved, "int8")
    rows["ct2_conversion_s"] = round(time.perf_counter() - t0, 1)
    rows["ct2_model_mb"] = round((target / "model.bin").stat().st_size / 2**20, 1)
    print(
        f"  CTranslate2 int8 conversion (first use only, in a child process): {rows['ct2_conversion_s']} s, "
        f"model.bin {rows['ct2_model_mb']} MB",
        flush=True,
    )
    variants = [("int8", False, fixed, "ct2_int8_full_vocab"), ("int8", True, fixed, "ct2_int8")]
    if not quick:
        variants += [("float32", True, fixed, "ct2_float32"), ("int8", True, greedy, "ct2_int8_greedy")]
    for compute_type, vmap, generation, key in variants:
        ct2 = Ct2Translator(
            dataclasses.replace(ct2_spec, vocabulary_map=vmap, generation=generation),
            ct2_resolved,
            "cpu",
            batch_tokens,
            compute_type=compute_type,
        )
        resolved_type = ct2.model.compute_type  # int8 → int8_float32 on a CPU: one and the same
        mapped = ct2.describe()["vocabulary_map"]
        label = (
            f"    CTranslate2 {compute_type} ({resolved_type}), "
            + (
                f"vocabulary map {mapped['pieces']:,}/{mapped['vocabulary']:,}"
                if mapped
                else "full vocabulary"
            )
            + (", greedy" if generation is greedy else "")
        )
        rows[key] = _timed_engine(label, ct2, sentences, new_tokens)
        del ct2

    print(flush=True)
    return rows


# --- summary ----------------------------------------------------------------------------------------


def bench_summary(model_dir: Path, new_tokens: int, backend: str | None) -> dict[str, Any]:
    """(i) transformers fp32, (ii) transformers + dynamic int8, (iii) tsum's default path: make_summarizer
    with the shipped models.toml's summarizer (CTranslate2 int8), this model and a fixed output length."""
    from translate_sum.engines.ct2.convert import converted_dir
    from translate_sum.engines.hf import TransformersSummarizer
    from translate_sum.engines.hub import ResolvedModel
    from translate_sum.engines.registry import make_summarizer

    print("summary (distilbart-cnn-12-6 shape):", flush=True)
    sentences = seed_article()
    fixed = {"num_beams": 4, "min_new_tokens": new_tokens, "max_new_tokens": new_tokens}
    # ctranslate2 checks that the tokenizer lists as many tokens as the model has rows (the real
    # distilbart's do; the fixture's 800-token BPE does not): every path uses the padded view
    # (common.with_full_vocabulary, which build_all hands out).
    rows: dict[str, Any] = {"stock_converter": _stock_converter(model_dir)}

    def resolve(spec):
        return ResolvedModel(spec, spec.path, None)

    shipped = _shipped_config().summarizer
    default_model = dataclasses.replace(
        shipped.model,
        model=None,
        revision=None,
        path=model_dir.resolve(),
        generation=fixed,
        backend=backend or shipped.model.backend,
    )
    default_spec = dataclasses.replace(shipped, model=default_model)
    shutil.rmtree(
        converted_dir(resolve(default_model), "int8"), ignore_errors=True
    )  # time a first conversion

    def transformers(quantize: bool) -> TransformersSummarizer:
        spec = _spec("summarizer", model_dir, generation=fixed, quantize=quantize, backend="transformers")
        return TransformersSummarizer(spec, resolve(spec), "cpu")

    paths: list[tuple[str, str, Callable[[], Any]]] = [
        ("fp32", "(i) transformers fp32", lambda: transformers(False)),
        ("int8_dynamic", "(ii) transformers + dynamic int8 (Linear)", lambda: transformers(True)),
        (
            "tsum_default",
            f"(iii) tsum: make_summarizer, backend={default_model.backend}"
            + (" (models.toml)" if default_model.backend == shipped.model.backend else ""),
            lambda: make_summarizer(default_spec, resolve, "cpu"),
        ),
    ]
    for key, label, load in paths:
        t0 = time.perf_counter()
        summarizer = load()
        load_s = round(time.perf_counter() - t0, 1)
        if key == "fp32":
            rows["input_tokens"] = len(summarizer.tokenizer(" ".join(sentences))["input_ids"])
            rows["chunks"] = len(summarizer.chunk(sentences))
            print(
                f"  article: {len(sentences)} sentences, {rows['input_tokens']} tokens, "
                f"{rows['chunks']} chunk(s)",
                flush=True,
            )
        lengths = _record_lengths(summarizer)
        summarizer.summarize(sentences[:1])  # warm-up
        seconds, times, summary, others = _best_of(lambda s=summarizer: s.summarize(sentences), REPEAT)
        assert isinstance(summary, list) and all(
            isinstance(x, str) for x in summary
        )  # random weights: any text
        _check_lengths(label, lengths, _expected_length(summarizer, new_tokens), 1 + REPEAT)
        tokens = {
            "tokens_out": lengths[-1],
            "tokens_out_note": "CTranslate2: <s> included, forced </s> not generated"
            if hasattr(summarizer.model, "translate_batch")
            else "new tokens, <s> and </s> included",
        }
        rows[key] = {
            "label": label,
            "seconds": seconds,
            "passes": times,
            "others_cpu": others,
            "load_s": load_s,
            "engine": type(summarizer).__name__,
            "settings": summarizer.generation_settings(),
            **tokens,
        }
        if hasattr(summarizer, "model") and hasattr(summarizer.model, "compute_type"):
            rows[key]["compute_type"] = summarizer.model.compute_type
        print(
            f"  {label:<62} {seconds:8.2f} s  (passes {times} s; others' CPU {others}; {tokens['tokens_out']} "
            f"tokens out; load {load_s} s)",
            flush=True,
        )
        del summarizer
    print(f"  stock ctranslate2 converter on BART: {rows['stock_converter']}\n", flush=True)
    return rows


def _stock_converter(model_dir: Path) -> str:
    """Whether ctranslate2's stock converter handles BART under this transformers (tsum patches it)."""
    import ctranslate2

    upstream = Path(tempfile.mkdtemp(prefix="ct2-upstream-"))
    try:
        ctranslate2.converters.TransformersConverter(str(model_dir)).convert(
            str(upstream / "m"), quantization="int8"
        )
        return "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not handled
        return f"fails: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        shutil.rmtree(upstream, ignore_errors=True)


# --- the daily cron case ----------------------------------------------------------------------------

_TIME_LINE = re.compile(
    r"time: start-up (?P<start_up>[\d.]+) s, loading models (?P<loading>[\d.]+) s \((?P<loads>\d+) loads?\), "
    r"work (?P<work>[\d.]+) s"
)


def bench_cron(
    models: dict[str, Path],
    workdir: Path,
    new_tokens: int,
    summary_tokens: int,
    backend: str | None,
    processed: int,
) -> dict[str, Any]:
    """One new article added to a folder processed before, converted models cached: `tsum all` as a
    daily cron job runs it. Wall time and peak RSS of the command, and the split tsum reports in its
    closing line (start-up from its first import, model loading, work); the rest of the wall time is
    the interpreter's start and exit. The folder: the two seeds and ``processed`` generated releases."""
    from corpus import write_corpus

    root = workdir / "cron"
    shutil.rmtree(root, ignore_errors=True)
    articles = root / "articles"
    shutil.copytree(REPO / "seeds", articles)
    releases = write_corpus(articles, processed + 1, seed=21, glossary=False)
    new = max(releases, key=lambda path: path.stat().st_size)  # the longest arrives later: a full release
    older = [path for path in releases if path != new]
    held = root / new.name
    new.rename(held)  # the article that arrives later
    config, backends = _tsum_config(root / "models.toml", models, new_tokens, summary_tokens, backend)
    env = {"TSUM_CACHE": str(root / "cache")}
    argv = [
        sys.executable,
        "-m",
        "translate_sum",
        "all",
        "--input",
        str(articles),
        "--output",
        str(root / "out"),
    ]
    argv += ["--config", str(config), "--device", "cpu"]
    print(f"daily cron case (backends {backends}): processing {len(older) + 2} articles first", flush=True)
    setup = _child(argv, root / "setup.log", env)  # converts the models into the cache, writes all
    if setup["returncode"] != 0:
        raise SystemExit(f"the first `tsum all` failed: see {root / 'setup.log'}")
    held.rename(new)
    load = load_average()
    with _CpuShare() as share:
        run = _child(argv, root / "cron.log", env)
    log = (root / "cron.log").read_text(encoding="utf-8", errors="replace")
    written = f"1 written, {len(older) + 2} up to date, 0 failed"
    if run["returncode"] != 0 or written not in log:
        raise SystemExit(
            f"the cron run did not write exactly the new article (expected {written!r}):\n{log[-800:]}"
        )
    split = _TIME_LINE.search(log)
    assert split, f"no time line in {root / 'cron.log'}"
    parts = {key: float(value) for key, value in split.groupdict().items()}
    parts["loads"] = int(parts["loads"])
    parts["interpreter"] = round(run["seconds"] - parts["start_up"] - parts["loading"] - parts["work"], 2)
    result = {
        **run,
        **parts,
        "sentences": len(_sentences_of(new)),
        "others_cpu": round(share.others, 2),
        "load_before": load,
        "load_after": load_average(),
        "backends": backends,
    }
    print(
        f"  one new article ({result['sentences']} sentences): {run['seconds']:.2f} s, peak RSS "
        f"{run['peak_rss_mb']:.0f} MB; start-up {parts['start_up']:.2f} s, loading {parts['loads']} models "
        f"{parts['loading']:.2f} s, work {parts['work']:.2f} s, interpreter start and exit "
        f"{parts['interpreter']:.2f} s (others' CPU {result['others_cpu']}; load {load})\n",
        flush=True,
    )
    return result


def _sentences_of(path: Path) -> list[str]:
    from translate_sum.segment import split_sentences

    return split_sentences(path.read_text(encoding="utf-8"))


# --- a whole `tsum all` run -------------------------------------------------------------------------


def bench_tsum_all(
    models: dict[str, Path], workdir: Path, new_tokens: int, summary_tokens: int, backend: str | None
) -> dict[str, Any]:
    """Peak RSS and wall time of `tsum all` over the seeds with the three real-shape models.

    The generated models.toml takes every model's backend and quantize setting from the shipped
    models.toml (or ``--backend``), with ``path =`` the built models and fixed output lengths. The
    first run starts from an empty CTranslate2 cache, so it includes the one-time conversions; the
    second (``--force``) finds them cached, as every later run does; the third changes nothing.
    """
    config, backends = _tsum_config(workdir / "models.toml", models, new_tokens, summary_tokens, backend)
    print(f"tsum all (three real-shape models; backends {backends}):", flush=True)
    articles = workdir / "seeds"
    shutil.rmtree(articles, ignore_errors=True)
    shutil.copytree(REPO / "seeds", articles)
    output = workdir / "out"
    base = [
        sys.executable,
        "-m",
        "translate_sum",
        "all",
        "--input",
        str(articles),
        "--output",
        str(output),
        "--config",
        str(config),
        "--device",
        "cpu",
        "--quiet",
    ]
    cache = workdir / "cache-tsum-all"
    shutil.rmtree(cache, ignore_errors=True)
    rows: dict[str, Any] = {"backends": backends}
    for key, argv in (("first_run", [*base, "--force"]), ("forced_run", [*base, "--force"]), ("rerun", base)):
        _wait_for_quiet()
        with _CpuShare() as share:
            run = _child(argv, workdir / f"{key}.log", {"TSUM_CACHE": str(cache)})
        run["others_cpu"] = round(share.others, 2)
        rows[key] = run
        if run["returncode"] != 0:
            tail = (workdir / f"{key}.log").read_text(encoding="utf-8", errors="replace")[-800:]
            print(
                f"  SKIPPED: `tsum all` exited {run['returncode']}; its output ends:\n{tail}\n"
                "  (re-run this benchmark once the pipeline runs end to end)",
                flush=True,
            )
            rows["skipped"] = f"tsum all exited {run['returncode']}"
            return rows
        print(
            f"  {key:<12} {run['seconds']:7.1f} s   peak RSS {run['peak_rss_mb']:7.0f} MB   "
            f"(others' CPU {run['others_cpu']})",
            flush=True,
        )
    rows["engines"] = _engines(output)
    rows.update(_memory_probes(models, workdir))
    print(flush=True)
    return rows


def _tsum_config(
    path: Path, models: dict[str, Path], new_tokens: int, summary_tokens: int, backend: str | None
) -> tuple[Path, dict[str, str]]:
    """models.toml for `tsum all`: the built models with every model's backend and quantize setting
    from the shipped models.toml (or ``backend``), fixed output lengths, the shipped batch_tokens."""
    shipped = _shipped_config()
    specs = {
        "summarizer": shipped.summarizer.model,
        **{lang: shipped.translators[lang] for lang in ("zh", "ru")},
    }
    engines = {role: (backend or spec.backend, spec.quantize) for role, spec in specs.items()}
    write_config(
        path,
        models,
        new_tokens,
        summary_tokens,
        engines,
        extra=f"\n[run]\nbatch_tokens = {shipped.batch_tokens}\n",
    )
    return path, {role: engine for role, (engine, _) in engines.items()}


def _child(argv: list[str], log: Path, env: dict[str, str]) -> dict[str, Any]:
    """``common.measure`` with this checkout first on the child's path."""
    path = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
    return measure(argv, log, {**env, "PYTHONPATH": path})


def _engines(output: Path) -> dict[str, str]:
    """What the run's manifests say each model ran on: a check that the shipped backends were used."""
    found: dict[str, str] = {}
    for manifest in sorted(output.glob("*/manifest.json")):
        for role, info in json.loads(manifest.read_text(encoding="utf-8")).get("models", {}).items():
            engine = info.get("backend", "?")
            engine += (
                f" {info['compute_type']}"
                if "compute_type" in info
                else f", quantized={info.get('quantized')}"
            )
            found.setdefault(role, engine)
    print(f"  engines per the manifests: {found}", flush=True)
    return found


# The one-time CTranslate2 conversion of distilbart alone, in a fresh process and an empty cache:
# argv[1] the model folder. It explains the first run's peak.
_CONVERT = """
import sys
from pathlib import Path
from translate_sum.config import ModelSpec
from translate_sum.engines.hub import ResolvedModel
from translate_sum.engines.ct2.convert import convert_model
spec = ModelSpec(role="summarizer", path=Path(sys.argv[1]))
convert_model(ResolvedModel(spec, spec.path, None), "int8")  # in a child process of its own
"""

# The transformers backend's summarizer for comparison: distilbart loaded and quantised in place, as
# TransformersSummarizer does with quantize = true. argv[1] is the model folder.
_QUANTIZE = """
import sys
from pathlib import Path
from translate_sum.config import ModelSpec
from translate_sum.engines.hub import ResolvedModel
from translate_sum.engines.hf import TransformersSummarizer
spec = ModelSpec(role="summarizer", path=Path(sys.argv[1]), backend="transformers", quantize=True)
assert TransformersSummarizer(spec, ResolvedModel(spec, spec.path, None), "cpu").quantized
"""


def _memory_probes(models: dict[str, Path], workdir: Path) -> dict[str, Any]:
    """Peak RSS of single pieces, each a process of its own: where `tsum all`'s peaks come from."""
    bart = models["distilbart-cnn-12-6"]
    probe_cache = workdir / "cache-probe"
    shutil.rmtree(probe_cache, ignore_errors=True)
    probes = {
        "convert_distilbart": [sys.executable, "-c", _CONVERT, str(bart)],
        "transformers_summarizer_int8": [sys.executable, "-c", _QUANTIZE, str(bart)],
    }
    rows: dict[str, Any] = {}
    for key, argv in probes.items():
        run = _child(argv, workdir / f"{key}.log", {"TSUM_CACHE": str(probe_cache)})
        rows[key] = run
        state = "" if run["returncode"] == 0 else f"  (FAILED, exit {run['returncode']}; see {key}.log)"
        print(
            f"  {key:<28} {run['seconds']:7.1f} s   peak RSS {run['peak_rss_mb']:7.0f} MB{state}", flush=True
        )
    shutil.rmtree(probe_cache, ignore_errors=True)
    return rows


# --- report -----------------------------------------------------------------------------------------


def print_report(results: dict[str, Any]) -> None:
    """The measured tables, in Markdown, and which targets are met."""
    tr, su, run = results.get("translation"), results.get("summary"), results["tsum_all"]
    va, cron = results.get("variants"), results.get("cron")
    checks: list[tuple[str, float, float, str]] = []
    print(
        f"# {results['machine']}; load average before {results['load_before']}, after {results['load_after']}; "
        f"{results['total_s']} s in all"
    )
    print(f"# {results['isa']}\n# {results['cpu']}\n")
    shape = f"{results['sentences']} sentences, beam 4, {results['new_tokens']} new tokens each"
    if tr:
        print(f"## Translation, opus-mt-en-zh shape ({shape}), {results['rounds']} interleaved rounds\n")
        print("| path | sentences/s (median pass) | passes s | others' CPU per pass | tokens out |")
        print("|---|---:|---|---|---:|")
        for key in ("tsum", "transformers", "raw_ct2"):
            row = tr[key]
            print(
                f"| {row['label']} | {row['sentences_per_s']:.2f} | {', '.join(f'{x:.2f}' for x in row['passes'])} "
                f"| {', '.join(f'{x:.2f}' for x in row['others_cpu'])} | {row['tokens_out']} |"
            )
        print("\n| tsum's speed-up | median of per-round ratios | min | IQR | max | target |")
        print("|---|---:|---:|---|---:|---:|")
        for key, name in (
            ("vs_transformers", "× transformers batched fp32"),
            ("vs_raw_ct2", "× raw CTranslate2 int8 (Argos)"),
        ):
            r = tr[key]
            print(
                f"| {name} | {r['median']:.2f} | {r['low']:.2f} | {r['q1']:.2f}–{r['q3']:.2f} | {r['high']:.2f} | "
                f"≥ {r['target']} |"
            )
        print(
            f"\ntarget against transformers: ≥ {tr['vs_transformers']['target']} ({tr['vs_transformers']['why']})"
        )
        print(
            "tokens out: checked for every output of every pass (transformers: new tokens with the forced EOS; "
            "CTranslate2: one fewer, it does not generate the forced EOS).\n"
        )
        for key, name in (
            ("vs_transformers", "transformers batched fp32"),
            ("vs_raw_ct2", "raw CTranslate2 int8 beam 4, full vocabulary"),
        ):
            checks.append(
                (
                    f"translation ≥ {tr[key]['target']}× {name} (median, interleaved)",
                    tr[key]["median"],
                    tr[key]["target"],
                    ">=",
                )
            )
    if va:
        naive, batched = va["naive"]["sentences_per_s"], va["batched_fp32"]["sentences_per_s"]
        print(
            f"## Other translation paths, for context ({shape}; best of {results['repeat']}, not interleaved)\n"
        )
        print("| path | sentences/s | × naive | × batched fp32 | tokens out | others' CPU |")
        print("|---|---:|---:|---:|---:|---|")
        for row in va.values():
            if isinstance(row, dict) and "sentences_per_s" in row:
                rate = row["sentences_per_s"]
                print(
                    f"| {row['label'].strip()} | {rate:.2f} | {rate / naive:.1f} | {rate / batched:.2f} | "
                    f"{row.get('tokens_out', results['new_tokens'])} | {row['others_cpu']} |"
                )
        print(
            f"\nCTranslate2 int8 conversion, first use only: {va['ct2_conversion_s']} s "
            f"(model.bin {va['ct2_model_mb']} MB)\n"
        )
        if tr:
            checks.append(
                (
                    "translation ≥ 12× naive loop (tsum's median pass above; not interleaved)",
                    tr["tsum"]["sentences_per_s"] / naive,
                    TARGETS["translation_vs_naive"],
                    ">=",
                )
            )
    if cron:
        print(f"## Daily cron case: one new article ({cron['sentences']} segments) in a processed folder\n")
        print(
            "| wall s | peak RSS MB | start-up s | loading models s | work s | interpreter start + exit s | load |"
        )
        print("|---:|---:|---:|---:|---:|---:|---|")
        print(
            f"| {cron['seconds']:.2f} | {cron['peak_rss_mb']:.0f} | {cron['start_up']:.2f} | "
            f"{cron['loading']:.2f} ({cron['loads']} models) | {cron['work']:.2f} | {cron['interpreter']:.2f} | "
            f"{cron['load_before']} |"
        )
        print(
            "\n`python -m translate_sum all` in a child process, converted models cached, backends "
            f"{cron['backends']}; the split is tsum's closing line (start-up counted from its first import). "
            "No target (issue 21 asks for the figures).\n"
        )
    if su:
        fp32, default = su["fp32"]["seconds"], su["tsum_default"]["seconds"]
        print(
            f"## Summary, distilbart-cnn-12-6 shape ({su['input_tokens']}-token article, {su['chunks']} chunk, "
            f"beam 4, {results['summary_tokens']} new tokens)\n"
        )
        print("| path | seconds | × fp32 | tokens out | load s |")
        print("|---|---:|---:|---:|---:|")
        for key in ("fp32", "int8_dynamic", "tsum_default"):
            row = su[key]
            engine = f" ({row['compute_type']})" if "compute_type" in row else ""
            print(
                f"| {row['label']}{engine} | {row['seconds']:.2f} | {fp32 / row['seconds']:.2f} | "
                f"{row['tokens_out']} | {row['load_s']:.1f} |"
            )
        print(
            "\ntokens out: transformers counts <s> and the forced </s>; CTranslate2 <s> but not the forced EOS, "
            "which it does not generate. load s: (iii)'s includes the one-time conversion."
        )
        print(f"stock ctranslate2 converter on BART: {su['stock_converter']}\n")
        checks.append(("summary ≥ 3× fp32", fp32 / default, TARGETS["summary_vs_fp32"], ">="))
    if "first_run" in run and "skipped" not in run:
        print(f"## `tsum all` over the seeds, backends {run['backends']}\n")
        print("| run | seconds | peak RSS MB | all processes at once MB | largest process MB |")
        print("|---|---:|---:|---:|---:|")
        for key, name in (
            ("first_run", "first, --force, empty CT2 cache (converts all three models)"),
            ("forced_run", "again, --force (converted models cached)"),
            ("rerun", "again, no --force (nothing changed)"),
        ):
            r = run[key]
            print(
                f"| {name} | {r['seconds']:.2f} | {r['peak_rss_mb']:.0f} | {r['process_tree_mb']:.0f} | "
                f"{r['largest_process_mb']:.0f} |"
            )
        print(
            "\npeak RSS: the larger of the process tree's summed RSS (tsum and its conversion children, "
            "sampled every 20 ms) and the largest single process's ru_maxrss."
        )
        print(f"\nengines per the manifests: {run.get('engines')}\n")
        print("Single processes, for where the peaks come from:\n")
        print("| process | seconds | peak RSS MB |")
        print("|---|---:|---:|")
        for key, name in (
            ("convert_distilbart", "CT2 int8 conversion of distilbart alone"),
            ("transformers_summarizer_int8", "transformers summarizer: load + quantize_dynamic in place"),
        ):
            if key in run:
                print(f"| {name} | {run[key]['seconds']:.2f} | {run[key]['peak_rss_mb']:.0f} |")
        print()
        checks.append(
            (
                "peak RSS, first run (with conversions) ≤ 1.5 GB",
                run["first_run"]["peak_rss_mb"] / 1024,
                TARGETS["peak_rss_gb"],
                "<=",
            )
        )
        checks.append(
            (
                "peak RSS, later runs (all models loaded) ≤ 1.5 GB",
                run["forced_run"]["peak_rss_mb"] / 1024,
                TARGETS["peak_rss_gb"],
                "<=",
            )
        )
        checks.append(
            ("re-run on unchanged articles < 1 s", run["rerun"]["seconds"], TARGETS["rerun_s"], "<")
        )

    print("## Targets\n")
    print("| target | measured | met |")
    print("|---|---:|---|")
    for name, value, limit, op in checks:
        met = value >= limit if op == ">=" else value <= limit if op == "<=" else value < limit
        unit = " GB" if "RSS" in name else " s" if "re-run" in name else "×"
        print(f"| {name} | {value:.2f}{unit} | {'yes' if met else 'NO'} |")
    if "skipped" in run:
        print(f"| peak RSS, re-run | not measured: {run['skipped']} | — |")


def _cpu_line() -> str:
    """The CPU and the instruction sets each library runs with here (caps from the environment applied)."""
    import torch

    from translate_sum.engines.ct2.runtime import cpu_settings

    settings = cpu_settings()
    caps = {k: os.environ[k] for k in AVX2_CAPS if k in os.environ}
    emulated = (
        f"; AVX2 EMULATED by capping the ISA on this {settings['cpu_isa']} CPU ({', '.join(f'{k}={v}' for k, v in caps.items())})"
        if caps
        else ""
    )
    return (
        f"CPU: {settings['cpu']} ({settings['cpu_isa']}); ISA in force: CTranslate2 GEMM (oneDNN) {settings['gemm']}, "
        f"CTranslate2 kernels {settings['ct2_kernels']}, PyTorch {torch.backends.cpu.get_cpu_capability()}; "
        f"CTranslate2 env {settings['env'] or '{}'}{emulated}"
    )


def _quiet() -> None:
    import logging

    warnings.filterwarnings("ignore")
    logging.getLogger("transformers").setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass


if __name__ == "__main__":
    sys.exit(main())
