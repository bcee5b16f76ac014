"""Model resolution: a local directory, the Hugging Face cache, or a download; and the device."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from translate_sum.config import ModelSpec
from translate_sum.errors import ModelUnavailableError, OptionError

logger = logging.getLogger("translate_sum")

# Only what inference needs: never TF/Flax/Rust weights, ONNX exports or training state.
_CONFIG_FILES = ["config.json", "generation_config.json"]
_TOKENIZER_FILES = [
    "tokenizer_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "vocab.json",
    "merges.txt",
    "source.spm",
    "target.spm",
    "*.spm",
    "sentencepiece.bpe.model",
    "added_tokens.json",
]


@dataclass(frozen=True)
class ResolvedModel:
    """A model's files on disk, and where they came from (for the manifest)."""

    spec: ModelSpec
    directory: Path
    revision: str | None  # the commit hash for hub models; None for local paths

    def describe(self) -> dict:
        return {
            "id": self.spec.model,
            "path": str(self.spec.path) if self.spec.path else None,
            "revision": self.revision,
            "requested_revision": self.spec.revision,
            "backend": self.spec.backend,
            "target_token": self.spec.target_token,
        }


def offline_mode() -> bool:
    """True when the user asked the Hugging Face client not to touch the network."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def resolve_model(spec: ModelSpec, *, download: bool = True) -> ResolvedModel:
    """Locate ``spec``'s files, downloading them when allowed and needed.

    The cache is tried first, so a cached model never touches the network. Raises
    ModelUnavailableError with the fix when the model is nowhere to be had.
    """
    if spec.path is not None:
        if not (spec.path / "config.json").is_file():
            raise ModelUnavailableError(
                f"model for {spec.role}: local path {spec.path} has no config.json; point `path` in "
                "models.toml at a directory written by save_pretrained()"
            )
        return ResolvedModel(spec, spec.path, None)
    local = _local_directory(spec)
    if local is not None:
        return ResolvedModel(spec, local, None)

    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    repo = _repo_id(spec)
    try:
        directory = Path(
            snapshot_download(
                repo, revision=spec.revision, local_files_only=True, allow_patterns=_patterns(None)
            )
        )
        if _has_weights(directory):
            return ResolvedModel(spec, directory, directory.name)
    except (LocalEntryNotFoundError, FileNotFoundError, OSError):
        pass
    if not download or offline_mode():
        raise _unavailable(
            spec,
            "it is not in the Hugging Face cache and offline mode is on"
            if offline_mode()
            else "it is not in the Hugging Face cache",
        )
    try:
        directory = Path(snapshot_download(repo, revision=spec.revision, allow_patterns=_patterns(spec)))
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError, ValueError) as exc:
        raise _unavailable(
            spec, f"downloading it failed ({type(exc).__name__}: {str(exc).splitlines()[0]})"
        ) from None
    if not _has_weights(directory):
        raise _unavailable(spec, "the repository has neither model.safetensors nor pytorch_model.bin")
    return ResolvedModel(spec, directory, directory.name)


def _repo_id(spec: ModelSpec) -> str:
    """The hub id of a spec without a local path (config.py gives every spec one or the other)."""
    if spec.model is None:
        raise ModelUnavailableError(f"model for {spec.role}: neither a hub id nor a local path is set")
    return spec.model


def resolve_all(specs: Sequence[ModelSpec], *, download: bool = True) -> list[ResolvedModel]:
    """Each of ``specs`` resolved, in order. When some are unavailable, one ModelUnavailableError
    names every one of them, so a user fixes them all at once instead of meeting them one by one."""
    resolved: list[ResolvedModel] = []
    problems: list[str] = []
    for spec in specs:
        try:
            resolved.append(resolve_model(spec, download=download))
        except ModelUnavailableError as exc:
            problems.append(str(exc))
    if len(problems) == 1:
        raise ModelUnavailableError(problems[0])
    if problems:
        raise ModelUnavailableError(
            f"{len(problems)} models are not available:\n" + "\n".join(f"- {p}" for p in problems)
        )
    return resolved


def _local_directory(spec: ModelSpec) -> Path | None:
    """A local directory given as ``model =`` (transformers accepts one there), or None for a hub id.

    A directory with a config.json is used as ``path =`` would be. Anything else that cannot be a hub
    id (an absolute or ``./`` path, a folder without config.json) is refused, pointing to ``path =``.
    """
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    name = str(spec.model)
    candidate = Path(name).expanduser()
    looks_local = candidate.is_absolute() or name.startswith(("./", "../", "~", ".\\")) or candidate.is_dir()
    if candidate.is_dir() and (candidate / "config.json").is_file():
        return candidate.resolve()
    if looks_local:
        where = "is not a directory" if not candidate.is_dir() else "has no config.json"
        raise ModelUnavailableError(
            f"model for {spec.role}: model = {name!r} looks like a local folder, but it {where}. For a "
            f'local model write path = "/dir/written/by/save_pretrained" in models.toml (relative to '
            "the file); model = takes a Hugging Face hub id such as Helsinki-NLP/opus-mt-en-zh"
        )
    try:
        validate_repo_id(name)
    except HFValidationError as exc:
        raise ModelUnavailableError(
            f"model for {spec.role}: model = {name!r} is not a Hugging Face hub id "
            f"({str(exc).splitlines()[0]}). Use an id such as Helsinki-NLP/opus-mt-en-zh, or "
            'path = "/dir/of/the/model" for a local folder'
        ) from None
    return None


def _patterns(spec: ModelSpec | None) -> list[str]:
    weights = _weight_files(spec) if spec is not None else ["*.safetensors", "pytorch_model.bin"]
    return _CONFIG_FILES + _TOKENIZER_FILES + weights


def _weight_files(spec: ModelSpec) -> list[str]:
    """Safetensors when the repo has them; the .bin only when it does not (opus-mt-en-zh's main)."""
    from huggingface_hub import HfApi

    try:
        info = HfApi().model_info(_repo_id(spec), revision=spec.revision)
        names = {s.rfilename for s in info.siblings or []}
    except Exception:  # noqa: BLE001 - listing is an optimisation; the download reports real errors
        return ["*.safetensors", "pytorch_model.bin"]
    if any(name.endswith(".safetensors") for name in names):
        return ["*.safetensors"]
    return ["pytorch_model.bin"]


def _has_weights(directory: Path) -> bool:
    return any(directory.glob("*.safetensors")) or (directory / "pytorch_model.bin").is_file()


def _unavailable(spec: ModelSpec, why: str) -> ModelUnavailableError:
    error = _unavailable_error(spec, why)
    error.why = why  # for commands whose own fix differs (tsum models download)
    return error


def _unavailable_error(spec: ModelSpec, why: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"model {spec.model!r} ({spec.role}) is not available: {why}. Fix: run `tsum models download` "
        "on a machine with network access (files go to the Hugging Face cache, "
        f'{_cache_dir()}), or set `path = "/dir/of/the/model"` for {spec.role} in models.toml'
        + (", or use `--summarizer extractive`, which needs no model" if spec.role == "summarizer" else "")
    )


def _cache_dir() -> str:
    from huggingface_hub import constants

    return str(constants.HF_HUB_CACHE)


_THREADS: ContextVar[int | None] = ContextVar("tsum_model_threads", default=None)


@contextmanager
def cpu_threads(threads: int | None) -> Iterator[None]:
    """Models loaded inside use ``threads`` CPU threads (None: every core), e.g. a Ray actor's share.

    torch's count is process-wide and stays set; CTranslate2 reads ``load_threads()`` when it opens a model.
    """
    if threads is None:
        yield
        return
    import torch

    torch.set_num_threads(threads)
    token = _THREADS.set(threads)
    try:
        yield
    finally:
        _THREADS.reset(token)


def load_threads() -> int:
    """The CPU threads a model loaded now may use: set by ``cpu_threads``, else every core."""
    return _THREADS.get() or os.cpu_count() or 1


@contextmanager
def loading_quietly():
    """No per-tensor "Loading weights" bars while models load; download bars stay for downloads."""
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    was_disabled = are_progress_bars_disabled()
    disable_progress_bars()
    try:
        yield
    finally:
        if not was_disabled:
            enable_progress_bars()


def refused_pickle_error(resolved: ResolvedModel, exc: Exception) -> ModelUnavailableError:
    """The error for a checkpoint that torch's weights-only unpickler refused: it would run code.

    torch's own message advises ``weights_only=False``, which is exactly what must not be done.
    """
    blocked = next((line.strip().rstrip(".") for line in str(exc).splitlines() if "GLOBAL" in line), "")
    return ModelUnavailableError(
        f"model {resolved.spec.name!r} ({resolved.spec.role}) at {resolved.directory}: refused to load "
        f"pytorch_model.bin: it is not plain weights but a pickle that would run code"
        f"{f' ({blocked})' if blocked else ''}. Use a model from a trusted source, preferably with "
        "model.safetensors"
    )


def pick_device(requested: str) -> str:
    """``auto`` → cuda when a GPU is usable, else cpu."""
    if requested == "cpu":
        return "cpu"
    import torch

    if requested == "cuda" and not torch.cuda.is_available():
        raise OptionError("device", "device cuda: no CUDA GPU is available to PyTorch on this machine")
    return "cuda" if torch.cuda.is_available() else "cpu"


def availability(spec: ModelSpec) -> str:
    """Whether ``spec``'s model can be used offline, in words for ``tsum models list``."""
    try:
        resolved = resolve_model(spec, download=False)
    except ModelUnavailableError:
        return "not downloaded (run `tsum models download`)" if spec.path is None else "not found at its path"
    return f"ready at {resolved.directory}" + (
        f" (revision {resolved.revision})" if resolved.revision else ""
    )
