"""The plan of a run as data: which stages, in what order, with what settings. Executors interpret it.

``tsum all`` (local or Ray) and the one-file commands (``tsum translate FILE``, ``tsum summarize FILE``)
all run a ``Plan``; the order of the stages is written once, in ``stage_order``, and each stage is
called through ``run_step``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, cast

from translate_sum.cache import CacheUse
from translate_sum.config import Config
from translate_sum.engines.base import AbstractiveSummarizer, Progress, Summarizer, Translator
from translate_sum.memory import MemorySnapshot
from translate_sum.pipeline.manifest import ManifestContext
from translate_sum.pipeline.reuse import OutputReuse
from translate_sum.pipeline.stages import (
    assemble_stage,
    segment_stage,
    summarize_stage,
    translate_stage,
)
from translate_sum.records import ArticleJob, Segmented, Summarized
from translate_sum.terms.glossary import Glossary
from translate_sum.terms.guard import TermGuard

SEGMENT, SUMMARIZE, TRANSLATE, ASSEMBLE = "segment", "summarize", "translate", "assemble"

#: ``progress(description, total)`` returns a context manager yielding an ``update(n)`` callable.
ProgressFactory = Callable[[str, int], AbstractContextManager[Progress]]

#: Articles per window when the caller does not say: the unit of batching and of writing.
DEFAULT_WINDOW = 32


@contextmanager
def no_progress(description: str, total: int) -> Iterator[Progress]:
    """A progress factory that shows nothing."""

    def update(n: int = 1) -> None:
        pass

    yield update


@dataclass(frozen=True)
class Step:
    """One stage of a plan and the model it runs: ``"summarizer"``, a target language, or None."""

    stage: str  # SEGMENT | SUMMARIZE | TRANSLATE | ASSEMBLE
    model: str | None = None

    @property
    def takes(self) -> type:
        """The records this step works on; any others pass through it untouched."""
        return {SEGMENT: ArticleJob, SUMMARIZE: Segmented}.get(self.stage, Summarized)


def stage_order(
    languages: Sequence[str],
    *,
    summarize: bool = True,
    assemble: bool = True,
    config: Config | None = None,
) -> tuple[Step, ...]:
    """segment → summarize → translate into each of ``languages`` → assemble.

    Without ``summarize`` the articles get no summary (the step still runs, with no model); without
    ``assemble`` the plan ends with the translate stage's records. With ``config``, languages whose
    translators share one model (a multilingual model) are translated one after another, at the first
    one's place, so that model is loaded once for all of them (``shares_model``).
    """
    steps = [Step(SEGMENT), Step(SUMMARIZE, "summarizer" if summarize else None)]
    order = list(languages)
    if config is not None:
        keys = [config.translators[lang].load_key() for lang in order]
        order = sorted(order, key=lambda lang: keys.index(config.translators[lang].load_key()))
    steps += [Step(TRANSLATE, lang) for lang in order]
    if assemble:
        steps.append(Step(ASSEMBLE))
    return tuple(steps)


def shares_model(config: Config, step: Step, other: Step | None) -> bool:
    """Whether two translate steps run the same loaded model (an executor keeps it between them)."""
    if other is None or step.stage != TRANSLATE or other.stage != TRANSLATE:
        return False
    if step.model is None or other.model is None:
        return False
    return config.translators[step.model].load_key() == config.translators[other.model].load_key()


@dataclass(frozen=True)
class Plan:
    """Everything a run needs besides the articles; plain data, so it travels to remote workers."""

    config: Config
    languages: tuple[str, ...]
    device: str  # as requested: auto, cpu or cuda (each worker picks for itself)
    glossary: Glossary | None
    context: ManifestContext
    steps: tuple[Step, ...] = ()  # () : stage_order(languages)
    window: int = DEFAULT_WINDOW  # articles per window: the unit of batching and of writing
    memory: MemorySnapshot | None = None  # the translation memory, read once: served before any model
    threads: int | None = None  # CPU threads per model (None: the engine's default, every core)
    cache: CacheUse | None = None  # the cache of model outputs (None: --no-cache); each worker opens it

    @property
    def stages(self) -> tuple[Step, ...]:
        return self.steps or stage_order(self.languages, config=self.config)


def run_step(
    step: Step,
    items: list[Any],
    plan: Plan,
    model: Summarizer | Translator | None = None,
    guard: TermGuard | None = None,
    progress: Progress | None = None,
) -> list[Any]:
    """``step`` over ``items`` (a window's records), with ``model`` loaded for it when it needs one.

    A translate step's ``model`` may be None when the memory serves every segment (``stages.unserved``).
    A step with a model opens the plan's cache of model outputs for its window, and closes it after.
    """
    if step.stage == SEGMENT:
        return list(segment_stage(items))
    if step.stage == SUMMARIZE:
        summarizer = cast(Summarizer | None, model)
        if not isinstance(summarizer, AbstractiveSummarizer):  # extractive: no model to spare
            return summarize_stage(items, summarizer, progress)
        with OutputReuse(summarizer, "summarize", plan.cache) as reuse:
            return summarize_stage(items, summarizer, progress, reuse)
    if step.stage == TRANSLATE:
        if step.model is None:
            raise ValueError("a translate step names its language")
        translator = cast(Translator | None, model)
        with OutputReuse(translator, "translate", plan.cache if translator is not None else None) as reuse:
            return translate_stage(
                items,
                step.model,
                translator,
                guard or TermGuard(plan.glossary),
                progress,
                plan.memory,
                plan.config.qa,
                reuse if translator is not None else None,
            )
    if step.stage == ASSEMBLE:
        return assemble_stage(items, plan.context, plan.memory)
    raise ValueError(f"unknown stage {step.stage!r}")
