"""The target-vocabulary map: what it holds, and that it changes nothing the model would have said."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import ctranslate2  # noqa: F401 - a required dependency: a broken install fails here, never skips
import pytest
from tiny_models import build_bart, build_marian, seed_lines

from translate_sum.config import ModelSpec, load_config
from translate_sum.engines.ct2 import Ct2Translator
from translate_sum.engines.ct2.convert import convert_model
from translate_sum.engines.ct2.vmap import VMAP_FILE, read_vmap, target_pieces
from translate_sum.engines.hub import ResolvedModel
from translate_sum.segment import split_sentences


@pytest.fixture(autouse=True)
def _tsum_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path_factory.getbasetemp() / "tsum-cache-vmap"))


def _spm_pieces(path: Path) -> set[str]:
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_file=str(path))
    return {processor.id_to_piece(i) for i in range(processor.get_piece_size())}


def _with_bias(source: Path, directory: Path, non_target_bias: float) -> Path:
    """A copy of ``source`` with input-dependent weights and ``non_target_bias`` added to the output
    bias of every piece target.spm cannot produce (very negative: the model gives them no probability)."""
    import torch
    from transformers import MarianMTModel

    shutil.copytree(source, directory)
    model = MarianMTModel.from_pretrained(directory)
    vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
    target = _spm_pieces(directory / "target.spm") | {"</s>", "<unk>"}
    generator = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if param.dim() == 2 and "embed_positions" not in name:
                param.normal_(0.0, 0.3, generator=generator)  # at std 0.02 every input gives one output
        model.model.shared.weight[model.config.pad_token_id].zero_()
        for piece, index in vocab.items():
            if piece not in target and index != model.config.pad_token_id:
                model.final_logits_bias[0, index] += non_target_bias
    model.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory) -> Path:
    # target.spm from Chinese and a little English, as an OPUS-MT target.spm differs from its source.spm:
    # hundreds of source pieces are not target pieces.
    target_text = [
        "上海合作组织副秘书长访问伟东云教育集团。",
        "双方讨论了教育和技术合作。",
        *seed_lines()[:3],
    ]
    return build_marian(
        tmp_path_factory.mktemp("vmap") / "base", "zh", d_model=32, ffn=64, target_lines=target_text * 3
    )


@pytest.fixture(scope="module")
def target_only_dir(base_dir, tmp_path_factory) -> Path:
    """Like OPUS-MT: the model gives the pieces target.spm cannot produce no probability."""
    return _with_bias(base_dir, tmp_path_factory.mktemp("vmap") / "target-only", -1e4)


@pytest.fixture(scope="module")
def source_loving_dir(base_dir, tmp_path_factory) -> Path:
    """The opposite: a model that prefers source-only pieces, so the map visibly changes its output."""
    return _with_bias(base_dir, tmp_path_factory.mktemp("vmap") / "source-loving", 4.0)


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return [s for line in seed_lines() for s in split_sentences(line)][:40]


def _translator(directory: Path, **changes) -> Ct2Translator:
    spec = ModelSpec(role="zh", path=directory, target_token=">>cmn_Hans<<", **changes)
    return Ct2Translator(spec, ResolvedModel(spec, directory, None), "cpu", 4096)


def test_map_holds_every_target_piece_and_no_source_only_piece(base_dir):
    model_dir = convert_model(ResolvedModel(ModelSpec(role="zh", path=base_dir), base_dir, None), "int8")
    mapped = read_vmap(model_dir)
    assert mapped is not None and (model_dir / VMAP_FILE).is_file()
    vocab = json.loads((base_dir / "vocab.json").read_text(encoding="utf-8"))
    target = _spm_pieces(base_dir / "target.spm")
    # <s>: a control piece of target.spm that Marian's vocabulary lacks; the decoder never emits it.
    assert target - {"<s>"} <= set(vocab)
    assert target - {"<s>"} <= set(mapped)  # every piece of target.spm the model can emit
    source_only = set(vocab) - target - {"</s>", "<unk>"}
    assert ">>cmn_Hans<<" in source_only and len(source_only) > 50
    assert not set(mapped) & source_only
    assert len(mapped) == len(set(mapped)) < len(vocab)
    assert mapped == target_pieces(base_dir)


@pytest.mark.parametrize(
    ("compute_type", "beams"),
    [("float32", 1), ("float32", 4), ("int8", 4)],
    ids=["fp32-greedy", "fp32-beam4", "int8-beam4"],
)
def test_outputs_identical_with_and_without_the_map_when_other_pieces_have_no_probability(
    target_only_dir, sentences, compute_type, beams
):
    quantize = compute_type == "int8"
    generation = {"num_beams": beams}
    with_map = _translator(target_only_dir, quantize=quantize, generation=generation)
    without = _translator(target_only_dir, quantize=quantize, generation=generation, vocabulary_map=False)
    assert with_map.generation_settings()["use_vmap"] is True
    assert "use_vmap" not in without.generation_settings()
    expected = without.translate(sentences)
    assert len(set(expected)) > len(sentences) // 2  # the model does depend on its input
    assert with_map.translate(sentences) == expected


def test_the_map_is_in_force_it_keeps_source_only_pieces_out(source_loving_dir, sentences):
    with_map = _translator(source_loving_dir, generation={"num_beams": 1})
    without = _translator(source_loving_dir, generation={"num_beams": 1}, vocabulary_map=False)
    allowed = set(read_vmap(with_map.model_dir))

    def emitted(translator: Ct2Translator) -> set[str]:
        ids = translator.tokenizer([translator.prefix + s for s in sentences])["input_ids"]
        source = [translator.tokenizer.convert_ids_to_tokens(row) for row in ids]
        options = translator._options  # the options the translator passes, use_vmap included
        results = translator.model.translate_batch(source, max_input_length=0, **options)
        return {piece for r in results for piece in r.hypotheses[0]}

    assert emitted(without) - allowed  # without the map this model says source-only pieces ...
    assert emitted(with_map) <= allowed  # ... with it, never


def test_off_switch_in_models_toml(tmp_path, base_dir):
    config = tmp_path / "models.toml"
    config.write_text(
        f'[translators.zh]\npath = "{base_dir}"\ntarget_token = ">>cmn_Hans<<"\nvocabulary_map = false\n',
        encoding="utf-8",
    )
    spec = load_config(config).translators["zh"]
    assert spec.vocabulary_map is False and load_config(None).translators["zh"].vocabulary_map is True
    translator = Ct2Translator(spec, ResolvedModel(spec, base_dir, None), "cpu", 4096)
    assert "use_vmap" not in translator.generation_settings()
    assert translator.describe()["vocabulary_map"] is None
    on = Ct2Translator(
        dataclasses.replace(spec, vocabulary_map=True), ResolvedModel(spec, base_dir, None), "cpu", 4096
    )
    assert on.generation_settings()["use_vmap"] is True


def test_models_without_target_spm_get_no_map(tmp_path):
    bart = build_bart(tmp_path / "bart")
    assert target_pieces(bart) is None
    model_dir = convert_model(ResolvedModel(ModelSpec(role="summarizer", path=bart), bart, None), "int8")
    assert read_vmap(model_dir) is None and not (model_dir / VMAP_FILE).exists()
    assert os.listdir(model_dir)  # converted all the same
