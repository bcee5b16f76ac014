"""Converting a model into tsum's cache once (in a child process, under a lock) and opening it."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import re
import shutil
import struct
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from filelock import FileLock

from translate_sum.config import ModelSpec
from translate_sum.engines.ct2.runtime import import_ctranslate2
from translate_sum.engines.ct2.vmap import write_vmap
from translate_sum.engines.hub import ResolvedModel, load_threads, refused_pickle_error
from translate_sum.errors import ModelUnavailableError
from translate_sum.paths import cache_root

logger = logging.getLogger("translate_sum")

# Bump when the conversion itself changes (converter workarounds, file layout), so old caches are redone.
# 2: vmap.txt of the target pieces; int8/float16 weights read tensor by tensor in half precision.
_CONVERSION_FORMAT = 2

# The weights CTranslate2 stores for each compute type. A model stored as int8 serves every int8_*
# compute type; float32 storage keeps full precision for the float32 parity path.
STORAGE = {
    "int8": "int8",
    "int8_float32": "int8",
    "int8_float16": "int8",
    "int8_bfloat16": "int8",
    "float16": "float16",
    "bfloat16": "bfloat16",
    "float32": "float32",
}


def converted_dir(resolved: ResolvedModel, quantization: str) -> Path:
    """Where ``resolved`` converted to CTranslate2 ``quantization`` lives (existing or not).

    The name carries the model id (or local folder name) for people, and a hash of everything that
    changes the converted weights: the hub commit, or a local model's file sizes and times; the
    ctranslate2 version; and the quantization.
    """
    ctranslate2 = import_ctranslate2()
    spec = resolved.spec
    if resolved.revision:
        identity: dict[str, Any] = {"id": spec.model, "revision": resolved.revision}
        label = f"{spec.model}-{resolved.revision[:12]}"
    else:
        files = sorted(p for p in resolved.directory.iterdir() if p.is_file())
        identity = {
            "path": str(resolved.directory.resolve()),
            "files": [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files],
        }
        label = resolved.directory.name
    identity.update(ctranslate2=ctranslate2.__version__, format=_CONVERSION_FORMAT, quantization=quantization)
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", label).strip("-.")[:80] or "model"
    return cache_root() / "ct2" / f"{slug}-{digest}-{quantization}"


def convert_model(resolved: ResolvedModel, quantization: str) -> Path:
    """The CTranslate2 model for ``resolved`` stored as ``quantization``, converting it on first use.

    Converted once into tsum's cache (never into the Hugging Face cache) and reused by later runs.
    The conversion runs in a child process of its own, so its peak memory (the checkpoint's weights)
    is returned to the system when it ends and never adds to the models a run has loaded. It writes
    into a temporary folder renamed into place when complete, under a lock, so a killed or
    concurrent run never sees half a model. Raises ModelUnavailableError.
    """
    target = converted_dir(resolved, quantization)
    if _complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / f".{target.name}.lock")):
        if _complete(target):  # another process converted it while we waited
            return target
        for leftover in target.parent.glob(f".tmp-{target.name}-*"):  # from a killed conversion
            shutil.rmtree(leftover, ignore_errors=True)
        logger.info(
            "converting %s to CTranslate2 %s (once; cached in %s)", resolved.spec.name, quantization, target
        )
        work = Path(tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=target.parent))
        try:
            _convert_in_child(resolved, work / "model", quantization)
            (work / "model" / "tsum-source.json").write_text(
                json.dumps({**resolved.describe(), "quantization": quantization}, indent=2), encoding="utf-8"
            )
            if target.exists():  # an incomplete folder left by hand or an older tsum
                shutil.rmtree(target)
            os.replace(work / "model", target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def ensure_converted(resolved: ResolvedModel, device: str) -> Path:
    """Convert now the model ``open_converted`` will open for ``resolved`` on ``device`` (cached: a no-op)."""
    return convert_model(resolved, STORAGE[default_compute_type(resolved.spec, device)])


def _complete(directory: Path) -> bool:
    return (directory / "model.bin").is_file() and (directory / "config.json").is_file()


def _convert_in_child(resolved: ResolvedModel, output: Path, quantization: str) -> None:
    """``_convert`` in a fresh (spawned) Python process; its errors are raised here unchanged."""
    # spawn, not fork: a forked child would inherit the parent's loaded models and OpenMP state.
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            pool.submit(_convert, resolved, output, quantization).result()
    except BrokenProcessPool:
        raise ModelUnavailableError(
            f"model {resolved.spec.name!r} ({resolved.spec.role}): the process converting it to "
            "CTranslate2 died (out of memory, or killed). Run `tsum models convert` again with more "
            'free memory, or set backend = "transformers" for '
            f"{resolved.spec.role} in models.toml"
        ) from None


def _convert(resolved: ResolvedModel, output: Path, quantization: str) -> None:
    """Convert ``resolved`` into ``output`` (run in the child) and add its target-vocabulary map."""
    _fix_mmap_threshold()
    try:
        # Half precision is exact for float16 storage and, for int8, only moves a weight across a
        # rounding boundary when fp16 rounding does (the int8 step is 16x coarser): it halves the
        # converter's peak memory. float32 storage (the parity path) reads the weights as they are.
        half = STORAGE.get(quantization, quantization) in ("int8", "float16")
        converter = _converter_class()(str(resolved.directory))
        converter.half_weights = half
        converter.convert(str(output), quantization=quantization)
        write_vmap(resolved.directory, output)
    except pickle.UnpicklingError as exc:
        raise refused_pickle_error(resolved, exc) from None
    except (
        OSError,
        ValueError,
        KeyError,
        AttributeError,
        NotImplementedError,
        RuntimeError,
        EOFError,
    ) as exc:
        raise ModelUnavailableError(
            f"model {resolved.spec.name!r} ({resolved.spec.role}) cannot be converted to CTranslate2: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}. Fix: set "
            f'backend = "transformers" for {resolved.spec.role} in models.toml'
        ) from None


def _fix_mmap_threshold() -> None:
    """Make glibc give freed tensors back to the system at once (this process only: the converter).

    glibc raises its mmap threshold after each large free, so later tensors come from the heap and
    their memory stays in the process after they are freed: the converter's peak grew by the size
    of the quantised model (1.45 GB instead of 1.15 GB for distilbart). A fixed threshold stops that.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD: fixed, no longer raised dynamically
    except (OSError, AttributeError):  # not glibc (macOS, musl): the conversion only uses more memory
        pass


@functools.lru_cache(maxsize=1)
def _converter_class():
    import_ctranslate2()
    from ctranslate2.converters import TransformersConverter

    class SafeTransformersConverter(TransformersConverter):
        """ctranslate2's converter, loading weights safely and patching what transformers 5 dropped.

        With ``half_weights``, a single-file safetensors checkpoint is read tensor by tensor and its
        matrices kept in float16 (vectors stay float32), so the fp32 checkpoint is never in memory whole.
        """

        half_weights = False

        def _load(self):
            spec = super()._load()
            # The model is garbage now, but held in reference cycles: collected here, each weight is
            # freed as soon as its quantised copy replaces it, instead of all of them at the end.
            gc.collect()
            return spec

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            tokenizer = super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)
            language_ids = getattr(tokenizer, "lang_token_to_id", None)
            if language_ids and not set(language_ids) <= set(tokenizer.get_vocab()):
                # transformers 5's M2M100Tokenizer leaves its language tokens (__zh__) out of get_vocab(),
                # where ctranslate2's M2M100 loader reads the vocabulary: it would fill their ids with
                # made-up words and the model could no longer be told its target language.
                vocabulary = {**tokenizer.get_vocab(), **language_ids}
                tokenizer.get_vocab = lambda: dict(vocabulary)
            return tokenizer

        def load_model(self, model_class, model_name_or_path, **kwargs):
            weights = Path(model_name_or_path) / "model.safetensors"
            if self.half_weights and weights.is_file():
                model = load_half(model_class, weights, kwargs["config"])
            else:
                # A .bin-only checkpoint (opus-mt-en-zh's main) goes through torch's weights-only
                # unpickler: transformers 5 defaults to it, and we say so rather than rely on the default.
                kwargs["weights_only"] = True
                model = model_class.from_pretrained(model_name_or_path, **kwargs)
            config = model.config
            if config.model_type == "bart" and not hasattr(config, "normalize_before"):
                # ctranslate2's BART loader reads fairseq's normalize_before, which transformers 5's
                # BartConfig no longer carries. BART is post-norm (LayerNorm after each residual).
                config.normalize_before = False
            return model

    return SafeTransformersConverter


