"""Normalised look-up keys: the same sentence typed with other quotes or spacing finds the same entry."""

from __future__ import annotations

import re
import unicodedata

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
    """``text`` in Unicode NFC with quote styles folded and runs of white space as one space, trimmed.

    Case, digits and other punctuation are kept: they can change a translation.
    """
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    # Zero-width characters and the BOM are invisible to a reader and must not split an entry in two.
    text = text.replace("\u200b", "").replace("\u200c", "").replace("\u200d", "").replace("\ufeff", "")
    return _SPACE.sub(" ", text).strip()
