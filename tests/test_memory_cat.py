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
    "code", [("zh-CN", "zh"), ("ru_RU", "ru"), ("EN", "en"), ("", None), ("x-klingon", None)]
)
def test_lang_code(code):
    assert lang_code(code[0]) == code[1]


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
    assert (report.added, report.updated, report.unchanged) == (4, 0, 0)
    assert report.skipped == len(result.segments) - 4
    entries = {e.source: e for e in store.entries("zh")}
    assert {e.target for e in entries.values()} == {"标题：终稿", "句子：已翻译", "句子：签发", "句子：批准"}
    title = entries[en["t0"]]
    assert (title.status, title.origin, title.origin_name, title.slug) == (
        "imported",
        "xliff",
        "post-edited.en-zh.xlf",
        result.slug,
    )
    again = import_file(path, store)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)


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

    with MemoryStore(tmp_path / "other.sqlite") as other:
        report = import_file(path, other)
        assert (report.added, report.skipped) == (3, 0)
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
