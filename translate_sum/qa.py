"""QA checks on a translation: per segment (registered by name in ``CHECKS``), across a run
(consistency), and the model's relative confidence (``low_confidence``).

The checks are heuristics tuned to flag little on good output; each flag asks a person to look, it does
not prove an error. What differs by language (script, length band, number words, loops per character or
per word) comes from the language registry (``translate_sum.languages``); unknown languages get its
generic rules.
Where translate-toolkit's pofilter checks (``translate.filters.checks``) fit Chinese and Russian they
are used (doubled words, double spaces, end punctuation); the others are our own (its URL and e-mail
checks take a full stop after an address as part of it, its bracket check knows no full-width pairs).

A check is a function of a ``Pair`` returning a message for the reviewer (or None), registered with
``@check(name, description)``; ``[qa] disable = [...]`` in models.toml switches checks off by name.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from translate_sum import languages
from translate_sum.config import QaSettings
from translate_sum.errors import ConfigError
from translate_sum.records import Flag, Translation
from translate_sum.textnorm import fold_text

__all__ = [
    "CHECKS",
    "FLAG_TYPES",
    "LENGTH_BANDS",
    "Pair",
    "QaSettings",
    "check",
    "check_segment",
    "check_settings",
    "checked_translation",
    "consistency_flags",
    "low_confidence_flags",
]


@dataclass(frozen=True)
class Pair:
    """One source segment and its translation, as a check sees them.

    ``en_clean``/``target_clean`` have the ``ignore`` strings (glossary forms, kept names) blanked out.
    """

    en: str
    target: str
    lang: str
    en_clean: str
    target_clean: str


@dataclass(frozen=True)
class Check:
    """A registered per-segment check: ``run`` returns what the reviewer should look at, or None."""

    name: str
    description: str
    run: Callable[[Pair], str | None]
    # Skipped on a target already flagged as no real translation (empty, untranslated, a loop): it
    # needs rewriting anyway, and five more flags on it would bury the ones that matter.
    cosmetic: bool = False


#: Per-segment checks by name, in the order they run.
CHECKS: dict[str, Check] = {}
#: Flags meaning the target is no real translation; cosmetic checks and consistency skip such targets.
DEGENERATE = frozenset({"empty", "untranslated", "repetition"})


def check(
    name: str, description: str, *, cosmetic: bool = False
) -> Callable[[Callable[[Pair], str | None]], Callable[[Pair], str | None]]:
    """Register ``fn(pair) -> message | None`` as the check (and flag type) ``name``.

    ``cosmetic`` checks do not run on a target that a check in ``DEGENERATE`` has flagged.
    """

    def register(fn: Callable[[Pair], str | None]) -> Callable[[Pair], str | None]:
        CHECKS[name] = Check(name, description, fn, cosmetic)
        return fn

    return register


#: Flag types that come from elsewhere than a registered check, with their one-line descriptions.
_OTHER_FLAGS: dict[str, str] = {
    "glossary": "A glossary term lacks its fixed form, a placeholder was left, or a Russian case is unverified.",
    "empty": "The target is empty although the source is not.",
    "split": "The source was split before translation because it was too long; check the joins.",
    "consistency": "The same source is translated differently elsewhere, or different sources alike.",
    "low_confidence": "The model was far less sure of this output than of its others in this run.",
}


DEFAULT_SETTINGS = QaSettings()


def length_band(lang: str) -> tuple[float, float]:
    """(low, high) flag thresholds for len(target) / len(source) in characters (the registry's band):
    far outside the usual ratios (a truncated or looping translation), never a merely terse one."""
    return languages.get(lang).length_band


#: lang -> (low, high): the bands of the languages with rules of their own (see ``length_band``).
LENGTH_BANDS: dict[str, tuple[float, float]] = {c: length_band(c) for c in ("zh", "ru")}
#: Sources shorter than this (characters) get no length_ratio flag: ratios of tiny strings are noise.
MIN_CHARS_FOR_RATIO = 25
#: An n-gram (up to MAX_LOOP_TOKENS words, or the language's ``max_loop`` characters where loops are
#: counted per character) repeated this many times back to back is a decoding loop.
MIN_REPEATS = 4
MAX_LOOP_TOKENS = 8

_SPACES = re.compile(r"\s+")

# --- numbers --------------------------------------------------------------------------------------

# A number: digit groups with thousands separators (comma, or the spaces Russian uses), an optional
# decimal part with "." or ",".
_NUMBER = re.compile(r"\d{1,3}(?:(?:,|[ \u00a0\u202f])\d{3})+(?![\d])(?:\.\d+)?|\d+(?:[.,]\d+)?")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_GROUP_SPACE = re.compile(r"[ \u00a0\u202f]")


def _to_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return None


def _values(token: str) -> set[Decimal]:
    """Every value a written number may stand for: grouping and decimal separators are ambiguous."""
    compact = _GROUP_SPACE.sub("", token)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", compact):
        candidates = [compact.replace(",", "")]
    else:  # "3,5" is a Russian decimal comma
        candidates = [compact.replace(",", ".")]
    candidates += _GROUP_SPACE.split(token) if compact != token else []
    return {value for value in map(_to_decimal, candidates) if value is not None}


def _is_code(text: str, start: int, end: int) -> bool:
    """Digits glued to Latin letters are names and codes (G20, 5G, COVID-19), not quantities."""
    before = text[max(0, start - 2) : start]
    return bool(
        _ASCII_LETTER.fullmatch(before[-1:])
        or (before[-1:] == "-" and _ASCII_LETTER.fullmatch(before[:1]))
        or _ASCII_LETTER.fullmatch(text[end : end + 1])
    )


def _numbers(text: str, lang: str, *, source: bool) -> list[tuple[str, set[Decimal]]]:
    """(surface, acceptable values) per number; a scale word after it ("2 million") adds the scaled value."""
    language = languages.get(lang)
    found = []
    for match in _NUMBER.finditer(text):
        if source and _is_code(text, match.start(), match.end()):
            continue
        values = _values(match.group())
        scale = language.scale_regex.match(text, match.end())
        if scale:
            factor = language.scale(scale.group(1))
            values |= {(value * factor).normalize() for value in values}
        found.append((match.group(), values))
        if not source and _GROUP_SPACE.search(match.group()):
            # "16 330" may also be two numbers side by side: offer each part on its own too.
            parts = [(part, _to_decimal(part)) for part in _GROUP_SPACE.split(match.group())]
            found += [(part, {value}) for part, value in parts if value is not None]
    return found


def _strip_ignored(text: str, ignore: Iterable[str]) -> str:
    for item in sorted({i for i in ignore if i}, key=len, reverse=True):
        text = text.replace(item, " ")
    return text


def _check_numbers(en: str, target: str, lang: str) -> str | None:
    unused = [values for _, values in _numbers(target, lang, source=False)]
    missing = []
    # Target numbers the source lacks are fine (Chinese writes "July" as 7月); each target number
    # may vouch for one source number only, so "40 ... 40" needs two 40s.
    for surface, values in _numbers(en, "en", source=True):
        match = next((i for i, t_values in enumerate(unused) if values & t_values), None)
        if match is None:
            missing.append(surface)
        else:
            del unused[match]
    if not missing:
        return None
    return "not found in target: " + ", ".join(missing)


# --- untranslated ---------------------------------------------------------------------------------

#: Latin letters in a non-Latin-script target below this count never make it "mostly Latin" (short names).
MIN_LATIN_FOR_SCRIPT_CHECK = 10


def _check_untranslated(en: str, target: str, lang: str) -> str | None:
    source_letters = len(_ASCII_LETTER.findall(en))
    if source_letters < 3:
        return None
    if _SPACES.sub(" ", en).strip() == _SPACES.sub(" ", target).strip():
        return "target is identical to the source"
    language = languages.get(lang)
    if language.native_letters is None:
        return None
    native, latin = len(language.native_letters.findall(target)), len(_ASCII_LETTER.findall(target))
    if native == 0 and latin > 0:
        return f"no {language.script_name} in target"
    if latin >= MIN_LATIN_FOR_SCRIPT_CHECK and latin > native:
        return f"{latin / (latin + native):.0%} of the target's letters are Latin"
    return None


# --- length ratio ---------------------------------------------------------------------------------


def _check_length(en: str, target: str, lang: str) -> str | None:
    source_len, target_len = len(en.strip()), len(target.strip())
    if source_len < MIN_CHARS_FOR_RATIO:
        return None
    low, high = length_band(lang)
    ratio = target_len / source_len
    if low <= ratio <= high:
        return None
    side = "short" if ratio < low else "long"
    return f"target is {ratio:.2f}× the source length, too {side} (band {low}–{high})"


# --- repetition -----------------------------------------------------------------------------------

# Chinese is compared per character, but a run of digits or a Latin word stays one token so that
# "1000000" or "Weidong" cannot look like a loop.
_CHAR_TOKEN = re.compile(r"\d+|[A-Za-z]+|[^\W\d_A-Za-z]")
_WORD_TOKEN = re.compile(r"\w+")


def _tokens(text: str, lang: str) -> list[str]:
    if languages.get(lang).char_tokens:
        return _CHAR_TOKEN.findall(text)
    return [t.lower() for t in _WORD_TOKEN.findall(text)]


def _longest_loop(tokens: list[str], max_n: int) -> tuple[int, list[str]]:
    """The highest count of back-to-back repeats of any n-gram (n <= max_n), with that n-gram."""
    best: tuple[int, list[str]] = (1, [])
    for n in range(1, max_n + 1):
        i = 0
        while i + n <= len(tokens):
            gram, count, j = tokens[i : i + n], 1, i + n
            while tokens[j : j + n] == gram:
                count, j = count + 1, j + n
            if count > best[0]:
                best = (count, gram)
            # Starts inside this run only see rotations of it with no more repeats; resume near its end.
            i = max(i + 1, j - n + 1)
    return best


def _check_repetition(en: str, target: str, lang: str) -> str | None:
    # Loops of long phrases are as real as one-word loops; a Chinese character is about half a word.
    max_n = languages.get(lang).max_loop
    count, gram = _longest_loop(_tokens(target, lang), max_n)
    if count < MIN_REPEATS:
        return None
    if _longest_loop(_tokens(en, "en"), MAX_LOOP_TOKENS)[0] >= MIN_REPEATS:
        return None  # the source repeats itself too ("go, go, go, go!")
    return f"“{languages.join_text(lang, gram)}” repeated {count} times in a row"


# --- the registry: the original checks ------------------------------------------------------------

check("numbers", "A number, date, amount or percentage in the source is missing or changed in the target.")(
    lambda p: _check_numbers(p.en_clean, p.target_clean, p.lang)
)
check("untranslated", "The target looks untranslated: it equals the source or is mostly Latin script.")(
    lambda p: _check_untranslated(p.en_clean, p.target_clean, p.lang)
)
check("length_ratio", "The target is far shorter or longer than usual for this language pair.")(
    lambda p: _check_length(p.en, p.target, p.lang)
)
check("repetition", "The target repeats the same words or characters in a loop.")(
    lambda p: _check_repetition(p.en, p.target, p.lang)
)

# --- bidirectional controls ----------------------------------------------------------------------

# Embeddings, overrides, isolates and the invisible direction marks (LRM, RLM, ALM): none belongs in a
# Chinese or Russian press release, and an override (U+202E) makes text display in another order. In a
# right-to-left language the marks are ordinary punctuation of mixed text; the rest is still flagged.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_MARKS = frozenset("\u200e\u200f\u061c")


@check(
    "bidi", "The target holds bidirectional control characters, which can reorder how text around them shows."
)
def _check_bidi(pair: Pair) -> str | None:
    found = sorted(set(_BIDI.findall(pair.target)) - set(_BIDI.findall(pair.en)))
    if languages.get(pair.lang).rtl:
        found = [c for c in found if c not in _MARKS]
    if not found:
        return None
    names = ", ".join(f"U+{ord(c):04X}" for c in found)
    return f"bidirectional control characters in the target: {names}"


# --- CAT-grade checks (Xbench's list) --------------------------------------------------------------


@lru_cache(maxsize=8)
def _pofilter(lang: str):
    """translate-toolkit's standard checker set up for ``lang`` (its punctuation rules: 。 for .)."""
    from translate.filters import checks

    return checks.StandardChecker(checkerconfig=checks.CheckerConfig(targetlanguage=lang))


def _pofilter_fails(name: str, en: str, target: str, lang: str) -> bool:
    from translate.filters.checks import FilterFailure

    try:
        return not getattr(_pofilter(lang), name)(en, target)
    except FilterFailure:
        return True


_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'“”«»（）()，。、；]+", re.IGNORECASE)


@check("urls", "A web address in the source is missing or changed in the target.")
def _check_urls(pair: Pair) -> str | None:
    # Our own: translate-toolkit's URL check takes a full stop after an address as part of it.
    def urls(text: str) -> set[str]:
        return {u.rstrip(".,;:!?") for u in _URL.findall(text)}

    missing = sorted(urls(pair.en) - urls(pair.target))
    return "web address not found unchanged in the target: " + ", ".join(missing) if missing else None


# translate-toolkit's e-mail check takes a Chinese full stop glued to an address as part of it.
_EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@check("emails", "An e-mail address in the source is missing or changed in the target.")
def _check_emails(pair: Pair) -> str | None:
    missing = [e for e in _EMAIL.findall(pair.en) if e.lower() not in pair.target.lower()]
    return "e-mail address not found unchanged in the target: " + ", ".join(missing) if missing else None


# Codes and names with letters and digits ("G20", "A320neo", "COVID-19", "5G"), and standards ("ISO 9001").
_ALNUM = re.compile(
    r"(?<![\w-])(?:[A-Z]{2,}[ -]\d+(?:[-:.]\d+)*|[A-Za-z]+-?\d[\w-]*|\d+[A-Za-z][\w-]*)(?![\w-])"
)


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\-‐‑–]", "", unicodedata.normalize("NFKC", text)).lower()


