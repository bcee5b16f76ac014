"""The cache of model outputs: the SQLite file itself (bounds, damage, concurrent writers, kill -9), and
runs through it: each distinct input once, ``--force`` from the cache, a glossary edit that retries only
the sentences it concerns, and outputs byte for byte those of a run without the cache."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import write_corpus
from fake_engines import fake_config
from tiny_models import build_marian, write_models_toml

from translate_sum.cache import Cached, CacheUse, cache_path, entry_key
from translate_sum.cache.store import OutputStore
from translate_sum.cli import cli
from translate_sum.config import load_config
from translate_sum.errors import ConfigError

MB = 1024 * 1024


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rows(n: int, model: str = "m", size: int = 100) -> list[tuple[bytes, Cached]]:
    return [(entry_key(model, f"input {i}"), Cached(f"{i:06d}" + "x" * size, -1.0 * i, i)) for i in range(n)]


def accounted(path: Path) -> tuple[int, int]:
    """(bytes the meta row holds, the sum of the rows' bytes): equal in a consistent file."""
    db = sqlite3.connect(path)
    try:
        meta = db.execute("SELECT value FROM meta WHERE name = 'bytes'").fetchone()[0]
        total = db.execute("SELECT total(bytes) FROM outputs").fetchone()[0]
        return meta, int(total)
    finally:
        db.close()


# --- the file --------------------------------------------------------------------------------------


def test_stored_outputs_come_back_exactly_and_only_for_their_model(tmp_path):
    with OutputStore(tmp_path / "c.sqlite", 10 * MB) as store:
        store.put_many(
            "model-a", "translate", "zh: a", [(entry_key("model-a", "Hello."), Cached("你好。", -1.25, 3))]
        )
        found = store.get_many([entry_key("model-a", "Hello."), entry_key("model-b", "Hello.")])
    assert found == {entry_key("model-a", "Hello."): Cached("你好。", -1.25, 3)}
    assert entry_key("model-a", "Hello.") != entry_key("model-a", "Hello. ")  # the exact text counts


def test_the_least_recently_used_outputs_are_evicted_beyond_max_mb(tmp_path):
    path = tmp_path / "c.sqlite"
    limit = int(0.05 * MB)
    with OutputStore(path, limit) as store:
        first = rows(50)
        store.put_many("m", "translate", "zh", first)
        for n in range(40):
            store.get_many([first[0][0]])  # the first entry stays in use
            store.put_many("m", "translate", "zh", rows(30, model=f"later-{n}"))
        stats = store.stats()
        kept = store.get_many([key for key, _ in first])
    assert stats.bytes <= limit
    assert stats.entries < 50 + 40 * 30  # some were evicted
    assert first[0][0] in kept and first[1][0] not in kept  # recently used kept, the oldest gone
    assert accounted(path)[0] == accounted(path)[1]
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    assert path.stat().st_size <= 3 * limit  # freed pages go back to the file system


def test_a_damaged_file_is_detected_reported_and_replaced_never_used(tmp_path, caplog):
    path = tmp_path / "c.sqlite"
    with OutputStore(path, 10 * MB) as store:
        store.put_many("m", "translate", "zh", rows(200))
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 6 * 4096
    # Damage the page headers after the first pages, as a disk error or a half-copied file would.
    for start in range(3 * 4096, len(data), 4096):
        data[start : start + 12] = os.urandom(12)
    path.write_bytes(bytes(data))
    import translate_sum.cache.store as store_module

    store_module._checked.discard(path)  # as a new process opening it
    with caplog.at_level(logging.WARNING, logger="translate_sum"), OutputStore(path, 10 * MB) as store:
        assert store.get_many([key for key, _ in rows(200)]) == {}
        store.put_many("m", "translate", "zh", rows(1))  # and it works again
        assert len(store.get_many([rows(1)[0][0]])) == 1
    assert "is damaged" in caplog.text and "nothing in it was used" in caplog.text


def test_a_file_that_is_not_a_database_is_replaced_with_a_warning(tmp_path, caplog):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not SQLite" * 500)
    with caplog.at_level(logging.WARNING, logger="translate_sum"), OutputStore(path, MB) as store:
        assert store.usable and store.get_many([entry_key("m", "x")]) == {}
    assert "is damaged" in caplog.text


def _writer(path: str, name: str, count: int) -> None:
    with OutputStore(Path(path), 100 * MB) as store:
        for i in range(count):
            store.put_many(
                name, "translate", name, [(entry_key(name, f"{i}"), Cached(f"{name} {i}", None, 0))]
            )
            store.get_many([entry_key(name, f"{i // 2}")])


def test_two_processes_write_at_once_and_lose_nothing(tmp_path):
    path = tmp_path / "c.sqlite"
    OutputStore(path, 100 * MB).close()
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(path), name, 300)) for name in ("a", "b")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(120)
        assert w.exitcode == 0
    with OutputStore(path, 100 * MB) as store:
        for name in ("a", "b"):
            found = store.get_many([entry_key(name, f"{i}") for i in range(300)])
            assert sorted(c.text for c in found.values()) == sorted(f"{name} {i}" for i in range(300))
    assert accounted(path)[0] == accounted(path)[1]


