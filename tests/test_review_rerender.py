"""A review save re-renders the article exactly as a fresh ``tsum all --force`` would write it.

The regression behind issue 19: term offsets were not written to ``aligned.jsonl`` and were guessed
back with ``str.find``, so a re-rendered page marked a repeated term only once, lost a lone term after a
longer one that starts the same way, and the same on rows nobody touched.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from tiny_models import REPO

from translate_sum.cli import cli
from translate_sum.memory import MemoryStore
from translate_sum.review.app import create_app

PORT = 8765
TOKEN = "t" * 40
ORIGIN = f"http://127.0.0.1:{PORT}"

ARTICLE = """SCO and partners meet in Beijing

The SCO welcomed the plan, and the SCO will report on it next year.

The SCO Secretariat hosted the meeting, and the SCO thanked the hosts.

A closing sentence with no glossary terms at all.
"""
TWICE = "The SCO welcomed the plan, and the SCO will report on it next year."
LONE = "The SCO Secretariat hosted the meeting, and the SCO thanked the hosts."
EDIT = "上合组织欢迎该计划，上合组织将于明年报告。"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def records(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "aligned.jsonl").read_text(encoding="utf-8").splitlines()]


def tables(page: str) -> list[str]:
    """The summary and article tables (every row, cell, mark and flag) of a review page."""
    return re.findall(r'<table class="grid".*?</table>', page, re.S)


def qa_facts(page: str) -> str:
    [facts] = re.findall(r"<section class=\"fact\"><h2>QA flags</h2>.*?</section>", page, re.S)
    return facts


def source_marks(page: str, seg_id: str) -> list[str]:
    """The marked spans of the English cell of row ``seg_id``, in order."""
    row = re.search(rf'<tr [^>]*data-seg-id="{seg_id}".*?</tr>', page, re.S).group(0)
    cell = re.search(r'<td class="col-en".*?</td>', row, re.S).group(0)
    return re.findall(r"<mark [^>]*>(.*?)</mark>", cell)


@pytest.fixture
def saved(tiny_config, tmp_path):
    """An article run by ``tsum all``, then one row approved through the review server."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(REPO / "seeds" / "glossary.tsv", seeds / "glossary.tsv")
    (seeds / "sco.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "outputs"
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config))
    assert result.exit_code == 0, result.output
    [folder] = [p for p in out.iterdir() if p.is_dir()]
    row = next(r for r in records(folder) if r["en"] == TWICE)
    with MemoryStore(out / "tm.sqlite") as store:
        client = TestClient(create_app(out, store, port=PORT, token=TOKEN), base_url=ORIGIN)
        answer = client.post(
            f"/api/{folder.name}/{row['id']}",
            json={"lang": "zh", "text": EDIT, "action": "approve", "version": 0, "base": row["zh"]},
            headers={"Origin": ORIGIN, "X-Tsum-Token": TOKEN},
        )
        assert answer.status_code == 200, answer.text
        served = client.get(f"/{folder.name}/review.html")
        assert served.status_code == 200
    return seeds, out, folder, served.text


def test_a_review_save_renders_what_a_fresh_force_run_writes(saved, tiny_config, tmp_path):
    seeds, out, folder, served = saved
    on_disk = (folder / "review.html").read_text(encoding="utf-8")
    # The same stored target through a fresh run: a copy of the outputs, memory included, redone.
    fresh_out = tmp_path / "fresh"
    shutil.copytree(out, fresh_out)
    result = run(
        "all", "--input", str(seeds), "--output", str(fresh_out), "--config", str(tiny_config), "--force"
    )
    assert result.exit_code == 0, result.output
    fresh_folder = fresh_out / folder.name
    fresh_page = (fresh_folder / "review.html").read_text(encoding="utf-8")

    # Independent of either path: every occurrence is marked where it stands.
    twice = next(r["id"] for r in records(fresh_folder) if r["en"] == TWICE)
    lone = next(r["id"] for r in records(fresh_folder) if r["en"] == LONE)
    assert source_marks(fresh_page, twice) == ["SCO", "SCO"]
    assert source_marks(fresh_page, lone) == ["SCO Secretariat", "SCO"]
    row = next(r for r in records(fresh_folder) if r["id"] == twice)
    assert row["zh"] == EDIT and row["memory"]["zh"]["status"] == "approved"

    # The saved page on disk and the served page show exactly what the fresh run shows.
    assert tables(on_disk) == tables(fresh_page)
    assert tables(served) == tables(fresh_page)
    assert qa_facts(on_disk) == qa_facts(fresh_page) == qa_facts(served)
    # aligned.jsonl lists the same terms (with their offsets), flags and texts, row for row.
    assert records(folder) == records(fresh_folder)
    # The index's row (flag counts) was re-rendered with the article: as the fresh run lists it.
    for name in ("index.json", "index.md", "index.html"):
        assert (out / name).read_text(encoding="utf-8") == (fresh_out / name).read_text(encoding="utf-8"), (
            name
        )


def test_a_review_save_rewrites_the_index_row_and_every_index_link_works(saved):
    _, out, folder, _ = saved
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    [row] = [e for e in index["entries"] if e["slug"] == folder.name]
    assert row["flags"] == manifest["counts"]["flags"] and row["status"] == "done"
    shown = ", ".join(f"{kind} {n}" for kind, n in sorted(row["flags"].items()) if n) or "—"
    assert f"<td>{shown}</td>" in (out / "index.html").read_text(encoding="utf-8")
    assert f"| {shown.replace('_', chr(92) + '_')} |" in (out / "index.md").read_text(encoding="utf-8")

    with MemoryStore(out / "tm.sqlite") as store:
        client = TestClient(create_app(out, store, port=PORT, token=TOKEN), base_url=ORIGIN)
        page = client.get("/index.html")
        links = re.findall(r'href="([^"#]+)"', page.text)
        assert {"review", "files", "TMX", "TSV", "manifest"} <= set(re.findall(r">(\w+)</a>", page.text))
        for link in links:
            answer = client.get("/" + link)
            assert answer.status_code == 200, link
        listing = client.get(f"/{folder.name}/").text
        for name in re.findall(r'href="([^"]+)"', listing):
            target = f"/{folder.name}/{name}" if not name.startswith("..") else "/index.html"
            assert client.get(target).status_code == 200, name
        assert 'href="aligned.jsonl"' in listing and 'href="manifest.json"' in listing
