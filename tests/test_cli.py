"""`tsum` end to end through the CLI on the shipped seeds, with the tiny real models."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter

import pytest
import term_oracle
from click.testing import CliRunner
from conftest import refusing_engines
from seed_expectations import check_segments
from tiny_models import REPO

from translate_sum.cli import cli

SLUGS = {
    "000_828caea308506d00.txt": "2020-07-24-the-deputy-secretary-general-of-the-sco-visited-weidong",
    "001_a2e7129abcaddcf3.txt": "president-of-the-weidong-group-visits-sco-secretariat",
}
ARTICLE_FILES = [
    "article.en.md",
    "article.zh.md",
    "article.ru.md",
    "summary.en.md",
    "summary.zh.md",
    "summary.ru.md",
    "aligned.jsonl",
    "aligned.tsv",
    "review.html",
    "manifest.json",
]


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def first_run(tiny_config, tmp_path_factory):
    """One full `tsum all` over a copy of seeds/, shared by the assertions below."""
    import shutil

    root = tmp_path_factory.mktemp("e2e")
    seeds = root / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    out = root / "outputs"
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config))
    mp.undo()
    return result, seeds, out


def test_all_writes_every_file_for_both_seeds(first_run):
    result, _, out = first_run
    assert result.exit_code == 0, result.output
    assert "2 written, 0 up to date, 0 failed" in result.output
    # Where the time went: each of the three models loaded once, and timed.
    loading = re.search(
        r"time: start-up [\d.]+ s, loading models ([\d.]+) s \(3 loads\), work [\d.]+ s", result.output
    )
    assert loading and float(loading[1]) > 0, result.output
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(SLUGS.values())
    for slug in SLUGS.values():
        for name in ARTICLE_FILES + [f"{slug}.tmx", f"{slug}.en-zh.xlf", f"{slug}.en-ru.xlf"]:
            assert (out / slug / name).stat().st_size > 0, name
        assert not list((out / slug).glob(".*.tmp"))
    assert (out / "index.md").is_file() and (out / "index.html").is_file()
    index = (out / "index.md").read_text()
    assert all(slug in index for slug in SLUGS.values())


def test_aligned_records_cover_every_segment(first_run):
    _, seeds, out = first_run
    for name, slug in SLUGS.items():
        records = [json.loads(line) for line in (out / slug / "aligned.jsonl").read_text().splitlines()]
        check_segments(
            name, seeds / name, [(r["id"], r["kind"], r["en"]) for r in records if r["kind"] != "summary"]
        )
        kinds = {r["kind"] for r in records}
        assert {"title", "body", "summary"} <= kinds
        if name.startswith("000"):
            assert "caption" in kinds
        ids = {r["id"] for r in records}
        for record in records:
            assert set(record) >= {"id", "paragraph", "kind", "en", "zh", "ru", "support", "flags"}
            assert isinstance(record["zh"], str) and isinstance(record["ru"], str)
            if record["kind"] == "summary":
                assert record["paragraph"] == -1
                assert all(s["id"] in ids and 0 < s["score"] <= 1 for s in record["support"])
            else:
                assert record["support"] == []


def test_markdown_keeps_paragraphs(first_run):
    _, seeds, out = first_run
    from translate_sum.ingest import load_article

    article = load_article(seeds / "000_828caea308506d00.txt")
    slug = SLUGS["000_828caea308506d00.txt"]
    english = (out / slug / "article.en.md").read_text()
    assert english.startswith("# " + article.title)
    for paragraph in article.paragraphs[1:]:
        assert paragraph.text.split(":")[-1].strip() in english
    zh_blocks = [b for b in (out / slug / "article.zh.md").read_text().split("\n\n") if b.strip()]
    en_blocks = [b for b in english.split("\n\n") if b.strip()]
    assert len(zh_blocks) == len(en_blocks)


def test_manifest_records_reproducibility(first_run, tiny_models):
    _, seeds, out = first_run
    manifest = json.loads((out / SLUGS["000_828caea308506d00.txt"] / "manifest.json").read_text())
    assert manifest["input"]["path"].endswith("000_828caea308506d00.txt")
    assert len(manifest["input"]["sha256"]) == 64
    assert manifest["tsum_version"]
    assert manifest["models"]["zh"]["path"] == str(tiny_models["zh"])
    assert manifest["models"]["zh"]["target_token"] == ">>cmn_Hans<<"
    # The default backend is CTranslate2: the model's generate() settings as its options.
    assert manifest["models"]["zh"]["generation"]["beam_size"] == 4
    assert manifest["models"]["zh"]["compute_type"].startswith("int8")
    assert manifest["models"]["summarizer"]["generation"]["no_repeat_ngram_size"] == 3
    assert manifest["models"]["summarizer"]["generation"]["target_prefix"] == ["<s>"]
    assert manifest["glossary"]["sha256"] and manifest["glossary"]["path"].endswith("glossary.tsv")
    assert {"segment", "summarize", "translate_zh", "translate_ru"} <= set(manifest["timings"])


def _forbid_model_loading(register_engines) -> list[str]:
    """Every registered backend's engines fail when built; each attempt is recorded."""
    attempts: list[str] = []
    refusing_engines(register_engines, attempts)
    return attempts