def load_half(model_class, weights: Path, config):
    """``model_class`` with the weights of a safetensors file read one tensor at a time.

    Matrices are kept in float16 and vectors (biases, norms) in float32. Reading with plain file
    reads, not a memory map, keeps only one float32 tensor in memory at a time: distilbart's
    conversion peaks near 1.1 GB instead of 1.9 GB (benchmarks/README.md).
    """
    import torch

    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
    state: dict[str, Any] = {}
    vectors: dict[str, Any] = {}
    with open(weights, "rb") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
        for name, info in header.items():
            if name == "__metadata__":
                continue
            if info["dtype"] not in dtypes:
                raise ValueError(f"{weights.name}: tensor {name} has unsupported dtype {info['dtype']}")
            start, end = info["data_offsets"]
            handle.seek(8 + size + start)
            raw = bytearray(end - start)
            handle.readinto(raw)
            tensor = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
            if _quantized_matrix(name, tensor.shape):
                state[name] = tensor.to(torch.float16)
            else:
                state[name] = vectors[name] = tensor.to(torch.float32)
            del tensor, raw
    model = model_class.from_pretrained(None, config=config, state_dict=state, dtype=torch.float16)
    del state
    # from_pretrained made everything float16: put back the float32 values of what is not quantised.
    in_model = model.state_dict(keep_vars=True)
    with torch.no_grad():
        for name, tensor in vectors.items():
            if name in in_model:
                in_model[name].data = tensor
    return model.eval()


def _quantized_matrix(name: str, shape) -> bool:
    """Whether CTranslate2 stores this checkpoint tensor as int8: the embedding and Linear matrices.

    Position embeddings, norms, biases and Marian/BART's ``final_logits_bias`` stay in float.
    """
    return len(shape) == 2 and shape[0] > 1 and name.endswith(".weight") and "embed_positions" not in name


def open_converted(resolved: ResolvedModel, device: str, compute_type: str):
    """The converted model's folder and a ``ctranslate2.Translator`` on it, converting on first use."""
    model_dir = convert_model(resolved, STORAGE[compute_type])
    model = import_ctranslate2().Translator(
        str(model_dir),
        device=device,
        compute_type=compute_type,
        inter_threads=1,
        # A worker sharing its machine with others (a Ray actor) takes fewer: engines.hub.cpu_threads.
        intra_threads=load_threads(),
    )
    return model_dir, model


def default_compute_type(spec: ModelSpec, device: str) -> str:
    """float16 on CUDA; int8 on CPU unless the spec turns quantisation off."""
    if device == "cuda":
        return "float16"
    return "int8" if spec.quantize else "float32"
