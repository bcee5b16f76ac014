"""The CTranslate2 backend: MarianMT and multilingual (NLLB-200, M2M100) translation and BART
summarization, int8 on CPU, float16 on CUDA."""

from __future__ import annotations

from typing import Any

from translate_sum.config import ModelSpec
from translate_sum.engines.base import AbstractiveSummarizer, Scored, Translator, check_target_token
from translate_sum.engines.ct2.convert import STORAGE, default_compute_type, open_converted
from translate_sum.engines.ct2.describe import ct2_describe
from translate_sum.engines.ct2.options import ct2_options, ct2_settings, model_generation
from translate_sum.engines.ct2.tokenizer import load_tokenizer_and_config
from translate_sum.engines.ct2.vmap import read_vmap
from translate_sum.engines.hub import ResolvedModel
from translate_sum.engines.multilingual import MultilingualTarget, use_source
from translate_sum.errors import ConfigError


class Ct2Summarizer(AbstractiveSummarizer):
    """distilbart-style summarization with CTranslate2's beam search.

    It keeps the whole run small: the int8 model needs no fp32 copy in memory at any time after the
    one-time conversion (benchmarks/README.md).
    """

    def __init__(self, spec: ModelSpec, resolved: ResolvedModel, device: str) -> None:
        tokenizer, config = load_tokenizer_and_config(resolved)
        super().__init__(spec, resolved, device, tokenizer, config)
        generation = model_generation(str(resolved.directory), config)
        # BART forces its first generated token (<s>); CTranslate2 takes that as a target prefix.
        forced_bos = {**generation, **spec.generation}.get("forced_bos_token_id")
        generation.pop("forced_bos_token_id", None)
        self._prefix = [tokenizer.convert_ids_to_tokens(forced_bos)] if forced_bos is not None else None
        # The prefix counts toward CTranslate2's decoding length as the forced token does toward
        # transformers' max_length, so ct2_options' length conversion holds unchanged.
        self._options, self._ignored = ct2_options(
            generation, spec.generation, tokenizer, where="[summarizer]"
        )
        self.compute_type = default_compute_type(spec, device)
        self.model_dir, self.model = open_converted(resolved, device, self.compute_type)

    def generation_settings(self) -> dict[str, Any]:
        extra = {"target_prefix": self._prefix} if self._prefix else {}
        return ct2_settings(self._options, self._ignored, **extra)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), **ct2_describe(self.model_dir, self.model, self.device)}

    def _generate(self, text: str) -> str:
        return self._generate_batch([text])[0]

    def _generate_batch(self, texts: list[str]) -> list[str]:
        # Chunks of several articles in one call (the stage-major executors). Batched GEMM shapes can
        # round differently from one-by-one calls and tip near-tied beams (seen on random weights):
        # benchmarks/README.md.
        ids = self.tokenizer(texts, add_special_tokens=True)["input_ids"]
        source = [self.tokenizer.convert_ids_to_tokens(row) for row in ids]
        prefix = [self._prefix] * len(texts) if self._prefix else None
        results = self.model.translate_batch(
            source, target_prefix=prefix, max_input_length=0, **self._options
        )
        return [
            self.tokenizer.decode(
                self.tokenizer.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True
            ).strip()
            for r in results
        ]


