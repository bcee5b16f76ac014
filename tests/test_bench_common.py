"""The benchmarks' pure helpers: the interleaved-pass ratio and the CPU's instruction sets."""

from __future__ import annotations

import sys

import pytest
from tiny_models import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

from common import cpu, paired_ratio  # noqa: E402


def test_ratio_is_the_median_of_per_pair_ratios_so_drift_cancels():
    # The host slows down 3× halfway: every pair keeps B 4× slower than A, so the ratio stays 4
    # (a pass of A from the quick half against one of B from the slow half would say 12).
    ratio = paired_ratio([1.0, 1.0, 3.0, 3.0], [4.0, 4.0, 12.0, 12.0])
    assert (ratio.median, ratio.low, ratio.high, ratio.pairs) == (4.0, 4.0, 4.0, 4)
    assert paired_ratio([3.0, 1.0], [4.0, 12.0]).median != 4.0  # pairs matter: not sorted apart


def test_ratio_reports_its_spread():
    ratio = paired_ratio([1.0] * 5, [2.0, 3.0, 4.0, 5.0, 10.0])
    assert ratio.median == 4.0 and (ratio.low, ratio.high) == (2.0, 10.0)
    assert (ratio.q1, ratio.q3) == (3.0, 5.0)  # inclusive quartiles of 2, 3, 4, 5, 10
    assert "4.00×" in str(ratio) and "IQR 3.00–5.00" in str(ratio)
    assert paired_ratio([2.0], [3.0]).median == 1.5  # one pair: no spread, still a ratio
    with pytest.raises(ValueError):
        paired_ratio([1.0, 1.0], [2.0])  # unpaired passes
    with pytest.raises(ValueError):
        paired_ratio([], [])


CPUINFO = """processor\t: 0
model name\t: {model}
flags\t\t: fpu sse2 avx {flags}
"""


@pytest.mark.parametrize(
    "model, flags, isa, vnni",
    [
        ("AMD EPYC 9B14", "avx2 avx512f avx512_vnni", "AVX-512 VNNI", True),
        ("Intel(R) Core(TM) i7-12700", "avx2 avx_vnni", "AVX2 VNNI", True),
        ("Intel(R) Xeon(R) CPU E5-2690 v4", "avx2", "AVX2", False),
        ("Intel(R) Xeon(R) Gold 6148", "avx2 avx512f", "AVX-512", False),
    ],
)
def test_cpu_names_the_isa_and_vnni_from_the_flags(monkeypatch, model, flags, isa, vnni):
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    found = cpu(CPUINFO.format(model=model, flags=flags))
    assert (found.model, found.isa, found.vnni, found.vnni_in_force) == (model, isa, vnni, vnni)
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")  # --emulate-avx2: VNNI present but not used
    assert not cpu(CPUINFO.format(model=model, flags=flags)).vnni_in_force


def test_the_cron_benchmark_reads_the_time_line_tsum_all_prints():
    from bench_speed import _TIME_LINE

    from translate_sum.cli.run import _time_line
    from translate_sum.pipeline import RunReport

    report = RunReport(models_loaded=["summarizer", "zh", "ru"], seconds=5.5, load_seconds=2.25)
    found = _TIME_LINE.search(_time_line(1.25, report))
    assert found and found.groupdict() == {
        "start_up": "1.25",
        "loading": "2.25",
        "loads": "3",
        "work": "3.25",
    }
    ray = RunReport(models_loaded=["summarizer"], seconds=5.5, load_seconds=None)  # loads in the actors
    assert _time_line(1.0, ray) == (
        "time: start-up 1.00 s, loading models in the Ray actors (not measured here), work 5.50 s"
    )
