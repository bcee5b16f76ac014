"""Arabic: right to left, Arabic number scales (مليون, مليار), and the one-letter proclitics (و, ف, ب,
ك, ل) that may be written glued to a glossary form ("وشنغهاي" is "and Shanghai")."""

from __future__ import annotations

import re

from translate_sum.languages.base import WORD_CHARS, Language
from translate_sum.languages.scripts import letters

AR = Language(
    code="ar",
    tag="ar",
    name="Arabic",
    script="Arab",
    direction="rtl",
    summary_heading="ملخص",
    native_letters=re.compile(f"[{letters('Arab')}]"),
    script_name="Arabic script",
    scales=(
        ("ألف", 10**3),
        ("آلاف", 10**3),
        ("مليون", 10**6),
        ("ملايين", 10**6),
        ("مليار", 10**9),
        ("مليارات", 10**9),
        ("تريليون", 10**12),
    ),
    scale_regex=re.compile(r"\s*(مليارات|ملايين|مليون|مليار|تريليون|آلاف|ألف)"),
    word_chars=WORD_CHARS + letters("Arab"),
    proclitics=("و", "ف", "ب", "ك", "ل"),
)
