"""The summariser through CTranslate2: BART converted once, int8 on CPU, float16 on CUDA."""

from __future__ import annotations

from typing import Any

from translate_sum.config import ModelSpec
from translate_sum.hub import ResolvedModel
from translate_sum.summarize import AbstractiveSummarizer
from translate_sum.translate_ct2 import (
    ct2_options,
    default_compute_type,
    import_ctranslate2,
    load_tokenizer_and_config,
    model_generation,
    open_converted,
)


class Ct2Summarizer(AbstractiveSummarizer):
    """distilbart-style summarisation with CTranslate2's beam search.

    It keeps the whole run small: the int8 model needs no fp32 copy in memory at any time after the
    one-time conversion (benchmarks/README.md).
    """

    def __init__(self, spec: ModelSpec, resolved: ResolvedModel, device: str) -> None:
        directory = str(resolved.directory)
        tokenizer, config = load_tokenizer_and_config(resolved)
        super().__init__(spec, resolved, device, tokenizer, config)
        generation = model_generation(directory, config)
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
        settings: dict[str, Any] = {"engine": "ctranslate2", **self._options}
        if self._prefix:
            settings["target_prefix"] = self._prefix
        if self._ignored:
            settings["ignored"] = dict(self._ignored)
        return settings

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        info.update(
            ct2_model_dir=str(self.model_dir),
            compute_type=self.model.compute_type,
            device=self.device,
            ctranslate2_version=import_ctranslate2().__version__,
        )
        return info

    def _generate(self, text: str) -> str:
        ids = self.tokenizer([text], add_special_tokens=True)["input_ids"][0]
        source = [self.tokenizer.convert_ids_to_tokens(ids)]
        prefix = [self._prefix] if self._prefix else None
        result = self.model.translate_batch(
            source, target_prefix=prefix, max_input_length=0, **self._options
        )[0]
        tokens = self.tokenizer.convert_tokens_to_ids(result.hypotheses[0])
        return self.tokenizer.decode(tokens, skip_special_tokens=True).strip()
