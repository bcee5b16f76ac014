"""Any language end to end: `tsum all` into zh, ru, fr and ar with tiny real Marian models on both backends
(en-ar needs its target token, as opus-mt-en-ar does), and a French/Arabic glossary against an adversarial
fake model. Adding a language is a ``[translators.xx]`` table and a glossary column: nothing else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_engines import ADVERSARIAL, AdversarialTranslator
from lxml import etree
from tiny_models import REPO, build_marian

from translate_sum.cli import cli

LANGUAGES = ("zh", "ru", "fr", "ar")
TAGS = {"zh": "zh-CN", "ru": "ru", "fr": "fr", "ar": "ar"}
GLOSSARY = (
    "en\tzh\tru\tfr\tar\n"
    "SCO\t上合组织\tШОС\tOCS\tمنظمة شنغهاي للتعاون\n"
    "Weidong\t伟东\t«Вэйдун»\tWeidong\tويدونغ\n"
    "Secretary-General\t秘书长\tГенеральный секретарь\tsecrétaire général\tالأمين العام\n"
    "Qingdao\t青岛\tЦиндао\tQingdao\tتشينغداو\n"
    "Vladimir Norov\t弗拉基米尔·诺罗夫\tВладимир Норов\tVladimir Norov\tفلاديمير نوروف\n"
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def fr_ar_models(tiny_models, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fr-ar")
    return {
        **tiny_models,
        "fr": build_marian(root / "opus-mt-en-fr", "fr"),
        "ar": build_marian(root / "opus-mt-en-ar", "ar"),
    }


def _config(path: Path, models: dict[str, Path], backend: str) -> Path:
    """models.toml for four languages: one table per language, nothing else names them."""
    tokens = {"zh": ">>cmn_Hans<<", "ar": ">>ara<<"}
    tables = "".join(
        f'\n[translators.{lang}]\npath = "{models[lang]}"\nbackend = "{backend}"\n'
        + (f'target_token = "{tokens[lang]}"\n' if lang in tokens else "")
        for lang in LANGUAGES
    )
    path.write_text(
        f'[summarizer]\nengine = "abstractive"\npath = "{models["summarizer"]}"\nbackend = "{backend}"\n'
        f"{tables}\n[run]\nlanguages = {json.dumps(list(LANGUAGES))}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module", params=[pytest.param("ctranslate2", marks=pytest.mark.slow), "transformers"])
def four_languages(request, fr_ar_models, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"four-{request.param}")
    seeds = root / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    (seeds / "glossary.tsv").write_text(GLOSSARY, encoding="utf-8")
    out = root / "outputs"
    config = _config(root / "models.toml", fr_ar_models, request.param)
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(config))
    return result, out, request.param


def test_every_output_for_every_language(four_languages):
    result, out, _ = four_languages
    assert result.exit_code == 0, result.output
    assert "2 written, 0 up to date, 0 failed" in result.output
    slugs = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert len(slugs) == 2
    for slug in slugs:
        folder = out / slug
        for lang in ("en", *LANGUAGES):
            for name in (f"article.{lang}.md", f"summary.{lang}.md"):
                assert (folder / name).stat().st_size > 0, name
        for lang in LANGUAGES:
            xliff = etree.parse(str(folder / f"{slug}.en-{lang}.xlf"))
            [file_node] = xliff.getroot().findall("{urn:oasis:names:tc:xliff:document:1.2}file")
            assert file_node.get("target-language") == TAGS[lang]
        tmx = etree.parse(str(folder / f"{slug}.tmx"))
        tags = {t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in tmx.iter("tuv")}
        assert tags == {"en", *TAGS.values()}
        records = [json.loads(line) for line in (folder / "aligned.jsonl").read_text().splitlines()]
        assert all(isinstance(r[lang], str) for r in records for lang in LANGUAGES)
        header = (folder / "aligned.tsv").read_text().split("\n")[0].split("\t")
        assert set(LANGUAGES) <= set(header)
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["languages"] == list(LANGUAGES)
        assert manifest["models"]["ar"]["target_token"] == ">>ara<<"
        assert set(manifest["counts"]["glossary"]) == set(LANGUAGES)
        page = (folder / "review.html").read_text()
        assert page.count('<td class="col-ar" lang="ar" dir="rtl">') == len(records)
        assert page.count('<td class="col-fr" lang="fr">') == len(records)
        assert (folder / "article.ar.md").read_text().startswith('<div dir="rtl" lang="ar">\n\n# ')
    index = (out / "index.md").read_text()
    assert "zh, ru, fr, ar" in index


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_a_multi_target_model_needs_and_gets_its_target_token(fr_ar_models, backend):
    """en-ar serves several targets (>>ara<<, >>arz<<, ...): without a token the backend refuses, as for
    en-zh; with one, every input starts with it. en-fr has none and needs none."""
    from translate_sum.config import ModelSpec
    from translate_sum.engines.ct2.engine import Ct2Translator
    from translate_sum.engines.hf import MarianTranslator
    from translate_sum.engines.hub import ResolvedModel
    from translate_sum.errors import ConfigError

    engine = Ct2Translator if backend == "ctranslate2" else MarianTranslator
    bare = ModelSpec(role="ar", path=fr_ar_models["ar"], backend=backend)
    with pytest.raises(ConfigError, match="needs target_token"):
        engine(bare, ResolvedModel(bare, fr_ar_models["ar"], None), "cpu", 4096)
    spec = ModelSpec(role="ar", path=fr_ar_models["ar"], backend=backend, target_token=">>ara<<")
    assert engine(spec, ResolvedModel(spec, fr_ar_models["ar"], None), "cpu", 4096).prefix == ">>ara<< "
    french = ModelSpec(role="fr", path=fr_ar_models["fr"], backend=backend)
    assert engine(french, ResolvedModel(french, fr_ar_models["fr"], None), "cpu", 4096).prefix == ""


# -- a French/Arabic glossary against an adversarial model ---------------------------------------------------

FR_AR_GLOSSARY = (
    "en\tfr\tar\n"
    "SCO\tOCS\tمنظمة شنغهاي للتعاون\n"
    "Weidong\tWeidong\tويدونغ\n"
    "Secretary-General\tsecrétaire général\tالأمين العام\n"
    "Qingdao\tQingdao\tتشينغداو\n"
    "Vladimir Norov\tVladimir Norov\tفلاديمير نوروف\n"
    "COVID-19\tCOVID-19\tكوفيد-19\n"
)
FIXED = {
    line.split("\t")[0]: dict(zip(("fr", "ar"), line.split("\t")[1:], strict=True))
    for line in FR_AR_GLOSSARY.strip().split("\n")[1:]
}


@pytest.fixture
def adversarial(register_engines, tmp_path):
    register_engines(ADVERSARIAL, translator=AdversarialTranslator)
    AdversarialTranslator.batches = []
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    (seeds / "glossary.tsv").write_text(FR_AR_GLOSSARY, encoding="utf-8")
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}", encoding="utf-8")
    config = tmp_path / "models.toml"
    tables = "".join(
        f'[translators.{lang}]\npath = "{model}"\nbackend = "{ADVERSARIAL}"\n\n'
        for lang in ("zh", "fr", "ar")
    )
    config.write_text(
        f'[summarizer]\nengine = "extractive"\n\n{tables}[run]\nlanguages = ["fr", "ar"]\n', encoding="utf-8"
    )
    return seeds, config, tmp_path / "outputs"


def test_a_fr_ar_glossary_is_enforced_present_or_flagged(adversarial):
    seeds, config, out = adversarial
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(config))
    assert result.exit_code == 0, result.output
    statuses = []
    for records in (out / d.name / "aligned.jsonl" for d in out.iterdir() if d.is_dir()):
        for record in map(json.loads, records.read_text().splitlines()):
            for lang in ("fr", "ar"):
                hits = [t for t in record.get("terms", []) if t["lang"] == lang]
                flags = " ".join(
                    f["detail"] for f in record["flags"] if f["type"] == "glossary" and f["lang"] == lang
                )
                target = record[lang]
                for en in {t["en"] for t in hits}:
                    mine = [t for t in hits if t["en"] == en]
                    present = [t for t in mine if t["status"] != "flagged"]
                    # Each occurrence counted present has an occurrence of its own of the fixed form.
                    assert target.count(FIXED[en][lang]) >= len(present), (target, en)
                    if len(present) < len(mine):
                        assert repr(en) in flags, (target, en, flags)
                statuses += [t["status"] for t in hits]
    assert {"kept", "enforced", "flagged"} <= set(statuses)


def test_a_run_language_without_a_glossary_column_is_an_error_unless_optional(adversarial):
    seeds, config, out = adversarial
    result = run(
        "all", "--input", str(seeds), "--output", str(out), "--config", str(config), "--only", "fr,zh"
    )
    assert result.exit_code == 2
    assert f"{seeds / 'glossary.tsv'}: no 'zh' column" in result.output
    assert "--glossary-optional" in result.output and not out.exists()

    result = CliRunner().invoke(
        cli,
        ["all", "--input", str(seeds), "--output", str(out), "--config", str(config), "--only", "fr,zh"],
        env={"TSUM_GLOSSARY_OPTIONAL": "1"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "no 'zh' column" in result.output
    records = [
        json.loads(line)
        for d in out.iterdir()
        if d.is_dir()
        for line in (d / "aligned.jsonl").read_text().splitlines()
    ]
    assert any(t["lang"] == "fr" for r in records for t in r.get("terms", []))
    assert not any(t["lang"] == "zh" for r in records for t in r.get("terms", []))


def test_glossary_check_reports_coverage_per_language(adversarial):
    seeds, config, _ = adversarial
    result = run("glossary", "check", "--input", str(seeds), "--config", str(config))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  fr: 6 terms with a fixed form, 0 kept in English" in lines
    assert "  ar: 6 terms with a fixed form, 0 kept in English" in lines
    config.write_text(config.read_text().replace('["fr", "ar"]', '["zh", "fr"]'), encoding="utf-8")
    lines = run("glossary", "check", "--input", str(seeds), "--config", str(config)).output.splitlines()
    assert "  zh: no column: a run into zh stops unless --glossary-optional (no fixed terms)" in lines
    assert "  ar: 6 terms with a fixed form, 0 kept in English (not a language of the run)" in lines


def test_glossary_suggest_leaves_a_column_per_run_language(adversarial):
    seeds, config, _ = adversarial
    result = run("glossary", "suggest", "--input", str(seeds), "--config", str(config))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "en\tfr\tar\tcount\tarticles\texample"
    assert all(len(line.split("\t")) == 6 and line.split("\t")[1:3] == ["", ""] for line in lines[1:])
    assert len(lines) > 1
