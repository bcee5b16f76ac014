"""Tests for the pure renderers: file set, Markdown/JSONL/TSV shape, TMX/XLIFF validity, HTML safety."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from render_fixtures import EVIL, EVIL_TITLE, SLUG, build_result, hostile_result
from translate.storage.tmx import tmxfile
from translate.storage.xliff import xlifffile

from translate_sum.records import ArticleResult, IndexEntry, Manifest
from translate_sum.render import (
    render_article,
    render_index_html,
    render_index_md,
    render_review_html,
    render_tmx,
    render_xliff,
)
from translate_sum.render._common import xml_text
from translate_sum.render.markdown import escape_md

SCHEMAS = Path(__file__).parent / "data" / "schemas"
XLIFF_NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
RESULTS = {"seed": build_result, "hostile": hostile_result}


@pytest.fixture(scope="module")
def tmx_dtd() -> etree.DTD:
    return etree.DTD(str(SCHEMAS / "tmx14.dtd"))


@pytest.fixture(scope="module")
def xliff_xsd() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd")))


@pytest.fixture(params=sorted(RESULTS))
def result(request: pytest.FixtureRequest) -> ArticleResult:
    return RESULTS[request.param]()


def _parse_xml(text: str) -> etree._ElementTree:
    # A strict parser: no recovery, so any escaping slip fails here.
    return etree.ElementTree(etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False)))


# --- the file set --------------------------------------------------------------------------------


def test_render_article_returns_every_file() -> None:
    files = render_article(build_result())
    assert set(files) == {
        "article.en.md", "article.zh.md", "article.ru.md",
        "summary.en.md", "summary.zh.md", "summary.ru.md",
        "aligned.jsonl", "aligned.tsv", "review.html",
        f"{SLUG}.tmx", f"{SLUG}.en-zh.xlf", f"{SLUG}.en-ru.xlf",
    }  # fmt: skip
    assert all(isinstance(v, str) and v.endswith("\n") for v in files.values())


def test_rendering_is_deterministic() -> None:
    assert render_article(build_result()) == render_article(build_result())


@pytest.mark.parametrize("slug", ["../evil", "a/b", ".hidden", "", " x"])
def test_unsafe_slug_is_refused(slug: str) -> None:
    result = build_result(slug=slug)
    with pytest.raises(ValueError, match="slug"):
        render_article(result)


def test_glossary_counts_flat_or_per_language() -> None:
    result = build_result()
    assert "glossary terms: found 21 · kept 18 · enforced 1 · flagged 2" in render_review_html(result)
    result.manifest = dataclasses.replace(
        result.manifest, glossary_counts={"zh": {"found": 4, "kept": 3}, "ru": {"found": 4, "kept": 1}}
    )
    page = render_review_html(result)
    assert "glossary terms (zh): found 4 · kept 3" in page and "glossary terms (ru): found 4 · kept 1" in page


def test_sparse_manifest_still_renders() -> None:
    result = build_result()
    result.manifest = Manifest(languages=result.languages)  # nothing else recorded
    files = render_article(result)
    assert "tsum" in files["review.html"] and "<tmx" in files[f"{SLUG}.tmx"]


# --- Markdown ------------------------------------------------------------------------------------


def test_article_markdown_shape() -> None:
    result = build_result()
    blocks = {lang: render_article_md_blocks(result, lang) for lang in ("en", "zh", "ru")}
    assert blocks["en"][0] == "# The Deputy Secretary-General of the SCO visited Weidong"
    assert blocks["zh"][0] == "# 上合组织副秘书长访问伟东"
    assert blocks["en"][1] == "2020-07-24 · Weidong Cloud Education"
    # title + metadata + 6 paragraphs (4 body, 2 captions), in the same order in every language
    assert all(len(b) == 8 for b in blocks.values())
    assert blocks["en"][4] == "*Photo: Meeting scene*" and blocks["zh"][4] == "*图为会见现场*"
    assert blocks["ru"][5].startswith("*Фото: совместная") and blocks["ru"][5].endswith("*")
    # sentences of one paragraph joined: a space in en/ru, none in zh
    assert (
        "two sides in the future." in blocks["en"][2]
        and "Weidong Cloud Education Group. The two" in blocks["en"][2]
    )
    assert "青岛总部。双方总结" in blocks["zh"][2]
    assert "в Циндао. Стороны подвели" in blocks["ru"][2]


def render_article_md_blocks(result: ArticleResult, lang: str) -> list[str]:
    return render_article(result)[f"article.{lang}.md"].rstrip("\n").split("\n\n")


def test_summary_markdown_shape() -> None:
    files = render_article(build_result())
    en = files["summary.en.md"].rstrip("\n").split("\n\n")
    assert en[0].startswith("# The Deputy") and en[2] == "## Summary"
    assert (
        en[3].startswith("The Deputy Secretary-General of the Shanghai") and "July 23. The two sides" in en[3]
    )
    assert len(en) == 4
    zh = files["summary.zh.md"].rstrip("\n").split("\n\n")
    assert zh[2] == "## 摘要" and "青岛总部。自2018年" in zh[3]
    assert files["summary.ru.md"].split("\n\n")[2] == "## Краткое содержание"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# not a heading", r"\# not a heading"),
        ("1. not a list", r"1\. not a list"),
        ("- not a bullet", r"\- not a bullet"),
        ("a *b* _c_ [d](e) <f> `g` | h", r"a \*b\* \_c\_ \[d\](e) \<f\> \`g\` \| h"),
        ("two\nlines", "two lines"),
    ],
)
def test_markdown_escapes_markup(text: str, expected: str) -> None:
    assert escape_md(text) == expected


# --- JSONL and TSV -------------------------------------------------------------------------------


def test_jsonl_is_one_segment_dict_per_line(result: ArticleResult) -> None:
    text = render_article(result)["aligned.jsonl"]
    lines = text.splitlines()  # also splits on U+2028, which the renderer must have escaped
    assert len(lines) == len(result.segments)
    assert [json.loads(line) for line in lines] == [s.to_dict() for s in result.segments]
    assert "上合组织" in text  # ensure_ascii=False


def test_tsv_columns_and_safety(result: ArticleResult) -> None:
    rows = render_article(result)["aligned.tsv"].rstrip("\n").split("\n")
    header = ["id", "kind", "paragraph", "en", "zh", "ru", "flags", "confidence_zh", "confidence_ru"]
    assert rows[0].split("\t") == header
    table = [r.split("\t") for r in rows[1:]]
    assert len(table) == len(result.segments) and all(len(r) == 9 for r in table)
    by_id = {r[0]: r for r in table}
    assert by_id["p6s1"][6] == "zh:numbers; zh:split; ru:split"
    assert by_id["s0"][1:3] == ["summary", "-1"]


def test_tsv_neutralises_formulas_and_tabs() -> None:
    source = [("t0", "title", 0, '=HYPERLINK("http://x")', "标题\t有\n换行", "@SUM(A1)")]
    rows = render_article(build_result(source=source, summary=[]))["aligned.tsv"].split("\n")
    cells = rows[1].split("\t")
    assert cells[3:6] == ['\'=HYPERLINK("http://x")', "标题 有 换行", "'@SUM(A1)"]


# --- TMX -----------------------------------------------------------------------------------------


def test_tmx_validates_against_dtd(result: ArticleResult, tmx_dtd: etree.DTD) -> None:
    doc = _parse_xml(render_tmx(result))
    assert tmx_dtd.validate(doc), tmx_dtd.error_log.filter_from_errors()
    header = doc.find("header")
    names = ("creationtool", "segtype", "o-tmf", "adminlang", "srclang", "datatype")
    assert {k: header.get(k) for k in names} == {
        "creationtool": "tsum", "segtype": "sentence", "o-tmf": "tsum",
        "adminlang": "en", "srclang": "en", "datatype": "plaintext",
    }  # fmt: skip
    assert header.get("creationtoolversion")


def test_tmx_round_trips_through_translate_toolkit(result: ArticleResult) -> None:
    store = tmxfile.parsestring(render_tmx(result).encode("utf-8"))
    assert [u.getid() for u in store.units] == [s.id for s in result.segments]
    for unit, segment in zip(store.units, result.segments, strict=True):
        langs = [n.get("{http://www.w3.org/XML/1998/namespace}lang") for n in unit.getlanguageNodes()]
        assert langs == ["en", "zh-CN", "ru"]
        assert unit.source == xml_text(segment.en)
        assert unit.gettarget("zh-CN") == xml_text(segment.translations["zh"])
        assert unit.gettarget("ru") == xml_text(segment.translations["ru"])


def test_tmx_props_carry_kind_flags_and_support() -> None:
    doc = _parse_xml(render_tmx(build_result()))
    tu = doc.find(".//tu[@tuid='p6s1']")
    assert tu.findtext("prop[@type='x-kind']") == "body"
    assert tu.findtext("prop[@type='x-paragraph']") == "6"
    zh_flags = [p.text for p in tu.findall("tuv[@{http://www.w3.org/XML/1998/namespace}lang='zh-CN']/prop")]
    assert zh_flags == [
        "zh numbers: not found in target: 40",
        "zh split: the source was split into shorter pieces before translation",
    ]
    assert doc.find(".//tu[@tuid='s0']").findtext("prop[@type='x-support']") == "p1s0:0.9132 t0:0.6218"


# --- XLIFF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "ru"])
def test_xliff_validates_against_strict_schema(
    result: ArticleResult, lang: str, xliff_xsd: etree.XMLSchema
) -> None:
    doc = _parse_xml(render_xliff(result, lang))
    assert xliff_xsd.validate(doc), xliff_xsd.error_log.filter_from_errors()
    file_el = doc.find("x:file", XLIFF_NS)
    assert file_el.get("source-language") == "en"
    assert file_el.get("target-language") == {"zh": "zh-CN", "ru": "ru"}[lang]
    targets = doc.findall(".//x:target", XLIFF_NS)
    assert len(targets) == len(result.segments)
    assert {(t.get("state"), t.get("state-qualifier")) for t in targets} == {
        ("needs-review-translation", "mt-suggestion")
    }


@pytest.mark.parametrize("lang", ["zh", "ru"])
def test_xliff_round_trips_through_translate_toolkit(result: ArticleResult, lang: str) -> None:
    store = xlifffile.parsestring(render_xliff(result, lang).encode("utf-8"))
    assert store.getsourcelanguage() == "en"
    assert store.gettargetlanguage() == {"zh": "zh-CN", "ru": "ru"}[lang]
    assert [u.xmlelement.get("id") for u in store.units] == [s.id for s in result.segments]
    for unit, segment in zip(store.units, result.segments, strict=True):
        assert unit.source == xml_text(segment.en)
        assert unit.target == xml_text(segment.translations[lang])


def test_xliff_flags_are_notes() -> None:
    doc = _parse_xml(render_xliff(build_result(), "zh"))
    unit = doc.find(".//x:trans-unit[@id='p6s1']", XLIFF_NS)
    notes = [n.text for n in unit.findall("x:note", XLIFF_NS) if n.get("annotates") == "target"]
    assert notes == [
        "numbers: not found in target: 40",
        "split: the source was split into shorter pieces before translation",
    ]
    assert unit.get("restype") == "x-body"
    ru_only = doc.find(".//x:trans-unit[@id='p5s1']", XLIFF_NS)
    assert not [n for n in ru_only.findall("x:note", XLIFF_NS) if n.get("annotates") == "target"]


def test_hostile_text_survives_xml_intact() -> None:
    result = hostile_result()
    tmx = render_tmx(result)
    assert "\x07" not in tmx and "\x0b" not in tmx and "\x1f" not in tmx
    seg = _parse_xml(tmx).find(".//tu[@tuid='p1s0']/tuv/seg")
    assert seg.text.endswith(xml_text(EVIL)) and "]]>" in seg.text
    title = _parse_xml(render_xliff(result, "ru")).find(".//x:trans-unit[@id='t0']/x:source", XLIFF_NS)
    assert title.text == EVIL_TITLE


# --- review.html ---------------------------------------------------------------------------------


def _inline_scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, flags=re.S)


def test_review_html_escapes_everything() -> None:
    page = render_review_html(hostile_result())
    for planted in ("<script>alert", "<script>window", "<img", "<b>жирный", "0.1.0<b>", "<i>x", '"evil"<x>'):
        assert planted not in page
    assert page.count("<script") == 2  # the JSON data block and our own script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    data_block = re.search(
        r'<script type="application/json" id="tsum-data">(.*?)</script>', page, re.S
    ).group(1)
    assert "<" not in data_block and ">" not in data_block and "&" not in data_block
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//h1")[0].text_content() == EVIL_TITLE
    # attributes: a glossary entry with quotes and markup stays one attribute value
    marks = [m for m in doc.xpath("//mark[@title]") if "Evil" in m.get("title")]
    assert marks and marks[0].get("title").startswith('entry: Evil "term" <b> →')


def test_review_html_csp_allows_only_the_inline_script_by_hash() -> None:
    page = render_review_html(build_result())
    csp = lxml_html.fromstring(page).xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    (script,) = _inline_scripts(page)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing external
    assert "innerHTML" not in script


def test_review_html_structure() -> None:
    result = build_result()
    doc = lxml_html.fromstring(render_review_html(result))
    rows = doc.xpath("//tr[@data-seg-id]")
    assert [r.get("data-seg-id") for r in rows] == [s.id for s in result.summary_segments()] + [
        s.id for s in result.source_segments()
    ]
    assert all(len(r.xpath("./td")) == 3 for r in rows)
    by_id = {r.get("data-seg-id"): r for r in rows}
    assert by_id["p6s1"].get("data-flags") == "numbers split"
    assert "flagged" in by_id["p6s1"].get("class") and by_id["p5s0"].get("data-flags") == ""
    assert "kind-title" in by_id["t0"].get("class") and "kind-caption" in by_id["c3"].get("class")
    assert "para-start" in by_id["p2s0"].get("class") and "para-start" not in by_id["p1s1"].get("class")
    assert by_id["p1s0"].xpath("./td[2]")[0].get("lang") == "zh-CN"
    # glossary terms marked in all three columns of one row
    cells = by_id["p1s0"].xpath("./td")
    assert [len(c.xpath(".//mark[contains(@class, 'term')]")) > 0 for c in cells] == [True, True, True]
    assert "Qingdao" in [m.text for m in cells[0].xpath(".//mark")]
    assert "青岛" in [m.text for m in cells[1].xpath(".//mark")]
    data = json.loads(doc.xpath("//script[@id='tsum-data']")[0].text)
    assert data["support"]["s0"] == [{"id": "p1s0", "score": 0.9132}, {"id": "t0", "score": 0.6218}]
    header = doc.xpath("//header")[0].text_content()
    for needle in (
        "Helsinki-NLP/opus-mt-en-zh",
        "ctranslate2",
        "408d9bc410a3",
        "seeds/000_828caea308506d00.txt",
        "5f1e0c0c0c0c",
        "0.1.0",
        "numbers 1",
        "2020-07-24",
    ):
        assert needle in header


# --- index ---------------------------------------------------------------------------------------

ENTRIES = [
    IndexEntry(
        SLUG,
        "The Deputy Secretary-General of the SCO visited Weidong",
        "2020-07-24",
        "seeds/000_828caea308506d00.txt",
        "done",
        {"glossary": 3, "numbers": 1},
        languages=("zh", "ru"),
    ),
    IndexEntry(
        "2020-04-10-weidong-president-visits-sco",
        "President of the Weidong Group visits SCO Secretariat",
        "2020-04-10",
        "seeds/001_a2e7129abcaddcf3.txt",
        "skipped",
        {},
    ),
    IndexEntry(None, "", None, "seeds/broken.txt", "failed", {}, error='cannot read <file> & "decode" | it'),
]


def test_index_md() -> None:
    text = render_index_md(ENTRIES)
    lines = text.splitlines()
    assert lines[0] == "# tsum outputs" and lines[2] == "3 articles: 1 done, 1 up to date, 1 failed."
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 3 and all(r.count(" | ") == 6 for r in rows)  # escaped pipes keep 7 columns
    assert f"[The Deputy Secretary-General of the SCO visited Weidong]({SLUG}/review.html)" in rows[0]
    assert f"[TMX]({SLUG}/{SLUG}.tmx)" in rows[0] and "glossary 3, numbers 1" in rows[0]
    assert "| up to date |" in rows[1] and "skipped" not in text  # "skipped" read as "not processed"
    assert 'error: cannot read \\<file\\> & "decode" \\| it' in rows[2] and "broken.txt" in rows[2]
    assert "| 000\\_828caea308506d00.txt | zh, ru |" in rows[0]


def test_index_is_newest_first_with_the_source_file_of_each_copy() -> None:
    copies = [
        IndexEntry(f"s{n}", "Same release", "2021-01-01", f"in/copy-{n}.txt", "done", languages=("zh",))
        for n in (2, 1)
    ]
    older = IndexEntry("old", "Older", "2019-05-05", "in/a.txt", "done")
    undated = IndexEntry("u", "Undated", None, "in/0.txt", "done")
    text = render_index_md([older, undated, *copies])
    order = [
        line.split(" | ")[2] for line in text.splitlines() if line.startswith("| ") and "---" not in line
    ][1:]
    assert order == ["copy-1.txt", "copy-2.txt", "a.txt", "0\\.txt"]  # escaped: not a list item


def test_index_html() -> None:
    page = render_index_html([*ENTRIES, IndexEntry("x", EVIL_TITLE, None, "s.txt", "done")])
    assert "<script" not in page and "&lt;script&gt;" in page
    doc = lxml_html.fromstring(page)
    rows = doc.xpath("//tbody/tr")
    assert len(rows) == 4
    assert rows[0].xpath(".//a/@href")[:2] == [f"{SLUG}/review.html", f"{SLUG}/review.html"]
    # Newest first, the undated last by source file ("s.txt" before "seeds/broken.txt").
    assert rows[3].xpath(".//span[@class='error']")[0].text == 'cannot read <file> & "decode" | it'
    assert not rows[3].xpath(".//a")
    assert rows[1].xpath(".//span[contains(@class, 'badge')]")[0].text == "up to date"
    assert "1 up to date" in doc.xpath("//p[@class='tally']")[0].text
    assert "default-src 'none'" in doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]


def test_segment_kinds_reach_markdown_jsonl_and_the_review_page() -> None:
    from translate_sum.records import AlignedSegment

    result = build_result()
    extra = [
        ("p7s0", "subheading", 7, "What was agreed", "商定内容", "Что согласовано"),
        ("p8s0", "item", 8, "Joint courses.", "联合课程。", "Совместные курсы."),
        ("p9s0", "item", 9, "Teacher exchanges.", "教师交流。", "Обмен учителями."),
        ("p10s0", "quote", 10, "Education comes first.", "教育第一。", "Образование прежде всего."),
    ]
    at = len(result.source_segments())
    result.segments[at:at] = [
        AlignedSegment(id=i, kind=k, paragraph=n, en=en, translations={"zh": zh, "ru": ru})
        for i, k, n, en, zh, ru in extra
    ]
    files = render_article(result)
    assert files["article.en.md"].rstrip("\n").split("\n\n")[-4:] == [
        "## What was agreed",
        "- Joint courses.",
        "- Teacher exchanges.",
        "> Education comes first.",
    ]
    assert files["article.ru.md"].rstrip("\n").split("\n\n")[-2] == "- Обмен учителями."
    kinds = {json.loads(line)["id"]: json.loads(line)["kind"] for line in files["aligned.jsonl"].splitlines()}
    assert [kinds[i] for i, *_ in extra] == ["subheading", "item", "item", "quote"]
    doc = lxml_html.fromstring(files["review.html"])
    for seg_id, kind, *_ in extra:
        (row,) = doc.xpath(f"//tr[@data-seg-id='{seg_id}']")
        assert f"kind-{kind}" in row.get("class") and row.get("data-kind") == kind
        assert row.xpath(f".//span[contains(@class, 'badge') and contains(@class, 'k-{kind}')]/text()") == [
            kind
        ]


def test_targets_and_titles_are_bidi_isolated():
    """A bidi override in a target or title cannot reorder what follows it on the page."""
    from render_fixtures import build_result

    from translate_sum.records import IndexEntry
    from translate_sum.render import render_index_html, render_review_html

    result = build_result()
    result.segments[1].translations["zh"] = "\u202e反转的文字"
    page = render_review_html(result)
    assert '<bdi class="cell-text">\u202e反转的文字</bdi>' in page
    index = render_index_html([IndexEntry("a-slug", "\u202eTitle", None, "a.txt", "done", {})])
    assert "<bdi>\u202eTitle</bdi>" in index