@check(
    "alphanumeric", "A code or name with letters and digits (G20, A320neo, ISO 9001) is not in the target."
)
def _check_alphanumeric(pair: Pair) -> str | None:
    target = _squeeze(pair.target_clean)
    missing = []
    tokens = (m.group().rstrip("-") for m in _ALNUM.finditer(pair.en_clean))
    # A capital makes it a code ("G20", "5G"); "top-500" and "3rd" are words.
    for token in dict.fromkeys(t for t in tokens if re.search(r"[A-Z]", t)):
        if _squeeze(token) in target:
            continue
        letters = re.sub(r"[^A-Za-z]", "", token)
        digits = re.findall(r"\d+", token)
        # "G20" is 二十国集团 / "Группа двадцати" in good translations: one letter and its digits kept
        # ("20国集团") is accepted.
        if len(letters) <= 1 and all(d in target for d in digits):
            continue
        missing.append(token)
    if not missing:
        return None
    return (
        "not found unchanged in the target: "
        + ", ".join(f"“{t}”" for t in missing)
        + "; check the code or name"
    )


# Brackets and quotes: opener -> the closers that may end it. „ is closed by “ in Russian, ” elsewhere.
_PAIRS = {
    "(": ")", "[": "]", "{": "}", "（": "）", "［": "］", "【": "】", "〔": "〕", "「": "」", "『": "』",
    "《": "》", "〈": "〉", "«": "»", "„": "“”", "“": "”",
}  # fmt: skip
_CLOSERS = {c for closers in _PAIRS.values() for c in closers}


