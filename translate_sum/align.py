"""Alignment of summary and source: the source sentences each summary sentence draws on."""

from __future__ import annotations

from collections.abc import Sequence

from translate_sum.records import PROSE_KINDS, Segment, Support
from translate_sum.segment import words
from translate_sum.similarity import cosine, tfidf_vectors

#: Supports below this similarity are noise, not evidence.
MIN_SUPPORT = 0.1
MAX_SUPPORTS = 3


def summary_support(summary: Sequence[str], sources: Sequence[Segment]) -> list[list[Support]]:
    """For each summary sentence, the source sentences it draws on, best first, with TF-IDF cosine scores.

    Every summary sentence gets at least its best match, so a reviewer always has somewhere to look.
    """
    candidates = [s for s in sources if s.kind in PROSE_KINDS] or list(sources)
    vectors = tfidf_vectors([words(s.en) for s in candidates] + [words(s) for s in summary])
    source_vectors, summary_vectors = vectors[: len(candidates)], vectors[len(candidates) :]
    supports = []
    for vector in summary_vectors:
        scored = sorted(
            ((cosine(vector, sv), seg.id) for sv, seg in zip(source_vectors, candidates, strict=True)),
            key=lambda pair: -pair[0],
        )
        kept = [
            Support(seg_id, round(min(1.0, score), 4))
            for score, seg_id in scored[:MAX_SUPPORTS]
            if score >= MIN_SUPPORT
        ]
        if not kept and scored and scored[0][0] > 0:
            kept = [Support(scored[0][1], round(min(1.0, scored[0][0]), 4))]
        supports.append(kept)
    return supports


def summary_segments(summary: Sequence[str]) -> list[Segment]:
    """Summary sentences as segments ``s0``, ``s1`` …"""
    return [Segment(id=f"s{i}", kind="summary", paragraph=-1, en=text) for i, text in enumerate(summary)]
