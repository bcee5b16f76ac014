"""Runs over the fake backend (tests/fake_engines.py), whose output is known in advance: the split
flag, a review save on a split sentence, and an article whose writing crashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_engines import fake_config

import translate_sum.render
from translate_sum.cli import cli
from translate_sum.memory import MemoryStore
from translate_sum.review.edits import save_target

LONG = "One two three four five six, seven eight nine ten eleven."  # 12 tokens: over a limit of 8
SHORT = "Short one here."
TITLE = "A short title"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def records(folder: Path) -> dict[str, dict]:
    lines = (folder / "aligned.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def split_flags(record: dict) -> list[tuple[str, str]]:
    return [(f["type"], f["lang"]) for f in record["flags"] if f["type"] == "split"]


def test_a_sentence_cut_into_exactly_two_pieces_is_flagged_split(fake_backend, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(f"{TITLE}\n\n{LONG}\n\n{SHORT}\n", encoding="utf-8")
    result = run("translate", str(article), "--to", "zh", "--config", str(fake_config(tmp_path, 8)))
    assert result.exit_code == 0, result.output
    # The premise: the long sentence went to the model as exactly two pieces, the others whole.
    sent = [piece for batch in fake_backend.batches for piece in batch]
    assert sorted(sent) == sorted(
        [TITLE, "One two three four five six,", "seven eight nine ten eleven.", SHORT]
    )
    flagged = [line.split(":")[0] for line in result.stderr.splitlines() if ": split:" in line]
    assert flagged == ["p1s0"]


@pytest.fixture
def split_run(fake_backend, tmp_path) -> tuple[Path, Path, str]:
    """``tsum all`` over one article whose p1s0 was split in two: (input, output, slug)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(f"{TITLE}\n\n{LONG}\n\n{SHORT}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(
        "all", "--input", str(folder), "--output", str(out), "--config", str(fake_config(tmp_path, 8))
    )
    assert result.exit_code == 0, result.output
    slug = "a-short-title"
    assert split_flags(records(out / slug)["p1s0"]) == [("split", "zh")]
    return folder, out, slug


def test_a_reviewers_edit_keeps_the_split_flag(split_run, tmp_path):
    folder, out, slug = split_run
    machine = records(out / slug)["p1s0"]["zh"]
    with MemoryStore(out / "tm.sqlite") as store:
        save_target(out, store, slug, "p1s0", "zh", "审校过的译文。", "edit", 0, machine)
    saved = records(out / slug)["p1s0"]
    assert saved["zh"] == "审校过的译文。"
    # Splitting is a fact about the source, true whoever wrote the target: the reviewer checks the joins.
    assert split_flags(saved) == [("split", "zh")]
    assert split_flags(records(out / slug)["p2s0"]) == []
    config = tmp_path / "models.toml"
    result = run("all", "--input", str(folder), "--output", str(out), "--config", str(config))
    assert result.exit_code == 0, result.output  # the memory changed: re-rendered from it
    again = records(out / slug)["p1s0"]
    assert again["zh"] == "审校过的译文。" and split_flags(again) == [("split", "zh")]


def test_an_unexpected_crash_while_writing_fails_that_article_alone(fake_backend, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(f"{TITLE}\n\n{SHORT}\n", encoding="utf-8")
    (folder / "b.txt").write_text(f"Doomed article\n\n{SHORT}\n", encoding="utf-8")

    def crash(result, *args):
        if result.slug == "doomed-article":
            raise RuntimeError("renderer crashed")  # not a TsumError: a bug, not a user's problem
        return "ok"

    outputs = (*translate_sum.render.ARTICLE_OUTPUTS, translate_sum.render.ArticleOutput("crash.txt", crash))
    monkeypatch.setattr(translate_sum.render, "ARTICLE_OUTPUTS", outputs)
    out = tmp_path / "out"
    result = run("all", "--input", str(folder), "--output", str(out), "--config", str(fake_config(tmp_path)))
    assert result.exit_code == 1
    assert f"{folder / 'b.txt'}: unexpected RuntimeError: renderer crashed" in result.stderr
    assert "1 written, 0 up to date, 1 failed" in result.stderr
    index = (out / "index.md").read_text(encoding="utf-8")
    doomed = next(line for line in index.splitlines() if "Doomed article" in line)
    assert "| failed |" in doomed and "renderer crashed" in doomed
    assert (out / "a-short-title" / "manifest.json").is_file()
    assert not (out / "doomed-article" / "manifest.json").exists()
