"""Plain-text articles: the first line is the title, blank lines separate paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from translate_sum.errors import ArticleError
from translate_sum.ingest.blocks import Block, build_article
from translate_sum.records import Article

# A "#" heading marker in a .txt file: the title, or a subheading further down ("# Title #" too).
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_CLOSING_HASHES = re.compile(r"\s+#+\s*$")
# A list item: "- ", "* ", "• ", "1. " or "1) " at the start of a line.
_ITEM_RE = re.compile(r"^(?:[-*•]|\d{1,3}[.)])\s+(?=\S)")


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
    blocks: list[Block] = []
    for chunk in rest:
        if _HEADING_RE.match(chunk) and "\n" not in chunk:
            blocks.append(Block("subheading", _heading(chunk)))
        elif any(_ITEM_RE.match(line) for line in chunk.split("\n")):
            blocks.extend(_list_blocks(chunk))
        else:
            blocks.append(Block("body", chunk))
    return build_article(
        path, sha256, _heading(title_line) if _HEADING_RE.match(title_line) else title_line.strip(), blocks
    )


def _heading(line: str) -> str:
    return _CLOSING_HASHES.sub("", _HEADING_RE.sub("", line)).strip()


def _list_blocks(chunk: str) -> list[Block]:
    """A chunk with list lines: each item its own block (a line that is not an item continues the
    one before it); lines before the first item are a paragraph."""
    blocks: list[Block] = []
    for line in chunk.split("\n"):
        if _ITEM_RE.match(line):
            blocks.append(Block("item", _ITEM_RE.sub("", line)))
        elif blocks:
            blocks[-1] = Block(blocks[-1].kind, f"{blocks[-1].text} {line}")
        else:
            blocks.append(Block("body", line))
    return blocks


def _clean_chunk(chunk: str) -> str:
    lines = [line.strip() for line in chunk.split("\n")]
    return "\n".join(line for line in lines if line)
