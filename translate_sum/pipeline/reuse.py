"""Each distinct model input once: repeats within a step share one output, and the cache of model
outputs serves what an earlier run (or another worker) already computed with the same model.

The engines do not know about it: a stage hands ``OutputReuse.serve`` its inputs and the engine call that
computes the rest. The model's fingerprint (``model_fingerprint``) is its description (backend,
compute type, generation settings, target token, CPU settings in force) and the identity of its
files, so an output is only ever reused for the very model and settings that made it.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from translate_sum.cache import Cached, CacheUse, OutputStore, entry_key
from translate_sum.engines.base import Scored
from translate_sum.pipeline.fingerprint import directory_digest
from translate_sum.pipeline.manifest import library_versions

#: Where an input's output came from: computed by the model, read from the cache, or shared with an
#: earlier occurrence of the same input in the same step (computed or read once for both).
MODEL, CACHE, SHARED = "model", "cache", "shared"
#: Description entries that name where files lie, not what they hold (the files count by content).
_LOCATIONS = ("ct2_model_dir", "path")

_fingerprints: weakref.WeakKeyDictionary[Any, tuple[str, str]] = weakref.WeakKeyDictionary()


def model_fingerprint(model: Any, kind: str) -> tuple[str, str]:
    """(fingerprint, label) of a loaded summarizer or translator, for ``kind`` ("summarize", "translate").

    The fingerprint hashes ``describe()`` (backend, compute type, generation settings, target token,
    input limit, CPU settings) without file locations, the model's files (a hub model by its resolved
    commit, a local folder by the content of its files), and the versions of tsum and the inference
    libraries.
    """
    known = _fingerprints.get(model)
    if known is None:
        info = {k: v for k, v in model.describe().items() if k not in _LOCATIONS}
        if isinstance(info.get("cpu"), dict):  # the settings in force count, not who set them
            info["cpu"] = {k: v for k, v in info["cpu"].items() if k != "set_by_tsum"}
        resolved = getattr(model, "resolved", None)
        files = None
        if resolved is not None:
            files = resolved.revision or directory_digest(resolved.directory)
        payload = json.dumps(
            {"kind": kind, "model": info, "files": files, "libraries": _versions()},
            sort_keys=True,
            default=str,
        )
        name = info.get("id") or getattr(getattr(model, "spec", None), "name", "?")
        role = getattr(getattr(model, "spec", None), "role", kind)
        label = f"{role}: {name} ({info.get('backend') or info.get('engine') or '?'}"
        label += f", {info['compute_type']})" if info.get("compute_type") else ")"
        known = (hashlib.sha256(payload.encode()).hexdigest(), label)
        _fingerprints[model] = known
    return known


def _versions() -> dict[str, str | None]:
    """tsum's and the inference libraries' versions: an upgrade may change what a model outputs."""
    versions = library_versions()
    return {name: versions.get(name) for name in ("tsum", "torch", "transformers", "ctranslate2")}


class OutputReuse:
    """One step's inputs to one model: repeats computed once, outputs read from and stored in the cache.

    ``sources``: for each call of ``serve``, which input went where; ``counts`` tells each owner's story.
    """

    def __init__(self, model: Any, kind: str, cache: CacheUse | None) -> None:
        self.kind = kind
        self.fingerprint, self.label = model_fingerprint(model, kind) if cache else ("", "")
        self.cache = cache
        self.store: OutputStore | None = cache.open() if cache is not None else None
        self.computed: set[str] = set()  # inputs the model was given in this step
        self.from_cache: set[str] = set()
        self.owned: dict[int, list[str]] = {}  # owner -> its inputs, in order (``serve(owners=…)``)
        self.known: dict[str, Scored] = {}  # every output of this step, by input
        self.last_computed: list[str] = []  # what the last ``serve`` gave the model

    def __enter__(self) -> OutputReuse:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.store is not None:
            self.store.close()

    def serve(
        self,
        inputs: Sequence[str],
        compute: Callable[[list[str]], Sequence[Scored]],
        owners: Sequence[int] | None = None,
    ) -> list[Scored]:
        """An output for each of ``inputs``: from this step's earlier outputs, the cache, or ``compute``
        called once on the distinct rest (in first-seen order); what it computes is stored."""
        if owners is not None:
            for owner, text in zip(owners, inputs, strict=True):
                self.owned.setdefault(owner, []).append(text)
        distinct = [text for text in dict.fromkeys(inputs) if text not in self.known]
        outputs = self.known
        keys = {text: entry_key(self.fingerprint, text) for text in distinct} if self.store else {}
        if distinct and self.store is not None and self.cache is not None and self.cache.read:
            found = self.store.get_many(list(keys.values()))
            for text in distinct:
                hit = found.get(keys[text])
                if hit is not None:
                    outputs[text] = Scored(hit.text, hit.logprob, hit.tokens)
                    self.from_cache.add(text)
        todo = [text for text in distinct if text not in outputs]
        if todo:
            made = list(compute(todo))
            if len(made) != len(todo):
                raise ValueError(f"the model returned {len(made)} outputs for {len(todo)} inputs")
            outputs.update(zip(todo, made, strict=True))
            self.computed.update(todo)
            if self.store is not None and self.cache is not None and self.cache.write:
                rows = [
                    (keys[t], Cached(o.text, o.logprob, o.tokens)) for t, o in zip(todo, made, strict=True)
                ]
                self.store.put_many(self.fingerprint, self.kind, self.label, rows)
        self.last_computed = todo
        return [outputs[text] for text in inputs]

    def tally(self, inputs_per_owner: Sequence[Sequence[str]]) -> list[dict[str, int]]:
        """For each owner (in step order), its inputs by where their output came from.

        The first occurrence of an input counts as the model's or the cache's; later ones as shared,
        so model + cache is the number of distinct inputs.
        """
        claimed: set[str] = set()
        out = []
        for inputs in inputs_per_owner:
            counts: Counter[str] = Counter()
            for text in inputs:
                if text in claimed or not (text in self.from_cache or text in self.computed):
                    counts[SHARED] += 1
                    continue
                claimed.add(text)
                counts[CACHE if text in self.from_cache else MODEL] += 1
            out.append({k: counts[k] for k in (MODEL, CACHE, SHARED)})
        return out
