"""Re-rendering an article from its own outputs with the memory applied: no model, only the renderers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from translate_sum.errors import OutputError
from translate_sum.memory.apply import apply_memory
from translate_sum.memory.store import MemoryStore
from translate_sum.records import AlignedSegment, Article, ArticleResult, Flag, MemoryHit, Support, TermHit
from translate_sum.storage import MANIFEST, read_manifest, remove_stale_temporaries, write_atomic, write_json

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
    counts = result.manifest.setdefault("counts", {})
    counts["segments"] = len(result.segments)
    counts["flags"] = dict(sorted(Counter(f.type for s in result.segments for f in s.flags).items()))
    glossary = {}
    for lang in result.languages:
        statuses = Counter(t.status for s in result.segments for t in s.terms if t.lang == lang)
        glossary[lang] = {"found": sum(statuses.values())} | {
            k: statuses[k] for k in ("kept", "enforced", "flagged")
        }
    counts["glossary"] = glossary
    counts["memory"] = {lang: sum(lang in s.memory for s in result.segments) for lang in result.languages}
    if store is not None:
        result.manifest["memory_digest"] = store.digest([s.en for s in result.segments], result.languages)


def write_result(result: ArticleResult, folder: Path) -> None:
    """Every output file of the article, atomically; the manifest last (as ``tsum all`` writes them)."""
    from translate_sum.render import render_article

    if folder.is_symlink():
        raise OutputError(f"{folder}: is a symbolic link; tsum writes only into real folders")
    remove_stale_temporaries(folder)
    stale = folder / MANIFEST
    if stale.exists():
        stale.unlink()  # a crash before the new manifest makes the next tsum all redo the article
    for name, content in render_article(result).items():
        write_atomic(folder / name, content)
    write_json(folder / MANIFEST, result.manifest)


def refresh_article(folder: Path, store: MemoryStore, glossary=None) -> ArticleResult:
    """Apply the memory to the article in ``folder`` and rewrite its outputs, without any model.

    Segments the memory holds take its target (glossary and QA checks re-run on it); the others keep
    their translation. Returns the refreshed result.
    """
    result = load_result(folder)
    for lang in result.languages:
        apply_memory(result.segments, lang, store, glossary)
    update_counts(result, store)
    write_result(result, folder)
    return result
