"""Loading press releases from disk into ``Article`` records, whatever their format."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from translate_sum.errors import ArticleError, ConfigError
from translate_sum.ingest import docx, pdf
from translate_sum.ingest.decode import decode_html, decode_text
from translate_sum.ingest.docx import parse_docx
from translate_sum.ingest.html import parse_html, settings
from translate_sum.ingest.language import check_english
from translate_sum.ingest.markdown import SETTINGS, parse_markdown
from translate_sum.ingest.pdf import parse_pdf
from translate_sum.ingest.text import parse_text
from translate_sum.records import Article

__all__ = [
    "ARTICLE_SUFFIXES",
    "SIDECAR_SUFFIX",
    "display_path",
    "extraction_settings",
    "list_articles",
    "load_article",
    "load_folder",
]

#: File types tsum reads; anything else in the input folder is skipped with a notice.
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
#: ``tsum fetch`` writes ``NAME.html`` and, beside it, ``NAME.fetch.json`` (URL, time, ETag): not an article.
SIDECAR_SUFFIX = ".fetch.json"
_HTML = (".html", ".htm")
_QUIET_SUFFIXES = (".tsv", ".csv", ".toml")


def list_articles(folder: Path) -> tuple[list[Path], list[str]]:
    """Article files directly in ``folder`` (sorted), and notices about entries skipped.

    Symlinks are not followed: a link could point outside the input folder. Glossaries, settings
    and ``tsum fetch`` sidecars are skipped without a notice.
    """
    files: list[Path] = []
    notices: list[str] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            notices.append(f"{display_path(entry)}: skipped, symbolic links are not followed")
        elif not entry.is_file() or entry.name.endswith(SIDECAR_SUFFIX):
            continue
        elif entry.suffix.lower() in ARTICLE_SUFFIXES:
            files.append(entry)
        elif entry.suffix.lower() not in _QUIET_SUFFIXES:
            known = ", ".join(ARTICLE_SUFFIXES)
            notices.append(f"{display_path(entry)}: skipped, unknown file type (tsum reads {known})")
    return files, notices


def load_folder(folder: Path) -> tuple[list[Article], list[str]]:
    """Every article in ``folder`` that loads, and the errors of those that do not (one per file).

    Raises ConfigError when ``folder`` is not a folder.
    """
    if not folder.is_dir():
        raise ConfigError(f"{folder}: input folder not found")
    articles: list[Article] = []
    errors: list[str] = []
    for path in list_articles(folder)[0]:
        try:
            articles.append(load_article(path))
        except ArticleError as exc:
            errors.append(str(exc))
    return articles, errors


def display_path(path: Path) -> str:
    """``path`` as text that can always be printed and written as UTF-8: undecodable bytes in a
    file name show as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def load_article(path: Path) -> Article:
    """Read one English article (text, Markdown, a web page, a Word document or a PDF). Raises
    ArticleError naming the file and the problem."""
    shown = display_path(path)
    if shown != str(path):
        # Its name could not be written into the manifest, the index or a message as UTF-8.
        raise ArticleError(f"{shown}: the file name is not valid UTF-8; rename the file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read: {exc.strerror}") from None
    sha256 = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".docx":
        article = parse_docx(data, path, sha256)
    elif suffix == ".pdf":
        article = parse_pdf(data, path, sha256)
    elif suffix in _HTML:
        text = decode_html(data, path, _fetched_charset(path))
        if not text.strip():
            raise ArticleError(f"{path}: empty article (no text)")
        article = parse_html(text, path, sha256)
    elif suffix == ".md":
        article = parse_markdown(decode_text(data, path), path, sha256)
    else:
        article = parse_text(decode_text(data, path), path, sha256)
    check_english(article)
    return article


def _fetched_charset(path: Path) -> str | None:
    """The charset the server named for a page ``tsum fetch`` saved, from its sidecar."""
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    try:
        content_type = json.loads(sidecar.read_text(encoding="utf-8")).get("content_type") or ""
    except (OSError, ValueError, AttributeError):
        return None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def extraction_settings(path: Path) -> str:
    """How an article of ``path``'s type is read, for its fingerprint: changing the extractor or its
    settings redoes the articles it reads."""
    suffix = path.suffix.lower()
    if suffix in _HTML:
        return settings()
    if suffix == ".md":
        return SETTINGS
    if suffix == ".docx":
        return docx.settings()
    if suffix == ".pdf":
        return pdf.settings()
    return "text"
