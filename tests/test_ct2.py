"""The CTranslate2 backend: conversion and its cache, parity with transformers, splitting, target tokens."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import ctranslate2  # noqa: F401 - a required dependency: a broken install fails here, never skips
import pytest
from tiny_models import REPO, build_bart, build_marian, seed_lines

from translate_sum.config import ModelSpec
from translate_sum.engines.ct2 import Ct2Translator
from translate_sum.engines.ct2 import convert as ct2_convert
from translate_sum.engines.ct2.convert import convert_model, converted_dir
from translate_sum.engines.ct2.options import ct2_options
from translate_sum.engines.hf import MarianTranslator
from translate_sum.engines.hub import ResolvedModel
from translate_sum.engines.registry import make_translator
from translate_sum.errors import ConfigError
from translate_sum.segment import split_sentences

LONG = (
    "On the afternoon of July 23, the Deputy Secretary-General of Shanghai Cooperation Organization Sherali "
    "Jonon and Senior Expert Muratek Akimbakiyev visited the Qingdao headquarters of Weidong Cloud Education "
    "Group, and the two parties summarized a series of fruitful cooperation and the results achieved by the SCO "
    "and Weidong Cloud Education in the past two years, and conducted in-depth discussions on the direction of "
    "further cooperation between the two sides in the future."
)


@pytest.fixture(autouse=True)
def _tsum_cache(tmp_path_factory, monkeypatch):
    """Conversions go to a cache shared by this module's tests, never to the user's home."""
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path_factory.getbasetemp() / "tsum-cache"))


def _sharpen(directory: Path, *, eos_bias: float = 0.0, std: float = 0.3) -> Path:
    """Larger random weights, saved back as pytorch_model.bin.

    A tiny model at the default init (std 0.02) ignores its input and says the same thing for
    every sentence, which would make any parity check vacuous; std 0.3 makes outputs differ.
    ``eos_bias`` makes early EOS likely, so that minimum lengths matter.
    """
    import torch
    from transformers import MarianMTModel

    model = MarianMTModel.from_pretrained(directory)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if param.dim() == 2 and "embed_positions" not in name:
                param.normal_(0.0, std, generator=generator)
        model.model.shared.weight[model.config.pad_token_id].zero_()  # <pad> starts the decoder: a zero row
        model.final_logits_bias[0, model.config.eos_token_id] += eos_bias
    # The loaded .bin is memory-mapped: write beside it and rename, never over it in place.
    torch.save(model.state_dict(), directory / "pytorch_model.bin.tmp")
    os.replace(directory / "pytorch_model.bin.tmp", directory / "pytorch_model.bin")
    return directory


@pytest.fixture(scope="module")
def zh_dir(tmp_path_factory) -> Path:
    """A tiny en-zh Marian saved as .bin only, like opus-mt-en-zh's main branch."""
    directory = build_marian(
        tmp_path_factory.mktemp("ct2") / "en-zh", "zh", d_model=32, ffn=64, save_bin=True
    )
    return _sharpen(directory)


