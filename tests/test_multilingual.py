"""The multilingual engine (tiny NLLB-200 and M2M100 models): one model, a target code per language,
both backends, and one load serving every language that names the model."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import ctranslate2  # noqa: F401 - a required dependency: a broken install fails here, never skips
import pytest
from tiny_models import SEEDS, build_m2m100, build_nllb, seed_lines

from translate_sum.config import ModelSpec, load_config
from translate_sum.engines.ct2 import Ct2MultilingualTranslator
from translate_sum.engines.hf import MarianTranslator, MultilingualTranslator
from translate_sum.engines.hub import ResolvedModel
from translate_sum.engines.loader import Engines
from translate_sum.errors import ConfigError
from translate_sum.ingest import load_article
from translate_sum.pipeline.executors.local import LocalExecutor
from translate_sum.pipeline.executors.ray import _model_groups
from translate_sum.pipeline.manifest import ManifestContext
from translate_sum.pipeline.plan import Plan, Step, no_progress, stage_order
from translate_sum.pipeline.run import RunOptions, run_all
from translate_sum.records import ArticleJob
from translate_sum.segment import split_sentences


@pytest.fixture(scope="module")
def m2m_dir(tmp_path_factory) -> Path:
    return build_m2m100(tmp_path_factory.mktemp("m2m100") / "m2m100")


@pytest.fixture(autouse=True)
def _tsum_cache(tmp_path_factory, monkeypatch):
    """Conversions go to a cache shared by this module's tests, never to the user's home."""
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path_factory.getbasetemp() / "tsum-cache-multilingual"))


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    return [s for line in seed_lines() for s in split_sentences(line)][:12]


def _spec(directory: Path, lang: str, backend: str = "ctranslate2", **changes) -> ModelSpec:
    changes.setdefault("target_code", lang)
    return ModelSpec(
        role=lang, path=directory, backend=backend, engine="multilingual", vocabulary_map=False, **changes
    )


def _config(tmp_path: Path, m2m_dir: Path, backend: str = "ctranslate2", ru_code: str = "ru") -> Path:
    path = tmp_path / "models.toml"
    path.write_text(
        '[summarizer]\nengine = "extractive"\n\n'
        f'[translators.zh]\nengine = "multilingual"\npath = "{m2m_dir}"\ntarget_code = "zh"\nbackend = "{backend}"\n\n'
        f'[translators.ru]\nengine = "multilingual"\npath = "{m2m_dir}"\ntarget_code = "{ru_code}"\n'
        f'backend = "{backend}"\n\n[run]\nlanguages = ["zh", "ru"]\n',
        encoding="utf-8",
    )
    return path


# --- models.toml ------------------------------------------------------------------------------------


def test_a_multilingual_table_is_read_with_its_codes(tmp_path, m2m_dir):
    config = load_config(_config(tmp_path, m2m_dir))
    zh, ru = config.translators["zh"], config.translators["ru"]
    assert (zh.engine, zh.target_code, zh.source_code) == ("multilingual", "zh", None)
    # The built-in zh translator's OPUS-MT target token is not inherited, and no vocabulary map applies.
    assert zh.target_token is None and zh.vocabulary_map is False
    assert zh.load_key() == ru.load_key()  # one model for both
    # The target code is part of what the outputs depend on: changing it redoes the articles.
    assert zh.fingerprint()["target_code"] == "zh"
    assert config.fingerprint(("ru",)) != load_config(_config(tmp_path, m2m_dir, ru_code="uk")).fingerprint(
        ("ru",)
    )


def test_default_translators_keep_their_fingerprint_keys():
    """Outputs made before the engine existed stay current: a Marian spec's fingerprint has no new keys."""
    fingerprint = ModelSpec(role="ru", model="Helsinki-NLP/opus-mt-en-ru").fingerprint()
    assert not {"engine", "target_code", "source_code"} & set(fingerprint)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'engine = "multilingual"\nmodel = "facebook/nllb-200-distilled-600M"\n',
            r'\[translators.zh\] engine = "multilingual" needs target_code.*"zho_Hans"',
        ),
        (
            'engine = "multilingual"\nmodel = "facebook/nllb-200-distilled-600M"\ntarget_code = "zho_Hans"\n'
            'target_token = ">>cmn_Hans<<"\n',
            r"\[translators.zh\] .*takes target_code, not target_token",
        ),
        (
            'model = "Helsinki-NLP/opus-mt-en-zh"\ntarget_code = "zho_Hans"\n',
            r'\[translators.zh\] sets target_code, which only engine = "multilingual" uses',
        ),
        ('engine = "nllb"\nmodel = "x"\n', r"\[translators.zh\] engine must be one of marian, multilingual"),
        (
            'engine = "multilingual"\nmodel = "x"\ntarget_code = "zho_Hans"\nvocabulary_map = true\n',
            r"\[translators.zh\] vocabulary_map = true is for OPUS-MT",
        ),
    ],
)
def test_a_bad_multilingual_table_names_the_file_and_table(tmp_path, table, message):
    path = tmp_path / "models.toml"
    path.write_text(f"[translators.zh]\n{table}", encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}: ")


