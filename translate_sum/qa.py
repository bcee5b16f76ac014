"""Per-segment QA checks on a machine translation: numbers, empty, untranslated, length, loops, splits.

The checks are heuristics tuned to flag little on good output; each flag asks a person to look, it does
not prove an error. Chinese and Russian have dedicated rules; other languages get the generic ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from translate_sum.languages import join_text
from translate_sum.records import Flag, Translation

__all__ = ["FLAG_TYPES", "LENGTH_BANDS", "check_segment"]

#: Flag type -> one-line description for the review UI. ``glossary`` flags come from the glossary stage.
FLAG_TYPES: dict[str, str] = {
    "glossary": "A glossary term lacks its fixed form, a placeholder was left, or a Russian case is unverified.",
    "numbers": "A number, date, amount or percentage in the source is missing or changed in the target.",
    "untranslated": "The target looks untranslated: it equals the source or is mostly Latin script.",
    "empty": "The target is empty although the source is not.",
    "length_ratio": "The target is far shorter or longer than usual for this language pair.",
    "repetition": "The target repeats the same words or characters in a loop.",
    "split": "The source was split before translation because it was too long; check the joins.",
    "bidi": "The target holds bidirectional control characters, which can reorder how text around them shows.",
}

#: lang -> (low, high) flag thresholds for len(target) / len(source) in characters.
#: Typical press-release ratios seen with MarianMT: zh 0.25-0.45, ru 0.95-1.25. We flag only far
#: outside those (a truncated or looping translation), never a merely terse or wordy one.
LENGTH_BANDS: dict[str, tuple[float, float]] = {"zh": (0.15, 0.9), "ru": (0.5, 2.0)}
_DEFAULT_BAND = (0.3, 3.0)
#: Sources shorter than this (characters) get no length_ratio flag: ratios of tiny strings are noise.
MIN_CHARS_FOR_RATIO = 25
#: An n-gram (up to MAX_LOOP_TOKENS words, or MAX_LOOP_CHARS_ZH Chinese characters) repeated this many
#: times back to back is a decoding loop.
MIN_REPEATS = 4
MAX_LOOP_TOKENS = 8
MAX_LOOP_CHARS_ZH = 16

_SPACES = re.compile(r"\s+")

# --- numbers --------------------------------------------------------------------------------------

# A number: digit groups with thousands separators (comma, or the spaces Russian uses), an optional
# decimal part with "." or ",".
_NUMBER = re.compile(r"\d{1,3}(?:(?:,|[ \u00a0\u202f])\d{3})+(?![\d])(?:\.\d+)?|\d+(?:[.,]\d+)?")
_EN_SCALES = {
    "thousand": 10**3,
    "million": 10**6,
    "mln": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
}
_EN_SCALE = re.compile(r"\s*(" + "|".join(_EN_SCALES) + r")\b", re.IGNORECASE)
_ZH_SCALES = {"千": 10**3, "万": 10**4, "百万": 10**6, "千万": 10**7, "亿": 10**8}
_ZH_SCALE = re.compile(r"\s*(百万|千万|千|万|亿)")
_RU_SCALES = {
    "тыс": 10**3,
    "млн": 10**6,
    "млрд": 10**9,
    "трлн": 10**12,
    "тысяч": 10**3,
    "миллион": 10**6,
    "миллиард": 10**9,
    "триллион": 10**12,
}
_RU_SCALE = re.compile(r"\s*(тысяч|тыс|миллиард|миллион|триллион|млрд|млн|трлн)", re.IGNORECASE)
_SCALES = {"en": (_EN_SCALE, _EN_SCALES), "zh": (_ZH_SCALE, _ZH_SCALES), "ru": (_RU_SCALE, _RU_SCALES)}
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
    scale_re, scales = _SCALES.get(lang, _SCALES["en"])
    found = []
    for match in _NUMBER.finditer(text):
        if source and _is_code(text, match.start(), match.end()):
            continue
        values = _values(match.group())
        scale = scale_re.match(text, match.end())
        if scale:
            factor = scales[scale.group(1).lower()]
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


def _check_numbers(en: str, target: str, lang: str) -> Flag | None:
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
    return Flag("numbers", lang, "not found in target: " + ", ".join(missing))


# --- untranslated ---------------------------------------------------------------------------------

_NATIVE_SCRIPT = {
    "zh": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
}
_SCRIPT_NAMES = {"zh": "Chinese characters", "ru": "Cyrillic"}
#: Latin letters in a zh/ru target below this count never make it "mostly Latin" (short names).
MIN_LATIN_FOR_SCRIPT_CHECK = 10


def _check_untranslated(en: str, target: str, lang: str) -> Flag | None:
    source_letters = len(_ASCII_LETTER.findall(en))
    if source_letters < 3:
        return None
    if _SPACES.sub(" ", en).strip() == _SPACES.sub(" ", target).strip():
        return Flag("untranslated", lang, "target is identical to the source")
    native_re = _NATIVE_SCRIPT.get(lang)
    if native_re is None:
        return None
    native, latin = len(native_re.findall(target)), len(_ASCII_LETTER.findall(target))
    if native == 0 and latin > 0:
        return Flag("untranslated", lang, f"no {_SCRIPT_NAMES[lang]} in target")
    if latin >= MIN_LATIN_FOR_SCRIPT_CHECK and latin > native:
        return Flag("untranslated", lang, f"{latin / (latin + native):.0%} of the target's letters are Latin")
    return None


# --- length ratio ---------------------------------------------------------------------------------


def _check_length(en: str, target: str, lang: str) -> Flag | None:
    source_len, target_len = len(en.strip()), len(target.strip())
    if source_len < MIN_CHARS_FOR_RATIO:
        return None
    low, high = LENGTH_BANDS.get(lang, _DEFAULT_BAND)
    ratio = target_len / source_len
    if low <= ratio <= high:
        return None
    side = "short" if ratio < low else "long"
    return Flag(
        "length_ratio", lang, f"target is {ratio:.2f}× the source length, too {side} (band {low}–{high})"
    )


# --- repetition -----------------------------------------------------------------------------------

# Chinese is compared per character, but a run of digits or a Latin word stays one token so that
# "1000000" or "Weidong" cannot look like a loop.
_ZH_TOKEN = re.compile(r"\d+|[A-Za-z]+|[^\W\d_A-Za-z]")
_WORD_TOKEN = re.compile(r"\w+")


def _tokens(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return _ZH_TOKEN.findall(text)
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


def _check_repetition(en: str, target: str, lang: str) -> Flag | None:
    # Loops of long phrases are as real as one-word loops; a Chinese character is about half a word.
    max_n = MAX_LOOP_CHARS_ZH if lang == "zh" else MAX_LOOP_TOKENS
    count, gram = _longest_loop(_tokens(target, lang), max_n)
    if count < MIN_REPEATS:
        return None
    if _longest_loop(_tokens(en, "en"), MAX_LOOP_TOKENS)[0] >= MIN_REPEATS:
        return None  # the source repeats itself too ("go, go, go, go!")
    return Flag("repetition", lang, f"“{join_text(lang, gram)}” repeated {count} times in a row")


# --- bidirectional controls ----------------------------------------------------------------------

# Embeddings, overrides, isolates and the invisible direction marks (LRM, RLM, ALM): none belongs in a
# Chinese or Russian press release, and an override (U+202E) makes text display in another order.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _check_bidi(en: str, target: str, lang: str) -> Flag | None:
    found = sorted(set(_BIDI.findall(target)) - set(_BIDI.findall(en)))
    if not found:
        return None
    names = ", ".join(f"U+{ord(c):04X}" for c in found)
    return Flag("bidi", lang, f"bidirectional control characters in the target: {names}")


# --- entry point ----------------------------------------------------------------------------------


def check_segment(
    en: str, target: str, lang: str, *, split: bool = False, ignore: Iterable[str] = ()
) -> list[Flag]:
    """QA flags for one translation of one source segment into ``lang``.

    ``ignore`` lists strings (glossary terms kept in Latin script, names such as "COVID-19") whose
    letters and digits must not count for the ``numbers`` and ``untranslated`` checks; pass both the
    English form and the fixed target form. ``split`` adds a ``split`` flag. Every flag carries ``lang``.
    Number words ("two million", "两百万") are not parsed: only digits are compared, so a target that
    spells a number in words is flagged for a person to confirm.
    """
    flags: list[Flag] = []
    if split:
        flags.append(Flag("split", lang, "the source was split into shorter pieces before translation"))
    if not en.strip():
        return flags
    if not target.strip():
        return [Flag("empty", lang, "target is empty"), *flags]
    ignore = list(ignore)
    en_clean, target_clean = _strip_ignored(en, ignore), _strip_ignored(target, ignore)
    checks = (
        _check_numbers(en_clean, target_clean, lang),
        _check_untranslated(en_clean, target_clean, lang),
        _check_length(en, target, lang),
        _check_repetition(en, target, lang),
        _check_bidi(en, target, lang),
    )
    return [flag for flag in checks if flag is not None] + flags


def checked_translation(en: str, guarded, lang: str, *, split: bool = False) -> Translation:
    """A glossary-checked translation (``terms.GuardedTranslation``: text, terms, glossary flags) of ``en``
    with the QA flags added: what every target gets, from a model or from a reviewer.

    The glossary's English and fixed forms are ignored by the numbers/untranslated checks.
    """
    ignore = [t.surface for t in guarded.terms] + [t.target for t in guarded.terms]
    checks = check_segment(en, guarded.text, lang, split=split, ignore=ignore)
    return Translation(guarded.text, tuple(guarded.terms), (*guarded.flags, *checks))
