"""One normalisation for matching text: glossary sources, glossary targets and translation-memory keys.

``fold`` makes the invisible and look-alike differences that copy-paste and models introduce disappear:
Unicode NFC; format characters (category Cf: soft hyphen, zero-width space/joiner/non-joiner, word
joiner, BOM) removed; every Unicode space separator (category Zs, and the line and paragraph
separators Zl/Zp) made a plain space; full-width ASCII
(``ＵＮＥＳＣＯ``, ``！``) made ASCII; the look-alike name dots (katakana ``・``/``･``, Greek ano teleia,
word-separator middle dot) made ``·``. The result keeps a map back to the original text, so a span
found in the folded text is the exact span of the original characters (for highlighting and for
putting terms back).
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

NAME_DOT = "\u00b7"


def _tables() -> tuple[dict[int, str], str]:
    """The one-for-one replacements (``str.translate`` table) and the name dots, from Unicode data."""
    dots = {
        chr(c)
        for c in range(0x10000)
        if "MIDDLE DOT" in unicodedata.name(chr(c), "") and unicodedata.category(chr(c))[0] in "PS"
    }
    # Dots Chinese text uses as a name separator by mistake (bullet, hyphenation point, operators).
    dots = (dots | set("\u2022\u2027\u2219\u22c5")) - {NAME_DOT}
    table: dict[int, str] = {}
    for code in range(0x80, 0x10000):
        char = chr(code)
        if unicodedata.category(char) in ("Zs", "Zl", "Zp"):  # line/paragraph separators too
            table[code] = " "
        elif char in dots:
            table[code] = NAME_DOT
        elif unicodedata.decomposition(char).startswith("<wide>"):
            table[code] = unicodedata.normalize("NFKC", char)
        elif len(nfc := unicodedata.normalize("NFC", char)) == 1 and nfc != char:
            # NFC singletons: Greek ano teleia (to the name dot), ohm sign, CJK compatibility ideographs.
            table[code] = nfc
    return table, "".join(sorted(dots))


_TABLE, _DOTS = _tables()
# Runs that change length: a character followed by combining marks (NFD) or format characters, or a
# format character alone; each is folded as a whole.
_RUN = regex.compile(r"\P{M}?[\p{M}\p{Cf}]+")
_CF = regex.compile(r"[\p{Cf}]")


def _fold_run(run: str) -> str:
    kept = "".join(c for c in run if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFC", kept).translate(_TABLE)


@dataclass(frozen=True)
class Folded:
    """``text`` folded for matching; ``span`` maps a span of it back to the original characters.

    ``runs`` are the places where lengths differ: (folded start, folded length, original start,
    original length); every folded character of a run maps to the whole original run.
    """

    text: str
    original: str
    runs: tuple[tuple[int, int, int, int], ...] = ()

    def _locate(self, i: int) -> tuple[int, int]:
        """The original start and end of folded character ``i``."""
        k = bisect.bisect_right(self.runs, (i, float("inf"))) - 1
        if k >= 0:
            fs, fl, os_, ol = self.runs[k]
            if i < fs + fl:
                return os_, os_ + ol
            shift = (os_ + ol) - (fs + fl)
        else:
            shift = 0
        return i + shift, i + shift + 1

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]``: from its first character's run to its last one's end."""
        if not self.runs:
            return start, end
        first = self._locate(start)[0] if start < len(self.text) else len(self.original)
        if end <= start:
            return first, first
        return first, self._locate(end - 1)[1]


@lru_cache(maxsize=8192)
def fold(text: str) -> Folded:
    """``text`` folded for matching (see the module docstring), with its map back."""
    if text.isascii():
        return Folded(text, text)
    if unicodedata.is_normalized("NFC", text) and not _CF.search(text):
        return Folded(text.translate(_TABLE), text)  # one for one: offsets unchanged
    out: list[str] = []
    runs: list[tuple[int, int, int, int]] = []
    last = length = 0
    for m in _RUN.finditer(text):
        plain = text[last : m.start()].translate(_TABLE)
        out.append(plain)
        length += len(plain)
        folded = _fold_run(m.group())
        runs.append((length, len(folded), m.start(), m.end() - m.start()))
        out.append(folded)
        length += len(folded)
        last = m.end()
    out.append(text[last:].translate(_TABLE))
    return Folded("".join(out), text, tuple(runs))


def fold_text(text: str) -> str:
    """Only the folded text of ``fold``."""
    return fold(text).text
