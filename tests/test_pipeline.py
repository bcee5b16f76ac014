"""The pipeline's batch stages, records, manifest and fingerprint, on the tiny real models."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from seed_expectations import check_segments
from tiny_models import SEEDS

from translate_sum.config import load_config
from translate_sum.engines.loader import Engines
from translate_sum.errors import ConfigError, OptionError
from translate_sum.ingest import load_article
from translate_sum.pipeline import RunOptions, run_all
from translate_sum.pipeline.executors.base import Plan, windows
from translate_sum.pipeline.executors.local import LocalExecutor
from translate_sum.pipeline.fingerprint import HASH_CACHE_NAME, local_model_hashes, run_fingerprint
from translate_sum.pipeline.inputs import load_glossary, term_guard
from translate_sum.pipeline.manifest import ManifestContext, library_versions
from translate_sum.pipeline.run import no_progress
from translate_sum.pipeline.stages import (
    assemble_stage,
    segment_stage,
    summarize_stage,
    translate_stage,
)
from translate_sum.records import (
    ArticleJob,
    ArticleResult,
    Failed,
    Manifest,
    ModelInfo,
    Segmented,
    Summarized,
)
from translate_sum.storage import MANIFEST

NAMES = ("000_828caea308506d00.txt", "001_a2e7129abcaddcf3.txt")


@pytest.fixture(scope="module")
def engines(tiny_config):
    return Engines(load_config(tiny_config), "cpu")


@pytest.fixture(scope="module")
def jobs():
    return [ArticleJob(load_article(SEEDS / name), f"seed-{i}") for i, name in enumerate(NAMES)]


@pytest.fixture(scope="module")
def summarized(jobs, engines):
    return summarize_stage(segment_stage(jobs), engines.summarizer())


@pytest.fixture(scope="module")
def guard():
    return term_guard(load_glossary(SEEDS / "glossary.tsv"))


def _context(languages=("zh", "ru")) -> ManifestContext:
    return ManifestContext(languages=languages, fingerprint={}, settings={"device": "cpu"})


# --- stages ------------------------------------------------------------------------------------------


def test_segment_stage_cuts_each_article_and_passes_failures_through(jobs):
    failed = Failed(jobs[0], "earlier problem")
    out = segment_stage(jobs)
    assert [type(r) for r in out] == [Segmented, Segmented]
    for job, record in zip(jobs, out, strict=True):
        assert record.job is job
        check_segments(job.article.path.name, job.article.path, [(s.id, s.kind, s.en) for s in record.source])
        assert record.body == [s.en for s in record.source if s.kind == "body"]
    assert segment_stage([]) == []
    passed = summarize_stage([failed, *out[:1]], _NoSummary())
    assert passed[0] is failed and isinstance(passed[1], Summarized)


class _NoSummary:
    """A summarizer that returns nothing: the stage must still give each article a record."""

    def summarize_many(self, articles, progress=None):
        return [[] for _ in articles]

    def describe(self):
        return {"engine": "none"}


def test_summarize_stage_batches_articles_exactly_as_one_at_a_time(jobs, engines, summarized):
    summarizer = engines.summarizer()
    for record in summarized:
        assert isinstance(record, Summarized)
        body = [s.en for s in record.source if s.kind == "body"]
        alone = [s for s in summarizer.summarize(body) if s.strip()]
        assert [s.en for s in record.summary] == alone
        assert [s.id for s in record.summary] == [f"s{i}" for i in range(len(alone))]
        source_ids = {s.id for s in record.source if s.kind == "body"}
        assert set(record.support) == {s.id for s in record.summary}
        assert all(sup.id in source_ids for sups in record.support.values() for sup in sups)
        assert {"segment", "summarize", "align"} <= set(record.timings)


def test_translate_stage_returns_new_records_and_leaves_its_input_alone(summarized, engines, guard):
    before = [dataclasses.replace(r) for r in summarized]
    zh = translate_stage(summarized, "zh", engines.translator("zh"), guard)
    both = translate_stage(zh, "ru", engines.translator("ru"), guard)
    assert [r.translations for r in summarized] == [{}, {}]  # nothing mutated
    assert summarized == before
    assert [list(r.translations) for r in zh] == [["zh"], ["zh"]]
    for record in both:
        assert list(record.translations) == ["zh", "ru"]
        for lang in ("zh", "ru"):
            result = record.translations[lang]
            assert len(result.segments) == len(record.segments)
            assert set(result.terms) == {"found", "kept", "enforced", "flagged"}
            assert result.model["target_token"] == (">>cmn_Hans<<" if lang == "zh" else None)
    # Glossary terms of the seeds are in every article: each is kept, enforced or flagged, never lost.
    counts = both[0].translations["zh"].terms
    assert counts["found"] > 0 and counts["found"] == counts["kept"] + counts["enforced"] + counts["flagged"]


def test_translate_stage_batch_across_articles_matches_one_article_at_a_time(summarized, engines, guard):
    translator = engines.translator("zh")
    together = translate_stage(summarized, "zh", translator, guard)
    alone = [translate_stage([r], "zh", translator, guard)[0] for r in summarized]
    # The same sentences in other batches: the same words (the model sees the same tokens).
    for a, b in zip(together, alone, strict=True):
        assert [t.text for t in a.translations["zh"].segments] == [
            t.text for t in b.translations["zh"].segments
        ]


class _Breaks:
    """A translator that fails on one sentence: the article holding it must fail alone."""

    def __init__(self, inner, poison: str) -> None:
        self.inner, self.poison = inner, poison

    def pieces(self, text):
        return self.inner.pieces(text)

    def translate_scored(self, texts, progress=None):
        if any(self.poison in t for t in texts):
            raise RuntimeError("model crashed on this sentence")
        return self.inner.translate_scored(texts, progress=progress)

    def describe(self):
        return self.inner.describe()


def test_an_article_that_breaks_a_shared_batch_fails_alone(summarized, engines, guard):
    poison = summarized[1].source[-1].en
    out = translate_stage(summarized, "zh", _Breaks(engines.translator("zh"), poison), guard)
    assert isinstance(out[0], Summarized) and "zh" in out[0].translations
    assert isinstance(out[1], Failed)
    assert "unexpected RuntimeError: model crashed on this sentence" in out[1].error
    assert str(summarized[1].job.article.path) in out[1].error


def test_a_configuration_error_in_a_stage_stops_the_run(summarized, engines, guard):
    class Misconfigured(_Breaks):
        def translate_scored(self, texts, progress=None):
            raise ConfigError("model for zh cannot be loaded")

    with pytest.raises(ConfigError, match="cannot be loaded"):
        translate_stage(summarized, "zh", Misconfigured(engines.translator("zh"), ""), guard)


def test_assemble_stage_aligns_every_language_and_builds_the_manifest(summarized, engines, guard):
    items = translate_stage(summarized, "zh", engines.translator("zh"), guard)
    items = translate_stage(items, "ru", engines.translator("ru"), guard)
    [first, second] = assemble_stage([*items, Failed(items[0].job, "x")][1:], _context())
    assert isinstance(first, ArticleResult) and isinstance(second, Failed)
    record = items[1]
    assert [s.id for s in first.segments] == [s.id for s in record.source + record.summary]
    for n, segment in enumerate(first.segments):
        zh, ru = (record.translations[lang].segments[n] for lang in ("zh", "ru"))
        assert segment.translations == {"zh": zh.text, "ru": ru.text}
        assert segment.flags == [*zh.flags, *ru.flags]  # zh's flags first, as the languages run
        assert segment.terms == [*zh.terms, *ru.terms]
        assert segment.support == list(record.support.get(segment.id, ()))
    manifest = first.manifest
    assert manifest.segments == len(first.segments)
    assert manifest.models["zh"].target_token == ">>cmn_Hans<<"
    assert manifest.glossary_counts == {lang: record.translations[lang].terms for lang in ("zh", "ru")}
    assert sum(manifest.flags.values()) == sum(len(s.flags) for s in first.segments)


# --- records -----------------------------------------------------------------------------------------


def test_manifest_round_trips_and_reads_partial_dictionaries():
    manifest = Manifest(
        tsum_version="9.9",
        input_path="in/a.txt",
        input_sha256="ab" * 32,
        title="T",
        languages=("zh",),
        models={"zh": ModelInfo(id="m", revision="r", backend="ctranslate2", extra={"compute_type": "int8"})},
        glossary_path="g.tsv",
        glossary_sha256="cd" * 32,
        libraries={"torch": "2.0"},
        timings={"segment": 0.1},
        segments=3,
        flags={"numbers": 1},
        glossary_counts={"zh": {"found": 1}},
        fingerprint="f" * 64,
    )
    data = manifest.to_dict()
    assert Manifest.from_dict(json.loads(json.dumps(data))) == manifest
    assert data["models"]["zh"]["compute_type"] == "int8" and data["counts"]["segments"] == 3
    assert Manifest.from_dict({}) == Manifest()
    assert Manifest.from_dict({"models": {"zh": "not a table"}, "timings": {"x": "slow"}}).models == {}


def test_library_versions_name_the_libraries_that_shape_outputs():
    versions = library_versions()
    assert set(versions) == {"torch", "transformers", "ctranslate2", "pysbd", "tsum"}
    assert all(versions[name] for name in ("torch", "transformers", "ctranslate2", "pysbd", "tsum"))


# --- fingerprint -------------------------------------------------------------------------------------


def _extractive(config):
    return dataclasses.replace(config, summarizer=dataclasses.replace(config.summarizer, engine="extractive"))


def test_replacing_a_local_models_files_redoes_the_articles_moving_them_does_not(
    tiny_models, tmp_path, seeds_copy
):
    zh = tmp_path / "zh-model"
    shutil.copytree(tiny_models["zh"], zh)
    config_file = tmp_path / "models.toml"
    config_file.write_text(
        f'[summarizer]\nengine = "extractive"\n\n[translators.zh]\npath = "{zh}"\n'
        'target_token = ">>cmn_Hans<<"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"

    def run(config_path=config_file):
        options = RunOptions(seeds_copy, out, load_config(config_path), ("zh",))
        return sorted(e.status for e in run_all(options).entries)

    assert run() == ["done", "done"]
    assert run() == ["skipped", "skipped"]
    # The same files under another path: nothing to redo.
    moved = tmp_path / "moved-zh"
    shutil.copytree(zh, moved)
    other = tmp_path / "other.toml"
    other.write_text(config_file.read_text(encoding="utf-8").replace(str(zh), str(moved)), encoding="utf-8")
    assert run(other) == ["skipped", "skipped"]
    # Other weights at the same path: every article is redone.
    shutil.copy(tiny_models["ru"] / "model.safetensors", zh / "model.safetensors")
    (zh / "pytorch_model.bin").unlink(missing_ok=True)
    assert run() == ["done", "done"]
    assert run() == ["skipped", "skipped"]


def test_unchanged_model_files_are_not_hashed_again(tiny_models, tmp_path, monkeypatch):
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "zh"
    shutil.copytree(tiny_models["zh"], model)
    (tmp_path / "m.toml").write_text(f'[translators.zh]\npath = "{model}"\n', encoding="utf-8")
    config = load_config(tmp_path / "m.toml")
    first = local_model_hashes(_extractive(config), ("zh",))
    assert first["zh"] and all(len(h) == 64 for h in first["zh"].values())
    cache_file = tmp_path / "cache" / HASH_CACHE_NAME
    cache = json.loads(cache_file.read_text(encoding="utf-8"))
    # Plant a wrong hash under the file's unchanged size and time: it is used, so the file was not read.
    key = next(k for k in cache if k.endswith("config.json"))
    cache[key][2] = "0" * 64
    cache_file.write_text(json.dumps(cache), encoding="utf-8")
    assert local_model_hashes(_extractive(config), ("zh",))["zh"]["config.json"] == "0" * 64
    # A changed file (another size) is hashed again.
    target = model / "config.json"
    target.write_bytes(target.read_bytes() + b"\n")
    assert local_model_hashes(_extractive(config), ("zh",))["zh"]["config.json"] != "0" * 64


def test_fingerprint_records_glossary_languages_and_model_content(tiny_config):
    config = load_config(tiny_config)
    fingerprint = run_fingerprint(config, ("zh",), "g" * 64)
    assert fingerprint["glossary_sha256"] == "g" * 64 and fingerprint["languages"] == ["zh"]
    assert set(fingerprint["local_models"]) == {"summarizer", "zh"}  # ru is not used by this run
    assert fingerprint["config"]["translators"]["zh"]["path"] == "local"


# --- the local executor ------------------------------------------------------------------------------


def test_windows_are_consecutive_and_cover_every_article():
    assert windows(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert windows([], 3) == []


def test_local_executor_loads_one_model_at_a_time_and_hands_back_each_window(jobs, tiny_config):
    config = load_config(tiny_config)
    plan = Plan(config, ("zh", "ru"), "cpu", None, _context(), window=1)
    executor = LocalExecutor()
    handed = list(executor.run(jobs, plan, no_progress))
    assert [[r.slug for r in window] for window in handed] == [["seed-0"], ["seed-1"]]
    assert executor.models_loaded == ["summarizer", "zh", "ru"] * 2  # released after each stage
    assert executor.load_seconds is not None and executor.load_seconds > 0
    kept = LocalExecutor(release_models=False)
    list(kept.run(jobs, plan, no_progress))
    assert kept.models_loaded == ["summarizer", "zh", "ru"]


def test_each_window_is_written_before_the_next_one_starts(tiny_config, tmp_path, seeds_copy):
    out = tmp_path / "out"
    seen: list[list[str]] = []

    @contextmanager
    def progress(description, total):
        if description == "summarize":
            seen.append(sorted(p.parent.name for p in out.glob(f"*/{MANIFEST}")))
        yield lambda n=1: None

    options = RunOptions(seeds_copy, out, _extractive(load_config(tiny_config)), ("zh",), window=1)
    report = run_all(options, progress=progress)
    assert [e.status for e in report.entries] == ["done", "done"]
    assert len(seen) == 2 and seen[0] == [] and len(seen[1]) == 1
    manifest = json.loads((out / seen[1][0] / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["settings"]["executor"] == "local" and manifest["settings"]["window"] == 1
    assert manifest["libraries"]["ctranslate2"]


@pytest.mark.parametrize(
    ("changes", "option", "message"),
    [
        ({"executor": "spark"}, "executor", "executor 'spark': choose from local, ray"),
        ({"window": 0}, "window", "window 0: must be a whole number of 1 or more"),
        ({"languages": ("de",)}, "languages", "language 'de' has no translator: choose from zh, ru"),
        ({"ray_address": "10.0.0.5:6379"}, "ray_address", "a Ray cluster address needs the ray executor"),
    ],
)
def test_run_options_are_checked_once_in_neutral_words(
    tiny_config, tmp_path, seeds_copy, changes, option, message
):
    # The library names the option, never a command-line flag; the CLI adds its flag (test_cli).
    config = load_config(tiny_config)
    arguments = {"languages": ("zh",), **changes}
    with pytest.raises(OptionError) as caught:
        RunOptions(seeds_copy, tmp_path, config, **arguments)
    assert caught.value.option == option
    assert str(caught.value).startswith(message) and "--" not in str(caught.value)
    assert not tmp_path.joinpath("index.html").exists()


def test_run_options_default_to_the_configured_languages_and_a_window_of_32(
    tiny_config, tmp_path, seeds_copy
):
    options = RunOptions(seeds_copy, tmp_path, load_config(tiny_config))
    assert options.languages == ("zh", "ru") and options.window == 32


# --- one plan of stages ------------------------------------------------------------------------------


def test_the_plan_orders_the_stages_once_for_every_interpreter():
    from translate_sum.pipeline.plan import Step, stage_order

    assert stage_order(("zh", "ru")) == (
        Step("segment"),
        Step("summarize", "summarizer"),
        Step("translate", "zh"),
        Step("translate", "ru"),
        Step("assemble"),
    )
    assert stage_order(("zh",), summarize=False)[1] == Step("summarize", None)
    assert stage_order((), assemble=False) == (Step("segment"), Step("summarize", "summarizer"))
    # The executors and the one-file commands call no stage function themselves: they interpret the plan.
    package = Path(__file__).resolve().parents[1] / "translate_sum"
    for name in ("pipeline/executors/local.py", "pipeline/executors/ray.py", "single.py"):
        source = (package / name).read_text(encoding="utf-8")
        for stage in (
            "segment_stage",
            "summarize_stage",
            "translate_stage",
            "assemble_stage",
            "segment_article",
        ):
            assert stage not in source, f"{name} calls {stage} directly"
        assert "AlignedSegment(" not in source


def test_thread_counts_travel_with_the_plan_not_the_environment(monkeypatch):
    import torch

    from translate_sum.engines.hub import cpu_threads, load_threads

    monkeypatch.delenv("TSUM_THREADS", raising=False)
    before = torch.get_num_threads()
    try:
        with cpu_threads(3):
            assert load_threads() == 3 and torch.get_num_threads() == 3
        assert load_threads() == (os.cpu_count() or 1)
        assert "TSUM_THREADS" not in os.environ
    finally:
        torch.set_num_threads(before)
    package = Path(__file__).resolve().parents[1] / "translate_sum"
    assert not [p for p in package.rglob("*.py") if "TSUM_THREADS" in p.read_text(encoding="utf-8")]


def test_single_file_translation_runs_the_plan_without_a_summarizer(tiny_config, monkeypatch):
    import translate_sum.engines.loader
    from translate_sum.single import translate_file

    def no_summarizer(*args, **kwargs):
        raise AssertionError("tsum translate loaded a summarizer")

    monkeypatch.setattr(translate_sum.engines.loader, "make_summarizer", no_summarizer)
    segments = translate_file(SEEDS / "000_828caea308506d00.txt", "zh", load_config(tiny_config))
    assert segments and all(s.kind != "summary" and set(s.translations) == {"zh"} for s in segments)
    assert all(t.lang == "zh" for s in segments for t in s.terms)
