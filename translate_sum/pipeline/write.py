"""Writing a finished article's files (atomically, manifest last) and the run's index."""

from __future__ import annotations

from pathlib import Path

from translate_sum.errors import OutputError
from translate_sum.records import ArticleJob, ArticleResult, IndexEntry
from translate_sum.storage import MANIFEST, article_dir, remove_stale_temporaries, write_atomic, write_json


def write_article(result: ArticleResult, output_dir: Path) -> None:
    """Every output file, atomically; the manifest last, so an interrupted article is redone."""
    from translate_sum.render import render_article

    folder = article_dir(output_dir, result.slug)
    if folder.is_symlink():
        raise OutputError(
            f"{folder}: is a symbolic link; tsum writes only into real folders inside the "
            "output folder (remove the link)"
        )
    stale = folder / MANIFEST
    try:
        if folder.exists():
            remove_stale_temporaries(folder)
        if stale.exists():
            # Invalidate first: a run killed between here and the new manifest redoes this article.
            stale.unlink()
    except OSError as exc:  # e.g. a folder made read-only (or immutable) after it was written
        raise OutputError(f"{folder}: cannot write: {exc.strerror or exc}") from None
    for name, content in render_article(result).items():
        write_atomic(folder / name, content)
    write_json(folder / MANIFEST, result.record.to_dict())


def write_index(output_dir: Path, entries: list[IndexEntry]) -> None:
    """``index.md`` and ``index.html`` over every article of the run."""
    from translate_sum.render import render_index_html, render_index_md

    write_atomic(output_dir / "index.md", render_index_md(entries))
    write_atomic(output_dir / "index.html", render_index_html(entries))


def entry(job: ArticleJob, status: str, manifest: dict | None = None) -> IndexEntry:
    """The index line of an article written (``done``) or up to date (``skipped``)."""
    flags = ((manifest or {}).get("counts") or {}).get("flags") or {}
    languages = tuple((manifest or {}).get("languages") or ())
    article = job.article
    return IndexEntry(
        job.slug, article.title, article.date, str(article.path), status, dict(flags), languages=languages
    )


def failed_entry(job: ArticleJob, message: str) -> IndexEntry:
    """The index line of an article that failed."""
    article = job.article
    return IndexEntry(job.slug, article.title, article.date, str(article.path), "failed", error=message)
