"""Where glossary terms sit in each column of a segment, for highlighting in ``review.html``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from translate_sum.records import AlignedSegment, TermHit
from translate_sum.render._html import esc

# The worst status wins when one English span has hits in several languages.
_STATUS_RANK = {"kept": 0, "enforced": 1, "flagged": 2}


@dataclass(frozen=True)
class TermSpan:
    start: int
    end: int
    title: str
    status: str


def _status_class(status: str) -> str:
    return status if status in _STATUS_RANK else "other"


def _entry_title(hits: list[TermHit]) -> str:
    targets = " / ".join(f"{h.lang}: {h.target}" for h in hits)
    statuses = ", ".join(f"{h.lang} {h.status}" for h in hits)
    return f"entry: {hits[0].en} → {targets} · {statuses}"


def _source_range(en: str, hit: TermHit) -> tuple[int, int] | None:
    """The hit's own offsets, when they hold its surface; never a guess at another occurrence."""
    if 0 <= hit.start < hit.end <= len(en) and en[hit.start : hit.end] == hit.surface:
        return hit.start, hit.end
    return None


def _non_overlapping(spans: list[TermSpan]) -> list[TermSpan]:
    kept: list[TermSpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept


def term_spans(segment: AlignedSegment, lang: str) -> list[TermSpan]:
    """Sorted, non-overlapping term spans in the ``lang`` column ("en" = source, by offsets)."""
    by_entry: dict[str, list[TermHit]] = {}
    for hit in segment.terms:
        by_entry.setdefault(hit.en, []).append(hit)
    spans: list[TermSpan] = []
    if lang == "en":
        by_range: dict[tuple[int, int], list[TermHit]] = {}
        for hit in segment.terms:
            if (where := _source_range(segment.en, hit)) is not None:
                by_range.setdefault(where, []).append(hit)
        for (start, end), hits in by_range.items():
            worst = max((h.status for h in hits), key=lambda s: _STATUS_RANK.get(s, -1))
            spans.append(TermSpan(start, end, _entry_title(by_entry[hits[0].en]), _status_class(worst)))
        return _non_overlapping(spans)
    text = segment.translations.get(lang, "")
    cursor: dict[str, int] = {}
    for hit in segment.terms:
        if hit.lang != lang or not hit.target:
            continue
        # Two hits of one entry mark two successive occurrences of its target form.
        at = text.find(hit.target, cursor.get(hit.target, 0))
        if at < 0:
            continue
        cursor[hit.target] = at + len(hit.target)
        spans.append(
            TermSpan(at, at + len(hit.target), _entry_title(by_entry[hit.en]), _status_class(hit.status))
        )
    return _non_overlapping(spans)


def marked_html(text: str, spans: list[TermSpan], escape: Callable[[str], str] = esc) -> str:
    """``text`` escaped (by ``escape``), with each span wrapped in ``<mark class="term …" title="…">``."""
    out, pos = [], 0
    for span in spans:
        out.append(escape(text[pos : span.start]))
        out.append(
            f'<mark class="term term-{span.status}" title="{esc(span.title)}">'
            f"{escape(text[span.start : span.end])}</mark>"
        )
        pos = span.end
    out.append(escape(text[pos:]))
    return "".join(out)


# A left-to-right run inside right-to-left text: Latin words and numbers, with the spaces and marks
# between them ("COVID-19", "Xi Jinping", "1,250.5", "10:30"), starting and ending with a letter or digit.
_LTR_CHAR = "0-9A-Za-z\u00c0-\u024f"
_LTR_WORD = f"[{_LTR_CHAR}](?:[{_LTR_CHAR}.,'’&+/:%-]*[{_LTR_CHAR}%])?"
_LTR_RUN = re.compile(f"{_LTR_WORD}(?: +{_LTR_WORD})*")


def isolated_html(text: str) -> str:
    """``text`` escaped, each left-to-right run (Latin names, numbers) in ``<bdi dir="ltr">``: inside
    right-to-left text its neutral marks and neighbours then cannot reorder it ("COVID-19", "2,5 مليون")."""
    out, pos = [], 0
    for m in _LTR_RUN.finditer(text):
        out += [esc(text[pos : m.start()]), f'<bdi dir="ltr">{esc(m.group())}</bdi>']
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)
