"""From a format's blocks (kind + text) to an ``Article``: metadata lines, repeated title, captions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from translate_sum.errors import ArticleError
from translate_sum.ingest.dates import Metadata, metadata_line
from translate_sum.records import PROSE_KINDS, Article, Paragraph

CAPTION_RE = re.compile(r"^\s*(?:Photo|Picture|Image|Caption)\s*[:：]", re.IGNORECASE)
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
    ``Published 28 August 2020 · Source: …``) fills in what ``meta`` lacks and is dropped, and so is
    the title repeated as a block; ``Photo:`` / ``Picture:`` blocks are captions.
    """
    meta = meta or Metadata()
    title = " ".join(title.split())
    paragraphs = [Paragraph("title", title)]
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
            if text == title:
                continue
        kind = "caption" if block.kind == "body" and CAPTION_RE.match(text) else block.kind
        head = head and kind not in PROSE_KINDS
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
    )


def _merge(known: Metadata, found: Metadata) -> Metadata:
    return replace(
        known,
        date=known.date or found.date,
        source=known.source or found.source,
        author=known.author or found.author,
    )
