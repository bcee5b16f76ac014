"""Sentence translation: the backend contract, length-safe splitting, batching, and MarianMT."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from translate_sum.config import ModelSpec
from translate_sum.errors import ConfigError
from translate_sum.hub import ResolvedModel

logger = logging.getLogger("translate_sum")

# Where a long sentence may be cut, safest first: after clause punctuation, before a
# conjunction or relative pronoun, then at any space. A cut never falls inside a word.
_SPLIT_POINTS = (
    re.compile(r"(?<=[;:])\s+"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+(?=(?:and|but|or|which|who|while|whereas|because|including|as well as)\b)"),
    re.compile(r"\s+"),
)

Progress = Callable[[int], None]


class Translator(ABC):
    """One target language. Public methods take whole sentences; backends see model-sized pieces."""

    def __init__(self, spec: ModelSpec, resolved: ResolvedModel | None, batch_tokens: int) -> None:
        self.spec = spec
        self.resolved = resolved
        self.batch_tokens = batch_tokens
        self._pieces: dict[str, tuple[str, ...]] = {}

    @property
    def lang(self) -> str:
        return self.spec.role

    @property
    @abstractmethod
    def max_input_tokens(self) -> int:
        """The most source tokens (target token and EOS included) one call may take."""

    @abstractmethod
    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source token counts as the model sees them (target token and EOS included)."""

    @abstractmethod
    def _translate_batch(self, texts: list[str]) -> list[str]:
        """Translate one batch of pieces that each fit the model."""

    def generation_settings(self) -> dict[str, Any]:
        """The generation settings in force, for the manifest."""
        return {}

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
        pieces_per_text = [self.pieces(t) if t.strip() else [] for t in texts]
        flat = [p for pieces in pieces_per_text for p in pieces]
        translated = self._translate_sorted(flat, progress)
        joiner = "" if self.lang == "zh" else " "
        out, i = [], 0
        for pieces in pieces_per_text:
            out.append(joiner.join(t.strip() for t in translated[i : i + len(pieces)]))
            i += len(pieces)
        return out

    def _translate_sorted(self, texts: list[str], progress: Progress | None) -> list[str]:
        if not texts:
            return []
        lengths = self.count_tokens(texts)
        results: list[str] = [""] * len(texts)
        for batch in token_budget_batches(lengths, self.batch_tokens):
            outputs = self._translate_batch([texts[i] for i in batch])
            for i, text in zip(batch, outputs, strict=True):
                results[i] = text
            if progress:
                progress(len(batch))
        return results


def token_budget_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indices grouped into batches, longest first, each within ``budget`` padded tokens.

    Sorting by length keeps padding small; the budget bounds memory whatever the sentence mix.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = lengths[current[0]] if current else lengths[i]  # longest in the batch: the padded width
        if current and (len(current) + 1) * width > budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def split_for_length(text: str, count_tokens: Callable[[Sequence[str]], list[int]], limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` tokens at the safest points available."""
    if count_tokens([text])[0] <= limit:
        return [text]
    return _split(text, count_tokens, limit, 0)


def _split(text: str, count_tokens, limit: int, level: int) -> list[str]:
    if level >= len(_SPLIT_POINTS):
        return _split_characters(text, count_tokens, limit)
    parts = [p for p in _SPLIT_POINTS[level].split(text) if p.strip()]
    if len(parts) < 2:
        return _split(text, count_tokens, limit, level + 1)
    counts = count_tokens(parts)
    pieces: list[str] = []
    current: list[str] = []
    current_tokens = 0
    # Tokens of a concatenation are about the sum of the parts' tokens (minus one EOS each);
    # every packed piece is re-counted below, so the estimate only guides the packing.
    for part, n in zip(parts, counts, strict=True):
        if current and current_tokens + n - 1 > limit:
            pieces.append(" ".join(current))
            current, current_tokens = [], 0
        current.append(part)
        current_tokens += n - (1 if current_tokens else 0)
    if current:
        pieces.append(" ".join(current))
    result: list[str] = []
    for piece, n in zip(pieces, count_tokens(pieces), strict=True):
        result.extend([piece] if n <= limit else _split(piece, count_tokens, limit, level + 1))
    return result


def _split_characters(text: str, count_tokens, limit: int) -> list[str]:
    # Last resort for a single "word" longer than the model's limit (a URL, a run of symbols).
    size = max(1, len(text) // 2)
    halves = [text[:size], text[size:]]
    out: list[str] = []
    for half, n in zip(halves, count_tokens(halves), strict=True):
        out.extend([half] if n <= limit or len(half) == 1 else _split_characters(half, count_tokens, limit))
    return out


class MarianTranslator(Translator):
    """MarianMT (OPUS-MT) through transformers' ``generate``."""

    def __init__(self, spec: ModelSpec, resolved: ResolvedModel, device: str, batch_tokens: int) -> None:
        super().__init__(spec, resolved, batch_tokens)
        from translate_sum.hub import load_seq2seq

        self.device = device
        self.tokenizer, self.model = load_seq2seq(resolved, device)
        self.prefix = check_target_token(spec, getattr(self.tokenizer, "supported_language_codes", []))
        self._generation = dict(spec.generation)

    @property
    def max_input_tokens(self) -> int:
        model_limit = min(self.tokenizer.model_max_length, self.model.config.max_position_embeddings)
        return min(self.spec.max_input_tokens or model_limit, model_limit)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encoded = self.tokenizer([self.prefix + t for t in texts], add_special_tokens=True)
        return [len(ids) for ids in encoded["input_ids"]]

    def generation_settings(self) -> dict[str, Any]:
        config = self.model.generation_config.to_diff_dict()
        config.update(self._generation)
        return {k: v for k, v in config.items() if not k.startswith("_") and k != "transformers_version"}

    def _translate_batch(self, texts: list[str]) -> list[str]:
        import torch

        batch = self.tokenizer([self.prefix + t for t in texts], return_tensors="pt", padding=True)
        batch = {k: v.to(self.device) for k, v in batch.items()}
        with torch.inference_mode():
            generated = self.model.generate(**batch, **self._generation)
        return self.tokenizer.batch_decode(generated, skip_special_tokens=True)


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


def make_translator(spec: ModelSpec, resolved: ResolvedModel, device: str, batch_tokens: int) -> Translator:
    """The backend ``spec`` names, imported only when used."""
    if spec.backend == "ctranslate2":
        from translate_sum.translate_ct2 import Ct2Translator

        return Ct2Translator(spec, resolved, device, batch_tokens)
    return MarianTranslator(spec, resolved, device, batch_tokens)
