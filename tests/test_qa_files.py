"""``tsum qa``: the glossary and QA checks on bilingual files from CAT tools, no model."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from translate_sum.cli import cli
from translate_sum.qa_files import check_units, read_units

# As a CAT tool (OmegaT / memoQ style) writes XLIFF 1.2: a region tag, its own notes, an alt-trans.
CAT_XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
 <file original="release.docx" source-language="en-US" target-language="ru-RU" datatype="x-docx">
  <header><tool tool-id="omegat" tool-name="OmegaT"/></header>
  <body>
   <trans-unit id="u1">
    <source>The SCO Secretary-General met the G20 envoy.</source>
    <target state="translated">Генеральный секретарь встретился с посланником G20.</target>
    <note from="translator">checked</note>
   </trans-unit>
   <trans-unit id="u2">
    <source>See https://sco.int/en for the &lt;full&gt; text.</source>
    <target state="translated">Полный текст (на сайте https://sco.int/ru.</target>
    <alt-trans match-quality="80"><target>Полный текст на сайте.</target></alt-trans>
   </trans-unit>
   <trans-unit id="u3">
    <source>The meeting was held in a friendly atmosphere.</source>
    <target state="final">Встреча прошла в дружественной атмосфере.</target>
   </trans-unit>
  </body>
 </file>
</xliff>
"""

GLOSSARY = "en\tzh\tru\nSCO\t上海合作组织\tШОС\n"

TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x"
 adminlang="en" srclang="en" datatype="plaintext"/>
<body>
 <tu tuid="a"><tuv xml:lang="en"><seg>The forum opened on Friday.</seg></tuv>
  <tuv xml:lang="zh-CN"><seg>论坛于周五开幕。</seg></tuv></tu>
 <tu tuid="b"><tuv xml:lang="en"><seg>The forum  opened on Friday.</seg></tuv>
  <tuv xml:lang="zh-CN"><seg>论坛星期五开幕了。</seg></tuv></tu>
</body></tmx>
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cat_tool_xliff_findings_glossary_and_checks(tmp_path) -> None:
    xlf = _write(tmp_path, "release.en-ru.xlf", CAT_XLIFF)
    glossary = _write(tmp_path, "glossary.tsv", GLOSSARY)
    result = CliRunner().invoke(cli, ["qa", str(xlf), "--glossary", str(glossary)])
    assert result.exit_code == 1
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    found = {(unit, kind) for _, unit, lang, kind, _ in lines}
    assert all(lang == "ru" and path == str(xlf) for path, _, lang, _, _ in lines)
    # SCO is a glossary term: the glossary check covers it, the caps check leaves it alone.
    assert found == {("u1", "glossary"), ("u2", "urls"), ("u2", "brackets")}
    assert "missing 'SCO' → ШОС" in next(d for _, u, _, k, d in lines if (u, k) == ("u1", "glossary"))
    assert "3 units" in result.stderr


def test_json_lines_and_a_clean_file_exits_0(tmp_path) -> None:
    clean = CAT_XLIFF.replace("Генеральный секретарь встретился", "Генеральный секретарь ШОС встретился")
    clean = clean.replace("Полный текст (на сайте https://sco.int/ru.", "Полный текст на https://sco.int/en.")
    xlf = _write(tmp_path, "clean.xlf", clean)
    glossary = _write(tmp_path, "glossary.tsv", GLOSSARY)
    result = CliRunner().invoke(cli, ["qa", str(xlf), "--glossary", str(glossary), "--format", "json"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    dirty = _write(tmp_path, "dirty.xlf", CAT_XLIFF)
    result = CliRunner().invoke(cli, ["qa", str(dirty), "--format", "json"])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1 and {r["type"] for r in records} == {"caps", "urls", "brackets"}
    assert {"file", "id", "lang", "type", "detail", "en", "target"} == set(records[0])


def test_tmx_consistency_across_units(tmp_path) -> None:
    units = read_units(_write(tmp_path, "memory.tmx", TMX))
    assert [(u.id, u.lang) for u in units] == [("a", "zh"), ("b", "zh")]
    findings = check_units(units)
    assert {(f.id, f.type) for f in findings} == {("a", "consistency"), ("b", "consistency")}
    assert "memory.tmx b" in next(f.detail for f in findings if f.id == "a")


def test_html_report_escapes_everything(tmp_path) -> None:
    evil = CAT_XLIFF.replace("The meeting was held", "&lt;script&gt;alert(1)&lt;/script&gt; was held")
    xlf = _write(tmp_path, "evil.xlf", evil)
    report = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["qa", str(xlf), "--html", str(report)])
    assert result.exit_code == 1
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)" in html
    assert "&lt;full&gt;" in html and "Content-Security-Policy" in html


def test_unreadable_file_is_an_error_not_a_finding(tmp_path) -> None:
    bad = _write(tmp_path, "notes.tsv", "just text without a header\n")
    result = CliRunner().invoke(cli, ["qa", str(bad)])
    assert result.exit_code == 1 and "needs a header row with an 'en' column" in result.output
