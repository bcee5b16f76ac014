"""The cache of model outputs: what a model gave for an exact input, reused by later runs and other workers.

Machine output only, keyed by the model's fingerprint and the exact text it was given; the translation
memory (``translate_sum.memory``, human-approved text) is separate. ``store`` owns the SQLite file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from translate_sum.cache.store import Cached, OutputStore, Stats, entry_key
from translate_sum.config import CacheSettings
from translate_sum.paths import cache_root

__all__ = [
    "CACHE_FILE_ENV",
    "CACHE_NAME",
    "CacheUse",
    "Cached",
    "OutputStore",
    "Stats",
    "cache_path",
    "entry_key",
]

#: The file in tsum's cache folder (``TSUM_CACHE``, default ``~/.cache/tsum``).
CACHE_NAME = "outputs.sqlite"
#: Environment variable naming the file itself, e.g. on a disk every node of a cluster sees.
CACHE_FILE_ENV = "TSUM_OUTPUT_CACHE"


def cache_path() -> Path:
    """Where the cache of model outputs lives: ``$TSUM_OUTPUT_CACHE``, else ``outputs.sqlite`` in tsum's
    cache folder; shared by every output folder and run."""
    explicit = os.environ.get(CACHE_FILE_ENV)
    return Path(explicit).expanduser() if explicit else cache_root() / CACHE_NAME


@dataclass(frozen=True)
class CacheUse:
    """How a run uses the cache (plain data: it travels in the plan to workers, which open the file)."""

    path: Path
    max_mb: float = CacheSettings.max_mb
    read: bool = True  # False (--fresh): every output is computed again, and stored
    write: bool = True

    @staticmethod
    def for_run(settings: CacheSettings, *, enabled: bool = True, fresh: bool = False) -> CacheUse | None:
        """The cache a run uses: None with ``--no-cache``; ``--fresh`` recomputes and stores."""
        if not enabled:
            return None
        return CacheUse(cache_path(), settings.max_mb, read=not fresh)

    def open(self) -> OutputStore:
        return OutputStore(self.path, int(self.max_mb * 1024 * 1024))
