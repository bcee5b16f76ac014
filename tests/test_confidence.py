"""The model's confidence on the tiny models: taken from the decoding pass on both backends, higher for the
model's own output than for a corrupted target scored by the same model, flagged when far below the run,
and carried through every output format, ``tsum qa`` and ``tsum memory import``."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from tiny_models import build_marian

from translate_sum.cli import cli
from translate_sum.config import ModelSpec
from translate_sum.engines.base import Scored
from translate_sum.engines.ct2 import Ct2Translator
from translate_sum.engines.hf import MarianTranslator
from translate_sum.engines.hub import ResolvedModel
from translate_sum.pipeline.article_files import read_article
from translate_sum.pipeline.stages import run_checks, translate_texts
from translate_sum.qa_files import read_units
from translate_sum.records import Translation
from translate_sum.terms.glossary import Glossary
from translate_sum.terms.guard import TermGuard

SENTENCES = [
    "The meeting was held in Beijing on Friday.",
    "The two sides discussed cooperation in education.",
    "Weidong Cloud Education has branches in 16 countries.",
    "The forum closed with a joint statement.",
]


@pytest.fixture(autouse=True)
def _tsum_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path_factory.getbasetemp() / "tsum-cache"))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A tiny en-ru Marian with larger random weights (outputs depend on the input) and a likely EOS."""
    import torch
    from transformers import MarianMTModel

    directory = build_marian(tmp_path_factory.mktemp("conf") / "en-ru", "ru", d_model=32, ffn=64)
    model = MarianMTModel.from_pretrained(directory)
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if param.dim() == 2 and "embed_positions" not in name:
                param.normal_(0.0, 0.3, generator=generator)
        model.model.shared.weight[model.config.pad_token_id].zero_()
        model.final_logits_bias[0, model.config.eos_token_id] += 2.0
    model.save_pretrained(directory)
    return directory


def _spec(directory: Path, backend: str) -> ModelSpec:
    return ModelSpec(role="ru", path=directory, backend=backend, vocabulary_map=False)


def _forced_mean(translator: MarianTranslator, source: str, target_ids: list[int]) -> float:
    """Mean log-probability per token of ``target_ids`` (EOS appended) under the model: forced decoding."""
    import torch

    model, tok = translator.model, translator.tokenizer
    labels = torch.tensor([[*target_ids, model.config.eos_token_id]])
    start = torch.tensor([[model.config.decoder_start_token_id]])
    batch = tok([source], return_tensors="pt")
    with torch.inference_mode():
        logits = model(**batch, decoder_input_ids=torch.cat([start, labels[:, :-1]], dim=1)).logits
    logprobs = torch.log_softmax(logits, dim=-1).gather(-1, labels.unsqueeze(-1))
    return float(logprobs.mean())


def test_transformers_confidence_beats_a_corrupted_target(model_dir) -> None:
    spec = _spec(model_dir, "transformers")
    translator = MarianTranslator(spec, ResolvedModel(spec, model_dir, None), "cpu", 4096)
    scored = translator.translate_scored(SENTENCES)
    assert [s.text for s in scored] == translator.translate(SENTENCES)  # the same decoding
    for source, out in zip(SENTENCES, scored, strict=True):
        ids = translator.tokenizer(text_target=out.text, add_special_tokens=False)["input_ids"]
        assert out.confidence is not None and out.confidence < 0 and out.tokens >= 1
        corrupted = list(reversed(ids)) if len(set(ids)) > 1 else ids + ids[:1] * 3
        # The search's scores are the model's after its processors (a banned <pad>): never below the raw ones.
        assert _forced_mean(translator, source, ids) <= out.confidence + 0.05
        assert _forced_mean(translator, source, corrupted) < out.confidence


def test_ctranslate2_confidence_is_its_own_score_and_beats_a_corrupted_target(model_dir) -> None:
    spec = _spec(model_dir, "ctranslate2")
    translator = Ct2Translator(spec, ResolvedModel(spec, model_dir, None), "cpu", 4096)
    scored = translator.translate_scored(SENTENCES)
    sources = [
        translator.tokenizer.convert_ids_to_tokens(row)
        for row in translator.tokenizer(SENTENCES, add_special_tokens=True)["input_ids"]
    ]
    results = translator.model.translate_batch(
        sources, max_input_length=0, return_end_token=True, **translator._options
    )
    for source, result, out in zip(sources, results, scored, strict=True):
        tokens = [t for t in result.hypotheses[0] if t != "</s>"]
        own = translator.model.score_batch([source], [tokens])[0]
        steps = len(result.hypotheses[0])  # the steps decoded: EOS included when it was generated
        assert out.tokens == steps
        assert out.confidence == pytest.approx(sum(own.log_probs[:steps]) / steps, abs=0.02)
        corrupted = list(reversed(tokens)) if len(set(tokens)) > 1 else tokens * 3
        bad = translator.model.score_batch([source], [corrupted])[0]
        assert sum(bad.log_probs) / len(bad.log_probs) < out.confidence