def test_a_code_the_model_does_not_know_fails_before_any_work(tmp_path, m2m_dir):
    config = load_config(_config(tmp_path, m2m_dir, ru_code="rus_Cyrl"))  # NLLB's code, not M2M100's
    with pytest.raises(ConfigError) as error:
        Engines(config, "cpu").check_available(("zh", "ru"))
    message = str(error.value)
    assert message.startswith(f"{tmp_path / 'models.toml'}: [translators.ru] target_code 'rus_Cyrl'")
    assert "it knows: af, am, ar" in message


# --- translation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tiny:
    """A tiny multilingual model and its codes: M2M100's (``zh``, token ``__zh__``) or NLLB-200's
    (``zho_Hans``, the token itself)."""

    kind: str
    directory: Path

    def code(self, lang: str) -> str:
        return {"en": "eng_Latn", "zh": "zho_Hans", "ru": "rus_Cyrl"}[lang] if self.kind == "nllb" else lang

    def token(self, lang: str) -> str:
        return self.code(lang) if self.kind == "nllb" else f"__{lang}__"

    def spec(self, lang: str, backend: str = "ctranslate2", **changes) -> ModelSpec:
        return _spec(self.directory, lang, backend, target_code=self.code(lang), **changes)


@pytest.fixture(scope="module")
def nllb_dir(tmp_path_factory) -> Path:
    return build_nllb(tmp_path_factory.mktemp("nllb") / "nllb-200")


@pytest.fixture(params=["m2m100", "nllb"])
def tiny(request) -> Tiny:
    return Tiny(
        request.param, request.getfixturevalue("m2m_dir" if request.param == "m2m100" else "nllb_dir")
    )


@pytest.mark.parametrize("beams", [1, 4])
def test_both_backends_translate_alike_with_the_same_confidence(tiny, sentences, beams):
    """CTranslate2 (target_prefix) and transformers (forced_bos_token_id) give the same text and score."""
    outputs = {}
    for lang in ("zh", "ru"):
        spec = tiny.spec(lang, quantize=False, generation={"num_beams": beams})
        resolved = ResolvedModel(spec, tiny.directory, None)
        hf = MultilingualTranslator(spec, resolved, "cpu", 4096).translate_scored(sentences)
        ct2 = Ct2MultilingualTranslator(spec, resolved, "cpu", 4096).translate_scored(sentences)
        assert [s.text for s in ct2] == [s.text for s in hf]
        assert len({s.text for s in hf}) > 1  # the output depends on the input
        for a, b in zip(hf, ct2, strict=True):
            # Tokens after the target code (EOS included); the forced code itself has probability 1.
            assert a.tokens == b.tokens and 0 < a.tokens < 24
            assert a.logprob == pytest.approx(b.logprob, abs=1e-3)
        outputs[lang] = [s.text for s in hf]
    assert outputs["zh"] != outputs["ru"]  # the target code changes what the model writes


