"""A review save shows what a fresh run computes: the run's own ``[qa]`` settings, and the checks across
the articles a run checked together (consistency, low confidence) done again over the same set.

Each test saves through the real review app, then runs ``tsum all --force`` on a copy of the outputs
(memory included) and compares every article's rows, page tables and index files.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from starlette.testclient import TestClient
from test_review_rerender import records, run, tables

from translate_sum.memory import MemoryStore
from translate_sum.review.app import create_app

PORT = 8766
TOKEN = "k" * 40
ORIGIN = f"http://127.0.0.1:{PORT}"

FIRST = """Forum on vocational education opens

The forum on vocational education opened in Qingdao on Monday morning.

Delegates from eight countries discussed teacher training and digital skills.
"""
SECOND = """Ministers agree on a new training programme

The ministers agreed on a new training programme for young engineers.

The programme starts in September and runs for three years.
"""
#: The same reviewer text for two different sources: a fresh run flags both as inconsistent.
SHARED = "审校者给两个不同句子的同一译文。"


def two_articles(tmp_path: Path, config: Path) -> tuple[Path, Path]:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "first.txt").write_text(FIRST, encoding="utf-8")
    (seeds / "second.txt").write_text(SECOND, encoding="utf-8")
    out = tmp_path / "outputs"
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(config))
    assert result.exit_code == 0, result.output
    return seeds, out


def folder_of(out: Path, sentence: str) -> tuple[Path, dict]:
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        for row in records(folder):
            if row["en"] == sentence:
                return folder, row
    raise AssertionError(sentence)


def save(out: Path, sentence: str, text: str) -> None:
    folder, row = folder_of(out, sentence)
    with MemoryStore(out / "tm.sqlite") as store:
        client = TestClient(create_app(out, store, port=PORT, token=TOKEN), base_url=ORIGIN)
        answer = client.post(
            f"/api/{folder.name}/{row['id']}",
            json={"lang": "zh", "text": text, "action": "approve", "version": 0, "base": row["zh"]},
            headers={"Origin": ORIGIN, "X-Tsum-Token": TOKEN},
        )
        assert answer.status_code == 200, answer.text


def assert_as_fresh(seeds: Path, out: Path, config: Path, tmp_path: Path) -> Path:
    """Every article folder and index file of ``out`` equals what ``--force`` writes from the same memory."""
    fresh = tmp_path / "fresh"
    shutil.copytree(out, fresh)
    result = run("all", "--input", str(seeds), "--output", str(fresh), "--config", str(config), "--force")
    assert result.exit_code == 0, result.output
    for folder in (p for p in out.iterdir() if p.is_dir()):
        assert records(folder) == records(fresh / folder.name), folder.name
        page = (folder / "review.html").read_text(encoding="utf-8")
        assert tables(page) == tables((fresh / folder.name / "review.html").read_text(encoding="utf-8"))
        saved = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        again = json.loads((fresh / folder.name / "manifest.json").read_text(encoding="utf-8"))
        assert saved["counts"] == again["counts"] and saved["checked_with"] == again["checked_with"]
    # The index rows (a run that skipped an article says so; a --force run says "done"): same counts.
    for name in ("index.json",):
        mine, theirs = ((root / name).read_text(encoding="utf-8") for root in (out, fresh))
        assert mine.replace("skipped", "done") == theirs.replace("skipped", "done"), name
    return fresh


def test_a_save_that_makes_two_articles_inconsistent_flags_both_as_a_fresh_run_does(tiny_config, tmp_path):
    seeds, out = two_articles(tmp_path, tiny_config)
    one = "The forum on vocational education opened in Qingdao on Monday morning."
    other = "The ministers agreed on a new training programme for young engineers."
    first, _ = folder_of(out, one)
    second, _ = folder_of(out, other)
    assert first != second
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["checked_with"]["zh"]) == sorted([first.name, second.name])

    save(out, one, SHARED)
    save(out, other, SHARED)  # saved in the second article: the first one's row changes too

    for folder, sentence in ((first, one), (second, other)):
        row = next(r for r in records(folder) if r["en"] == sentence)
        kinds = [f["type"] for f in row["flags"] if f["lang"] == "zh"]
        assert row["zh"] == SHARED and "consistency" in kinds, (folder.name, row["flags"])
    assert_as_fresh(seeds, out, tiny_config, tmp_path)


def test_a_save_is_checked_with_the_runs_qa_settings(tiny_models, tmp_path):
    from tiny_models import write_models_toml

    config = write_models_toml(
        tmp_path / "models.toml", tiny_models["summarizer"], tiny_models["zh"], tiny_models["ru"]
    )
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[qa]\ndisable = ["double_space"]\n', encoding="utf-8"
    )
    seeds, out = two_articles(tmp_path, config)
    sentence = "Delegates from eight countries discussed teacher training and digital skills."
    save(
        out, sentence, "来自八个国家的代表  讨论了教师培训和数字技能。"
    )  # two spaces: a double_space flag by default
    folder, row = folder_of(out, sentence)
    assert not [f for f in row["flags"] if f["type"] == "double_space"], row["flags"]
    assert_as_fresh(seeds, out, config, tmp_path)


def test_a_page_opened_after_a_change_elsewhere_shows_the_fresh_flags(tiny_config, tmp_path):
    """An import gives the second article's row the text the first one's reviewer saved: that page,
    not re-rendered yet, shows the cell's flags as a fresh run computes them."""
    from test_review_server import edit_data

    seeds, out = two_articles(tmp_path, tiny_config)
    one = "The forum on vocational education opened in Qingdao on Monday morning."
    other = "The ministers agreed on a new training programme for young engineers."
    save(out, one, SHARED)
    second, row = folder_of(out, other)
    with MemoryStore(out / "tm.sqlite") as store:
        store.put(other, "zh", SHARED, status="imported", origin="xliff", origin_name="vendor.xlf")
        client = TestClient(create_app(out, store, port=PORT, token=TOKEN), base_url=ORIGIN)
        page = client.get(f"/{second.name}/review.html").text
    cell = edit_data(page)["rows"][row["id"]]["zh"]
    assert cell["text"] == SHARED and cell["article"] == row["zh"]  # the files still hold the machine text
    assert "consistency" in {f["type"] for f in cell["flags"]}, cell
    assert "consistency" in re.search(rf'<tr [^>]*data-seg-id="{row["id"]}".*?</tr>', page, re.S).group(0)


def test_a_run_after_an_import_rewrites_the_articles_checked_together(tiny_config, tmp_path):
    """``tsum all`` finds the second article current but its memory entry newer: it re-renders it and
    the first article, whose row is now inconsistent with it, and lists both in the index as fresh."""
    seeds, out = two_articles(tmp_path, tiny_config)
    one = "The forum on vocational education opened in Qingdao on Monday morning."
    other = "The ministers agreed on a new training programme for young engineers."
    first, _ = folder_of(out, one)
    with MemoryStore(out / "tm.sqlite") as store:
        store.put(one, "zh", SHARED, status="imported", origin="xliff", origin_name="vendor.xlf")
    assert (
        run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config)).exit_code == 0
    )
    with MemoryStore(out / "tm.sqlite") as store:
        store.put(other, "zh", SHARED, status="imported", origin="xliff", origin_name="vendor.xlf")
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config))
    assert result.exit_code == 0, result.output
    row = next(r for r in records(first) if r["en"] == one)
    assert "consistency" in {f["type"] for f in row["flags"]}, row["flags"]
    assert_as_fresh(seeds, out, tiny_config, tmp_path)
