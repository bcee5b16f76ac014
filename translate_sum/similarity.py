"""Bag-of-words similarity: TF-IDF vectors and their cosine, shared by extractive summaries and alignment."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence


def tfidf_vectors(documents: Sequence[Sequence[str]]) -> list[Counter[str]]:
    """TF-IDF weights per document (smoothed IDF), as sparse Counters."""
    df: Counter[str] = Counter()
    for doc in documents:
        df.update(set(doc))
    n = len(documents)
    vectors = []
    for doc in documents:
        tf = Counter(doc)
        vectors.append(Counter({w: c * (math.log((1 + n) / (1 + df[w])) + 1) for w, c in tf.items()}))
    return vectors


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine similarity of two sparse vectors; 0.0 when either is empty."""
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0
