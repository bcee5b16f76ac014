"""What a manifest records of a CTranslate2 model in use and the CPU settings it runs with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from translate_sum.engines.ct2.runtime import cpu_settings, import_ctranslate2


def ct2_describe(model_dir: Path, model, device: str) -> dict[str, Any]:
    """What a manifest records of a CTranslate2 model in use, and of the CPU settings it runs with."""
    info = {
        "ct2_model_dir": str(model_dir),
        "compute_type": model.compute_type,  # as resolved by CTranslate2: int8 -> int8_float32 on CPU
        "device": device,
        "ctranslate2_version": import_ctranslate2().__version__,
    }
    if device == "cpu":
        info["cpu"] = cpu_settings()
    return info
