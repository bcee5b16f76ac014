"""Re-rendering written articles after the memory changed: a review save, or a run that finds its
articles current but their memory entries newer. No model runs; what is written is what a fresh run
would write for the same texts, the checks across articles included.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from translate_sum.config import QaSettings
from translate_sum.errors import TsumError
from translate_sum.memory import MemoryStore
from translate_sum.pipeline.article_files import read_article, update_index, write_article
from translate_sum.pipeline.inputs import manifest_glossary, term_guard
from translate_sum.pipeline.stages import check_groups, refresh_stage
from translate_sum.records import ArticleResult
from translate_sum.storage import article_dir
from translate_sum.terms.glossary import Glossary
from translate_sum.terms.guard import TermGuard


def refresh_articles(
    output_dir: Path,
    articles: Mapping[str, ArticleResult],
    memory: MemoryStore,
    *,
    glossary: Glossary | None = None,
    exclude: Collection[str] = (),
) -> dict[str, ArticleResult | TsumError]:
    """``articles`` (by slug, as read back) and the articles checked together with them, re-rendered
    with the memory's current targets (``refreshed``); each of ``articles``, and each peer that
    changed, is written and its index row updated.

    Returns, for every article of ``articles`` and every peer written, the refreshed article or the
    error that stopped it; the caller decides.
    """
    before = {**articles, **_peers(output_dir, articles, exclude)}
    results, errors = refreshed(before, memory, glossary=glossary)
    out: dict[str, ArticleResult | TsumError] = dict(errors)
    for result in results:
        if result.slug not in articles and result == before[result.slug]:
            continue
        try:
            write_article(result, output_dir)
            update_index(output_dir, result)
        except TsumError as exc:
            out[result.slug] = exc
            continue
        out[result.slug] = result
    return out


def refreshed_view(output_dir: Path, result: ArticleResult, memory: MemoryStore) -> ArticleResult:
    """``result`` as a fresh run would write it given the memory now (its peers read from
    ``output_dir``); nothing is written. Raises TsumError when its glossary cannot be read."""
    results, errors = refreshed(
        {result.slug: result, **_peers(output_dir, {result.slug: result}, ())}, memory
    )
    if result.slug in errors:
        raise errors[result.slug]
    return next(r for r in results if r.slug == result.slug)


def refreshed(
    articles: Mapping[str, ArticleResult], memory: MemoryStore, *, glossary: Glossary | None = None
) -> tuple[list[ArticleResult], dict[str, TsumError]]:
    """``articles`` with the memory's current targets served and the checks run again, each with
    the glossary and ``[qa]`` settings it was made with (``glossary``: the run's, used for articles
    made with that same file). Returns the refreshed articles, and the errors of those whose
    glossary could not be read (left out)."""
    guards: dict[str | None, TermGuard] = {}
    errors: dict[str, TsumError] = {}
    ready: list[ArticleResult] = []
    for slug, result in articles.items():
        try:
            if _glossary_key(result) not in guards:
                guards[_glossary_key(result)] = _guard(result, glossary)
            ready.append(result)
        except TsumError as exc:
            errors[slug] = exc
    results = refresh_stage(
        ready,
        memory,
        lambda result: guards[_glossary_key(result)],
        lambda result: QaSettings.from_record(result.manifest.settings.get("qa")),
    )
    return results, errors


def _peers(
    output_dir: Path, articles: Mapping[str, ArticleResult], exclude: Collection[str]
) -> dict[str, ArticleResult]:
    """The articles checked together with ``articles`` (and with those, transitively), read back;
    one that is gone or damaged is left out, and the others are checked without it."""
    seen = set(articles) | set(exclude)
    todo = [result.manifest for result in articles.values()]
    found: dict[str, ArticleResult] = {}
    while todo:
        manifest = todo.pop()
        for slug in sorted(check_groups(manifest) - seen):
            seen.add(slug)
            try:
                found[slug] = read_article(article_dir(output_dir, slug))
            except TsumError:
                continue
            todo.append(found[slug].manifest)
    return found


def _glossary_key(result: ArticleResult) -> str | None:
    return result.manifest.glossary_sha256


def _guard(result: ArticleResult, run_glossary: Glossary | None) -> TermGuard:
    """The glossary guard ``result`` was made with: the run's when it is the same file, else its own."""
    if run_glossary is not None and run_glossary.sha256 == result.manifest.glossary_sha256:
        return term_guard(run_glossary)
    return term_guard(manifest_glossary(result.manifest))
