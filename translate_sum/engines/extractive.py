"""The extractive summarizer: the sentences closest to the article's TF-IDF centroid. Needs no weights."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from translate_sum.engines.base import Progress, Summarizer
from translate_sum.segment import words
from translate_sum.similarity import cosine, tfidf_vectors


class ExtractiveSummarizer(Summarizer):
    """Centroid selection: the sentences closest to the article's TF-IDF centroid."""

    def __init__(self, sentences: int = 3) -> None:
        self.count = sentences

    def describe(self) -> dict[str, Any]:
        return {"engine": "extractive", "method": "tf-idf centroid", "sentences": self.count}

    def summarize(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        vectors = tfidf_vectors([words(s) for s in sentences])
        centroid: Counter[str] = Counter()
        for vector in vectors:
            centroid.update(vector)
        scores = [cosine(v, centroid) for v in vectors]
        # A small lead bonus: press releases put the news first.
        ranked = sorted(range(len(sentences)), key=lambda i: -(scores[i] + 0.05 / (1 + i)))
        chosen = sorted(ranked[: self.count])
        if progress:
            progress(1)
        return [sentences[i] for i in chosen]
