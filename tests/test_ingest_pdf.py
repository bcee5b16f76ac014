"""PDF releases: generated here with reportlab (one and two columns, running heads, hyphenation)."""

from __future__ import annotations

import io
import textwrap

import pytest

from translate_sum.errors import ArticleError
from translate_sum.ingest import load_article

TITLE = "Port authority opens a new container terminal"
PARAGRAPHS = [
    "The port authority opened a new container terminal on Monday, doubling the capacity of the port "
    "to four million containers a year. The terminal cost 1.2 billion euros.",
    "Twelve electric cranes will serve ships of up to 400 metres, and trains will carry a third of "
    "the containers inland, the authority said in a statement.",
    "Construction took three years and employed 2,000 workers at its peak. The terminal is run by a "
    "joint venture of the authority and two shipping lines.",
    "The authority expects the first ships from Asia in March, and a second berth will follow in "
    "the autumn of next year, when the dredging of the channel is finished.",
]
SUBHEADING = "Rail links to the hinterland"
LATER = [
    "A new rail yard next to the terminal can load six trains a day. Freight operators from four "
    "countries have booked slots for the first year of operation.",
    "The regional government paid for a third of the rail yard, and the national rail company for "
    "the new signalling on the line to the border.",
]


def _wrap(text: str, width: int) -> list[str]:
    """Lines of ``text`` with the first long word that would overrun a line broken with a hyphen."""
    lines = textwrap.wrap(text, width, break_long_words=False)
    out: list[str] = []
    for line in lines:
        out.append(line)
    # Hyphenate: move the first half of the next line's first word (6+ letters) onto this line.
    for i in range(len(out) - 1):
        word = out[i + 1].split(" ", 1)[0]
        if len(word) >= 8 and word.isalpha() and word.islower():
            half = len(word) // 2
            out[i] = f"{out[i]} {word[:half]}-"
            out[i + 1] = out[i + 1][len(word[:half]) :]
            break
    return out


def _pdf(columns: int = 1, pages: int = 2, image: bool = False, text: bool = True) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setAuthor("Port Authority Press Office")
    width, height = A4
    column_width = (width - 144 - 24 * (columns - 1)) / columns
    chars = int(column_width / 5.2)
    paragraphs = [("body", p) for p in PARAGRAPHS] + [("head", SUBHEADING)] + [("body", p) for p in LATER]
    per_page = (len(paragraphs) + pages - 1) // pages
    for number in range(pages):
        if not text:
            pdf.setFillGray(0.5)
            pdf.rect(72, 300, 400, 400, fill=1)  # a scanned page: pixels, no text
            pdf.showPage()
            continue
        pdf.setFont("Helvetica", 8)
        pdf.drawString(72, height - 40, "Port Authority · Press release")  # running header
        pdf.drawString(width / 2, 30, f"Page {number + 1} of {pages}")  # footer with page number
        y = height - 90
        if number == 0:
            pdf.setFont("Helvetica-Bold", 20)
            pdf.drawString(72, y, TITLE)
            y -= 22
            pdf.setFont("Helvetica", 10)
            pdf.drawString(72, y, "Published 3 March 2021")
            y -= 30
            if image:
                pdf.rect(72, y - 120, 200, 120, fill=0)
                pdf.drawInlineImage(_image(), 72, y - 120, 200, 120)
                pdf.setFont("Helvetica", 8)
                pdf.drawString(72, y - 132, "The new terminal seen from the harbour master's tower")
                y -= 160
        top = y
        column = 0
        for kind, paragraph in paragraphs[number * per_page : (number + 1) * per_page]:
            size = 13 if kind == "head" else 10
            pdf.setFont("Helvetica-Bold" if kind == "head" else "Helvetica", size)
            lines = [paragraph] if kind == "head" else _wrap(paragraph, chars)
            if columns == 2 and column == 0 and y - 13 * len(lines) < height / 2:
                column, y = 1, top
            for line in lines:
                pdf.drawString(72 + column * (column_width + 24), y, line)
                y -= 13
            y -= 10
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _image():
    from PIL import Image

    return Image.new("RGB", (40, 24), (120, 140, 160))


def _load(tmp_path, data: bytes):
    path = tmp_path / "release.pdf"
    path.write_bytes(data)
    return load_article(path)


def _expected_body() -> list[tuple[str, str]]:
    return [("body", p) for p in PARAGRAPHS] + [("subheading", SUBHEADING)] + [("body", p) for p in LATER]


@pytest.mark.parametrize("columns", [1, 2])
def test_reading_order_paragraphs_hyphenation_and_running_heads(tmp_path, columns):
    article = _load(tmp_path, _pdf(columns=columns))
    assert article.title == TITLE
    assert article.date == "2021-03-03"
    assert [(p.kind, p.text) for p in article.paragraphs[1:]] == _expected_body()
    assert article.author == "Port Authority Press Office"


def test_a_caption_under_an_image_is_a_caption(tmp_path):
    article = _load(tmp_path, _pdf(image=True, pages=3))
    kinds = [(p.kind, p.text) for p in article.paragraphs[1:]]
    assert kinds[0] == ("caption", "The new terminal seen from the harbour master's tower")
    assert kinds[1:] == _expected_body()


def test_a_scanned_pdf_fails_alone_with_a_clear_message(tmp_path):
    with pytest.raises(ArticleError) as info:
        _load(tmp_path, _pdf(text=False))
    assert "no text layer" in str(info.value) and "OCR" in str(info.value)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    with pytest.raises(ArticleError, match="not a PDF that can be read"):
        load_article(tmp_path / "broken.pdf")


@pytest.mark.browser
def test_a_pdf_printed_by_chromium_with_a_header_and_footer_template(tmp_path, browser):
    # Chromium sets columns' lines at their own heights and prints the templates in every margin.
    paragraphs = [f"{p} It was confirmed on day {n}." for n, p in enumerate(PARAGRAPHS + LATER)]
    html = (
        "<html><head><style>body{font-family:serif;font-size:11pt} h1{font-size:22pt} h2{font-size:14pt}"
        ".cols{column-count:2;column-gap:24pt}</style></head><body>"
        f"<h1>{TITLE}</h1><p>Published 3 March 2021</p><div class='cols'>"
        + "".join(f"<p>{p}</p>" for p in paragraphs[:4])
        + f"<h2>{SUBHEADING}</h2>"
        + "".join(f"<p>{p}</p>" for p in paragraphs[4:] * 4)
        + "</div></body></html>"
    )
    page = browser.new_page()
    try:
        page.set_content(html)
        data = page.pdf(
            display_header_footer=True,
            header_template='<div style="font-size:8pt;width:100%;text-align:center">Port Authority · Press</div>',
            footer_template=(
                '<div style="font-size:8pt;width:100%;text-align:center">Page <span class="pageNumber"></span>'
                ' of <span class="totalPages"></span></div>'
            ),
            margin={"top": "60px", "bottom": "60px", "left": "50px", "right": "50px"},
        )
    finally:
        page.close()
    article = _load(tmp_path, data)
    assert (article.title, article.date) == (TITLE, "2021-03-03")
    assert [(p.kind, p.text) for p in article.paragraphs[1:]] == (
        [("body", p) for p in paragraphs[:4]]
        + [("subheading", SUBHEADING)]
        + [("body", p) for p in paragraphs[4:] * 4]
    )