def _unpaired(text: str) -> list[str]:
    """Brackets and quotes in ``text`` without their partner, in order."""
    stack: list[str] = []
    stray: list[str] = []
    for ch in text:
        if stack and ch in _PAIRS[stack[-1]]:
            stack.pop()
        elif ch in _PAIRS:
            stack.append(ch)
        elif ch in _CLOSERS:
            stray.append(ch)
    if text.count('"') % 2:
        stray.append('"')
    return stray + stack


@check("brackets", "A bracket or quotation mark in the target has no partner.", cosmetic=True)
def _check_brackets(pair: Pair) -> str | None:
    if _unpaired(pair.en):
        return None  # the source is unbalanced itself (a quote running over several sentences)
    lone = _unpaired(pair.target)
    if not lone:
        return None
    return (
        "unpaired "
        + " ".join(f"“{c}”" for c in dict.fromkeys(lone))
        + " in the target: a bracket or quote is not closed or not opened"
    )


_DOUBLED = re.compile(r"\b(\w+)(?:\s+\1\b)+", re.IGNORECASE)


@check(
    "doubled_words",
    "The same word twice in a row in the target, where the source has no such pair.",
    cosmetic=True,
)
def _check_doubled_words(pair: Pair) -> str | None:
    # translate-toolkit splits on spaces: Russian words, and Latin words inside Chinese. Chinese
    # reduplication (谢谢, 常常) is normal and is left to the repetition check's loops.
    if not _pofilter_fails("doublewords", pair.en, pair.target, pair.lang):
        return None
    # Exactly twice: three or more in a row is a decoding loop, the repetition check's to report.
    pairs = [m for m in _DOUBLED.finditer(pair.target) if len(m.group().split()) == 2]
    return f"“{pairs[0].group()}”: a word is repeated" if pairs else None


