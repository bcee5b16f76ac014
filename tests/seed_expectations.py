"""What the two seed articles hold, written by hand from the files (never by running tsum's code), for
tests that check segmentation results without using the segmenter as their own oracle."""

from __future__ import annotations

import re
from pathlib import Path

#: The first segments of each seed, as a reader cuts them: (id, kind, English text).
FIRST_SEGMENTS = {
    "000_828caea308506d00.txt": [
        ("t0", "title", "The Deputy Secretary-General of the SCO visited Weidong"),
    ],
    "001_a2e7129abcaddcf3.txt": [
        ("t0", "title", "President of the Weidong Group visits SCO Secretariat"),
        (
            "p1s0",
            "body",
            "On 10 April, SCO Secretary-General Vladimir Norov met with President of the Weidong Cloud "
            "Education Group Wang Duanrui.",
        ),
        (
            "p2s0",
            "body",
            "The parties discussed the situation with the spread of the coronavirus in the world.",
        ),
        (
            "p2s1",
            "body",
            "The Secretary-General noted that the fight against COVID-19 in China is approaching its final "
            "stage due to the courage and perseverance of the Chinese people, as well as the timely and "
            "comprehensive measures taken by the PRC leadership.",
        ),
    ],
}
#: The photo captions of 000, each a segment of its own.
CAPTIONS = {
    "000_828caea308506d00.txt": [
        ("c3", "caption", "Photo: Meeting scene"),
        ("c4", "caption", "Picture: Group photo of both sides on the official website of SCO"),
    ],
    "001_a2e7129abcaddcf3.txt": [],
}
_ID = re.compile(r"t0|c\d+|p\d+s\d+")


def body_paragraphs(path: Path) -> list[str]:
    """001's body paragraphs as the file has them (blank-line separated, after the repeated title)."""
    blocks = [" ".join(b.split()) for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return blocks[2:]


def check_segments(name: str, path: Path, segments: list[tuple[str, str, str]]) -> None:
    """``segments`` (id, kind, en) of the seed ``name`` against the hand-written expectations."""
    assert all(_ID.fullmatch(i) for i, _, _ in segments), segments
    assert len({i for i, _, _ in segments}) == len(segments)
    assert segments[: len(FIRST_SEGMENTS[name])] == FIRST_SEGMENTS[name]
    assert [s for s in segments if s[1] == "caption"] == CAPTIONS[name]
    if name.startswith("001"):
        # Cutting into sentences loses nothing: each paragraph's sentences, joined, are the paragraph.
        joined: dict[int, list[str]] = {}
        for seg_id, kind, en in segments:
            if kind == "body":
                joined.setdefault(int(seg_id[1:].split("s")[0]), []).append(en)
        assert [" ".join(v) for _, v in sorted(joined.items())] == body_paragraphs(path)
