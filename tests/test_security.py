"""Model loading cannot run code, revisions are pinned and recorded, and offline means no socket at all."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import ctranslate2  # noqa: F401 - a required dependency: a broken install fails here, never skips
import pytest
from tiny_models import SEEDS, write_models_toml

import translate_sum
from translate_sum.config import ModelSpec, load_config
from translate_sum.engines.hf import load_seq2seq
from translate_sum.engines.hub import ResolvedModel, resolve_model
from translate_sum.errors import ModelUnavailableError


class _Payload:
    """Unpickling this runs ``touch <marker>``: what a hostile pytorch_model.bin would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch '{self.marker}'",))


def hostile_copy(model: Path, target: Path, marker: Path) -> Path:
    """A copy of ``model`` with a pytorch_model.bin that holds its weights and a code payload."""
    import torch

    shutil.copytree(model, target)
    weights = {}
    if (model / "pytorch_model.bin").is_file():
        weights = torch.load(model / "pytorch_model.bin", weights_only=True)
    weights["payload"] = _Payload(marker)
    torch.save(weights, target / "pytorch_model.bin")
    return target


def _spec(directory: Path, backend: str = "transformers") -> ModelSpec:
    return ModelSpec(role="zh", path=directory, target_token=">>cmn_Hans<<", backend=backend)


def test_the_payload_is_live(tiny_models, tmp_path):
    """Proof the tests below mean something: a plain unpickler runs the payload."""
    import torch

    marker = tmp_path / "marker"
    model = hostile_copy(tiny_models["zh"], tmp_path / "model", marker)
    torch.load(model / "pytorch_model.bin", weights_only=False)
    assert marker.exists()


def test_pickle_with_code_is_refused_with_a_clear_error(tiny_models, tmp_path):
    marker = tmp_path / "marker"
    model = hostile_copy(tiny_models["zh"], tmp_path / "model", marker)
    with pytest.raises(ModelUnavailableError) as info:
        load_seq2seq(ResolvedModel(_spec(model), model, None), "cpu")
    message = str(info.value)
    assert (
        f"at {model}: refused to load pytorch_model.bin: it is not plain weights but a pickle that "
        "would run code"
    ) in message
    assert "posix.system" in message and "weights_only" not in message  # never advise the unsafe load
    assert not marker.exists()


def test_safetensors_are_loaded_and_a_hostile_bin_beside_them_is_never_opened(tiny_models, tmp_path):
    marker = tmp_path / "marker"
    model = hostile_copy(tiny_models["ru"], tmp_path / "model", marker)
    assert (model / "model.safetensors").is_file()
    tokenizer, loaded = load_seq2seq(ResolvedModel(ModelSpec(role="ru", path=model), model, None), "cpu")
    assert loaded.config.model_type == "marian"
    assert not marker.exists()


def test_ctranslate2_backend_refuses_the_pickle_too(tiny_models, tmp_path, monkeypatch):
    from translate_sum.engines.registry import make_translator

    monkeypatch.setenv("TSUM_CACHE", str(tmp_path / "cache"))
    marker = tmp_path / "marker"
    model = hostile_copy(tiny_models["zh"], tmp_path / "model", marker)
    spec = _spec(model, backend="ctranslate2")
    with pytest.raises(
        ModelUnavailableError, match="refused to load pytorch_model.bin.*would run code"
    ) as info:
        make_translator(spec, ResolvedModel(spec, model, None), "cpu", 4096)
    assert "weights_only" not in str(info.value)
    assert not marker.exists()
    assert not list((tmp_path / "cache").rglob("model.bin"))


@pytest.mark.slow
def test_tsum_all_with_a_hostile_model_exits_2_and_writes_no_article(tiny_models, tmp_path):
    marker = tmp_path / "marker"
    model = hostile_copy(tiny_models["zh"], tmp_path / "model", marker)
    config = write_models_toml(tmp_path / "models.toml", tiny_models["summarizer"], model, tiny_models["ru"])
    out = tmp_path / "out"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf-home"), "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "translate_sum",
            "all",
            "--input",
            str(SEEDS),
            "--output",
            str(out),
            "--config",
            str(config),
            "--summarizer",
            "extractive",
            "--only",
            "zh",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert "refused to load pytorch_model.bin: it is not plain weights but a pickle that would run code" in (
        result.stderr
    )
    assert not marker.exists()
    # A failed start writes nothing: no article folder, and no empty output folder either.
    assert not out.exists()


def test_remote_code_is_never_trusted(tiny_models, tmp_path):
    """A model folder whose config asks for its own Python code gets the built-in class instead."""
    package = Path(translate_sum.__file__).parent
    for source in package.rglob("*.py"):
        for line in source.read_text(encoding="utf-8").splitlines():
            if "trust_remote_code" in line:
                assert re.search(r"trust_remote_code\s*=\s*False\b", line), f"{source.name}: {line.strip()}"

    marker = tmp_path / "marker"
    model = tmp_path / "model"
    shutil.copytree(tiny_models["ru"], model)
    (model / "remote_code.py").write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).touch()\n"
        "from transformers import MarianConfig as Config, MarianMTModel as Model, MarianTokenizer as Tokenizer\n",
        encoding="utf-8",
    )
    for name, auto_map in (
        ("config.json", {"AutoConfig": "remote_code.Config", "AutoModelForSeq2SeqLM": "remote_code.Model"}),
        ("tokenizer_config.json", {"AutoTokenizer": ["remote_code.Tokenizer", None]}),
    ):
        data = json.loads((model / name).read_text(encoding="utf-8"))
        (model / name).write_text(json.dumps({**data, "auto_map": auto_map}), encoding="utf-8")
    tokenizer, loaded = load_seq2seq(ResolvedModel(ModelSpec(role="ru", path=model), model, None), "cpu")
    assert type(loaded).__module__.startswith("transformers.")
    assert not marker.exists()


