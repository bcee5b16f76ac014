"""Token-shingle F1 of an extracted article body against the expected one (the metric of the
Zyte/Scrapinghub article-extraction-benchmark): precision and recall over 4-token shingles."""

from __future__ import annotations

import re
from collections import Counter

SHINGLE = 4


def shingles(text: str, n: int = SHINGLE) -> Counter:
    """Multiset of the lower-cased word n-grams of ``text`` (the whole text when it is shorter)."""
    tokens = re.findall(r"\w+", text.lower())
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def precision_recall_f1(extracted: str, expected: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of ``extracted`` against ``expected``; 1.0 each when both are empty."""
    got, want = shingles(extracted), shingles(expected)
    if not got and not want:
        return 1.0, 1.0, 1.0
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
