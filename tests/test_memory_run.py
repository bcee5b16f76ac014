"""The memory through `tsum all` with the tiny real models: approve, reuse in a new article, XLIFF round trip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import refusing_engines
from tiny_models import REPO

import translate_sum.engines.loader
from translate_sum.cli import cli
from translate_sum.engines.ct2 import Ct2Translator
from translate_sum.memory import MemoryStore
from translate_sum.review.edits import save_target

SLUG = "president-of-the-weidong-group-visits-sco-secretariat"
NEW_SLUG = "weidong-boilerplate-test-article"
APPROVED = {"zh": "这是审校者批准的译文。", "ru": "Это утверждённый рецензентом перевод."}


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def records(out: Path, slug: str) -> list[dict]:
    return [
        json.loads(line) for line in (out / slug / "aligned.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def guard_translator(register_engines, forbidden: str) -> list[str]:
    """The tiny models' backend, registered with a translator that records every text it is sent;
    one containing ``forbidden`` fails the run."""
    seen: list[str] = []

    class RecordingTranslator(Ct2Translator):
        def translate_scored(self, texts, progress=None):
            seen.extend(texts)
            if any(forbidden in t for t in texts):
                raise AssertionError(f"the model was asked to translate an approved sentence: {forbidden!r}")
            return super().translate_scored(texts, progress)

    register_engines("ctranslate2", translator=RecordingTranslator)
    return seen


def forbid_models(register_engines, monkeypatch) -> None:
    refusing_engines(register_engines)

    def no_resolving(*args, **kwargs):
        raise AssertionError("a model was looked up")

    monkeypatch.setattr(translate_sum.engines.loader, "resolve_model", no_resolving)


@pytest.fixture(scope="module")
def workspace(tiny_config, tmp_path_factory):
    root = tmp_path_factory.mktemp("memory-run")
    seeds = root / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    out = root / "outputs"
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config))
    assert result.exit_code == 0, result.output
    assert not (out / "tm.sqlite").exists()  # a run only reads the memory; reviewing creates it
    return seeds, out


def test_approved_sentence_is_reused_and_never_translated_again(
    workspace, tiny_config, monkeypatch, register_engines
):
    seeds, out = workspace
    segment = next(r for r in records(out, SLUG) if r["kind"] == "body" and len(r["en"]) > 60)
    with MemoryStore(out / "tm.sqlite") as store:
        for lang, text in APPROVED.items():
            save_target(out, store, SLUG, segment["id"], lang, text, "approve", 0, segment[lang])
    # The article whose row was approved is re-rendered at once.
    assert APPROVED["zh"] in (out / SLUG / "article.zh.md").read_text(encoding="utf-8")

    (seeds / "new.txt").write_text(
        "Weidong boilerplate test article\n\n"
        f"{segment['en']} The second sentence of this paragraph is new.\n\n"
        "A closing paragraph that the memory does not hold.\n",
        encoding="utf-8",
    )
    seen = guard_translator(register_engines, segment["en"])
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config))
    assert result.exit_code == 0, result.output
    assert seen, "the new article's other sentences were translated"
    assert "translation memory: segments served (ru 1, zh 1)" in result.output

    for slug in (SLUG, NEW_SLUG):
        row = next(r for r in records(out, slug) if r["en"] == segment["en"])
        assert {lang: row[lang] for lang in APPROVED} == APPROVED
        assert row["memory"]["zh"]["status"] == "approved" and row["memory"]["zh"]["origin"] == "review"
        # The approved text drops the sentence's glossary terms: the checks flag it as they would the model.
        assert {f["lang"] for f in row["flags"] if f["type"] == "glossary"} == {"zh", "ru"}
        assert APPROVED["ru"] in (out / slug / "article.ru.md").read_text(encoding="utf-8")
        xlf = (out / slug / f"{slug}.en-zh.xlf").read_text(encoding="utf-8")
        assert f'<target state="final">{APPROVED["zh"]}</target>' in xlf
        assert "memory · approved" in (out / slug / "review.html").read_text(encoding="utf-8")
    manifest = json.loads((out / NEW_SLUG / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["memory"] == {"zh": 1, "ru": 1}
    # Nothing else changed: a third run loads no model and rewrites nothing.
    forbid_models(register_engines, monkeypatch)
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config))
    assert result.exit_code == 0 and "0 written, 3 up to date" in result.output


def test_xliff_post_edit_comes_back_into_every_output(
    workspace, tiny_config, monkeypatch, tmp_path, register_engines
):
    from translate.storage import xliff

    seeds, out = workspace
    original = out / SLUG / f"{SLUG}.en-zh.xlf"
    document = xliff.xlifffile.parsestring(original.read_bytes())
    chosen = next(r for r in records(out, SLUG) if r["kind"] == "body" and not r.get("memory"))
    unit = next(u for u in document.units if u.xmlelement.get("id") == chosen["id"])
    unit.settarget("译者在计算机辅助翻译工具中修改的句子。")
    unit.xmlelement.find("{urn:oasis:names:tc:xliff:document:1.2}target").set("state", "signed-off")
    post_edited = tmp_path / "post-edited.xlf"
    post_edited.write_bytes(bytes(document))

    result = run("memory", "import", str(post_edited), "--output", str(out))
    assert result.exit_code == 0, result.output
    # The approved row comes back unchanged (state="final"); the machine translations are passed over.
    assert "post-edited.xlf: 1 added, 0 updated, 1 unchanged," in result.output

    forbid_models(
        register_engines, monkeypatch
    )  # only memory entries changed: re-rendered from the outputs, no model
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config))
    assert result.exit_code == 0, result.output
    assert "1 written" in result.output
    new = "译者在计算机辅助翻译工具中修改的句子。"
    for name in ("article.zh.md", "aligned.jsonl", "aligned.tsv", "review.html", f"{SLUG}.tmx"):
        assert new in (out / SLUG / name).read_text(encoding="utf-8"), name
    xlf = (out / SLUG / f"{SLUG}.en-zh.xlf").read_text(encoding="utf-8")
    assert f'<target state="final">{new}</target>' in xlf
    row = next(r for r in records(out, SLUG) if r["id"] == chosen["id"])
    assert row["memory"]["zh"] == {
        "status": "imported",
        "origin": "xliff",
        "origin_name": "post-edited.xlf",
        "updated": row["memory"]["zh"]["updated"],
    }
    stats = run("memory", "stats", "--output", str(out))
    assert "zh: 1 approved, 1 imported" in stats.output


def test_force_still_serves_the_memory(workspace, tiny_config, register_engines):
    seeds, out = workspace
    segment = next(r for r in records(out, SLUG) if r.get("memory", {}).get("ru"))
    seen = guard_translator(register_engines, segment["en"])
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config), "--force")
    assert result.exit_code == 0, result.output
    assert seen and segment["en"] not in seen
    row = next(r for r in records(out, SLUG) if r["id"] == segment["id"])
    assert row["ru"] == APPROVED["ru"]


def test_an_article_the_memory_covers_loads_no_translator(tiny_config, tmp_path, register_engines):
    seeds, out = tmp_path / "in", tmp_path / "out"
    seeds.mkdir()
    (seeds / "short.txt").write_text(
        "Weidong signs an agreement\n\nWeidong signed an agreement on Monday. Both sides were pleased.\n",
        encoding="utf-8",
    )
    options = [
        "--input",
        str(seeds),
        "--output",
        str(out),
        "--config",
        str(tiny_config),
        "--summarizer",
        "extractive",
    ]
    assert run("all", *options).exit_code == 0
    with MemoryStore(out / "tm.sqlite") as store:
        for record in records(out, "weidong-signs-an-agreement"):
            for lang in ("zh", "ru"):
                store.put(record["en"], lang, f"{lang}: {record['en']}", status="approved", origin="review")

    class NoTranslator:
        def __init__(self, *args, **kwargs):
            raise AssertionError("a translator was loaded for an article the memory covers")

    register_engines("ctranslate2", translator=NoTranslator)
    result = run("all", *options, "--force")
    assert result.exit_code == 0, result.output
    rows = records(out, "weidong-signs-an-agreement")
    assert all(r["zh"] == f"zh: {r['en']}" and r["memory"]["ru"]["status"] == "approved" for r in rows)
    manifest = json.loads((out / "weidong-signs-an-agreement" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["models"]["zh"]["memory"] is True and manifest["models"]["zh"]["id"] is None
    assert manifest["counts"]["memory"] == {"zh": len(rows), "ru": len(rows)}


def test_an_unwritable_article_folder_is_a_message_not_a_traceback(
    workspace, tiny_config, monkeypatch, register_engines
):
    import os
    import subprocess

    from translate_sum.errors import OutputError

    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("needs root and chattr to make a folder unwritable for root")
    seeds, out = workspace
    folder = out / SLUG
    row = next(r for r in records(out, SLUG) if r["kind"] == "body" and not r.get("memory"))
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("chattr +i is not supported here")
    try:
        with MemoryStore(out / "tm.sqlite") as store:
            with pytest.raises(OutputError, match="article folder cannot be written.*nothing was saved"):
                save_target(out, store, SLUG, row["id"], "zh", "无法保存。", "edit", 0, row["zh"])
            assert store.get(row["en"], "zh") is None
            # Saved elsewhere (another article, an import): the next run must re-render this one.
            store.put(row["en"], "zh", "别处批准的译文。", status="approved", origin="review")
        forbid_models(register_engines, monkeypatch)
        result = CliRunner().invoke(
            cli, ["all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config)]
        )
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)  # not an OSError
        assert SLUG in result.output and ("not writable" in result.output or "cannot write" in result.output)
        assert (folder / "manifest.json").is_file()
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