def test_a_planted_low_confidence_segment_is_flagged(model_dir) -> None:
    spec = _spec(model_dir, "transformers")
    translator = MarianTranslator(spec, ResolvedModel(spec, model_dir, None), "cpu", 4096)
    texts = [f"{s} It was the {n}th meeting." for n in range(6) for s in SENTENCES]
    results = translate_texts(texts, "ru", translator, TermGuard(None))
    # The planted one: a target the model did not choose, scored by the same model (forced decoding).
    source = SENTENCES[0]
    ids = translator.tokenizer(text_target=results[0].text, add_special_tokens=False)["input_ids"]
    planted = Translation(
        "подменённый текст", (), (), confidence=_forced_mean(translator, source, ids[::-1] * 2)
    )
    checked = run_checks([*texts, source], [*results, planted], [str(i) for i in range(len(texts) + 1)], "ru")
    low = [i for i, t in enumerate(checked) if any(f.type == "low_confidence" for f in t.flags)]
    assert low == [len(texts)]


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_confidence_survives_every_output_format_and_memory_import(tiny_config, tmp_path) -> None:
    seeds = tmp_path / "in"
    seeds.mkdir()
    (seeds / "forum.txt").write_text(
        "Forum on education opens\n\n" + " ".join(SENTENCES) + "\n\nThe delegation visited Qingdao.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    common = (
        "--input",
        str(seeds),
        "--output",
        str(out),
        "--config",
        str(tiny_config),
        "--summarizer",
        "extractive",
    )
    assert _run("all", *common).exit_code == 0
    [folder] = [p for p in out.iterdir() if p.is_dir()]
    records = [
        json.loads(line) for line in (folder / "aligned.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert all(set(r["confidence"]) == {"zh", "ru"} for r in records)
    expected = {(r["id"], lang): r["confidence"][lang] for r in records for lang in ("zh", "ru")}
    assert all(-50 < v < 0 for v in expected.values())

    # TSV, TMX and XLIFF carry the same values, and `tsum qa` reads them back from each.
    for name in ("aligned.tsv", f"{folder.name}.tmx", f"{folder.name}.en-zh.xlf", "aligned.jsonl"):
        units = read_units(folder / name)
        got = {(u.id, u.lang): u.confidence for u in units}
        assert {k: v for k, v in expected.items() if k in got} == pytest.approx(got), name
        assert len(got) >= len(records)
    assert {
        (s.id, lang): c for s in read_article(folder).segments for lang, c in s.confidence.items()
    } == expected

    # A CAT tool finishes one unit of the XLIFF (its notes kept); the import takes it and the next run
    # serves that target from the memory, without a model confidence.
    xlf = folder / f"{folder.name}.en-zh.xlf"
    text = xlf.read_text(encoding="utf-8")
    target_id = records[1]["id"]
    unit = re.search(rf'<trans-unit id="{target_id}".*?</trans-unit>', text, re.S).group()
    assert 'from="tsum-confidence"' in unit
    finished = unit.replace(
        'state="needs-review-translation" state-qualifier="mt-suggestion"', 'state="final"'
    )
    edited = tmp_path / "edited.xlf"
    edited.write_text(
        text.replace(unit, finished.replace(records[1]["zh"], "会议星期五在北京举行。")), encoding="utf-8"
    )
    assert _run("memory", "import", str(edited), "--output", str(out)).exit_code == 0
    assert _run("all", *common).exit_code == 0
    again = {
        r["id"]: r
        for r in map(json.loads, (folder / "aligned.jsonl").read_text(encoding="utf-8").splitlines())
    }
    assert again[target_id]["zh"] == "会议星期五在北京举行。"
    assert set(again[target_id]["confidence"]) == {"ru"}  # served in zh: no model confidence there
    root = ET.parse(folder / f"{folder.name}.tmx").getroot()
    tu = next(t for t in root.iter("tu") if t.get("tuid") == target_id)
    props = {
        tuv.get("{http://www.w3.org/XML/1998/namespace}lang"): [p.get("type") for p in tuv.iter("prop")]
        for tuv in tu.iter("tuv")
    }
    assert "x-confidence" not in props["zh-CN"] and "x-confidence" in props["ru"]
    assert os.environ.get("TSUM_CACHE")


class _Echo:
    """A translator that returns its input, scoring placeholder text (a retry) apart from plain text:
    the test is about which output's confidence is kept, not about a model."""

    def pieces(self, text):
        return [text]

    def translate_scored(self, texts, progress=None):
        return [Scored(t, -4.0 if "ZX" in t or "QZ" in t else -8.0, 4) for t in texts]


def test_after_a_placeholder_retry_the_kept_outputs_confidence_is_recorded(tmp_path) -> None:
    glossary_file = tmp_path / "glossary.tsv"
    glossary_file.write_text("en\tzh\tru\nSCO\t上合组织\tШОС\n", encoding="utf-8")
    guard = TermGuard(Glossary.load(glossary_file))
    [retried, plain] = translate_texts(["The SCO met.", "Nothing to fix."], "ru", _Echo(), guard)
    assert "ШОС" in retried.text and retried.confidence == -1.0  # the retry's output was kept
    assert plain.text == "Nothing to fix." and plain.confidence == -2.0
