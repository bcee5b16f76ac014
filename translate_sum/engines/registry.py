"""Engines registered by name, imported only when a run uses them (heavy imports are slow)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: this module must stay importable from config.py
    from translate_sum.config import ModelSpec, SummarizerSpec
    from translate_sum.engines.base import Summarizer, Translator
    from translate_sum.engines.hub import ResolvedModel

#: Abstractive summarisers and translators by backend name (``backend =`` in models.toml).
SUMMARIZER_BACKENDS = {
    "ctranslate2": "translate_sum.engines.ct2:Ct2Summarizer",
    "transformers": "translate_sum.engines.hf:TransformersSummarizer",
}
TRANSLATOR_BACKENDS = {
    "ctranslate2": "translate_sum.engines.ct2:Ct2Translator",
    "transformers": "translate_sum.engines.hf:MarianTranslator",
}
BACKENDS = tuple(TRANSLATOR_BACKENDS)
#: Summariser engines (``[summarizer] engine``): a model through a backend, or none.
SUMMARIZER_ENGINES = ("abstractive", "extractive")


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