@pytest.fixture(scope="module")
def eos_dir(zh_dir, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("ct2") / "en-zh-eos"
    shutil.copytree(zh_dir, directory)
    return _sharpen(directory, eos_bias=3.0)


@pytest.fixture(scope="module")
def short_dir(tmp_path_factory) -> Path:
    """A tiny en-zh Marian with 64 positions, so an ordinary long sentence needs splitting."""
    directory = build_marian(
        tmp_path_factory.mktemp("ct2") / "en-zh-64", "zh", d_model=32, ffn=64, max_positions=64, save_bin=True
    )
    return _sharpen(directory)


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return [s for line in seed_lines() for s in split_sentences(line)]


def _spec(directory: Path, **changes) -> ModelSpec:
    changes.setdefault("target_token", ">>cmn_Hans<<")
    return ModelSpec(role="zh", path=directory, backend="ctranslate2", **changes)


def _pair(directory: Path, **changes) -> tuple[MarianTranslator, Ct2Translator]:
    # Parity over the whole vocabulary: these random models give source-only pieces probability,
    # which the vocabulary map would (rightly) take away; tests/test_ct2_vmap.py checks the map.
    changes.setdefault("vocabulary_map", False)
    spec = _spec(directory, **changes)
    resolved = ResolvedModel(spec, directory, None)
    return MarianTranslator(spec, resolved, "cpu", 4096), Ct2Translator(spec, resolved, "cpu", 4096)


# --- conversion -------------------------------------------------------------------------------------


def test_converts_once_into_tsum_cache_and_reuses_it(zh_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    calls = []
    real_convert = ct2_convert._convert_in_child
    monkeypatch.setattr(ct2_convert, "_convert_in_child", lambda *a: calls.append(a) or real_convert(*a))
    before = {p.name: p.stat().st_mtime_ns for p in zh_dir.iterdir()}
    spec = _spec(zh_dir)

    first = Ct2Translator(spec, ResolvedModel(spec, zh_dir, None), "cpu", 4096)
    model_bin = first.model_dir / "model.bin"
    stamp = model_bin.stat().st_mtime_ns
    second = Ct2Translator(spec, ResolvedModel(spec, zh_dir, None), "cpu", 4096)

    assert len(calls) == 1
    assert second.model_dir == first.model_dir
    assert model_bin.stat().st_mtime_ns == stamp
    assert first.model_dir.parent == tmp_path / "cache" / "ct2"
    assert first.model_dir.name.endswith("-int8")
    assert {p.name: p.stat().st_mtime_ns for p in zh_dir.iterdir()} == before  # the model folder is untouched
    assert not list(first.model_dir.parent.glob(".tmp-*"))


def test_bin_checkpoint_is_loaded_weights_only(zh_dir, tmp_path, monkeypatch):
    import torch

    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    seen = []
    real_load = torch.load

    def spy(*args, **kwargs):
        seen.append(kwargs.get("weights_only"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    # What the conversion's child process runs, run here where the spy can see it.
    ct2_convert._convert(ResolvedModel(_spec(zh_dir), zh_dir, None), tmp_path / "out", "int8")
    assert seen and all(flag is True for flag in seen)


class _NotWeights:
    """Any class outside torch's allow-list: unpickling it would mean importing and calling code."""


def test_pickle_that_is_not_plain_weights_is_refused(zh_dir, tmp_path, monkeypatch):
    import torch

    from translate_sum.errors import ModelUnavailableError

    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    copy = tmp_path / "evil"
    shutil.copytree(zh_dir, copy)
    state = torch.load(zh_dir / "pytorch_model.bin", weights_only=True)
    torch.save({**state, "payload": _NotWeights()}, copy / "pytorch_model.bin")
    with pytest.raises(ModelUnavailableError, match="pickle that would run code"):
        convert_model(ResolvedModel(_spec(copy), copy, None), "int8")
    assert not list((tmp_path / "cache" / "ct2").glob("evil-*"))


def test_interrupted_conversion_leaves_no_model(zh_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    resolved = ResolvedModel(_spec(zh_dir), zh_dir, None)
    target = converted_dir(resolved, "int8")

    def killed(resolved, output, quantization):
        output.mkdir(parents=True)
        (output / "model.bin").write_bytes(b"half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(ct2_convert, "_convert_in_child", killed)
    with pytest.raises(KeyboardInterrupt):
        convert_model(resolved, "int8")
    assert not target.exists()
    assert not list(target.parent.glob(".tmp-*"))


def _killed_like_oom(*args):
    """Stands in for the conversion in its child process: dies as the out-of-memory killer kills."""
    os.kill(os.getpid(), signal.SIGKILL)


def test_conversion_runs_in_a_child_process(zh_dir, tmp_path):
    # A fresh interpreter converts, then says what it has loaded itself: nothing heavy, so the
    # checkpoint's weights lived (and died) in the child, never beside the models a run loads.
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from translate_sum.config import ModelSpec\n"
        "from translate_sum.engines.hub import ResolvedModel\n"
        "from translate_sum.engines.ct2.convert import convert_model\n"
        "spec = ModelSpec(role='zh', path=Path(sys.argv[1]), target_token='>>cmn_Hans<<')\n"
        "target = convert_model(ResolvedModel(spec, spec.path, None), 'int8')\n"
        "print(json.dumps({'model': (target / 'model.bin').is_file(),\n"
        "  'loaded': sorted(m for m in ('torch', 'transformers', 'ctranslate2.converters') if m in sys.modules)}))\n"
    )
    env = {**os.environ, "TSUM_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(zh_dir)], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"model": True, "loaded": []}


def test_conversion_killed_in_its_child_is_a_clear_error(zh_dir, tmp_path, monkeypatch):
    from translate_sum.errors import ModelUnavailableError

    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(ct2_convert, "_convert", _killed_like_oom)
    resolved = ResolvedModel(_spec(zh_dir), zh_dir, None)
    with pytest.raises(ModelUnavailableError, match="process converting it to CTranslate2 died"):
        convert_model(resolved, "int8")
    assert not converted_dir(resolved, "int8").exists()


def test_leftovers_of_a_killed_conversion_are_replaced(zh_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    resolved = ResolvedModel(_spec(zh_dir), zh_dir, None)
    target = converted_dir(resolved, "int8")
    leftover = target.parent / f".tmp-{target.name}-x1y2"
    (leftover / "model").mkdir(parents=True)
    target.mkdir()  # a folder without model.bin is not a model
    (target / "config.json").write_text("{}")

    assert convert_model(resolved, "int8") == target
    assert (target / "model.bin").stat().st_size > 1000
    assert not leftover.exists()


def test_cache_key_follows_model_files_and_quantization(zh_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    copy = tmp_path / "model"
    shutil.copytree(zh_dir, copy)
    resolved = ResolvedModel(_spec(copy), copy, None)
    int8, fp32 = converted_dir(resolved, "int8"), converted_dir(resolved, "float32")
    assert int8 != fp32 and int8.name.startswith("model-")
    config = copy / "config.json"
    os.utime(config, ns=(config.stat().st_atime_ns, config.stat().st_mtime_ns + 10**9))
    assert converted_dir(resolved, "int8") != int8  # a rebuilt model is converted again

    hub = ResolvedModel(ModelSpec(role="zh", model="Helsinki-NLP/opus-mt-en-zh"), copy, "a" * 40)
    assert converted_dir(hub, "int8").name.startswith("Helsinki-NLP--opus-mt-en-zh-aaaaaaaaaaaa-")


def test_bart_converts_despite_transformers_5_config(tmp_path, monkeypatch):
    """ctranslate2's BART loader reads ``normalize_before``, which transformers 5 dropped."""
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    directory = build_bart(tmp_path / "bart")
    target = convert_model(
        ResolvedModel(ModelSpec(role="summarizer", path=directory), directory, None), "int8"
    )
    assert (target / "model.bin").is_file()


# --- translation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("beams", [1, 4])
def test_float32_matches_transformers(zh_dir, sentences, beams):
    hf, ct2 = _pair(zh_dir, quantize=False, generation={"num_beams": beams})
    assert ct2.compute_type == "float32"
    expected = hf.translate(sentences)
    assert len(set(expected)) > len(sentences) // 2  # the model does depend on its input
    assert ct2.translate(sentences) == expected


@pytest.mark.parametrize(
    "generation",
    [
        {"num_beams": 1, "min_length": 6},
        {"num_beams": 1, "min_new_tokens": 4},
        {"num_beams": 1, "max_new_tokens": 7},
        {"num_beams": 1, "max_length": 7},
        {"num_beams": 4, "early_stopping": True},
    ],
)
def test_length_settings_match_transformers(eos_dir, sentences, generation):
    """Hypotheses that end early: min/max lengths, and beam search's stopping rule, as transformers has them."""
    hf, ct2 = _pair(eos_dir, quantize=False, generation=generation)
    expected = hf.translate(sentences[:16])
    assert ct2.translate(sentences[:16]) == expected


def test_beam_search_stops_like_early_stopping_true(eos_dir, sentences):
    """CTranslate2 ends beam search once beam_size hypotheses are finished: transformers' early_stopping=True.

    Marian's generation_config leaves early_stopping at False, which searches on for a longer hypothesis;
    where hypotheses end early (this EOS-happy model) that changes outputs, and it is the only change.
    """
    _, ct2 = _pair(eos_dir, quantize=False, generation={"num_beams": 4})
    hf_early, _ = _pair(eos_dir, quantize=False, generation={"num_beams": 4, "early_stopping": True})
    assert ct2.translate(sentences[:16]) == hf_early.translate(sentences[:16])
    with pytest.raises(ConfigError, match="early_stopping = False is not available"):
        _pair(eos_dir, generation={"early_stopping": False})


def test_int8_translates_every_sentence(zh_dir, sentences):
    spec = _spec(zh_dir)  # quantize = True, the default
    ct2 = Ct2Translator(spec, ResolvedModel(spec, zh_dir, None), "cpu", 4096)
    assert ct2.compute_type == "int8"
    outputs = ct2.translate(sentences + ["", "   "])
    assert len(outputs) == len(sentences) + 2
    assert all(isinstance(o, str) for o in outputs)
    assert outputs[-2:] == ["", ""]
    assert sum(bool(o) for o in outputs) > len(sentences) // 2


class _SpyModel:
    """Records what reaches ctranslate2, and passes it on."""

    def __init__(self, model):
        self.model = model
        self.sources: list[list[str]] = []

    def translate_batch(self, source, **options):
        self.sources += source
        return self.model.translate_batch(source, **options)


def test_long_sentence_is_split_with_target_token_on_every_piece(short_dir):
    hf, ct2 = _pair(short_dir, quantize=False, generation={"num_beams": 1})
    assert ct2.max_input_tokens == 64
    assert ct2.count_tokens([LONG]) == hf.count_tokens([LONG]) and ct2.count_tokens([LONG])[0] > 64
    assert len(ct2.pieces(LONG)) > 1
    ct2.model = spy = _SpyModel(ct2.model)

    translated = ct2.translate([LONG, "Short one."])

    assert translated == hf.translate([LONG, "Short one."])
    assert len(spy.sources) == len(ct2.pieces(LONG)) + 1
    for source in spy.sources:
        assert source[0] == ">>cmn_Hans<<" and source[-1] == "</s>" and len(source) <= 64


def test_target_token_is_checked(zh_dir):
    with pytest.raises(ConfigError, match="needs target_token"):
        Ct2Translator(
            _spec(zh_dir, target_token=None), ResolvedModel(_spec(zh_dir), zh_dir, None), "cpu", 4096
        )
    bad = _spec(zh_dir, target_token=">>xxx<<")
    with pytest.raises(ConfigError, match="not a language code"):
        Ct2Translator(bad, ResolvedModel(bad, zh_dir, None), "cpu", 4096)


def test_make_translator_picks_ct2_and_describe_says_how(zh_dir):
    spec = _spec(zh_dir)
    translator = make_translator(spec, ResolvedModel(spec, zh_dir, None), "cpu", 4096)
    assert isinstance(translator, Ct2Translator)
    info = translator.describe()
    assert info["backend"] == "ctranslate2"
    assert info["compute_type"] == "int8_float32"  # what CTranslate2 makes of "int8" on a CPU
    assert Path(info["ct2_model_dir"]).is_dir()
    assert info["max_input_tokens"] == 512
    # The tiny model's generation_config: max_length 24 with a forced EOS → 22 free tokens.
    assert info["generation"] == {
        "engine": "ctranslate2",
        "beam_size": 4,
        "patience": 1,
        "max_decoding_length": 22,
        "min_decoding_length": 0,
        "use_vmap": True,  # the target-vocabulary map, on by default
    }
    from translate_sum.engines.ct2.vmap import target_pieces

    assert info["vocabulary_map"] == {
        "pieces": len(target_pieces(zh_dir)),
        "vocabulary": len(translator.tokenizer),
    }
    assert 0 < info["vocabulary_map"]["pieces"] < info["vocabulary_map"]["vocabulary"]
    assert info["cpu"]["cpu"] and info["cpu"]["gemm"] and "set_by_tsum" in info["cpu"]


def test_unsupported_generation_override_is_refused(zh_dir):
    spec = _spec(zh_dir, generation={"num_beams": 2, "do_sample": True})
    with pytest.raises(ConfigError, match="do_sample not supported by the ctranslate2 backend"):
        Ct2Translator(spec, ResolvedModel(spec, zh_dir, None), "cpu", 4096)


# --- generate() → translate_batch options -----------------------------------------------------------

_TOKENS = SimpleNamespace(convert_ids_to_tokens=lambda ids: [f"t{i}" for i in ids])
_OPUS_ZH = {
    "bad_words_ids": [[65000]],
    "decoder_start_token_id": 65000,
    "eos_token_id": 0,
    "forced_eos_token_id": 0,
    "max_length": 512,
    "num_beams": 4,
    "pad_token_id": 65000,
    "renormalize_logits": True,
}


@pytest.mark.parametrize(
    ("model", "overrides", "expected"),
    [
        (_OPUS_ZH, {}, {"beam_size": 4, "max_decoding_length": 510, "min_decoding_length": 0}),
        (
            _OPUS_ZH,
            {"min_new_tokens": 40, "max_new_tokens": 40},
            {"beam_size": 4, "max_decoding_length": 39, "min_decoding_length": 39},
        ),
        (
            {"max_length": 20, "min_length": 5},
            {},
            {"beam_size": 1, "max_decoding_length": 19, "min_decoding_length": 4},
        ),
        (
            _OPUS_ZH,
            {"length_penalty": 2.0, "no_repeat_ngram_size": 3, "repetition_penalty": 1.2},
            {
                "beam_size": 4,
                "max_decoding_length": 510,
                "min_decoding_length": 0,
                "length_penalty": 2.0,
                "no_repeat_ngram_size": 3,
                "repetition_penalty": 1.2,
            },
        ),
        (
            _OPUS_ZH,
            {"bad_words_ids": [[65000], [7, 8]]},
            {
                "beam_size": 4,
                "max_decoding_length": 510,
                "min_decoding_length": 0,
                "suppress_sequences": [["t7", "t8"]],
            },
        ),
    ],
)
def test_generation_mapping(model, overrides, expected):
    options, ignored = ct2_options(model, overrides, _TOKENS)
    assert options == {"patience": 1, **expected}
    assert ignored == {}


def test_model_settings_without_equivalent_are_reported():
    model = {**_OPUS_ZH, "diversity_penalty": 0.5, "num_beam_groups": 2, "early_stopping": False}
    options, ignored = ct2_options(model, {}, _TOKENS)
    assert ignored == {"diversity_penalty": 0.5, "num_beam_groups": 2, "early_stopping": False}
    assert options["beam_size"] == 4


def test_settings_that_do_not_change_the_text_do_not_warn(caplog):
    # Some hub models' generation_config.json holds these; every run warned about each model.
    model = {**_OPUS_ZH, "output_attentions": False, "output_hidden_states": False, "use_cache": True}
    with caplog.at_level("WARNING", logger="translate_sum"):
        options, ignored = ct2_options(model, {}, _TOKENS)
        assert ignored == {} and not caplog.records
        _, ignored = ct2_options({**model, "diversity_penalty": 0.5}, {}, _TOKENS)
    assert ignored == {"diversity_penalty": 0.5}  # a setting that does change it still warns
    assert [r.getMessage() for r in caplog.records] == [
        "generation: CTranslate2 has no equivalent for generation settings diversity_penalty"
    ]


def test_settings_record_what_ct2_uses(zh_dir):
    spec = dataclasses.replace(_spec(zh_dir), generation={"num_beams": 1, "max_new_tokens": 10})
    ct2 = Ct2Translator(spec, ResolvedModel(spec, zh_dir, None), "cpu", 4096)
    assert ct2.generation_settings()["max_decoding_length"] == 9
    assert ct2.generation_settings()["beam_size"] == 1
