"""From a format's blocks (kind + text) to an ``Article``: metadata lines, repeated title, captions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from translate_sum.errors import ArticleError
from translate_sum.ingest.dates import Metadata, metadata_line
from translate_sum.ingest.endmatter import end_matter_start, split_dateline
from translate_sum.records import END_MATTER, PROSE_KINDS, Article, Paragraph

CAPTION_RE = re.compile(r"^\s*(?:Photo|Picture|Image|Caption)\s*[:：]", re.IGNORECASE)
_KICKER_WORDS = 6
# Blocks that play no part in finding the end matter: link lists (kept only inside it) and footnotes.
_ASIDE = ("links", "note")
# An end marker run on at the end of the last paragraph.
_TRAILING_MARKER = re.compile(r"(?<=[.!?”\"])\s+(enditem|###|# # #|-30-|\(END\))$", re.IGNORECASE)
# A byline before the body: "Company press service ·", "Press Office |" (a name and a separator).
_BYLINE = re.compile(r"^[^.!?·|•]{2,60}\s*[·|•]$")
# Metadata lines and a repeated title are looked for among the first few blocks after the title only.
_HEAD_BLOCKS = 4


@dataclass(frozen=True)
class Block:
    """One block as a format parser found it: ``kind`` is a ``Paragraph`` kind other than the title."""

    kind: str
    text: str


def build_article(
    path: Path, sha256: str, title: str, blocks: Iterable[Block], meta: Metadata | None = None
) -> Article:
    """The article from its title, blocks and what the format's own metadata said.

    Before the first body block, a line that is nothing but metadata (``Publish Time:…``,
    ``Published 28 August 2020 · Source: …``, ``Brussels, 3 March 2021``) fills in what ``meta``
    lacks and is dropped, and so are the title repeated as a block and a byline ("Company press
    service ·"); ``Photo:`` / ``Picture:`` blocks are captions. A wire dateline ("BEIJING, March 3,
    2021 /PRNewswire/ --") leaves the first body sentence for ``Article.place`` (its date is used
    when nothing else gave one). The release's end matter (``endmatter.end_matter_start``) is kind
    ``end_matter``; a ``links`` block (a list of links) is kept only there, under a "For more
    information" heading, and dropped anywhere else as navigation.
    """
    meta = meta or Metadata()
    title = " ".join(title.split())
    blocks = list(blocks)
    start = _repeated_title_end(blocks, title)
    for block in blocks[:start]:  # a date line among the kickers still counts
        if (found := metadata_line(" ".join(block.text.split()))) is not None:
            meta = _merge(meta, found)
    blocks = blocks[start:]
    kept: list[tuple[str, str]] = []
    place = None
    head = True
    for index, block in enumerate(blocks):
        text = " ".join(block.text.split())
        if not text:
            continue
        if head and index < _HEAD_BLOCKS and block.kind in ("body", "caption", "subheading"):
            found = metadata_line(text)
            if found is not None:
                meta = _merge(meta, found)
                continue
            if text == title or _BYLINE.match(text):
                continue
        prose_before = sum(k in PROSE_KINDS for k, _ in kept)
        # The dateline opens the first paragraph, or the second after a standfirst.
        if prose_before < 2 and block.kind == "body" and place is None and (line := split_dateline(text)):
            place, meta = line.place, _merge(meta, Metadata(date=line.date))
            if not line.rest:
                continue
            text = line.rest
        kind = "caption" if block.kind == "body" and CAPTION_RE.match(text) else block.kind
        head = head and kind not in PROSE_KINDS
        marker = _TRAILING_MARKER.search(text) if kind in PROSE_KINDS else None
        if marker:  # "… in 2022. Enditem": the marker is end matter of its own
            kept.append((kind, text[: marker.start()]))
            kept.append(("body", marker.group(1)))
        else:
            kept.append((kind, text))
    start = _nth_not_links(kept, end_matter_start([(k, t) for k, t in kept if k not in _ASIDE]))
    paragraphs = [Paragraph("title", title)]
    for index, (kind, text) in enumerate(kept):
        if index >= start and kind != "note":
            paragraphs.append(Paragraph(END_MATTER, text))
        elif kind != "links":
            paragraphs.append(Paragraph(kind, text))
    if not title:
        raise ArticleError(f"{path}: empty article (no text)")
    if not any(p.kind in PROSE_KINDS for p in paragraphs):
        raise ArticleError(f"{path}: no body text after the title")
    return Article(
        path=path,
        sha256=sha256,
        title=title,
        date=meta.date,
        source=meta.source,
        author=meta.author,
        paragraphs=tuple(paragraphs),
        place=place,
    )


def _repeated_title_end(blocks: list[Block], title: str) -> int:
    """The index after the headline's repeat near the top when only kicker, breadcrumb or date
    lines stand before it ("Media release" / the headline / the text), else 0."""
    for index, block in enumerate(blocks[:_HEAD_BLOCKS]):
        if " ".join(block.text.split()) == title:
            if all(len(b.text.split()) <= _KICKER_WORDS for b in blocks[:index]):
                return index + 1
            break
    return 0


def _nth_not_links(kept: list[tuple[str, str]], n: int) -> int:
    """The index in ``kept`` of its ``n``-th block that is not aside (``len(kept)`` past the end)."""
    seen = 0
    for index, (kind, _) in enumerate(kept):
        if kind not in _ASIDE:
            if seen == n:
                return index
            seen += 1
    return len(kept)


def _merge(known: Metadata, found: Metadata) -> Metadata:
    return replace(
        known,
        date=known.date or found.date,
        source=known.source or found.source,
        author=known.author or found.author,
    )
