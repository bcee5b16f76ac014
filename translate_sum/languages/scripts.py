"""Letters of a script as a regex class body, from the Unicode script property (``regex``'s ``\\p{sc=…}``)."""

from __future__ import annotations

import re
from functools import lru_cache

# ISO 15924 codes that name a script variant or a mix: the Unicode scripts their letters are in.
_MIXES = {"Hans": ("Hani",), "Hant": ("Hani",), "Jpan": ("Hira", "Kana", "Hani"), "Kore": ("Hang", "Hani")}


@lru_cache(maxsize=64)
def letters(script: str) -> str:
    """A character-class body (ranges, for ``re``) holding the letters and digits of ``script`` ("Arab")
    in the Basic Multilingual Plane; empty for a script Unicode does not know."""
    import regex

    try:
        pattern = regex.compile("|".join(rf"\p{{sc={s}}}" for s in _MIXES.get(script, (script,))))
    except regex.error:
        return ""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):  # the Basic Multilingual Plane: every script's letters in running text
        char = chr(code)
        if (char.isalnum() or char == "\u0640") and pattern.match(char):  # U+0640: the Arabic tatweel
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )
