"""An article read back from its own outputs with the memory applied: no model, ready to render again."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from translate_sum.errors import OutputError
from translate_sum.memory.apply import apply_memory
from translate_sum.memory.store import MemoryStore
from translate_sum.records import AlignedSegment, Article, ArticleResult, Flag, MemoryHit, Support, TermHit
from translate_sum.storage import read_manifest
from translate_sum.terms.guard import count_hits

_RECORD_KEYS = {"id", "paragraph", "kind", "en", "support", "flags", "terms", "memory"}


def segment_from_dict(record: dict, languages: tuple[str, ...]) -> AlignedSegment:
    """The inverse of ``AlignedSegment.to_dict`` (term offsets are found again in the source)."""
    en = str(record["en"])
    terms = []
    for t in record.get("terms") or []:
        start = en.find(t["surface"]) if t.get("surface") else -1
        end = start + len(t["surface"]) if start >= 0 else -1
        terms.append(TermHit(t["en"], t["surface"], start, end, t["lang"], t["target"], t["status"]))
    return AlignedSegment(
        id=str(record["id"]),
        kind=str(record["kind"]),
        paragraph=int(record["paragraph"]),
        en=en,
        translations={lang: str(record[lang]) for lang in languages if lang in record},
        support=[Support(s["id"], float(s["score"])) for s in record.get("support") or []],
        flags=[Flag(f["type"], f.get("lang"), f["detail"]) for f in record.get("flags") or []],
        terms=terms,
        memory={
            lang: MemoryHit(m["status"], m["origin"], m.get("origin_name"), m.get("updated"))
            for lang, m in (record.get("memory") or {}).items()
        },
    )


def load_result(folder: Path) -> ArticleResult:
    """The article in ``outputs/<slug>/`` as the renderers need it, read from aligned.jsonl and the manifest.

    Raises OutputError when the folder holds no finished article.
    """
    manifest = read_manifest(folder)
    if not manifest:
        raise OutputError(f"{folder}: no finished article here (manifest.json missing); run tsum all")
    try:
        lines = (folder / "aligned.jsonl").read_text(encoding="utf-8").splitlines()
        raw = [json.loads(line) for line in lines if line.strip()]
        # Older manifests lack "languages": the target columns of aligned.jsonl say the same.
        languages = tuple(
            manifest.get("languages") or (k for k in raw[0] if k not in _RECORD_KEYS) if raw else ()
        )
        segments = [segment_from_dict(record, languages) for record in raw]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OutputError(f"{folder / 'aligned.jsonl'}: cannot be read back ({exc}); run tsum all") from None
    meta = manifest.get("article") or {}
    source = manifest.get("input") or {}
    article = Article(
        path=Path(source.get("path") or folder.name),
        sha256=str(source.get("sha256") or ""),
        title=str(meta.get("title") or folder.name),
        date=meta.get("date"),
        source=meta.get("source"),
        paragraphs=(),
    )
    return ArticleResult(article, folder.name, languages, segments, manifest)


def update_counts(result: ArticleResult, store: MemoryStore | None) -> None:
    """Bring the manifest's flag, glossary and memory counts (and memory digest) in line with the segments."""
    manifest = result.manifest
    if not isinstance(manifest, dict):
        raise TypeError("update_counts works on a manifest read back from an article folder")
    counts = manifest.setdefault("counts", {})
    counts["segments"] = len(result.segments)
    counts["flags"] = dict(sorted(Counter(f.type for s in result.segments for f in s.flags).items()))
    counts["glossary"] = {
        lang: count_hits(t for s in result.segments for t in s.terms if t.lang == lang)
        for lang in result.languages
    }
    counts["memory"] = {lang: sum(lang in s.memory for s in result.segments) for lang in result.languages}
    if store is not None:
        manifest["memory_digest"] = store.digest([s.en for s in result.segments], result.languages)


def refresh_article(folder: Path, store: MemoryStore, glossary=None) -> ArticleResult:
    """The article in ``folder`` with the memory applied, read back from its outputs: no model.

    Segments the memory holds take its target (glossary and QA checks re-run on it); the others keep
    their translation. The caller writes the result (``pipeline.write.write_article``).
    """
    result = load_result(folder)
    for lang in result.languages:
        apply_memory(result.segments, lang, store, glossary)
    update_counts(result, store)
    return result