class Ct2Translator(Translator):
    """MarianMT (OPUS-MT) through CTranslate2.

    Tokenisation and detokenisation use the model's own Hugging Face tokenizer, so the pieces, the
    target-language token and the EOS are exactly those the transformers backend feeds the model.
    Batching is the base class's token budget: each of its batches is one ``translate_batch`` call.
    ``shared``: another language's translator of the same model hands over its loaded model.
    """

    def __init__(
        self,
        spec: ModelSpec,
        resolved: ResolvedModel,
        device: str,
        batch_tokens: int,
        *,
        compute_type: str | None = None,
        shared: tuple[Any, ...] | None = None,
    ) -> None:
        super().__init__(spec, resolved, batch_tokens)
        self.device = device
        self.compute_type = compute_type or default_compute_type(spec, device)
        if self.compute_type not in STORAGE:
            raise ConfigError(
                f"CTranslate2 compute type {self.compute_type!r}: choose from {', '.join(STORAGE)}"
            )
        if shared is not None:
            self.tokenizer, self.config, self.model_dir, self.model = shared
        else:
            self.tokenizer, self.config = load_tokenizer_and_config(resolved)
        self._check_target()
        # Settings are checked before the (slow, one-time) conversion, so a typo fails at once.
        self._options, self._ignored = ct2_options(
            self._model_generation(model_generation(str(resolved.directory), self.config)),
            spec.generation,
            self.tokenizer,
            where=f"[translators.{spec.role}]",
        )
        if shared is None:
            self.model_dir, self.model = open_converted(resolved, device, self.compute_type)
        # The decoder may only emit target.spm's pieces (the conversion's vmap.txt): the output
        # projection and softmax shrink to them. Lossless for a model that gives other pieces no
        # probability, as OPUS-MT's decoder, trained on target.spm text only, does (tests/test_ct2_vmap.py).
        self.vocabulary_map = read_vmap(self.model_dir) if spec.vocabulary_map else None
        if self.vocabulary_map is not None:
            self._options["use_vmap"] = True

    def _check_target(self) -> None:
        self.prefix = check_target_token(self.spec, getattr(self.tokenizer, "supported_language_codes", []))

    def _model_generation(self, generation: dict[str, Any]) -> dict[str, Any]:
        return generation

    def shared_model(self) -> tuple[Any, ...]:
        return self.tokenizer, self.config, self.model_dir, self.model

    def generation_settings(self) -> dict[str, Any]:
        """The options passed to ``translate_batch``, and model settings CTranslate2 cannot honour."""
        return ct2_settings(self._options, self._ignored)

    def describe(self) -> dict[str, Any]:
        info = {**super().describe(), **ct2_describe(self.model_dir, self.model, self.device)}
        info["vocabulary_map"] = (
            {"pieces": len(self.vocabulary_map), "vocabulary": len(self.tokenizer)}
            if self.vocabulary_map is not None
            else None
        )
        return info

    def _translate_batch(self, texts: list[str]) -> list[str]:
        return [scored.text for scored in self._translate_scored(texts)]

    def _translate_scored(self, texts: list[str]) -> list[Scored]:
        ids = self.tokenizer([self.prefix + t for t in texts], add_special_tokens=True)["input_ids"]
        source = [self.tokenizer.convert_ids_to_tokens(row) for row in ids]
        # max_input_length=0: never truncate; the base class has already cut every piece to fit.
        # return_scores costs nothing: the search keeps each hypothesis' score anyway. With the end
        # token returned, a hypothesis' length is exactly the steps its score was normalised over
        # (EOS included when it was generated, not when the length limit stopped it).
        results = self.model.translate_batch(
            source, max_input_length=0, return_scores=True, return_end_token=True, **self._options
        )
        penalty = float(self._options.get("length_penalty", 1.0))
        out = []
        for r in results:
            tokens = r.hypotheses[0]
            text = self.tokenizer.decode(
                self.tokenizer.convert_tokens_to_ids(tokens), skip_special_tokens=True
            )
            n = len(tokens)
            logprob = r.scores[0] * n**penalty if r.scores and n else None
            out.append(Scored(text, logprob, n))
        return out


class Ct2MultilingualTranslator(MultilingualTarget, Ct2Translator):
    """NLLB-200 or M2M100 through CTranslate2: one converted model for many targets.

    The source is framed by the model's tokenizer (source language token, text, ``</s>``), and the
    target language's token is the ``target_prefix`` of every hypothesis, removed from the text.
    CTranslate2 scores a hypothesis without its prefix's probability but divides by its length with
    the prefix, so the confidence counts the tokens after it, as the transformers backend does.
    The decoder keeps its whole vocabulary: no per-language map is known to be safe.
    """

    def _model_generation(self, generation: dict[str, Any]) -> dict[str, Any]:
        # The target token takes the place of any forced first token the model's settings name.
        return {k: v for k, v in generation.items() if k != "forced_bos_token_id"}

    def generation_settings(self) -> dict[str, Any]:
        return {**super().generation_settings(), "target_prefix": [self.pair.target_token]}

    def _translate_scored(self, texts: list[str]) -> list[Scored]:
        use_source(self.tokenizer, self.pair)
        ids = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        source = [self.tokenizer.convert_ids_to_tokens(row) for row in ids]
        results = self.model.translate_batch(
            source,
            target_prefix=[[self.pair.target_token]] * len(source),
            max_input_length=0,
            return_scores=True,
            return_end_token=True,
            **self._options,
        )
        penalty = float(self._options.get("length_penalty", 1.0))
        out = []
        for r in results:
            tokens = r.hypotheses[0]
            text = self.tokenizer.decode(
                self.pair.strip(self.tokenizer.convert_tokens_to_ids(tokens)), skip_special_tokens=True
            ).strip()
            n = len(tokens)
            logprob = r.scores[0] * n**penalty if r.scores and n else None
            out.append(Scored(text, logprob, max(n - 1, 0)))
        return out
