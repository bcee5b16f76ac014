"""Russian: Cyrillic, Russian number scales (млн, млрд), Cyrillic acronyms, and case inflection of
glossary terms (the hooks in ``translate_sum.terms.russian``, with the glossary's ``ru_forms``)."""

from __future__ import annotations

import re

from translate_sum.languages.base import Language

#: Case labels a ``ru_forms`` item may carry ("gen:Владимира Норова"), as pymorphy3 grammemes.
CASE_LABELS = {
    "nom": "nomn",
    "gen": "gent",
    "dat": "datv",
    "acc": "accs",
    "ins": "ablt",
    "loc": "loct",
    "prep": "loct",
}

RU = Language(
    code="ru",
    tag="ru",
    name="Russian",
    script="Cyrl",
    summary_heading="Краткое содержание",
    native_letters=re.compile(r"[\u0400-\u04ff]"),
    script_name="Cyrillic",
    # Typical press-release ratios with MarianMT: 0.95-1.25.
    length_band=(0.5, 2.0),
    scales=(
        ("тыс", 10**3),
        ("млн", 10**6),
        ("млрд", 10**9),
        ("трлн", 10**12),
        ("тысяч", 10**3),
        ("миллион", 10**6),
        ("миллиард", 10**9),
        ("триллион", 10**12),
    ),
    scale_regex=re.compile(r"\s*(тысяч|тыс|миллиард|миллион|триллион|млрд|млн|трлн)", re.IGNORECASE),
    native_acronym=re.compile(r"(?<!\w)[А-ЯЁ]{2,}(?!\w)"),
    morphology="russian",
)
