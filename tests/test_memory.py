"""The translation memory store: keys, writes, conflicts, near matches, schema and crash safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from tiny_models import REPO

from translate_sum.errors import MemoryConflict, TranslationMemoryError
from translate_sum.memory import MemoryStore, normalize_key
from translate_sum.memory.store import EMPTY_DIGEST, SCHEMA_VERSION
from translate_sum.records import AlignedSegment

SOURCE = "About Weidong: Weidong Cloud Education Group is a leading company."


@pytest.fixture
def store(tmp_path):
    with MemoryStore(tmp_path / "tm.sqlite") as opened:
        yield opened


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("He said “yes”.", 'He said "yes".'),
        ("It’s here.", "It's here."),
        ("  Two   spaces\tand\na newline ", "Two spaces and a newline"),
        ("Cafe\u0301 au lait", "Café au lait"),  # NFD and NFC
        ("zero\u200bwidth", "zerowidth"),
    ],
)
def test_keys_fold_quotes_spacing_and_unicode_forms(a, b):
    assert normalize_key(a) == normalize_key(b)


@pytest.mark.parametrize(("a", "b"), [("Weidong", "weidong"), ("in 2020", "in 2021"), ("a-b", "a b")])
def test_keys_keep_what_changes_a_translation(a, b):
    assert normalize_key(a) != normalize_key(b)


def test_put_and_lookup_by_normalised_key(store):
    entry = store.put(SOURCE, "zh", "关于伟东", status="approved", origin="review", slug="x")
    assert (entry.version, entry.status, entry.origin, entry.slug) == (1, "approved", "review", "x")
    assert store.get(SOURCE.replace(" ", "  "), "zh") == entry
    assert store.get(SOURCE, "ru") is None
    assert store.lookup([SOURCE, "unknown"], "zh") == {normalize_key(SOURCE): entry}


def test_changes_bump_the_version_and_imports_never_downgrade(store):
    store.put(SOURCE, "zh", "初稿", status="edited", origin="review")
    approved = store.put(SOURCE, "zh", "初稿", status="approved", origin="review")
    assert (approved.version, approved.status) == (2, "approved")
    same = store.put(SOURCE, "zh", "初稿", status="imported", origin="xliff", origin_name="a.xlf")
    assert same == approved  # the same text from a file keeps the reviewer's status
    changed = store.put(SOURCE, "zh", "新译文", status="imported", origin="xliff", origin_name="a.xlf")
    assert (changed.version, changed.status, changed.origin_name) == (3, "imported", "a.xlf")
    assert changed.created == approved.created


def test_a_stale_version_is_a_conflict_and_writes_nothing(store):
    store.put(SOURCE, "zh", "第一个标签页", status="edited", origin="review", expected_version=0)
    with pytest.raises(MemoryConflict) as caught:
        store.put(SOURCE, "zh", "第二个标签页", status="edited", origin="review", expected_version=0)
    assert caught.value.current.target == "第一个标签页"
    assert store.get(SOURCE, "zh").target == "第一个标签页"
    assert (
        store.put(SOURCE, "zh", "第二个", status="edited", origin="review", expected_version=1).version == 2
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [("", "empty"), ("   ", "empty"), ("x" * 20_001, "longer than"), ("a\0b", "NUL"), (None, "text")],
)
def test_invalid_targets_are_refused(store, target, message):
    with pytest.raises(TranslationMemoryError, match=message):
        store.put(SOURCE, "zh", target, status="approved", origin="review")
    assert store.entries() == []


def test_unknown_status_or_origin_is_refused(store):
    with pytest.raises(TranslationMemoryError, match="status"):
        store.put(SOURCE, "zh", "x", status="final", origin="review")
    with pytest.raises(TranslationMemoryError, match="origin"):
        store.put(SOURCE, "zh", "x", status="approved", origin="web")


def test_near_matches_are_similar_but_not_equal(store):
    store.put(SOURCE, "zh", "关于伟东", status="approved", origin="review")
    store.put("Something else entirely.", "zh", "别的", status="approved", origin="review")
    near = store.near(SOURCE.replace("leading", "leading global"), "zh")
    assert [m.entry.source for m in near] == [SOURCE] and 0.85 <= near[0].score < 1
    assert store.near(SOURCE, "zh") == []  # the exact match is not a suggestion
    assert store.near("Weidong visits the SCO.", "zh") == []
    assert store.near(SOURCE.replace("leading", "leading global"), "ru") == []


def test_digest_changes_only_with_relevant_entries(store):
    before = store.digest([SOURCE], ["zh", "ru"])
    assert before == EMPTY_DIGEST
    store.put("Unrelated sentence.", "zh", "无关", status="approved", origin="review")
    assert store.digest([SOURCE], ["zh", "ru"]) == before
    store.put(SOURCE, "ru", "О Вэйдун", status="approved", origin="review")
    assert store.digest([SOURCE], ["zh", "ru"]) != before
    assert store.digest([SOURCE], ["zh"]) == before


def test_stats_count_by_language_status_and_origin(store):
    store.put(SOURCE, "zh", "a", status="approved", origin="review")
    store.put(SOURCE, "ru", "b", status="imported", origin="tmx")
    store.put("Other.", "ru", "c", status="edited", origin="review")
    assert store.stats() == {
        "entries": 3,
        "languages": {"ru": {"edited": 1, "imported": 1}, "zh": {"approved": 1}},
        "origins": {"review": 2, "tmx": 1},
        "schema": SCHEMA_VERSION,
    }


def test_file_is_wal_and_versioned(tmp_path):
    path = tmp_path / "tm.sqlite"
    MemoryStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_or_a_foreign_file_is_refused_with_a_fix(tmp_path):
    newer = tmp_path / "newer.sqlite"
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(TranslationMemoryError, match="newer tsum"):
        MemoryStore(newer)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(TranslationMemoryError, match="move it aside"):
        MemoryStore(garbage)


def test_served_segments_are_checked_like_model_output(store, tmp_path):
    from translate_sum.pipeline.stages import serve_memory
    from translate_sum.terms.glossary import Glossary
    from translate_sum.terms.guard import TermGuard

    glossary = Glossary.load(REPO / "seeds" / "glossary.tsv")
    en = "Weidong Group met the SCO Secretariat."
    store.put(en, "zh", "一家公司会见了秘书处。", status="edited", origin="review")  # drops both terms
    first, second = serve_memory([en, "Not in memory."], "zh", store, TermGuard(glossary))
    assert second is None
    assert first.text == "一家公司会见了秘书处。"
    assert first.memory.status == "edited" and first.memory.origin == "review"
    glossary_flags = [f for f in first.flags if f.type == "glossary"]
    assert [f.detail for f in glossary_flags] == [
        "missing 'Weidong Group' → 伟东集团: 0 of 1",
        "missing 'SCO Secretariat' → 上合组织秘书处: 0 of 1",
    ]
    assert [(t.surface, t.start, t.status) for t in first.terms] == [
        ("Weidong Group", 0, "flagged"),
        ("SCO Secretariat", 22, "flagged"),
    ]


_WRITER = """
import sys
from translate_sum.memory import MemoryStore
store = MemoryStore(sys.argv[1])
i = 0
while True:
    store.put(f"Sentence number {i}.", "zh", "句子" * 200 + str(i), status="approved", origin="review")
    i += 1
    if i == 50:
        print("ready", flush=True)
