"""Exceptions that library code raises; only the CLI turns them into exit codes."""

from __future__ import annotations


class TsumError(Exception):
    """Base class: a problem the user can act on, described in the message."""


class ConfigError(TsumError):
    """A bad ``models.toml``, option or glossary: the run cannot start (exit 2)."""


class OptionError(ConfigError):
    """A run option with a value that cannot be used; ``option`` names it (``"window"``, ``"languages"``),
    so a front end can say which of its own flags or fields it was."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


class GlossaryError(ConfigError):
    """A glossary file that cannot be used; the message names the file and line."""


class ModelUnavailableError(ConfigError):
    """A model is neither cached, nor at a local path, nor downloadable right now."""

    why: str = ""  # the cause alone, without the fix (which depends on the command)


class ArticleError(TsumError):
    """One article cannot be processed; the others go on."""


class OutputError(TsumError):
    """The output folder cannot be written (permissions, disk full, locked)."""


class FetchError(TsumError):
    """One URL cannot be downloaded (network, HTTP status, size, type, robots.txt); the others go on."""


class TranslationMemoryError(TsumError):
    """The translation memory file cannot be used, or an entry given to it is not valid."""


class MemoryConflict(TranslationMemoryError):
    """An entry changed since the caller read it (another tab or tool saved it first)."""

    def __init__(self, message: str, current: object = None):
        super().__init__(message)
        self.current = current  # the entry as it now stands, or None
