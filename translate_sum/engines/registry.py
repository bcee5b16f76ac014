"""Making engines by their registered name, importing each only when a run uses it (heavy imports are slow)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from translate_sum.backends import (
    MULTILINGUAL,
    MULTILINGUAL_BACKENDS,
    SUMMARIZER_BACKENDS,
    TRANSLATOR_BACKENDS,
    Target,
)
from translate_sum.config import ModelSpec, SummarizerSpec
from translate_sum.engines.base import Summarizer, Translator
from translate_sum.engines.extractive import ExtractiveSummarizer
from translate_sum.engines.hub import ResolvedModel
from translate_sum.errors import ConfigError


def engine_class(registry: dict[str, Target], name: str) -> type:
    """The class registered as ``name``, imported now. Raises ConfigError for a name not registered."""
    try:
        target = registry[name]
    except KeyError:
        raise ConfigError(
            f"backend {name!r} has no engine of this kind; registered: {', '.join(registry)}"
        ) from None
    if isinstance(target, type):
        return target
    module, _, attribute = target.partition(":")
    cls: type = getattr(importlib.import_module(module), attribute)
    return cls


def make_summarizer(
    spec: SummarizerSpec, resolve: Callable[[ModelSpec], ResolvedModel], device: str
) -> Summarizer:
    """The summarizer ``spec`` asks for; its model is resolved and loaded only here."""
    if spec.engine == "extractive":
        return ExtractiveSummarizer(spec.sentences)
    return engine_class(SUMMARIZER_BACKENDS, spec.model.backend)(spec.model, resolve(spec.model), device)


def make_translator(
    spec: ModelSpec, resolved: ResolvedModel, device: str, batch_tokens: int, shared: Any = None
) -> Translator:
    """The translator of the engine and backend ``spec`` names; built on ``shared`` (another language's
    ``Translator.shared_model()`` of the same model) instead of loading the model, when given."""
    registry = MULTILINGUAL_BACKENDS if spec.engine == MULTILINGUAL else TRANSLATOR_BACKENDS
    cls = engine_class(registry, spec.backend)
    if shared is not None:
        return cls(spec, resolved, device, batch_tokens, shared=shared)
    return cls(spec, resolved, device, batch_tokens)
