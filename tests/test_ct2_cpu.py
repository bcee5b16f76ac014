"""CPU detection for CTranslate2: model, instruction sets in force, and the settings tsum makes."""

from __future__ import annotations

import ctranslate2  # noqa: F401 - a required dependency: a broken install fails here, never skips
import pytest

from translate_sum.engines.ct2.cpu import CpuInfo, configure_ct2_environment, cpu_info, isa_in_force

EPYC_AVX2 = CpuInfo("AMD EPYC 7R13 Processor", "AuthenticAMD", frozenset(["sse4_1", "avx", "avx2", "fma"]))
EPYC_AVX512 = CpuInfo(
    "AMD EPYC",
    "AuthenticAMD",
    frozenset(["sse4_1", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni"]),
)
XEON = CpuInfo(
    "Intel(R) Xeon(R)", "GenuineIntel", frozenset(["sse4_1", "avx", "avx2", "fma", "avx512f", "avx512bw"])
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    # setenv first so that monkeypatch restores the real value (or absence) of what tsum sets.
    for name in ("CT2_USE_MKL", "CT2_FORCE_CPU_ISA", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_reads_model_vendor_and_flags(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7R13 Processor\n"
        "flags\t\t: fpu sse4_1 avx avx2 fma\n\nprocessor\t: 1\nmodel name\t: other\n",
        encoding="utf-8",
    )
    assert cpu_info(cpuinfo) == CpuInfo(EPYC_AVX2.model, EPYC_AVX2.vendor, EPYC_AVX2.flags | {"fpu"})


@pytest.mark.parametrize(
    ("info", "env", "expected"),
    [
        (EPYC_AVX2, {}, {"cpu_isa": "AVX2", "gemm": "AVX2", "ct2_kernels": "AVX2"}),
        # CTranslate2's own kernels use AVX-512 only on Intel; oneDNN's GEMM uses VNNI everywhere.
        (EPYC_AVX512, {}, {"cpu_isa": "AVX-512 VNNI", "gemm": "AVX-512 VNNI", "ct2_kernels": "AVX2"}),
        (XEON, {}, {"cpu_isa": "AVX-512", "gemm": "AVX-512", "ct2_kernels": "AVX-512"}),
        # The emulated AVX2 machine of the benchmark: both caps applied.
        (
            EPYC_AVX512,
            {"ONEDNN_MAX_CPU_ISA": "AVX2", "CT2_FORCE_CPU_ISA": "AVX2"},
            {"cpu_isa": "AVX-512 VNNI", "gemm": "AVX2", "ct2_kernels": "AVX2"},
        ),
        # A cap above what the CPU has changes nothing.
        (
            EPYC_AVX2,
            {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_VNNI"},
            {"cpu_isa": "AVX2", "gemm": "AVX2", "ct2_kernels": "AVX2"},
        ),
    ],
)
def test_isa_in_force(info, env, expected, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert isa_in_force(info) == {"cpu": info.model, **expected}


def test_mkl_is_turned_off_on_amd_unless_the_user_chose(monkeypatch, caplog):
    import os

    settings = configure_ct2_environment(EPYC_AVX2)
    assert os.environ["CT2_USE_MKL"] == "0" and settings["set_by_tsum"] == {"CT2_USE_MKL": "0"}
    assert settings["env"]["CT2_USE_MKL"] == "0"

    monkeypatch.setenv("CT2_USE_MKL", "1")  # the user's choice stands, with a warning
    with caplog.at_level("WARNING", logger="translate_sum"):
        settings = configure_ct2_environment(EPYC_AVX2)
    assert os.environ["CT2_USE_MKL"] == "1" and settings["set_by_tsum"] == {}
    assert "5x slower" in caplog.text


def test_intel_keeps_ctranslate2_defaults(monkeypatch):
    import os

    settings = configure_ct2_environment(XEON)
    assert "CT2_USE_MKL" not in os.environ and settings["set_by_tsum"] == {}
