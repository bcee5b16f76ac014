"""Counting glossary terms in a translation: each source occurrence needs an occurrence of its own."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import groupby

from translate_sum import languages
from translate_sum.terms.glossary import GlossaryEntry, english_regex, normalize
from translate_sum.terms.morphology import hooks
from translate_sum.textnorm import NAME_DOT, fold, fold_text

Span = tuple[int, int]


def _renderings(entry: GlossaryEntry, lang: str, text: str) -> list[tuple[Span, bool]]:
    morphology = hooks(lang)
    if morphology is not None and not entry.keep:
        return [(r.span, r.counts) for r in morphology.renderings(entry, text)]
    return [(span, True) for span in target_spans(entry, lang, text)]


def problems(entry: GlossaryEntry, lang: str, text: str) -> list[str]:
    """Why renderings of ``entry`` in ``text`` do not count (Russian case or capitals), for the flag."""
    morphology = hooks(lang)
    if morphology is None or entry.keep:
        return []
    return [r.note for r in morphology.renderings(entry, text) if not r.counts and r.note]


def target_spans(entry: GlossaryEntry, lang: str, text: str) -> list[Span]:
    """Every place where ``entry``'s fixed ``lang`` form stands in ``text`` (in a language with inflection
    hooks, such as Russian: or an inflection).

    Forms that begin or end with a letter or digit match only as whole words there ("G20" is not in
    "G200"; letters are Latin, Cyrillic and those of the language's own spaced script, as its registry
    record says; a proclitic it lists may be glued to the front, Arabic "و"); a form ending in
    punctuation is not followed by the same mark ("C++").
    Kept English terms match with their exact capitalisation, as the fixed form only (an alias does
    not count; see ``alias_spans``). Matching is on the folded text (``textnorm.fold``: invisible
    characters, NFD, full-width letters and look-alike name dots do not matter); spans are original.
    """
    folded = fold(text)
    norm = folded.text
    if entry.keep:
        norm = normalize(norm)
        found = [m.span() for m in english_regex(entry, exact_case=True, fixed_only=True).finditer(norm)]
        # A form ending in a mark is not followed by the same mark ("C++" is not in "C+++").
        found = [(s, e) for s, e in found if norm[e - 1].isalnum() or norm[e : e + 1] != norm[e - 1]]
    elif (morphology := hooks(lang)) is not None:
        return morphology.spans(entry, text)
    else:
        form = fold_text(entry.target(lang))
        if NAME_DOT in form:  # a full stop (full-width ． folds to it) used as the name separator
            norm = norm.replace(".", NAME_DOT)
        language = languages.get(lang)
        found = [
            (m.start(1), m.end(1))
            for m in _bounded(form, language.word_chars, language.proclitics).finditer(norm)
        ]
    return [folded.span(s, e) for s, e in found]


def alias_spans(entry: GlossaryEntry, lang: str, text: str) -> list[Span]:
    """Where an alias of a kept ``entry`` stands in ``text`` (in ``lang``) instead of its fixed form."""
    if not entry.keep or not entry.variants:
        return []
    folded = fold(text)
    norm = normalize(folded.text)
    fixed = set(target_spans(entry, lang, text))
    found = [folded.span(*m.span()) for m in english_regex(entry, exact_case=True).finditer(norm)]
    return [span for span in found if span not in fixed]


@lru_cache(maxsize=4096)
def _bounded(form: str, word_chars: str, proclitics: tuple[str, ...] = ()) -> re.Pattern[str]:
    before = _edge(form[:1], "before", word_chars)
    if before and proclitics and re.match(f"[{word_chars}]", form[:1]):
        # Or glued to a proclitic that itself starts a word ("وشنغهاي": and + Shanghai).
        glued = "".join(f"|(?<={re.escape(p)})(?<![{word_chars}]{re.escape(p)})" for p in proclitics)
        before = f"(?:{before}{glued})"
    return re.compile(f"(?=({before}{re.escape(form)}{_edge(form[-1:], 'after', word_chars)}))")


def _edge(char: str, side: str, word_chars: str) -> str:
    """No word character (nor, after punctuation, the same mark) next to a letter/digit/punctuation edge."""
    if not char or _is_cjk(char) or char.isspace():
        return ""
    banned = f"{word_chars}" if re.match(f"[{word_chars}]", char) else f"{word_chars}{re.escape(char)}"
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
    fitting = [c for c in candidates if c not in wrong_case]
    # Entries whose forms are identical (two English titles, one Chinese word) share the span's candidates:
    # it serves the first of them that still needs one, so both being present clears both.
    for (start, end), group in groupby(candidates, key=lambda c: (c[0], c[1])):
        at = [c[2] for c in group]
        if any(start < e and s < end for s, e in taken):
            continue
        if (start, end) in void:  # a repeat: not an occurrence of its own, but what lies inside is its
            taken.append((start, end))
            continue
        right = [e for e in at if (start, end, e) not in wrong_case]
        open_ = [e for e in right if e in needed and len(placed[e]) < needed[e]]
        if open_:
            placed[open_[0]].append((start, end))
            taken.append((start, end))
        elif len(right) < len(at) or not any(_tiled(start, end, e, fitting, needed, text) for e in at):
            taken.append(
                (start, end)
            )  # a wrong case, or a rendering of something else: blocks what is inside
    return {entry: sorted(spans) for entry, spans in placed.items()}


def _relevant(entries, needed, text, lang) -> list[GlossaryEntry]:
    folded = fold_text(text).casefold().replace("ё", "е")
    out = list(needed)
    for entry, key in _keys(entries, lang):
        if key and key in folded and entry not in needed:
            out.append(entry)
    return out


_KEYS: dict[tuple[int, str], tuple[object, tuple[tuple[GlossaryEntry, str], ...]]] = {}


def _keys(entries: Iterable[GlossaryEntry], lang: str) -> tuple[tuple[GlossaryEntry, str], ...]:
    """Per entry, a short folded piece of its target form that any rendering of it contains.

    Kept per entries object (a glossary's tuple), checked by identity: hashing every entry on every
    sentence would cost more than the look-up saves.
    """
    cached = _KEYS.get((id(entries), lang))
    if cached is not None and cached[0] is entries:
        return cached[1]
    out = []
    morphology = hooks(lang)
    for entry in entries:
        if morphology is not None and not entry.keep:
            key = morphology.search_key(entry)
        else:
            form = entry.target(lang)
            key = form.split()[0] if form.split() else form
        out.append((entry, fold_text(key).casefold().replace("ё", "е")))
    if len(_KEYS) > 64:
        _KEYS.clear()
    _KEYS[(id(entries), lang)] = (entries, tuple(out))
    return _KEYS[(id(entries), lang)][1]


def _tiled(start: int, end: int, entry: GlossaryEntry, candidates, needed, text: str) -> bool:
    """Whether every letter of ``text[start:end]`` lies in a form of some other needed entry."""
    covered = [False] * (end - start)
    for s, e, other in candidates:
        if other is not entry and other in needed and start <= s and e <= end and (s, e) != (start, end):
            covered[s - start : e - start] = [True] * (e - s)
    return all(c or not (ch.isalnum()) for c, ch in zip(covered, text[start:end], strict=True))
