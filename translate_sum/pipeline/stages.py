"""The pipeline's stages as batch functions: each takes a list of records and returns a new list.

segment → summarise (with summary support) → translate, once per language (glossary kept, QA flags)
→ assemble (aligned segments and manifest). No stage knows how it is scheduled; a ``Failed`` record
passes through every later stage untouched, and an article that breaks a batch fails alone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from translate_sum.align import summary_segments, summary_support
from translate_sum.engines.base import Progress, Summarizer, Translator
from translate_sum.errors import ConfigError, TsumError
from translate_sum.memory import MemorySnapshot, normalize_key, served_translation
from translate_sum.pipeline.manifest import ManifestContext, build_manifest
from translate_sum.records import (
    AlignedSegment,
    ArticleJob,
    ArticleResult,
    Failed,
    LanguageResult,
    Segment,
    Segmented,
    Summarised,
    Translation,
)
from translate_sum.segment import segment_article
from translate_sum.terms.guard import TermGuard, count_hits

logger = logging.getLogger("translate_sum")


class _OfAnArticle(Protocol):
    """A record that knows its article (Segmented, Summarised)."""

    @property
    def job(self) -> ArticleJob: ...


T = TypeVar("T", bound=_OfAnArticle)
R = TypeVar("R")


def segment_stage(jobs: Sequence[ArticleJob]) -> list[Segmented | Failed]:
    """Each article cut into title, body sentences and captions."""
    out: list[Segmented | Failed] = []
    for job in jobs:
        start = time.perf_counter()
        try:
            source = tuple(segment_article(job.article))
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - one article's problem must not cost the others
            out.append(failure(job, exc))
            continue
        out.append(Segmented(job, source, {"segment": _seconds(start)}))
    return out


def summarise_stage(
    items: Sequence[Segmented | Failed], summarizer: Summarizer, progress: Progress | None = None
) -> list[Summarised | Failed]:
    """Each article's summary sentences (``s0``, ``s1`` …) with the source sentences that support them.

    The summaries of all articles are generated together, in shared batches.
    """

    def batch(todo: list[Segmented]) -> list[Summarised]:
        start = time.perf_counter()
        summaries = summarizer.summarize_many([item.body for item in todo], progress=progress)
        shares = _shares(_seconds(start), [len(item.body) + 1 for item in todo])
        info = summarizer.describe()
        return [
            _with_summary(item, summary, info, share)
            for item, summary, share in zip(todo, summaries, shares, strict=True)
        ]

    return _isolated(items, Segmented, batch)


def translate_stage(
    items: Sequence[Summarised | Failed],
    lang: str,
    translator: Translator | None,
    guard: TermGuard,
    progress: Progress | None = None,
    memory: MemorySnapshot | None = None,
) -> list[Summarised | Failed]:
    """Every segment of every article translated into ``lang`` in shared token-budget batches.

    A segment the translation ``memory`` holds (exact, normalised match) takes the reviewed text and
    never reaches the translator, which may be None when ``unserved`` found nothing left for it.
    ``guard`` (a ``terms.TermGuard``) keeps glossary terms fixed or flags them; QA checks add
    their flags, on machine and memory text alike. Returns new records with ``translations[lang]`` set.
    """

    def batch(todo: list[Summarised]) -> list[Summarised]:
        start = time.perf_counter()
        texts = [s.en for item in todo for s in item.segments]
        found = memory.lookup(texts, lang) if memory is not None else {}
        entries = [found.get(normalize_key(text)) for text in texts]
        rest = [text for text, entry in zip(texts, entries, strict=True) if entry is None]
        machine: Iterator[Translation] = iter(())
        if rest:
            if translator is None:
                raise ConfigError(f"translate {lang}: segments need a translator but none was loaded")
            machine = iter(translate_texts(rest, lang, translator, guard, progress))
        results = [
            next(machine) if entry is None else served_translation(text, lang, entry, guard.glossary)
            for text, entry in zip(texts, entries, strict=True)
        ]
        info = translator.describe() if translator is not None and rest else {"memory": True}
        shares = _shares(_seconds(start), [len(item.segments) for item in todo])
        out, i = [], 0
        for item, share in zip(todo, shares, strict=True):
            mine = results[i : i + len(item.segments)]
            i += len(item.segments)
            counts = count_hits(hit for t in mine for hit in t.terms)
            served = sum(t.memory is not None for t in mine)
            result = LanguageResult(tuple(mine), counts, info, served=served)
            out.append(
                replace(
                    item,
                    translations={**item.translations, lang: result},
                    timings={**item.timings, f"translate_{lang}": share},
                )
            )
        return out

    return _isolated(items, Summarised, batch)


def unserved(items: Sequence[Summarised | Failed], lang: str, memory: MemorySnapshot | None) -> list[str]:
    """The segments of ``items`` that the memory does not hold in ``lang``: what a translator must do."""
    texts = [s.en for item in items if isinstance(item, Summarised) for s in item.segments]
    if memory is None:
        return texts
    found = memory.lookup(texts, lang)
    return [text for text in texts if normalize_key(text) not in found]


def assemble_stage(
    items: Sequence[Summarised | Failed], context: ManifestContext, memory: MemorySnapshot | None = None
) -> list[ArticleResult | Failed]:
    """Aligned segments (source, then summary) with every language's translation, and the manifest."""

    def one(item: Summarised) -> ArticleResult:
        segments = assemble(item, context.languages)
        manifest = build_manifest(item, segments, context, memory)
        return ArticleResult(item.job.article, item.job.slug, context.languages, segments, manifest)

    return _isolated(items, Summarised, lambda todo: [one(item) for item in todo])


