"""Serving segments from the memory: exact matches replace the machine translation, re-checked."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from translate_sum.memory.checks import check_target
from translate_sum.memory.keys import normalize_key
from translate_sum.memory.store import EMPTY_DIGEST, Entry, MemoryStore
from translate_sum.records import AlignedSegment, MemoryHit, Translation


def apply_memory(
    segments: list[AlignedSegment], lang: str, store: MemoryStore | None, glossary=None
) -> set[str]:
    """Put the memory's ``lang`` target into every segment it holds exactly (normalised key).

    Each served segment gets ``memory[lang]`` (status and origin), and its ``lang`` glossary hits and
    QA flags are recomputed on the stored text. Returns the ids served. Near matches are never applied.
    """
    if store is None or not segments:
        return set()
    found = store.lookup([s.en for s in segments], lang)
    served = set()
    for segment in segments:
        entry = found.get(normalize_key(segment.en))
        if entry is not None:
            set_target(segment, lang, entry, glossary)
            served.add(segment.id)
    return served


def set_target(segment: AlignedSegment, lang: str, entry: Entry, glossary=None) -> None:
    """Make ``entry.target`` the segment's ``lang`` text, with fresh glossary hits and QA flags."""
    split = any(f.type == "split" and f.lang == lang for f in segment.flags)
    checked = check_target(segment.en, entry.target, lang, glossary, split=split)
    segment.translations[lang] = entry.target
    segment.terms = [t for t in segment.terms if t.lang != lang] + list(checked.terms)
    segment.flags = [f for f in segment.flags if f.lang != lang] + list(checked.flags)
    segment.memory[lang] = _hit(entry)
    segment.confidence.pop(lang, None)  # the model's confidence was in its own text, not this one


def served_translation(en: str, lang: str, entry: Entry, glossary=None, qa=None) -> Translation:
    """``entry.target`` as the ``lang`` translation of ``en``, with its own glossary hits and QA flags
    (``qa``: a ``qa.QaSettings``, the defaults when None). It carries no model confidence."""
    return replace(check_target(en, entry.target, lang, glossary, settings=qa), memory=_hit(entry))


def _hit(entry: Entry) -> MemoryHit:
    return MemoryHit(entry.status, entry.origin, entry.origin_name, entry.updated)


def memory_digest(store: MemoryStore | None, sources: list[str], languages) -> str | None:
    """The hash of the memory entries relevant to these source sentences (None without a memory)."""
    return None if store is None else store.digest(sources, languages)


def aligned_sources(folder: Path) -> list[str]:
    """The English text of every segment in ``folder/aligned.jsonl`` (empty when unreadable)."""
    try:
        lines = (folder / "aligned.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["en"] for line in lines if line.strip()]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def is_memory_current(manifest: dict | None, folder: Path, store: MemoryStore | None, languages) -> bool:
    """Whether the outputs in ``folder`` already reflect the memory entries that concern them."""
    if store is None or not manifest:
        return True
    recorded = manifest.get("memory_digest") or EMPTY_DIGEST
    return recorded == store.digest(aligned_sources(folder), languages)
