"""An article's folder (``outputs/<slug>/``) and the run's index: the one writer and the one reader of each.

What is written is read back by ``read_article`` without loss (``records`` to_dict/from_dict pairs): the
review server, a refresh after a memory change and a fresh run all render from the same records.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from translate_sum.errors import OutputError
from translate_sum.records import AlignedSegment, ArticleJob, ArticleResult, IndexEntry, Manifest
from translate_sum.render import render_article, render_index_html, render_index_md
from translate_sum.storage import (
    MANIFEST,
    article_dir,
    remove_stale_temporaries,
    write_atomic,
    write_json,
)

#: The layout of ``aligned.jsonl`` and ``manifest.json`` that ``read_article`` reads. Part of every
#: article's fingerprint, so a run redoes the articles an older layout wrote (e.g. without term offsets).
OUTPUT_FORMAT = 2
ALIGNED = "aligned.jsonl"
#: The run's index as data: what ``index.md``/``index.html`` show, read back to update one row.
INDEX_DATA = "index.json"


def write_article(result: ArticleResult, output_dir: Path) -> None:
    """Every output file of ``result``, each atomically, so a kill never leaves an article without a manifest.

    The new manifest goes first with its fingerprint cleared (a run killed before the end redoes the
    article, and a reader always finds a manifest), then every file, then the manifest whole.
    """
    folder = article_dir(output_dir, result.slug)
    if folder.is_symlink():
        raise OutputError(
            f"{folder}: is a symbolic link; tsum writes only into real folders inside the "
            "output folder (remove the link)"
        )
    files = render_article(result)  # before touching anything: a renderer's error changes nothing
    try:
        if folder.exists():
            remove_stale_temporaries(folder)
    except OSError as exc:  # e.g. a folder made read-only (or immutable) after it was written
        raise OutputError(f"{folder}: cannot write: {exc.strerror or exc}") from None
    write_json(folder / MANIFEST, replace(result.manifest, fingerprint=None).to_dict())
    for name, content in files.items():
        write_atomic(folder / name, content)
    write_json(folder / MANIFEST, result.manifest.to_dict())


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest in ``folder``, or None when it is absent or unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Manifest.from_dict(data) if isinstance(data, dict) else None


def read_article(folder: Path) -> ArticleResult:
    """The article in ``folder`` exactly as it was written: ``read_article(write_article(x)) == x``.

    Raises OutputError, naming ``tsum all`` as the way out, when the folder holds no article or one in
    an older layout (e.g. glossary terms without their offsets): nothing is filled in by guessing.
    """
    manifest = read_manifest(folder)
    if manifest is None:
        raise OutputError(f"{folder}: no finished article here (manifest.json missing); run tsum all")
    if not manifest.languages:
        raise OutputError(f"{folder / MANIFEST}: written by an older tsum (no languages); run tsum all")
    path = folder / ALIGNED
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        segments = [
            AlignedSegment.from_dict(json.loads(line), manifest.languages) for line in lines if line.strip()
        ]
    except OSError as exc:
        raise OutputError(f"{path}: cannot be read ({exc.strerror or exc}); run tsum all") from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OutputError(
            f"{path}: written by an older tsum or damaged ({type(exc).__name__}: {exc}); run tsum all"
        ) from None
    return ArticleResult(folder.name, segments, manifest)


def write_index(output_dir: Path, entries: list[IndexEntry]) -> None:
    """``index.md`` and ``index.html`` over ``entries``, and ``index.json`` that holds them as data."""
    data = {"format": OUTPUT_FORMAT, "entries": [e.to_dict() for e in entries]}
    write_atomic(output_dir / "index.md", render_index_md(entries))
    write_atomic(output_dir / "index.html", render_index_html(entries))
    write_json(output_dir / INDEX_DATA, data)


def read_index(output_dir: Path) -> list[IndexEntry] | None:
    """The entries of the last index written, or None when there is none in this layout."""
    try:
        data = json.loads((output_dir / INDEX_DATA).read_text(encoding="utf-8"))
        if data.get("format") != OUTPUT_FORMAT:
            return None
        return [IndexEntry.from_dict(e) for e in data["entries"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def update_index(output_dir: Path, result: ArticleResult) -> None:
    """Bring the index row of ``result`` (its flag counts) in line with the article just written.

    An index from an older tsum (no ``index.json``) is left as it is; the next ``tsum all`` rewrites it.
    """
    entries = read_index(output_dir)
    if entries is None:
        return
    flags = dict(result.manifest.flags)
    updated = [replace(e, flags=flags) if e.slug == result.slug else e for e in entries]
    if updated != entries:
        write_index(output_dir, updated)


def entry(job: ArticleJob, status: str, manifest: Manifest | None = None) -> IndexEntry:
    """The index line of an article written (``done``) or up to date (``skipped``)."""
    flags = dict(manifest.flags) if manifest is not None else {}
    languages = tuple(manifest.languages) if manifest is not None else ()
    targets = manifest.segments * len(manifest.languages) if manifest is not None else 0
    article = job.article
    return IndexEntry(
        job.slug,
        article.title,
        article.date,
        str(article.path),
        status,
        flags,
        targets=targets,
        languages=languages,
    )


def failed_entry(job: ArticleJob, message: str) -> IndexEntry:
    """The index line of an article that failed."""
    article = job.article
    return IndexEntry(job.slug, article.title, article.date, str(article.path), "failed", error=message)
