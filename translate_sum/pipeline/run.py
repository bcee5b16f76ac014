"""``tsum all``: find the articles to do, hand them to an executor, write each window as it completes."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from translate_sum.cache import CacheUse
from translate_sum.config import Config
from translate_sum.engines.loader import Engines
from translate_sum.errors import ConfigError, OptionError, TsumError
from translate_sum.memory import MemorySnapshot, MemoryStore, memory_path, open_memory
from translate_sum.pipeline import interrupt
from translate_sum.pipeline import outputs_housekeeping as housekeeping
from translate_sum.pipeline.article_files import (
    entry,
    failed_entry,
    read_article,
    read_manifest,
    write_article,
    write_index,
)
from translate_sum.pipeline.executors import DEFAULT_WINDOW, EXECUTORS, Executor, executor_class
from translate_sum.pipeline.fingerprint import is_current, run_fingerprint
from translate_sum.pipeline.inputs import check_glossary_languages, load_glossary, load_inputs
from translate_sum.pipeline.manifest import ManifestContext, library_versions
from translate_sum.pipeline.plan import Plan, ProgressFactory, no_progress, stage_order
from translate_sum.pipeline.refresh import refresh_articles
from translate_sum.pipeline.stages import is_memory_current
from translate_sum.records import ArticleJob, ArticleResult, Failed, IndexEntry, Manifest
from translate_sum.storage import (
    article_dir,
    base_slug,
    output_lock,
    remove_stale_temporaries,
    unique_slugs,
)
from translate_sum.terms.glossary import Glossary

logger = logging.getLogger("translate_sum")


@dataclass
class RunOptions:
    """What ``tsum all`` was asked to do, checked here once for every front end.

    ``languages``: empty means ``[run] languages``. Raises OptionError, whose
    ``option`` names the field, for a language without a translator, an unknown executor, a window
    below 1, or a cluster address without the ray executor.
    """

    input_dir: Path
    output_dir: Path
    config: Config
    languages: tuple[str, ...] = ()
    device: str = "auto"
    force: bool = False
    glossary: Path | None = None  # explicit --glossary; else models.toml; else input_dir/glossary.tsv
    glossary_optional: bool = False  # a language without a glossary column: warn, not stop
    executor: str = "local"  # a name in executors.EXECUTORS
    window: int = DEFAULT_WINDOW  # articles batched together, and written together when done
    ray_address: str | None = None  # --executor ray: a running cluster; None starts a local Ray
    release_models: bool = True  # local executor: drop each model when its stage is done
    quiet: bool = False  # --quiet: Ray's own logs and bars silenced too
    prune: bool = False  # delete the folders of inputs that no longer exist (else: "input removed")
    cache: bool = True  # --no-cache: neither read nor write the cache of model outputs
    fresh: bool = False  # --fresh: compute every model output again (and store it in the cache)

    def __post_init__(self) -> None:
        self.languages = self.config.select_languages(self.languages)
        if self.executor not in EXECUTORS:
            raise OptionError("executor", f"executor {self.executor!r}: choose from {', '.join(EXECUTORS)}")
        if isinstance(self.window, bool) or not isinstance(self.window, int) or self.window < 1:
            raise OptionError("window", f"window {self.window!r}: must be a whole number of 1 or more")
        if self.ray_address and self.executor != "ray":
            raise OptionError("ray_address", "a Ray cluster address needs the ray executor")


@dataclass
class RunReport:
    """How a run ended: one entry per article, and notices about skipped files."""

    entries: list[IndexEntry] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    models_loaded: list[str] = field(default_factory=list)
    terms: dict[str, Counter] = field(default_factory=dict)  # lang -> found/kept/enforced/flagged, this run
    memory: Counter = field(default_factory=Counter)  # lang -> segments served from the translation memory
    outputs: Counter = field(
        default_factory=Counter
    )  # model inputs of the articles written: model/cache/shared
    interrupted: int | None = None  # the signal that stopped the run early (finished articles were kept)
    seconds: float = 0.0  # wall time of the whole run
    load_seconds: float | None = 0.0  # of which loading models; None: not measured here (Ray actors)

    def add_terms(self, counts: dict[str, dict[str, int]]) -> None:
        for lang, numbers in counts.items():
            self.terms.setdefault(lang, Counter()).update(numbers)

    @property
    def failed(self) -> list[IndexEntry]:
        return [e for e in self.entries if e.status == "failed"]


def run_all(
    options: RunOptions,
    progress: ProgressFactory = no_progress,
    notify: Callable[[str], None] = lambda message: None,
) -> RunReport:
    """Process every article in ``options.input_dir``; one failure never stops the others.

    Articles go to the executor in windows; each window's articles are written (atomically, manifest
    last) as soon as it completes. Raises ConfigError (bad config, glossary, executor, or missing
    model) before touching any article, and OutputError when the output folder cannot be used at all.
    """
    start = time.perf_counter()
    if not options.input_dir.is_dir():
        raise ConfigError(f"{options.input_dir}: input folder not found")
    glossary = load_glossary(options.config.glossary_file(options.input_dir, options.glossary))
    check_glossary_languages(glossary, options.languages, options.glossary_optional, notify)
    report = RunReport()
    if glossary is None:
        notify(
            f"no glossary: names are not kept fixed (add {options.input_dir}/glossary.tsv, "
            "set [run] glossary in models.toml, or pass --glossary)"
        )
    loaded, report.notices = load_inputs(options.input_dir)
    for notice in report.notices:
        notify(notice)
    slugs = unique_slugs(
        [(i.path.name, base_slug(i.article.title, i.article.date)) for i in loaded if i.article]
    )
    fingerprint = run_fingerprint(
        options.config, options.languages, glossary.sha256 if glossary is not None else None
    )
    memory_file = memory_path(options.config.memory, options.output_dir)
    reuse = housekeeping.Reuse(options.config, options.languages, glossary.sha256 if glossary else None)
    with (
        housekeeping.no_empty_folder(options.output_dir),
        output_lock(options.output_dir),
        open_memory(memory_file) as memory,
    ):
        remove_stale_temporaries(options.output_dir)  # e.g. an index.md a killed run was writing
        todo: list[ArticleJob] = []
        refresh: list[tuple[ArticleJob, ArticleResult]] = []  # up to date but for memory entries: no model
        for item in loaded:
            if item.article is None:
                report.entries.append(
                    IndexEntry(None, Path(item.shown).name, None, item.shown, "failed", error=item.error)
                )
                notify(f"error: {item.error}")
                continue
            job = ArticleJob(item.article, slugs[item.path.name], options.config.end_matter == "translate")
            folder = article_dir(options.output_dir, job.slug)
            previous = read_manifest(folder)
            current = is_current(previous, job.article, fingerprint)
            wider = previous is not None and not current and reuse.covers(previous, job.article)
            if options.force or previous is None or not (current or wider):
                todo.append(job)
                continue
            housekeeping.follow_rename(folder, previous, job.article)
            if memory is None:
                report.entries.append(entry(job, "skipped", previous))
                continue
            try:
                stored = read_article(folder)
            except TsumError:  # damaged since it was written: made again
                todo.append(job)
                continue
            if is_memory_current(stored, memory):
                report.entries.append(entry(job, "skipped", previous))
            else:
                refresh.append((job, stored))
        try:
            if memory is not None and refresh:
                with interrupt.writing():
                    _refresh(
                        refresh,
                        {job.slug for job in todo},
                        options.output_dir,
                        memory,
                        glossary,
                        report,
                        notify,
                    )
            if todo:
                snapshot = memory.snapshot(options.languages) if memory is not None else None
                _process(todo, options, glossary, fingerprint, snapshot, report, progress, notify)
        except interrupt.Interrupted as exc:
            report.interrupted = exc.signum
            finished = {e.source_path for e in report.entries}
            for job in [*(j for j, _ in refresh), *todo]:
                if str(job.article.path) not in finished:
                    report.entries.append(entry(job, "interrupted"))
        with interrupt.writing():
            for done in report.entries:
                if done.slug and done.status in ("done", "skipped"):
                    housekeeping.tidy_article(article_dir(options.output_dir, done.slug))
            claimed = {e.slug for e in report.entries if e.slug}
            report.entries += housekeeping.removed_inputs(options.output_dir, claimed, options.prune, notify)
            report.entries.sort(key=lambda e: e.source_path)
            write_index(options.output_dir, report.entries)
    report.seconds = time.perf_counter() - start
    return report


def _process(
    todo: list[ArticleJob],
    options: RunOptions,
    glossary: Glossary | None,
    fingerprint: dict[str, Any],
    memory: MemorySnapshot | None,
    report: RunReport,
    progress: ProgressFactory,
    notify: Callable[[str], None],
) -> None:
    """Hand ``todo`` to the executor; write each window it hands back. Records the models loaded and
    the time their loading took in ``report``."""
    engines = Engines(options.config, options.device)
    engines.check_available(options.languages)  # a missing model fails the run before any work
    executor = _executor(options)
    cache = CacheUse.for_run(options.config.cache, enabled=options.cache, fresh=options.fresh)
    if cache is not None:
        cache.open().close()  # a damaged file is found (and replaced, with a warning) here, not in a worker
    plan = Plan(
        config=options.config,
        languages=tuple(options.languages),
        device=options.device,
        glossary=glossary,
        context=ManifestContext(
            languages=tuple(options.languages),
            fingerprint=fingerprint,
            settings={
                "device": engines.device,
                "batch_tokens": options.config.batch_tokens,
                "config_file": str(options.config.source) if options.config.source else None,
                "executor": options.executor,
                "window": options.window,
                "qa": options.config.qa.fingerprint(),  # a re-render after a review checks as this run did
            },
            glossary_path=str(glossary.path) if glossary is not None else None,
            glossary_sha256=glossary.sha256 if glossary is not None else None,
            libraries=library_versions(),
        ),
        steps=stage_order(options.languages, config=options.config),
        window=options.window,
        memory=memory,
        cache=cache,
    )
    jobs = {job.slug: job for job in todo}
    with progress("articles", len(todo)) as advance:
        windows = executor.run(todo, plan, progress)
        try:
            for outcomes in windows:
                with interrupt.writing():  # a stop request waits for the window's finished articles
                    for outcome in outcomes:
                        slug = outcome.job.slug if isinstance(outcome, Failed) else outcome.slug
                        _finish(outcome, jobs[slug], options.output_dir, report, notify)
                        advance(1)
        finally:
            close = getattr(windows, "close", None)
            if close is not None:
                close()  # the executor lets go of its models (and a Ray it started) now
            report.models_loaded, report.load_seconds = executor.models_loaded, executor.load_seconds


def _executor(options: RunOptions) -> Executor:
    # Each executor takes its own settings.
    cls: Callable[..., Executor] = executor_class(options.executor)
    if options.executor == "ray":
        return cls(address=options.ray_address, quiet=options.quiet)
    return cls(release_models=options.release_models)


def _finish(
    outcome: ArticleResult | Failed,
    job: ArticleJob,
    output_dir: Path,
    report: RunReport,
    notify: Callable[[str], None],
) -> None:
    """Write one article (``job``'s outcome), or record its failure; a write that fails fails it alone."""
    if isinstance(outcome, Failed):
        report.entries.append(failed_entry(job, outcome.error))
        notify(f"error: {outcome.error}")
        return
    try:
        write_article(outcome, output_dir)
    except TsumError as exc:  # its output folder (disk full, a planted link)
        report.entries.append(failed_entry(job, str(exc)))
        notify(f"error: {exc}")
        return
    except Exception as exc:  # noqa: BLE001 - one article's crash must not cost the others
        logger.exception("unexpected failure writing %s", job.article.path)
        message = f"{job.article.path}: unexpected {type(exc).__name__}: {exc}"
        report.entries.append(failed_entry(job, message))
        notify(f"error: {message}")
        return
    _done(job, outcome.manifest, report)
    for counts in outcome.manifest.output_counts.values():
        report.outputs.update(counts)


def _refresh(
    refresh: list[tuple[ArticleJob, ArticleResult]],
    redone: set[str],
    output_dir: Path,
    memory: MemoryStore,
    glossary: Glossary | None,
    report: RunReport,
    notify: Callable[[str], None],
) -> None:
    """Re-render up-to-date articles whose memory entries changed, and the articles checked together
    with them (their flags can change too): no model, nothing re-translated. ``redone``: slugs this run
    translates again, left alone."""
    outcome = refresh_articles(
        output_dir, {job.slug: stored for job, stored in refresh}, memory, glossary=glossary, exclude=redone
    )
    for job, _ in refresh:
        result = outcome[job.slug]
        if isinstance(result, TsumError):
            report.entries.append(failed_entry(job, str(result)))
            notify(f"error: {result}")
        else:
            _done(job, result.manifest, report)
    # A peer reported as up to date shows its new flag counts in the index.
    for n, done in enumerate(report.entries):
        peer = outcome.get(done.slug or "")
        if done.status == "skipped" and isinstance(peer, ArticleResult):
            report.entries[n] = replace(done, flags=dict(peer.manifest.flags))
        elif done.status == "skipped" and isinstance(peer, TsumError):
            notify(f"warning: {done.slug}: not re-rendered after a memory change: {peer}")


def _done(job: ArticleJob, manifest: Manifest, report: RunReport) -> None:
    report.entries.append(entry(job, "done", manifest))
    report.add_terms(manifest.glossary_counts)
    report.memory.update(manifest.memory_counts)
