"""CTranslate2 ``translate_batch`` options equivalent to a model's ``generate()`` settings."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from translate_sum.errors import ConfigError

logger = logging.getLogger("translate_sum")

# generate() settings with a CTranslate2 equivalent of the same meaning, by CTranslate2 name.
_SAME_MEANING = {
    "length_penalty": "length_penalty",
    "no_repeat_ngram_size": "no_repeat_ngram_size",
    "repetition_penalty": "repetition_penalty",
}
# generate() settings CTranslate2 needs no option for: the converted model already behaves so.
_BUILT_IN = {
    "decoder_start_token_id",  # Marian: the converter starts the decoder from a zero embedding (= <pad>'s row)
    "eos_token_id",
    "pad_token_id",
    "bos_token_id",
    "forced_eos_token_id",  # lengths account for the forced EOS
    "renormalize_logits",  # CTranslate2's scores are log-softmax over its (pad-free) vocabulary
    "num_return_sequences",
}
# generate() settings that change what generate() returns or how fast, never the text: no warning.
_NO_EFFECT_ON_TEXT = {
    "use_cache",
    "output_scores",
    "output_logits",
    "output_attentions",
    "output_hidden_states",
    "return_dict_in_generate",
}
#: generate() keys a ``[translators.xx.generation]`` table may set for the ctranslate2 backend.
SUPPORTED_GENERATION_KEYS = frozenset(
    {
        "num_beams",
        "max_length",
        "max_new_tokens",
        "min_length",
        "min_new_tokens",
        "bad_words_ids",
        "early_stopping",
        *_SAME_MEANING,
    }
)


def model_generation(directory: str, config) -> dict[str, Any]:
    """The model's own ``generate()`` settings: generation_config.json, else its config's."""
    from transformers import GenerationConfig

    try:
        generation = GenerationConfig.from_pretrained(directory)
    except OSError:  # no generation_config.json: the model config's generation fields
        generation = GenerationConfig.from_model_config(config)
    return generation.to_diff_dict()


def ct2_options(
    model_generation: Mapping[str, Any],
    overrides: Mapping[str, Any],
    tokenizer,
    where: str = "generation",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``translate_batch`` options equivalent to a model's ``generate()`` settings plus ``overrides``.

    Returns ``(options, ignored)``: ``ignored`` lists the model's own settings CTranslate2 has no
    equivalent for. An override CTranslate2 cannot honour raises ConfigError rather than being dropped.
    Lengths are converted: ``max_length``/``min_length`` count the decoder start token in transformers,
    and a forced EOS takes the last position, so CTranslate2's limits are one or two lower.
    """
    unsupported = sorted(set(overrides) - SUPPORTED_GENERATION_KEYS)
    if unsupported:
        raise ConfigError(
            f"{where} generation: {', '.join(unsupported)} not supported by the ctranslate2 backend "
            f"(supported: {', '.join(sorted(SUPPORTED_GENERATION_KEYS))}); remove them or use "
            'backend = "transformers"'
        )
    if overrides.get("early_stopping", True) is not True:
        raise ConfigError(
            f"{where} generation: early_stopping = {overrides['early_stopping']!r} is not available with the "
            "ctranslate2 backend, whose beam search stops once num_beams hypotheses are finished "
            '(early_stopping = true); remove it or use backend = "transformers"'
        )
    settings = {
        k: v for k, v in model_generation.items() if not k.startswith("_") and k != "transformers_version"
    }
    settings.update(overrides)

    forced_eos = 1 if settings.get("forced_eos_token_id") is not None else 0
    if settings.get("max_new_tokens") is not None:
        max_len = settings["max_new_tokens"] - forced_eos
    else:
        max_len = settings.get("max_length", 20) - 1 - forced_eos  # 20: transformers' default
    if settings.get("min_new_tokens") is not None:
        min_len = settings["min_new_tokens"]
    else:
        min_len = max(settings.get("min_length", 0) - 1, 0)
    options: dict[str, Any] = {
        "beam_size": int(settings.get("num_beams", 1)),
        # Beam search ends once beam_size hypotheses are finished: transformers' early_stopping=True.
        # Marian's own default (False) may search on for a longer, better-scoring hypothesis.
        "patience": 1,
        "max_decoding_length": max(int(max_len), 1),
        "min_decoding_length": min(int(min_len), max(int(max_len), 1)),
    }
    for hf_name, ct2_name in _SAME_MEANING.items():
        if settings.get(hf_name) is not None:
            options[ct2_name] = settings[hf_name]

    # <pad> is not in a converted Marian vocabulary, so bad_words_ids=[[pad]] is already enforced;
    # any other banned sequence becomes suppress_sequences.
    pad = settings.get("pad_token_id")
    banned = [seq for seq in settings.get("bad_words_ids") or [] if list(seq) != [pad]]
    if banned:
        options["suppress_sequences"] = [tokenizer.convert_ids_to_tokens(list(seq)) for seq in banned]

    handled = (SUPPORTED_GENERATION_KEYS | _BUILT_IN | _NO_EFFECT_ON_TEXT) - {"early_stopping"}
    ignored = {
        k: v for k, v in settings.items() if k not in handled and not (k == "early_stopping" and v is True)
    }
    if ignored:
        logger.warning(
            "%s: CTranslate2 has no equivalent for generation settings %s", where, ", ".join(sorted(ignored))
        )
    return options, ignored


def ct2_settings(options: Mapping[str, Any], ignored: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The generation settings a manifest records: the ``translate_batch`` options and what was ignored."""
    settings: dict[str, Any] = {"engine": "ctranslate2", **options, **extra}
    if ignored:
        settings["ignored"] = dict(ignored)
    return settings
