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
