"""tsum: summarise English press releases and translate them into Chinese and Russian, with glossary control."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
