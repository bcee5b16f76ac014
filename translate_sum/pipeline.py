"""The whole run: load → segment → summarise → translate (with glossary) → QA → align → write."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translate_sum import __version__
from translate_sum.align import align, summary_segments, summary_support
from translate_sum.config import Config
from translate_sum.engines.loader import Engines
from translate_sum.errors import ArticleError, ConfigError, OutputError, TsumError
from translate_sum.ingest import display_path, extraction_settings, list_articles, load_article
from translate_sum.memory import (
    MemoryStore,
    apply_memory,
    is_memory_current,
    memory_digest,
    memory_path,
    open_memory,
)
from translate_sum.memory.refresh import refresh_article
from translate_sum.records import PROSE_KINDS, AlignedSegment, Article, ArticleResult, IndexEntry
from translate_sum.segment import segment_article
from translate_sum.storage import (
    MANIFEST,
    article_dir,
    base_slug,
    output_lock,
    read_manifest,
    remove_stale_temporaries,
    unique_slugs,
    write_atomic,
    write_json,
)

logger = logging.getLogger("translate_sum")

#: ``progress(description, total)`` returns a context manager yielding an ``update(n)`` callable.
ProgressFactory = Callable[[str, int], Any]


@contextmanager
def no_progress(description: str, total: int):
    yield lambda n=1: None


@dataclass
class RunOptions:
    """What ``tsum all`` was asked to do."""

    input_dir: Path
    output_dir: Path
    config: Config
    languages: tuple[str, ...]
    device: str = "auto"
    force: bool = False
    glossary: Path | None = None  # explicit --glossary; else models.toml; else input_dir/glossary.tsv


@dataclass
class RunReport:
    """How a run ended: one entry per article, and notices about skipped files."""

    entries: list[IndexEntry] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    models_loaded: list[str] = field(default_factory=list)
    terms: dict[str, Counter] = field(default_factory=dict)  # lang -> found/kept/enforced/flagged, this run
    memory: Counter = field(default_factory=Counter)  # lang -> segments served from the translation memory

    def add_terms(self, counts: dict[str, dict[str, int]]) -> None:
        for lang, numbers in counts.items():
            self.terms.setdefault(lang, Counter()).update(numbers)

    @property
    def failed(self) -> list[IndexEntry]:
        return [e for e in self.entries if e.status == "failed"]


def load_glossary(path: Path | None):
    """The glossary at ``path`` (None: no glossary). Raises GlossaryError."""
    if path is None:
        return None
    from translate_sum.terms.glossary import Glossary

    if not path.is_file():
        raise ConfigError(f"{path}: glossary file not found")
    return Glossary.load(path)


def run_all(
    options: RunOptions,
    progress: ProgressFactory = no_progress,
    notify: Callable[[str], None] = lambda message: None,
) -> RunReport:
    """Process every article in ``options.input_dir``; one failure never stops the others.

    Raises ConfigError (bad config, glossary, or missing model) before touching any article,
    and OutputError when the output folder cannot be used at all.
    """
    if not options.input_dir.is_dir():
        raise ConfigError(f"{options.input_dir}: input folder not found")
    unknown = [lang for lang in options.languages if lang not in options.config.translators]
    if unknown:
        raise ConfigError(
            f"--only: no translator configured for {', '.join(unknown)} (models.toml [translators])"
        )
    glossary = load_glossary(options.config.glossary_file(options.input_dir, options.glossary))
    report = RunReport()
    paths, report.notices = list_articles(options.input_dir)
    for notice in report.notices:
        notify(notice)

    loaded: list[tuple[Path, Article | None, str | None]] = []
    for path in paths:
        try:
            loaded.append((path, load_article(path), None))
        except ArticleError as exc:
            loaded.append((path, None, str(exc)))
        except Exception as exc:  # noqa: BLE001 - one unreadable article must not cost the others
            logger.exception("unexpected failure loading %s", display_path(path))
            loaded.append((path, None, f"{display_path(path)}: unexpected {type(exc).__name__}: {exc}"))
    slugs = unique_slugs([(p.name, base_slug(a.title, a.date)) for p, a, _ in loaded if a is not None])

    engines = Engines(options.config, options.device)
    fingerprint = run_fingerprint(options, glossary)
    memory_file = memory_path(options.config.memory, options.output_dir)
    with output_lock(options.output_dir), open_memory(memory_file) as memory:
        remove_stale_temporaries(options.output_dir)  # e.g. an index.md a killed run was writing
        todo: list[tuple[Path, Article, str, bool]] = []  # ..., True: only memory entries changed
        for path, article, error in loaded:
            if article is None:
                shown = display_path(path)
                report.entries.append(IndexEntry(None, Path(shown).name, None, shown, "failed", error=error))
                notify(f"error: {error}")
                continue
            slug = slugs[path.name]
            folder = article_dir(options.output_dir, slug)
            previous = read_manifest(folder)
            if not options.force and is_current(previous, article, fingerprint):
                if is_memory_current(previous, folder, memory, options.languages):
                    report.entries.append(_entry(article, slug, "skipped", previous))
                else:
                    todo.append((path, article, slug, True))
            else:
                todo.append((path, article, slug, False))
        if any(not memory_only for *_, memory_only in todo):
            engines.check_available(options.languages)
        with progress("articles", len(todo)) as advance:
            for path, article, slug, memory_only in todo:
                try:
                    if memory_only:  # re-render from the outputs with the new memory entries: no model
                        result = refresh_article(article_dir(options.output_dir, slug), memory, glossary)
                    else:
                        result = process_article(
                            article, slug, options, engines, glossary, fingerprint, progress, memory
                        )
                        write_article(result, options.output_dir)
                    report.entries.append(_entry(article, slug, "done", result.manifest))
                    report.add_terms(result.manifest["counts"]["glossary"])
                    report.memory.update(result.manifest["counts"].get("memory") or {})
                except ConfigError:
                    raise  # the run cannot go on (e.g. a model that will not load): exit 2
                except TsumError as exc:  # this article's input, or its output folder
                    report.entries.append(_failed(article, slug, str(exc)))
                    notify(f"error: {exc}")
                except Exception as exc:  # noqa: BLE001 - one article's crash must not cost the others
                    logger.exception("unexpected failure on %s", path)
                    message = f"{path}: unexpected {type(exc).__name__}: {exc}"
                    report.entries.append(_failed(article, slug, message))
                    notify(f"error: {message}")
                advance(1)
        report.entries.sort(key=lambda e: e.source_path)
        write_index(options.output_dir, report.entries)
    report.models_loaded = engines.loaded
    return report


def run_fingerprint(options: RunOptions, glossary) -> dict[str, Any]:
    """Everything besides the input text that changes an article's outputs."""
    return {
        "tsum_version": __version__,
        "languages": list(options.languages),
        "config": options.config.fingerprint(options.languages),
        "glossary_sha256": glossary.sha256 if glossary is not None else None,
    }


