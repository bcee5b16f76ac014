"""The default executor: windows of articles on this machine, stage by stage, one model loaded at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from translate_sum.engines.loader import Engines
from translate_sum.pipeline.executors.base import Executor, Plan, ProgressFactory, windows
from translate_sum.pipeline.inputs import term_guard
from translate_sum.pipeline.stages import (
    assemble_stage,
    segment_stage,
    summarise_stage,
    translate_stage,
    unserved,
)
from translate_sum.records import ArticleJob, ArticleResult, Failed, Segmented, Summarised


class LocalExecutor(Executor):
    """For each window: segment all, summarise all with the summariser loaded, then translate every
    sentence of the window into each language in token-budget batches across articles.

    With ``release_models`` (the default) each model is dropped when its stage is done, so only one
    is in memory at a time; a window of 32 articles makes the reloads a small share of the work.
    """

    def __init__(self, release_models: bool = True) -> None:
        self.release_models = release_models
        self.models_loaded: list[str] = []

    def run(
        self, jobs: Sequence[ArticleJob], plan: Plan, progress: ProgressFactory
    ) -> Iterator[list[ArticleResult | Failed]]:
        engines = Engines(plan.config, plan.device)
        guard = term_guard(plan.glossary)
        try:
            for window in windows(jobs, plan.window):
                items: list = segment_stage(window)
                if any(isinstance(i, Segmented) for i in items):
                    count = sum(isinstance(i, Segmented) for i in items)
                    with progress("summarise", count) as advance:
                        items = summarise_stage(items, engines.summarizer())
                        advance(count)
                    self._done_with(engines, "summarizer")
                for lang in plan.languages:
                    if not any(isinstance(i, Summarised) for i in items):
                        break
                    todo = unserved(items, lang, plan.memory)
                    # A window the memory covers entirely in this language loads no translator.
                    translator = engines.translator(lang) if todo else None
                    total = sum(len(translator.pieces(text)) for text in todo) if translator else 0
                    with progress(f"translate {lang}", total) as advance:
                        items = translate_stage(items, lang, translator, guard, advance, plan.memory)
                    if translator is not None:
                        self._done_with(engines, lang)
                yield assemble_stage(items, plan.context, plan.memory)
        finally:
            self.models_loaded = list(engines.loaded)

    def _done_with(self, engines: Engines, role: str) -> None:
        if self.release_models:
            engines.release(role)
