"""Markdown articles, parsed with markdown-it-py: front matter, headings, lists, quotes, plain text only."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from translate_sum.errors import ArticleError
from translate_sum.ingest.blocks import Block, build_article
from translate_sum.ingest.dates import Metadata, iso_date
from translate_sum.records import Article

#: What the Markdown reader does, recorded in each article's fingerprint.
SETTINGS = (
    "markdown-it-py commonmark + table, strikethrough, footnotes (mdit-py-plugins; definitions as notes); "
    "YAML front matter; HTML comments removed; inline HTML and code kept as text, HTML blocks as their "
    "text, table rows as cells joined by ' · '"
)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_SOURCE_KEYS = ("source", "publisher", "site", "site_name", "organization", "organisation")
_AUTHOR_KEYS = ("author", "authors", "byline")


def parse_markdown(text: str, path: Path, sha256: str) -> Article:
    """A Markdown release as an ``Article``; no Markdown syntax is left in any paragraph.

    The title is the front matter's ``title``, else the first heading, else the first line. Headings
    after it are subheadings, each list item its own paragraph, block quotes quotes, an image alone
    in a paragraph a caption (its alt text), a table row one paragraph of its cells; emphasis,
    strikethrough, links and images keep only their text.
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, title, text = _front_matter(text, path)
    # Comments go before parsing, so a paragraph that starts with one is still a paragraph.
    text = _COMMENT.sub("", text)
    blocks: list[Block] = []
    notes: list[Block] = []  # footnote definitions: kept, as notes, after the article
    in_note = False
    containers: list[str] = []  # open list items and block quotes, innermost last
    heading = False
    row: list[str] | None = None  # the cells of the table row being read
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)
    for token in parser.parse(text):
        if token.type in ("footnote_open", "footnote_close"):
            in_note = token.type == "footnote_open"
        elif in_note and token.type == "inline":
            notes.append(Block("note", _inline_text(token)[0]))
        elif in_note:
            continue
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            blocks.append(Block("body", " · ".join(cell for cell in row or [] if cell)))
            row = None
        elif token.type == "inline" and row is not None:
            row.append(_inline_text(token)[0])
        elif token.type in ("list_item_open", "blockquote_open"):
            containers.append(token.type)
        elif token.type in ("list_item_close", "blockquote_close"):
            containers.pop()
        elif token.type == "heading_open":
            heading = True
        elif token.type == "heading_close":
            heading = False
        elif token.type == "inline":
            content, image_only = _inline_text(token)
            if heading and not title and not blocks:
                title = content
            elif heading:
                blocks.append(Block("subheading", content))
            elif image_only:
                blocks.append(Block("caption", content))
            elif containers:
                kind = "item" if containers[-1] == "list_item_open" else "quote"
                blocks.append(Block(kind, content))
            else:
                blocks.append(Block("body", content))
        elif token.type in ("fence", "code_block"):
            # Kept, as one paragraph: an indented paragraph is more often an accident than code.
            blocks.append(Block("body", token.content))
        elif token.type == "html_block" and not token.content.lstrip().startswith("<!--"):
            blocks.append(Block("body", _TAGS.sub(" ", token.content)))
    blocks = [b for b in blocks + notes if b.text.strip()]
    if not title:
        if not blocks:
            raise ArticleError(f"{path}: empty article (no text)")
        # No heading: like a text file, the first line is the title.
        first, _, rest = blocks[0].text.partition("\n")
        title = first
        blocks[0:1] = [Block(blocks[0].kind, rest)] if rest.strip() else []
    return build_article(path, sha256, title, blocks, meta)


def _inline_text(token) -> tuple[str, bool]:
    """The text of an inline token, and whether it is nothing but an image."""
    parts: list[str] = []
    images = others = 0
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
            others += bool(child.content.strip())
        elif child.type == "image":
            parts.append(child.content)
            images += 1
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts).strip(), images > 0 and others == 0


def _front_matter(text: str, path: Path) -> tuple[Metadata, str, str]:
    """(metadata, title, the rest of the text) from a leading ``---`` YAML block, if any."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return Metadata(), "", text
    import yaml

    try:
        data = yaml.safe_load(match.group("yaml"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise ArticleError(f"{path}: the front matter is not valid YAML{where}") from None
    if not isinstance(data, dict):
        return Metadata(), "", text  # a "---" rule, not front matter
    data = {str(k).lower(): v for k, v in data.items()}
    return (
        Metadata(
            date=_date(data.get("date") or data.get("published")),
            source=_first_text(data, _SOURCE_KEYS),
            author=_first_text(data, _AUTHOR_KEYS),
        ),
        _plain(data.get("title")),
        text[match.end() :],
    )


def _date(value) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return iso_date(str(value)) if value is not None else None


def _first_text(data: dict, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            value = ", ".join(_plain(v) for v in value if _plain(v))
        if _plain(value):
            return _plain(value)
    return None


def _plain(value) -> str:
    return " ".join(str(value).split()) if isinstance(value, str | int | float) else ""
