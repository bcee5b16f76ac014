"""The CTranslate2 summarizer: parity with transformers, chunking, and what the manifest records."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import ctranslate2  # noqa: F401 - a required dependency: a broken install fails here, never skips
import pytest
from tiny_models import SEEDS, build_bart

from translate_sum.config import ModelSpec
from translate_sum.engines.ct2 import Ct2Summarizer
from translate_sum.engines.hf import TransformersSummarizer
from translate_sum.engines.hub import resolve_model


@pytest.fixture(autouse=True)
def _tsum_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path_factory.getbasetemp() / "tsum-cache"))


def _sharpened_bart(directory: Path, **kwargs) -> Path:
    """A tiny BART with larger random weights: at the default init every input gives the same output,
    which would make a parity check vacuous."""
    import torch
    from transformers import BartForConditionalGeneration

    build_bart(directory, d_model=32, ffn=64, **kwargs)
    model = BartForConditionalGeneration.from_pretrained(directory)
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if param.dim() == 2 and "embed_positions" not in name:
                param.normal_(0.0, 0.3, generator=generator)
    model.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def bart_dir(tmp_path_factory) -> Path:
    return _sharpened_bart(tmp_path_factory.mktemp("ct2-bart") / "bart")


PARAGRAPHS = [p for p in (SEEDS / "001_a2e7129abcaddcf3.txt").read_text().split("\n\n") if len(p) > 80]


def _pair(bart_dir, generation):
    spec = ModelSpec(
        role="summarizer", path=bart_dir, quantize=False, backend="ctranslate2", generation=generation
    )
    return TransformersSummarizer(spec, resolve_model(spec), "cpu"), Ct2Summarizer(
        spec, resolve_model(spec), "cpu"
    )


def test_float32_greedy_output_equals_transformers(bart_dir):
    reference, fast = _pair(bart_dir, {"num_beams": 1})
    expected = [reference._generate(p) for p in PARAGRAPHS]
    assert len(set(expected)) > 1, "the test model must not say the same thing for every input"
    assert [fast._generate(p) for p in PARAGRAPHS] == expected


def test_float32_beam_search_mostly_equals_transformers(bart_dir):
    """Measured difference: with 4 beams, 10 of the 13 seed paragraphs give identical summaries; the
    others part late in the hypothesis, where random weights leave beam scores nearly tied and the two
    beam-search implementations break ties differently. Here: at least 2 of 3 identical."""
    reference, fast = _pair(bart_dir, {})
    pairs = [(reference._generate(p), fast._generate(p)) for p in PARAGRAPHS]
    same = sum(a == b for a, b in pairs)
    assert same * 3 >= len(pairs) * 2, pairs
    for a, b in pairs:  # where they differ, they agree on how the summary starts
        assert a[:8] == b[:8]


def test_int8_summarizes_in_chunks_and_records_its_settings(tmp_path):
    directory = _sharpened_bart(tmp_path / "bart64", max_positions=64, max_length=12, min_length=4)
    spec = ModelSpec(role="summarizer", path=directory, backend="ctranslate2")
    summarizer = Ct2Summarizer(spec, resolve_model(spec), "cpu")
    body = [p for p in PARAGRAPHS]
    calls = []
    summary = summarizer.summarize(body, progress=calls.append)
    assert summary and all(isinstance(s, str) for s in summary)
    assert len(calls) >= 2  # several chunks, then a reduce round
    info = summarizer.describe()
    assert info["compute_type"].startswith("int8") and info["engine"] == "abstractive"
    settings = info["generation"]
    assert settings["engine"] == "ctranslate2" and settings["target_prefix"] == ["<s>"]
    assert (
        settings["beam_size"] == 4
        and settings["no_repeat_ngram_size"] == 3
        and settings["length_penalty"] == 2.0
    )


def test_quantize_off_on_transformers_keeps_fp32(bart_dir):
    spec = dataclasses.replace(
        ModelSpec(role="summarizer", path=bart_dir), quantize=False, backend="transformers"
    )
    assert TransformersSummarizer(spec, resolve_model(spec), "cpu").describe()["quantized"] is False
