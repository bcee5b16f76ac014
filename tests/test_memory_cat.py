"""The CAT round trip: XLIFF 1.2 and TMX 1.4 in (read with translate-toolkit), TMX out, and state="final"."""

from __future__ import annotations

import pytest
from render_fixtures import build_result

from translate_sum.errors import TranslationMemoryError
from translate_sum.memory import MemoryStore
from translate_sum.memory.cat import export_tmx, import_file, lang_code
from translate_sum.records import MemoryHit
from translate_sum.render import render_tmx, render_xliff

XLIFF_NS = "{urn:oasis:names:tc:xliff:document:1.2}"


@pytest.fixture
def store(tmp_path):
    with MemoryStore(tmp_path / "tm.sqlite") as opened:
        yield opened


def _post_edit(text: str, edits: dict[str, tuple[str, dict[str, str], dict[str, str]]]) -> bytes:
    """Change targets as a CAT tool would: unit id -> (target, target attributes, unit attributes)."""
    from translate.storage import xliff

    document = xliff.xlifffile.parsestring(text.encode("utf-8"))
    for unit in document.units:
        if unit.xmlelement.get("id") in edits:
            target, target_attrs, unit_attrs = edits[unit.xmlelement.get("id")]
            unit.settarget(target)
            node = unit.xmlelement.find(f"{XLIFF_NS}target")
            for name in ("state", "state-qualifier"):
                node.attrib.pop(name, None)
            node.attrib.update(target_attrs)
            unit.xmlelement.attrib.update(unit_attrs)
    return bytes(document)


@pytest.mark.parametrize(
    "code",
    [
        ("zh-CN", "zh"),
        ("zh-Hans", "zh"),
        ("zh-Hans-CN", "zh"),
        ("zh-SG", "zh"),
        ("zh", "zh"),
        ("zh-TW", None),  # Traditional script: not tsum's Simplified zh
        ("zh-Hant", None),
        ("zh-HK", None),
        ("ru_RU", "ru"),
        ("ru-Cyrl", "ru"),
        ("ru-Latn", None),
        ("EN", "en"),
        ("en-GB", "en"),
        ("de-DE", "de"),  # any language the registry knows, in its usual script
        ("sr-Latn", None),
        ("", None),
        ("x-klingon", None),
        ("not a tag", None),
    ],
)
def test_lang_code_matches_language_and_script(code):
    assert lang_code(code[0]) == code[1]


def test_lang_code_keeps_to_the_languages_asked_for():
    assert lang_code("de-DE", ("en", "zh", "ru")) is None
    assert lang_code("fr_FR", ("en", "fr")) == "fr"
    assert lang_code("ar-EG", ("ar",)) == "ar"


def test_xliff_import_takes_finished_targets_only(store, tmp_path):
    result = build_result()
    en = {s.id: s.en for s in result.segments}
    path = tmp_path / "post-edited.en-zh.xlf"
    path.write_bytes(
        _post_edit(
            render_xliff(result, "zh"),
            {
                "t0": ("标题：终稿", {"state": "final"}, {}),
                "p1s0": ("句子：已翻译", {"state": "translated"}, {}),
                "p1s1": ("句子：签发", {"state": "signed-off"}, {}),
                "p2s0": ("句子：批准", {"state": "needs-review-translation"}, {"approved": "yes"}),
                "p3s0": ("句子：仍需审校", {"state": "needs-review-translation"}, {}),
            },
        )
    )
    report = import_file(path, store)
    # Only what the state says is done: approved="yes" over needs-review-translation is not.
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    assert report.skipped == len(result.segments) - 2
    assert '1 skipped: state="translated"' in report.describe()
    entries = {e.source: e for e in store.entries("zh")}
    assert {e.target for e in entries.values()} == {"标题：终稿", "句子：签发"}
    title = entries[en["t0"]]
    assert (title.status, title.origin, title.origin_name, title.slug) == (
        "imported",
        "xliff",
        "post-edited.en-zh.xlf",
        result.slug,
    )
    again = import_file(path, store, include_translated=True)
    assert (again.added, again.updated, again.unchanged) == (1, 0, 2)
    draft = store.get(en["p1s0"], "zh")
    assert (draft.target, draft.status) == ("句子：已翻译", "edited")  # a draft stays a draft
    assert store.get(en["p2s0"], "zh") is None


