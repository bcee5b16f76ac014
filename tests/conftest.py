"""Shared fixtures: tiny real models built once per session, and isolated user state."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browser import browser  # noqa: E402, F401 - the headless Chromium fixture of the browser tests
from fake_engines import NAME as FAKE  # noqa: E402
from fake_engines import WordTranslator  # noqa: E402
from tiny_models import REPO, build_bart, build_marian, write_models_toml  # noqa: E402

from translate_sum.backends import backend_names, register_backend, unregister_backend  # noqa: E402


def pytest_configure(config):
    import torch

    # The tiny models gain nothing from a second thread, and OpenMP spinning on a busy 2-core
    # machine made them many times slower; one thread keeps the suite fast and steady.
    torch.set_num_threads(1)


#: The only outside settings a test sees: the ones _isolated_env sets.
ISOLATED_SETTINGS = ("HF_HOME", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "TSUM_CACHE", "TSUM_OUTPUT_CACHE")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test touches the network, the user's Hugging Face cache, or any TSUM_*/HF_* setting from outside."""
    for name in list(os.environ):
        if name.startswith(("TSUM_", "HF_", "TRANSFORMERS_")):
            monkeypatch.delenv(name)
    hf_home = tmp_path_factory.getbasetemp() / "hf-home"
    monkeypatch.setenv("HF_HOME", str(hf_home))
    monkeypatch.setenv("HF_HUB_CACHE", str(hf_home / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("TSUM_CACHE", str(hf_home.parent / "tsum-cache"))  # conversions: once per session
    # Model outputs: each test has its own cache, so no test sees another's outputs.
    monkeypatch.setenv("TSUM_OUTPUT_CACHE", str(tmp_path_factory.mktemp("outputs-cache") / "outputs.sqlite"))


@pytest.fixture
def register_engines():
    """``register(name, summarizer=..., translator=...)`` for this test only, through the public
    registry (as llm's tests register a mock model); every registration is undone afterwards."""
    registered: list[str] = []

    def register(name: str, *, summarizer=None, translator=None) -> None:
        register_backend(name, summarizer=summarizer, translator=translator)
        registered.append(name)

    yield register
    for name in reversed(registered):
        unregister_backend(name)


@pytest.fixture
def fake_backend(register_engines):
    """``backend = "fake"``: fake_engines.WordTranslator, its record of batches emptied first."""
    WordTranslator.batches = []
    register_engines(FAKE, translator=WordTranslator)
    return WordTranslator


def refusing_engines(register, attempts: list[str] | None = None) -> None:
    """Every registered backend builds engines that fail the test when a run tries to load one."""

    def refuse(spec, *args, **kwargs):
        if attempts is not None:
            attempts.append(spec.role)
        raise AssertionError(f"a model was loaded ({spec.role})")

    class RefusingSummarizer:
        def __init__(self, spec, *args, **kwargs):
            refuse(spec)

    class RefusingTranslator:
        def __init__(self, spec, *args, **kwargs):
            refuse(spec)

    for name in backend_names():
        register(name, summarizer=RefusingSummarizer, translator=RefusingTranslator)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """Random-weight summarizer and translators with the real models' layout (en-zh saved as .bin)."""
    root = tmp_path_factory.mktemp("tiny-models")
    return {
        "summarizer": build_bart(root / "bart"),
        "zh": build_marian(root / "opus-mt-en-zh", "zh", save_bin=True),
        "ru": build_marian(root / "opus-mt-en-ru", "ru"),
    }


@pytest.fixture(scope="session")
def tiny_config(tiny_models, tmp_path_factory) -> Path:
    """A models.toml pointing at the tiny models."""
    root = tmp_path_factory.mktemp("config")
    return write_models_toml(
        root / "models.toml", tiny_models["summarizer"], tiny_models["zh"], tiny_models["ru"]
    )


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A private copy of the shipped seeds/ folder (articles and glossary)."""
    target = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", target)
    return target
