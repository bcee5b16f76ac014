"""A reviewer's edit or approval: saved to the memory, checked again, and the article's files and its
index row re-rendered."""

from __future__ import annotations

import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from translate_sum.errors import MemoryConflict, OutputError, TranslationMemoryError, TsumError
from translate_sum.memory.keys import normalize_key
from translate_sum.memory.store import Entry, MemoryStore, check_text
from translate_sum.pipeline.article_files import read_article
from translate_sum.pipeline.refresh import refresh_articles
from translate_sum.records import AlignedSegment, ArticleResult
from translate_sum.storage import article_dir, output_lock

#: What the page may ask for: keep the text as a draft (edit) or approve it.
ACTIONS = {"edit": "edited", "approve": "approved"}
_SEG_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
# Saves from two tabs arrive on two server threads: one at a time, so the second meets the output
# folder's lock free (that lock is for other processes, e.g. a tsum all running meanwhile).
_SAVING = threading.Lock()
_CONFLICT = "this translation was changed elsewhere since the page was loaded"


class NotFound(TsumError):
    """No such article or segment in the output folder."""


class SaveConflict(MemoryConflict):
    """A save based on text that is no longer the row's current text; ``text``/``version``: what is."""

    def __init__(self, message: str, text: str, version: int):
        super().__init__(message)
        self.text = text
        self.version = version


class SavedButNotWritten(OutputError):
    """The memory holds the new text but the article's files could not be rewritten."""

    def __init__(self, message: str, row: RowState):
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class RowState:
    """One target cell after a save, as the page shows it."""

    id: str
    lang: str
    text: str
    version: int
    status: str | None
    flags: list[dict]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "lang": self.lang,
            "text": self.text,
            "version": self.version,
            "status": self.status,
            "flags": self.flags,
        }


def find_article(output_dir: Path, slug: str) -> Path:
    """The folder of the finished article ``slug``; raises NotFound."""
    try:
        folder = article_dir(output_dir, slug)
    except TsumError:
        raise NotFound(f"no article {slug!r}") from None
    # A linked folder may point anywhere: refused as linked files are.
    if folder.is_symlink() or not (folder / "aligned.jsonl").is_file():
        raise NotFound(f"no article {slug!r} in {output_dir}")
    return folder


def current_cell(segment: AlignedSegment, lang: str, store: MemoryStore) -> tuple[str, int]:
    """The text a ``lang`` cell shows and its version, from one source: the memory entry, else the article."""
    entry = store.get(segment.en, lang)
    if entry is not None:
        return entry.target, entry.version
    return segment.translations.get(lang, ""), 0


def _check_writable(folder: Path) -> None:
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".tsum-probe-"):
            pass
    except OSError as exc:
        raise OutputError(
            f"{folder.name}: the article folder cannot be written ({exc.strerror or exc}); nothing was "
            "saved: fix its permissions and save again"
        ) from None


def _segment(result: ArticleResult, seg_id: str) -> AlignedSegment:
    if _SEG_ID.fullmatch(seg_id):
        for segment in result.segments:
            if segment.id == seg_id:
                return segment
    raise NotFound(f"no segment {seg_id!r} in {result.slug}")


def save_target(
    output_dir: Path,
    store: MemoryStore,
    slug: str,
    seg_id: str,
    lang: str,
    text: str,
    action: str,
    version: int,
    base: str,
) -> list[RowState]:
    """Save ``text`` as the ``lang`` target of segment ``seg_id`` of article ``slug``.

    ``version`` and ``base`` are the version and text the page showed (0: no memory entry, the
    article's text); when either is no longer current, SaveConflict is raised and nothing changes. The entry is ``edited`` or ``approved`` (``action``), the
    glossary and QA checks run on it (``pipeline.stages.serve_memory``, as in a run), and the
    article's output files, then its row of the index, are re-rendered, each atomically, under
    the output lock.
    Returns every row of the article holding the same sentence, as now shown.
    """
    if action not in ACTIONS:
        raise TranslationMemoryError(f"action must be one of {', '.join(ACTIONS)}")
    check_text(text)
    folder = find_article(output_dir, slug)
    with _SAVING, output_lock(output_dir):
        result = read_article(folder)
        segment = _segment(result, seg_id)
        if lang not in result.languages:
            raise NotFound(f"{slug} has no {lang!r} translation")
        now_text, now_version = current_cell(segment, lang, store)
        if (now_text, now_version) != (base, version):
            raise SaveConflict(_CONFLICT, now_text, now_version)
        _check_writable(folder)
        try:
            entry = store.put(
                segment.en,
                lang,
                text,
                status=ACTIONS[action],
                origin="review",
                origin_name="review page",
                slug=slug,
                expected_version=version,
                expected_target=base if version else None,
            )
        except SaveConflict:
            raise
        except MemoryConflict as exc:  # another process saved between the check and the put
            current = exc.current if isinstance(exc.current, Entry) else None
            raise SaveConflict(
                _CONFLICT, current.target if current else "", current.version if current else 0
            ) from None
        outcome = refresh_articles(output_dir, {slug: result}, store)[slug]
        if isinstance(outcome, OutputError):
            row = RowState(seg_id, lang, entry.target, entry.version, entry.status, [])
            raise SavedButNotWritten(
                f"saved in the memory (version {entry.version}), but the article's files were not "
                f"rewritten: {outcome}; tsum all writes it once the folder can be written",
                row,
            ) from None
        if isinstance(outcome, TsumError):
            raise outcome
        result = outcome
    return rows_like(result, store, segment.en, lang)


def rows_like(result: ArticleResult, store: MemoryStore, en: str, lang: str) -> list[RowState]:
    """The ``lang`` cells of every segment of ``result`` with the same normalised source as ``en``."""
    key = normalize_key(en)
    entry = store.get(en, lang)
    rows = []
    for segment in result.segments:
        if normalize_key(segment.en) != key:
            continue
        hit = segment.memory.get(lang)
        rows.append(
            RowState(
                id=segment.id,
                lang=lang,
                text=entry.target if entry else segment.translations.get(lang, ""),
                version=entry.version if entry else 0,
                status=hit.status if hit else None,
                flags=[f.to_dict() for f in segment.flags if f.lang == lang],
            )
        )
    return rows