"""


def test_kill_9_during_saves_leaves_a_clean_database(tmp_path):
    path = tmp_path / "tm.sqlite"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(0.3)  # well inside the stream of transactions
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    with MemoryStore(path) as store:
        entries = store.entries("zh")
        assert len(entries) >= 50
        # Every committed entry is whole, and they are exactly 0..n-1: no half-written save.
        assert [e.source for e in entries] == [f"Sentence number {i}." for i in range(len(entries))]
        assert all(e.target.endswith(str(i)) for i, e in enumerate(entries))
        store.put("After the crash.", "zh", "之后", status="approved", origin="review")


def _lcs_ratio(a: str, b: str) -> float:
    """2·LCS / (len a + len b), by the textbook dynamic programme: the oracle for near matches."""
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if ch == other else max(previous[j + 1], current[j]))
        previous = current
    return 2 * previous[-1] / (len(a) + len(b))


def test_indexed_near_matches_agree_with_a_full_comparison(store):
    import random

    rng = random.Random(7)
    words = [
        "the",
        "group",
        "forum",
        "visit",
        "education",
        "cloud",
        "signed",
        "agreement",
        "minister",
        "city",
        "expo",
        "trade",
    ]
    sentences = [
        " ".join(rng.choice(words) for _ in range(rng.randint(6, 12))).capitalize() + "." for _ in range(400)
    ]
    store.import_entries(
        ((s, "zh", f"译文{i}", "imported", None) for i, s in enumerate(sentences)), "tmx", "t"
    )
    changed = [s.replace(" the ", " a ", 1) for s in sentences if " the " in s][:12]
    queries = changed + [s[:-1] + " now." for s in sentences[12:20]]
    keys = {normalize_key(s) for s in sentences}
    for query in queries:
        key = normalize_key(query)
        # Only pairs whose lengths allow 0.85 can reach it: the oracle skips the others unscored.
        scores = {
            other: _lcs_ratio(key, other)
            for other in keys
            if other != key and 2 * min(len(key), len(other)) / (len(key) + len(other)) >= 0.85
        }
        expected = sorted((round(score, 4), other) for other, score in scores.items() if score >= 0.85)
        found = store.near(query, "zh", limit=1000)
        assert expected and sorted((m.score, m.entry.key) for m in found) == expected, query
        assert all(0.85 <= m.score < 1 for m in found)


def test_an_older_memory_gets_the_near_match_index(tmp_path):
    from translate_sum.memory.store import _MIGRATIONS

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    for statement in _MIGRATIONS[0]:
        db.execute(statement)
    db.execute(
        "INSERT INTO entries VALUES (NULL, ?, 'zh', ?, '关于伟东', 'approved', 'review', NULL, NULL, 1, 'x', 'x')",
        (SOURCE, SOURCE),
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with MemoryStore(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        [match] = store.near(SOURCE.replace("leading", "leading global"), "zh")
        assert match.entry.target == "关于伟东"


def _damage(path) -> None:
    """Overwrite pages in the middle of a closed memory file, keeping its valid header page."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(os.urandom(8192))