def test_second_run_skips_everything_without_loading_a_model(first_run, tiny_config, register_engines):
    _, seeds, out = first_run
    attempts = _forbid_model_loading(register_engines)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.parent != out}
    result = run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config))
    assert result.exit_code == 0, result.output
    assert "0 written, 2 up to date" in result.output
    assert "loading models 0.00 s (0 loads)" in result.output
    assert attempts == []
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.parent != out}
    assert before == after


def test_model_loading_guard_bites_when_a_model_is_needed(first_run, tiny_config, register_engines, tmp_path):
    # The guard above must catch a real load: with --force the same registrations stop the run.
    _, seeds, _ = first_run
    attempts = _forbid_model_loading(register_engines)
    out = tmp_path / "forced"
    with pytest.raises(AssertionError, match="a model was loaded"):
        run("all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config), "--force")
    assert attempts


def test_changed_article_is_redone_and_only_it(tiny_config, tmp_path, seeds_copy):
    out = tmp_path / "out"
    args = [
        "all",
        "--input",
        str(seeds_copy),
        "--output",
        str(out),
        "--config",
        str(tiny_config),
        "--summarizer",
        "extractive",
        "--only",
        "ru",
    ]
    assert run(*args).exit_code == 0
    name = "001_a2e7129abcaddcf3.txt"
    path = seeds_copy / name
    path.write_text(path.read_text() + "\n\nA new closing paragraph was added.")
    result = run(*args)
    assert result.exit_code == 0 and "1 written, 1 up to date" in result.output
    records = (out / SLUGS[name] / "aligned.jsonl").read_text()
    assert "A new closing paragraph was added." in records
    assert "zh" not in json.loads(records.splitlines()[0])
    assert not (out / SLUGS[name] / "article.zh.md").exists()
    assert "0 written, 2 up to date" in run(*args).output
    assert "2 written" in run(*args, "--force").output


def test_missing_models_offline_exit_2_names_model_and_fix(tmp_path, seeds_copy):
    result = run(
        "all",
        "--input",
        str(seeds_copy),
        "--output",
        str(tmp_path / "o"),
        "--config",
        str(REPO / "models.toml"),
    )
    assert result.exit_code == 2
    assert "sshleifer/distilbart-cnn-12-6" in result.output
    assert "tsum models download" in result.output and "path" in result.output
    assert not (tmp_path / "o").exists()  # a failed start leaves no empty output folder


def test_bad_article_is_reported_and_the_rest_written(tiny_config, tmp_path, seeds_copy):
    (seeds_copy / "broken.txt").write_bytes(b"\xff\xfe\x00garbage\x00\x00")
    (seeds_copy / "empty.md").write_text("   \n")
    out = tmp_path / "out"
    result = run(
        "all",
        "--input",
        str(seeds_copy),
        "--output",
        str(out),
        "--config",
        str(tiny_config),
        "--summarizer",
        "extractive",
        "--only",
        "zh",
    )
    assert result.exit_code == 1
    assert "broken.txt" in result.output and "empty.md: empty article" in result.output
    for slug in SLUGS.values():
        assert (out / slug / "manifest.json").is_file()
    assert "failed" in (out / "index.md").read_text()


def test_summarize_and_translate_commands(tiny_config):
    article = str(REPO / "seeds" / "001_a2e7129abcaddcf3.txt")
    summary = run("summarize", article, "--config", str(tiny_config), "--summarizer", "extractive")
    assert summary.exit_code == 0 and "Vladimir Norov" in summary.output
    translated = run("translate", article, "--to", "ru", "--config", str(tiny_config))
    assert translated.exit_code == 0
    # seeds/glossary.tsv beside the article is used, as by `tsum all`: its terms are checked.
    assert "glossary: missing 'Vladimir Norov' →" in translated.stderr
    assert len([b for b in translated.stdout.split("\n\n") if b.strip()]) >= 9


def test_unknown_language_is_a_usage_error(tiny_config, seeds_copy, tmp_path):
    result = run(
        "all",
        "--input",
        str(seeds_copy),
        "--output",
        str(tmp_path),
        "--config",
        str(tiny_config),
        "--only",
        "de",
    )
    assert result.exit_code == 2 and "--only: language 'de' has no translator" in result.output


def test_models_list_reports_availability(tiny_config):
    result = run("models", "list", "--config", str(tiny_config))
    assert result.exit_code == 0 and result.output.count("ready at") == 3
    offline = run("models", "list", "--config", str(REPO / "models.toml"))
    assert "not downloaded" in offline.output


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["all"],
        ["summarize"],
        ["translate"],
        ["models", "list"],
        ["models", "download"],
        ["models", "convert"],
        ["glossary", "check"],
        ["glossary", "suggest"],
        ["fetch"],
        ["review"],
        ["memory", "import"],
        ["memory", "export"],
        ["memory", "stats"],
    ],
)
def test_help_explains_every_option(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "--help" in result.output
    lines = result.output.split("Options:")[1].split("Commands:")[0].splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("-"):
            described = re.match(r"\s+-\S.*?\s{2,}\S", line) or (
                i + 1 < len(lines)
                and len(lines[i + 1]) - len(lines[i + 1].lstrip()) > len(line) - len(line.lstrip())
                and not lines[i + 1].strip().startswith("-")
            )
            assert described, f"option without help in `tsum {' '.join(command)} --help`: {line.strip()}"


def test_python_dash_m_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "translate_sum", "--version"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 0 and "tsum" in result.stdout


def _seed_glossary_forms() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """English forms (term and variants) and the Chinese form of each seed glossary entry, read with
    the csv module rather than tsum's glossary reader."""
    lines = (REPO / "seeds" / "glossary.tsv").read_text(encoding="utf-8").splitlines()
    rows = list(csv.DictReader([line for line in lines if not line.startswith("#")], delimiter="\t"))
    english = {r["en"]: (r["en"], *[v for v in (r["variants"] or "").split("|") if v]) for r in rows}
    chinese = {r["en"]: (r["zh"],) for r in rows}
    return english, chinese


def _source_terms(forms: dict[str, tuple[str, ...]], text: str) -> Counter:
    """Each entry's occurrences in an English text, as a reader takes them: from the left, the longest
    form at each place, no place counted twice ("Deputy Secretary-General of the SCO": a deputy)."""
    spans = sorted(
        (start, start - end, en)
        for en, entry_forms in forms.items()
        for form in entry_forms
        for start, end in term_oracle.occurrences(form, text)
    )
    found: Counter = Counter()
    reached = 0
    for start, negative_length, en in spans:
        if start >= reached:
            found[en] += 1
            reached = start - negative_length
    return found


def test_glossary_guarantee_no_silent_miss(first_run):
    """Every glossary term of every source segment is in its Chinese target, or the segment carries
    its flag: checked by the independent counter of tests/term_oracle.py, not by tsum's own matcher."""
    _, seeds, out = first_run
    english, chinese = _seed_glossary_forms()
    checked = 0
    for slug in SLUGS.values():
        manifest = json.loads((out / slug / "manifest.json").read_text())
        for line in (out / slug / "aligned.jsonl").read_text().splitlines():
            record = json.loads(line)
            needed = _source_terms(english, record["en"])
            found = term_oracle.count(chinese, needed, record["zh"])
            for en, count in needed.items():
                checked += 1
                flagged = any(
                    f["type"] == "glossary"
                    and f["lang"] == "zh"
                    and f["detail"].startswith(f"missing {en!r} →")
                    for f in record["flags"]
                )
                assert flagged or found[en] == count, (record["id"], en, record["zh"])
        counts = manifest["counts"]["glossary"]
        for lang in ("zh", "ru"):
            assert (
                counts[lang]["found"]
                == counts[lang]["kept"] + counts[lang]["enforced"] + counts[lang]["flagged"]
            )
    assert checked > 25


def test_run_report_counts_glossary_terms(first_run):
    result, _, out = first_run
    for lang in ("zh", "ru"):
        line = next(x for x in result.output.splitlines() if x.startswith(f"glossary {lang}:"))
        found = sum(
            json.loads((out / slug / "manifest.json").read_text())["counts"]["glossary"][lang]["found"]
            for slug in SLUGS.values()
        )
        assert f"{found} terms found" in line and found > 0


def test_models_convert_caches_ctranslate2_models(tiny_config, tmp_path, monkeypatch):
    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    result = run("models", "convert", "--config", str(tiny_config))
    assert result.exit_code == 0, result.output
    converted = sorted((tmp_path / "cache" / "ct2").glob("*/model.bin"))
    assert len(converted) == 3
    before = [p.stat().st_mtime_ns for p in converted]
    assert run("models", "convert", "--config", str(tiny_config)).exit_code == 0
    assert [p.stat().st_mtime_ns for p in converted] == before  # reused, not converted again


def test_environment_variables_set_option_defaults(tmp_path, monkeypatch):
    config = tmp_path / "elsewhere.toml"
    config.write_text('[summarizer]\nengine = "extractive"\n[translators.zh]\npath = "nowhere"\n')
    monkeypatch.setenv("TSUM_CONFIG", str(config))
    result = run("models", "list")
    assert result.exit_code == 0, result.output
    assert "summarizer  extractive (no model)" in result.output
    monkeypatch.setenv("TSUM_ONLY", "xx")
    result = run("all", "--input", str(tmp_path))
    assert result.exit_code == 2
    assert "TSUM_ONLY=xx: language 'xx' has no translator: choose from zh" in result.output  # what was typed


def test_library_errors_become_exit_codes(tmp_path):
    # ConfigError is exit 2; another TsumError (here: an output folder inside a file) is exit 1.
    missing = tmp_path / "missing.toml"
    result = run("models", "list", "--config", str(missing))
    assert result.exit_code == 2 and f"{missing}: configuration file not found" in result.output
    seeds = tmp_path / "in"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Title\n\nA body sentence that says enough to count as English text.\n")
    (tmp_path / "file").write_text("a file, not a folder")
    out = tmp_path / "file" / "out"
    result = run("all", "--input", str(seeds), "--output", str(out), "--summarizer", "extractive")
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output and "Traceback" not in result.output


HUB_MODELS = ("sshleifer/distilbart-cnn-12-6", "Helsinki-NLP/opus-mt-en-zh", "Helsinki-NLP/opus-mt-en-ru")


def test_all_names_every_missing_model_in_one_message(seeds_copy, tmp_path):
    # The shipped models.toml names hub models; the isolated (empty, offline) cache has none of them.
    result = run(
        "all",
        "--input",
        str(seeds_copy),
        "--output",
        str(tmp_path / "out"),
        "--config",
        str(REPO / "models.toml"),
    )
    assert result.exit_code == 2
    assert "3 models are not available" in result.output
    for model in HUB_MODELS:
        assert f"model {model!r}" in result.output
    assert not (tmp_path / "out" / "index.html").exists()


def test_models_list_names_every_missing_model(tmp_path):
    config = tmp_path / "models.toml"
    config.write_text('[translators.zh]\npath = "nowhere-zh"\n[translators.ru]\npath = "nowhere-ru"\n')
    result = run("models", "list", "--config", str(config))
    assert result.exit_code == 0
    missing = next(line for line in result.output.splitlines() if line.startswith("not available offline"))
    assert "summarizer (sshleifer/distilbart-cnn-12-6)" in missing
    assert f"zh ({tmp_path / 'nowhere-zh'})" in missing and f"ru ({tmp_path / 'nowhere-ru'})" in missing