# --- Pinned revisions and offline mode -------------------------------------------------------------------

COMMITS = {"pinned": "a" * 40, "main": "b" * 40}


def cache_model(cache: Path, repo_id: str, source: Path, commits: list[str], main: str) -> None:
    """``source`` laid out as the Hugging Face cache holds a hub model: snapshots/<commit>/ and refs/main."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    for commit in commits:
        shutil.copytree(source, repo / "snapshots" / commit)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(main)


@pytest.fixture
def hub_cache(tiny_models, tmp_path, monkeypatch):
    """The tiny models under the real hub ids, in a Hugging Face cache of their own."""
    import huggingface_hub.constants as constants

    cache = tmp_path / "hub"
    cache_model(
        cache, "sshleifer/distilbart-cnn-12-6", tiny_models["summarizer"], [COMMITS["main"]], COMMITS["main"]
    )
    cache_model(
        cache, "Helsinki-NLP/opus-mt-en-zh", tiny_models["zh"], list(COMMITS.values()), COMMITS["main"]
    )
    cache_model(cache, "Helsinki-NLP/opus-mt-en-ru", tiny_models["ru"], [COMMITS["main"]], COMMITS["main"])
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    return cache


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to resolve a host name or open a connection is recorded, then fails."""
    attempts: list[str] = []

    def refuse(what: str):
        def refused(*args, **kwargs):
            attempts.append(f"{what}{args[1:] if what.startswith('socket.') else args}")
            raise OSError(f"test: network access ({what})")

        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    return attempts


def test_offline_run_opens_no_socket_and_records_the_pinned_revision(
    hub_cache, no_network, tmp_path, seeds_copy
):
    """A full run from the hub cache, abstractive and both languages, with HF_HUB_OFFLINE=1."""
    from translate_sum.pipeline import RunOptions, run_all

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    config_file = tmp_path / "models.toml"
    config_file.write_text(
        '[summarizer]\nengine = "abstractive"\nmodel = "sshleifer/distilbart-cnn-12-6"\n\n'
        f'[translators.zh]\nmodel = "Helsinki-NLP/opus-mt-en-zh"\nrevision = "{COMMITS["pinned"]}"\n'
        'target_token = ">>cmn_Hans<<"\n\n[translators.ru]\nmodel = "Helsinki-NLP/opus-mt-en-ru"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    options = RunOptions(
        input_dir=seeds_copy, output_dir=out, config=load_config(config_file), languages=("zh", "ru")
    )
    report = run_all(options)
    assert [e.status for e in report.entries] == ["done", "done"]
    assert no_network == []
    for manifest in out.glob("*/manifest.json"):
        models = json.loads(manifest.read_text(encoding="utf-8"))["models"]
        assert (models["zh"]["id"], models["zh"]["revision"], models["zh"]["requested_revision"]) == (
            "Helsinki-NLP/opus-mt-en-zh",
            COMMITS["pinned"],
            COMMITS["pinned"],
        )
        assert (models["ru"]["revision"], models["ru"]["requested_revision"]) == (COMMITS["main"], None)
        assert models["summarizer"]["revision"] == COMMITS["main"]

    # Another pin is another output: the articles are redone, and the manifest says from what.
    text = config_file.read_text(encoding="utf-8").replace(COMMITS["pinned"], COMMITS["main"])
    config_file.write_text(text.replace('engine = "abstractive"', 'engine = "extractive"'), encoding="utf-8")
    options.config = load_config(config_file)
    assert [e.status for e in run_all(options).entries] == ["done", "done"]
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text(encoding="utf-8"))
    assert manifest["models"]["zh"]["revision"] == COMMITS["main"]
    assert no_network == []


def test_cached_model_is_used_without_network_even_when_online(hub_cache, no_network, monkeypatch):
    import huggingface_hub.constants as constants

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    resolved = resolve_model(
        ModelSpec(role="zh", model="Helsinki-NLP/opus-mt-en-zh", revision=COMMITS["pinned"])
    )
    assert resolved.revision == COMMITS["pinned"]
    assert no_network == []


def test_offline_missing_model_fails_without_touching_the_network(no_network, tmp_path, monkeypatch):
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(ModelUnavailableError, match="offline mode is on"):
        resolve_model(ModelSpec(role="ru", model="Helsinki-NLP/opus-mt-en-ru", revision=COMMITS["pinned"]))
    assert no_network == []


def test_online_missing_model_is_the_one_network_use_and_the_guard_sees_it(no_network, tmp_path, monkeypatch):
    """Without offline mode an uncached model is downloaded through the Hugging Face client; this also
    proves the guard above would have caught any connection."""
    import huggingface_hub.constants as constants

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(ModelUnavailableError, match="downloading it failed"):
        resolve_model(ModelSpec(role="ru", model="Helsinki-NLP/opus-mt-en-ru"))
    assert no_network and all("huggingface.co" in attempt for attempt in no_network)