def test_transformers_forces_the_target_token_first(tiny, sentences):
    translator = MultilingualTranslator(
        tiny.spec("ru", backend="transformers"), _resolved(tiny.directory), "cpu", 4096
    )
    generate, seen = translator.model.generate, []

    def recording(**kwargs):
        out = generate(**kwargs)
        seen.append((kwargs["input_ids"].tolist(), out.sequences.tolist()))
        return out

    translator.model.generate = recording
    texts = translator.translate(sentences[:4])
    tokenizer = translator.tokenizer
    [(inputs, sequences)] = seen
    en, ru, eos = (tokenizer.convert_tokens_to_ids(t) for t in (tiny.token("en"), tiny.token("ru"), "</s>"))
    assert all(row[0] == en and eos in row for row in inputs)  # source: its language token, text, </s>
    assert all(row[:2] == [2, ru] for row in sequences)  # decoder start, then the target's token
    assert not any(tiny.token("ru") in text or tiny.token("en") in text for text in texts)
    assert translator.describe()["target_code"] == tiny.code("ru")
    assert translator.generation_settings()["forced_bos_token_id"] == ru


class _Recording:
    """A ctranslate2.Translator seen through: what each translate_batch call got and gave back."""

    def __init__(self, model) -> None:
        self.model, self.calls = model, []

    def __getattr__(self, name):
        return getattr(self.model, name)

    def translate_batch(self, source, **kwargs):
        results = self.model.translate_batch(source, **kwargs)
        self.calls.append((source, kwargs, [r.hypotheses[0] for r in results]))
        return results


def test_ctranslate2_starts_every_hypothesis_with_the_target_token(tiny, sentences):
    translator = Ct2MultilingualTranslator(tiny.spec("zh"), _resolved(tiny.directory), "cpu", 4096)
    translator.model = _Recording(translator.model)
    texts = translator.translate(sentences[:4])
    [(source, options, hypotheses)] = translator.model.calls
    zh = tiny.token("zh")
    assert all(row[0] == tiny.token("en") and row[-1] == "</s>" for row in source)
    assert options["target_prefix"] == [[zh]] * len(source)
    assert all(h[0] == zh for h in hypotheses)
    assert not any(zh in text for text in texts)
    assert translator.generation_settings()["target_prefix"] == [zh]
    assert translator.describe()["target_code"] == tiny.code("zh")


def test_conversion_keeps_the_language_tokens_at_their_ids(tiny):
    """transformers 5's M2M100 tokenizer leaves its language tokens out of get_vocab(); the converted
    vocabulary still holds each at the id the model was trained with (not a made-up word)."""
    translator = Ct2MultilingualTranslator(tiny.spec("zh"), _resolved(tiny.directory), "cpu", 4096)
    vocabulary = json.loads((translator.model_dir / "shared_vocabulary.json").read_text(encoding="utf-8"))
    tokenizer = translator.tokenizer
    for token in (tiny.token("en"), tiny.token("zh"), tiny.token("ru")):
        assert vocabulary[tokenizer.convert_tokens_to_ids(token)] == token


def test_a_long_sentence_is_split_to_the_input_limit_with_the_language_token_on_every_piece(m2m_dir):
    long = " ".join(seed_lines()[1:3])
    translator = Ct2MultilingualTranslator(
        _spec(m2m_dir, "zh", max_input_tokens=24), _resolved(m2m_dir), "cpu", 4096
    )
    assert translator.max_input_tokens == 24
    pieces = translator.pieces(long)
    assert len(pieces) > 1 and max(translator.count_tokens(pieces)) <= 24
    translator.model = _Recording(translator.model)
    [scored] = translator.translate_scored([long])
    [(source, _, _)] = translator.model.calls
    assert len(source) == len(pieces)
    assert all(row[0] == "__en__" and row[-1] == "</s>" and len(row) <= 24 for row in source)
    assert scored.text and scored.confidence is not None


def _resolved(directory: Path) -> ResolvedModel:
    return ResolvedModel(ModelSpec(role="x", path=directory), directory, None)


# --- one load for every language --------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_languages_naming_one_model_share_one_load(tmp_path, m2m_dir, sentences, backend):
    engines = Engines(load_config(_config(tmp_path, m2m_dir, backend)), "cpu")
    zh, ru = engines.translator("zh"), engines.translator("ru")
    assert engines.loaded == ["zh"]  # ru was built on zh's model
    assert zh.model is ru.model and zh.tokenizer is ru.tokenizer
    assert zh.translate(sentences[:3]) != ru.translate(sentences[:3])
    engines.release("ru")  # releases the model, whichever language's translator holds it
    engines.translator("ru")
    assert engines.loaded == ["zh", "ru"]


