"""The translation memory file: one SQLite database of reviewed sentence pairs, versioned and crash-safe."""

from __future__ import annotations

import difflib
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from translate_sum.errors import MemoryConflict, TranslationMemoryError
from translate_sum.memory.keys import normalize_key

#: Entry statuses: a reviewer approved it, a reviewer edited it (not yet approved), or it came from a file.
STATUSES = ("approved", "edited", "imported")
#: Where entries come from: the review page, or a CAT file.
ORIGINS = ("review", "xliff", "tmx")
#: Longest target accepted, in characters: far beyond any sentence, short of a pasted document.
MAX_TEXT = 20_000
#: Near matches at or above this similarity are offered to a reviewer, never applied by themselves.
NEAR_THRESHOLD = 0.85

# Each step takes the schema from version i to i + 1; PRAGMA user_version records how far a file is.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            lang TEXT NOT NULL,
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('approved', 'edited', 'imported')),
            origin TEXT NOT NULL,
            origin_name TEXT,
            slug TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            UNIQUE (key, lang)
        )""",
        "CREATE INDEX entries_lang ON entries (lang)",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)
_COLUMNS = "id, key, lang, source, target, status, origin, origin_name, slug, version, created, updated"


@dataclass(frozen=True)
class Entry:
    """One reviewed sentence pair. ``version`` grows by one with every change (for conflict checks)."""

    id: int
    key: str
    lang: str
    source: str
    target: str
    status: str
    origin: str
    origin_name: str | None
    slug: str | None
    version: int
    created: str
    updated: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class NearMatch:
    """A memory entry whose source is close to, but not the same as, a sentence."""

    entry: Entry
    score: float


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_text(text: object, what: str = "target") -> str:
    """``text`` if it is a usable segment text; raises TranslationMemoryError saying what is wrong."""
    if not isinstance(text, str):
        raise TranslationMemoryError(f"{what} must be text")
    if not text.strip():
        raise TranslationMemoryError(f"{what} is empty")
    if len(text) > MAX_TEXT:
        raise TranslationMemoryError(f"{what} is longer than {MAX_TEXT} characters")
    if "\0" in text:
        raise TranslationMemoryError(f"{what} contains a NUL character")
    return text


class MemoryStore:
    """The translation memory at ``path`` (created on first use). Safe to share between threads.

    Every write is one transaction in WAL mode, so a process killed mid-save leaves the file as it was
    before or after that save, never in between.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are begun and committed here, explicitly.
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise TranslationMemoryError(
                f"{self.path}: not a usable translation memory ({exc}); move it aside to start a new one"
            ) from None
        except OSError as exc:
            raise TranslationMemoryError(f"{self.path}: cannot open the translation memory: {exc}") from None

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise TranslationMemoryError(
                    f"{self.path}: written by a newer tsum (schema {version}, this one knows "
                    f"{SCHEMA_VERSION}); upgrade tsum"
                )
            for step in _MIGRATIONS[version:]:
                for statement in step:
                    db.execute(statement)
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- reading -------------------------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self._lock:
            return self._db.execute("PRAGMA user_version").fetchone()[0]

    def get(self, source: str, lang: str) -> Entry | None:
        """The entry for ``source`` (by normalised key) in ``lang``, or None."""
        return self.lookup([source], lang).get(normalize_key(source))

    def lookup(self, sources: Iterable[str], lang: str) -> dict[str, Entry]:
        """Exact matches: normalised key -> entry, for those of ``sources`` the memory holds in ``lang``."""
        keys = sorted({normalize_key(s) for s in sources})
        found: dict[str, Entry] = {}
        with self._lock:
            for start in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT {_COLUMNS} FROM entries WHERE lang = ? AND key IN ({marks})", (lang, *chunk)
                )
                found.update((row[1], Entry(*row)) for row in rows)
        return found

    def entries(self, lang: str | None = None) -> list[Entry]:
        """Every entry (of ``lang``), oldest first."""
        with self._lock:
            if lang is None:
                rows = self._db.execute(f"SELECT {_COLUMNS} FROM entries ORDER BY id")
            else:
                rows = self._db.execute(f"SELECT {_COLUMNS} FROM entries WHERE lang = ? ORDER BY id", (lang,))
            return [Entry(*row) for row in rows]

    def near(
        self,
        source: str,
        lang: str,
        threshold: float = NEAR_THRESHOLD,
        limit: int = 3,
        pool: list[Entry] | None = None,
    ) -> list[NearMatch]:
        """Entries in ``lang`` whose source is similar (difflib ratio ≥ ``threshold``) but not equal.

        ``pool``: the entries to search (default: all of ``lang``), for callers that ask many times.
        """
        key = normalize_key(source)
        if not key:
            return []
        matches = []
        for entry in self.entries(lang) if pool is None else pool:
            if entry.lang != lang:
                continue
            if entry.key == key or not _lengths_allow(key, entry.key, threshold):
                continue
            matcher = difflib.SequenceMatcher(None, key, entry.key, autojunk=False)
            if matcher.quick_ratio() < threshold:
                continue
            score = matcher.ratio()
            if score >= threshold:
                matches.append(NearMatch(entry, round(score, 4)))
        matches.sort(key=lambda m: (-m.score, m.entry.id))
        return matches[:limit]

    def digest(self, sources: Iterable[str], languages: Iterable[str]) -> str:
        """A hash of the entries that match ``sources`` in ``languages``: changes when any of them does.

        ``EMPTY_DIGEST`` when the memory holds none of them.
        """
        return entries_digest(self.lookup, sources, languages)

    def snapshot(self, languages: Iterable[str]) -> MemorySnapshot:
        """Every entry in ``languages`` as plain data: what a run serves from, on any worker."""
        return MemorySnapshot({(e.lang, e.key): e for lang in set(languages) for e in self.entries(lang)})

    def stats(self) -> dict:
        """Entry counts: total, and per language and status, and per origin."""
        with self._lock:
            by_lang = self._db.execute(
                "SELECT lang, status, COUNT(*) FROM entries GROUP BY lang, status ORDER BY lang, status"
            ).fetchall()
            by_origin = self._db.execute(
                "SELECT origin, COUNT(*) FROM entries GROUP BY origin ORDER BY origin"
            ).fetchall()
        languages: dict[str, dict[str, int]] = {}
        for lang, status, count in by_lang:
            languages.setdefault(lang, {})[status] = count
        return {
            "entries": sum(count for _, _, count in by_lang),
            "languages": languages,
            "origins": dict(by_origin),
            "schema": self.schema_version(),
        }

    # -- writing -------------------------------------------------------------------------------------------

    def put(
        self,
        source: str,
        lang: str,
        target: str,
        *,
        status: str,
        origin: str,
        origin_name: str | None = None,
        slug: str | None = None,
        expected_version: int | None = None,
    ) -> Entry:
        """Save ``target`` as the translation of ``source`` into ``lang``; returns the entry as stored.

        ``expected_version`` (0: no entry yet) makes the save conditional: when the entry has changed
        since the caller read it, MemoryConflict is raised and nothing is written. An import never
        downgrades a reviewer's entry that already holds the same target.
        """
        check_text(source, "source")
        check_text(target)
        if status not in STATUSES:
            raise TranslationMemoryError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        if origin not in ORIGINS:
            raise TranslationMemoryError(f"origin must be one of {', '.join(ORIGINS)}, not {origin!r}")
        key = normalize_key(source)
        now = _now()
        with self._transaction() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM entries WHERE key = ? AND lang = ?", (key, lang)
            ).fetchone()
            current = Entry(*row) if row else None
            if expected_version is not None and (current.version if current else 0) != expected_version:
                raise MemoryConflict(
                    "this translation was changed elsewhere since the page was loaded "
                    f"(now version {current.version if current else 0}, expected {expected_version})",
                    current,
                )
            # Nothing new: keep the stronger status (approved > edited > imported) and the version.
            if (
                current is not None
                and current.target == target
                and (current.status == status or status == "imported" or current.status == "approved")
            ):
                return current
            if current is None:
                cursor = db.execute(
                    f"INSERT INTO entries ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                    (key, lang, source, target, status, origin, origin_name, slug, now, now),
                )
                entry_id = cursor.lastrowid
            else:
                entry_id = current.id
                db.execute(
                    "UPDATE entries SET source = ?, target = ?, status = ?, origin = ?, origin_name = ?, "
                    "slug = ?, version = version + 1, updated = ? WHERE id = ?",
                    (source, target, status, origin, origin_name, slug, now, entry_id),
                )
            row = db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return Entry(*row)