@check("double_space", "Two or more spaces in a row in the target.", cosmetic=True)
def _check_double_space(pair: Pair) -> str | None:
    if "  " not in pair.target.strip() or not _pofilter_fails(
        "doublespacing", pair.en, pair.target, pair.lang
    ):
        return None
    return "two spaces in a row in the target"


_CAMEL = re.compile(r"(?<![\w-])(?:[A-Z]+[a-z]+[A-Z]\w*|[a-z]+[A-Z]\w*)(?![\w-])")
_ALL_CAPS = re.compile(r"(?<![\w-])[A-Z]{2,}(?![\w-])")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


@check("caps", "A CamelCase or ALL-CAPS name of the source has no counterpart in the target.", cosmetic=True)
def _check_caps(pair: Pair) -> str | None:
    camel = [m.group() for m in _CAMEL.finditer(pair.en_clean)]
    caps = [m.group() for m in _ALL_CAPS.finditer(pair.en_clean)]
    target_lower = pair.target_clean.lower()
    missing_camel = [t for t in dict.fromkeys(camel) if t.lower() not in target_lower]
    missing_caps = [t for t in dict.fromkeys(caps) if t.lower() not in target_lower]
    # A translated acronym (SCO -> 上合组织, ШОС) is normal. What is worth a look: the target keeps
    # Latin words that are not in the source (a misspelt copy of a name), or, in a language with acronyms
    # of its own (Russian ООН), an acronym that neither stayed nor became one of those.
    source_words = {w.lower() for w in _LATIN_WORD.findall(pair.en)}
    stray = [
        w for w in _LATIN_WORD.findall(pair.target_clean) if w.lower() not in source_words and len(w) > 1
    ]
    suspects = list(missing_camel) if stray else []
    acronym = languages.get(pair.lang).native_acronym
    if stray or acronym is not None and len(missing_caps) > len(acronym.findall(pair.target_clean)):
        suspects += missing_caps
    if not suspects:
        return None
    where = f" (the target has “{stray[0]}” instead?)" if stray else ""
    return "name not found in the target: " + ", ".join(f"“{t}”" for t in suspects) + where


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@check("end_punctuation", "The target does not end with the punctuation the source ends with.", cosmetic=True)
def _check_end_punctuation(pair: Pair) -> str | None:
    if not _pofilter_fails("endpunc", pair.en, pair.target, pair.lang):
        return None
    end_en = pair.en.rstrip()[-1:]
    end_target = pair.target.rstrip()[-1:]
    if end_en.isalnum() and (end_target.isalnum() or _CJK.fullmatch(end_target) and end_target.isalpha()):
        return None  # neither ends in punctuation (a title): toolkit quirks with quotes aside
    shown = f"“{end_target}”" if end_target and not end_target.isalnum() else "no punctuation"
    ending = f"“{end_en}”" if end_en and not end_en.isalnum() else "no punctuation"
    return f"the source ends with {ending}, the target with {shown}: check the sentence is complete"