def test_an_opus_mt_model_with_several_targets_is_shared_too(tmp_path, tiny_models):
    path = tmp_path / "models.toml"
    path.write_text(
        f'[summarizer]\nengine = "extractive"\n\n[translators.zh]\npath = "{tiny_models["zh"]}"\n'
        'target_token = ">>cmn_Hans<<"\nbackend = "transformers"\n\n'
        f'[translators.zh-Hant]\npath = "{tiny_models["zh"]}"\ntarget_token = ">>cmn_Hant<<"\n'
        'backend = "transformers"\n',
        encoding="utf-8",
    )
    engines = Engines(load_config(path), "cpu")
    hans, hant = engines.translator("zh"), engines.translator("zh-Hant")
    assert isinstance(hant, MarianTranslator) and hans.model is hant.model
    assert (hans.prefix, hant.prefix, engines.loaded) == (">>cmn_Hans<< ", ">>cmn_Hant<< ", ["zh"])


def test_languages_sharing_a_model_are_translated_one_after_another(tmp_path, m2m_dir, tiny_models):
    path = _config(tmp_path, m2m_dir)
    text = path.read_text(encoding="utf-8").replace(
        'languages = ["zh", "ru"]', 'languages = ["zh", "fr", "ru"]'
    )
    path.write_text(text + f'\n[translators.fr]\npath = "{tiny_models["ru"]}"\n', encoding="utf-8")
    config = load_config(path)
    steps = stage_order(("zh", "fr", "ru"), config=config)
    assert [s.model for s in steps if s.stage == "translate"] == ["zh", "ru", "fr"]
    assert [s.model for s in stage_order(("zh", "fr", "ru"))[2:5]] == [
        "zh",
        "fr",
        "ru",
    ]  # no config: as given
    plan = Plan(config, ("zh", "fr", "ru"), "cpu", None, _context(("zh", "fr", "ru")), steps=steps)
    # Ray runs zh and ru in one actor pool, whose actors load the model once.
    assert [[plan.stages[i] for i in group] for group in _model_groups(plan)][2] == [
        Step("translate", "zh"),
        Step("translate", "ru"),
    ]


def _context(languages) -> ManifestContext:
    return ManifestContext(languages=tuple(languages), fingerprint={}, settings={})


def test_a_run_into_two_languages_loads_the_multilingual_model_once(tmp_path, m2m_dir):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[0], seeds)
    out = tmp_path / "out"
    config_path = _config(tmp_path, m2m_dir)
    report = run_all(RunOptions(seeds, out, load_config(config_path)))
    assert [e.status for e in report.entries] == ["done"]
    assert report.models_loaded == ["summarizer", "zh"]  # one load served zh and ru
    [folder] = [p for p in out.iterdir() if p.is_dir()]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    models = manifest["models"]
    assert (models["zh"]["target_code"], models["ru"]["target_code"]) == ("zh", "ru")
    rows = [json.loads(line) for line in (folder / "aligned.jsonl").read_text(encoding="utf-8").splitlines()]
    translated = [r for r in rows if r["kind"] != "end_matter"]
    assert translated and all(r["zh"] or r["ru"] for r in translated)
    assert [r["zh"] for r in translated] != [r["ru"] for r in translated]
    assert all(set(r["confidence"]) == {"zh", "ru"} for r in translated)  # scored like Marian's
    assert [e.status for e in run_all(RunOptions(seeds, out, load_config(config_path))).entries] == [
        "skipped"
    ]
    (tmp_path / "uk").mkdir()
    other = _config(tmp_path / "uk", m2m_dir, ru_code="uk")
    # Another target code for ru: the article is redone.
    assert [e.status for e in run_all(RunOptions(seeds, out, load_config(other))).entries] == ["done"]


def test_the_local_executor_keeps_a_shared_model_between_its_languages(tmp_path, m2m_dir):
    config = load_config(_config(tmp_path, m2m_dir))
    seeds = sorted(SEEDS.glob("*.txt"))[:1]
    jobs = [ArticleJob(load_article(p), f"seed-{i}", False) for i, p in enumerate(seeds)]
    plan = Plan(config, ("zh", "ru"), "cpu", None, _context(("zh", "ru")), window=1)
    executor = LocalExecutor()
    [[result]] = list(executor.run(jobs, plan, no_progress))
    assert executor.models_loaded == ["summarizer", "zh"]
    assert set(result.manifest.models) >= {"zh", "ru"}
