"""Where tsum keeps its own files between runs: one cache folder, shared by the engines and the pipeline."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming tsum's cache folder (converted models in its ``ct2/``, file hashes).
CACHE_ENV = "TSUM_CACHE"


def cache_root() -> Path:
    """tsum's cache folder: ``$TSUM_CACHE``, else ``$XDG_CACHE_HOME/tsum``, else ``~/.cache/tsum``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "tsum"
