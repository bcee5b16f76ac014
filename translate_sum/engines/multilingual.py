"""The language codes of a multilingual model (NLLB-200, M2M100): which token names each language.

NLLB-200's tokens are the codes themselves (``zho_Hans``); M2M100's wrap them (``__zh__``). The source
carries the source language's token (the tokenizer adds it, with ``</s>``, once ``src_lang`` is set);
the output starts with the target's, forced as the first generated token and removed from the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from translate_sum.config import ModelSpec
from translate_sum.engines.base import Translator
from translate_sum.errors import ConfigError

#: NLLB-200's (FLORES-200) codes: ISO 639-3 and ISO 15924 script, as in ``zho_Hans``.
_FLORES_CODE = re.compile(r"[a-z]{3}_[A-Z][a-z]{3}")
#: Codes tried for the source when ``source_code`` is not given: NLLB-200's English, then M2M100's.
_ENGLISH = ("eng_Latn", "en")


def language_tokens(tokenizer) -> dict[str, str]:
    """Each language code the model knows, and the token that names it, in the tokenizer's order."""
    m2m100 = getattr(tokenizer, "lang_code_to_token", None)
    if m2m100:
        return dict(m2m100)
    specials = getattr(tokenizer, "extra_special_tokens", None) or getattr(
        tokenizer, "additional_special_tokens", None
    )
    return {str(t): str(t) for t in specials or () if _FLORES_CODE.fullmatch(str(t))}


@dataclass(frozen=True)
class LanguagePair:
    """The source and target language tokens of one ``[translators.xx]`` table, checked against the model."""

    source_code: str
    target_code: str
    source_token: str
    target_token: str
    target_id: int
    language_ids: frozenset[int]  # every language token's id: never part of a translation's text

    def describe(self) -> dict[str, str]:
        """For the manifest (and any cache key built from ``describe()``): the codes in force."""
        return {"engine": "multilingual", "source_code": self.source_code, "target_code": self.target_code}

    def strip(self, ids: Sequence[int]) -> list[int]:
        """Output ids without language tokens (the forced target token; one a random model emits)."""
        return [i for i in ids if i not in self.language_ids]


def language_pair(spec: ModelSpec, tokenizer) -> LanguagePair:
    """``spec``'s source and target codes as the model's tokens. Raises ConfigError naming the table and
    the codes the model knows when either is not one of them, or when the model knows none."""
    where = f"[translators.{spec.role}]"
    tokens = language_tokens(tokenizer)
    if not tokens:
        raise ConfigError(
            f'{where} model {spec.name!r} has no language codes: engine = "multilingual" is for '
            "NLLB-200 and M2M100 models"
        )
    known = ", ".join(list(tokens)[:12]) + (" …" if len(tokens) > 12 else "")
    target = str(spec.target_code)
    if target not in tokens:
        raise ConfigError(
            f"{where} target_code {target!r} is not a language code of model {spec.name!r} (it knows: {known})"
        )
    source = spec.source_code or next((code for code in _ENGLISH if code in tokens), None)
    if source is None or source not in tokens:
        raise ConfigError(
            f"{where} source_code {source!r} is not a language code of model {spec.name!r} "
            f"(it knows: {known}); set source_code to its code for English"
        )
    ids = tokenizer.convert_tokens_to_ids(list(tokens.values()))
    return LanguagePair(
        source_code=source,
        target_code=target,
        source_token=tokens[source],
        target_token=tokens[target],
        target_id=int(tokenizer.convert_tokens_to_ids(tokens[target])),
        language_ids=frozenset(int(i) for i in ids),
    )


def use_source(tokenizer, pair: LanguagePair) -> None:
    """Make ``tokenizer`` frame a source as ``pair``'s model expects: its language token, the text, ``</s>``.

    The tokenizer may be shared by languages with different source codes, so each call sets it.
    """
    if tokenizer.src_lang != pair.source_code:
        tokenizer.src_lang = pair.source_code


class MultilingualTarget(Translator):
    """What both backends' multilingual translators share: the language pair from the tokenizer, in
    their description, and the source framing set before tokens are counted."""

    pair: LanguagePair
    tokenizer: Any

    def _check_target(self) -> None:
        self.pair = language_pair(self.spec, self.tokenizer)
        self.prefix = ""

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), **self.pair.describe()}

    def count_tokens(self, texts) -> list[int]:
        use_source(self.tokenizer, self.pair)
        return super().count_tokens(texts)
