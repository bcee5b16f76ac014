"""The executor contract: run a plan's stages over articles, handing back each window as it completes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

from translate_sum.pipeline.plan import DEFAULT_WINDOW, Plan, ProgressFactory
from translate_sum.records import ArticleJob

__all__ = ["DEFAULT_WINDOW", "Executor", "Plan", "ProgressFactory", "windows"]


def windows(jobs: Sequence[ArticleJob], size: int) -> list[list[ArticleJob]]:
    """``jobs`` in consecutive windows of ``size`` (the last may be shorter)."""
    return [list(jobs[i : i + size]) for i in range(0, len(jobs), max(1, size))]


class Executor(ABC):
    """Interprets a ``Plan``: its steps, in order, over a list of articles, a window at a time."""

    #: Each model load, in order, for the run report.
    models_loaded: list[str]
    #: Seconds spent loading models in this process; None where they load elsewhere (Ray actors).
    load_seconds: float | None = None

    @abstractmethod
    def run(self, jobs: Sequence[ArticleJob], plan: Plan, progress: ProgressFactory) -> Iterator[list[Any]]:
        """The records the plan's last step makes (``ArticleResult`` or ``Failed`` for a full plan),
        one window at a time, in input order, as each window completes.

        Raises ConfigError when the run cannot go on (a model that will not load).
        """
