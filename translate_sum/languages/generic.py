"""The rules for a language without a module of its own, derived from its BCP 47 code (``langcodes``):
its tag, name, script, direction, and whether its script separates words with spaces."""

from __future__ import annotations

import re

import langcodes

from translate_sum.languages.base import RTL_SCRIPTS, WORD_CHARS, Language
from translate_sum.languages.scripts import letters

#: Scripts written without spaces between words: a fixed form may touch their letters.
_UNSPACED = frozenset({"Hans", "Hant", "Hani", "Jpan", "Thai", "Laoo", "Khmr", "Mymr", "Tibt"})
#: Scripts without spaces between sentences either.
_UNSPACED_SENTENCES = frozenset({"Hans", "Hant", "Hani", "Jpan"})
#: Scripts whose words take particles glued to their end (Korean): a fixed form may touch letters.
_AGGLUTINATED = frozenset({"Kore", "Hang"})


def generic(code: str) -> Language:
    """The generic record for ``code``; an unknown or malformed code gets Latin-script rules, never an error."""
    try:
        parsed = langcodes.Language.get(code.replace("_", "-"))
        valid = parsed.is_valid() and bool(parsed.language)
    except (ValueError, langcodes.LanguageTagError):
        parsed, valid = None, False
    if parsed is None or not valid:
        return Language(code=code, tag=code, name=code, script="Latn")
    script = parsed.maximize().script or "Latn"
    native = letters(script) if script != "Latn" else ""
    spaced_words = script not in _UNSPACED and script not in _AGGLUTINATED
    return Language(
        code=code,
        tag=langcodes.standardize_tag(code.replace("_", "-")),
        name=parsed.display_name(),
        script=script,
        direction="rtl" if script in RTL_SCRIPTS else "ltr",
        joiner="" if script in _UNSPACED_SENTENCES else " ",
        native_letters=re.compile(f"[{native}]") if native else None,
        script_name=f"{langcodes.Language.get('und-' + script).script_name()} script" if native else "",
        char_tokens=script in _UNSPACED,
        max_loop=16 if script in _UNSPACED else 8,
        word_chars=WORD_CHARS + native if native and spaced_words else WORD_CHARS,
    )
