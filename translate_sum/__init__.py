"""tsum: summarize English press releases and translate them into Chinese and Russian, with glossary control."""

from __future__ import annotations

import time

#: When tsum was first imported: ``tsum all`` reports its start-up (imports, configuration) from here.
STARTED = time.perf_counter()

__version__ = "0.1.0"

__all__ = ["__version__"]
