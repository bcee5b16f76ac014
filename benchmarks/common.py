"""What the benchmarks share: the real-shape random models, the machine line, child-process
measurement and the interleaved-pass ratio.

Every benchmark builds its models with ``build`` and prints ``machine_line`` (CPU model, instruction
sets, load average), so a figure never travels without the machine it was measured on.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO, REPO / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# The published models' shapes (config.json of each hub repo).
SHAPES: dict[str, dict[str, Any]] = {
    "opus-mt-en-zh": {
        "kind": "marian",
        "lang": "zh",
        "d_model": 512,
        "layers": 6,
        "heads": 8,
        "ffn": 2048,
        "vocab_size": 65001,
        "max_length": 512,
        "save_bin": True,
        # Pieces of the real target.spm that the vocabulary map keeps (the measurement on the
        # real opus-mt-en-zh: 30,000 of 65,001); the built target.spm is padded with filler pieces to it.
        "target_pieces": 30000,
    },
    "opus-mt-en-ru": {
        "kind": "marian",
        "lang": "ru",
        "d_model": 512,
        "layers": 6,
        "heads": 8,
        "ffn": 2048,
        "vocab_size": 62518,
        "max_length": 512,
        "target_pieces": 30000,  # assumed like en-zh's; not measured on the real en-ru
    },
    "distilbart-cnn-12-6": {
        "kind": "bart",
        "d_model": 1024,
        "encoder_layers": 12,
        "decoder_layers": 6,
        "heads": 16,
        "ffn": 4096,
        "vocab_size": 50264,
        "min_length": 56,
        "max_length": 142,
    },
}


# --- models -----------------------------------------------------------------------------------------


def build(name: str, root: Path) -> Path:
    """The random-weight model ``name`` with its real shape, built once under ``root``."""
    from tiny_models import build_bart, build_marian

    shape = dict(SHAPES[name])
    directory = root / name
    stamp = directory / ".bench-shape.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == shape:
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    t0 = time.perf_counter()
    kind = shape.pop("kind")
    if kind == "marian":
        lang = shape.pop("lang")
        target_pieces = shape.pop("target_pieces")
        build_marian(directory, lang, **shape)
        _pad_target_spm(directory, target_pieces)
    else:
        build_bart(directory, **shape)
    stamp.write_text(json.dumps(SHAPES[name]))
    print(f"built {name} in {time.perf_counter() - t0:.0f} s", flush=True)
    return directory


def build_all(root: Path) -> dict[str, Path]:
    """Every model of SHAPES under ``root``; distilbart as its full-vocabulary view (see below)."""
    models = {name: build(name, root) for name in SHAPES}
    models["distilbart-cnn-12-6"] = with_full_vocabulary(models["distilbart-cnn-12-6"])
    return models


def _pad_target_spm(directory: Path, pieces: int) -> None:
    """Add the vocabulary's filler pieces to target.spm until it has ``pieces`` pieces.

    The target.spm trained on the seeds has a few hundred pieces, so its vocabulary map would keep
    1% of the vocabulary where the real model's keeps about half: timings would flatter the map.
    The fillers get the lowest score, so no text is cut into them.
    """
    from sentencepiece import sentencepiece_model_pb2

    model = sentencepiece_model_pb2.ModelProto()
    model.ParseFromString((directory / "target.spm").read_bytes())
    have = {p.piece for p in model.pieces}
    vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
    fillers = (p for p in vocab if p.startswith("▁filler") and p not in have)
    lowest = min(p.score for p in model.pieces)
    while len(model.pieces) < pieces:
        model.pieces.add(piece=next(fillers), score=lowest - 1.0)
    (directory / "target.spm").write_bytes(model.SerializeToString())


def with_full_vocabulary(model_dir: Path) -> Path:
    """A view of the BART fixture whose tokenizer lists as many tokens as the model has rows.

    The fixture's BPE knows 800 tokens while the model has distilbart's 50,264 rows; ctranslate2
    checks that the two agree (the real distilbart's do). Filler tokens that no text produces make
    them agree without changing the tokenisation of any input.
    """
    from transformers import AutoConfig, BartTokenizer

    view = model_dir.with_name(model_dir.name + "-full-vocab")
    if (view / ".complete").is_file():
        return view
    rows = AutoConfig.from_pretrained(str(model_dir)).vocab_size
    shutil.rmtree(view, ignore_errors=True)
    view.mkdir(parents=True)
    for name in ("config.json", "generation_config.json", "model.safetensors", "merges.txt"):
        (view / name).symlink_to(model_dir / name)
    vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))
    vocab.update({f"<filler{i}>": i for i in range(len(vocab), rows)})
    (view / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = BartTokenizer(
        vocab=str(view / "vocab.json"), merges=str(view / "merges.txt"), model_max_length=1024
    )
    tokenizer.save_pretrained(view)
    (view / ".complete").touch()
    return view


def write_config(
    path: Path,
    models: dict[str, Path],
    new_tokens: int,
    summary_tokens: int,
    backends: dict[str, tuple[str, bool]] | None = None,
    extra: str = "",
) -> Path:
    """A models.toml for ``tsum all`` with the real-shape ``models`` (distilbart: its full-vocabulary
    view) and fixed output lengths, beam 4. ``backends``: role -> (backend, quantize) written into each
    model's table [default: none written, so models.toml's defaults apply]; ``extra``: appended TOML."""

    def engine(role: str) -> str:
        if not backends:
            return ""
        backend, quantize = backends[role]
        return f'backend = "{backend}"\nquantize = {str(quantize).lower()}\n'

    fixed = f"num_beams = 4\nmin_new_tokens = {new_tokens}\nmax_new_tokens = {new_tokens}\n"
    path.write_text(
        f"""# written by benchmarks/common.py: real-shape random-weight models, fixed output lengths