FLAG_TYPES: dict[str, str] = {**{name: c.description for name, c in CHECKS.items()}, **_OTHER_FLAGS}
"""Flag type -> one-line description for the review UI (registered checks and the others)."""


def check_settings(settings: QaSettings, where: object = "models.toml") -> QaSettings:
    """``settings`` if every name in ``disable`` is a flag type; else ConfigError naming the known ones."""
    unknown = sorted(set(settings.disable) - set(FLAG_TYPES))
    if unknown:
        raise ConfigError(
            f"{where}: [qa] disable names unknown check(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(FLAG_TYPES))}"
        )
    return settings


# --- entry points -------------------------------------------------------------------------------


def check_segment(
    en: str,
    target: str,
    lang: str,
    *,
    split: bool = False,
    ignore: Iterable[str] = (),
    settings: QaSettings = DEFAULT_SETTINGS,
) -> list[Flag]:
    """QA flags for one translation of one source segment into ``lang``.

    ``ignore`` lists strings (glossary terms kept in Latin script, names such as "COVID-19") whose
    letters and digits must not count for the checks that compare source and target words; pass
    both the English form and the fixed target form. ``split`` adds a ``split`` flag. Every flag
    carries ``lang``. Checks in ``settings.disable`` do not run. Number words ("two million",
    "两百万") are not parsed: only digits are compared, so a target that spells a number in words
    is flagged for a person to confirm.
    """
    flags: list[Flag] = []
    if split and settings.enabled("split"):
        flags.append(Flag("split", lang, "the source was split into shorter pieces before translation"))
    if not en.strip():
        return flags
    if not target.strip():
        return [Flag("empty", lang, "target is empty"), *flags] if settings.enabled("empty") else flags
    ignore = list(ignore)
    pair = Pair(en, target, lang, _strip_ignored(en, ignore), _strip_ignored(target, ignore))
    found: list[Flag] = []
    for name, registered in CHECKS.items():
        if not settings.enabled(name):
            continue
        if registered.cosmetic and any(f.type in DEGENERATE for f in found):
            continue
        message = registered.run(pair)
        if message:
            found.append(Flag(name, lang, message))
    return found + flags


