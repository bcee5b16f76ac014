"""Glossary terms: the glossary file, keeping its terms fixed through translation, and its upkeep."""

from translate_sum.terms.glossary import Glossary, GlossaryEntry, TermMatch
from translate_sum.terms.guard import GuardedTranslation, TermGuard, count_terms, term_present

__all__ = [
    "Glossary",
    "GlossaryEntry",
    "GuardedTranslation",
    "TermGuard",
    "TermMatch",
    "count_terms",
    "term_present",
]
