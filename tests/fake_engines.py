"""A deterministic translator registered by name for orchestration tests (as llm's tests register a
mock model): no weights, so a run takes a moment and its output is known in advance.

A token is a whitespace-separated word, plus one for the end of the sentence; a piece is
"translated" as ``〔zh〕piece``. ``max_input_tokens`` in models.toml sets the model's limit.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

from translate_sum.engines.base import Translator

NAME = "fake"


class WordTranslator(Translator):
    #: Every batch any instance was asked to translate, in order (reset by the fixture).
    batches: list[list[str]] = []

    def __init__(self, spec, resolved, device: str, batch_tokens: int) -> None:
        super().__init__(spec, resolved, batch_tokens)

    @property
    def max_input_tokens(self) -> int:
        return self.spec.max_input_tokens or 512

    def count_tokens(self, texts) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def _translate_batch(self, texts: list[str]) -> list[str]:
        WordTranslator.batches.append(list(texts))
        return [f"〔{self.lang}〕{t}" for t in texts]

    def describe(self) -> dict[str, Any]:
        return {"id": NAME, "generation": {}, "max_input_tokens": self.max_input_tokens}


def fake_config(root: Path, max_input_tokens: int | None = None) -> Path:
    """A models.toml: the extractive summarizer and a ``fake`` zh translator (run with ``--only zh``)."""
    model = root / "fake-model"
    model.mkdir(parents=True, exist_ok=True)
    (model / "config.json").write_text("{}", encoding="utf-8")  # what a local model folder must hold
    limit = f"max_input_tokens = {max_input_tokens}\n" if max_input_tokens else ""
    config = root / "models.toml"
    config.write_text(
        '[summarizer]\nengine = "extractive"\n\n'
        f'[translators.zh]\npath = "{model}"\nbackend = "{NAME}"\n{limit}\n'
        '[run]\nlanguages = ["zh"]\n',
        encoding="utf-8",
    )
    return config


ADVERSARIAL = "adversarial"
# A placeholder as tsum writes one (two or three capitals and a number), and the same with a space inside.
_PLACEHOLDER = re.compile(r"\b([A-Z]{2,3}) ?(\d{1,3})\b")


class AdversarialTranslator(WordTranslator):
    """A model that gets glossary terms wrong in every way a real one does, chosen per text by its CRC-32
    (so a run is deterministic): it leaves the English as it is, drops placeholders, doubles them, glues a
    letter to them, or keeps them (the only answer after which a fixed form can come back)."""

    def _translate_batch(self, texts: list[str]) -> list[str]:
        WordTranslator.batches.append(list(texts))
        out = []
        for text in texts:
            fault = zlib.crc32(f"{self.lang}:{text}".encode()) % 5
            if fault == 0:
                out.append(text)
            elif fault == 1:
                out.append(_PLACEHOLDER.sub("", text))
            elif fault == 2:
                out.append(_PLACEHOLDER.sub(r"\1\2 \1\2", text))
            elif fault == 3:
                out.append(_PLACEHOLDER.sub(r"\1\2x", text))
            else:
                out.append(f"〔{self.lang}〕{text}")
        return out