def assemble(item: Summarised, languages: Sequence[str]) -> list[AlignedSegment]:
    """New aligned records: per segment, the translations, terms and flags of each language in order."""
    segments = []
    translated = {id(segment): n for n, segment in enumerate(item.segments)}
    for segment in item.source + item.summary:
        # End matter the run does not translate is kept as its source text alone.
        n = translated.get(id(segment))
        per_lang = [] if n is None else [(lang, item.translations[lang].segments[n]) for lang in languages]
        segments.append(
            AlignedSegment(
                id=segment.id,
                kind=segment.kind,
                paragraph=segment.paragraph,
                en=segment.en,
                translations={lang: t.text for lang, t in per_lang},
                support=list(item.support.get(segment.id, ())),
                flags=[f for _, t in per_lang for f in t.flags],
                terms=[h for _, t in per_lang for h in t.terms],
                memory={lang: t.memory for lang, t in per_lang if t.memory is not None},
            )
        )
    return segments


def translate_texts(
    texts: Sequence[str],
    lang: str,
    translator: Translator,
    guard: TermGuard,
    progress: Progress | None = None,
) -> list[Translation]:
    """``texts`` in ``lang``, each with its glossary terms and QA flags.

    One call translates any mix of articles; its batches are the translator's token budget.
    """
    from translate_sum.qa import checked_translation

    pieces = [translator.pieces(text) for text in texts]
    calls = 0

    def translate_batch(batch: list[str]) -> list[str]:
        nonlocal calls
        calls += 1
        grow = getattr(progress, "grow", None)
        if calls > 1 and grow is not None:
            # The glossary retry pass: counted in the stage's bar, not a silent wait at 100%.
            grow(sum(len(translator.pieces(text)) for text in batch))
            return translator.translate(batch, progress=progress)
        return translator.translate(batch, progress=progress if calls == 1 else None)

    results = guard.translate(list(texts), lang, translate_batch)
    return [
        checked_translation(text, result, lang, split=len(parts) > 1)
        for text, result, parts in zip(texts, results, pieces, strict=True)
    ]


def translate_language(
    segments: Sequence[Segment],
    lang: str,
    translator: Translator,
    guard: TermGuard,
    progress: Progress | None = None,
) -> LanguageResult:
    """One article's segments in ``lang`` (``tsum translate``)."""
    results = translate_texts([s.en for s in segments], lang, translator, guard, progress)
    return LanguageResult(
        tuple(results), count_hits(h for t in results for h in t.terms), translator.describe()
    )


def failure(job: ArticleJob, exc: Exception) -> Failed:
    """The record of an article that raised ``exc``: its message, or the unexpected error named."""
    if isinstance(exc, TsumError):
        return Failed(job, str(exc))
    logger.error("unexpected failure on %s", job.article.path, exc_info=exc)
    return Failed(job, f"{job.article.path}: unexpected {type(exc).__name__}: {exc}")


def _with_summary(item: Segmented, summary: list[str], info: dict, seconds: float) -> Summarised:
    start = time.perf_counter()
    sentences = [s for s in summary if s.strip()]
    supports = summary_support(sentences, item.source)
    segments = tuple(summary_segments(sentences))
    support = {seg.id: tuple(s) for seg, s in zip(segments, supports, strict=True)}
    timings = {**item.timings, "summarize": seconds, "align": _seconds(start)}
    return Summarised(item.job, item.source, segments, support, info, timings)


def _isolated(
    items: Sequence[T | Failed], kind: type[T], batch: Callable[[list[T]], Sequence[R]]
) -> list[R | Failed]:
    """``batch`` over the records of ``kind``; if it raises, each record again alone, so one fails alone.

    A ConfigError (a model that will not load, a bad setting) stops the run instead.
    """
    todo = [item for item in items if isinstance(item, kind)]
    done: Iterator[R | Failed]
    try:
        done = iter(batch(todo)) if todo else iter(())
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - find the article that broke the batch
        if len(todo) == 1:
            done = iter([failure(todo[0].job, exc)])
        else:
            logger.info("a batch of %d articles failed (%s); retrying them one by one", len(todo), exc)
            done = iter([_alone(item, batch) for item in todo])
    return [item if isinstance(item, Failed) else next(done) for item in items]


def _alone(item: T, batch: Callable[[list[T]], Sequence[R]]) -> R | Failed:
    try:
        return batch([item])[0]
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - this article alone
        return failure(item.job, exc)


def _shares(seconds: float, weights: Sequence[int]) -> list[float]:
    """A batch's time split over its articles in proportion to their size, in the manifest's precision."""
    total = sum(weights) or 1
    return [round(seconds * w / total, 3) for w in weights]


def _seconds(start: float) -> float:
    return round(time.perf_counter() - start, 3)
