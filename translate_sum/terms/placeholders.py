"""Placeholders that stand for glossary terms in a retry: choosing them, putting terms back, remnants.

Placeholders are short all-capital Latin tokens with a number (``ZX1``, ``ZX2``). SentencePiece
vocabularies of MarianMT models hold Latin capitals and digits on both sides (Chinese and Russian text
quotes brand names, codes and numbers), so the token survives encoding and decoding, and models copy
code-like tokens ("MX5", "A320") verbatim. Bracketed forms (``<T1>``, ``{1}``, ``⟦1⟧``, ``__T1__``)
decode as ``⁇`` (unknown) with vocabularies that lack those characters, and lower-case or word-like
tokens get translated or transliterated. The prefix is one that neither the sources nor the first
translations contain in any spelling, so a model does not produce it by itself.

A placeholder is put back only where it stands alone: spaces or a hyphen inside (``ZX 1``), full-width
forms, Cyrillic look-alike letters and other case are tolerated, but one glued to a letter or digit
(``ZX1а``, ``ZX1ZX1``) is left as it is, and any trace of the prefix left in a text is a remnant.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from translate_sum import languages
from translate_sum.terms.glossary import WORD_CHARS, TermMatch

# Prefixes tried in turn; the first that no source or first translation contains is used.
PREFIXES = ("ZX", "QZ", "XQ", "ZQX", "QXZ", "XZQ")
# Letters as models may write them back: full-width, or a Cyrillic look-alike (Х for X, З for Z).
_LOOKALIKE = {"Z": "ZzＺｚЗз", "X": "XxＸｘХх", "Q": "QqＱｑ"}
# Spaces, and invisible format characters, that a model may put inside or around a placeholder.
_SPACE = "[ \u00a0\u2009\u202f\u200b\u200c\u200d\u2060\u00ad\ufeff]"
_DIGIT = "[0-9０-９]"


@dataclass(frozen=True)
class Restored:
    """A placeholder put back: ``form`` now stands at ``text[start:end]``; ``note`` says what is unsure."""

    slot: int  # 1-based placeholder number
    start: int
    end: int
    form: str
    note: str | None = None
    repeated: bool = False  # the same placeholder came back more than once: this is a repeat


def choose_prefix(texts: list[str]) -> str:
    """A placeholder prefix that occurs in none of ``texts`` in any spelling tolerated on the way back."""
    for prefix in PREFIXES:
        if not any(_remnant_regex(prefix).search(t) for t in texts):
            return prefix
    n = 2
    while True:  # every listed prefix is in the texts: lengthen one until it is not
        prefix = "ZQX" + "Z" * n
        if not any(_remnant_regex(prefix).search(t) for t in texts):
            return prefix
        n += 1


def protect(source: str, occurrences: list[TermMatch], prefix: str) -> str:
    """``source`` with each of ``occurrences`` replaced by ``prefix`` and its number (1, 2, ...)."""
    out, last = [], 0
    for n, m in enumerate(sorted(occurrences, key=lambda m: m.start), start=1):
        out += [source[last : m.start], f"{prefix}{n}"]
        last = m.end
    return "".join(out) + source[last:]


def _letters(prefix: str) -> list[str]:
    return [f"[{re.escape(_LOOKALIKE.get(c, c + c.lower()))}]" for c in prefix]


@lru_cache(maxsize=64)
def placeholder_regex(prefix: str) -> re.Pattern[str]:
    """A standalone placeholder with ``prefix``, as models write it back; group ``n`` is its number."""
    letters = f"{_SPACE}?".join(_letters(prefix))
    edge = f"[{WORD_CHARS}０-９Ａ-Ｚａ-ｚ]"
    return re.compile(
        f"(?P<left>{_SPACE}?)(?<!{edge}){letters}{_SPACE}?-?{_SPACE}?(?P<n>{_DIGIT}{{1,3}})"
        f"(?!{edge})(?P<right>{_SPACE}?)"
    )


@lru_cache(maxsize=64)
def _remnant_regex(prefix: str) -> re.Pattern[str]:
    # The prefix letters side by side, anywhere and in any case (ZX1а, аZX, zx), or spaced out before a
    # digit (Z X 1): broad, for choosing a prefix that no text holds in any spelling.
    joined = "".join(_letters(prefix))
    spaced = f"{_SPACE}?".join(_letters(prefix))
    number = f"{_SPACE}?-?{_SPACE}?{_DIGIT}{{1,3}}"
    return re.compile(f"{joined}(?:{number})?|{spaced}{number}")


def remnants(text: str, prefix: str) -> list[str]:
    """Traces of ``prefix`` placeholders in ``text`` (after restoration: each is an error).

    Only shapes a placeholder leaves: the prefix with a number (``ZX1а``, ``аZX1``, ``Z X 1``, ``ЗХ1``),
    or its letters without one where at least one is Latin (``ZX``, ``zx``). Cyrillic look-alike letters
    without a number (``ЗХ``, "...зх..." inside a Russian word) are ordinary Russian, not a placeholder.
    """
    regex = _remnant_regex(prefix)
    if not regex.search(text):
        return []
    found = []
    for m in regex.finditer(text):
        trace = m.group()
        if not any(c.isdigit() for c in trace) and all(
            "\u0400" <= c <= "\u04ff" for c in trace if c.isalpha()
        ):
            continue
        found.append(trace)
    return found


def leftovers(text: str, source: str, prefix: str | None = None) -> list[str]:
    """Placeholder-like traces in a final ``text`` that its ``source`` does not hold: of ``prefix``, and
    of every prefix tsum may use (a model that writes one by itself is as wrong as one left over)."""
    found: list[str] = []
    for candidate in dict.fromkeys((*((prefix,) if prefix else ()), *PREFIXES)):
        if not remnants(source, candidate):
            found += [t for t in remnants(text, candidate) if t not in found]
    return found


def restore(
    text: str, slots: int, prefix: str, form_at: Callable[[int, str, str], tuple[str, str | None]], lang: str
) -> tuple[str, list[Restored]]:
    """Put a term back for every standalone placeholder numbered 1..``slots``.

    ``form_at(n, before, after)`` gives the form for placeholder ``n`` between the text ``before`` it
    and the model's text ``after`` it, and a note when that form is not certain. Placeholders with other numbers are dropped (a model's
    invention; the term they do not stand for is then missing, and counted so).
    """
    out: list[str] = []
    restored: list[Restored] = []
    seen: set[int] = set()
    last = 0
    length = 0
    for m in placeholder_regex(prefix).finditer(text):
        out.append(text[last : m.start()])
        length += m.start() - last
        last = m.end()
        n = int(unicodedata.normalize("NFKC", m.group("n")))
        before_text = "".join(out)
        if not 1 <= n <= slots:
            gap = " " if m.group("left") and m.group("right") else ""
            out.append(gap)
            length += len(gap)
            continue
        form, note = form_at(n, before_text + m.group("left"), text[m.end() :])
        left = _space(m.group("left"), before_text[-1:], form[:1], lang)
        right = _space(m.group("right"), form[-1:], text[m.end() :][:1], lang)
        start = length + len(left)
        restored.append(Restored(n, start, start + len(form), form, note, repeated=n in seen))
        seen.add(n)
        piece = left + form + right
        out.append(piece)
        length += len(piece)
    out.append(text[last:])
    return "".join(out), restored


def _space(space: str, left: str, right: str, lang: str) -> str:
    # Chinese (a language written without spaces) puts none between two of its characters; elsewhere keep
    # what the model wrote.
    if not languages.get(lang).spaced and _is_cjk(left) and _is_cjk(right):
        return ""
    return space


def _is_cjk(char: str) -> bool:
    return bool(char) and (
        "\u2e80" <= char <= "\u9fff"
        or "\uf900" <= char <= "\ufaff"
        or "\u3000" <= char <= "\u303f"
        or "\uff00" <= char <= "\uffef"
    )
