"""Alignment: summary sentences find the source sentences they draw on."""

from __future__ import annotations

from translate_sum.align import MAX_SUPPORTS, summary_segments, summary_support
from translate_sum.records import Segment

SOURCES = [
    Segment("t0", "title", 0, "Weidong signs cooperation agreement with SCO Secretariat"),
    Segment("p1s0", "body", 1, "The SCO Secretariat hosted a ceremony in Beijing on Friday."),
    Segment("p1s1", "body", 1, "Weidong will provide digital education resources to member states."),
    Segment("p2s0", "body", 2, "Tourism cooperation between the cities was also discussed."),
    Segment("c3", "caption", 3, "Photo: the signing ceremony in Beijing."),
]


def test_each_summary_sentence_points_at_the_sentence_it_restates():
    summary = [
        "Weidong will give digital education resources to the member states.",
        "Tourism cooperation between cities was discussed.",
    ]
    supports = summary_support(summary, SOURCES)
    assert [s[0].id for s in supports] == ["p1s1", "p2s0"]
    for support in supports:
        assert 1 <= len(support) <= MAX_SUPPORTS
        assert all(0 < s.score <= 1 for s in support)
        assert [s.score for s in support] == sorted((s.score for s in support), reverse=True)


def test_support_comes_from_body_sentences_only():
    # The title and the caption repeat the news; a reviewer is sent to the body.
    supports = summary_support(["Signing ceremony in Beijing with the SCO Secretariat."], SOURCES)
    assert {s.id for s in supports[0]} <= {"p1s0", "p1s1", "p2s0"}
    assert supports[0][0].id == "p1s0"


def test_a_summary_sentence_sharing_no_word_has_no_support():
    assert summary_support(["Zzz qqq xyzzy."], SOURCES) == [[]]


def test_summary_segments_are_numbered_after_the_source():
    segments = summary_segments(["First.", "Second."])
    assert [(s.id, s.kind, s.paragraph, s.en) for s in segments] == [
        ("s0", "summary", -1, "First."),
        ("s1", "summary", -1, "Second."),
    ]
