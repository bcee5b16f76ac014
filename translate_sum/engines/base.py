"""The engine contracts: a Summarizer and a Translator, whatever backend runs the model."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from translate_sum.chunking import pack_sentences, split_for_length, token_budget_batches
from translate_sum.config import ModelSpec
from translate_sum.engines.hub import ResolvedModel
from translate_sum.errors import ConfigError
from translate_sum.languages import join_text
from translate_sum.segment import split_sentences

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Scored:
    """A translation with the log-probability the decoder gave it: the sum over its ``tokens`` output
    tokens (EOS included), as the search scored them (after the model's logits processors).

    ``logprob`` is None where the backend gave no score (a fake engine, an empty input).
    """

    text: str
    logprob: float | None = None
    tokens: int = 0

    @property
    def confidence(self) -> float | None:
        """The length-normalised log-probability (mean per token, <= 0): higher is more confident."""
        if self.logprob is None or self.tokens <= 0:
            return None
        return self.logprob / self.tokens

    @staticmethod
    def joined(text: str, parts: Sequence[Scored]) -> Scored:
        """A sentence translated in pieces: its confidence is the token-weighted mean of theirs."""
        if not parts or any(p.logprob is None for p in parts):
            return Scored(text)
        return Scored(text, sum(p.logprob or 0.0 for p in parts), sum(p.tokens for p in parts))


#: ``through(inputs, compute, owners)``: an output for each input, calling ``compute`` only on those it
#: cannot serve otherwise (the pipeline's de-duplication and cache of model outputs; engines need not
#: know which). ``owners[i]``: the article ``inputs[i]`` belongs to.
Through = Callable[[Sequence[str], Callable[[list[str]], Sequence[Scored]], Sequence[int]], list[Scored]]


def model_input_limit(spec: ModelSpec, tokenizer, config) -> int:
    """The most source tokens one call may take: the model's limit, or less if models.toml says so."""
    model_limit = min(tokenizer.model_max_length, config.max_position_embeddings)
    return min(spec.max_input_tokens or model_limit, model_limit)


class Summarizer(ABC):
    """Turns an article's body sentences into summary sentences."""

    @abstractmethod
    def summarize(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Summary sentences for the article whose body sentences are given, in order."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Model, settings and engine, for the manifest."""

    def summarize_many(
        self,
        articles: Sequence[Sequence[str]],
        progress: Progress | None = None,
        through: Through | None = None,
    ) -> list[list[str]]:
        """Summaries of several articles (each given as its body sentences); batched where the engine can.

        An engine that runs a model sends each model input (a chunk) ``through`` when given.
        """
        return [self.summarize(sentences, progress=progress) for sentences in articles]


class AbstractiveSummarizer(Summarizer):
    """A seq2seq summarization model (distilbart-cnn by default); backends supply ``_generate``.

    An article longer than the model's input is cut at sentence boundaries into chunks that fit,
    each chunk is summarized, and the chunk summaries are summarized again until one pass covers
    them all: every sentence reaches the model, none is silently cut off.
    """

    #: The most padded input tokens one generation batch of ``summarize_many`` may hold.
    batch_tokens = 2048

    def __init__(self, spec: ModelSpec, resolved: ResolvedModel, device: str, tokenizer, config) -> None:
        self.spec = spec
        self.resolved = resolved
        self.device = device
        self.tokenizer = tokenizer
        self.config = config

    @property
    def max_input_tokens(self) -> int:
        return model_input_limit(self.spec, self.tokenizer, self.config)

    @abstractmethod
    def generation_settings(self) -> dict[str, Any]:
        """The generation settings in force, for the manifest."""

    @abstractmethod
    def _generate(self, text: str) -> str:
        """The summary of one chunk that fits the model's input."""

    def _generate_batch(self, texts: list[str]) -> list[str]:
        """Summaries of several chunks; backends that can batch generation override this."""
        return [self._generate(text) for text in texts]

    def describe(self) -> dict[str, Any]:
        info = {"engine": "abstractive", **self.resolved.describe()}
        info["generation"] = self.generation_settings()
        return info

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts as the model sees them (special tokens included)."""
        return [len(ids) for ids in self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]]

    def summarize(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        texts = list(sentences)
        previous = math.inf
        while True:
            chunks = self.chunk(texts)
            summaries = [self._generate(chunk) for chunk in chunks]
            if progress:
                progress(len(chunks))
            texts = [s for summary in summaries for s in split_sentences(summary)]
            if len(chunks) == 1 or len(chunks) >= previous:
                # One pass covered everything; or the summaries stopped shrinking (a model whose
                # summaries are as long as its input), where the chunk summaries are the result.
                return texts
            previous = len(chunks)

    def summarize_many(
        self,
        articles: Sequence[Sequence[str]],
        progress: Progress | None = None,
        through: Through | None = None,
    ) -> list[list[str]]:
        """``summarize`` for each article, with the chunks of all articles generated in shared batches.

        Each article goes through the same rounds as ``summarize`` alone; only the batching differs.
        Each round's chunks go ``through`` (when given), which may serve some without the model.
        Batches hold at most ``batch_tokens`` padded input tokens (about two full chunks: memory stays low), longest first.
        """
        texts = [list(sentences) for sentences in articles]
        previous = [math.inf] * len(texts)
        results: list[list[str] | None] = [None] * len(texts)
        while any(r is None for r in results):
            open_ = [i for i, r in enumerate(results) if r is None]
            chunks = {i: self.chunk(texts[i]) for i in open_}
            flat = [(i, chunk) for i in open_ for chunk in chunks[i]]
            inputs = [chunk for _, chunk in flat]
            if through is None:
                summaries = self._generate_budgeted(inputs, progress)
            else:

                def generate(todo: list[str]) -> list[Scored]:
                    return [Scored(text) for text in self._generate_budgeted(todo, progress)]

                served = through(inputs, generate, [i for i, _ in flat])
                summaries = [s.text for s in served]
            done: dict[int, list[str]] = {i: [] for i in open_}
            for (i, _), summary in zip(flat, summaries, strict=True):
                done[i] += split_sentences(summary)
            for i in open_:
                texts[i] = done[i]
                if len(chunks[i]) == 1 or len(chunks[i]) >= previous[i]:
                    results[i] = texts[i]
                previous[i] = len(chunks[i])
        return [r or [] for r in results]

    def _generate_budgeted(self, chunks: list[str], progress: Progress | None) -> list[str]:
        out: list[str] = [""] * len(chunks)
        for batch in token_budget_batches(self.count_tokens(chunks) if chunks else [], self.batch_tokens):
            for i, summary in zip(batch, self._generate_batch([chunks[i] for i in batch]), strict=True):
                out[i] = summary
            if progress:
                progress(len(batch))
        return out

    def chunk(self, sentences: Sequence[str]) -> list[str]:
        """Consecutive sentences packed into texts that each fit the model's input."""
        return pack_sentences(list(sentences), self.count_tokens, self.max_input_tokens) or [""]


class Translator(ABC):
    """One target language. Public methods take whole sentences; backends see model-sized pieces.

    Backends set ``tokenizer`` and ``config`` (the model's Hugging Face tokenizer and config) and
    ``prefix`` (the target-language token, if any), and implement ``_translate_batch``. A backend
    whose loaded model can serve other languages returns it from ``shared_model``; the loader then
    builds the next language's translator on it (``shared=``) instead of loading the model again.
    """

    tokenizer: Any
    config: Any
    prefix: str = ""

    def __init__(self, spec: ModelSpec, resolved: ResolvedModel | None, batch_tokens: int) -> None:
        self.spec = spec
        self.resolved = resolved
        self.batch_tokens = batch_tokens
        self._pieces: dict[str, tuple[str, ...]] = {}

    @property
    def lang(self) -> str:
        return self.spec.role

    @property
    def max_input_tokens(self) -> int:
        """The most source tokens (target token and EOS included) one call may take."""
        return model_input_limit(self.spec, self.tokenizer, self.config)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source token counts as the model sees them (target token and EOS included)."""
        encoded = self.tokenizer([self.prefix + t for t in texts], add_special_tokens=True)
        return [len(ids) for ids in encoded["input_ids"]]

    @abstractmethod
    def _translate_batch(self, texts: list[str]) -> list[str]:
        """Translate one batch of pieces that each fit the model."""

    def _translate_scored(self, texts: list[str]) -> list[Scored]:
        """``_translate_batch`` with the decoder's scores, from the same decoding pass.

        Backends that can score override this (and derive ``_translate_batch`` from it); others give
        no confidence.
        """
        return [Scored(text) for text in self._translate_batch(texts)]

    def generation_settings(self) -> dict[str, Any]:
        """The generation settings in force, for the manifest."""
        return {}

    def shared_model(self) -> Any:
        """The loaded model, for another language's translator of the same model; None: not shareable."""
        return None

    def describe(self) -> dict[str, Any]:
        info = self.resolved.describe() if self.resolved else {"id": self.spec.name}
        info["generation"] = self.generation_settings()
        info["max_input_tokens"] = self.max_input_tokens
        return info

    def pieces(self, text: str) -> list[str]:
        """``text`` cut at safe points into pieces the model can take whole (one piece if it fits)."""
        # Remembered: the pipeline asks for a sentence's pieces (for the split flag) and then translates it.
        if text not in self._pieces:
            if len(self._pieces) > 100_000:
                self._pieces.clear()
            self._pieces[text] = tuple(split_for_length(text, self.count_tokens, self.max_input_tokens))
        return list(self._pieces[text])

    def translate(self, texts: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Translate sentences; long ones are split and rejoined, never truncated."""
        return [scored.text for scored in self.translate_scored(texts, progress)]

    def translate_scored(self, texts: Sequence[str], progress: Progress | None = None) -> list[Scored]:
        """``translate`` with each sentence's decoder score (a split sentence: over all its pieces)."""
        pieces_per_text = [self.pieces(t) if t.strip() else [] for t in texts]
        flat = [p for pieces in pieces_per_text for p in pieces]
        translated = self._translate_sorted(flat, progress)
        out, i = [], 0
        for pieces in pieces_per_text:
            parts = translated[i : i + len(pieces)]
            out.append(Scored.joined(join_text(self.lang, (p.text.strip() for p in parts)), parts))
            i += len(pieces)
        return out

    def _translate_sorted(self, texts: list[str], progress: Progress | None) -> list[Scored]:
        if not texts:
            return []
        lengths = self.count_tokens(texts)
        results: list[Scored] = [Scored("")] * len(texts)
        for batch in token_budget_batches(lengths, self.batch_tokens):
            outputs = self._translate_scored([texts[i] for i in batch])
            for i, text in zip(batch, outputs, strict=True):
                results[i] = text
            if progress:
                progress(len(batch))
        return results


def check_target_token(spec: ModelSpec, supported: Sequence[str]) -> str:
    """The source prefix a multi-target model needs (``">>cmn_Hans<< "``), checked against the tokenizer."""
    supported = list(supported)
    if spec.target_token:
        if spec.target_token not in supported:
            shown = ", ".join(supported[:12]) + (" …" if len(supported) > 12 else "") if supported else "none"
            raise ConfigError(
                f"[translators.{spec.role}] target_token {spec.target_token!r} is not a language code of "
                f"model {spec.name!r} (it knows: {shown})"
            )
        return spec.target_token + " "
    if supported:
        raise ConfigError(
            f"[translators.{spec.role}] model {spec.name!r} translates into several languages and needs "
            f"target_token = one of {', '.join(supported[:12])} in models.toml"
        )
    return ""
