"""Keeping the output folder truthful: no file that looks current when it is not.

- An article's folder holds the files of the languages its manifest lists, and no others: files of a
  language no longer selected go once the new files and manifest are in place (each removal is atomic).
- Outputs that already hold more languages than a run asks for are reused, not redone.
- A folder whose input file is gone is listed in the index as "input removed", or deleted with --prune.
- A renamed input is recognised by its content; its manifest follows the new path.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from translate_sum.config import Config
from translate_sum.pipeline.article_files import read_manifest
from translate_sum.pipeline.fingerprint import is_current, run_fingerprint
from translate_sum.records import Article, IndexEntry, Manifest
from translate_sum.storage import LOCK_NAME, MANIFEST, write_json


def _language_patterns(slug: str) -> list[tuple[re.Pattern[str], bool]]:
    """For each per-language output: a pattern whose group is the language, and whether English counts."""
    from translate_sum.render import ARTICLE_OUTPUTS

    patterns = []
    for output in ARTICLE_OUTPUTS:
        if output.langs is None:
            continue
        template = re.escape(output.name).replace(r"\{slug\}", re.escape(slug))
        template = template.replace(r"\{lang\}", r"([a-z][a-z0-9-]*)")
        patterns.append((re.compile(template + r"\Z"), output.langs == "all"))
    return patterns


def stale_language_files(folder: Path, slug: str, languages: Sequence[str]) -> list[Path]:
    """Files in ``folder`` written for a language that ``languages`` (the manifest's) does not list."""
    patterns = _language_patterns(slug)
    stale = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        for pattern, with_english in patterns:
            match = pattern.match(path.name)
            if match is None:
                continue
            keep = {*languages, "en"} if with_english else set(languages)
            if match.group(1) not in keep and path.is_file():
                stale.append(path)
            break
    return stale


def tidy_article(folder: Path) -> list[Path]:
    """Remove the files of languages the folder's manifest no longer lists; returns what was removed."""
    manifest = read_manifest(folder)
    if manifest is None or not manifest.languages:
        return []  # no complete article here (yet): nothing can be called stale
    removed = stale_language_files(folder, folder.name, manifest.languages)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


class Reuse:
    """Whether outputs made for more languages than this run selects are current for this run's inputs."""

    def __init__(self, config: Config, languages: Sequence[str], glossary_sha256: str | None) -> None:
        self.config = config
        self.languages = set(languages)
        self.glossary_sha256 = glossary_sha256
        self._fingerprints: dict[tuple[str, ...], dict | None] = {}

    def covers(self, previous: Manifest | None, article: Article) -> bool:
        """True when ``previous`` lists every selected language and is current for its own languages."""
        wider = tuple(previous.languages) if previous is not None else ()
        if not wider or not self.languages < set(wider):
            return False
        if wider not in self._fingerprints:
            known = all(lang in self.config.translators for lang in wider)
            self._fingerprints[wider] = (
                run_fingerprint(self.config, wider, self.glossary_sha256) if known else None
            )
        fingerprint = self._fingerprints[wider]
        return fingerprint is not None and is_current(previous, article, fingerprint)


def follow_rename(folder: Path, previous: Manifest, article: Article) -> bool:
    """A current article read from a new path (a renamed file, same content): its manifest says so now."""
    if previous.input_path == str(article.path) or previous.input_sha256 != article.sha256:
        return False
    write_json(folder / MANIFEST, replace(previous, input_path=str(article.path)).to_dict())
    return True


def removed_inputs(
    output_dir: Path, claimed: set[str], prune: bool, notify: Callable[[str], None]
) -> list[IndexEntry]:
    """Folders of articles whose input file no longer exists (and that no input of this run claimed):
    index entries saying "input removed", or, with ``prune``, nothing: the folder is deleted."""
    entries = []
    for folder in sorted(p for p in output_dir.iterdir() if p.is_dir() and not p.is_symlink()):
        if folder.name in claimed or folder.name.startswith("."):
            continue
        record = read_manifest(folder)
        source = record.input_path if record else None
        if record is None or not source or Path(source).exists():
            continue
        if prune:
            _remove_folder(folder)
            notify(f"pruned {folder}: its input {source} no longer exists")
            continue
        entries.append(
            IndexEntry(
                folder.name,
                record.title or source,
                record.date,
                source,
                "removed",
                languages=record.languages,
            )
        )
    return entries


@contextmanager
def no_empty_folder(output_dir: Path) -> Iterator[None]:
    """A run that fails before writing anything leaves no output folder behind it if it made the folder."""
    existed = output_dir.exists()
    try:
        yield
    except BaseException:
        if not existed and output_dir.is_dir():
            leftovers = {p.name for p in output_dir.iterdir()}
            if leftovers <= {LOCK_NAME}:
                (output_dir / LOCK_NAME).unlink(missing_ok=True)
                output_dir.rmdir()
        raise


def _remove_folder(folder: Path) -> None:
    """Out of sight in one rename, then deleted: no reader sees a half-deleted article."""
    hidden = folder.with_name(f".{folder.name}.pruned")
    shutil.rmtree(hidden, ignore_errors=True)
    os.replace(folder, hidden)
    shutil.rmtree(hidden, ignore_errors=True)
