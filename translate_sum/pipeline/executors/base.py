"""The executor contract: run the stages over articles, handing back each window as it completes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from translate_sum.config import Config
from translate_sum.engines.base import Progress
from translate_sum.memory import MemorySnapshot
from translate_sum.pipeline.manifest import ManifestContext
from translate_sum.records import ArticleJob, ArticleResult, Failed
from translate_sum.terms.glossary import Glossary

#: ``progress(description, total)`` returns a context manager yielding an ``update(n)`` callable.
ProgressFactory = Callable[[str, int], AbstractContextManager[Progress]]

#: Articles per window when the caller does not say: the unit of batching and of writing.
DEFAULT_WINDOW = 32


@dataclass(frozen=True)
class Plan:
    """Everything the stages need besides the articles; plain data, so it travels to remote workers."""

    config: Config
    languages: tuple[str, ...]
    device: str  # as requested: auto, cpu or cuda (each worker picks for itself)
    glossary: Glossary | None
    context: ManifestContext
    window: int = DEFAULT_WINDOW  # articles per window: the unit of batching and of writing
    memory: MemorySnapshot | None = None  # the translation memory, read once: served before any model


def windows(jobs: Sequence[ArticleJob], size: int) -> list[list[ArticleJob]]:
    """``jobs`` in consecutive windows of ``size`` (the last may be shorter)."""
    return [list(jobs[i : i + size]) for i in range(0, len(jobs), max(1, size))]


class Executor(ABC):
    """Schedules the stages of ``translate_sum.pipeline.stages`` over a list of articles."""

    #: Each model load, in order, for the run report.
    models_loaded: list[str]

    @abstractmethod
    def run(
        self, jobs: Sequence[ArticleJob], plan: Plan, progress: ProgressFactory
    ) -> Iterator[list[ArticleResult | Failed]]:
        """Every article's result or failure, one window at a time, as each window completes.

        Raises ConfigError when the run cannot go on (a model that will not load).
        """