def test_memory_targets_are_exported_final_and_round_trip(store, tmp_path):
    from translate.storage import xliff

    result = build_result()
    result.segments[1].memory["zh"] = MemoryHit("approved", "review", "review page", "2026-01-01T00:00:00Z")
    text = render_xliff(result, "zh")
    document = xliff.xlifffile.parsestring(text.encode("utf-8"))
    units = {u.xmlelement.get("id"): u for u in document.units}
    served = units[result.segments[1].id]
    assert served.xmlelement.find(f"{XLIFF_NS}target").get("state") == "final" and served.isapproved()
    other = units[result.segments[2].id]
    assert other.xmlelement.find(f"{XLIFF_NS}target").get("state") == "needs-review-translation"
    assert not other.isapproved()
    path = tmp_path / "a.xlf"
    path.write_text(text, encoding="utf-8")
    import_file(path, store)
    assert [e.source for e in store.entries()] == [result.segments[1].en]
    # An edited (not approved) target is a draft in the file too, and comes back as one.
    result.segments[2].memory["zh"] = MemoryHit("edited", "review", "review page", "2026-01-01T00:00:00Z")
    units = {
        u.xmlelement.get("id"): u
        for u in xliff.xlifffile.parsestring(render_xliff(result, "zh").encode()).units
    }
    draft = units[result.segments[2].id]
    assert draft.xmlelement.find(f"{XLIFF_NS}target").get("state") == "translated"
    assert draft.xmlelement.get("approved") == "no"
    path.write_text(render_xliff(result, "zh"), encoding="utf-8")
    assert import_file(path, store).added == 0
    assert import_file(path, store, include_translated=True).added == 1
    assert store.get(result.segments[2].en, "zh").status == "edited"
    assert 'type="x-memory">approved review review page<' in render_tmx(result)


def test_tmx_export_and_import_round_trip(store, tmp_path):
    from translate.storage import tmx

    store.put("About Weidong.", "zh", "关于伟东。", status="approved", origin="review")
    store.put("About Weidong.", "ru", "О Вэйдун.", status="edited", origin="review")
    store.put(
        "He said “yes” & <left>.",
        "zh",
        "他说“是”&<离开>。",
        status="imported",
        origin="xliff",
        origin_name="x.xlf",
    )
    path = tmp_path / "memory.tmx"
    assert export_tmx(store, path) == 3

    document = tmx.tmxfile.parsestring(path.read_bytes())
    pairs = sorted(
        (unit.source, node.get("{http://www.w3.org/XML/1998/namespace}lang"), unit.getNodeText(node))
        for unit in document.units
        for node in unit.getlanguageNodes()[1:]
    )
    assert pairs == [
        ("About Weidong.", "ru", "О Вэйдун."),
        ("About Weidong.", "zh-CN", "关于伟东。"),
        ("He said “yes” & <left>.", "zh-CN", "他说“是”&<离开>。"),
    ]
    props = document.units[0].xmlelement.findall("prop")
    assert {p.get("type"): p.text for p in props}["x-tsum-status"] == "approved"

    header = document.document.getroot().find("header")
    assert header.get("o-tmf") == "tsum" and header.get("creationtool") == "tsum"
    with MemoryStore(tmp_path / "other.sqlite") as other:
        report = import_file(path, other)
        assert (report.added, report.skipped) == (2, 1)  # the edited Russian draft waits
        assert other.get("About Weidong.", "ru") is None
        report = import_file(path, other, include_translated=True)
        assert (report.added, report.unchanged) == (1, 2)
        assert other.get("About Weidong.", "ru").status == "edited"
        assert other.get("About Weidong.", "zh").target == "关于伟东。"
        assert other.get("About Weidong.", "zh").origin == "tmx"
        assert other.get('He said "yes" & <left>.', "zh").target == "他说“是”&<离开>。"


def test_per_article_tmx_of_machine_translations_is_refused(store, tmp_path):
    path = tmp_path / "article.tmx"
    path.write_text(render_tmx(build_result()), encoding="utf-8")
    with pytest.raises(TranslationMemoryError, match="machine translations"):
        import_file(path, store)
    assert store.entries() == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.xlf", b"<xliff><file", "not a readable XLIFF"),
        ("broken.tmx", b"<tmx version='1.4'><body><tu>", "not a readable TMX"),
        ("notes.txt", b"hello", "neither XLIFF"),
    ],
)
def test_unreadable_files_fail_with_their_name(store, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TranslationMemoryError, match=message) as caught:
        import_file(path, store)
    assert name in str(caught.value)


def test_memory_commands_export_and_count(tmp_path):
    from click.testing import CliRunner

    from translate_sum.cli import cli

    memory = tmp_path / "tm.sqlite"
    with MemoryStore(memory) as store:
        store.put("About Weidong.", "zh", "关于伟东。", status="approved", origin="review")
    exported = tmp_path / "all.tmx"
    result = CliRunner().invoke(cli, ["memory", "export", str(exported), "--memory", str(memory)])
    assert result.exit_code == 0 and f"1 entries -> {exported}" in result.output
    assert "关于伟东。" in exported.read_text(encoding="utf-8")
    stats = CliRunner().invoke(cli, ["memory", "stats", "--memory", str(memory)])
    assert stats.output.splitlines()[1:] == ["  zh: 1 approved", "  from: review 1"]
    bad = tmp_path / "bad.xlf"
    bad.write_bytes(b"<xliff")
    failed = CliRunner().invoke(cli, ["memory", "import", str(bad), "--memory", str(memory)])
    assert failed.exit_code == 1 and "bad.xlf: not a readable XLIFF file" in failed.output


