"""Glossary upkeep: suggested terms and coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate_sum.records import Article, Paragraph
from translate_sum.terms.glossary import Glossary
from translate_sum.terms.suggest import coverage, suggest_terms

REPO = Path(__file__).resolve().parent.parent


def article(*texts: str, path: str = "a.txt") -> Article:
    return Article(Path(path), "0" * 64, texts[0], None, None, tuple(Paragraph("body", t) for t in texts))


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    articles = []
    for path in sorted((REPO / "seeds").glob("*.txt")):
        blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
        articles.append(article(*blocks, path=str(path)))
    return articles


def rows(tsv: str) -> dict[str, list[str]]:
    lines = tsv.splitlines()
    assert lines[0] == "en\tzh\tru\tcount\tarticles\texample"
    return {cells[0]: cells[1:] for cells in (line.split("\t") for line in lines[1:])}


def test_suggestions_from_the_seeds(seeds):
    found = rows(suggest_terms(seeds, None))
    for name in [
        "SCO",
        "PRC",
        "UNESCO",
        "COVID-19",
        "Vladimir Norov",
        "Wang Duanrui",
        "Sherali Jonon",
        "Qingdao",
        "Weidong Cloud Education Group",
        "SCO Secretariat",
        "Qingdao Foreign Affairs Office",
        "Secretary-General",
        "Deputy Secretary-General",
        "SCO Secretary-General Vladimir Norov",
        "Hong Kong Chamber of Commerce and Industry",
        "Weidong Cloud Education Group Co., Ltd.",
    ]:
        assert name in found, name
    assert found["SCO"][:4] == ["", "", "14", "2"]
    # Ranked by evidence: names in more articles first, then by count.
    evidence = [(int(cells[3]), int(cells[2])) for cells in found.values()]
    assert evidence == sorted(evidence, reverse=True)
    # Sentence-initial common words do not start names; scraps of longer names do not stand alone.
    assert "The Deputy Secretary-General" not in found
    assert "The" not in found and "Many" not in found and "Commerce" not in found


TABLE = [
    ("acronym", "Officials of the PRC met.", "PRC"),
    (
        "title before name",
        "On Monday, Secretary-General Vladimir Norov spoke.",
        "Secretary-General Vladimir Norov",
    ),
    ("name after title", "On Monday, Secretary-General Vladimir Norov spoke.", "Vladimir Norov"),
    ("possessive", "We saw Weidong's work.", "Weidong"),
    ("after honorific", "Mr Wang Duanrui declared.", "Wang Duanrui"),
    ("mid-sentence single name", "They met in Qingdao today.", "Qingdao"),
    (
        "organisation with link",
        "He met the Secretariat of the Shanghai Cooperation Organization.",
        "Secretariat of the Shanghai Cooperation Organization",
    ),
]


@pytest.mark.parametrize(("text", "name"), [t[1:] for t in TABLE], ids=[t[0] for t in TABLE])
def test_candidates(text, name):
    found = rows(suggest_terms([article(text)], None))
    assert name in found
    assert found[name][4] == text


NOT_NAMES = [
    ("sentence-initial word", "Today the meeting ended."),
    ("month", "It ended in July."),
    ("lone title", "The President said so."),
    ("all-caps heading", "PRESIDENT VISITS THE SECRETARIAT TODAY"),
]


@pytest.mark.parametrize("text", [t[1] for t in NOT_NAMES], ids=[t[0] for t in NOT_NAMES])
def test_not_candidates(text):
    assert rows(suggest_terms([article(text)], None)) == {}


def test_the_shipped_glossary_covers_the_seed_names(seeds):
    glossary = Glossary.load(REPO / "seeds" / "glossary.tsv")
    found = rows(suggest_terms(seeds, glossary))
    for name in [
        "SCO",
        "Vladimir Norov",
        "SCO Secretary-General Vladimir Norov",
        "Weidong Cloud Education Group",
        "Deputy Secretary-General of the SCO",
        "Hong Kong Chamber of Commerce and Industry",
    ]:
        assert name not in found, name
    # What it does not cover is still offered.
    assert "Singapore" in found


def test_coverage_counts_terms_per_article(seeds):
    glossary = Glossary.load(REPO / "seeds" / "glossary.tsv")
    first, second = coverage(seeds, glossary)
    assert first["path"].endswith("000_828caea308506d00.txt")
    assert first["terms"]["SCO"] == 10
    assert second["terms"]["Vladimir Norov"] == 3
    assert second["found"] == sum(second["terms"].values())
    assert list(second["terms"].values()) == sorted(second["terms"].values(), reverse=True)


def test_overlapping_candidates_merge_and_evidence_beats_frequency():
    centre = "The Belarus Centre for Vocational Training No. 2 hosted the event."
    # One article says "Vocational Training No." nine times; two articles name Minsk.
    noisy = article(
        centre, *["Its Vocational Training No. 2 course began."] * 8, "They met in Minsk.", path="a.txt"
    )
    other = article("Delegates flew to Minsk on Monday.", path="b.txt")
    found = rows(suggest_terms([noisy, other], None))
    assert (
        "Belarus Centre for Vocational Training No. 2" in found
    )  # "No." neither ends a sentence nor the name
    assert "Belarus Centre" not in found  # a piece of the longer name, never on its own
    assert found["Belarus Centre for Vocational Training No. 2"][4] == centre  # the whole sentence
    assert list(found)[0] == "Minsk"  # in two articles: more evidence than many mentions in one


def test_example_is_one_line():
    found = rows(suggest_terms([article("He met\tthe SCO\nteam.")], None))
    assert found["SCO"][4] == "He met the SCO"
