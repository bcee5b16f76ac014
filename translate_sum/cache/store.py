"""The SQLite file of model outputs: content-addressed rows, shared by runs and processes, bounded in size.

One row per (model fingerprint, input text): the output text and the decoder's score. WAL mode and a
busy timeout let two runs (or Ray workers) read and write at once; every change is one transaction,
so ``kill -9`` leaves the file consistent. A trigger keeps the total size in ``meta``; beyond
``max_bytes`` the least recently used rows are deleted. A file that is not a sound SQLite database is
found on open (``PRAGMA quick_check``), reported, and replaced by an empty one: its rows are never used.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger("translate_sum")

#: The layout of the file; another value is an older layout, replaced by an empty cache.
FORMAT = 1
#: Seconds a writer waits for another process's transaction before giving up (the run goes on uncached).
BUSY_TIMEOUT_S = 30.0
#: Variables per ``IN (...)`` list, well under SQLite's limit.
_CHUNK = 500
#: Rows beyond ``max_bytes`` are evicted down to this share of it, so eviction is not run on every put.
_LOW_WATER = 0.9

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outputs (
    key BLOB PRIMARY KEY,      -- sha256 of (model fingerprint, input text)
    model TEXT NOT NULL,       -- the model fingerprint (hex)
    output TEXT NOT NULL,
    logprob REAL,              -- the decoder's summed log-probability; NULL when the engine gave none
    tokens INTEGER NOT NULL,   -- output tokens that score is over
    bytes INTEGER NOT NULL,    -- what the row counts toward max_mb
    used INTEGER NOT NULL      -- last written or read (ns since the epoch): the LRU order
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outputs_used ON outputs(used);
CREATE TABLE IF NOT EXISTS models (model TEXT PRIMARY KEY, kind TEXT NOT NULL, label TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('bytes', 0);
CREATE TRIGGER IF NOT EXISTS outputs_in AFTER INSERT ON outputs
    BEGIN UPDATE meta SET value = value + NEW.bytes WHERE name = 'bytes'; END;
CREATE TRIGGER IF NOT EXISTS outputs_out AFTER DELETE ON outputs
    BEGIN UPDATE meta SET value = value - OLD.bytes WHERE name = 'bytes'; END;
CREATE TRIGGER IF NOT EXISTS outputs_resized AFTER UPDATE OF bytes ON outputs
    BEGIN UPDATE meta SET value = value + NEW.bytes - OLD.bytes WHERE name = 'bytes'; END;
"""
#: Bytes the write-ahead log is cut back to after a checkpoint.
_WAL_LIMIT = 4 * 1024 * 1024
#: Bytes a row costs besides its key, model and output (SQLite's record and index overhead, roughly).
_ROW_OVERHEAD = 48

#: Files checked (quick_check) in this process: a large file is read once per process, not per window.
_checked: set[Path] = set()


@dataclass(frozen=True)
class Cached:
    """One stored output: its text and the decoder's score (``logprob`` over ``tokens``; None: no score)."""

    text: str
    logprob: float | None
    tokens: int


@dataclass(frozen=True)
class ModelStats:
    kind: str
    label: str
    entries: int
    bytes: int


@dataclass(frozen=True)
class Stats:
    path: Path
    entries: int
    bytes: int  # the rows' accounted size (what max_mb bounds)
    file_bytes: int  # the database file on disk, its WAL included
    max_bytes: int
    models: list[ModelStats]


def entry_key(model: str, text: str) -> bytes:
    """The key of ``text`` given to the model whose fingerprint is ``model``."""
    return hashlib.sha256(f"{model}\0{text}".encode()).digest()


