"""PDF releases, read with pdfplumber (pdfminer.six): words with their font sizes and positions,
rebuilt into lines, columns and paragraphs."""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from translate_sum.errors import ArticleError
from translate_sum.ingest.blocks import Block, build_article
from translate_sum.records import Article

# Lines this close vertically (points) are one line; a word this far into the other half crosses it.
_LINE_TOLERANCE = 2.5
# The top and bottom share of a page where running headers, footers and page numbers stand.
_MARGIN = 0.1
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I)
_HYPHENATED = re.compile(r"[^\W\d_]-$")
# A paragraph starts where the gap to the line above is this many times the usual gap.
_PARAGRAPH_GAP = 1.4
_HEADING_SIZE = 1.15  # times the body text's size
_CAPTION_SIZE = 0.92
_HEADING_WORDS = 14
_GUTTER = 9.0  # points: a gap between columns is wider than a space between words


def settings() -> str:
    """What the PDF reader does, for the fingerprint."""
    from importlib.metadata import version

    return (
        f"pdfplumber {version('pdfplumber')}: one or two columns, running headers/footers and page "
        f"numbers removed, hyphenation joined, paragraphs from line spacing (x{_PARAGRAPH_GAP}), title "
        "from the largest font on page 1"
    )


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    bold: bool
    text: str


