"""Glossary files: loading, validation messages, and finding terms in English text."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from glossary_entries import zh_ru

from translate_sum.errors import GlossaryError
from translate_sum.terms.glossary import Glossary

REPO = Path(__file__).resolve().parent.parent
HEADER = "en\tzh\tru\tvariants\tru_forms\tkeep\tcase_sensitive\tnote"
ROWS = [
    "SCO\t上合组织\tШОС\t\t\t\t\t",
    "Shanghai Cooperation Organization\t上海合作组织\tШанхайская организация сотрудничества"
    "\tShanghai Cooperation Organisation\t\t\t\t",
    "SCO Secretariat\t上合组织秘书处\tСекретариат ШОС\tSecretariat of the SCO\t\t\t\t",
    "Secretary-General\t秘书长\tГенеральный секретарь\t\t\t\t\t",
    "Weidong\t伟东\t«Вэйдун»\t\t\t\t\t",
    "Weidong Cloud Education Group\t伟东云教育集团\t«Вэйдун Клауд Эдьюкейшн Груп»\t\t\t\t\t",
    "Weidong Cloud Education Group Co., Ltd.\t伟东云教育集团有限公司\t«Вэйдун»\t\t\t\t\t",
    "Agency\t机构\tагентство\t\t\t\t\t",
    "Office\t办公室\tуправление\t\t\t\t\t",
    "Zoom\t\t\t\t\tyes\t\t",
    "Apple\t苹果公司\tApple\t\t\tno\tyes\t",
]


def write(tmp_path: Path, text: str, name: str = "glossary.tsv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


@pytest.fixture
def glossary(tmp_path) -> Glossary:
    return Glossary.load(write(tmp_path, "\n".join([HEADER, *ROWS]) + "\n"))


def found(glossary: Glossary, text: str) -> list[tuple[str, str]]:
    return [(m.surface, m.entry.en) for m in glossary.find(text)]


# -- matching -------------------------------------------------------------------------------------------

MATCHES = [
    ("longest first", "The SCO Secretariat said", [("SCO Secretariat", "SCO Secretariat")]),
    ("alias", "the Secretariat of the SCO said", [("Secretariat of the SCO", "SCO Secretariat")]),
    (
        "British spelling alias",
        "Shanghai Cooperation Organisation",
        [("Shanghai Cooperation Organisation", "Shanghai Cooperation Organization")],
    ),
    ("word boundary", "SCOPE of SCOs and ASCO", [("SCOs", "SCO")]),
    ("possessive", "SCO's members and Weidong's work", [("SCO", "SCO"), ("Weidong", "Weidong")]),
    ("curly possessive", "Weidong’s platform", [("Weidong", "Weidong")]),
    ("plural -s", "two Weidongs", [("Weidongs", "Weidong")]),
    ("plural -ies", "UN agencies", [("agencies", "Agency")]),
    ("plural -s on -e", "regional Offices", [("Offices", "Office")]),
    ("hyphen as space", "the Secretary General noted", [("Secretary General", "Secretary-General")]),
    ("en dash", "the Secretary–General noted", [("Secretary–General", "Secretary-General")]),
    (
        "line break inside",
        "Shanghai Cooperation\nOrganization",
        [("Shanghai Cooperation\nOrganization", "Shanghai Cooperation Organization")],
    ),
    (
        "no-break space",
        "Weidong Cloud\u00a0Education Group",
        [("Weidong Cloud\u00a0Education Group", "Weidong Cloud Education Group")],
    ),
    ("acronym case-sensitive", "sco and Sco but SCO", [("SCO", "SCO")]),
    ("name case-insensitive", "WEIDONG and weidong", [("WEIDONG", "Weidong"), ("weidong", "Weidong")]),
    ("explicit case-sensitive", "apple pie, Apple Inc.", [("Apple", "Apple")]),
    (
        "title in capitals",
        "PRESIDENT OF THE WEIDONG CLOUD EDUCATION GROUP VISITS SCO SECRETARIAT",
        [
            ("WEIDONG CLOUD EDUCATION GROUP", "Weidong Cloud Education Group"),
            ("SCO SECRETARIAT", "SCO Secretariat"),
        ],
    ),
    (
        "company suffix",
        "Weidong Cloud Education Group Co., Ltd. He",
        [("Weidong Cloud Education Group Co., Ltd.", "Weidong Cloud Education Group Co., Ltd.")],
    ),
    (
        "company suffix without dot",
        "Weidong Cloud Education Group Co., Ltd",
        [("Weidong Cloud Education Group Co., Ltd", "Weidong Cloud Education Group Co., Ltd.")],
    ),
    ("caption", "Picture: Group photo on the official website of SCO", [("SCO", "SCO")]),
    ("inside CJK", "伟东与SCO合作", [("SCO", "SCO")]),
    ("keep entry", "on Zoom today", [("Zoom", "Zoom")]),
    ("nothing", "Nothing to see here.", []),
    ("empty", "", []),
]


@pytest.mark.parametrize(("text", "expected"), [m[1:] for m in MATCHES], ids=[m[0] for m in MATCHES])
def test_find(glossary, text, expected):
    assert found(glossary, text) == expected


def test_find_offsets_cover_the_surface(glossary):
    text = "On 10 April, the SCO Secretariat met Weidong's team."
    for m in glossary.find(text):
        assert text[m.start : m.end] == m.surface


def test_find_covers_a_5_mb_article(glossary):
    """Every repeat of the seeds in 5 MB is matched, at the right offsets (speed: benchmarks/glossary_share.py)."""
    seeds = "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt")))
    copies = 5_000_000 // len(seeds)
    big = seeds * copies
    per_copy = len(glossary.find(seeds))
    matches = glossary.find(big)
    assert per_copy > 10 and len(matches) == per_copy * copies
    assert all(big[m.start : m.end] == m.surface for m in matches[-per_copy:])


# -- loading --------------------------------------------------------------------------------------------


def test_entry_fields(glossary):
    entry = next(e for e in glossary.entries if e.en == "Shanghai Cooperation Organization")
    assert entry.variants == ("Shanghai Cooperation Organisation",)
    assert entry.target("zh") == "上海合作组织"
    assert entry.target("ru") == "Шанхайская организация сотрудничества"
    assert entry.line == 3
    keep = next(e for e in glossary.entries if e.en == "Zoom")
    assert keep.keep and keep.target("zh") == keep.target("ru") == "Zoom"
    with pytest.raises(GlossaryError, match="no 'de' column"):
        entry.target("de")


def test_case_rules():
    assert zh_ru("SCO", "a", "b").case_rule("SCO") == "exact"
    assert zh_ru("COVID-19", "a", "b").case_rule("COVID-19") == "capitalised"
    assert zh_ru("UNESCO", "a", "b").case_rule("UNESCO") == "capitalised"
    assert zh_ru("Weidong", "a", "b").case_rule("Weidong") == "any"
    assert zh_ru("SCO", "a", "b", case_sensitive=False).case_rule("SCO") == "any"
    assert zh_ru("Weidong", "a", "b", case_sensitive=True).case_rule("Weidong") == "exact"


def test_sha256_and_path(tmp_path):
    path = write(tmp_path, "\ufeff" + HEADER + "\n" + ROWS[0] + "\n")
    glossary = Glossary.load(path)
    assert glossary.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert glossary.path == path
    assert [e.en for e in glossary.entries] == ["SCO"]


def test_csv_with_comments_and_locale_columns(tmp_path):
    text = (
        "# a comment\n"
        "en_US,zh-CN,ru,variants,note\n"
        "\n"
        '"Weidong Cloud Education Group Co., Ltd.",伟东云教育集团有限公司,«Вэйдун»,"Weidong Co.|WCE",legal name\n'
        "# another\n"
        "Qingdao,青岛,Циндао,,\n"
    )
    glossary = Glossary.load(write(tmp_path, text, "terms.csv"))
    assert [(e.en, e.line) for e in glossary.entries] == [
        ("Weidong Cloud Education Group Co., Ltd.", 4),
        ("Qingdao", 6),
    ]
    assert glossary.entries[0].variants == ("Weidong Co.", "WCE")


def test_sniffs_the_delimiter_when_the_extension_says_nothing(tmp_path):
    glossary = Glossary.load(write(tmp_path, "en,zh,ru\nQingdao,青岛,Циндао\n", "glossary.txt"))
    assert glossary.entries[0].target("ru") == "Циндао"


def test_suggest_output_columns_are_accepted(tmp_path):
    text = "en\tzh\tru\tcount\texample\nQingdao\t青岛\tЦиндао\t3\tHe visited Qingdao.\n"
    assert Glossary.load(write(tmp_path, text)).entries[0].target("zh") == "青岛"


# -- validation -----------------------------------------------------------------------------------------

ERRORS = [
    (
        "duplicate",
        [HEADER, ROWS[0], "sco\t上合组织\tШОС\t\t\t\t\t"],
        r"glossary.tsv line 3: 'sco' duplicates line 2",
    ),
    (
        "duplicate alias",
        [HEADER, ROWS[2], "X\t上合组织秘书处\tСекретариат ШОС\tSecretariat of the SCO\t\t\t\t"],
        r"line 3: 'Secretariat of the SCO' duplicates line 2",
    ),
    (
        "conflict",
        [HEADER, ROWS[0], "SCO\t上海合作组织\tШОС\t\t\t\t\t"],
        r"glossary.tsv line 3: 'SCO' conflicts with line 2: 上海合作组织 / ШОС here, 上合组织 / ШОС there",
    ),
    (
        "conflict via hyphen",
        [HEADER, ROWS[3], "Secretary General\t秘书长\tгенсек\t\t\t\t\t"],
        r"line 3: 'Secretary General' conflicts with line 2",
    ),
    ("empty target", [HEADER, "SCO\t\tШОС\t\t\t\t\t"], r"glossary.tsv line 2: empty 'zh' target for 'SCO'"),
    ("column count", [HEADER, "SCO\t上合组织\tШОС"], r"glossary.tsv line 2: 3 columns, but the header has 8"),
    (
        "missing column",
        ["zh\tru\tnote", "上合组织\tШОС\t"],
        r"glossary.tsv line 1: header lacks column\(s\) en",
    ),
    ("no language column", ["en\tnote", "SCO\t"], r"line 1: header names no language column"),
    ("unknown column", ["en\tzh\tru\tvariant", "SCO\t上合组织\tШОС\t"], r"line 1: unknown column 'variant'"),
    (
        "bad flag",
        [HEADER, "SCO\t上合组织\tШОС\t\t\tmaybe\t\t"],
        r"line 2: keep must be yes or no, not 'maybe'",
    ),
    ("no header", ["# only a comment"], r"glossary.tsv: no header row"),
    (
        "unknown case label",
        [HEADER, "Vladimir Norov\tx\tВладимир Норов\t\tgent:Владимира Норова\t\t\t"],
        r"line 2: unknown case 'gent' in ru_forms \(known: nom, gen, dat, acc, ins, loc, prep\)",
    ),
    (
        "empty labelled form",
        [HEADER, "Vladimir Norov\tx\tВладимир Норов\t\tgen:\t\t\t"],
        r"line 2: empty form after 'gen' in ru_forms",
    ),
]


@pytest.mark.parametrize(("lines", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_validation_errors(tmp_path, lines, message):
    with pytest.raises(GlossaryError, match=message):
        Glossary.load(write(tmp_path, "\n".join(lines) + "\n"))


def test_several_problems_are_reported_together(tmp_path):
    lines = [HEADER, ROWS[0], "SCO\t上海合作组织\tШОС\t\t\t\t\t", "Qingdao\t青岛\t\t\t\t\t\t", "X\tY"]
    with pytest.raises(GlossaryError) as caught:
        Glossary.load(write(tmp_path, "\n".join(lines)))
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'glossary.tsv'}: 3 problems\n")
    assert "line 3: 'SCO' conflicts with line 2" in message
    assert "line 4: empty 'ru' target for 'Qingdao'" in message
    assert "line 5: 2 columns" in message


def test_bad_encoding_names_the_line(tmp_path):
    # A row saved as Windows-1251 by mistake.
    path = write(
        tmp_path, (HEADER + "\n" + ROWS[0] + "\n").encode() + b"Qingdao\t\xc7\xe0\t\xd6\xe8\t\t\t\t\t\n"
    )
    with pytest.raises(GlossaryError, match=r"glossary.tsv line 3: not valid UTF-8 \(byte 0xc7\)"):
        Glossary.load(path)


def test_keep_needs_no_targets(tmp_path):
    glossary = Glossary.load(write(tmp_path, f"{HEADER}\nZoom\t\t\t\t\tyes\t\t\n"))
    assert glossary.entries[0].keep


def test_missing_file(tmp_path):
    with pytest.raises(GlossaryError, match="cannot read the glossary"):
        Glossary.load(tmp_path / "nope.tsv")


# -- the shipped glossary -------------------------------------------------------------------------------


def test_shipped_glossary_finds_the_seed_entities():
    glossary = Glossary.load(REPO / "seeds" / "glossary.tsv")
    seeds = sorted((REPO / "seeds").glob("*.txt"))
    assert len(seeds) == 2
    first, second = ({m.entry.en for m in glossary.find(p.read_text(encoding="utf-8"))} for p in seeds)
    assert {
        "SCO",
        "Shanghai Cooperation Organization",
        "Deputy Secretary-General",
        "Sherali Jonon",
        "Muratek Akimbakiyev",
        "Weidong Cloud Education Group",
        "Weidong Cloud Education",
        "Weidong Group",
        "Qingdao",
        "Qingdao Foreign Affairs Office",
        "Qingdao Municipal Government",
        "Wang Xiangyu",
        "Zhang Xiaobing",
        "Wang Zhiqian",
        "Secretariat of the Shanghai Cooperation Organization",
        "Weidong International Vocational Education Park",
        "Weidong Rock City",
        "International Sister Cities Imported Commodities Exhibition",
    } <= first
    assert {
        "SCO Secretariat",
        "SCO Secretary-General",
        "Vladimir Norov",
        "Wang Duanrui",
        "Secretary-General",
        "COVID-19",
        "PRC",
        "UNESCO",
        "Weidong",
        "Weidong Cloud Education Group Co., Ltd.",
        "Hong Kong Chamber of Commerce and Industry",
        "Shandong",
        "Qingdao",
    } <= second


def test_case_labels_in_ru_forms(tmp_path):
    row = "Vladimir Norov\tx\tВладимир Норов\t\tgen:Владимира Норова|ins:Владимиром Норовым|Владимиру Норову\t\t\t"
    [entry] = Glossary.load(write(tmp_path, f"{HEADER}\n{row}\n")).entries
    assert entry.ru_cases == {"gent": "Владимира Норова", "ablt": "Владимиром Норовым"}
    assert entry.ru_variants == (
        "Владимир Норов",
        "Владимира Норова",
        "Владимиром Норовым",
        "Владимиру Норову",
    )


def test_shipped_glossary_names_sherali_jonon_as_attested():
    glossary = Glossary.load(REPO / "seeds" / "glossary.tsv")
    [jonon] = [e for e in glossary.entries if e.en == "Sherali Jonon"]
    assert jonon.target("zh") == "舍拉利·卓农" and "卓农" in jonon.note and "attested" in jonon.note
    assert set(jonon.variants) == {"Sherali Jononov", "Sherali Saidamir Jonon"}
    assert jonon.ru_cases["gent"] == "Шерали Джонона"
    found = [(m.surface, m.entry.en) for m in glossary.find("Sherali Jononov met Sherali Saidamir Jonon.")]
    assert found == [("Sherali Jononov", "Sherali Jonon"), ("Sherali Saidamir Jonon", "Sherali Jonon")]
    president = [m.entry.en for m in glossary.find("President of the Weidong Group; Vice President")]
    assert president == ["President", "Weidong Group", "Vice President"]


def test_shipped_glossary_rows_are_complete():
    glossary = Glossary.load(REPO / "seeds" / "glossary.tsv")
    for entry in glossary.entries:
        assert entry.target("zh") and entry.target("ru") and entry.note, entry.en


def test_plurals_are_kept_between_runs_so_inflect_is_imported_only_for_new_words(tmp_path):
    """inflect costs seconds to import; its answers are kept in tsum's cache folder, per inflect version."""
    import os
    import subprocess
    import sys

    path = tmp_path / "glossary.tsv"
    path.write_text("en\tzh\tru\nHead of State\t国家元首\tглава государства\n", encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from translate_sum.terms.glossary import Glossary; "
        f"found = Glossary.load(Path({str(path)!r})).find('Two Heads of State met.'); "
        "print('inflect' in sys.modules, [m.surface for m in found])"
    )
    env = {**os.environ, "TSUM_CACHE": str(tmp_path / "cache")}

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run() == "True ['Heads of State']"  # first time: asked, and kept
    [kept] = (tmp_path / "cache").glob("inflect-*-plurals.json")
    assert json.loads(kept.read_text(encoding="utf-8"))["head"] == "heads"
    assert run() == "False ['Heads of State']"  # next time: not imported at all
    kept.write_text("{not json", encoding="utf-8")  # a damaged cache is not used, and is written again
    assert run() == "True ['Heads of State']"
    assert json.loads(kept.read_text(encoding="utf-8"))["head"] == "heads"
