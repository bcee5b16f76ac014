"""Serving segments from the memory: exact matches replace the machine translation, re-checked."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from translate_sum.memory.checks import check_target
from translate_sum.memory.keys import normalize_key
from translate_sum.memory.store import EMPTY_DIGEST, Entry, MemoryStore
from translate_sum.records import AlignedSegment, MemoryHit, Translation


@dataclass
class Served:
    """Which segments the memory served in one language, and their glossary counts."""

    ids: set[str] = field(default_factory=set)
    terms: Counter = field(default_factory=Counter)  # found / kept / enforced / flagged

    def add_counts(self, counts: dict[str, int] | None) -> dict[str, int]:
        """``counts`` (from translating the other segments) plus this memory's, in the same keys."""
        total = Counter(self.terms)
        total.update(counts or {})
        return {k: total[k] for k in ("found", "kept", "enforced", "flagged")}


def apply_memory(
    segments: list[AlignedSegment], lang: str, store: MemoryStore | None, glossary=None
) -> Served:
    """Put the memory's ``lang`` target into every segment it holds exactly (normalised key).

    Each served segment gets ``memory[lang]`` (status and origin), and its ``lang`` glossary hits and
    QA flags are recomputed on the stored text. Returns the served ids: the caller translates the rest.
    Near matches are never applied here.
    """
    served = Served()
    if store is None or not segments:
        return served
    found = store.lookup([s.en for s in segments], lang)
    for segment in segments:
        entry = found.get(normalize_key(segment.en))
        if entry is None:
            continue
        set_target(segment, lang, entry, glossary)
        served.ids.add(segment.id)
        served.terms.update({"found": len([t for t in segment.terms if t.lang == lang])})
        served.terms.update(t.status for t in segment.terms if t.lang == lang)
    return served


def set_target(segment: AlignedSegment, lang: str, entry: Entry, glossary=None) -> None:
    """Make ``entry.target`` the segment's ``lang`` text, with fresh glossary hits and QA flags."""
    split = any(f.type == "split" and f.lang == lang for f in segment.flags)
    terms, flags = check_target(segment.en, entry.target, lang, glossary, split=split)
    segment.translations[lang] = entry.target
    segment.terms = [t for t in segment.terms if t.lang != lang] + terms
    segment.flags = [f for f in segment.flags if f.lang != lang] + flags
    segment.memory[lang] = MemoryHit(entry.status, entry.origin, entry.origin_name, entry.updated)


def served_translation(en: str, lang: str, entry: Entry, glossary=None) -> Translation:
    """``entry.target`` as the ``lang`` translation of ``en``, with its own glossary hits and QA flags."""
    terms, flags = check_target(en, entry.target, lang, glossary)
    hit = MemoryHit(entry.status, entry.origin, entry.origin_name, entry.updated)
    return Translation(entry.target, tuple(terms), tuple(flags), memory=hit)


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
