"""Loading press releases from disk into ``Article`` records."""

from __future__ import annotations

import codecs
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

from translate_sum.errors import ArticleError
from translate_sum.records import Article, Paragraph

#: File types tsum reads; anything else in the input folder is skipped with a notice.
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")

# The seeds' metadata line: "Publish Time:2020-07-24     Article Source:Weidong Cloud Education".
_META_RE = re.compile(
    r"^\s*Publish\s*Time\s*[:：]\s*(?P<date>\S+)(?:\s+Article\s*Source\s*[:：]\s*(?P<source>.*?))?\s*$",
    re.IGNORECASE,
)
_CAPTION_RE = re.compile(r"^\s*(?:Photo|Picture|Image|Caption)\s*[:：]", re.IGNORECASE)
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "title", "tr", "section",
               "article", "header", "footer", "blockquote"}


def list_articles(folder: Path) -> tuple[list[Path], list[str]]:
    """Article files directly in ``folder`` (sorted), and notices about entries skipped.

    Symlinks are not followed: a link could point outside the input folder.
    """
    files: list[Path] = []
    notices: list[str] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            notices.append(f"{entry}: skipped, symbolic links are not followed")
        elif not entry.is_file():
            continue
        elif entry.suffix.lower() in ARTICLE_SUFFIXES:
            files.append(entry)
        elif entry.suffix.lower() not in (".tsv", ".csv", ".toml"):
            notices.append(f"{entry}: skipped, unknown file type (tsum reads {', '.join(ARTICLE_SUFFIXES)})")
    return files, notices


def load_article(path: Path) -> Article:
    """Read one article. Raises ArticleError naming the file and the problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read: {exc.strerror}") from None
    text = decode_text(data, path)
    if path.suffix.lower() in (".html", ".htm"):
        text = html_to_text(text)
    return parse_article(text, path, hashlib.sha256(data).hexdigest())


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is an error."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ArticleError(f"{path}: has a UTF-16 byte-order mark but is not valid UTF-16") from None
    if b"\x00" in data[:8192]:
        raise ArticleError(f"{path}: looks like a binary file (NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{path}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save it as UTF-8, e.g. `iconv -f latin1 -t utf-8`"
        ) from None


def parse_article(text: str, path: Path, sha256: str) -> Article:
    """Split decoded text into title, metadata, body paragraphs and captions."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [_clean_block(b) for b in re.split(r"\n\s*\n", text)]
    blocks = [b for b in blocks if b]
    if not blocks:
        raise ArticleError(f"{path}: empty article (no text)")
    first, *rest = blocks
    # A title is one line; whatever follows on the first block is body text.
    title_line, _, first_rest = first.partition("\n")
    title = _MD_HEADING_RE.sub("", title_line).strip()
    if first_rest.strip():
        rest.insert(0, first_rest.strip())

    date = source = None
    paragraphs: list[Paragraph] = [Paragraph("title", title)]
    for block in rest:
        meta = _META_RE.match(block) if date is None and len(paragraphs) == 1 else None
        if meta:
            date = meta.group("date")
            source = (meta.group("source") or "").strip() or None
            continue
        block_text = _MD_HEADING_RE.sub("", block).strip()
        # The second seed repeats its title as the first body line: that is not body text.
        if len(paragraphs) == 1 and block_text == title:
            continue
        kind = "caption" if _CAPTION_RE.match(block_text) else "body"
        paragraphs.append(Paragraph(kind, " ".join(block_text.split())))
    if not any(p.kind == "body" for p in paragraphs):
        raise ArticleError(f"{path}: no body text after the title")
    return Article(path=path, sha256=sha256, title=title, date=date, source=source, paragraphs=tuple(paragraphs))


def _clean_block(block: str) -> str:
    lines = [line.strip() for line in block.split("\n")]
    return "\n".join(line for line in lines if line)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page, one paragraph per block element; scripts and styles dropped."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)
