"""The translation memory: reviewed sentences kept in SQLite (the store and its keys), and XLIFF/TMX
import and export (``cat``). Serving its entries is the pipeline's (``pipeline.stages.serve_memory``)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from translate_sum.memory.keys import normalize_key
from translate_sum.memory.store import NEAR_THRESHOLD, Entry, MemorySnapshot, MemoryStore, NearMatch

__all__ = [
    "DEFAULT_NAME",
    "NEAR_THRESHOLD",
    "Entry",
    "MemorySnapshot",
    "MemoryStore",
    "NearMatch",
    "memory_path",
    "normalize_key",
    "open_memory",
]

#: The memory's file name in the output folder, unless models.toml ``[run] memory`` names another.
DEFAULT_NAME = "tm.sqlite"


def memory_path(configured: Path | None, output_dir: Path) -> Path:
    """``[run] memory`` from models.toml when set, else ``<output>/tm.sqlite``."""
    return configured if configured is not None else Path(output_dir) / DEFAULT_NAME


def open_memory(path: Path) -> AbstractContextManager[MemoryStore | None]:
    """The memory at ``path`` as a context manager, or ``None`` while nothing was ever reviewed.

    A run only reads the memory, so it never creates the file: the review server and
    ``tsum memory import`` do.
    """
    return MemoryStore(path) if Path(path).exists() else nullcontext(None)
