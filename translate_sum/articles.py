"""Loading press releases from disk into ``Article`` records."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import unicodedata
from collections import Counter
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
# Enough text to tell an article's script and language; a 5 MB article needs no more.
_LANGUAGE_SAMPLE_CHARS = 50_000
# Words frequent in any English prose and rare in other Latin-script languages ("a", "on", "as"
# are left out: French, Spanish and Portuguese use them too).
_ENGLISH_WORDS = frozenset(
    {
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "was",
        "that",
        "for",
        "with",
        "by",
        "at",
        "from",
        "this",
        "it",
        "are",
        "be",
        "has",
        "have",
        "had",
        "were",
        "which",
        "will",
        "said",
        "its",
        "their",
        "not",
        "but",
        "also",
        "been",
        "or",
        "he",
        "she",
        "they",
        "we",
        "would",
        "after",
        "who",
        "his",
        "her",
        "our",
        "than",
        "more",
        "into",
        "about",
        "other",
        "over",
        "such",
        "these",
        "those",
        "all",
        "can",
        "may",
        "should",
        "during",
        "between",
        "under",
        "new",
    }
)
_WORD_RE = re.compile(r"[^\W\d_]+")
_SCRIPT_NAMES = {
    "CJK": "CJK (Chinese or Japanese)",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
    "CYRILLIC": "Cyrillic (e.g. Russian)",
}
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "figcaption",
    "title",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "blockquote",
}


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
            notices.append(f"{display_path(entry)}: skipped, symbolic links are not followed")
        elif not entry.is_file():
            continue
        elif entry.suffix.lower() in ARTICLE_SUFFIXES:
            files.append(entry)
        elif entry.suffix.lower() not in (".tsv", ".csv", ".toml"):
            known = ", ".join(ARTICLE_SUFFIXES)
            notices.append(f"{display_path(entry)}: skipped, unknown file type (tsum reads {known})")
    return files, notices


def display_path(path: Path) -> str:
    """``path`` as text that can always be printed and written as UTF-8: undecodable bytes in a
    file name show as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def load_article(path: Path) -> Article:
    """Read one English article. Raises ArticleError naming the file and the problem."""
    shown = display_path(path)
    if shown != str(path):
        # Its name could not be written into the manifest, the index or a message as UTF-8.
        raise ArticleError(f"{shown}: the file name is not valid UTF-8; rename the file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read: {exc.strerror}") from None
    text = decode_text(data, path)
    if path.suffix.lower() in (".html", ".htm"):
        text = html_to_text(text)
    article = parse_article(text, path, hashlib.sha256(data).hexdigest())
    check_english(article)
    return article


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), or UTF-16/UTF-32 marked by a BOM; anything else is an error."""
    for boms, encoding in (
        ((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "utf-32"),
        ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16"),
    ):
        if data.startswith(boms):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ArticleError(
                    f"{path}: has a {encoding.upper()} byte-order mark but is not valid {encoding.upper()}"
                ) from None
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 of Latin text: a NUL in (nearly) every other byte, and almost none in between.
        even, odd, half = head[0::2].count(0), head[1::2].count(0), len(head) / 2
        if max(even, odd) > 0.9 * half and min(even, odd) < 0.1 * half:
            encoding = "utf-16le" if odd > even else "utf-16be"
            raise ArticleError(
                f"{path}: looks like UTF-16 text without a byte-order mark; re-save it as "
                f"UTF-8, e.g. `iconv -f {encoding} -t utf-8`"
            )
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
    return Article(
        path=path, sha256=sha256, title=title, date=date, source=source, paragraphs=tuple(paragraphs)
    )


def check_english(article: Article) -> None:
    """Raise ArticleError unless ``article`` looks English, naming what it looks like instead.

    The models translate from English only. Two cheap tests, no language model: at least half of
    the letters must be Latin script, and once there are 40 words at least 5% of them must be common
    English words (the, of, and …); English prose has 30–40%, French, German or Spanish under 3%.
    """
    text = " ".join(p.text for p in article.paragraphs)[:_LANGUAGE_SAMPLE_CHARS]
    scripts = Counter(unicodedata.name(c, "?").split(" ")[0] for c in text if c.isalpha())
    letters = sum(scripts.values())
    if letters and scripts["LATIN"] * 2 < letters:
        script, count = scripts.most_common(1)[0]
        raise ArticleError(
            f"{article.path}: not English: {count * 100 // letters}% of its letters are "
            f"{_SCRIPT_NAMES.get(script, script.title())} script; tsum translates English articles only"
        )
    words = [w.lower() for w in _WORD_RE.findall(text)]
    english = sum(w in _ENGLISH_WORDS for w in words)
    if len(words) >= 40 and english * 20 < len(words):
        raise ArticleError(
            f"{article.path}: not English: only {english} of its {len(words)} words are common English words "
            "(the, of, and …); tsum translates English articles only"
        )


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