@dataclass(frozen=True)
class MemorySnapshot:
    """The memory's entries as read at the start of a run: picklable, so remote workers serve from it too.

    ``lookup`` and ``digest`` answer as ``MemoryStore``'s do for the same entries.
    """

    entries: dict[tuple[str, str], Entry]  # (lang, normalised key) -> entry

    def lookup(self, sources: Iterable[str], lang: str) -> dict[str, Entry]:
        """Exact matches: normalised key -> entry, for those of ``sources`` held in ``lang``."""
        keys = {normalize_key(s) for s in sources}
        return {key: self.entries[(lang, key)] for key in keys if (lang, key) in self.entries}

    def digest(self, sources: Iterable[str], languages: Iterable[str]) -> str:
        """As ``MemoryStore.digest``."""
        return entries_digest(self.lookup, sources, languages)


def entries_digest(lookup, sources: Iterable[str], languages: Iterable[str]) -> str:
    """The hash of the entries ``lookup(sources, lang)`` finds in each of ``languages``."""
    sources = list(sources)
    parts = []
    for lang in sorted(set(languages)):
        for key, entry in sorted(lookup(sources, lang).items()):
            parts.append([lang, key, entry.target, entry.status, entry.origin, entry.origin_name])
    return _digest(parts)


def _digest(parts: list) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


#: The digest of no entries: what an article made before the memory held any of its sentences has.
EMPTY_DIGEST = _digest([])


def _lengths_allow(a: str, b: str, threshold: float) -> bool:
    # ratio = 2·matches / (len a + len b) ≤ 2·min / (len a + len b): skip pairs that cannot reach it.
    return 2 * min(len(a), len(b)) / (len(a) + len(b)) >= threshold
