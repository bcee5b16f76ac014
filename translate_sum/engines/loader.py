"""The models of one run: each resolved and loaded on first use, once."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import time
from collections.abc import Iterable

from translate_sum.backends import MULTILINGUAL
from translate_sum.config import Config, ModelSpec
from translate_sum.engines.base import Summarizer, Translator
from translate_sum.engines.ct2.convert import ensure_converted
from translate_sum.engines.ct2.tokenizer import load_tokenizer_and_config
from translate_sum.engines.hub import (
    ResolvedModel,
    cpu_threads,
    loading_quietly,
    pick_device,
    resolve_all,
    resolve_model,
)
from translate_sum.engines.multilingual import language_pair
from translate_sum.engines.registry import make_summarizer, make_translator
from translate_sum.errors import ConfigError


class Engines:
    """Models, loaded on first use and once per run."""

    def __init__(
        self, config: Config, device: str, download: bool = True, threads: int | None = None
    ) -> None:
        self.config = config
        self.threads = threads  # CPU threads per model (None: every core)
        self.requested_device = device
        self.download = download
        self._device: str | None = None
        self._summarizer: Summarizer | None = None
        self._translators: dict[str, Translator] = {}
        self.loaded: list[str] = []  # each load, in order (a released model loaded again appears twice)
        self.load_seconds = 0.0  # wall time spent loading them, all loads together

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = pick_device(self.requested_device)
        return self._device

    def resolve(self, spec: ModelSpec) -> ResolvedModel:
        return resolve_model(spec, download=self.download)

    def check_available(self, languages: Iterable[str]) -> None:
        """Fail before any work when a needed model is missing, naming it and the fix.

        A multilingual model's language codes are checked against its tokenizer here too. Then convert
        the ctranslate2-backed models not yet in tsum's cache, each in a process of its own and before
        any model is loaded, so a conversion's memory peak never adds to loaded models'.
        """
        specs = [self.config.summarizer.model] if self.config.summarizer.engine == "abstractive" else []
        specs += [self.config.translators[lang] for lang in languages]
        resolved = resolve_all(specs, download=self.download)
        for spec, model in zip(specs, resolved, strict=True):
            if spec.engine == MULTILINGUAL:
                self._check_language_codes(spec, model)
        for spec, model in zip(specs, resolved, strict=True):
            if spec.backend == "ctranslate2":
                ensure_converted(model, self.device)

    def _check_language_codes(self, spec: ModelSpec, resolved: ResolvedModel) -> None:
        tokenizer, _ = load_tokenizer_and_config(resolved)  # no weights: a moment, even for NLLB-200
        try:
            language_pair(spec, tokenizer)
        except ConfigError as exc:
            where = f"{self.config.source}: " if self.config.source else ""
            raise ConfigError(f"{where}{exc}") from None

    def summarizer(self) -> Summarizer:
        if self._summarizer is None:
            start = time.perf_counter()
            with loading_quietly(), cpu_threads(self.threads):
                self._summarizer = make_summarizer(self.config.summarizer, self.resolve, self.device)
            self.load_seconds += time.perf_counter() - start
            self.loaded.append("summarizer")
        return self._summarizer

    def translator(self, lang: str) -> Translator:
        """The translator into ``lang``; built on the model another loaded language already holds when
        their specs name the same model (``ModelSpec.load_key``): one load serves both."""
        if lang not in self._translators:
            start = time.perf_counter()
            spec = self.config.translators[lang]
            resolved = self.resolve(spec)
            shared = self._loaded_model(spec)
            with loading_quietly(), cpu_threads(self.threads):
                self._translators[lang] = make_translator(
                    spec, resolved, self.device, self.config.batch_tokens, shared=shared
                )
            self.load_seconds += time.perf_counter() - start
            if shared is None:
                self.loaded.append(lang)
        return self._translators[lang]

    def _load_key(self, lang: str) -> tuple:
        spec = self.config.translators.get(lang)
        return spec.load_key() if spec is not None else (lang,)

    def _loaded_model(self, spec: ModelSpec):
        for lang, translator in self._translators.items():
            if self._load_key(lang) == spec.load_key():
                shared = translator.shared_model()
                if shared is not None:
                    return shared
        return None

    def release(self, role: str) -> None:
        """Drop the loaded summarizer (``"summarizer"``) or translator (a language) to free its memory.

        The next use loads it again; a run that works stage by stage releases each model after its stage.
        Releasing a language releases every language whose translator shares its model.
        """
        if role == "summarizer":
            if self._summarizer is None:
                return
            self._summarizer = None
        else:
            key = self._load_key(role)
            group = [lang for lang in self._translators if self._load_key(lang) == key]
            if not group:
                return
            for lang in group:
                del self._translators[lang]
        gc.collect()  # CTranslate2 and torch free their buffers when the last reference goes
        _trim_freed_heap()


def _trim_freed_heap() -> None:
    """Hand freed heap memory back to the system (glibc keeps it otherwise), so the next model's
    stage starts from a smaller footprint. A no-op where the C library has no ``malloc_trim``."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass
