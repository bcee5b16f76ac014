"""The translation memory: reviewed sentences kept in SQLite and served again on every run."""

from __future__ import annotations

from pathlib import Path

from translate_sum.memory.apply import Served, apply_memory, is_memory_current, memory_digest
from translate_sum.memory.keys import normalize_key
from translate_sum.memory.store import NEAR_THRESHOLD, Entry, MemoryStore, NearMatch

__all__ = [
    "DEFAULT_NAME",
    "NEAR_THRESHOLD",
    "Entry",
    "MemoryStore",
    "NearMatch",
    "Served",
    "apply_memory",
    "is_memory_current",
    "memory_digest",
    "memory_path",
    "normalize_key",
]

#: The memory's file name in the output folder, unless models.toml ``[run] memory`` names another.
DEFAULT_NAME = "tm.sqlite"


def memory_path(configured: Path | None, output_dir: Path) -> Path:
    """``[run] memory`` from models.toml when set, else ``<output>/tm.sqlite``."""
    return configured if configured is not None else Path(output_dir) / DEFAULT_NAME
