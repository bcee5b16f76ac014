"""Loading articles: title, metadata, captions, paragraphs, encodings, HTML, the listing."""

from __future__ import annotations

import codecs

import pytest
from tiny_models import SEEDS

from translate_sum.errors import ArticleError
from translate_sum.ingest import list_articles, load_article

# A page needs a little text before the extractor tells an article from its surroundings.
BODY = "The delegation met partners in Qingdao on Monday. Both sides agreed to cooperate on education."


def test_first_seed():
    article = load_article(SEEDS / "000_828caea308506d00.txt")
    assert article.title == "The Deputy Secretary-General of the SCO visited Weidong"
    assert article.date == "2020-07-24"
    assert article.source == "Weidong Cloud Education"
    kinds = [p.kind for p in article.paragraphs]
    assert kinds[0] == "title"
    assert [p.text for p in article.paragraphs if p.kind == "caption"] == [
        "Photo: Meeting scene",
        "Picture: Group photo of both sides on the official website of SCO",
    ]
    assert kinds.count("body") == 5
    assert len(article.sha256) == 64


def test_second_seed_repeated_title_is_not_body():
    article = load_article(SEEDS / "001_a2e7129abcaddcf3.txt")
    assert article.title == "President of the Weidong Group visits SCO Secretariat"
    assert article.date is None
    assert all(p.text != article.title for p in article.paragraphs[1:])
    assert article.paragraphs[1].text.startswith("On 10 April, SCO Secretary-General")


def test_markdown_heading_and_bom(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(codecs.BOM_UTF8 + b"# A title\n\nBody text here.\n")
    article = load_article(path)
    assert article.title == "A title"
    assert [p.text for p in article.paragraphs] == ["A title", "Body text here."]


def test_utf16_with_bom(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("Title\n\nBody text.".encode("utf-16"))
    assert load_article(path).paragraphs[1].text == "Body text."


def test_html_markup_stripped(tmp_path):
    path = tmp_path / "a.html"
    path.write_text(
        "<html><head><title>T</title><script>var x='<p>no</p>';</script></head>"
        f"<body><h1>T</h1><p>One &amp; two. {BODY}</p><p>Photo: a <b>caption</b></p></body></html>"
    )
    article = load_article(path)
    assert article.title == "T"
    assert [(p.kind, p.text) for p in article.paragraphs[1:]] == [
        ("body", f"One & two. {BODY}"),
        ("caption", "Photo: a caption"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty article"),
        (b"   \n\n \t\n", "empty article"),
        (b"Only a title\n", "no body text"),
        ("Caf\u00e9 t\u00eate\n\nBody".encode("latin-1"), "not UTF-8 text (invalid byte 0xe9"),
        (b"\x00\x01\x02binary\x00", "binary file"),
    ],
)
def test_bad_input_names_file_and_problem(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ArticleError) as info:
        load_article(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_listing_skips_unknown_types_and_symlinks(tmp_path):
    (tmp_path / "a.txt").write_text("T\n\nB.")
    (tmp_path / "b.odt").write_bytes(b"PK")
    (tmp_path / "glossary.tsv").write_text("en\tzh\tru\n")
    outside = tmp_path.parent / "outside.txt"
    outside.write_text("T\n\nB.")
    (tmp_path / "link.txt").symlink_to(outside)
    files, notices = list_articles(tmp_path)
    assert files == [tmp_path / "a.txt"]
    assert any("b.odt" in n and "unknown file type" in n for n in notices)
    assert any("link.txt" in n and "symbolic links" in n for n in notices)


def test_closing_hashes_and_list_lines(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "# Plan approved #\n\nThe council approved the plan.\n\n## What it includes ##\n\n"
        "The plan has three parts:\n- new buses;\n* two tram lines,\n  both electric;\n1. more bike lanes.\n",
        encoding="utf-8",
    )
    article = load_article(path)
    assert article.title == "Plan approved"
    assert [(p.kind, p.text) for p in article.paragraphs[1:]] == [
        ("body", "The council approved the plan."),
        ("subheading", "What it includes"),
        ("body", "The plan has three parts:"),
        ("item", "new buses;"),
        ("item", "two tram lines, both electric;"),
        ("item", "more bike lanes."),
    ]