def test_a_damaged_memory_with_a_valid_header_is_reported_with_the_way_out(tmp_path):
    from click.testing import CliRunner

    from translate_sum.cli import cli

    path = tmp_path / "tm.sqlite"
    with MemoryStore(path) as store:
        store.import_entries(
            (
                (f"Sentence number {i} about the forum.", "zh", f"第{i}句。" * 5, "imported", None)
                for i in range(3000)
            ),
            "tmx",
            "t.tmx",
        )
    _damage(path)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    with pytest.raises(TranslationMemoryError, match="damaged") as caught:
        MemoryStore(path)
    message = str(caught.value)
    assert "move it aside" in message and "tsum memory import" in message and "\n" not in message
    result = CliRunner().invoke(cli, ["memory", "stats", "--memory", str(path)])
    assert result.exit_code == 1 and "the translation memory is damaged" in result.output
    assert "Traceback" not in result.output


def test_a_refresh_serves_translated_rows_and_leaves_untranslated_end_matter_alone(store):
    from translate_sum.pipeline.stages import refresh_stage
    from translate_sum.records import ArticleResult, Manifest
    from translate_sum.terms.guard import TermGuard

    body = AlignedSegment("p1s0", "body", 1, "The talks went well.", {"zh": "会谈进展顺利。"})
    contact = AlignedSegment("p2s0", "end_matter", 2, "Media contact: press office.")
    for en in (body.en, contact.en):
        store.put(en, "zh", "审校过的译文。", status="approved", origin="review")
    result = ArticleResult("a", [body, contact], Manifest(languages=("zh",), fingerprint="f"))
    [refreshed] = refresh_stage([result], store, lambda _: TermGuard(None))
    served, kept = refreshed.segments
    assert served.translations == {"zh": "审校过的译文。"} and served.memory["zh"].status == "approved"
    assert kept == contact  # the run left it English: a memory entry does not translate it
    assert refreshed.manifest.memory_counts == {"zh": 1} and refreshed.manifest.end_matter == 1
    assert refreshed.manifest.fingerprint == "f" and refreshed.manifest.memory_digest
