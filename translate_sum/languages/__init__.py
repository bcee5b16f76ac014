"""The language registry: one ``Language`` record per target language, asked for by code.

Languages with rules of their own have a module here (``zh``, ``ru``, ``ar``), imported when first
asked for; every other code gets the generic rules (``generic``), derived from its BCP 47 tag. Asking
never fails: an unknown code gets Latin-script rules.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import lru_cache

from translate_sum.languages.base import RTL_SCRIPTS, WORD_CHARS, Language
from translate_sum.languages.generic import generic

__all__ = ["RTL_SCRIPTS", "WORD_CHARS", "Language", "get", "join_text", "joiner"]

#: Codes with a module of their own, and the record's name in it.
DEDICATED = {"zh": "ZH", "ru": "RU", "ar": "AR"}


@lru_cache(maxsize=256)
def get(code: str) -> Language:
    """The record for the language ``code`` ("zh", "fr", "ar"): its own module's, else the generic one."""
    if code in DEDICATED:
        module = importlib.import_module(f"translate_sum.languages.{code}")
        record: Language = getattr(module, DEDICATED[code])
        return record
    return generic(code)


def joiner(lang: str) -> str:
    """The separator between consecutive sentences (or pieces of one sentence) in ``lang``."""
    return get(lang).joiner


def join_text(lang: str, parts: Iterable[str]) -> str:
    """``parts`` joined as running text of ``lang``: no spaces in Chinese, single spaces elsewhere."""
    return get(lang).join(parts)
