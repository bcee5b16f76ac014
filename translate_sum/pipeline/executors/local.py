"""The default executor: windows of articles on this machine, step by step, one model loaded at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from translate_sum.engines.base import Translator
from translate_sum.engines.loader import Engines
from translate_sum.pipeline.executors.base import Executor, Plan, windows
from translate_sum.pipeline.inputs import term_guard
from translate_sum.pipeline.plan import SUMMARIZE, TRANSLATE, ProgressFactory, Step, run_step, shares_model
from translate_sum.pipeline.stages import unserved
from translate_sum.records import ArticleJob
from translate_sum.terms.guard import TermGuard


class LocalExecutor(Executor):
    """For each window, the plan's steps in order: segment all, summarize all with the summarizer
    loaded, then translate every sentence of the window into each language in token-budget batches
    across articles, then assemble.

    With ``release_models`` (the default) each model is dropped when its step is done, so only one
    is in memory at a time; a window of 32 articles makes the reloads a small share of the work. A
    model that the next step translates with too (a multilingual model) is kept for it: loaded once.
    """

    def __init__(self, release_models: bool = True) -> None:
        self.release_models = release_models
        self.models_loaded: list[str] = []

    def run(self, jobs: Sequence[ArticleJob], plan: Plan, progress: ProgressFactory) -> Iterator[list[Any]]:
        engines = Engines(plan.config, plan.device, threads=plan.threads)
        guard = term_guard(plan.glossary)
        try:
            for window in windows(jobs, plan.window):
                items: list[Any] = list(window)
                stages = plan.stages
                for index, step in enumerate(stages):
                    count = sum(isinstance(i, step.takes) for i in items)
                    if not count:
                        continue  # every article of the window failed earlier: load no model
                    if step.stage == SUMMARIZE and step.model is not None:
                        with progress("summarize", count) as advance:
                            items = run_step(step, items, plan, engines.summarizer())
                            advance(count)
                        self._done_with(engines, "summarizer")
                    elif step.stage == TRANSLATE:
                        following = stages[index + 1] if index + 1 < len(stages) else None
                        keep = shares_model(plan.config, step, following)
                        items = self._translate(step, items, plan, engines, guard, progress, keep)
                    else:
                        items = run_step(step, items, plan)
                yield items
        finally:
            self.models_loaded = list(engines.loaded)
            self.load_seconds = engines.load_seconds

    def _translate(
        self,
        step: Step,
        items: list[Any],
        plan: Plan,
        engines: Engines,
        guard: TermGuard,
        progress: ProgressFactory,
        keep: bool = False,
    ) -> list[Any]:
        lang = str(step.model)
        todo = unserved(items, lang, plan.memory)
        # A window the memory covers entirely in this language loads no translator.
        translator: Translator | None = engines.translator(lang) if todo else None
        total = sum(len(translator.pieces(text)) for text in todo) if translator else 0
        with progress(f"translate {lang}", total) as advance:
            items = run_step(step, items, plan, translator, guard, advance)
        if not keep:  # else the next language's translator is built on this one's model
            self._done_with(engines, lang)
        return items

    def _done_with(self, engines: Engines, role: str) -> None:
        if self.release_models:
            engines.release(role)
