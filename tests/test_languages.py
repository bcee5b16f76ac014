"""The language registry and what asks it: generic rules for any language, right-to-left outputs, and
glossaries whose columns are any set of languages (French and Arabic here, by hand-written examples)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from lxml import etree

from translate_sum import languages
from translate_sum.errors import GlossaryError
from translate_sum.pipeline.inputs import check_glossary_languages
from translate_sum.qa import check_segment
from translate_sum.records import AlignedSegment, ArticleResult, Flag, Manifest, TermHit
from translate_sum.render import render_review_html
from translate_sum.render.markdown import render_article_md, render_summary_md
from translate_sum.render.tmx import render_tmx
from translate_sum.render.xliff import render_xliff
from translate_sum.terms.glossary import Glossary
from translate_sum.terms.guard import TermGuard
from translate_sum.terms.verify import target_spans

# -- the registry ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "tag", "name", "script", "direction", "joiner"),
    [
        ("zh", "zh-CN", "Chinese", "Hans", "ltr", ""),
        ("ru", "ru", "Russian", "Cyrl", "ltr", " "),
        ("ar", "ar", "Arabic", "Arab", "rtl", " "),
        ("fr", "fr", "French", "Latn", "ltr", " "),
        ("de", "de", "German", "Latn", "ltr", " "),
        ("he", "he", "Hebrew", "Hebr", "rtl", " "),
        ("fa", "fa", "Persian", "Arab", "rtl", " "),
        ("ja", "ja", "Japanese", "Jpan", "ltr", ""),
        ("pt-BR", "pt-BR", "Portuguese (Brazil)", "Latn", "ltr", " "),
    ],
)
def test_each_language_has_its_record(code, tag, name, script, direction, joiner):
    language = languages.get(code)
    assert (language.code, language.tag, language.name, language.script) == (code, tag, name, script)
    assert (language.direction, language.joiner) == (direction, joiner)


@pytest.mark.parametrize("code", ["xx", "qq", "x-klingon", "not a code", "", "zz-Zzzz-999"])
def test_an_unknown_language_gets_the_generic_rules_never_an_error(code):
    language = languages.get(code)
    assert (language.code, language.tag, language.direction, language.joiner) == (code, code, "ltr", " ")
    assert check_segment("The SCO met in 2021 with 40 members.", "Texte 2021 40.", code) is not None
    assert languages.join_text(code, ["a", "b"]) == "a b"


def test_zh_and_ru_keep_their_dedicated_rules():
    zh, ru = languages.get("zh"), languages.get("ru")
    assert zh.summary_heading == "摘要" and ru.summary_heading == "Краткое содержание"
    assert zh.char_tokens and zh.max_loop == 16 and not ru.char_tokens
    assert ru.morphology == "russian" and zh.morphology is None and languages.get("fr").morphology is None
    assert languages.join_text("zh", ["一。", "二。"]) == "一。二。"


# -- QA checks with the generic and Arabic rules ------------------------------------------------------------

SOURCE = "The Shanghai Cooperation Organisation met in Qingdao with representatives of 40 countries."


def _types(en: str, target: str, lang: str) -> set[str]:
    return {f.type for f in check_segment(en, target, lang)}


def test_a_latin_target_for_arabic_looks_untranslated():
    flags = check_segment(SOURCE, "The Shanghai Organisation met in Qingdao with 40 countries.", "ar")
    assert [f.detail for f in flags if f.type == "untranslated"] == ["no Arabic script in target"]
    arabic = "اجتمعت منظمة شنغهاي للتعاون في تشينغداو مع ممثلي 40 دولة."
    assert "untranslated" not in _types(SOURCE, arabic, "ar")


def test_a_french_target_is_untranslated_only_when_it_is_the_source():
    french = "L'Organisation de coopération de Shanghai s'est réunie à Qingdao avec 40 pays."
    assert "untranslated" not in _types(SOURCE, french, "fr")
    assert "untranslated" in _types(SOURCE, SOURCE, "fr")


def test_arabic_number_words_and_digits_count():
    en = "The fund holds 2 million dollars."
    assert "numbers" not in _types(en, "يملك الصندوق 2000000 دولار.", "ar")
    assert "numbers" not in _types(en, "يملك الصندوق 2 مليون دولار.", "ar")
    assert "numbers" not in _types(en, "يملك الصندوق ٢ مليون دولار.", "ar")  # Arabic-Indic digits
    assert "numbers" in _types(en, "يملك الصندوق 3 مليون دولار.", "ar")


def test_direction_marks_belong_to_arabic_but_an_override_never_does():
    en = "The SCO was founded in 2001 in Shanghai."
    target = "تأسست منظمة \u200fSCO\u200f في عام 2001 في شنغهاي."
    assert "bidi" not in _types(en, target, "ar")
    assert "bidi" in _types(en, target, "fr")
    assert "bidi" in _types(en, "تأسست المنظمة \u202eفي عام 2001 في شنغهاي.", "ar")


# -- glossaries with any language columns ---------------------------------------------------------------------

GLOSSARY = (
    "en\tfr-FR\tar\tkeep\n"
    "SCO\tOCS\tمنظمة شنغهاي للتعاون\t\n"
    "Qingdao\tQingdao\tتشينغداو\t\n"
    "Secretary-General\tsecrétaire général\tالأمين العام\t\n"
    "China\tChine\tالصين\t\n"
    "COVID-19\t\t\tyes\n"
)


@pytest.fixture
def glossary(tmp_path) -> Glossary:
    path = tmp_path / "glossary.tsv"
    path.write_text(GLOSSARY, encoding="utf-8")
    return Glossary.load(path)


def test_a_glossary_may_hold_any_languages(glossary):
    assert glossary.languages == ("fr", "ar")
    sco = glossary.entries[0]
    assert (sco.target("fr"), sco.target("ar")) == ("OCS", "منظمة شنغهاي للتعاون")
    assert glossary.entries[-1].target("ar") == "COVID-19"  # kept in English
    with pytest.raises(GlossaryError, match=r"no 'zh' column \(it has fr, ar\)"):
        sco.target("zh")


def test_a_run_language_without_a_column_names_the_file_and_the_column(glossary):
    check_glossary_languages(glossary, ("fr", "ar"))
    with pytest.raises(GlossaryError, match=rf"{re.escape(str(glossary.path))}: no 'zh', 'ru' column"):
        check_glossary_languages(glossary, ("zh", "fr", "ru"))
    said: list[str] = []
    check_glossary_languages(glossary, ("zh", "fr"), optional=True, notify=said.append)
    assert len(said) == 1 and "warning" in said[0] and "'zh'" in said[0] and str(glossary.path) in said[0]


class Model:
    """A fake model answering the first call with ``first`` and the retry with ``retry``."""

    def __init__(self, first: str, retry: str | None = None):
        self.answers = [first, retry]
        self.calls: list[list[str]] = []

    def __call__(self, batch: list[str]) -> list[str]:
        self.calls.append(list(batch))
        return [self.answers[len(self.calls) - 1] or ""] * len(batch)


@pytest.mark.parametrize(
    ("lang", "source", "first", "retry", "statuses", "text"),
    [
        # The model's own fixed form counts; no retry.
        ("fr", "China and the SCO.", "La Chine et l'OCS.", None, ["kept", "kept"], "La Chine et l'OCS."),
        # Missing in the first pass: the retry's placeholders bring the fixed forms back.
        ("fr", "China and the SCO.", "La Chine et l'OSC.", "La Chine et ZX1.", ["kept", "enforced"], None),
        (
            "fr",
            "China and the SCO.",
            "Pays et OSC.",
            "ZX1 et ZX2.",
            ["enforced", "enforced"],
            "Chine et OCS.",
        ),
        # A fixed form inside a longer word does not count ("Chinese" is not "China").
        ("fr", "China spoke.", "Les Chinesques ont parlé.", "Il a parlé.", ["flagged"], None),
        # Arabic: a proclitic glued to the form is still the form ("and China").
        ("ar", "The SCO and China.", "منظمة شنغهاي للتعاون والصين.", None, ["kept", "kept"], None),
        # ... but a suffix makes another word ("Chinese"): flagged when the retry fails too.
        ("ar", "China spoke.", "تحدثت الصينية.", "تحدث.", ["flagged"], None),
        # Two occurrences need two forms of their own.
        ("ar", "China met China.", "التقت الصين.", "ZX1 التقت.", ["kept", "flagged"], None),
        # A placeholder glued to a letter is not restored, and is flagged as left over.
        ("ar", "China spoke.", "تحدث.", "تحدثت ZX1x.", ["flagged"], None),
    ],
)
def test_generic_rules_keep_terms_present_or_flagged(glossary, lang, source, first, retry, statuses, text):
    [result] = TermGuard(glossary).translate([source], lang, Model(first, retry))
    assert [t.status for t in result.terms] == statuses
    if text is not None:
        assert result.text == text
    flagged = [t.en for t in result.terms if t.status == "flagged"]
    details = " ".join(f.detail for f in result.flags if f.type == "glossary" and f.lang == lang)
    assert all(repr(en) in details for en in flagged)
    assert bool(flagged) == bool(details)


def test_arabic_proclitics_only_at_the_start_of_a_word(glossary):
    china = glossary.entries[3]
    assert target_spans(china, "ar", "والصين") == [(1, 6)]
    assert target_spans(china, "ar", "بالصين") == [(1, 6)]  # "in China"
    assert target_spans(china, "ar", "الصين والصين") == [(0, 5), (7, 12)]
    assert target_spans(china, "ar", "سالصين") == []  # not a proclitic
    assert target_spans(china, "ar", "ووالصين") == []  # a proclitic starts a word
    assert target_spans(china, "ar", "الصينية") == []


def test_a_language_without_a_column_goes_without_fixed_terms(glossary):
    model = Model("中国和上合组织。")
    [result] = TermGuard(glossary).translate(["China and the SCO."], "zh", model)
    assert (result.text, result.terms, result.flags, len(model.calls)) == ("中国和上合组织。", [], [], 1)


# -- right-to-left outputs ------------------------------------------------------------------------------------

EVIL_AR = 'تحدث <script>window.__pwned=1</script> & "x" في Qingdao'


def rtl_result() -> ArticleResult:
    """An article translated into French and Arabic, with Latin names and numbers inside the Arabic."""
    rows = [
        (
            "t0",
            "title",
            0,
            "SCO meets in Qingdao",
            "L'OCS se réunit à Qingdao",
            "منظمة شنغهاي للتعاون تجتمع في Qingdao",
        ),
        (
            "p1s0",
            "body",
            1,
            "Secretary-General Vladimir Norov met COVID-19 experts on 10 April 2021.",
            "Le secrétaire général Vladimir Norov a rencontré des experts du COVID-19 le 10 avril 2021.",
            "التقى الأمين العام Vladimir Norov بخبراء COVID-19 في 10 أبريل 2021.",
        ),
        ("p1s1", "body", 1, "He spoke <b>boldly</b>.", "Il a parlé.", EVIL_AR),
        ("s0", "summary", -1, "SCO met.", "L'OCS s'est réunie.", "اجتمعت منظمة شنغهاي للتعاون."),
    ]
    segments = []
    for sid, kind, para, en, fr, ar in rows:
        terms, flags = [], []
        if sid == "p1s0":
            start = en.index("Secretary-General")
            terms = [
                TermHit(
                    "Secretary-General",
                    "Secretary-General",
                    start,
                    start + 17,
                    "fr",
                    "secrétaire général",
                    "kept",
                ),
                TermHit(
                    "Secretary-General", "Secretary-General", start, start + 17, "ar", "الأمين العام", "kept"
                ),
            ]
            flags = [Flag("numbers", "ar", "not found in target: 40")]
        segments.append(AlignedSegment(sid, kind, para, en, {"fr": fr, "ar": ar}, [], flags, terms))
    manifest = Manifest.from_dict(
        {
            "tsum_version": "0.1.0",
            "input": {"path": "seeds/sco.txt", "sha256": "ab" * 32},
            "article": {"title": rows[0][3], "date": "2021-04-10", "source": "SCO", "author": None},
            "languages": ["fr", "ar"],
            "models": {
                "ar": {
                    "id": "Helsinki-NLP/opus-mt-en-ar",
                    "backend": "ctranslate2",
                    "target_token": ">>ara<<",
                },
                "fr": {"id": "Helsinki-NLP/opus-mt-en-fr", "backend": "ctranslate2"},
            },
        }
    )
    return ArticleResult("2021-04-10-sco-meets-in-qingdao", segments, manifest)


def test_review_page_sets_direction_and_language_per_column():
    page = render_review_html(rtl_result())
    assert '<th scope="col">Arabic · ar</th>' in page and '<th scope="col">French · fr</th>' in page
    assert page.count('<td class="col-ar" lang="ar" dir="rtl"><bdi class="cell-text" dir="rtl">') == 4
    assert page.count('<td class="col-fr" lang="fr"><bdi class="cell-text">') == 4
    assert page.count('<td class="col-en" lang="en"><bdi class="cell-text">') == 4
    # Latin names and numbers inside Arabic are isolated; French text is not touched.
    assert '<bdi dir="ltr">Vladimir Norov</bdi>' in page and '<bdi dir="ltr">COVID-19</bdi>' in page
    assert '<bdi dir="ltr">10</bdi> أبريل <bdi dir="ltr">2021</bdi>' in page
    assert "Vladimir Norov a rencontré" in page
    # The English flags under an Arabic cell run left to right.
    assert '<span class="flags" dir="ltr" lang="en"><span class="flag"' in page


def test_review_page_escapes_arabic_text_around_the_isolates():
    page = render_review_html(rtl_result())
    assert "<script>window.__pwned" not in page and "<b>boldly" not in page
    assert (
        'تحدث &lt;<bdi dir="ltr">script</bdi>&gt;<bdi dir="ltr">window</bdi>.__<bdi dir="ltr">pwned</bdi>='
        '<bdi dir="ltr">1</bdi>&lt;/<bdi dir="ltr">script</bdi>&gt; &amp; &quot;<bdi dir="ltr">x</bdi>&quot; '
        'في <bdi dir="ltr">Qingdao</bdi></bdi>'
    ) in page


def test_markdown_of_a_right_to_left_language_runs_right_to_left():
    result = rtl_result()
    article = render_article_md(result, "ar")
    assert article.startswith('<div dir="rtl" lang="ar">\n\n# منظمة شنغهاي للتعاون تجتمع في Qingdao\n\n')
    assert article.endswith("\n\n</div>\n")
    assert "\\<script\\>" in article  # still Markdown-escaped inside the block
    summary = render_summary_md(result, "ar")
    assert "## ملخص" in summary and summary.startswith('<div dir="rtl" lang="ar">')
    assert not render_article_md(result, "fr").startswith("<div")
    assert "## Summary" in render_summary_md(result, "fr")


def test_xliff_and_tmx_carry_each_languages_tag():
    result = rtl_result()
    xliff = etree.fromstring(render_xliff(result, "ar").encode("utf-8"))
    file_node = xliff.find("{urn:oasis:names:tc:xliff:document:1.2}file")
    assert (file_node.get("source-language"), file_node.get("target-language")) == ("en", "ar")
    tmx = etree.fromstring(render_tmx(result).encode("utf-8"))
    tags = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tmx.iter("tuv")}
    assert tags == {"en", "fr", "ar"}


def test_review_page_of_an_unknown_language_renders(tmp_path: Path):
    result = rtl_result()
    for segment in result.segments:
        segment.translations["qq"] = segment.translations.pop("fr")
    result.manifest = dataclasses.replace(result.manifest, languages=("qq", "ar"))
    page = render_review_html(result)
    assert '<td class="col-qq" lang="qq"><bdi class="cell-text">' in page