def _xliff(target_language: str, body: str, doctype: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + doctype + '<xliff version="1.2" '
        'xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a.txt" source-language="en" '
        f'target-language="{target_language}" datatype="plaintext"><body>{body}</body></file></xliff>'
    ).encode("utf-8")


UNIT = '<trans-unit id="u1"><source>About Weidong.</source><target state="final">關於偉東。</target></trans-unit>'


@pytest.mark.parametrize("tag", ["zh-TW", "zh-Hant", "zh-HK", "de-DE"])
def test_a_language_we_do_not_translate_into_is_refused_with_a_message(store, tmp_path, tag):
    path = tmp_path / "other.xlf"
    path.write_bytes(_xliff(tag, UNIT))
    report = import_file(path, store, ("zh", "ru"))
    assert (report.added, report.skipped) == (0, 1)
    assert (
        f"language {tag} (" in report.describe()
        and "is not a configured language (zh, ru" in report.describe()
    )
    assert store.entries() == []


def test_simplified_chinese_tags_all_mean_zh(store, tmp_path):
    for n, tag in enumerate(["zh-CN", "zh-Hans", "zh-SG", "zh"]):
        path = tmp_path / f"{n}.xlf"
        path.write_bytes(_xliff(tag, UNIT.replace("About", f"About {n}")))
        assert import_file(path, store).added == 1
    assert {e.lang for e in store.entries()} == {"zh"}


def test_entities_are_reported_never_dropped(store, tmp_path):
    unit = '<trans-unit id="u1"><source>About &co;.</source><target state="final">关于&co;。</target></trans-unit>'
    external = tmp_path / "external.xlf"
    external.write_bytes(
        _xliff("zh-CN", unit + UNIT.replace("u1", "u2"), '<!DOCTYPE xliff SYSTEM "x.dtd">\n')
    )
    report = import_file(external, store)
    assert (report.added, report.skipped) == (1, 1) and "entity references &co;" in report.describe()
    assert [e.source for e in store.entries()] == ["About Weidong."]
    tmx = tmp_path / "internal.tmx"
    tmx.write_text(
        '<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY co "Weidong">]><tmx version="1.4">'
        '<header srclang="en" o-tmf="x" datatype="plaintext" segtype="sentence" adminlang="en" '
        'creationtool="x" creationtoolversion="1"/><body>'
        '<tu><tuv xml:lang="en"><seg>About &co; now.</seg></tuv><tuv xml:lang="zh-CN"><seg>&co;关于</seg></tuv></tu>'
        '<tu><tuv xml:lang="en"><seg>Plain <bpt i="1">&lt;b&gt;</bpt>text<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>'
        '<tuv xml:lang="zh-CN"><seg>纯文本。</seg></tuv><tuv xml:lang="zh-TW"><seg>純文本。</seg></tuv></tu>'
        "</body></tmx>",
        encoding="utf-8",
    )
    report = import_file(tmx, store)
    assert report.added == 1 and "entity references &co;" in report.describe()
    assert "language zh-TW (" in report.describe()
    assert store.get("Plain text.", "zh").target == "纯文本。"  # inline codes are not text
    assert store.get("About Weidong now.", "zh") is None and store.get("About  now.", "zh") is None


def test_tmx_import_streams_with_progress(store, tmp_path):
    from contextlib import contextmanager

    path = tmp_path / "big.tmx"
    units = "".join(
        f'<tu><tuv xml:lang="en"><seg>Sentence {i} of the file.</seg></tuv>'
        f'<tuv xml:lang="ru-RU"><seg>Предложение {i}.</seg></tuv></tu>'
        for i in range(5000)
    )
    path.write_text(
        f'<?xml version="1.0"?><tmx version="1.4"><header srclang="en" o-tmf="x"/><body>{units}</body></tmx>',
        encoding="utf-8",
    )
    seen: list[tuple[str, int, int]] = []

    @contextmanager
    def progress(description: str, total: int):
        done = [0]
        yield lambda n: done.__setitem__(0, done[0] + n)
        seen.append((description, total, done[0]))

    report = import_file(path, store, progress=progress)
    assert (
        report.added == 5000 and store.get("Sentence 4999 of the file.", "ru").target == "Предложение 4999."
    )
    assert seen == [("big.tmx", path.stat().st_size, path.stat().st_size)]


def test_memory_import_command_reports_what_it_skipped(tmp_path):
    from click.testing import CliRunner

    from translate_sum.cli import cli

    path = tmp_path / "traditional.xlf"
    path.write_bytes(_xliff("zh-TW", UNIT))
    result = CliRunner().invoke(cli, ["memory", "import", str(path), "--memory", str(tmp_path / "tm.sqlite")])
    assert result.exit_code == 0, result.output
    assert "traditional.xlf: 0 added, 0 updated, 0 unchanged, 1 skipped" in result.output
    assert "1 skipped: language zh-TW (zh, Hant script) is not a configured language (zh, ru" in result.output