def parse_pdf(data: bytes, path: Path, sha256: str) -> Article:
    """A PDF release as an ``Article``: the title from the largest font on page 1, subheadings from
    larger (or bold, short) lines, captions from smaller lines under an image, the rest paragraphs
    in reading order. Raises ArticleError for an unreadable PDF or one without a text layer."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_lines(page, n) for n, page in enumerate(pdf.pages)]
            heights = [float(page.height) for page in pdf.pages]
            info = pdf.metadata or {}
    except (PDFSyntaxError, PdfminerException, ValueError, KeyError) as exc:
        raise ArticleError(f"{path}: not a PDF that can be read ({type(exc).__name__}: {exc})") from None
    if not any(lines for lines, _ in pages):
        raise ArticleError(
            f"{path}: the PDF has no text layer (a scanned document?); tsum does not read text from "
            "images: run OCR on it first (e.g. ocrmypdf), or save the release as text"
        )
    running = _running_lines([lines for lines, _ in pages], heights)
    every = [line for page_lines, _ in pages for line in page_lines]
    body_size = Counter(round(line.size, 1) for line in every for _ in line.text.split()).most_common(1)[0][0]
    lines = [
        line
        for (page_lines, _), height in zip(pages, heights, strict=True)
        for line in page_lines
        if not _is_chrome(line, height, running, body_size)
    ]
    if not lines:
        raise ArticleError(f"{path}: empty article (no text)")
    images = {n: boxes for n, (_, boxes) in enumerate(pages)}
    first_page = [line for line in lines if line.page == lines[0].page]
    biggest = max(line.size for line in first_page)
    title_lines: list[_Line] = []
    if biggest > body_size * 1.05:
        start = next(i for i, line in enumerate(lines) if line.size == biggest)
        end = start
        while (
            end + 1 < len(lines)
            and lines[end + 1].size == biggest
            and lines[end + 1].page == lines[start].page
        ):
            end += 1
        title_lines = lines[start : end + 1]
        lines = lines[:start] + lines[end + 1 :]
    blocks = _blocks(lines, body_size, images)
    if title_lines:
        title = " ".join(line.text for line in title_lines)
    else:  # one size throughout: the first line, like a text file
        first = blocks.pop(0)
        title, _, rest = first.text.partition(". ")
        if rest:
            blocks.insert(0, Block(first.kind, rest))
    article = build_article(path, sha256, title, blocks)
    # Not the file's CreationDate: printing an old release to PDF gives it today's.
    author = str(info.get("Author") or "").strip() or None
    return replace(article, author=article.author or author)


def _page_lines(page, number: int) -> tuple[list[_Line], list[tuple[float, float, float, float]]]:
    """The page's lines in reading order (columns one after the other), and its images' boxes."""
    words = page.extract_words(extra_attrs=["size", "fontname"], keep_blank_chars=False, use_text_flow=False)
    images = [(float(i["x0"]), float(i["top"]), float(i["x1"]), float(i["bottom"])) for i in page.images]
    if not words:
        return [], images
    rows = _rows(words)
    gutter = _gutter(rows, float(page.width))
    lines: list[_Line] = []
    section: list[list[dict]] = []  # rows between two full-width rows, when there are columns

    def flush() -> None:
        left = [[w for w in row if w["x1"] <= gutter] for row in section]
        right = [[w for w in row if w["x0"] >= gutter] for row in section]
        lines.extend(_line(row, number) for row in left + right if row)
        section.clear()

    for row in rows:
        if gutter is None:
            lines.append(_line(row, number))
        elif _gap_at(row, gutter) < _GUTTER and not _one_side(row, gutter):
            flush()  # a full-width row (a headline over both columns): read in its place
            lines.append(_line(row, number))
        else:
            section.append(row)
    if section:
        flush()
    return lines, images


def _rows(words: list[dict]) -> list[list[dict]]:
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(float(w["top"]), 1), float(w["x0"]))):
        if rows and abs(float(word["top"]) - float(rows[-1][0]["top"])) <= _LINE_TOLERANCE:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: float(w["x0"])) for row in rows]


def _gutter(rows: list[list[dict]], width: float) -> float | None:
    """The x of a gap between two columns that few rows cross, with text on both sides of it (in the
    same rows or, when the columns' lines are not aligned, in rows of their own); None for one column."""
    best, best_crossing = None, len(rows)
    least = max(3, len(rows) // 5)
    for step in range(int(width * 0.3), int(width * 0.7), 2):
        x = float(step)
        crossing = sum(any(float(w["x0"]) < x < float(w["x1"]) for w in row) for row in rows)
        split = sum(_gap_at(row, x) >= _GUTTER for row in rows)
        left = sum(all(float(w["x1"]) <= x for w in row) for row in rows)
        right = sum(all(float(w["x0"]) >= x for w in row) for row in rows)
        if left + split >= least and right + split >= least and crossing < best_crossing:
            best, best_crossing = x, crossing
    if best is None or best_crossing > len(rows) * 0.25:
        return None
    return best


def _one_side(row: list[dict], x: float) -> bool:
    return all(float(w["x1"]) <= x for w in row) or all(float(w["x0"]) >= x for w in row)


def _gap_at(row: list[dict], x: float) -> float:
    left = [float(w["x1"]) for w in row if float(w["x1"]) <= x]
    right = [float(w["x0"]) for w in row if float(w["x0"]) >= x]
    return min(right) - max(left) if left and right else 0.0


def _line(row: list[dict], page: int) -> _Line:
    sizes = Counter(round(float(w["size"]), 1) for w in row)
    return _Line(
        page=page,
        top=min(float(w["top"]) for w in row),
        bottom=max(float(w["bottom"]) for w in row),
        x0=min(float(w["x0"]) for w in row),
        x1=max(float(w["x1"]) for w in row),
        size=sizes.most_common(1)[0][0],
        bold=all("bold" in str(w.get("fontname", "")).lower() for w in row),
        text=" ".join(w["text"] for w in row),
    )


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _running_lines(pages: list[list[_Line]], heights: list[float]) -> set[str]:
    """Lines in the top or bottom margin that repeat on most pages (digits aside): running heads."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines, height in zip(pages, heights, strict=True):
        keys = {_key(line.text) for line in lines if _in_margin(line, height)}
        counts.update(keys)
    return {key for key, n in counts.items() if n >= max(2, (len(pages) + 1) // 2)}


def _in_margin(line: _Line, height: float) -> bool:
    return line.bottom <= height * _MARGIN or line.top >= height * (1 - _MARGIN)


def _is_chrome(line: _Line, height: float, running: set[str], body_size: float) -> bool:
    if not _in_margin(line, height):
        return False
    # Small print in the margins is a running head even on a one-page release.
    small = line.size < body_size * _CAPTION_SIZE
    return small or _key(line.text) in running or bool(_PAGE_NUMBER.match(line.text.strip()))


def _blocks(lines: list[_Line], body_size: float, images: dict[int, list]) -> list[Block]:
    """Paragraphs from lines: a new one at a wider gap than usual, a change of size, a new column or page."""
    gaps = [
        b.top - a.bottom
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and b.top - a.bottom >= 0 and a.size == b.size == body_size
    ]
    usual = statistics.median(gaps) if gaps else body_size * 0.3
    paragraphs: list[list[_Line]] = []
    for line in lines:
        if paragraphs and _continues(paragraphs[-1][-1], line, usual):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return [_block(p, body_size, images) for p in paragraphs]


def _continues(previous: _Line, line: _Line, usual: float) -> bool:
    """Whether ``line`` goes on with the paragraph that ``previous`` ends."""
    if abs(line.size - previous.size) >= 0.5 or line.bold != previous.bold:
        return False
    if line.page == previous.page and line.top > previous.top:
        return line.top - previous.bottom <= usual * _PARAGRAPH_GAP + 0.5
    # The next column or page goes on with the paragraph unless the last line ended a sentence.
    return not re.search(r"[.!?:]['\"”’)]?$", previous.text)


def _block(lines: list[_Line], body_size: float, images: dict[int, list]) -> Block:
    text = lines[0].text
    for line in lines[1:]:
        if _HYPHENATED.search(text) and line.text[:1].islower():
            text = text[:-1] + line.text  # "informa-" + "tion"
        else:
            text = f"{text} {line.text}"
    first = lines[0]
    short = len(text.split()) <= _HEADING_WORDS and not re.search(r"[.!?]$", text)
    if (
        first.size >= body_size * _HEADING_SIZE
        and short
        or (first.bold and short and first.size >= body_size)
    ):
        return Block("subheading", text)
    if first.size <= body_size * _CAPTION_SIZE and _under_image(first, images.get(first.page, [])):
        return Block("caption", text)
    return Block("body", text)


def _under_image(line: _Line, boxes: list) -> bool:
    return any(0 <= line.top - bottom <= 30 and x0 - 20 <= line.x0 <= x1 for x0, _, x1, bottom in boxes)
