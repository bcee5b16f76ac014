"""Summarizers: chunking of long articles, extractive selection, summary support."""

from __future__ import annotations

import pytest
from tiny_models import SEEDS, build_bart

from translate_sum.config import ModelSpec
from translate_sum.engines.extractive import ExtractiveSummarizer
from translate_sum.engines.hf import TransformersSummarizer
from translate_sum.engines.hub import resolve_model
from translate_sum.ingest import load_article
from translate_sum.segment import segment_article


@pytest.fixture(scope="module")
def short_bart(tmp_path_factory):
    """A tiny BART with only 64 input positions, so a seed article needs several chunks."""
    directory = build_bart(
        tmp_path_factory.mktemp("bart64") / "bart", max_positions=64, max_length=12, min_length=4
    )
    spec = ModelSpec(role="summarizer", path=directory, quantize=False)
    return TransformersSummarizer(spec, resolve_model(spec), "cpu")


def _body(name):
    return [s.en for s in segment_article(load_article(SEEDS / name)) if s.kind == "body"]


def test_chunks_fit_the_model_and_keep_every_sentence(short_bart):
    body = _body("000_828caea308506d00.txt")
    chunks = short_bart.chunk(body)
    assert len(chunks) > 1
    counts = [len(ids) for ids in short_bart.tokenizer(chunks)["input_ids"]]
    assert max(counts) <= short_bart.max_input_tokens
    assert " ".join(chunks).split() == " ".join(body).split()


def test_long_article_is_summarized_in_chunks_and_reduced(short_bart):
    body = _body("000_828caea308506d00.txt")
    calls = []
    summary = short_bart.summarize(body, progress=calls.append)
    assert summary and all(isinstance(s, str) for s in summary)
    assert sum(calls) > len(calls) >= 2  # a map round over several chunks, then at least one reduce round


def test_sentence_longer_than_input_is_cut_at_words(short_bart):
    giant = " ".join(["education"] * 200)
    chunks = short_bart.chunk([giant])
    assert len(chunks) > 1 and " ".join(chunks).split() == giant.split()


def test_summary_uses_model_generation_config(short_bart):
    settings = short_bart.generation_settings()
    assert (
        settings["num_beams"] == 4
        and settings["no_repeat_ngram_size"] == 3
        and settings["length_penalty"] == 2.0
    )


def test_extractive_picks_sentences_in_article_order():
    body = _body("001_a2e7129abcaddcf3.txt")
    summary = ExtractiveSummarizer(3).summarize(body)
    assert len(summary) == 3
    positions = [body.index(s) for s in summary]
    assert positions == sorted(positions)
