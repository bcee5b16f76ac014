"""Small things a new user trips over: each error names what was typed, read-only commands create
nothing, a run without a glossary says so, a failed start leaves no empty folder."""

from __future__ import annotations

from click.testing import CliRunner
from tiny_models import REPO, SEEDS

from translate_sum.cli import cli


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_an_error_from_an_environment_variable_names_the_variable(tmp_path):
    result = run("all", "--input", str(SEEDS), "--output", str(tmp_path / "o"), env={"TSUM_WINDOW": "0"})
    assert result.exit_code == 2 and "TSUM_WINDOW=0: window 0: must be" in result.output
    typed = run("all", "--input", str(SEEDS), "--output", str(tmp_path / "o"), "--window", "0")
    assert typed.exit_code == 2 and "--window: window 0" in typed.output
    bad = run("all", "--input", str(SEEDS), "--output", str(tmp_path / "o"), env={"TSUM_WINDOW": "x"})
    assert bad.exit_code == 2 and "Invalid value for TSUM_WINDOW=x:" in bad.output  # click's own check
    assert not (tmp_path / "o").exists()


def test_only_empty_is_an_error_and_translate_names_its_own_option(tiny_config, tmp_path):
    empty = run("all", "--input", str(SEEDS), "--output", str(tmp_path / "o"), "--only", "")
    assert (
        empty.exit_code == 2 and "--only: language '' has no translator: choose from zh, ru" in empty.output
    )
    article = str(SEEDS / "000_828caea308506d00.txt")
    german = run("translate", article, "--to", "de", "--config", str(tiny_config))
    assert (
        german.exit_code == 2 and "--to: language 'de' has no translator: choose from zh, ru" in german.output
    )
    assert "--only" not in german.output


def test_models_download_offline_says_what_fits_that_command(tmp_path):
    result = run("models", "download", "--config", str(REPO / "models.toml"))  # HF_HUB_OFFLINE=1 in tests
    assert result.exit_code == 2
    assert "cannot download 'sshleifer/distilbart-cnn-12-6' (summarizer)" in result.output
    assert "HF_HUB_OFFLINE is set" in result.output
    assert "--summarizer" not in result.output and "run `tsum models download`" not in result.output


def test_read_only_memory_commands_create_no_file(tmp_path):
    typo = tmp_path / "outptus"
    for command in (["memory", "stats"], ["memory", "export", str(tmp_path / "x.tmx")]):
        result = run(*command, "--output", str(typo))
        assert result.exit_code == 2 and "no translation memory there" in result.output
    assert not typo.exists() and not (tmp_path / "x.tmx").exists()


def test_a_run_without_a_glossary_says_so_once(tiny_config, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SEEDS.joinpath("001_a2e7129abcaddcf3.txt").read_text(encoding="utf-8"))
    args = ["all", "--input", str(folder), "--output", str(tmp_path / "o"), "--config", str(tiny_config)]
    result = run(*args, "--summarizer", "extractive", "--only", "zh")
    assert result.exit_code == 0, result.output
    assert result.output.count("no glossary: names are not kept fixed") == 1
    with_glossary = run(
        *args, "--summarizer", "extractive", "--only", "zh", "--glossary", str(SEEDS / "glossary.tsv")
    )
    assert "no glossary" not in with_glossary.output