[summarizer]
engine = "abstractive"
path = "{models["distilbart-cnn-12-6"]}"
{engine("summarizer")}[summarizer.generation]
num_beams = 4
min_new_tokens = {summary_tokens}
max_new_tokens = {summary_tokens}

[translators.zh]
path = "{models["opus-mt-en-zh"]}"
target_token = ">>cmn_Hans<<"
{engine("zh")}[translators.zh.generation]
{fixed}
[translators.ru]
path = "{models["opus-mt-en-ru"]}"
{engine("ru")}[translators.ru.generation]
{fixed}{extra}""",
        encoding="utf-8",
    )
    return path


# --- the machine ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cpu:
    """The CPU's model name and the instruction sets its flags (/proc/cpuinfo) list."""

    model: str
    avx2: bool
    avx512: bool
    vnni: bool  # avx512_vnni or avx_vnni: int8 dot products in one instruction

    @property
    def isa(self) -> str:
        widest = "AVX-512" if self.avx512 else "AVX2" if self.avx2 else "no AVX2"
        return widest + (" VNNI" if self.vnni else "")

    @property
    def vnni_in_force(self) -> bool:
        """VNNI present and not capped away (ONEDNN_MAX_CPU_ISA=AVX2, as --emulate-avx2 sets)."""
        cap = os.environ.get("ONEDNN_MAX_CPU_ISA", "").upper()
        return self.vnni and cap not in ("AVX2", "AVX", "SSE41")