def checked_translation(
    en: str, guarded, lang: str, *, split: bool = False, settings: QaSettings = DEFAULT_SETTINGS
) -> Translation:
    """A glossary-checked translation (``terms.GuardedTranslation``: text, terms, glossary flags) of ``en``
    with the QA flags added: what every target gets, from a model or from a reviewer.

    The glossary's English and fixed forms are ignored by the checks that compare words.
    """
    ignore = [t.surface for t in guarded.terms] + [t.target for t in guarded.terms]
    checks = check_segment(en, guarded.text, lang, split=split, ignore=ignore, settings=settings)
    glossary = guarded.flags if settings.enabled("glossary") else []
    return Translation(guarded.text, tuple(guarded.terms), (*glossary, *checks))


# --- across a run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSegment:
    """A segment as the run-wide checks see it: where it is, and its source and target."""

    where: str  # "<slug> <id>", shown to the reviewer
    en: str
    target: str
    confidence: float | None = None
    model: str = ""  # the translator that produced it ("" when none did)
    extra: dict = field(default_factory=dict)


#: Sources and targets shorter than this (characters, after normalising) are not compared for
#: consistency: short titles and captions ("Photo", "Contact") may rightly differ by context.
MIN_CONSISTENCY_CHARS = 12


_QUOTE_STYLES = str.maketrans({c: '"' for c in "“”„‟«»「」＂"} | {c: "'" for c in "‘’‚‛‹›＇`"})


