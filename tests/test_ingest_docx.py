"""Word releases (.docx), generated here with python-docx."""

from __future__ import annotations

import datetime as dt

import pytest

from translate_sum.errors import ArticleError
from translate_sum.ingest import list_articles, load_article


def _tracked(paragraph, kept: str, inserted: str, deleted: str) -> None:
    """Append ``kept``, a tracked insertion and a tracked deletion to ``paragraph`` as Word writes them."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph.add_run(kept)
    attrs = 'w:id="{}" w:author="Editor" w:date="2021-03-02T10:00:00Z"'
    paragraph._p.append(
        parse_xml(
            f"<w:ins {nsdecls('w')} {attrs.format(1)}><w:r><w:t xml:space='preserve'>{inserted}</w:t></w:r></w:ins>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f"<w:del {nsdecls('w')} {attrs.format(2)}><w:r><w:delText xml:space='preserve'>{deleted}</w:delText></w:r></w:del>"
        )
    )


def _release(path, title_style: str = "Title", date_line: bool = True):
    import docx

    document = docx.Document()
    document.core_properties.author = "Jane Roe"
    document.core_properties.created = dt.datetime(2020, 1, 15, 9, 0)
    section = document.sections[0]
    section.header.paragraphs[0].text = "ACME CORPORATION – PRESS RELEASE"
    section.footer.paragraphs[0].text = "Acme Corporation · 1 Harbour Road · Page 1"
    if title_style == "Title":
        document.add_paragraph("Acme opens a plant in Gdansk", style="Title")
    elif title_style == "Heading 1":
        document.add_heading("Acme opens a plant in Gdansk", level=1)
    else:
        document.add_paragraph("Acme opens a plant in Gdansk")
    if date_line:
        document.add_paragraph("Published 3 March 2021 · Source: Acme Corporation")
    first = document.add_paragraph()
    _tracked(
        first,
        "Acme opened a plant in Gdansk on Tuesday",
        " that will employ 300 people.",
        " with great fanfare.",
    )
    if hasattr(document, "add_comment"):
        document.add_comment(first.runs[0], text="Check the number with HR", author="Editor")
    document.add_heading("What the plant makes", level=2)
    document.add_paragraph("Parts for electric buses.", style="List Bullet")
    document.add_paragraph("Batteries for trams.", style="List Number")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Year", "Jobs"), ("2022", "300")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("Figure 1: The plant at night", style="Caption")
    document.add_paragraph("The plant cost 200 million euros and opens in May.")
    document.add_paragraph("###")
    document.add_paragraph("Media contact: press@acme.example")
    document.save(path)
    return path


def test_a_word_release_with_styles_tables_and_tracked_changes(tmp_path):
    article = load_article(_release(tmp_path / "release.docx"))
    assert article.title == "Acme opens a plant in Gdansk"
    assert (article.date, article.source, article.author) == ("2021-03-03", "Acme Corporation", "Jane Roe")
    assert [(p.kind, p.text) for p in article.paragraphs[1:]] == [
        ("body", "Acme opened a plant in Gdansk on Tuesday that will employ 300 people."),
        ("subheading", "What the plant makes"),
        ("item", "Parts for electric buses."),
        ("item", "Batteries for trams."),
        ("body", "Year · Jobs"),
        ("body", "2022 · 300"),
        ("caption", "Figure 1: The plant at night"),
        ("body", "The plant cost 200 million euros and opens in May."),
        ("end_matter", "###"),
        ("end_matter", "Media contact: press@acme.example"),
    ]
    text = " ".join(p.text for p in article.paragraphs)
    for chrome in ("PRESS RELEASE", "Harbour Road", "fanfare", "Check the number"):
        assert chrome not in text


@pytest.mark.parametrize("style", ["Heading 1", "Normal"])
def test_title_from_the_first_heading_or_line_and_date_from_the_properties(tmp_path, style):
    article = load_article(_release(tmp_path / "release.docx", style, date_line=False))
    assert article.title == "Acme opens a plant in Gdansk"
    assert article.date == "2020-01-15"  # no date in the text: the document's creation date
    assert article.paragraphs[1].text.startswith("Acme opened a plant in Gdansk on Tuesday")


def test_word_and_pdf_files_are_listed_and_a_broken_one_fails_alone(tmp_path):
    _release(tmp_path / "a.docx")
    (tmp_path / "b.docx").write_bytes(b"PK\x03\x04 not really")
    files, notices = list_articles(tmp_path)
    assert [p.name for p in files] == ["a.docx", "b.docx"] and notices == []
    with pytest.raises(ArticleError, match="not a Word document"):
        load_article(tmp_path / "b.docx")
