"""Glossary terms through translation: translate, verify, retry with placeholders, restore, or flag.

Strategy, chosen for any backend (constrained beam search needs remote code in transformers 5):

1. Translate every sentence as it is and check each glossary term found in its source. MarianMT often
   renders well-known names correctly, and in Russian in the right grammatical case, which a
   substituted fixed form cannot match, so a verified first pass is kept untouched.
2. Sentences with a missing term are translated again, in one batch, with each missing term replaced by
   a placeholder, and the fixed target form is put back where the placeholder comes out.
3. Whatever is still missing is flagged. Every result is verified as it is returned, so each term found
   in a source is in its translation or is flagged, whatever the backend produced.

Placeholders are short all-capital Latin tokens with a number (``ZX1``, ``ZX2``). SentencePiece
vocabularies of MarianMT models hold Latin capitals and digits on both sides (Chinese and Russian text
quotes brand names, codes and numbers), so the token survives encoding and decoding, and models copy
code-like tokens ("MX5", "A320") verbatim. Bracketed forms (``<T1>``, ``{1}``, ``⟦1⟧``, ``__T1__``)
decode as ``⁇`` (unknown) with vocabularies that lack those characters, and lower-case or word-like
tokens get translated or transliterated. Restoration tolerates what models do to such tokens: spaces or
a hyphen inside (``ZX 1``), full-width forms, Cyrillic look-alike letters, duplication and reordering.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from translate_sum.errors import ArticleError, ConfigError
from translate_sum.glossary import WORD_CHARS, Glossary, GlossaryEntry, TermMatch, english_regex
from translate_sum.records import Flag, TermHit

# Prefixes tried in turn; the first that no source sentence of the batch contains is used.
_PREFIXES = ("ZX", "QZ", "XQ", "ZQX")
# Letters as models may write them back: full-width, or the Cyrillic look-alike (Х for X).
_LOOKALIKE = {"Z": "ZzＺｚ", "X": "XxＸｘХх", "Q": "QqＱｑ"}


@dataclass
class GuardedTranslation:
    """A translation with the glossary terms of its source checked (and restored where needed)."""

    text: str  # final target text
    terms: list[TermHit] = field(default_factory=list)  # one per glossary term found in the source
    flags: list[Flag] = field(default_factory=list)  # one "glossary" flag per missing term


class TermGuard:
    """Runs a translation backend so that glossary terms come out in their fixed target forms."""

    def __init__(self, glossary: Glossary | None):
        self.glossary = glossary

    def translate(
        self, sources: list[str], lang: str, translate_batch: Callable[[list[str]], list[str]]
    ) -> list[GuardedTranslation]:
        """Translate ``sources`` into ``lang`` with at most two ``translate_batch`` calls.

        Each result holds the fixed rendering (or an accepted Russian inflection) of every glossary term
        found in its source, or a ``glossary`` flag naming the missing term.
        """
        sources = list(sources)
        if not sources:
            return []
        first = _call(translate_batch, sources, lang)
        if self.glossary is None:
            return [GuardedTranslation(text) for text in first]

        matches = [self.glossary.find(source) for source in sources]
        texts = list(first)
        present = [_present(_entries(m), text, lang) for m, text in zip(matches, texts, strict=True)]
        enforced: list[set[GlossaryEntry]] = [set() for _ in sources]

        retry = [i for i, m in enumerate(matches) if set(_entries(m)) - present[i]]
        if retry:
            prefix = _prefix(sources)
            slots = {i: [e for e in _entries(matches[i]) if e not in present[i]] for i in retry}
            protected = [_protect(sources[i], matches[i], slots[i], prefix) for i in retry]
            second = _call(translate_batch, protected, lang)
            for i, raw in zip(retry, second, strict=True):
                restored, substituted = _restore(raw, slots[i], prefix, lang)
                found = _present(_entries(matches[i]), restored, lang)
                # Keep the first pass on a tie: it is the model's own, more fluent, wording.
                if len(found) > len(present[i]):
                    texts[i], present[i], enforced[i] = restored, found, substituted & found

        return [
            _result(m, text, lang, ok, forced)
            for m, text, ok, forced in zip(matches, texts, present, enforced, strict=True)
        ]


def count_terms(results: list[GuardedTranslation]) -> dict[str, int]:
    """Term totals over ``results``: found, kept, enforced, flagged."""
    counts = Counter(hit.status for result in results for hit in result.terms)
    return {
        "found": sum(counts.values()),
        "kept": counts["kept"],
        "enforced": counts["enforced"],
        "flagged": counts["flagged"],
    }


def term_present(entry: GlossaryEntry, lang: str, text: str) -> bool:
    """Whether ``text`` holds the fixed ``lang`` form of ``entry`` (for Russian, any inflection of it)."""
    return bool(_spans(entry, lang, text))


def _call(translate_batch: Callable[[list[str]], list[str]], texts: list[str], lang: str) -> list[str]:
    out = list(translate_batch(list(texts)))
    if len(out) != len(texts):
        raise ArticleError(
            f"the {lang} translation backend returned {len(out)} texts for {len(texts)} sentences"
        )
    return ["" if t is None else str(t) for t in out]


def _entries(matches: list[TermMatch]) -> list[GlossaryEntry]:
    return list(dict.fromkeys(m.entry for m in matches))


def _result(
    matches: list[TermMatch], text: str, lang: str, present: set[GlossaryEntry], enforced: set[GlossaryEntry]
) -> GuardedTranslation:
    hits, flags = [], []
    for m in matches:
        status = "enforced" if m.entry in enforced else "kept" if m.entry in present else "flagged"
        target = m.entry.target(lang)
        hits.append(TermHit(m.entry.en, m.surface, m.start, m.end, lang, target, status))
    for entry in _entries(matches):
        if entry not in present:
            flags.append(
                Flag(type="glossary", lang=lang, detail=f"missing {entry.en!r} → {entry.target(lang)}")
            )
    return GuardedTranslation(text, hits, flags)


# -- verification ---------------------------------------------------------------------------------------


def _present(entries: list[GlossaryEntry], text: str, lang: str) -> set[GlossaryEntry]:
    """Entries whose target form occurs in ``text`` in a place of its own.

    A target inside a longer one does not count: 伟东 inside 伟东云教育集团 is not a rendering of "Weidong".
    """
    candidates = [(span, entry) for entry in entries for span in _spans(entry, lang, text)]
    candidates.sort(key=lambda c: (c[0][0] - c[0][1], c[0][0]))
    taken: list[tuple[int, int]] = []
    found: set[GlossaryEntry] = set()
    for (start, end), entry in candidates:
        if all(end <= s or start >= e for s, e in taken):
            taken.append((start, end))
            found.add(entry)
    return found


def _spans(entry: GlossaryEntry, lang: str, text: str) -> list[tuple[int, int]]:
    if entry.keep:
        return [m.span() for m in english_regex(entry, exact_case=True).finditer(text)]
    target = entry.target(lang)
    if lang == "ru":
        return _ru_spans(entry, text)
    return _substring_spans(_dots(target), _dots(text))


def _substring_spans(needle: str, haystack: str) -> list[tuple[int, int]]:
    spans, start = [], haystack.find(needle)
    while needle and start >= 0:
        spans.append((start, start + len(needle)))
        start = haystack.find(needle, start + 1)
    return spans


_DOTS = str.maketrans("•・‧∙⋅．", "······")


def _dots(text: str) -> str:
    # Chinese name separators come in several look-alike dots; same length, so spans still line up.
    return text.translate(_DOTS)


# -- Russian ----------------------------------------------------------------------------------------------

_RU_WORD = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+(?:-[0-9A-Za-zА-Яа-яЁё]+)*")


def _ru_spans(entry: GlossaryEntry, text: str) -> list[tuple[int, int]]:
    spans = []
    for form in entry.ru_forms:
        pattern = _ru_form_regex(form)
        spans += [m.span() for m in pattern.finditer(text)]
    # Any inflection of the phrase: the words in order, each sharing a lemma with the glossary's word.
    wanted = [_lemmas(w.group()) for w in _RU_WORD.finditer(entry.ru)]
    if not wanted:
        return spans
    words = list(_RU_WORD.finditer(text))
    for i in range(len(words) - len(wanted) + 1):
        if all(_lemmas(words[i + k].group()) & lemmas for k, lemmas in enumerate(wanted)):
            spans.append((words[i].start(), words[i + len(wanted) - 1].end()))
    return spans


@lru_cache(maxsize=1024)
def _ru_form_regex(form: str) -> re.Pattern[str]:
    return re.compile(f"(?<![{WORD_CHARS}]){re.escape(form)}(?![{WORD_CHARS}])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _morph():
    try:
        import pymorphy3
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ConfigError(
            "Russian glossary checks need pymorphy3: pip install pymorphy3 pymorphy3-dicts-ru"
        ) from exc
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=65536)
def _lemmas(word: str) -> frozenset[str]:
    word = word.lower().replace("ё", "е")
    if not re.search("[а-я]", word):
        return frozenset({word})
    return frozenset({word} | {p.normal_form.replace("ё", "е") for p in _morph().parse(word)})


# Prepositions that take one case only; before a placeholder they tell the case of the restored term.
_PREPOSITION_CASE = {
    **dict.fromkeys(
        (
            "без",
            "для",
            "до",
            "из",
            "от",
            "у",
            "около",
            "после",
            "против",
            "среди",
            "кроме",
            "вокруг",
            "возле",
            "ради",
            "вместо",
            "из-за",
        ),
        "gent",
    ),
    **dict.fromkeys(("к", "ко", "по", "благодаря", "согласно", "вопреки"), "datv"),
    **dict.fromkeys(("о", "об", "обо", "при"), "loct"),
    **dict.fromkeys(("над", "перед", "между"), "ablt"),
}


def _inflect_ru(phrase: str, case: str) -> str:
    """``phrase`` (nominative) in ``case``: its leading adjectives and head noun, or a whole personal name.

    The phrase comes back unchanged unless every word to inflect is a dictionary word and every capitalised
    word after the head is a known oblique form (Гонконга), so transcribed names (Ван Дуаньжуй) and quoted
    company names stay exactly as the glossary has them.
    """
    words = phrase.split(" ")
    parses = []
    in_name = False
    for word in words:
        parse = _nominative(word) if _RU_WORD.fullmatch(word) and not word.isupper() else None
        if parse is None or (in_name and parse.tag.POS != "NOUN"):
            break
        parses.append(parse)
        if parse.tag.POS == "NOUN":
            in_name = in_name or bool({"Name", "Surn", "Patr"} & parse.tag.grammemes)
            if not in_name:
                break  # the head noun: what follows it (сотрудничества, ШОС) keeps its own case
    if not parses or parses[-1].tag.POS != "NOUN":
        return phrase
    rest = words[len(parses) :]
    if any(
        w[:1].isupper() and not w.isupper() and not _known_oblique(w) for w in rest if _RU_WORD.fullmatch(w)
    ):
        return phrase
    inflected = [p.inflect({case}) for p in parses]
    if any(p is None for p in inflected):
        return phrase
    return " ".join([_same_case(p.word, w) for p, w in zip(inflected, words, strict=False)] + rest)


def _nominative(word: str):
    return next((p for p in _morph().parse(word) if "nomn" in p.tag and p.is_known), None)


def _known_oblique(word: str) -> bool:
    return any(p.is_known and p.tag.case not in (None, "nomn") for p in _morph().parse(word))


def _same_case(new: str, old: str) -> str:
    if old.isupper():
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


# -- placeholders -----------------------------------------------------------------------------------------


def _prefix(sources: list[str]) -> str:
    for prefix in _PREFIXES:
        if not any(_placeholder_regex(prefix).search(s) for s in sources):
            return prefix
    return _PREFIXES[-1] + "Q"  # not reached in practice: every prefix is already in the sources


def _protect(source: str, matches: list[TermMatch], slots: list[GlossaryEntry], prefix: str) -> str:
    number = {entry: n for n, entry in enumerate(slots, start=1)}
    out, last = [], 0
    for m in matches:
        if m.entry in number:
            out += [source[last : m.start], f"{prefix}{number[m.entry]}"]
            last = m.end
    return "".join(out) + source[last:]


@lru_cache(maxsize=16)
def _placeholder_regex(prefix: str) -> re.Pattern[str]:
    letters = "[ \u00a0]?".join(f"[{_LOOKALIKE.get(c, c)}]" for c in prefix)
    return re.compile(
        f"(?P<left>[ \u00a0]?)(?<![{WORD_CHARS}]){letters}[ \u00a0]?-?[ \u00a0]?(?P<n>[0-9０-９]{{1,3}})"
        f"(?![0-9０-９])(?P<right>[ \u00a0]?)"
    )


def _restore(text: str, slots: list[GlossaryEntry], prefix: str, lang: str) -> tuple[str, set[GlossaryEntry]]:
    """Put each slot's fixed form where its placeholder came out; drop placeholders with no slot."""
    substituted: set[GlossaryEntry] = set()

    def replace(m: re.Match[str]) -> str:
        n = int(unicodedata.normalize("NFKC", m.group("n")))
        if not 1 <= n <= len(slots):
            return " " if m.group("left") and m.group("right") else ""
        entry = slots[n - 1]
        substituted.add(entry)
        before = text[: m.start()] + m.group("left")
        target = _fit(entry, lang, before)
        return (
            _space(m.group("left"), text[: m.start()][-1:], target[:1], lang)
            + target
            + _space(m.group("right"), target[-1:], text[m.end() :][:1], lang)
        )

    return _placeholder_regex(prefix).sub(replace, text), substituted


def _fit(entry: GlossaryEntry, lang: str, before: str) -> str:
    target = entry.target(lang)
    if lang == "ru" and not entry.keep:
        previous = re.search(r"([А-Яа-яЁё-]+)\s+$", before)
        case = _PREPOSITION_CASE.get(previous.group(1).lower()) if previous else None
        if case:
            target = _inflect_ru(target, case)
    if not entry.keep and (not before.strip() or before.rstrip()[-1] in ".!?…"):
        target = target[:1].upper() + target[1:]
    return target


def _space(space: str, left: str, right: str, lang: str) -> str:
    # Chinese puts no space between two Chinese characters; elsewhere keep what the model wrote.
    if lang == "zh" and _is_cjk(left) and _is_cjk(right):
        return ""
    return space


def _is_cjk(char: str) -> bool:
    return bool(char) and (
        "\u2e80" <= char <= "\u9fff"
        or "\uf900" <= char <= "\ufaff"
        or "\u3000" <= char <= "\u303f"
        or "\uff00" <= char <= "\uffef"
    )