def _norm(text: str) -> str:
    """As the memory's keys fold a sentence (``memory.keys``, a layer above): glossary folding, quote
    styles and runs of spaces."""
    return " ".join(fold_text(text).translate(_QUOTE_STYLES).split())


def consistency_flags(
    segments: Sequence[RunSegment], lang: str, memory: Sequence[tuple[str, str]] = ()
) -> list[list[Flag]]:
    """``consistency`` flags per segment: the same normalised source translated differently (each
    flag names the other segment and its text), and the same target for different sources (within
    ``segments``, and against the ``memory``'s (source, target) pairs in ``lang``).
    """
    out: list[list[Flag]] = [[] for _ in segments]
    by_source: dict[str, list[int]] = {}
    by_target: dict[str, list[int]] = {}
    for i, seg in enumerate(segments):
        if not seg.target.strip() or len(_norm(seg.en)) < MIN_CONSISTENCY_CHARS:
            continue
        by_source.setdefault(_norm(seg.en), []).append(i)
        if len(_norm(seg.target)) >= MIN_CONSISTENCY_CHARS // 3:
            by_target.setdefault(_norm(seg.target), []).append(i)
    for group in by_source.values():
        for i in group:
            other = next((j for j in group if _norm(segments[j].target) != _norm(segments[i].target)), None)
            if other is not None:
                out[i].append(
                    Flag(
                        "consistency", lang,
                        f"the same source is translated differently at {segments[other].where}: "
                        f"“{_clip(segments[other].target)}”",
                    )
                )  # fmt: skip
    memory_by_target: dict[str, str] = {}
    for source, target in memory:
        memory_by_target.setdefault(_norm(target), source)
    for key, group in by_target.items():
        for i in group:
            other = next((j for j in group if _norm(segments[j].en) != _norm(segments[i].en)), None)
            if other is not None:
                out[i].append(
                    Flag(
                        "consistency", lang,
                        f"the same translation is given to a different source at {segments[other].where}: "
                        f"“{_clip(segments[other].en)}”",
                    )
                )  # fmt: skip
            elif key in memory_by_target and _norm(memory_by_target[key]) != _norm(segments[i].en):
                out[i].append(
                    Flag(
                        "consistency", lang,
                        f"the memory gives this translation to a different source: “{_clip(memory_by_target[key])}”",
                    )
                )  # fmt: skip
    return out


def _clip(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def low_confidence_flags(
    confidences: Sequence[float | None], lang: str, settings: QaSettings = DEFAULT_SETTINGS
) -> list[Flag | None]:
    """``low_confidence`` flags for the segments one model translated into ``lang`` together: a
    confidence below median − k·MAD of theirs (``settings``). Relative to this run, never absolute.
    """
    known = [c for c in confidences if c is not None]
    if not settings.enabled("low_confidence") or len(known) < settings.min_segments:
        return [None] * len(confidences)
    median = statistics.median(known)
    mad = statistics.median(abs(c - median) for c in known)
    threshold = median - settings.low_confidence_k * mad
    return [
        Flag(
            "low_confidence", lang,
            f"model confidence {c:.2f} is far below this run's median {median:.2f} for {lang} "
            f"(threshold {threshold:.2f}): read this one closely",
        )
        if c is not None and mad > 0 and c < threshold
        else None
        for c in confidences
    ]  # fmt: skip


def with_flags(translation: Translation, extra: Iterable[Flag]) -> Translation:
    """``translation`` with ``extra`` flags added."""
    extra = tuple(extra)
    return replace(translation, flags=translation.flags + extra) if extra else translation
