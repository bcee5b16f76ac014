"""Alignment: summary sentences find the source sentences they draw on; records keep source order."""

from __future__ import annotations

import pytest

from translate_sum.align import MAX_SUPPORTS, align, summary_segments, summary_support
from translate_sum.records import Segment, Support

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


@pytest.mark.parametrize("with_summary", [False, True])
def test_align_keeps_order_and_attaches_supports_to_summary_only(with_summary):
    summary = summary_segments(["Weidong gives education resources."]) if with_summary else []
    supports = {"s0": [Support("p1s1", 0.8)]} if with_summary else {}
    records = align(SOURCES + summary, supports)
    assert [r.id for r in records] == [s.id for s in SOURCES + summary]
    assert [(r.kind, r.paragraph, r.en) for r in records] == [
        (s.kind, s.paragraph, s.en) for s in SOURCES + summary
    ]
    assert all(r.translations == {} and r.flags == [] for r in records)
    assert [r.support for r in records if r.kind != "summary"] == [[]] * len(SOURCES)
    if with_summary:
        assert records[-1].support == [Support("p1s1", 0.8)]
        assert records[-1].support is not supports["s0"]  # a copy: later stages cannot edit the input
