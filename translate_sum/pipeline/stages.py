"""The pipeline's stages as batch functions: each takes a list of records and returns a new list.

segment → summarize (with summary support) → translate, once per language (glossary kept, QA flags)
→ assemble (aligned segments and manifest). No stage knows how it is scheduled; a ``Failed`` record
passes through every later stage untouched, and an article that breaks a batch fails alone.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from translate_sum.align import summary_segments, summary_support
from translate_sum.config import QaSettings
from translate_sum.engines.base import Progress, Scored, Summarizer, Translator
from translate_sum.errors import ConfigError, TsumError
from translate_sum.memory import Entry, MemorySnapshot, MemoryStore, normalize_key
from translate_sum.memory.store import EMPTY_DIGEST
from translate_sum.pipeline.manifest import ManifestContext, build_manifest, with_counts
from translate_sum.pipeline.reuse import OutputReuse
from translate_sum.qa import (
    DEFAULT_SETTINGS,
    DEGENERATE,
    RunSegment,
    checked_translation,
    consistency_flags,
    low_confidence_flags,
    with_flags,
)
from translate_sum.records import (
    AlignedSegment,
    ArticleJob,
    ArticleResult,
    Failed,
    Flag,
    LanguageResult,
    Manifest,
    MemoryHit,
    Segment,
    Segmented,
    Summarized,
    Support,
    Translation,
)
from translate_sum.segment import segment_article
from translate_sum.terms.guard import TermGuard, count_hits

logger = logging.getLogger("translate_sum")


class _OfAnArticle(Protocol):
    """A record that knows its article (Segmented, Summarized)."""

    @property
    def job(self) -> ArticleJob: ...


T = TypeVar("T", bound=_OfAnArticle)
R = TypeVar("R")

#: What serves exact matches: the memory itself (a refresh, a review save) or a run's snapshot of it.
MemoryLookup = MemoryStore | MemorySnapshot


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


def summarize_stage(
    items: Sequence[Segmented | Failed],
    summarizer: Summarizer | None,
    progress: Progress | None = None,
    reuse: OutputReuse | None = None,
) -> list[Summarized | Failed]:
    """Each article's summary sentences (``s0``, ``s1`` …) with the source sentences that support them.

    The summaries of all articles are generated together, in shared batches; with ``reuse``, each
    distinct chunk once, and from the cache of model outputs where it holds it. Without a
    ``summarizer`` (``tsum translate FILE``) the articles go on with no summary.
    """

    def batch(todo: list[Segmented]) -> list[Summarized]:
        start = time.perf_counter()
        if summarizer is None:
            return [_with_summary(item, [], {}, 0.0) for item in todo]
        bodies = [item.body for item in todo]
        if reuse is None:
            summaries = summarizer.summarize_many(bodies, progress=progress)
            counts: list[dict[str, int]] = [{} for _ in todo]
        else:
            reuse.owned.clear()  # this batch's articles (a failed batch is retried article by article)
            summaries = summarizer.summarize_many(bodies, progress=progress, through=reuse.serve)
            counts = reuse.tally([reuse.owned.get(i, []) for i in range(len(todo))])
        shares = _shares(_seconds(start), [len(item.body) + 1 for item in todo])
        info = summarizer.describe()
        return [
            replace(_with_summary(item, summary, info, share), summary_outputs=mine)
            for item, summary, share, mine in zip(todo, summaries, shares, counts, strict=True)
        ]

    return _isolated(items, Segmented, batch)


def translate_stage(
    items: Sequence[Summarized | Failed],
    lang: str,
    translator: Translator | None,
    guard: TermGuard,
    progress: Progress | None = None,
    memory: MemoryLookup | None = None,
    qa: QaSettings = DEFAULT_SETTINGS,
    reuse: OutputReuse | None = None,
) -> list[Summarized | Failed]:
    """Every segment of every article translated into ``lang`` in shared token-budget batches.

    A segment the translation ``memory`` holds (exact, normalised match) is served by ``serve_memory``
    and never reaches the translator, which may be None when ``unserved`` found nothing left for it.
    ``guard`` keeps glossary terms fixed or flags them; QA checks (``qa``: models.toml's ``[qa]``) add
    their flags, on machine and memory text alike; then the checks over all these articles together:
    consistency, and ``low_confidence`` against the machine translations' own distribution. Each
    distinct model input is translated once (``reuse``: with the cache of model outputs). Returns
    new records with ``translations[lang]`` set.
    """

    def batch(todo: list[Summarized]) -> list[Summarized]:
        start = time.perf_counter()
        texts = [s.en for item in todo for s in item.segments]
        # A served text is flagged ``split`` as the model's would be: the source is too long for it.
        served = serve_memory(
            texts,
            lang,
            memory,
            guard,
            lambda i: translator is not None and len(translator.pieces(texts[i])) > 1,
            qa,
        )
        rest = [text for text, hit in zip(texts, served, strict=True) if hit is None]
        machine: Iterator[Translation] = iter(())
        tallies: Iterator[dict[str, int]] = iter(())
        if rest:
            if translator is None:
                raise ConfigError(f"translate {lang}: segments need a translator but none was loaded")
            step = reuse or OutputReuse(translator, "translate", None)
            machine = iter(translate_texts(rest, lang, translator, guard, progress, qa, step))
            tallies = iter(step.tally([step.owned.get(i, []) for i in range(len(rest))]))
        results = [next(machine) if hit is None else hit for hit in served]
        per_segment = [next(tallies) if hit is None else {} for hit in served]
        where = [f"{item.job.slug} {s.id}" for item in todo for s in item.segments]
        results = run_checks(texts, results, where, lang, qa, memory)
        info = translator.describe() if translator is not None and rest else {"memory": True}
        group = tuple(item.job.slug for item in todo)
        shares = _shares(_seconds(start), [len(item.segments) for item in todo])
        out, i = [], 0
        for item, share in zip(todo, shares, strict=True):
            mine = results[i : i + len(item.segments)]
            outputs: Counter[str] = Counter()
            for tally in per_segment[i : i + len(item.segments)]:
                outputs.update(tally)
            i += len(item.segments)
            counts = count_hits(hit for t in mine for hit in t.terms)
            served_here = sum(t.memory is not None for t in mine)
            result = LanguageResult(
                tuple(mine), counts, info, served=served_here, checked_with=group, outputs=dict(outputs)
            )
            out.append(
                replace(
                    item,
                    translations={**item.translations, lang: result},
                    timings={**item.timings, f"translate_{lang}": share},
                )
            )
        return out

    return _isolated(items, Summarized, batch)


def serve_memory(
    texts: Sequence[str],
    lang: str,
    memory: MemoryLookup | None,
    guard: TermGuard,
    split: Callable[[int], bool] = lambda i: False,
    qa: QaSettings = DEFAULT_SETTINGS,
) -> list[Translation | None]:
    """The memory's ``lang`` target for each of ``texts`` it holds (exact, normalised match), else None.

    The one route by which reviewed text reaches the outputs, in a run, a refresh and a review save:
    each target is checked as a model's output is (``checked_target``) and marked with its entry.
    ``split(i)`` says whether the source ``texts[i]`` is one a translator splits (the flag is kept);
    it is asked only for the texts served.
    """
    found = memory.lookup(texts, lang) if memory is not None and texts else {}
    out: list[Translation | None] = []
    for i, text in enumerate(texts):
        entry = found.get(normalize_key(text))
        if entry is None:
            out.append(None)
            continue
        hit = MemoryHit(entry.status, entry.origin, entry.origin_name, entry.updated)
        # Checked as a model's output is; it carries no model confidence.
        checked = checked_target(text, entry.target, lang, guard, split=split(i), settings=qa)
        out.append(replace(checked, memory=hit))
    return out


def checked_target(
    en: str,
    target: str,
    lang: str,
    guard: TermGuard,
    *,
    split: bool = False,
    settings: QaSettings = DEFAULT_SETTINGS,
) -> Translation:
    """``target`` as the ``lang`` translation of ``en`` with its glossary hits and QA flags; never changed."""
    return checked_translation(en, guard.verify(en, target, lang), lang, split=split, settings=settings)


#: Flags computed over the segments of several articles together (``run_checks``), not one row alone.
RUN_WIDE = frozenset({"consistency", "low_confidence"})


def refresh_stage(
    results: Sequence[ArticleResult],
    memory: MemoryLookup,
    guard_for: Callable[[ArticleResult], TermGuard],
    qa_for: Callable[[ArticleResult], QaSettings] = lambda result: DEFAULT_SETTINGS,
) -> list[ArticleResult]:
    """Articles read back from their folders with the memory's current targets served, no model run.

    Each row's translations are taken apart into the translate stage's records, the memory serves
    through ``serve_memory`` (a served row keeps its ``split`` flag), the rest stay as they were; then
    the run-wide checks run again over each set of articles the run checked together
    (``Manifest.checked_with``; pass the whole set: ``check_groups``), and the rows and manifest
    counts are assembled as a run assembles them. ``guard_for``/``qa_for``: each article's glossary
    and ``[qa]`` settings as its run had them. A row the run left untranslated (end matter) stays so.
    """
    rows_of: dict[tuple[str, str], list[int]] = {}
    per_lang: dict[tuple[str, str], list[Translation]] = {}
    for result in results:
        guard, qa = guard_for(result), qa_for(result)
        for lang in result.languages:
            # Only rows the run translated into ``lang`` (end matter it left English stays so).
            rows = [n for n, s in enumerate(result.segments) if lang in s.translations]
            stored = [_translation(result.segments[n], lang) for n in rows]
            split = [any(f.type == "split" for f in t.flags) for t in stored]
            texts = [result.segments[n].en for n in rows]
            served = serve_memory(texts, lang, memory, guard, split.__getitem__, qa)
            rows_of[result.slug, lang] = rows
            per_lang[result.slug, lang] = [new or old for new, old in zip(served, stored, strict=True)]
    by_slug = {result.slug: result for result in results}
    for lang, group in {(lang, g) for r in results for lang, g in r.manifest.checked_with.items()}:
        # Only the articles still written by that check (a later run may have redone one of them).
        members = [s for s in group if s in by_slug and by_slug[s].manifest.checked_with.get(lang) == group]
        if not members or any((s, lang) not in per_lang for s in members):
            continue
        texts = [by_slug[s].segments[n].en for s in members for n in rows_of[s, lang]]
        where = [f"{s} {by_slug[s].segments[n].id}" for s in members for n in rows_of[s, lang]]
        bare = [without_run_wide(t) for s in members for t in per_lang[s, lang]]
        checked = iter(run_checks(texts, bare, where, lang, qa_for(by_slug[members[0]]), memory))
        for s in members:
            per_lang[s, lang] = [next(checked) for _ in per_lang[s, lang]]
    out = []
    for result in results:
        per_row: list[list[tuple[str, Translation]]] = [[] for _ in result.segments]
        for lang in result.languages:
            for n, translation in zip(rows_of[result.slug, lang], per_lang[result.slug, lang], strict=True):
                per_row[n].append((lang, translation))
        segments = [
            aligned(
                Segment(old.id, old.kind, old.paragraph, old.en),
                old.support,
                per_row[n],
                [f for f in old.flags if f.lang is None],
            )
            for n, old in enumerate(result.segments)
        ]
        out.append(
            replace(result, segments=segments, manifest=with_counts(result.manifest, segments, memory))
        )
    return out


def check_groups(manifest: Manifest) -> set[str]:
    """Every article whose segments were checked together with ``manifest``'s, in any language."""
    return {slug for group in manifest.checked_with.values() for slug in group}


def without_run_wide(translation: Translation) -> Translation:
    """``translation`` without the flags ``run_checks`` adds, so they can be computed again."""
    return replace(translation, flags=tuple(f for f in translation.flags if f.type not in RUN_WIDE))


def is_memory_current(result: ArticleResult, memory: MemoryLookup | None) -> bool:
    """Whether ``result`` (as read back) already reflects the memory entries that concern it."""
    if memory is None:
        return True
    recorded = result.manifest.memory_digest or EMPTY_DIGEST
    return recorded == memory.digest([s.en for s in result.segments], result.languages)


def _translation(segment: AlignedSegment, lang: str) -> Translation:
    """The ``lang`` part of an aligned row as the translate stage's record."""
    return Translation(
        text=segment.translations.get(lang, ""),
        terms=tuple(t for t in segment.terms if t.lang == lang),
        flags=tuple(f for f in segment.flags if f.lang == lang),
        memory=segment.memory.get(lang),
        confidence=segment.confidence.get(lang),
    )


def unserved(items: Sequence[Summarized | Failed], lang: str, memory: MemoryLookup | None) -> list[str]:
    """The segments of ``items`` that the memory does not hold in ``lang``: what a translator must do."""
    texts = [s.en for item in items if isinstance(item, Summarized) for s in item.segments]
    if memory is None:
        return texts
    found = memory.lookup(texts, lang)
    return [text for text in texts if normalize_key(text) not in found]


def assemble_stage(
    items: Sequence[Summarized | Failed], context: ManifestContext, memory: MemoryLookup | None = None
) -> list[ArticleResult | Failed]:
    """Aligned segments (source, then summary) with every language's translation, and the manifest."""

    def one(item: Summarized) -> ArticleResult:
        segments = assemble(item, context.languages)
        manifest = build_manifest(item, segments, context, memory)
        return ArticleResult(item.job.slug, segments, manifest)

    return _isolated(items, Summarized, lambda todo: [one(item) for item in todo])


def assemble(item: Summarized, languages: Sequence[str]) -> list[AlignedSegment]:
    """New aligned records: per segment, the translations, terms and flags of each language in order."""
    translated = {id(segment): n for n, segment in enumerate(item.segments)}
    rows = []
    for segment in item.source + item.summary:
        # End matter the run does not translate is kept as its source text alone.
        n = translated.get(id(segment))
        per_lang = [] if n is None else [(lang, item.translations[lang].segments[n]) for lang in languages]
        rows.append(aligned(segment, item.support.get(segment.id, ()), per_lang))
    return rows


def aligned(
    segment: Segment,
    support: Sequence[Support],
    per_lang: Sequence[tuple[str, Translation]],
    source_flags: Sequence[Flag] = (),
) -> AlignedSegment:
    """One aligned row: ``segment`` with each language's translation, in the order of ``per_lang``."""
    return AlignedSegment(
        id=segment.id,
        kind=segment.kind,
        paragraph=segment.paragraph,
        en=segment.en,
        translations={lang: t.text for lang, t in per_lang},
        support=list(support),
        flags=[*source_flags, *(f for _, t in per_lang for f in t.flags)],
        terms=[h for _, t in per_lang for h in t.terms],
        memory={lang: t.memory for lang, t in per_lang if t.memory is not None},
        confidence={lang: t.confidence for lang, t in per_lang if t.confidence is not None},
    )


def translate_texts(
    texts: Sequence[str],
    lang: str,
    translator: Translator,
    guard: TermGuard,
    progress: Progress | None = None,
    qa: QaSettings = DEFAULT_SETTINGS,
    reuse: OutputReuse | None = None,
) -> list[Translation]:
    """``texts`` in ``lang``, each with its glossary terms, QA flags and the model's confidence.

    One call translates any mix of articles; its batches are the translator's token budget. Each
    distinct model input (a sentence, or its placeholder form in the glossary retry) goes to the
    model once, through ``reuse`` (the cache of model outputs, when it has one); glossary checks
    and QA are still made per occurrence. ``reuse.owned[i]`` lists the inputs ``texts[i]`` needed.
    The confidence is that of the output kept: the first pass, or the glossary retry's when it won
    (rounded to 4 places, as every output writes it, so a record read back is the record written).
    """
    reuse = reuse or OutputReuse(translator, "translate", None)
    pieces = [translator.pieces(text) for text in texts]
    calls = 0
    scored: dict[str, Scored] = {}

    def translate_batch(batch: list[str]) -> list[str]:
        nonlocal calls
        calls += 1
        grow = getattr(progress, "grow", None)
        if calls > 1 and grow is not None:
            # The glossary retry pass: counted in the stage's bar, not a silent wait at 100%.
            grow(sum(len(translator.pieces(text)) for text in batch))
        bar = progress if calls == 1 or grow is not None else None
        outputs = reuse.serve(batch, lambda todo: translator.translate_scored(todo, progress=bar))
        if bar is not None:
            # Repeats and cached outputs never reached the model: their pieces are done too.
            done = sum(len(translator.pieces(t)) for t in batch) - sum(
                len(translator.pieces(t)) for t in reuse.last_computed
            )
            if done > 0:
                bar(done)
        for text, output in zip(batch, outputs, strict=True):
            scored.setdefault(text, output)
        return [output.text for output in outputs]

    results = guard.translate(list(texts), lang, translate_batch)
    reuse.owned = {
        i: [text] + ([r.retry_input] if r.retry_input is not None else [])
        for i, (text, r) in enumerate(zip(texts, results, strict=True))
    }
    out = []
    for text, result, parts in zip(texts, results, pieces, strict=True):
        checked = checked_translation(text, result, lang, split=len(parts) > 1, settings=qa)
        kept = scored.get(result.model_input) if result.model_input is not None else None
        confidence = kept.confidence if kept is not None else None
        out.append(replace(checked, confidence=round(confidence, 4) if confidence is not None else None))
    return out


def run_checks(
    texts: Sequence[str],
    results: Sequence[Translation],
    where: Sequence[str],
    lang: str,
    qa: QaSettings = DEFAULT_SETTINGS,
    memory: MemoryLookup | None = None,
) -> list[Translation]:
    """``results`` (the ``lang`` translations of ``texts`` translated together, located by ``where``)
    with the flags only the whole set can give: consistency and low confidence."""
    confidences = [r.confidence if r.memory is None else None for r in results]
    low = low_confidence_flags(confidences, lang, qa)
    if qa.enabled("consistency"):
        # A target that is no real translation (a loop, untranslated) is not compared: a model that
        # says the same nonsense for every sentence would flag them all.
        segments = [
            RunSegment(w, t, "" if any(f.type in DEGENERATE for f in r.flags) else r.text)
            for w, t, r in zip(where, texts, results, strict=True)
        ]
        pairs = _memory_pairs(memory, lang)
        same = consistency_flags(segments, lang, pairs)
    else:
        same = [[] for _ in results]
    return [
        with_flags(r, ([flag] if flag else []) + extra)
        for r, flag, extra in zip(results, low, same, strict=True)
    ]


def _memory_pairs(memory: MemoryLookup | None, lang: str) -> list[tuple[str, str]]:
    """(source, target) of the memory's ``lang`` entries, for the same-target check (a run's snapshot)."""
    if isinstance(memory, MemorySnapshot):
        entries = (Entry(*row) for (code, _), row in memory.rows.items() if code == lang)
        return [(e.source, e.target) for e in entries]
    if isinstance(memory, MemoryStore):
        return [(e.source, e.target) for e in memory.entries(lang)]
    return []


def failure(job: ArticleJob, exc: Exception) -> Failed:
    """The record of an article that raised ``exc``: its message, or the unexpected error named."""
    if isinstance(exc, TsumError):
        return Failed(job, str(exc))
    logger.error("unexpected failure on %s", job.article.path, exc_info=exc)
    return Failed(job, f"{job.article.path}: unexpected {type(exc).__name__}: {exc}")


def _with_summary(item: Segmented, summary: list[str], info: dict, seconds: float) -> Summarized:
    start = time.perf_counter()
    sentences = [s for s in summary if s.strip()]
    supports = summary_support(sentences, item.source)
    segments = tuple(summary_segments(sentences))
    support = {seg.id: tuple(s) for seg, s in zip(segments, supports, strict=True)}
    timings = {**item.timings, "summarize": seconds, "align": _seconds(start)}
    return Summarized(item.job, item.source, segments, support, info, timings)


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
