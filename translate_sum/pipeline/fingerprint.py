"""Whether an article's outputs are current: a hash of its input and everything else that shapes them.

A local model (``path =`` in models.toml) counts by the content of its files, not its path, so
replacing the files at the same path redoes the articles. File hashes are cached by size and
modification time, so an unchanged model is not read again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translate_sum import __version__
from translate_sum.config import Config
from translate_sum.errors import OutputError
from translate_sum.ingest import extraction_settings
from translate_sum.paths import cache_root
from translate_sum.pipeline.article_files import OUTPUT_FORMAT
from translate_sum.records import Article, Manifest
from translate_sum.storage import write_json

logger = logging.getLogger("translate_sum")

HASH_CACHE_NAME = "file-hashes.json"


def run_fingerprint(config: Config, languages: Sequence[str], glossary_sha256: str | None) -> dict[str, Any]:
    """Everything besides the input text that changes an article's outputs."""
    return {
        "tsum_version": __version__,
        "output_format": OUTPUT_FORMAT,
        "languages": list(languages),
        "config": config.fingerprint(tuple(languages)),
        "glossary_sha256": glossary_sha256,
        "local_models": local_model_hashes(config, languages),
    }


def fingerprint_hash(article: Article, fingerprint: dict[str, Any]) -> str:
    """The hash recorded in the manifest: this article's input under this run's fingerprint."""
    # How the file was read (e.g. the HTML extractor's settings) counts as part of its input.
    extraction = extraction_settings(article.path)
    payload = json.dumps(
        {"input": article.sha256, "extraction": extraction, **fingerprint}, sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def is_current(manifest: Manifest | None, article: Article, fingerprint: dict[str, Any]) -> bool:
    """True when the outputs on disk came from this very input, models, settings and glossary.

    A manifest without a fingerprint is one whose article was being written when the run stopped.
    """
    return (
        manifest is not None
        and manifest.fingerprint is not None
        and manifest.fingerprint == fingerprint_hash(article, fingerprint)
    )


def local_model_hashes(config: Config, languages: Sequence[str]) -> dict[str, dict[str, str]]:
    """For each model the run uses from a local folder: its files (relative names) and their sha256."""
    specs = [s for s in config.model_specs() if s.role == "summarizer" or s.role in languages]
    local = [(s.role, s.path) for s in specs if s.path is not None]
    if not local:
        return {}
    cache = _HashCache(_cache_file())
    hashes = {}
    for role, directory in local:
        files = sorted(p for p in directory.rglob("*") if p.is_file() and not _hidden(p, directory))
        hashes[role] = {p.relative_to(directory).as_posix(): cache.sha256(p) for p in files}
    cache.save()
    return hashes


def directory_digest(directory: Path) -> str:
    """One sha256 over the files of a model folder (names and contents; hashes cached as above)."""
    cache = _HashCache(_cache_file())
    files = sorted(p for p in directory.rglob("*") if p.is_file() and not _hidden(p, directory))
    listing = {p.relative_to(directory).as_posix(): cache.sha256(p) for p in files}
    cache.save()
    return hashlib.sha256(json.dumps(listing, sort_keys=True).encode()).hexdigest()


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _cache_file() -> Path:
    return cache_root() / HASH_CACHE_NAME


class _HashCache:
    """sha256 of files by absolute path, valid while size and modification time are unchanged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.changed = False
        try:
            self.entries: dict[str, list] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def sha256(self, file: Path) -> str:
        stat = file.stat()
        key = str(file.resolve())
        known = self.entries.get(key)
        if isinstance(known, list) and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            return known[2]
        digest = hashlib.sha256()
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        self.entries[key] = [stat.st_size, stat.st_mtime_ns, digest.hexdigest()]
        self.changed = True
        return digest.hexdigest()

    def save(self) -> None:
        if not self.changed:
            return
        try:
            write_json(self.path, self.entries)
        except OutputError as exc:  # a cache that cannot be written only costs hashing again next time
            logger.info("file hash cache not saved: %s", exc)
