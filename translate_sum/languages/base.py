"""The ``Language`` record: everything tsum's checks and outputs need to know about one language."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: ISO 15924 scripts written right to left (Arabic, Hebrew, Syriac, Thaana, N'Ko, Adlam, ...).
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Mand", "Samr", "Rohg"})

#: Letters and digits a glossary form must not touch in a target text (the English side's rule): Latin,
#: Latin-1/Extended and Cyrillic. CJK characters are not among them, so a Latin name glued to Chinese
#: text still counts.
WORD_CHARS = "0-9A-Za-z_\u00c0-\u024f\u0400-\u04ff"

#: Number scale words of English (the source language): "2 million" may stand for 2,000,000.
EN_SCALES = (("thousand", 10**3), ("million", 10**6), ("mln", 10**6), ("billion", 10**9),
             ("bn", 10**9), ("trillion", 10**12))  # fmt: skip
EN_SCALE = re.compile(r"\s*(" + "|".join(w for w, _ in EN_SCALES) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Language:
    """What one language needs, as data (one record per language; see ``languages.get``).

    ``code`` is tsum's code (the ``[translators.xx]`` key, the files' ``.xx.`` part); ``tag`` the BCP 47
    tag written into TMX/XLIFF/HTML ``lang`` attributes; ``script`` its ISO 15924 script; ``direction``
    "ltr" or "rtl"; ``joiner`` what stands between two sentences ("" in Chinese). ``native_letters``
    matches a letter of the language's own script (None for Latin-script languages): a target with
    none of them, or mostly Latin letters, "looks untranslated". ``length_band`` is the (low, high)
    ratio of target to source characters outside which a length flag is raised. ``scales`` (number
    words and their factors) with ``scale_regex`` (group 1: the word) read "2 млн" as 2,000,000.
    ``char_tokens``: loops are counted per character (Chinese), over up to ``max_loop`` tokens.
    ``word_chars``: letters a fixed glossary form must not touch in this language (a regex class body).
    ``native_acronym`` matches an acronym in the language's own letters (Russian ООН). ``morphology``
    names the inflection hooks in ``translate_sum.terms`` ("russian") that find and insert inflected
    glossary forms; None: a fixed form counts only as written. ``proclitics`` may be written glued to
    the front of a fixed form (Arabic و "and").
    """

    code: str
    tag: str
    name: str
    script: str
    direction: str = "ltr"
    joiner: str = " "
    summary_heading: str = "Summary"
    native_letters: re.Pattern[str] | None = None
    script_name: str = ""
    length_band: tuple[float, float] = (0.3, 3.0)
    scales: tuple[tuple[str, int], ...] = EN_SCALES
    scale_regex: re.Pattern[str] = EN_SCALE
    char_tokens: bool = False
    max_loop: int = 8
    word_chars: str = WORD_CHARS
    native_acronym: re.Pattern[str] | None = None
    morphology: str | None = None
    proclitics: tuple[str, ...] = ()

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left."""
        return self.direction == "rtl"

    @property
    def spaced(self) -> bool:
        """Whether words and sentences are separated by spaces (not in Chinese or Japanese)."""
        return self.joiner != ""

    def scale(self, word: str) -> int:
        """The factor of the scale word ``word`` as ``scale_regex`` found it."""
        return dict(self.scales)[word.lower()]

    def join(self, parts) -> str:
        """``parts`` joined as running text of this language."""
        return self.joiner.join(parts)