_KILLED_WRITER = """
import sys
from pathlib import Path
from translate_sum.cache import Cached, entry_key
from translate_sum.cache.store import OutputStore
with OutputStore(Path(sys.argv[1]), 100 * 1024 * 1024) as store:
    print("ready", flush=True)
    i = 0
    while True:
        store.put_many("m", "translate", "zh", [(entry_key("m", f"{i} {j}"), Cached("y" * 300, None, 0)) for j in range(50)])
        i += 1
"""


def test_kill_9_while_writing_leaves_a_sound_consistent_file(tmp_path, caplog):
    path = tmp_path / "c.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    import translate_sum.cache.store as store_module

    store_module._checked.discard(path)
    with caplog.at_level(logging.WARNING, logger="translate_sum"), OutputStore(path, 100 * MB) as store:
        stats = store.stats()
        found = store.get_many([entry_key("m", f"0 {j}") for j in range(50)])
    assert "damaged" not in caplog.text
    assert stats.entries > 0 and stats.entries % 50 == 0  # whole transactions only
    assert len(found) == 50
    assert accounted(path)[0] == accounted(path)[1]


def test_cache_max_mb_is_read_and_checked(tmp_path):
    config = tmp_path / "models.toml"
    config.write_text("[cache]\nmax_mb = 0.5\n", encoding="utf-8")
    assert load_config(config).cache.max_mb == 0.5
    for bad in ("0", "-1", '"big"', "true"):
        config.write_text(f"[cache]\nmax_mb = {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=r"\[cache\] max_mb must be a positive number"):
            load_config(config)
    config.write_text("[cache]\nsize = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(config)


# --- runs over the fake translator (its calls counted) -------------------------------------------

BOILERPLATE = "About the Organisation: it was founded in 2001 and has eight member states."


def _articles(folder: Path, count: int = 4) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"a{n}.txt").write_text(
            f"Release number {n} of the Secretariat\n\nThe Secretariat met in city {n} today.\n\n"
            f"Delegates from {n + 2} countries attended.\n\n{BOILERPLATE}\n",
            encoding="utf-8",
        )


def _sent(fake_backend) -> list[str]:
    return [text for batch in fake_backend.batches for text in batch]


def _manifest(out: Path, slug: str) -> dict:
    return json.loads((out / slug / "manifest.json").read_text(encoding="utf-8"))


def _outputs(out: Path) -> dict[str, bytes]:
    """Every output file but the manifests and the index (timings, counts), by relative path; the
    review page without the run's time it shows."""
    return {
        str(p.relative_to(out)): re.sub(rb" \xc2\xb7 \d+\.\d s", b"", p.read_bytes())
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in ("manifest.json", "tm.sqlite") and not p.name.startswith("index.")
    }


def test_each_distinct_sentence_goes_to_the_model_once_and_force_comes_from_the_cache(fake_backend, tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    _articles(folder)
    config = str(fake_config(tmp_path))
    result = run("all", "--input", str(folder), "--output", str(out), "--config", config)
    assert result.exit_code == 0, result.output
    sent = _sent(fake_backend)
    assert sent.count(BOILERPLATE) == 1  # four occurrences, one model input
    assert len(sent) == len(set(sent))
    for n in range(4):  # and every occurrence has its translation
        rows_ = [
            json.loads(x)
            for x in next(out.glob(f"release-number-{n}-*/aligned.jsonl")).read_text().splitlines()
        ]
        boiler = [r["zh"] for r in rows_ if r["en"] == BOILERPLATE]  # the source row, maybe a summary row
        assert boiler and set(boiler) == {f"〔zh〕{BOILERPLATE}"}
    counts = [_manifest(out, p.name)["model_outputs"]["zh"] for p in sorted(out.glob("release-*"))]
    assert sum(c["model"] for c in counts) == len(sent)
    assert sum(c["shared"] for c in counts) >= 3 and all(c["cache"] == 0 for c in counts)
    assert f"model outputs: {len(sent)} computed by the models, 0 from the cache" in result.stderr
    first = _outputs(out)

    fake_backend.batches.clear()
    again = run("all", "--input", str(folder), "--output", str(out), "--config", config, "--force")
    assert again.exit_code == 0, again.output
    assert _sent(fake_backend) == []  # nothing reached the model
    assert _outputs(out) == first
    assert "model outputs: 0 computed by the models" in again.stderr
    cached = sum(_manifest(out, p.name)["model_outputs"]["zh"]["cache"] for p in out.glob("release-*"))
    assert cached == len(sent)

    for flag in ("--no-cache", "--fresh"):
        fake_backend.batches.clear()
        redo = run("all", "--input", str(folder), "--output", str(out), "--config", config, "--force", flag)
        assert redo.exit_code == 0, redo.output
        assert sorted(_sent(fake_backend)) == sorted(sent), flag  # every distinct input computed again
        assert _outputs(out) == first


def test_a_glossary_edit_retries_only_the_sentences_it_concerns(fake_backend, tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    _articles(folder)
    glossary = folder / "glossary.tsv"
    glossary.write_text("en\tzh\tru\nSecretariat\t秘书处\tСекретариат\n", encoding="utf-8")
    config = str(fake_config(tmp_path))
    result = run("all", "--input", str(folder), "--output", str(out), "--config", config)
    assert result.exit_code == 0, result.output
    first = _sent(fake_backend)
    assert (
        sum("Secretariat" not in t and "Release" not in t and "met in city" in t for t in first) == 4
    )  # retries
    fake_backend.batches.clear()
    glossary.write_text(
        "en\tzh\tru\nSecretariat\t秘书处\tСекретариат\nDelegates\t代表\tделегаты\n", encoding="utf-8"
    )
    result = run("all", "--input", str(folder), "--output", str(out), "--config", config)
    assert result.exit_code == 0, result.output
    again = _sent(fake_backend)
    # Only the placeholder forms of the sentences with the new term reach the model: one per article.
    assert len(again) == 4
    assert all("Delegates" not in t and "countries attended" in t for t in again)
    for n in range(4):
        rows_ = [
            json.loads(x)
            for x in next(out.glob(f"release-number-{n}-*/aligned.jsonl")).read_text().splitlines()
        ]
        delegates = [r["zh"] for r in rows_ if r["en"].startswith("Delegates")]  # source, maybe summary
        assert delegates and all("代表" in zh for zh in delegates)
    assert "model outputs: 4 computed by the models" in result.stderr


def test_cache_commands_show_and_clear_the_cache(fake_backend, tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    _articles(folder)
    config = str(fake_config(tmp_path))
    assert run("all", "--input", str(folder), "--output", str(out), "--config", config).exit_code == 0
    stats = run("cache", "stats", "--config", config)
    assert stats.exit_code == 0
    assert f"{cache_path()}: " in stats.output and "translate zh: fake" in stats.output
    cleared = run("cache", "clear", "--config", config)
    assert cleared.exit_code == 0 and " outputs deleted" in cleared.output
    assert " 0 outputs," in run("cache", "stats", "--config", config).output


# --- tiny real models: fidelity -------------------------------------------------------------------


def _seeds_and_corpus(tmp_path: Path, seeds_copy: Path, count: int = 6) -> Path:
    folder = tmp_path / "articles"
    write_corpus(folder, count, seed=21)
    for path in seeds_copy.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.mark.slow
def test_outputs_with_the_cache_equal_outputs_without_it(tiny_config, seeds_copy, tmp_path):
    folder = _seeds_and_corpus(tmp_path, seeds_copy)
    plain, cold = tmp_path / "plain", tmp_path / "cold"
    args = ("--input", str(folder), "--config", str(tiny_config), "--quiet")
    assert run("all", *args, "--output", str(plain), "--no-cache").exit_code == 0
    # The seeds alone first: the run over all articles then finds part of its outputs in the cache.
    seeds_only = ("--input", str(seeds_copy), "--config", str(tiny_config), "--quiet")
    assert run("all", *seeds_only, "--output", str(tmp_path / "part")).exit_code == 0
    assert run("all", *args, "--output", str(cold)).exit_code == 0
    counts = [_manifest(cold, p.name)["model_outputs"] for p in cold.iterdir() if p.is_dir()]
    assert sum(c["zh"]["cache"] for c in counts) > 0 and sum(c["zh"]["model"] for c in counts) > 0
    assert _outputs(cold) == _outputs(plain)
    assert run("all", *args, "--output", str(cold), "--force").exit_code == 0  # warm: all from the cache
    assert _outputs(cold) == _outputs(plain)
    manifest = _manifest(cold, next(p.name for p in cold.iterdir() if p.is_dir()))
    assert all(c["model"] == 0 and c["cache"] > 0 for c in manifest["model_outputs"].values())


@pytest.mark.slow
def test_a_cache_written_by_another_model_or_setting_is_never_used(tiny_models, tmp_path, seeds_copy):
    other = build_marian(tmp_path / "other-zh", "zh", seed=7)
    first = write_models_toml(
        tmp_path / "a.toml", tiny_models["summarizer"], tiny_models["zh"], tiny_models["ru"]
    )
    second = write_models_toml(tmp_path / "b.toml", tiny_models["summarizer"], other, tiny_models["ru"])
    beams = write_models_toml(
        tmp_path / "c.toml",
        tiny_models["summarizer"],
        tiny_models["zh"],
        tiny_models["ru"],
        extra="[translators.zh.generation]\nnum_beams = 2\n",
    )
    args = ("--input", str(seeds_copy), "--only", "zh", "--quiet")
    assert run("all", *args, "--output", str(tmp_path / "a"), "--config", str(first)).exit_code == 0
    for config, name in ((second, "b"), (beams, "c")):
        out = tmp_path / name
        assert run("all", *args, "--output", str(out), "--config", str(config)).exit_code == 0
        fresh = tmp_path / f"{name}-fresh"
        assert run("all", *args, "--output", str(fresh), "--config", str(config), "--no-cache").exit_code == 0
        for slug in (p.name for p in out.iterdir() if p.is_dir()):
            counts = _manifest(out, slug)["model_outputs"]
            assert counts["zh"]["cache"] == 0, name  # the zh outputs of another model/setting: not used
            assert counts["summarizer"]["cache"] > 0  # the same summarizer's are
        assert _outputs(out) == _outputs(fresh)


def test_the_plan_carries_the_cache_as_plain_data(tmp_path):
    import pickle

    use = CacheUse.for_run(load_config(None).cache)
    assert use is not None and use.path == cache_path() and pickle.loads(pickle.dumps(use)) == use
    assert CacheUse.for_run(load_config(None).cache, enabled=False) is None
    assert CacheUse.for_run(load_config(None).cache, fresh=True).read is False


class _Described:
    """A stand-in with a model's description only: what the fingerprint is made of."""

    def __init__(self, **info):
        self.info = info

    def describe(self):
        return dict(self.info)


def test_the_fingerprint_counts_settings_in_force_not_where_files_lie_or_who_set_them():
    from translate_sum.pipeline.reuse import model_fingerprint

    cpu = {"cpu": "X", "env": {"CT2_USE_MKL": "0"}, "set_by_tsum": {"CT2_USE_MKL": "0"}}
    base = model_fingerprint(_Described(id="m", generation={"beam_size": 4}, cpu=cpu), "translate")[0]
    user_set = {**cpu, "set_by_tsum": {}}  # the same setting, made by the user
    elsewhere = model_fingerprint(
        _Described(id="m", generation={"beam_size": 4}, cpu=user_set, ct2_model_dir="/other"), "translate"
    )[0]
    assert elsewhere == base
    for changed in (
        {"generation": {"beam_size": 2}},
        {"cpu": {**cpu, "env": {"CT2_USE_MKL": "1"}}},
        {"compute_type": "int8"},
        {"target_token": ">>rus<<"},
    ):
        info = {"id": "m", "generation": {"beam_size": 4}, "cpu": cpu, **changed}
        assert model_fingerprint(_Described(**info), "translate")[0] != base, changed
    assert model_fingerprint(_Described(id="m", generation={"beam_size": 4}, cpu=cpu), "summarize")[0] != base