def fingerprint_hash(article: Article, fingerprint: dict[str, Any]) -> str:
    # How the file was read (e.g. the HTML extractor's settings) counts as part of its input.
    extraction = extraction_settings(article.path)
    payload = json.dumps(
        {"input": article.sha256, "extraction": extraction, **fingerprint}, sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def is_current(manifest: dict | None, article: Article, fingerprint: dict[str, Any]) -> bool:
    """True when the outputs on disk came from this very input, models, settings and glossary."""
    return bool(manifest) and manifest.get("fingerprint") == fingerprint_hash(article, fingerprint)


def process_article(
    article: Article,
    slug: str,
    options: RunOptions,
    engines: Engines,
    glossary,
    fingerprint: dict[str, Any],
    progress: ProgressFactory = no_progress,
    memory: MemoryStore | None = None,
) -> ArticleResult:
    """Run every stage for one article and return what the writers need.

    Segments the translation ``memory`` holds are served from it and never reach a translator.
    """
    from translate_sum.terms.guard import TermGuard

    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(timings.get(stage, 0.0) + now - clock, 3)
        clock = now

    source = segment_article(article)
    body = [s.en for s in source if s.kind in PROSE_KINDS]
    lap("segment")

    summarizer = engines.summarizer()
    with progress(f"summarise {slug[:24]}", 1) as advance:
        summary = summarizer.summarize(body, progress=advance)
    summary = [s for s in summary if s.strip()]
    lap("summarize")

    support = dict(zip((f"s{i}" for i in range(len(summary))), summary_support(summary, source), strict=True))
    segments = align(source + summary_segments(summary), support)
    lap("align")

    guard = TermGuard(glossary)
    term_counts: dict[str, dict[str, int]] = {}
    memory_counts: dict[str, int] = {}
    for lang in options.languages:
        served = apply_memory(segments, lang, memory, glossary)
        rest = [s for s in segments if s.id not in served.ids]
        counts = translate_into(rest, lang, engines.translator(lang), guard, progress) if rest else None
        term_counts[lang] = served.add_counts(counts)
        memory_counts[lang] = len(served.ids)
        lap(f"translate_{lang}")

    manifest = build_manifest(
        article, options, engines, glossary, fingerprint, segments, term_counts, timings
    )
    manifest["counts"]["memory"] = memory_counts
    if memory is not None:
        manifest["memory_digest"] = memory_digest(memory, [s.en for s in segments], options.languages)
    return ArticleResult(
        article=article, slug=slug, languages=options.languages, segments=segments, manifest=manifest
    )


def build_manifest(article, options, engines, glossary, fingerprint, segments, term_counts, timings) -> dict:
    models: dict[str, Any] = {"summarizer": engines.summarizer().describe()}
    for lang in options.languages:
        # A language the memory served entirely loaded no translator: nothing to describe.
        models[lang] = engines.translator(lang).describe() if lang in engines.loaded else {"memory": True}
    flag_counts = Counter(f.type for s in segments for f in s.flags)
    return {
        "tsum_version": __version__,
        "input": {"path": str(article.path), "sha256": article.sha256},
        "article": {
            "title": article.title,
            "date": article.date,
            "source": article.source,
            "author": article.author,
        },
        "languages": list(options.languages),
        "models": models,
        "glossary": {"path": str(glossary.path), "sha256": glossary.sha256} if glossary is not None else None,
        "settings": {
            "device": engines.device,
            "batch_tokens": options.config.batch_tokens,
            "config_file": str(options.config.source) if options.config.source else None,
        },
        "timings": timings,
        "counts": {
            "segments": len(segments),
            "flags": dict(sorted(flag_counts.items())),
            "glossary": term_counts,
        },
        "fingerprint": fingerprint_hash(article, fingerprint),
    }


def write_article(result: ArticleResult, output_dir: Path) -> None:
    """Every output file, atomically; the manifest last, so an interrupted article is redone."""
    from translate_sum.render import render_article

    folder = article_dir(output_dir, result.slug)
    if folder.is_symlink():
        raise OutputError(
            f"{folder}: is a symbolic link; tsum writes only into real folders inside the "
            "output folder (remove the link)"
        )
    if folder.exists():
        remove_stale_temporaries(folder)
    stale = folder / MANIFEST
    if stale.exists():
        # Invalidate first: a run killed between here and the new manifest redoes this article.
        stale.unlink()
    for name, content in render_article(result).items():
        write_atomic(folder / name, content)
    write_json(folder / MANIFEST, result.manifest)


def write_index(output_dir: Path, entries: list[IndexEntry]) -> None:
    from translate_sum.render import render_index_html, render_index_md

    write_atomic(output_dir / "index.md", render_index_md(entries))
    write_atomic(output_dir / "index.html", render_index_html(entries))


def _entry(article: Article, slug: str, status: str, manifest: dict | None) -> IndexEntry:
    flags = ((manifest or {}).get("counts") or {}).get("flags") or {}
    return IndexEntry(slug, article.title, article.date, str(article.path), status, dict(flags))


def _failed(article: Article, slug: str, message: str) -> IndexEntry:
    return IndexEntry(slug, article.title, article.date, str(article.path), "failed", error=message)


def translate_into(
    segments: list[AlignedSegment], lang: str, translator, guard, progress: ProgressFactory = no_progress
) -> dict[str, int]:
    """Translate ``segments`` into ``lang`` in place, with glossary protection and QA flags.

    Returns the glossary counts (found, kept, enforced, flagged).
    """
    from translate_sum.qa import check_segment
    from translate_sum.terms.guard import count_terms

    pieces = {s.id: translator.pieces(s.en) for s in segments}
    calls = 0

    def translate_batch(batch: list[str]) -> list[str]:
        nonlocal calls
        calls += 1
        # The bar follows the first pass; a glossary retry of a few sentences would overshoot it.
        return translator.translate(batch, progress=advance if calls == 1 else None)

    with progress(f"translate {lang}", sum(len(p) for p in pieces.values())) as advance:
        results = guard.translate([s.en for s in segments], lang, translate_batch)
    for segment, result in zip(segments, results, strict=True):
        segment.translations[lang] = result.text
        segment.terms.extend(result.terms)
        segment.flags.extend(result.flags)
        ignore = [t.surface for t in result.terms] + [t.target for t in result.terms]
        split = len(pieces[segment.id]) > 1
        segment.flags.extend(check_segment(segment.en, result.text, lang, split=split, ignore=ignore))
    return count_terms(results)
