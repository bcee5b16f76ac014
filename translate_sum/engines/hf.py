"""The transformers backend: models loaded with ``from_pretrained`` and run with ``generate()``."""

from __future__ import annotations

from typing import Any

from translate_sum.config import ModelSpec
from translate_sum.engines.base import AbstractiveSummarizer, Scored, Translator, check_target_token
from translate_sum.engines.hub import ResolvedModel, refused_pickle_error
from translate_sum.engines.multilingual import MultilingualTarget, use_source
from translate_sum.errors import ModelUnavailableError


def load_seq2seq(resolved: ResolvedModel, device: str):
    """Tokenizer and model in eval mode on ``device``.

    Weights load as safetensors, or through torch's weights-only unpickler for a .bin-only
    checkpoint: an arbitrary pickle is refused. Remote code is never enabled.
    """
    import pickle

    from safetensors import SafetensorError
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    directory = str(resolved.directory)
    try:
        tokenizer = AutoTokenizer.from_pretrained(directory, trust_remote_code=False)
        model = AutoModelForSeq2SeqLM.from_pretrained(directory, trust_remote_code=False, weights_only=True)
    except pickle.UnpicklingError as exc:
        raise refused_pickle_error(resolved, exc) from None
    except (OSError, ValueError, RuntimeError, EOFError, SafetensorError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelUnavailableError(
            f"model {resolved.spec.name!r} ({resolved.spec.role}) at {directory} cannot be loaded: {first}. "
            "If its files are incomplete or corrupt, download the model again (`tsum models download`)"
        ) from None
    model.eval()
    return tokenizer, model.to(device)


def generation_settings(model, overrides: dict[str, Any]) -> dict[str, Any]:
    """The model's own generation settings with models.toml's ``overrides`` on top, for the manifest."""
    config = model.generation_config.to_diff_dict()
    config.update(overrides)
    return {k: v for k, v in config.items() if not k.startswith("_") and k != "transformers_version"}


class TransformersSummarizer(AbstractiveSummarizer):
    """The summarizer through transformers' ``generate``; int8 dynamic quantisation on CPU."""

    def __init__(self, spec: ModelSpec, resolved: ResolvedModel, device: str) -> None:
        tokenizer, self.model = load_seq2seq(resolved, device)
        super().__init__(spec, resolved, device, tokenizer, self.model.config)
        self.quantized = bool(spec.quantize and device == "cpu")
        if self.quantized:
            self.model = quantize_linear_int8(self.model)

    def generation_settings(self) -> dict[str, Any]:
        return generation_settings(self.model, self.spec.generation)

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
    """int8 dynamic quantisation of the Linear layers: the CPU path for summarization.

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


class MarianTranslator(Translator):
    """MarianMT (OPUS-MT) through transformers' ``generate``.

    ``shared``: the tokenizer and model of another language's translator of the same model (an OPUS-MT
    model with several targets), used instead of loading them again.
    """

    def __init__(
        self,
        spec: ModelSpec,
        resolved: ResolvedModel,
        device: str,
        batch_tokens: int,
        *,
        shared: tuple[Any, Any] | None = None,
    ) -> None:
        super().__init__(spec, resolved, batch_tokens)
        self.device = device
        self.tokenizer, self.model = shared or load_seq2seq(resolved, device)
        self.config = self.model.config
        self._check_target()
        self._generation = dict(spec.generation)

    def _check_target(self) -> None:
        self.prefix = check_target_token(self.spec, getattr(self.tokenizer, "supported_language_codes", []))

    def shared_model(self) -> tuple[Any, Any]:
        return self.tokenizer, self.model

    def generation_settings(self) -> dict[str, Any]:
        return generation_settings(self.model, self._generation)

    def _translate_batch(self, texts: list[str]) -> list[str]:
        return [scored.text for scored in self._translate_scored(texts)]

    def _translate_scored(self, texts: list[str]) -> list[Scored]:
        import torch

        batch = self.tokenizer([self.prefix + t for t in texts], return_tensors="pt", padding=True)
        batch = {k: v.to(self.device) for k, v in batch.items()}
        with torch.inference_mode():
            out = self.model.generate(
                **batch, **self._generation, output_scores=True, return_dict_in_generate=True
            )
        texts_out = self.tokenizer.batch_decode(out.sequences, skip_special_tokens=True)
        sums, lengths = _sequence_logprobs(self.model, out)
        return [Scored(t, s, n) for t, s, n in zip(texts_out, sums, lengths, strict=True)]


class MultilingualTranslator(MultilingualTarget, MarianTranslator):
    """NLLB-200 or M2M100 through ``generate``: one model for many targets.

    The source is framed by the tokenizer (source language token, text, ``</s>``); the target's token
    is forced as the first output token (``forced_bos_token_id``) and left out of the text and of the
    confidence (its probability is 1 by construction).
    """

    def generation_settings(self) -> dict[str, Any]:
        return {**super().generation_settings(), "forced_bos_token_id": self.pair.target_id}

    def _translate_scored(self, texts: list[str]) -> list[Scored]:
        import torch

        use_source(self.tokenizer, self.pair)
        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True)
        batch = {k: v.to(self.device) for k, v in batch.items()}
        settings = {**self._generation, "forced_bos_token_id": self.pair.target_id}
        with torch.inference_mode():
            out = self.model.generate(**batch, **settings, output_scores=True, return_dict_in_generate=True)
        # transformers 5's M2M100 tokenizer does not count its language tokens as special: removed here.
        texts_out = self.tokenizer.batch_decode(
            [self.pair.strip(row) for row in out.sequences.tolist()], skip_special_tokens=True
        )
        sums, lengths = _sequence_logprobs(self.model, out)
        # The forced target token is one of the lengths, with log-probability 0 after forcing.
        return [Scored(t.strip(), s, max(n - 1, 0)) for t, s, n in zip(texts_out, sums, lengths, strict=True)]


def _sequence_logprobs(model, out) -> tuple[list[float], list[int]]:
    """Per output sequence: the sum of its tokens' log-probabilities as the search scored them, and
    the number of generated tokens (EOS included).

    Beam search: ``sequences_scores`` is that sum divided by length ** length_penalty; greedy and
    sampling: the step scores of the chosen tokens, normalised, summed up to the first EOS.
    """
    import torch

    config = model.generation_config
    if getattr(out, "sequences_scores", None) is not None and getattr(out, "beam_indices", None) is not None:
        lengths = ((out.beam_indices + 1).bool()).sum(dim=1)
        penalty = float(config.length_penalty if config.length_penalty is not None else 1.0)
        sums = out.sequences_scores * lengths.to(out.sequences_scores.dtype) ** penalty
        return sums.tolist(), lengths.tolist()
    steps = model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
    generated = out.sequences[:, -steps.shape[1] :]
    eos = config.eos_token_id if isinstance(config.eos_token_id, int) else (config.eos_token_id or [None])[0]
    is_eos = generated == eos
    # Keep each step up to and including the first EOS; later steps are padding.
    keep = (torch.cumsum(is_eos.int(), dim=1) - is_eos.int()) == 0
    sums = torch.where(keep, steps, torch.zeros_like(steps)).sum(dim=1)
    return sums.tolist(), keep.sum(dim=1).tolist()
