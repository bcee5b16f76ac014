"""A cheap check that an article is English, before any model sees it."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from translate_sum.errors import ArticleError
from translate_sum.records import Article

# Enough text to tell an article's script and language; a 5 MB article needs no more.
_LANGUAGE_SAMPLE_CHARS = 50_000
# Words frequent in any English prose and rare in other Latin-script languages ("a", "on", "as"
# are left out: French, Spanish and Portuguese use them too).
_ENGLISH_WORDS = frozenset(
    {
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "was",
        "that",
        "for",
        "with",
        "by",
        "at",
        "from",
        "this",
        "it",
        "are",
        "be",
        "has",
        "have",
        "had",
        "were",
        "which",
        "will",
        "said",
        "its",
        "their",
        "not",
        "but",
        "also",
        "been",
        "or",
        "he",
        "she",
        "they",
        "we",
        "would",
        "after",
        "who",
        "his",
        "her",
        "our",
        "than",
        "more",
        "into",
        "about",
        "other",
        "over",
        "such",
        "these",
        "those",
        "all",
        "can",
        "may",
        "should",
        "during",
        "between",
        "under",
        "new",
    }
)
_WORD_RE = re.compile(r"[^\W\d_]+")
_SCRIPT_NAMES = {
    "CJK": "CJK (Chinese or Japanese)",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
    "CYRILLIC": "Cyrillic (e.g. Russian)",
}


def check_english(article: Article) -> None:
    """Raise ArticleError unless ``article`` looks English, naming what it looks like instead.

    The models translate from English only. Two cheap tests, no language model: at least half of
    the letters must be Latin script, and once there are 40 words at least 5% of them must be common
    English words (the, of, and …); English prose has 30–40%, French, German or Spanish under 3%.
    """
    text = " ".join(p.text for p in article.paragraphs)[:_LANGUAGE_SAMPLE_CHARS]
    scripts = Counter(unicodedata.name(c, "?").split(" ")[0] for c in text if c.isalpha())
    letters = sum(scripts.values())
    if letters and scripts["LATIN"] * 2 < letters:
        script, count = scripts.most_common(1)[0]
        raise ArticleError(
            f"{article.path}: not English: {count * 100 // letters}% of its letters are "
            f"{_SCRIPT_NAMES.get(script, script.title())} script; tsum translates English articles only"
        )
    words = [w.lower() for w in _WORD_RE.findall(text)]
    english = sum(w in _ENGLISH_WORDS for w in words)
    if len(words) >= 40 and english * 20 < len(words):
        raise ArticleError(
            f"{article.path}: not English: only {english} of its {len(words)} words are common English words "
            "(the, of, and …); tsum translates English articles only"
        )
