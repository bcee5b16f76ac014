"""Model resolution: cache first, local paths, and the error when a model is unavailable."""

from __future__ import annotations

import pytest

from translate_sum.config import ModelSpec
from translate_sum.engines.hub import resolve_model
from translate_sum.errors import ModelUnavailableError


def test_missing_model_offline_names_model_and_fix():
    spec = ModelSpec(role="zh", model="Helsinki-NLP/opus-mt-en-zh")
    with pytest.raises(ModelUnavailableError) as info:
        resolve_model(spec)
    message = str(info.value)
    assert "Helsinki-NLP/opus-mt-en-zh" in message and "offline mode is on" in message
    assert "tsum models download" in message and "path" in message


def test_local_path_without_config_is_refused(tmp_path):
    with pytest.raises(ModelUnavailableError, match="no config.json"):
        resolve_model(ModelSpec(role="ru", path=tmp_path))


def test_cached_model_resolves_with_its_commit_hash(tmp_path, monkeypatch, tiny_models):
    # Lay a model out exactly as the Hugging Face cache does: snapshots/<commit>/ + refs/main.
    commit = "0123456789abcdef0123456789abcdef01234567"
    cache = tmp_path / "hub"
    snapshot = cache / "models--Helsinki-NLP--opus-mt-en-ru" / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for file in tiny_models["ru"].iterdir():
        (snapshot / file.name).write_bytes(file.read_bytes())
    (cache / "models--Helsinki-NLP--opus-mt-en-ru" / "refs").mkdir()
    (cache / "models--Helsinki-NLP--opus-mt-en-ru" / "refs" / "main").write_text(commit)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    resolved = resolve_model(ModelSpec(role="ru", model="Helsinki-NLP/opus-mt-en-ru"))
    assert resolved.revision == commit and resolved.directory == snapshot


def test_local_directory_given_as_model_works_like_path(tiny_models):
    # transformers accepts a folder where a hub id goes; so does tsum (no HFValidationError traceback).
    resolved = resolve_model(ModelSpec(role="ru", model=str(tiny_models["ru"])))
    assert resolved.directory == tiny_models["ru"].resolve() and resolved.revision is None


@pytest.mark.parametrize("model", ["/no/such/model/dir", "./models/missing", "~/no-such-tsum-model"])
def test_missing_local_folder_as_model_points_to_path(model):
    with pytest.raises(ModelUnavailableError, match="looks like a local folder") as info:
        resolve_model(ModelSpec(role="zh", model=model))
    assert "path = " in str(info.value) and model in str(info.value)


def test_folder_without_config_as_model_points_to_path(tmp_path):
    with pytest.raises(ModelUnavailableError, match="has no config.json.*path = "):
        resolve_model(ModelSpec(role="zh", model=str(tmp_path)))


def test_invalid_hub_id_is_a_clear_error_not_a_traceback():
    with pytest.raises(ModelUnavailableError, match="is not a Hugging Face hub id.*path = "):
        resolve_model(ModelSpec(role="zh", model="not a valid id!"))


def test_cli_exits_2_naming_path_for_a_missing_local_model_folder(tiny_config, tmp_path, seeds_copy):
    from click.testing import CliRunner

    from translate_sum.cli import cli

    config = tmp_path / "models.toml"
    config.write_text(
        tiny_config.read_text(encoding="utf-8").replace(
            f'path = "{_zh_path(tiny_config)}"', 'model = "/no/such/opus-mt-en-zh"'
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["all", "--input", str(seeds_copy), "--output", str(tmp_path / "out"), "--config", str(config)]
    )
    assert result.exit_code == 2, result.output
    assert "/no/such/opus-mt-en-zh" in result.output and "path = " in result.output
    assert "Traceback" not in result.output and "HFValidationError" not in result.output


def _zh_path(config_path) -> str:
    import tomllib

    return tomllib.loads(config_path.read_text(encoding="utf-8"))["translators"]["zh"]["path"]
