"""The translation memory file: one SQLite database of reviewed sentence pairs, versioned and crash-safe."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from rapidfuzz.distance import Indel

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
    (
        # Near-match candidates come from a trigram index of the keys, not from a scan of every entry.
        "CREATE VIRTUAL TABLE entries_fts USING fts5(key, content='entries', content_rowid='id', "
        "tokenize='trigram')",
        "CREATE VIRTUAL TABLE entries_vocab USING fts5vocab(entries_fts, 'row')",
        "CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN "
        "INSERT INTO entries_fts(rowid, key) VALUES (new.id, new.key); END",
        "CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN "
        "INSERT INTO entries_fts(entries_fts, rowid, key) VALUES ('delete', old.id, old.key); END",
        "CREATE TRIGGER entries_au AFTER UPDATE OF key ON entries BEGIN "
        "INSERT INTO entries_fts(entries_fts, rowid, key) VALUES ('delete', old.id, old.key); "
        "INSERT INTO entries_fts(rowid, key) VALUES (new.id, new.key); END",
        "INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')",
    ),
)
#: Near-match candidates are the entries holding one of a key's probes: its rarest trigrams, no two
#: overlapping (one changed character breaks at most one), plus the rarest of each quarter of the key (so
#: a changed name or number, where rare trigrams gather, cannot break them all). A sentence ≥ 85 %
#: similar keeps most of them; common trigrams (" th", "the") would only bring unrelated candidates.
_PROBES = 10
_STRETCHES = 4
#: Keys sampled to tell rare trigrams from common ones (once per open memory).
_SAMPLE = 5000
#: Candidates scored per look-up: those holding the most probes (both languages' entries count).
_CANDIDATES = 200
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


def damaged(path: Path, exc: object) -> str:
    """The one-line message for a memory file SQLite cannot use, with the way out."""
    return (
        f"{path}: the translation memory is damaged ({exc}); move it aside (mv {path} {path}.damaged): "
        "tsum all then runs without it and tsum review starts a new one; `tsum memory stats` checks a "
        "file, and `tsum memory import` of your last `tsum memory export` brings its entries back"
    )


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
        self._rarity: Counter | None = None  # trigram counts in a sample of keys, for near matches
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are begun and committed here, explicitly.
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            # A file with a valid header can still hold damaged pages: found here, not as a traceback later.
            problems = [row[0] for row in self._db.execute("PRAGMA quick_check(3)")]
            if problems != ["ok"]:
                raise sqlite3.DatabaseError("; ".join(problems))
            self._migrate()
        except TranslationMemoryError:
            raise
        except sqlite3.DatabaseError as exc:
            raise TranslationMemoryError(damaged(self.path, exc)) from None
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
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.DatabaseError as exc:
                raise TranslationMemoryError(damaged(self.path, exc)) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._reading() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

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
        with self._reading() as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    def get(self, source: str, lang: str) -> Entry | None:
        """The entry for ``source`` (by normalised key) in ``lang``, or None."""
        return self.lookup([source], lang).get(normalize_key(source))

    def lookup(self, sources: Iterable[str], lang: str) -> dict[str, Entry]:
        """Exact matches: normalised key -> entry, for those of ``sources`` the memory holds in ``lang``."""
        keys = sorted({normalize_key(s) for s in sources})
        found: dict[str, Entry] = {}
        with self._reading() as db:
            for start in range(0, len(keys), 500):  # SQLite caps the number of bound parameters
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT {_COLUMNS} FROM entries WHERE lang = ? AND key IN ({marks})", (lang, *chunk)
                )
                found.update((row[1], Entry(*row)) for row in rows)
        return found

    def entries(self, lang: str | None = None) -> list[Entry]:
        """Every entry (of ``lang``), oldest first."""
        return list(self.iter_entries(lang))

    def iter_entries(self, lang: str | None = None) -> Iterator[Entry]:
        """Every entry (of ``lang``), oldest first, read in batches: for an export of any size."""
        last = 0
        while True:
            with self._reading() as db:
                where = "id > ?" + (" AND lang = ?" if lang is not None else "")
                params = (last,) if lang is None else (last, lang)
                rows = db.execute(
                    f"SELECT {_COLUMNS} FROM entries WHERE {where} ORDER BY id LIMIT 2000", params
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield Entry(*row)
            last = rows[-1][0]

    def near(
        self, source: str, lang: str, threshold: float = NEAR_THRESHOLD, limit: int = 3
    ) -> list[NearMatch]:
        """Entries in ``lang`` whose source is similar (similarity ≥ ``threshold``) but not equal.

        Similarity: 2·LCS / (len a + len b) of the normalised keys (rapidfuzz's Indel similarity, the
        exact form of difflib's ratio). Candidates come from the SQLite FTS5 trigram index: entries
        sharing one of the rarest trigrams of each stretch of the key; keys under 3 characters have none.
        """
        key = normalize_key(source)
        folded = key.lower()  # the trigram index folds case
        grams = [folded[i : i + 3] for i in range(len(folded) - 2)]
        if not grams:
            return []
        probes = _probes(grams, self._gram_counts())
        # Entries holding most probes first: a near match holds nearly all, an unrelated sentence one.
        hits: Counter = Counter()
        shortest = int(len(key) * threshold / (2 - threshold))  # lengths that allow the threshold at all
        longest = int(len(key) * (2 - threshold) / threshold) + 1
        with self._reading() as db:
            for gram in sorted(probes):
                rows = db.execute(
                    "SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?",
                    ('"' + gram.replace('"', '""') + '"',),
                ).fetchall()
                hits.update(row[0] for row in rows)
            best = [entry_id for entry_id, _ in hits.most_common(_CANDIDATES)]
            scored = []
            for start in range(0, len(best), 500):
                chunk = best[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for entry_id, other in db.execute(
                    f"SELECT id, key FROM entries WHERE lang = ? AND length(key) BETWEEN ? AND ? AND id IN ({marks})",
                    (lang, shortest, longest, *chunk),
                ):
                    if other == key:
                        continue
                    score = Indel.normalized_similarity(key, other, score_cutoff=threshold)
                    if score >= threshold:
                        scored.append((round(score, 4), entry_id))
            scored.sort(key=lambda pair: (-pair[0], pair[1]))
            matches = []
            for score, entry_id in scored[:limit]:
                row = db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
                matches.append(NearMatch(Entry(*row), score))
        return matches

    def _gram_counts(self) -> Counter:
        """How often each trigram occurs in a sample of the keys: rare in the sample, rare in the memory."""
        if self._rarity is None:
            with self._reading() as db:
                top = db.execute("SELECT max(id) FROM entries").fetchone()[0] or 0
                step = max(1, top // _SAMPLE)
                keys = db.execute("SELECT key FROM entries WHERE id % ? = 0", (step,)).fetchall()
            counts: Counter = Counter()
            for (sample,) in keys:
                sample = sample.lower()
                counts.update({sample[i : i + 3] for i in range(len(sample) - 2)})
            self._rarity = counts
        return self._rarity

    def digest(self, sources: Iterable[str], languages: Iterable[str]) -> str:
        """A hash of the entries that match ``sources`` in ``languages``: changes when any of them does.

        ``EMPTY_DIGEST`` when the memory holds none of them.
        """
        return entries_digest(self.lookup, sources, languages)

    def snapshot(self, languages: Iterable[str]) -> MemorySnapshot:
        """Every entry in ``languages`` as plain data: what a run serves from, on any worker."""
        wanted = sorted(set(languages))
        with self._reading() as db:
            # Rows as tuples, in one query: a memory of 250,000 entries is read in about a second.
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM entries WHERE lang IN ({','.join('?' * len(wanted))})", wanted
            ).fetchall()
        return MemorySnapshot({(row[2], row[1]): row for row in rows})

    def stats(self) -> dict:
        """Entry counts: total, and per language and status, and per origin."""
        with self._reading() as db:
            by_lang = db.execute(
                "SELECT lang, status, COUNT(*) FROM entries GROUP BY lang, status ORDER BY lang, status"
            ).fetchall()
            by_origin = db.execute(
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
        expected_target: str | None = None,
    ) -> Entry:
        """Save ``target`` as the translation of ``source`` into ``lang``; returns the entry as stored.

        ``expected_version`` (0: no entry yet) makes the save conditional: when the entry has changed
        since the caller read it, MemoryConflict is raised and nothing is written. ``expected_target``:
        the text the caller's change was based on; when an entry exists and holds other text, the same
        conflict (a version alone can be paired with text from somewhere else). An import never
        downgrades a reviewer's entry that already holds the same target.
        """
        _check_entry(source, target, status, origin)
        with self._transaction() as db:
            entry, _ = self._put(
                db, source, lang, target, status, origin, origin_name, slug, expected_version, expected_target
            )
        return entry

    def import_entries(
        self, items: Iterable[tuple[str, str, str, str, str | None]], origin: str, origin_name: str
    ) -> dict[str, int]:
        """Store ``(source, lang, target, status, slug)`` items from a file, many per transaction.

        Returns how many were ``added``, ``updated``, ``unchanged`` and ``invalid`` (empty, too long,
        NUL: passed over). An entry already holding the same target is never changed by an import.
        """
        counts = {"added": 0, "updated": 0, "unchanged": 0, "invalid": 0}
        batch: list[tuple[str, str, str, str, str | None]] = []

        def flush() -> None:
            with self._transaction() as db:
                for source, lang, target, status, slug in batch:
                    _, outcome = self._put(db, source, lang, target, status, origin, origin_name, slug)
                    counts[outcome] += 1
            batch.clear()

        for item in items:
            try:
                _check_entry(item[0], item[2], item[3], origin)
            except TranslationMemoryError:
                counts["invalid"] += 1
                continue
            batch.append(item)
            if len(batch) >= 2000:  # one fsync per batch, not per entry
                flush()
        if batch:
            flush()
        return counts

    def _put(
        self,
        db: sqlite3.Connection,
        source: str,
        lang: str,
        target: str,
        status: str,
        origin: str,
        origin_name: str | None,
        slug: str | None,
        expected_version: int | None = None,
        expected_target: str | None = None,
    ) -> tuple[Entry, str]:
        key = normalize_key(source)
        row = db.execute(f"SELECT {_COLUMNS} FROM entries WHERE key = ? AND lang = ?", (key, lang)).fetchone()
        current = Entry(*row) if row else None
        if expected_version is not None and (current.version if current else 0) != expected_version:
            raise MemoryConflict(
                "this translation was changed elsewhere since the page was loaded "
                f"(now version {current.version if current else 0}, expected {expected_version})",
                current,
            )
        if expected_target is not None and current is not None and current.target != expected_target:
            raise MemoryConflict(
                "this translation is not the text your change was based on: the memory holds "
                f"another (version {current.version}); reload to see it",
                current,
            )
        # Nothing new: keep the stronger status (approved > edited > imported) and the version; a file
        # never changes the status of an entry that already says the same.
        if (
            current is not None
            and current.target == target
            and (current.status == status or origin != "review" or current.status == "approved")
        ):
            return current, "unchanged"
        now = _now()
        if current is None:
            cursor = db.execute(
                f"INSERT INTO entries ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (key, lang, source, target, status, origin, origin_name, slug, now, now),
            )
            entry_id, outcome = cursor.lastrowid, "added"
        else:
            entry_id, outcome = current.id, "updated"
            db.execute(
                "UPDATE entries SET source = ?, target = ?, status = ?, origin = ?, origin_name = ?, "
                "slug = ?, version = version + 1, updated = ? WHERE id = ?",
                (source, target, status, origin, origin_name, slug, now, entry_id),
            )
        row = db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return Entry(*row), outcome


def _check_entry(source: str, target: str, status: str, origin: str) -> None:
    check_text(source, "source")
    check_text(target)
    if status not in STATUSES:
        raise TranslationMemoryError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if origin not in ORIGINS:
        raise TranslationMemoryError(f"origin must be one of {', '.join(ORIGINS)}, not {origin!r}")


@dataclass(frozen=True)
class MemorySnapshot:
    """The memory's entries as read at the start of a run: picklable, so remote workers serve from it too.

    ``lookup`` and ``digest`` answer as ``MemoryStore``'s do for the same entries.
    """

    rows: dict[tuple[str, str], tuple]  # (lang, normalised key) -> the entry's row (Entry's fields)

    def lookup(self, sources: Iterable[str], lang: str) -> dict[str, Entry]:
        """Exact matches: normalised key -> entry, for those of ``sources`` held in ``lang``."""
        keys = {normalize_key(s) for s in sources}
        return {key: Entry(*self.rows[(lang, key)]) for key in keys if (lang, key) in self.rows}

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


def _probes(grams: list[str], rarity: Counter) -> set[str]:
    """The trigrams of a key that near-match candidates are looked up by (see ``_PROBES``)."""
    stretches = min(_STRETCHES, len(grams))
    probes = {
        min(grams[i * len(grams) // stretches : (i + 1) * len(grams) // stretches], key=rarity.__getitem__)
        for i in range(stretches)
    }
    taken: list[int] = []
    for position in sorted(range(len(grams)), key=lambda i: (rarity[grams[i]], i)):
        if len(taken) == _PROBES:
            break
        if all(abs(position - other) >= 3 for other in taken):
            taken.append(position)
            probes.add(grams[position])
    return probes
