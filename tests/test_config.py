"""models.toml parsing and its errors."""

from __future__ import annotations

import pytest
from tiny_models import REPO

from translate_sum.config import Config, find_config, load_config
from translate_sum.errors import ConfigError


def test_shipped_models_toml_matches_the_defaults():
    config = load_config(REPO / "models.toml")
    default = Config()
    assert config.summarizer.model.model == default.summarizer.model.model == "sshleifer/distilbart-cnn-12-6"
    assert config.translators["zh"].target_token == ">>cmn_Hans<<"
    assert config.translators["ru"].model == "Helsinki-NLP/opus-mt-en-ru"
    assert config.languages == ("zh", "ru")


def test_local_paths_resolve_relative_to_the_file(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('[translators.ru]\npath = "models/ru"\nrevision = "abc"\n')
    spec = load_config(path).translators["ru"]
    assert spec.path == (tmp_path / "models/ru").resolve() and spec.model is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[summarizer\nengine=1", "invalid TOML"),
        ('[summarizer]\nengine = "magic"', "engine must be one of"),
        ('[translators.zh]\nmodel = "a"\npath = "b"', "sets both model and path"),
        ('[translators.zh]\nbackend = "onnx"', "backend must be one of"),
        ('[run]\nlanguages = ["de"]', "no [translators.de]"),
        ("[run]\nbatch_tokens = -3", "positive whole number"),
        ("[run]\nbatchtokens = 3", "unknown key(s) batchtokens"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "models.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_config_lookup_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_config(None) is None
    (tmp_path / "models.toml").write_text("")
    assert find_config(None).name == "models.toml"
    monkeypatch.setenv("TSUM_CONFIG", "/elsewhere.toml")  # the CLI's option default, not the library's
    assert find_config(None).name == "models.toml"
    assert str(find_config(tmp_path / "x.toml")) == str(tmp_path / "x.toml")
