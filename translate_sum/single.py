"""One article file outside a run: what ``tsum summarize`` and ``tsum translate`` do.

Each runs the pipeline's own plan (``pipeline.plan``) on a one-article list with the local executor.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from translate_sum.cache import CacheUse
from translate_sum.config import Config
from translate_sum.errors import ArticleError
from translate_sum.ingest import load_article
from translate_sum.pipeline.executors.local import LocalExecutor
from translate_sum.pipeline.inputs import check_glossary_languages, load_glossary
from translate_sum.pipeline.manifest import ManifestContext
from translate_sum.pipeline.plan import Plan, Step, stage_order
from translate_sum.pipeline.run import no_progress
from translate_sum.records import AlignedSegment, ArticleJob, ArticleResult, Failed, Summarized
from translate_sum.storage import base_slug
from translate_sum.terms.glossary import Glossary


def summarize_file(path: Path, config: Config, device: str = "auto") -> list[str]:
    """The English summary sentences of the article at ``path``. Raises TsumError subclasses."""
    plan = _plan(config, device, (), None, stage_order((), assemble=False))
    item: Summarized = _run_one(path, plan)  # the plan ends with the summarize step
    return [s.en for s in item.summary]


def translate_file(
    path: Path,
    lang: str,
    config: Config,
    device: str = "auto",
    glossary: Path | None = None,
    glossary_optional: bool = False,
    notify: Callable[[str], None] = lambda message: None,
) -> list[AlignedSegment]:
    """The article at ``path`` translated into ``lang`` segment by segment, with the glossary `tsum all`
    would use for it (or ``glossary``) enforced and QA flags set; end matter stays English unless
    models.toml asks for it, as in `tsum all`. A glossary without a ``lang`` column stops it, unless
    ``glossary_optional`` (then ``notify`` says so). Raises TsumError subclasses."""
    loaded = load_glossary(config.glossary_file(path.parent, glossary))
    check_glossary_languages(loaded, (lang,), glossary_optional, notify)
    plan = _plan(config, device, (lang,), loaded, stage_order((lang,), summarize=False))
    result: ArticleResult = _run_one(path, plan)  # the plan ends with the assemble step
    return result.segments


def _plan(
    config: Config,
    device: str,
    languages: tuple[str, ...],
    glossary: Glossary | None,
    steps: tuple[Step, ...],
) -> Plan:
    context = ManifestContext(languages=languages, fingerprint={}, settings={"device": device})
    cache = CacheUse.for_run(config.cache)  # shared with tsum all: a sentence it translated is not redone
    return Plan(config, languages, device, glossary, context, steps=steps, window=1, cache=cache)


def _run_one(path: Path, plan: Plan) -> Any:
    """The last step's record for the article at ``path``; its failure raised as an ArticleError."""
    article = load_article(path)
    job = ArticleJob(article, base_slug(article.title, article.date), plan.config.end_matter == "translate")
    [window] = LocalExecutor().run([job], plan, no_progress)
    [item] = window
    if isinstance(item, Failed):
        raise ArticleError(item.error)
    return item
