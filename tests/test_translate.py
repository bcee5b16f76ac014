"""Translation mechanics on the tiny MarianMT models: batching, long sentences, target tokens."""

from __future__ import annotations

import dataclasses

import pytest

from translate_sum.chunking import split_for_length, token_budget_batches
from translate_sum.config import ModelSpec, load_config
from translate_sum.engines.base import check_target_token
from translate_sum.engines.hf import MarianTranslator
from translate_sum.engines.hub import resolve_model
from translate_sum.errors import ConfigError


def _words(texts):
    return [len(t.split()) + 1 for t in texts]  # one "token" per word plus EOS


@pytest.fixture(scope="module")
def zh_translator(tiny_config):
    spec = load_config(tiny_config).translators["zh"]
    return MarianTranslator(spec, resolve_model(spec, download=False), "cpu", batch_tokens=256)


def test_token_budget_batches_cover_all_and_respect_budget():
    lengths = [5, 50, 12, 7, 50, 3, 30]
    batches = token_budget_batches(lengths, budget=100)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) * max(lengths[i] for i in batch) <= 100 or len(batch) == 1
    assert batches[0][0] in (1, 4)  # longest first


def test_token_budget_batch_larger_than_budget_goes_alone():
    assert token_budget_batches([500, 10], budget=100) == [[0], [1]]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short one", 10, ["short one"]),
        ("alpha beta; gamma delta; epsilon zeta", 4, ["alpha beta;", "gamma delta;", "epsilon zeta"]),
        ("one two, three four, five six", 4, ["one two,", "three four,", "five six"]),
        ("a b c d e f g", 3, ["a b", "c d", "e f", "g"]),
    ],
)
def test_split_for_length_prefers_clause_boundaries(text, limit, expected):
    assert split_for_length(text, _words, limit) == expected


def test_split_never_loses_text_and_every_piece_fits():
    text = " ".join(f"w{i}" + ("," if i % 7 == 0 else "") for i in range(3000))
    pieces = split_for_length(text, _words, 50)
    assert " ".join(pieces).split() == text.split()
    assert all(n <= 50 for n in _words(pieces))


def test_split_of_one_giant_word_falls_back_to_characters():
    text = "x" * 1000

    def chars(texts):
        return [len(t) // 10 + 1 for t in texts]

    pieces = split_for_length(text, chars, 20)
    assert "".join(pieces) == text and all(n <= 20 for n in chars(pieces))


def test_target_token_is_checked_against_tokenizer_codes():
    spec = ModelSpec(role="zh", model="m", target_token=">>cmn_Hans<<")
    assert check_target_token(spec, [">>cmn_Hans<<", ">>yue_Hant<<"]) == ">>cmn_Hans<< "
    with pytest.raises(ConfigError, match="not a language code"):
        check_target_token(dataclasses.replace(spec, target_token=">>xx<<"), [">>cmn_Hans<<"])
    with pytest.raises(ConfigError, match="needs target_token"):
        check_target_token(dataclasses.replace(spec, target_token=None), [">>cmn_Hans<<"])
    assert check_target_token(ModelSpec(role="ru", model="m"), []) == ""


def test_marian_prefixes_target_token(zh_translator):
    ids = zh_translator.tokenizer([zh_translator.prefix + "The SCO met."])["input_ids"][0]
    assert zh_translator.tokenizer.convert_ids_to_tokens(ids)[0] == ">>cmn_Hans<<"
    assert ids[-1] == zh_translator.tokenizer.eos_token_id == 0
    assert zh_translator.model.config.pad_token_id == zh_translator.model.config.vocab_size - 1


def test_marian_translates_batches_in_input_order(zh_translator):
    texts = [
        "The SCO met.",
        "",
        "Weidong Cloud Education Group was founded in Qingdao, China, in 2012.",
        "Hi.",
    ]
    out = zh_translator.translate(texts)
    assert len(out) == 4 and out[1] == ""
    assert all(isinstance(t, str) and t for i, t in enumerate(out) if i != 1)
    # Same input alone gives the same output as inside a batch (order restored after length sorting).
    assert zh_translator.translate([texts[2]]) == [out[2]]


def test_marian_long_sentence_is_split_not_truncated(zh_translator):
    sentence = ", ".join(["the SCO countries have a large population base and education matters"] * 60) + "."
    pieces = zh_translator.pieces(sentence)
    assert len(pieces) > 1
    assert all(n <= zh_translator.max_input_tokens for n in zh_translator.count_tokens(pieces))
    assert " ".join(pieces) == sentence
    seen = []
    out = zh_translator.translate([sentence], progress=seen.append)
    assert len(out) == 1 and sum(seen) == len(pieces)


def test_bin_only_checkpoint_loads_with_weights_only(tiny_models):
    assert (tiny_models["zh"] / "pytorch_model.bin").is_file()
    assert not list(tiny_models["zh"].glob("*.safetensors"))
