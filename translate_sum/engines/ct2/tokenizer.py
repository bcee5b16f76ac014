"""Loading a model's Hugging Face tokenizer and config (no weights) for the CTranslate2 engines."""

from __future__ import annotations

from translate_sum.engines.hub import ResolvedModel
from translate_sum.errors import ModelUnavailableError


def load_tokenizer_and_config(resolved: ResolvedModel):
    """The model's Hugging Face tokenizer and config (no weights), or ModelUnavailableError."""
    from transformers import AutoConfig, AutoTokenizer

    directory = str(resolved.directory)
    try:
        tokenizer = AutoTokenizer.from_pretrained(directory, trust_remote_code=False)
        config = AutoConfig.from_pretrained(directory, trust_remote_code=False)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(
            f"model {resolved.spec.name!r} ({resolved.spec.role}) at {directory} cannot be loaded: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    return tokenizer, config
