"""``tsum all``, ``tsum summarize`` and ``tsum translate``: the commands that run models."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import click

from translate_sum import STARTED
from translate_sum.cli.common import (
    TsumCommand,
    backend_option,
    config_option,
    device_option,
    glossary_option,
    glossary_optional_option,
    input_option,
    load,
    notifier,
    output_option,
    progress_factory,
    quiet_libraries,
    quiet_option,
    reports_errors,
    summarizer_option,
)
from translate_sum.pipeline import RunOptions, RunReport, run_all
from translate_sum.pipeline.executors import DEFAULT_WINDOW, EXECUTORS
from translate_sum.pipeline.interrupt import Interrupted, stop_on_signals
from translate_sum.render import paragraphs_text
from translate_sum.single import summarize_file, translate_file


@click.command(name="all", cls=TsumCommand)
@input_option
@output_option
@config_option
@click.option(
    "--only",
    default=None,
    metavar="LANGS",
    envvar="TSUM_ONLY",
    help="Comma-separated target languages, e.g. zh or zh,ru [default: models.toml [run] languages; "
    "env TSUM_ONLY].",
)
@device_option
@click.option(
    "--force",
    is_flag=True,
    help="Redo articles whose outputs are already up to date (model outputs come from the cache).",
)
@click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Neither read nor write the cache of model outputs (in TSUM_CACHE): every output is computed.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Compute every model output again, and store it in the cache (e.g. --force --fresh).",
)
@summarizer_option
@backend_option
@glossary_option
@glossary_optional_option
@click.option(
    "--executor",
    metavar="[" + "|".join(EXECUTORS) + "]",  # RunOptions checks the name
    default="local",
    show_default=True,
    envvar="TSUM_EXECUTOR",
    help='Where the work runs: this machine, or Ray (needs pip install "translate-sum[ray]"; '
    "docs/scaling.md) [env TSUM_EXECUTOR].",
)
@click.option(
    "--ray-address",
    default=None,
    metavar="ADDR",
    envvar="TSUM_RAY_ADDRESS",
    help="--executor ray: a running Ray cluster, e.g. 10.0.0.5:6379 [default: start a local Ray; "
    "env TSUM_RAY_ADDRESS].",
)
@click.option(
    "--window",
    type=int,  # RunOptions checks the range
    default=DEFAULT_WINDOW,
    show_default=True,
    envvar="TSUM_WINDOW",
    help="Articles batched together, stage by stage, and written together when done [env TSUM_WINDOW].",
)
@click.option(
    "--prune",
    is_flag=True,
    help='Delete the output folders of inputs that no longer exist [default: list them as "input removed"].',
)
@quiet_option
@reports_errors
def all_command(
    input_dir,
    output_dir,
    config_path,
    only,
    device,
    force,
    no_cache,
    fresh,
    summarizer,
    backend,
    glossary,
    glossary_optional,
    executor,
    ray_address,
    window,
    prune,
    quiet,
):
    """Summarize and translate every article in the input folder.

    Articles whose input, models, settings and glossary are unchanged since the last run are
    skipped without loading any model. Exit status: 0 all done, 1 some articles failed (listed;
    the others are written), 2 usage or configuration error (e.g. a model that is not available).
    """
    config = load(config_path, summarizer, backend)
    options = RunOptions(
        input_dir=input_dir,
        output_dir=output_dir,
        config=config,
        languages=tuple(only.split(",")) if only is not None else (),  # --only '' is an error
        device=device,
        force=force,
        glossary=glossary,
        glossary_optional=glossary_optional,
        executor=executor,
        window=window,
        ray_address=ray_address,
        quiet=quiet,
        prune=prune,
        cache=not no_cache,
        fresh=fresh,
    )
    quiet_libraries()
    started_run = time.perf_counter()
    try:
        with stop_on_signals():
            report = run_all(options, progress=progress_factory(quiet), notify=notifier(quiet))
    except Interrupted as exc:  # before any article was under way
        click.echo(
            f"Interrupted ({signal.Signals(exc.signum).name}) before any article was written.", err=True
        )
        sys.exit(exc.exit_status)
    except KeyboardInterrupt:  # a second Ctrl-C: no tidying up
        click.echo("Aborted: finished articles are kept; run the same command again to go on.", err=True)
        sys.exit(130)
    done = sum(e.status == "done" for e in report.entries)
    skipped = sum(e.status == "skipped" for e in report.entries)
    if report.interrupted is not None:
        left = sum(e.status == "interrupted" for e in report.entries)
        click.echo(
            f"Interrupted ({signal.Signals(report.interrupted).name}): {done} articles written and kept, "
            f"{skipped} up to date, {left} not done -> {output_dir}/index.html. Run the same command again "
            "to do the rest; finished articles are skipped.",
            err=True,
        )
        sys.exit(128 + report.interrupted)
    if not quiet:
        removed = sum(e.status == "removed" for e in report.entries)
        gone = f", {removed} input removed (--prune deletes their outputs)" if removed else ""
        click.echo(
            f"{done} written, {skipped} up to date, {len(report.failed)} failed{gone} -> {output_dir}/index.html",
            err=True,
        )
        if report.outputs:
            outputs = report.outputs
            click.echo(
                f"model outputs: {outputs['model']} computed by the models, {outputs['cache']} from the "
                f"cache, {outputs['shared']} repeats computed once (summary chunks and sentences, "
                "glossary retries included)",
                err=True,
            )
        if report.memory:
            served = ", ".join(f"{lang} {n}" for lang, n in sorted(report.memory.items()))
            click.echo(f"translation memory: segments served ({served})", err=True)
        for lang, counts in report.terms.items():
            click.echo(
                f"glossary {lang}: {counts['found']} terms found (each occurrence counted), "
                f"{counts['kept']} kept by the model, {counts['enforced']} enforced, "
                f"{counts['flagged']} flagged for review",
                err=True,
            )
        click.echo(_time_line(started_run - STARTED, report), err=True)
    if report.failed:
        click.echo("Failed articles:", err=True)
        for entry in report.failed:
            # Errors name their file already; only add the path where one does not.
            error = entry.error or "failed"
            click.echo(
                f"  {error if entry.source_path in error else f'{entry.source_path}: {error}'}", err=True
            )
        sys.exit(1)


def _time_line(start_up: float, report: RunReport) -> str:
    """Where the run's time went: start-up (imports, settings), loading models, and the rest."""
    if report.load_seconds is None:
        models, rest = "loading models in the Ray actors (not measured here)", report.seconds
    else:
        loads = len(report.models_loaded)
        models = f"loading models {report.load_seconds:.2f} s ({loads} load{'s' * (loads != 1)})"
        rest = report.seconds - report.load_seconds
    return f"time: start-up {start_up:.2f} s, {models}, work {rest:.2f} s"


