"""Inflection hooks by language: the module that finds and inserts inflected glossary forms in a language
whose registry record names one (``Language.morphology``: Russian's is ``terms.russian``)."""

from __future__ import annotations

from typing import Protocol

from translate_sum import languages
from translate_sum.terms import russian
from translate_sum.terms.glossary import GlossaryEntry


class Morphology(Protocol):
    """What a language's inflection module offers the glossary checks and the retry pass."""

    def renderings(self, entry: GlossaryEntry, text: str) -> list[russian.Rendering]: ...
    def spans(self, entry: GlossaryEntry, text: str) -> list[tuple[int, int]]: ...
    def declinable(self, entry: GlossaryEntry) -> bool: ...
    def context_case(self, before: str, after: str = "") -> tuple[str | None, str]: ...
    def form_for(self, entry: GlossaryEntry, case: str, plural: bool = False) -> str | None: ...
    def case_name(self, case: str) -> str: ...
    def search_key(self, entry: GlossaryEntry) -> str: ...
    def sentence_start(self, stripped: str) -> bool: ...


_HOOKS: dict[str, Morphology] = {"russian": russian}


def hooks(lang: str) -> Morphology | None:
    """The inflection hooks of ``lang``, or None: its fixed forms count only as written."""
    name = languages.get(lang).morphology
    return _HOOKS.get(name) if name else None
