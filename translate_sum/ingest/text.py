"""Plain-text articles: the first line is the title, blank lines separate paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from translate_sum.errors import ArticleError
from translate_sum.ingest.blocks import Block, build_article
from translate_sum.records import Article

# A "#" heading marker in a .txt file: the title, or a subheading further down.
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")


def parse_text(text: str, path: Path, sha256: str) -> Article:
    """Split decoded text into title, metadata, paragraphs and captions."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = [_clean_chunk(c) for c in re.split(r"\n\s*\n", text)]
    chunks = [c for c in chunks if c]
    if not chunks:
        raise ArticleError(f"{path}: empty article (no text)")
    first, *rest = chunks
    # A title is one line; whatever follows on the first chunk is body text.
    title_line, _, first_rest = first.partition("\n")
    if first_rest.strip():
        rest.insert(0, first_rest.strip())
    blocks = [
        Block("subheading", _HEADING_RE.sub("", chunk)) if _HEADING_RE.match(chunk) else Block("body", chunk)
        for chunk in rest
    ]
    return build_article(path, sha256, _HEADING_RE.sub("", title_line).strip(), blocks)


def _clean_chunk(chunk: str) -> str:
    lines = [line.strip() for line in chunk.split("\n")]
    return "\n".join(line for line in lines if line)
