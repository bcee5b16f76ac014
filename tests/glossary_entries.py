"""Glossary entries written as the first glossaries were: English, Chinese, Russian, then fields."""

from __future__ import annotations

from translate_sum.terms.glossary import GlossaryEntry


def zh_ru(en: str, zh: str, ru: str, **fields) -> GlossaryEntry:
    """An entry with ``zh`` and ``ru`` columns (``GlossaryEntry.of``)."""
    return GlossaryEntry.of(en, zh=zh, ru=ru, **fields)
