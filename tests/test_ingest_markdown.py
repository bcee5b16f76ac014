"""Markdown releases: front matter, date lines, headings, lists, quotes; no Markdown syntax left."""

from __future__ import annotations

import re

import pytest

from translate_sum.errors import ArticleError
from translate_sum.ingest import load_article

RELEASE = """\
# Council approves **clean** transport plan

*Published 28 August 2020 · Source: [Metro Council](https://example.org)*

The council approved a _ten-year_ plan on Thursday. It costs \\*about\\* 2.4 billion euros.

## What the plan includes

- All diesel buses replaced by 2032 \\- electric ones;
- two new [tram lines](https://example.org/trams);
* more `bike` lanes.

1. First phase
2. Second phase

> "Clean transport is what residents ask of us," the mayor said.

![Photo: The vote in the council chamber](vote.jpg)

<!-- an editor's note -->

| Line | Opens |
|------|-------|
| T1   | **2026** |

---
Contact: press@example.org
"""
# What a model must never see: Markdown markers left in the text.
MARKUP = re.compile(r"(\*\*|__|\\[-*_]|^\s*[-*+>#]\s|\[[^\]]*\]\(|!\[|`|<!--|\|)")


def _load(tmp_path, text: str, name: str = "a.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_article(path)


def test_release_with_a_published_line_list_and_emphasis(tmp_path):
    article = _load(tmp_path, RELEASE)
    assert article.title == "Council approves clean transport plan"
    assert (article.date, article.source) == ("2020-08-28", "Metro Council")
    assert [(p.kind, p.text) for p in article.paragraphs[1:]] == [
        ("body", "The council approved a ten-year plan on Thursday. It costs *about* 2.4 billion euros."),
        ("subheading", "What the plan includes"),
        ("item", "All diesel buses replaced by 2032 - electric ones;"),
        ("item", "two new tram lines;"),
        ("item", "more bike lanes."),
        ("item", "First phase"),
        ("item", "Second phase"),
        ("quote", '"Clean transport is what residents ask of us," the mayor said.'),
        ("caption", "Photo: The vote in the council chamber"),
        ("body", "Line · Opens"),
        ("body", "T1 · 2026"),
        ("end_matter", "Contact: press@example.org"),
    ]
    for paragraph in article.paragraphs:
        assert not MARKUP.search(paragraph.text), paragraph


def test_front_matter_gives_title_date_source_and_author(tmp_path):
    article = _load(
        tmp_path,
        "---\ntitle: Rail link to reopen\ndate: 2021-03-03\nsource: National Railway\nauthor: Press desk\n---\n\n"
        "# Rail link to reopen\n\nThe direct rail link will reopen in April after the renovation of the bridge.\n",
    )
    assert (article.title, article.date, article.source, article.author) == (
        "Rail link to reopen",
        "2021-03-03",
        "National Railway",
        "Press desk",
    )
    assert [p.kind for p in article.paragraphs] == ["title", "body"]  # the repeated heading is dropped


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Published: 2019-08-27 · Source: Ministry", "2019-08-27"),
        ("August 28, 2020", "2020-08-28"),
        ("28.08.2020", "2020-08-28"),
        ("Publish Time:2020-07-24     Article Source:Weidong Cloud Education", "2020-07-24"),
    ],
)
def test_date_lines_in_any_common_form(tmp_path, line, date):
    article = _load(tmp_path, f"# A title\n\n{line}\n\nThe body of the release says what happened.\n")
    assert article.date == date
    assert [p.kind for p in article.paragraphs] == ["title", "body"]


def test_no_heading_means_the_first_line_is_the_title(tmp_path):
    article = _load(tmp_path, "A plain title\nPublish Time:2020-07-24\n\nBody text here.\n")
    assert (article.title, article.date) == ("A plain title", "2020-07-24")


def test_inline_html_is_kept_as_text_and_html_blocks_as_their_text(tmp_path):
    article = _load(
        tmp_path,
        "# Acme <Holdings> & Co\n\nThe board of Acme <Holdings> said so.\n\n<div>\nA boxed note.\n</div>\n",
    )
    assert article.title == "Acme <Holdings> & Co"
    assert [p.text for p in article.paragraphs[1:]] == [
        "The board of Acme <Holdings> said so.",
        "A boxed note.",
    ]


def test_bad_front_matter_names_the_file(tmp_path):
    with pytest.raises(ArticleError) as info:
        _load(tmp_path, "---\ntitle: [unclosed\n---\n\nBody.\n", "bad.md")
    assert "bad.md" in str(info.value) and "front matter is not valid YAML" in str(info.value)


def test_comments_go_without_touching_the_text_around_them(tmp_path):
    article = _load(
        tmp_path,
        "# Plan approved\n\nThe council <!-- check the figure --> approved the plan on Thursday.\n\n"
        "<!-- editor: shorten -->The plan costs 2.4 billion euros over ten years.\n\n"
        "<!--\nA whole\nparagraph of notes\n-->\n\nIt starts in May.\n",
    )
    assert [p.text for p in article.paragraphs[1:]] == [
        "The council approved the plan on Thursday.",
        "The plan costs 2.4 billion euros over ten years.",
        "It starts in May.",
    ]


def test_footnote_references_leave_the_sentence_and_definitions_are_notes_at_the_end(tmp_path):
    article = _load(
        tmp_path,
        "# Plan approved\n\nThe plan[^cost] costs 2.4 billion euros.[^1]\n\n[^1]: Figures of 2020.\n\n"
        "[^cost]: Rail and buses, without\n    the tram lines.\n\nIt starts in May.\n",
    )
    assert [(p.kind, p.text) for p in article.paragraphs[1:]] == [
        ("body", "The plan costs 2.4 billion euros."),
        ("body", "It starts in May."),
        ("note", "Rail and buses, without the tram lines."),
        ("note", "Figures of 2020."),
    ]
