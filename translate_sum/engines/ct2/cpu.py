"""The CPU CTranslate2 runs on: its model and instruction sets, and the GEMM settings tsum chooses for it."""

from __future__ import annotations

import logging
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger("translate_sum")

# Instruction sets from best to worst, as /proc/cpuinfo flags name what each needs.
_ISAS = (
    ("AVX-512 VNNI", ("avx512f", "avx512bw", "avx512_vnni")),
    ("AVX-512", ("avx512f", "avx512bw")),
    ("AVX2", ("avx2", "fma")),
    ("AVX", ("avx",)),
    ("SSE4.1", ("sse4_1",)),
)
# The caps oneDNN (ONEDNN_MAX_CPU_ISA) and CTranslate2 (CT2_FORCE_CPU_ISA) accept, as our ISA names.
_CAPS = {
    "AVX512_CORE_VNNI": "AVX-512 VNNI",
    "AVX512_CORE_BF16": "AVX-512 VNNI",
    "AVX512_CORE_AMX": "AVX-512 VNNI",
    "AVX512_CORE": "AVX-512",
    "AVX512": "AVX-512",
    "AVX2_VNNI": "AVX2",
    "AVX2_VNNI_2": "AVX2",
    "AVX2": "AVX2",
    "AVX": "AVX",
    "SSE41": "SSE4.1",
    "GENERIC": "SSE4.1",
}
_ORDER = [name for name, _ in _ISAS]


@dataclass(frozen=True)
class CpuInfo:
    """What the CPU is and which vector instructions it has."""

    model: str
    vendor: str
    flags: frozenset[str]

    @property
    def is_intel(self) -> bool:
        return self.vendor == "GenuineIntel"

    @property
    def best_isa(self) -> str:
        """The widest instruction set the CPU has, e.g. "AVX-512 VNNI" or "AVX2"."""
        for name, needs in _ISAS:
            if all(flag in self.flags for flag in needs):
                return name
        return "none of SSE4.1 / AVX"


def cpu_info(cpuinfo: Path = Path("/proc/cpuinfo")) -> CpuInfo:
    """The CPU's model name, vendor and flags (Linux /proc/cpuinfo; elsewhere what platform knows)."""
    fields: dict[str, str] = {}
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, sep, value = line.partition(":")
            if not sep:
                if fields:  # the first processor block is enough
                    break
                continue
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return CpuInfo(
        model=fields.get("model name") or platform.processor() or platform.machine(),
        vendor=fields.get("vendor_id", ""),
        flags=frozenset(fields.get("flags", "").split()),
    )


def _capped(best: str, cap: str | None) -> str:
    capped = _CAPS.get((cap or "").strip().upper())
    if capped is None or best not in _ORDER:
        return best
    return _ORDER[max(_ORDER.index(best), _ORDER.index(capped))]


def isa_in_force(info: CpuInfo | None = None) -> dict[str, str]:
    """The instruction sets CTranslate2 will use here, with the environment's caps applied.

    ``gemm``: oneDNN's matrix products (int8 and float32 GEMM on non-Intel CPUs), capped by
    ``ONEDNN_MAX_CPU_ISA``; ``ct2_kernels``: CTranslate2's own kernels, which pick AVX-512 only on
    Intel CPUs, capped by ``CT2_FORCE_CPU_ISA``.
    """
    info = info or cpu_info()
    best = info.best_isa
    kernels = best if info.is_intel else ("AVX2" if best.startswith("AVX-512") else best)
    kernels = kernels.replace(" VNNI", "")
    forced = os.environ.get("CT2_FORCE_CPU_ISA")
    onednn_cap = os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA")
    return {
        "cpu": info.model,
        "cpu_isa": best,
        "gemm": _capped(best, onednn_cap),
        "ct2_kernels": _CAPS.get(forced.strip().upper(), forced) if forced else kernels,
    }


def configure_ct2_environment(info: CpuInfo | None = None) -> dict[str, Any]:
    """Set CTranslate2's CPU settings for this CPU before ``import ctranslate2`` reads them.

    Only a variable the user has not set is touched. Chosen by measurement (benchmarks/README.md):
    Intel MKL only on Intel CPUs: on AMD it was 5x slower than oneDNN, so ``CT2_USE_MKL=0`` there.
    Packed GEMM (``CT2_PACKED_GEMM``) applies to MKL only and is CTranslate2's default, left alone.
    Returns what is in force, and what tsum set, for the manifest.
    """
    info = info or cpu_info()
    set_by_tsum: dict[str, str] = {}
    if not info.is_intel and "CT2_USE_MKL" not in os.environ:
        os.environ["CT2_USE_MKL"] = set_by_tsum["CT2_USE_MKL"] = "0"
    elif not info.is_intel and os.environ["CT2_USE_MKL"].strip().lower() in ("1", "true", "on", "yes"):
        logger.warning(
            "CT2_USE_MKL=%s on a %s CPU: Intel MKL ran 5x slower than oneDNN on AMD; unset it",
            os.environ["CT2_USE_MKL"],
            info.vendor or "non-Intel",
        )
    return {
        **isa_in_force(info),
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith(("CT2_", "ONEDNN_MAX"))},
        "set_by_tsum": set_by_tsum,
    }