@click.command(name="summarize", cls=TsumCommand)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@config_option
@device_option
@summarizer_option
@backend_option
@reports_errors
def summarize_command(file, config_path, device, summarizer, backend):
    """Print an English summary of one article."""
    config = load(config_path, summarizer, backend)
    quiet_libraries()
    click.echo(" ".join(summarize_file(file, config, device)))


@click.command(name="translate", cls=TsumCommand)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--to", "lang", required=True, help="Target language: a [translators] key in models.toml (zh, ru, fr…)."
)
@config_option
@device_option
@backend_option
@glossary_option
@glossary_optional_option
@reports_errors
def translate_command(file, lang, config_path, device, backend, glossary, glossary_optional):
    """Print one article translated into LANG, paragraph by paragraph, glossary enforced.

    QA flags (glossary terms not guaranteed, numbers, splits …) go to stderr, one per line.
    """
    config = load(config_path, backend=backend)
    lang = config.select_languages(lang)[0]
    quiet_libraries()
    segments = translate_file(
        file, lang, config, device, glossary, glossary_optional, lambda message: click.echo(message, err=True)
    )
    click.echo(paragraphs_text(segments, lang))
    for segment in segments:
        for flag in segment.flags:
            click.echo(f"{segment.id}: {flag.type}: {flag.detail}", err=True)