class OutputStore:
    """The cache file at ``path``; every method is one transaction. Use as a context manager.

    A store whose file cannot be used (locked beyond ``BUSY_TIMEOUT_S``, a read-only folder, damage
    found mid-run) warns once and behaves as an empty cache that keeps nothing: a run never fails for it.
    """

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._db: sqlite3.Connection | None = None
        try:
            self._db = _open(path)
        except sqlite3.Error as exc:
            self._give_up(exc)

    def __enter__(self) -> OutputStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def usable(self) -> bool:
        return self._db is not None

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, Cached]:
        """The stored outputs among ``keys``; each one found counts as used now."""
        found: dict[bytes, Cached] = {}
        with self._transaction() as db:
            if db is None:
                return found
            for chunk in _chunks(list(dict.fromkeys(keys))):
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, output, logprob, tokens FROM outputs WHERE key IN ({marks})", chunk
                ).fetchall()
                found.update({bytes(k): Cached(text, lp, n) for k, text, lp, n in rows})
            if found:
                now = time.time_ns()
                db.executemany("UPDATE outputs SET used = ? WHERE key = ?", [(now, k) for k in found])
        return found

    def put_many(self, model: str, kind: str, label: str, items: Iterable[tuple[bytes, Cached]]) -> None:
        """Store ``items`` (key, output) of one model; then evict least recently used rows beyond the bound."""
        rows = []
        now = time.time_ns()
        for key, out in items:
            size = len(key) + len(model) + len(out.text.encode()) + _ROW_OVERHEAD
            rows.append((key, model, out.text, out.logprob, out.tokens, size, now))
        if not rows:
            return
        with self._transaction() as db:
            if db is None:
                return
            db.execute("INSERT OR IGNORE INTO models VALUES (?, ?, ?)", (model, kind, label))
            # The newest output wins (``--fresh`` computes again what is stored).
            db.executemany(
                "INSERT INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "output = excluded.output, logprob = excluded.logprob, tokens = excluded.tokens, "
                "bytes = excluded.bytes, used = excluded.used",
                rows,
            )
            self._evict(db)
        self._vacuum()

    def stats(self) -> Stats:
        with self._transaction() as db:
            models: list[ModelStats] = []
            entries = size = 0
            if db is not None:
                rows = db.execute(
                    "SELECT m.kind, m.label, count(o.key), total(o.bytes) FROM models m "
                    "JOIN outputs o ON o.model = m.model GROUP BY m.model ORDER BY m.kind, m.label"
                ).fetchall()
                models = [ModelStats(k, label, n, int(b)) for k, label, n, b in rows]
                entries = db.execute("SELECT count(*) FROM outputs").fetchone()[0]
                size = _total(db)
        on_disk = sum(p.stat().st_size for p in _files(self.path) if p.exists())
        return Stats(self.path, entries, size, on_disk, self.max_bytes, models)

    def clear(self) -> int:
        """Delete every stored output; returns how many there were."""
        with self._transaction() as db:
            if db is None:
                return 0
            count = db.execute("SELECT count(*) FROM outputs").fetchone()[0]
            db.execute("DELETE FROM outputs")
            db.execute("DELETE FROM models")
        self._vacuum()
        return count

    def _evict(self, db: sqlite3.Connection) -> None:
        excess = _total(db) - self.max_bytes
        if excess <= 0:
            return
        target = excess + int(self.max_bytes * (1 - _LOW_WATER))
        doomed, freed = [], 0
        for key, size in db.execute("SELECT key, bytes FROM outputs ORDER BY used, key"):
            doomed.append(key)
            freed += size
            if freed >= target:
                break
        for chunk in _chunks(doomed):
            db.execute(f"DELETE FROM outputs WHERE key IN ({','.join('?' * len(chunk))})", chunk)
        db.execute("DELETE FROM models WHERE model NOT IN (SELECT DISTINCT model FROM outputs)")

    def _vacuum(self) -> None:
        """Hand freed pages back to the file system (auto_vacuum = INCREMENTAL), outside any transaction."""
        if self._db is None:
            return
        try:
            self._db.execute("PRAGMA incremental_vacuum")
        except sqlite3.Error as exc:
            logger.info("output cache %s: vacuum skipped (%s)", self.path, exc)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection | None]:
        """One IMMEDIATE transaction (a writer waits for another at its start, not half-way through)."""
        db = self._db
        if db is None:
            yield None
            return
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._give_up(exc)
            yield None
            return
        try:
            yield db
        except sqlite3.Error as exc:
            db.rollback()
            self._give_up(exc)
        except BaseException:
            db.rollback()
            raise
        else:
            try:
                db.commit()
            except sqlite3.Error as exc:
                self._give_up(exc)

    def _give_up(self, exc: sqlite3.Error) -> None:
        """Go on without the cache, and say why (a damaged file is checked and replaced at the next open)."""
        logger.warning("output cache %s not used for the rest of this run: %s", self.path, exc)
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            _checked.discard(self.path)  # damage: the next open checks (and replaces) the file
        self.close()


def _open(path: Path) -> sqlite3.Connection:
    """A connection to a sound cache file at ``path``: created, or replaced when damaged or of another format."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path not in _checked:
        problem = _problem(path)
        if problem is not None:
            logger.warning(
                "output cache %s is damaged (%s): deleted and started again empty; nothing in it was used",
                path,
                problem,
            )
            for file in _files(path):
                file.unlink(missing_ok=True)
        _checked.add(path)
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only takes effect on a new, empty file
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: consistent after a crash, fast commits
        db.execute(f"PRAGMA journal_size_limit = {_WAL_LIMIT}")  # the WAL shrinks back after checkpoints
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != FORMAT:
            # One transaction; a second process doing the same waits, then finds everything there.
            drop = (
                ""
                if version == 0
                else "DROP TABLE IF EXISTS outputs; DROP TABLE IF EXISTS models; DROP TABLE IF EXISTS meta;"
            )
            db.executescript(f"BEGIN IMMEDIATE; {drop} {_SCHEMA} PRAGMA user_version = {FORMAT}; COMMIT;")
        return db
    except BaseException:
        db.close()
        raise


def _problem(path: Path) -> str | None:
    """Why the file at ``path`` cannot be used as it is (None: missing, or sound)."""
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            result = [row[0] for row in db.execute("PRAGMA quick_check")]
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            db.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return None  # in use by another run: it checked the file itself
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if result == ["ok"] else "; ".join(result[:3])


def _files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _total(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE name = 'bytes'").fetchone()
    return int(row[0]) if row else 0


def _chunks(items: list[bytes]) -> Iterator[list[bytes]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]
