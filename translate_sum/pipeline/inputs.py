"""What a run reads besides models: the articles (through ``ingest``) and the glossary (``terms``).

The pipeline's only calls into article loading and the glossary live here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from translate_sum.errors import ArticleError, ConfigError, GlossaryError
from translate_sum.ingest import display_path, list_articles, load_article
from translate_sum.records import Article, Manifest
from translate_sum.terms.glossary import Glossary
from translate_sum.terms.guard import TermGuard

logger = logging.getLogger("translate_sum")


@dataclass(frozen=True)
class LoadedInput:
    """One input file: its article, or why it could not be loaded."""

    path: Path
    article: Article | None
    error: str | None = None

    @property
    def shown(self) -> str:
        """The path as messages show it."""
        return display_path(self.path)


def load_inputs(folder: Path) -> tuple[list[LoadedInput], list[str]]:
    """Every article file in ``folder``, loaded or failed, and notices about files skipped."""
    paths, notices = list_articles(folder)
    loaded = []
    for path in paths:
        try:
            loaded.append(LoadedInput(path, load_article(path)))
        except ArticleError as exc:
            loaded.append(LoadedInput(path, None, str(exc)))
        except Exception as exc:  # noqa: BLE001 - one unreadable article must not cost the others
            logger.exception("unexpected failure loading %s", display_path(path))
            loaded.append(
                LoadedInput(path, None, f"{display_path(path)}: unexpected {type(exc).__name__}: {exc}")
            )
    return loaded, notices


@overload
def load_glossary(path: Path) -> Glossary: ...
@overload
def load_glossary(path: None) -> None: ...
@overload
def load_glossary(path: Path | None) -> Glossary | None: ...


def load_glossary(path: Path | None) -> Glossary | None:
    """The glossary at ``path`` (None: no glossary). Raises GlossaryError or ConfigError."""
    if path is None:
        return None
    if not path.is_file():
        raise ConfigError(f"{path}: glossary file not found")
    return Glossary.load(path)


def check_glossary_languages(
    glossary: Glossary | None,
    languages: Sequence[str],
    optional: bool = False,
    notify: Callable[[str], None] = lambda message: None,
) -> None:
    """Refuse a run into a language the glossary has no column for (GlossaryError naming the file and
    the column); with ``optional``, say so through ``notify`` instead: those languages go without fixed
    terms."""
    missing = [lang for lang in languages if glossary is not None and not glossary.covers(lang)]
    if glossary is None or not missing:
        return
    columns = ", ".join(repr(lang) for lang in missing)
    have = ", ".join(glossary.languages)
    if not optional:
        raise GlossaryError(
            f"{glossary.path}: no {columns} column for the run's language(s) (the glossary has {have}): "
            f"add the column with each term's fixed form, or pass --glossary-optional to translate "
            f"without fixed terms there"
        )
    notify(
        f"warning: {glossary.path} has no {columns} column (it has {have}): glossary terms are not "
        f"kept fixed in {', '.join(missing)} (--glossary-optional)"
    )


def manifest_glossary(manifest: Manifest) -> Glossary | None:
    """The glossary an article was made with (as its manifest records it), loaded; None when it had none.

    Raises GlossaryError when the file is there but cannot be read, ConfigError when it is gone.
    """
    if not manifest.glossary_path:
        return None
    path = Path(manifest.glossary_path)
    if not path.is_file():
        raise ConfigError(f"{path}: the glossary this article was made with is gone; checks need it")
    return Glossary.load(path)


def term_guard(glossary: Glossary | None) -> TermGuard:
    """The glossary enforcer the translate stage uses (``terms.TermGuard``) for ``glossary`` (or None)."""
    return TermGuard(glossary)
