"""Normalised look-up keys: the same sentence typed with other quotes or spacing finds the same entry."""

from __future__ import annotations

import re

from translate_sum.textnorm import fold_text

# Typographic quote styles folded to the ASCII ones, so "About “Weidong”" and 'About "Weidong"' meet.
_QUOTES = str.maketrans(
    {
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2033": '"', "\uff02": '"', "\u300c": '"', "\u300d": '"',
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\uff07": "'",
        "\u2039": "'", "\u203a": "'", "`": "'",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")


def normalize_key(text: str) -> str:
    """``text`` folded as the glossary matches it (``textnorm.fold``: NFC, no invisible format characters,
    any Unicode space, full-width ASCII), quote styles folded, runs of white space as one space, trimmed.

    Case, digits and other punctuation are kept: they can change a translation.
    """
    return _SPACE.sub(" ", fold_text(text).translate(_QUOTES)).strip()