def cpu(cpuinfo: str | None = None) -> Cpu:
    """This machine's CPU (or the one ``cpuinfo``, a /proc/cpuinfo text, describes)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            cpuinfo = ""
    model, flags = platform.processor() or "unknown CPU", set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            model = value.strip()
        elif key.strip() == "flags":
            flags = set(value.split())
            break
    return Cpu(
        model=model,
        avx2="avx2" in flags,
        avx512="avx512f" in flags,
        vnni=bool(flags & {"avx512_vnni", "avx_vnni"}),
    )


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_line() -> str:
    """CPU model, ISA, cores and load average: printed with every figure."""
    c = cpu()
    return f"CPU: {c.model}, {c.isa}, {os.cpu_count()} cores; load average {load_average()}"


def versions() -> str:
    import ctranslate2
    import torch
    import transformers

    return (
        f"{platform.machine()}, torch {torch.__version__}, transformers {transformers.__version__}, "
        f"ctranslate2 {ctranslate2.__version__}"
    )


# --- interleaved passes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """How many times faster A is than B, from interleaved passes (A, B, A, B, …)."""

    median: float
    low: float  # the smallest per-pair ratio
    high: float  # the largest
    q1: float  # quartiles of the per-pair ratios (IQR = q3 - q1)
    q3: float
    pairs: int

    def __str__(self) -> str:
        return (
            f"{self.median:.2f}× (pairs {self.pairs}; min {self.low:.2f}, IQR {self.q1:.2f}–{self.q3:.2f}, "
            f"max {self.high:.2f})"
        )


def paired_ratio(a_seconds: list[float], b_seconds: list[float]) -> Ratio:
    """The median of per-pair ratios b/a (A's speed-up over B) and their spread.

    Pass i of A and pass i of B ran back to back, so a host that slows down for a while slows both
    of a pair: the ratio of each pair cancels the drift that a ratio of two separate best-ofs keeps.
    """
    if len(a_seconds) != len(b_seconds) or not a_seconds:
        raise ValueError(
            f"need as many A passes as B passes, at least one: {len(a_seconds)}, {len(b_seconds)}"
        )
    if min(a_seconds) <= 0 or min(b_seconds) <= 0:
        raise ValueError("pass times must be positive")
    ratios = sorted(b / a for a, b in zip(a_seconds, b_seconds, strict=True))
    q1, q3 = (
        statistics.quantiles(ratios, n=4, method="inclusive")[::2] if len(ratios) > 1 else (ratios[0],) * 2
    )
    return Ratio(statistics.median(ratios), ratios[0], ratios[-1], q1, q3, len(ratios))


# --- a child process's wall time and peak memory ----------------------------------------------------

# Runs the command and reports its wall time and peak RSS. It is a separate small process because a
# child forked straight from a benchmark (gigabytes of models in memory) inherits the benchmark's
# RSS high-water mark through fork and exec, so its ru_maxrss would report ours, not its own.
_MEASURE = """
import json, os, resource, subprocess, sys, time

def tree_rss_kib(pid):
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (OSError, StopIteration, ValueError):
            pass
    return total

t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
tree = 0
while proc.poll() is None:
    tree = max(tree, tree_rss_kib(proc.pid))
    time.sleep(0.02)
seconds = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(json.dumps(
    {"returncode": proc.returncode, "seconds": seconds, "maxrss_kib": usage.ru_maxrss, "tree_kib": tree,
     "cpu_s": usage.ru_utime + usage.ru_stime}
))
"""


def measure(argv: list[str], log: Path, env: dict[str, str], cwd: Path | None = None) -> dict[str, Any]:
    """Run ``argv`` (stdout and stderr to ``log``) with ``env`` added to this environment: its exit
    status, wall time, CPU time and peak RSS (Linux ru_maxrss is in KiB).

    Peak RSS: the larger of the process tree's summed RSS (sampled every 20 ms) and the largest
    single process's ru_maxrss (RUSAGE_CHILDREN of a small wrapper process).
    """
    report = log.with_suffix(".json")
    with log.open("wb") as out:
        subprocess.run(
            [sys.executable, "-c", _MEASURE, str(report), *argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            cwd=cwd or log.parent,
            check=False,
        )
    measured = json.loads(report.read_text())
    single, tree = measured["maxrss_kib"] / 1024, measured["tree_kib"] / 1024
    return {
        "returncode": measured["returncode"],
        "seconds": round(measured["seconds"], 2),
        "cpu_s": round(measured["cpu_s"], 2),
        "peak_rss_mb": round(max(single, tree), 1),
        "largest_process_mb": round(single, 1),
        "process_tree_mb": round(tree, 1),
    }
