"""English summaries: an abstractive model with chunking for long articles, or extractive selection."""

from __future__ import annotations

import logging
import math
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from translate_sum.config import ModelSpec, SummarizerSpec
from translate_sum.hub import ResolvedModel
from translate_sum.segment import split_sentences, words

logger = logging.getLogger("translate_sum")

Progress = Callable[[int], None]


class Summarizer(ABC):
    """Turns an article's body sentences into summary sentences."""

    @abstractmethod
    def summarize(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        """Summary sentences for the article whose body sentences are given, in order."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Model, settings and engine, for the manifest."""


class ExtractiveSummarizer(Summarizer):
    """Centroid selection: the sentences closest to the article's TF-IDF centroid. Needs no weights."""

    def __init__(self, sentences: int = 3) -> None:
        self.count = sentences

    def describe(self) -> dict[str, Any]:
        return {"engine": "extractive", "method": "tf-idf centroid", "sentences": self.count}

    def summarize(self, sentences: Sequence[str], progress: Progress | None = None) -> list[str]:
        vectors = tfidf_vectors([words(s) for s in sentences])
        centroid: Counter[str] = Counter()
        for vector in vectors:
            centroid.update(vector)
        scores = [cosine(v, centroid) for v in vectors]
        # A small lead bonus: press releases put the news first.
        ranked = sorted(range(len(sentences)), key=lambda i: -(scores[i] + 0.05 / (1 + i)))
        chosen = sorted(ranked[: self.count])
        if progress:
            progress(1)
        return [sentences[i] for i in chosen]


class AbstractiveSummarizer(Summarizer):
    """A seq2seq summarisation model (distilbart-cnn by default); backends supply ``_generate``.

    An article longer than the model's input is cut at sentence boundaries into chunks that fit,
    each chunk is summarised, and the chunk summaries are summarised again until one pass covers
    them all: every sentence reaches the model, none is silently cut off.
    """

    def __init__(self, spec: ModelSpec, resolved: ResolvedModel, device: str, tokenizer, config) -> None:
        self.spec = spec
        self.resolved = resolved
        self.device = device
        self.tokenizer = tokenizer
        self.config = config

    @property
    def max_input_tokens(self) -> int:
        model_limit = min(self.tokenizer.model_max_length, self.config.max_position_embeddings)
        return min(self.spec.max_input_tokens or model_limit, model_limit)

    @abstractmethod
    def generation_settings(self) -> dict[str, Any]:
        """The generation settings in force, for the manifest."""

    @abstractmethod
    def _generate(self, text: str) -> str:
        """The summary of one chunk that fits the model's input."""

    def describe(self) -> dict[str, Any]:
        info = {"engine": "abstractive", **self.resolved.describe()}
        info["generation"] = self.generation_settings()
        return info

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

    def chunk(self, sentences: Sequence[str]) -> list[str]:
        """Consecutive sentences packed into texts that each fit the model's input."""
        limit = self.max_input_tokens
        counts = [
            len(ids) - 1 for ids in self.tokenizer(list(sentences), add_special_tokens=True)["input_ids"]
        ]
        chunks: list[str] = []
        current: list[str] = []
        used = 1
        for sentence, n in zip(sentences, counts, strict=True):
            if n + 1 > limit:  # one sentence longer than the whole input: cut it at words
                chunks.extend(self._flush(current))
                current, used = [], 1
                chunks.extend(self._split_long(sentence, limit))
                continue
            if current and used + n > limit:
                chunks.extend(self._flush(current))
                current, used = [], 1
            current.append(sentence)
            used += n
        chunks.extend(self._flush(current))
        return chunks or [""]

    @staticmethod
    def _flush(current: list[str]) -> list[str]:
        return [" ".join(current)] if current else []

    def _split_long(self, sentence: str, limit: int) -> list[str]:
        from translate_sum.translate import split_for_length

        def count(texts: Sequence[str]) -> list[int]:
            return [len(ids) for ids in self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]]

        return split_for_length(sentence, count, limit)


class TransformersSummarizer(AbstractiveSummarizer):
    """The summariser through transformers' ``generate``; int8 dynamic quantisation on CPU."""

    def __init__(self, spec: ModelSpec, resolved: ResolvedModel, device: str) -> None:
        from translate_sum.hub import load_seq2seq

        tokenizer, self.model = load_seq2seq(resolved, device)
        super().__init__(spec, resolved, device, tokenizer, self.model.config)
        self.quantized = bool(spec.quantize and device == "cpu")
        if self.quantized:
            self.model = quantize_linear_int8(self.model)

    def generation_settings(self) -> dict[str, Any]:
        config = self.model.generation_config.to_diff_dict()
        config.update(self.spec.generation)
        return {k: v for k, v in config.items() if not k.startswith("_") and k != "transformers_version"}

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "quantized": self.quantized}

    def _generate(self, text: str) -> str:
        import torch

        batch = self.tokenizer([text], return_tensors="pt", truncation=False)
        batch = {k: v.to(self.device) for k, v in batch.items()}
        with torch.inference_mode():
            output = self.model.generate(**batch, **self.spec.generation)
        return self.tokenizer.decode(output[0], skip_special_tokens=True).strip()


def quantize_linear_int8(model):
    """int8 dynamic quantisation of the Linear layers: the CPU path for summarisation.

    Weights are int8, activations quantised on the fly; measured in benchmarks/.
    """
    import warnings

    import torch

    with warnings.catch_warnings():
        # torch marks its eager quantisation API deprecated in favour of torchao; it still works.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        # inplace: the default deep-copies the fp32 model first (3.1 GB peak for distilbart, not 1.9 GB).
        return torch.ao.quantization.quantize_dynamic(
            model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )


def make_summarizer(
    spec: SummarizerSpec, resolve: Callable[[ModelSpec], ResolvedModel], device: str
) -> Summarizer:
    """The summariser ``spec`` asks for; models are resolved and loaded only here."""
    if spec.engine == "extractive":
        return ExtractiveSummarizer(spec.sentences)
    if spec.model.backend == "ctranslate2":
        from translate_sum.summarize_ct2 import Ct2Summarizer

        return Ct2Summarizer(spec.model, resolve(spec.model), device)
    return TransformersSummarizer(spec.model, resolve(spec.model), device)


def tfidf_vectors(documents: Sequence[Sequence[str]]) -> list[Counter[str]]:
    """TF-IDF weights per document (smoothed IDF), as sparse Counters."""
    df: Counter[str] = Counter()
    for doc in documents:
        df.update(set(doc))
    n = len(documents)
    vectors = []
    for doc in documents:
        tf = Counter(doc)
        vectors.append(Counter({w: c * (math.log((1 + n) / (1 + df[w])) + 1) for w, c in tf.items()}))
    return vectors


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0
