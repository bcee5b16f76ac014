"""Word releases (.docx), read with python-docx: styles give the title, headings, lists and captions."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

from translate_sum.errors import ArticleError
from translate_sum.ingest.blocks import Block, build_article
from translate_sum.ingest.dates import Metadata
from translate_sum.records import Article

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_LIST_STYLE = re.compile(r"^list\b", re.IGNORECASE)


def settings() -> str:
    """What the Word reader does, for the fingerprint."""
    from importlib.metadata import version

    return (
        f"python-docx {version('python-docx')}: body paragraphs and tables in order, tracked insertions "
        "kept and deletions left out; headers, footers and comments are not article text"
    )


def parse_docx(data: bytes, path: Path, sha256: str) -> Article:
    """A Word release as an ``Article``.

    The title is the paragraph in the Title style, else the first heading, else the first line.
    Headings below it are subheadings, list paragraphs (a List style or Word numbering) items, the
    Caption style captions, each table row one paragraph of its cells joined by " · ". The date
    and source come from a metadata line in the text, else the document's properties (created;
    the company). Raises ArticleError for a file Word could not have written.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ArticleError(f"{path}: not a Word document (.docx) that can be read: {exc}") from None
    title = ""
    blocks: list[Block] = []
    styles = {s.style_id: s.name for s in document.styles}
    for element in document.element.body.iterchildren():
        if element.tag == f"{_W}p":
            kind, text = _paragraph(element, styles)
            if not text.strip():
                continue
            if kind == "title" and not title:
                title = text
            elif kind == "title":
                blocks.append(Block("subheading", text))
            else:
                blocks.append(Block(kind, text))
        elif element.tag == f"{_W}tbl":
            for row in element.iter(f"{_W}tr"):
                cells = [" ".join(_text(cell).split()) for cell in row.iter(f"{_W}tc")]
                if any(cells):
                    blocks.append(Block("body", " · ".join(c for c in cells if c)))
    if not title:
        # No Title style: the first paragraph, a heading or the first line of text.
        if not blocks:
            raise ArticleError(f"{path}: empty article (no text)")
        title = blocks.pop(0).text
    article = build_article(path, sha256, title, blocks)
    # The text's own date line wins: a document's creation date is often its template's.
    core = _core_metadata(document, data)
    return replace(
        article,
        date=article.date or core.date,
        source=article.source or core.source,
        author=article.author or core.author,
    )


def _paragraph(p, styles: dict[str, str]) -> tuple[str, str]:
    """(kind, text) of a ``w:p``: ``title``, ``subheading``, ``item``, ``caption`` or ``body``."""
    props = p.find(f"{_W}pPr")
    style_id = None
    numbered = False
    if props is not None:
        style = props.find(f"{_W}pStyle")
        style_id = style.get(f"{_W}val") if style is not None else None
        numbered = props.find(f"{_W}numPr") is not None
    name = (styles.get(style_id, style_id) if style_id else "") or ""
    text = _text(p)
    if name.lower() == "title":
        return "title", text
    if _HEADING.match(name) or name.lower() == "subtitle":
        return "subheading", text
    if name.lower() == "caption":
        return "caption", text
    if numbered or _LIST_STYLE.match(name):
        return "item", text
    return "body", text


def _text(element) -> str:
    """The visible text: runs and tracked insertions, not tracked deletions (``w:delText``);
    tabs and breaks as spaces."""
    parts: list[str] = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if any(a.tag == f"{_W}del" for a in node.iterancestors()):
            continue
        parts.append(node.text or "" if node.tag == f"{_W}t" else " ")
    return "".join(parts)


def _core_metadata(document, data: bytes) -> Metadata:
    props = document.core_properties
    created = props.created.date().isoformat() if props.created else None
    company = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            app = archive.read("docProps/app.xml").decode("utf-8", "replace")
        match = re.search(r"<(?:\w+:)?Company>([^<]+)</", app)
        company = match.group(1).strip() if match else None
    except (KeyError, zipfile.BadZipFile):
        pass
    return Metadata(date=created, source=company or None, author=(props.author or "").strip() or None)
