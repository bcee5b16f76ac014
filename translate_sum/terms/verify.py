"""Counting glossary terms in a translation: each source occurrence needs an occurrence of its own."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from translate_sum.terms import russian
from translate_sum.terms.glossary import WORD_CHARS, GlossaryEntry, english_regex

Span = tuple[int, int]

_DOTS = str.maketrans("•・‧∙⋅．", "······")


def _renderings(entry: GlossaryEntry, lang: str, text: str) -> list[tuple[Span, bool]]:
    if lang == "ru" and not entry.keep:
        return russian.renderings(entry, text)
    return [(span, True) for span in target_spans(entry, lang, text)]


def target_spans(entry: GlossaryEntry, lang: str, text: str) -> list[Span]:
    """Every place where ``entry``'s fixed ``lang`` form stands in ``text`` (Russian: or an inflection).

    Forms that begin or end with a Latin or Cyrillic letter or a digit match only as whole words there
    ("G20" is not in "G200"); a form ending in punctuation is not followed by the same mark ("C++").
    Kept English terms match with their exact capitalisation.
    """
    if entry.keep:
        found = [m.span() for m in english_regex(entry, exact_case=True).finditer(text)]
        # A form ending in a mark is not followed by the same mark ("C++" is not in "C+++").
        return [(s, e) for s, e in found if text[e - 1].isalnum() or text[e : e + 1] != text[e - 1]]
    if lang == "ru":
        return russian.spans(entry, text)
    # Chinese name separators come in several look-alike dots; same length, so spans still line up.
    pattern = _bounded(entry.target(lang).translate(_DOTS))
    return [(m.start(1), m.end(1)) for m in pattern.finditer(text.translate(_DOTS))]


@lru_cache(maxsize=4096)
def _bounded(form: str) -> re.Pattern[str]:
    return re.compile(f"(?=({_edge(form[:1], 'before')}{re.escape(form)}{_edge(form[-1:], 'after')}))")


def _edge(char: str, side: str) -> str:
    """No word character (nor, after punctuation, the same mark) next to a Latin/digit/punctuation edge."""
    if not char or _is_cjk(char) or char.isspace():
        return ""
    banned = f"{WORD_CHARS}" if re.match(f"[{WORD_CHARS}]", char) else f"{WORD_CHARS}{re.escape(char)}"
    return f"(?<![{banned}])" if side == "before" else f"(?![{banned}])"


def _is_cjk(char: str) -> bool:
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef"


def allocate(
    needed: Counter[GlossaryEntry],
    text: str,
    lang: str,
    entries: Iterable[GlossaryEntry],
    void: Iterable[Span] = (),
    inserted: Iterable[tuple[int, int, GlossaryEntry]] = (),
) -> dict[GlossaryEntry, list[Span]]:
    """The occurrences of each needed entry in ``text``, at most ``needed[entry]`` each, none shared.

    Longer forms are placed first, and a span counts for one occurrence of one entry only. A form inside
    a longer known form of another entry (秘书长 inside 副秘书长, "Генерального секретаря" inside
    "заместитель Генерального секретаря") does not count, unless that longer form is itself needed and
    still unplaced, or is made up entirely of needed forms (上合组织 + 秘书长 for "SCO's
    Secretary-General"). ``void`` spans (repeated placeholders) do not count, but block; ``inserted``
    spans hold exactly the form tsum put there for that entry (a Russian one in the case it chose).
    """
    void, inserted = set(void), [c for c in inserted if c[1] > c[0]]
    candidates = list(inserted)
    # A Russian form in a case its context rules out does not count, but still shows where that term is.
    wrong_case: set[tuple[int, int, GlossaryEntry]] = set()
    for entry in _relevant(entries, needed, text, lang):
        for (s, e), fits in _renderings(entry, lang, text):
            if e > s:
                candidates.append((s, e, entry))
                if not fits:
                    wrong_case.add((s, e, entry))
    wrong_case -= set(inserted)
    candidates = list(dict.fromkeys(candidates))
    candidates.sort(key=lambda c: (c[0] - c[1], c[0], c[2].line, c[2].en))
    placed: dict[GlossaryEntry, list[Span]] = {entry: [] for entry in needed}
    taken: list[Span] = []
    for start, end, entry in candidates:
        if any(start < e and s < end for s, e in taken):
            continue
        if (start, end) in void:  # a repeat: not an occurrence of its own, but what lies inside is its
            taken.append((start, end))
            continue
        if (start, end, entry) in wrong_case:
            taken.append((start, end))
        elif entry in needed and len(placed[entry]) < needed[entry]:
            placed[entry].append((start, end))
            taken.append((start, end))
        elif not _tiled(start, end, entry, [c for c in candidates if c not in wrong_case], needed, text):
            taken.append((start, end))  # a rendering of something else: what lies inside does not count
    return {entry: sorted(spans) for entry, spans in placed.items()}


def _relevant(entries, needed, text, lang) -> list[GlossaryEntry]:
    folded = text.casefold()
    out = list(needed)
    for entry in entries:
        if entry in needed:
            continue
        form = entry.target(lang) if entry.keep or lang != "ru" else entry.ru.strip('«»"')
        key = form.split()[0] if form.split() else form
        key = key[: max(1, min(3, len(key) - 1))] if lang == "ru" and not entry.keep else key
        if key and key.casefold().replace("ё", "е") in folded.replace("ё", "е"):
            out.append(entry)
    return out


def _tiled(start: int, end: int, entry: GlossaryEntry, candidates, needed, text: str) -> bool:
    """Whether every letter of ``text[start:end]`` lies in a form of some other needed entry."""
    covered = [False] * (end - start)
    for s, e, other in candidates:
        if other is not entry and other in needed and start <= s and e <= end and (s, e) != (start, end):
            covered[s - start : e - start] = [True] * (e - s)
    return all(c or not (ch.isalnum()) for c, ch in zip(covered, text[start:end], strict=True))
