"""Making engines by their registered name, importing each only when a run uses it (heavy imports are slow)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from translate_sum.config import ModelSpec, SummarizerSpec
    from translate_sum.engines.base import Summarizer, Translator
    from translate_sum.engines.hub import ResolvedModel

from translate_sum.engines.catalog import SUMMARIZER_BACKENDS, TRANSLATOR_BACKENDS


def engine_class(registry: dict[str, str], name: str) -> type:
    """The class registered as ``name``, imported now."""
    module, _, attribute = registry[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def make_summarizer(
    spec: SummarizerSpec, resolve: Callable[[ModelSpec], ResolvedModel], device: str
) -> Summarizer:
    """The summariser ``spec`` asks for; its model is resolved and loaded only here."""
    if spec.engine == "extractive":
        from translate_sum.engines.extractive import ExtractiveSummarizer

        return ExtractiveSummarizer(spec.sentences)
    return engine_class(SUMMARIZER_BACKENDS, spec.model.backend)(spec.model, resolve(spec.model), device)


def make_translator(spec: ModelSpec, resolved: ResolvedModel, device: str, batch_tokens: int) -> Translator:
    """The translator of the backend ``spec`` names."""
    return engine_class(TRANSLATOR_BACKENDS, spec.backend)(spec, resolved, device, batch_tokens)
