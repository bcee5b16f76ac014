"""The ``tsum`` command line: parse options, call the library, report."""

from __future__ import annotations

import logging
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from translate_sum import __version__
from translate_sum.config import DEVICES, Config, find_config, load_config
from translate_sum.engines.registry import BACKENDS, SUMMARIZER_ENGINES
from translate_sum.errors import ConfigError, TsumError


class ConfigProblem(click.ClickException):
    """A usage or configuration error: exit status 2."""

    exit_code = 2


def _progress_factory(quiet: bool):
    @contextmanager
    def progress(description: str, total: int):
        from tqdm import tqdm

        with tqdm(
            total=total,
            desc=description,
            disable=True if quiet else None,
            leave=description == "articles",
            file=sys.stderr,
            dynamic_ncols=True,
        ) as bar:
            yield bar.update

    return progress


def _notify(quiet: bool):
    def notify(message: str) -> None:
        if not quiet or message.startswith("error"):
            click.echo(message, err=True)

    return notify


def _load(config_path: Path | None, summarizer: str | None = None, backend: str | None = None) -> Config:
    import dataclasses

    try:
        config = load_config(find_config(config_path))
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    if summarizer:
        config = dataclasses.replace(
            config, summarizer=dataclasses.replace(config.summarizer, engine=summarizer)
        )
    if backend:
        translators = {k: dataclasses.replace(v, backend=backend) for k, v in config.translators.items()}
        model = dataclasses.replace(config.summarizer.model, backend=backend)
        config = dataclasses.replace(
            config, translators=translators, summarizer=dataclasses.replace(config.summarizer, model=model)
        )
    return config


def _languages(only: str | None, config: Config) -> tuple[str, ...]:
    if not only:
        return config.languages
    langs = tuple(x.strip() for x in only.split(",") if x.strip())
    unknown = [x for x in langs if x not in config.translators]
    if not langs or unknown:
        raise ConfigProblem(f"--only {only!r}: choose from {', '.join(config.translators)}")
    return langs


def _quiet_libraries() -> None:
    # transformers and the hub are chatty about things a tsum user cannot act on. Environment
    # variables, because they are read at first import: a run that loads no model never imports them.
    logging.getLogger("transformers").setLevel(logging.ERROR)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="TSUM_CONFIG",
    help="Models and settings file [default: ./models.toml, else built-in defaults; env TSUM_CONFIG].",
)
device_option = click.option(
    "--device",
    type=click.Choice(DEVICES),
    default="auto",
    show_default=True,
    envvar="TSUM_DEVICE",
    help="Where models run: auto picks cuda when a GPU is available [env TSUM_DEVICE].",
)
quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="No progress bars or notices; errors still go to stderr."
)
summarizer_option = click.option(
    "--summarizer",
    type=click.Choice(SUMMARIZER_ENGINES),
    default=None,
    help="Override models.toml: 'extractive' needs no model weights.",
)
backend_option = click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default=None,
    help="Override the inference backend of every model in models.toml: ctranslate2 (int8 on CPU, "
    "converted once into the tsum cache) or transformers.",
)
glossary_option = click.option(
    "--glossary",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    envvar="TSUM_GLOSSARY",
    help="Glossary TSV/CSV [default: models.toml [run] glossary, else glossary.tsv in the input folder].",
)


input_option = click.option(
    "--input",
    "input_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="seeds",
    show_default=True,
    envvar="TSUM_INPUT",
    help="Folder of press releases (.txt, .md, .html) [env TSUM_INPUT].",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tsum")
def cli() -> None:
    """Summarise English press releases and translate them into Chinese and Russian.

    Outputs are sentence-aligned, with glossary terms kept fixed, for side-by-side review.

    \b
    Examples:
      tsum all                        # every article in seeds/ -> outputs/
      tsum all --only zh --force      # Chinese only, redo finished articles
      tsum summarize seeds/x.txt      # print a summary
      tsum models download            # fetch the models in models.toml
    """


@cli.command(name="all")
@input_option
@click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="outputs",
    show_default=True,
    envvar="TSUM_OUTPUT",
    help="Folder for results, one sub-folder per article [env TSUM_OUTPUT].",
)
@config_option
@click.option(
    "--only",
    default=None,
    metavar="LANGS",
    help="Comma-separated target languages, e.g. zh or zh,ru [default: models.toml [run] languages].",
)
@device_option
@click.option("--force", is_flag=True, help="Redo articles whose outputs are already up to date.")
@summarizer_option
@backend_option
@glossary_option
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
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
    help="--executor ray: a running Ray cluster, e.g. 10.0.0.5:6379 [default: start a local Ray].",
)
@click.option(
    "--window",
    type=click.IntRange(min=1),
    default=32,
    show_default=True,
    help="Articles batched together and written together when done.",
)
@quiet_option
def all_command(
    input_dir,
    output_dir,
    config_path,
    only,
    device,
    force,
    summarizer,
    backend,
    glossary,
    executor,
    ray_address,
    window,
    quiet,
):
    """Summarise and translate every article in the input folder.

    Articles whose input, models, settings and glossary are unchanged since the last run are
    skipped without loading any model. Exit status: 0 all done, 1 some articles failed (listed;
    the others are written), 2 usage or configuration error (e.g. a model that is not available).
    """
    from translate_sum.pipeline import RunOptions, run_all

    if ray_address and executor != "ray":
        raise ConfigProblem("--ray-address needs --executor ray")
    config = _load(config_path, summarizer, backend)
    options = RunOptions(
        input_dir=input_dir,
        output_dir=output_dir,
        config=config,
        languages=_languages(only, config),
        device=device,
        force=force,
        glossary=glossary,
        executor=executor,
        window=window,
        ray_address=ray_address,
    )
    _quiet_libraries()
    try:
        report = run_all(options, progress=_progress_factory(quiet), notify=_notify(quiet))
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except TsumError as exc:
        raise click.ClickException(str(exc)) from None
    done = sum(e.status == "done" for e in report.entries)
    skipped = sum(e.status == "skipped" for e in report.entries)
    if not quiet:
        click.echo(
            f"{done} written, {skipped} up to date, {len(report.failed)} failed -> {output_dir}/index.html",
            err=True,
        )
    if not quiet and report.terms:
        for lang, counts in report.terms.items():
            click.echo(
                f"glossary {lang}: {counts['found']} terms found, {counts['kept']} kept by the model, "
                f"{counts['enforced']} enforced, {counts['flagged']} flagged for review",
                err=True,
            )
    if report.failed:
        click.echo("Failed articles:", err=True)
        for entry in report.failed:
            # Errors name their file already; only add the path where one does not.
            error = entry.error or "failed"
            click.echo(
                f"  {error if entry.source_path in error else f'{entry.source_path}: {error}'}", err=True
            )
        sys.exit(1)


@cli.command(name="summarize")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@config_option
@device_option
@summarizer_option
@backend_option
def summarize_command(file, config_path, device, summarizer, backend):
    """Print an English summary of one article."""
    from translate_sum.articles import load_article
    from translate_sum.engines.loader import Engines
    from translate_sum.segment import segment_article

    config = _load(config_path, summarizer, backend)
    _quiet_libraries()
    try:
        article = load_article(file)
        body = [s.en for s in segment_article(article) if s.kind == "body"]
        click.echo(" ".join(Engines(config, device).summarizer().summarize(body)))
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except TsumError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command(name="translate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--to", "lang", required=True, help="Target language: a [translators] key in models.toml (zh, ru)."
)
@config_option
@device_option
@backend_option
@glossary_option
def translate_command(file, lang, config_path, device, backend, glossary):
    """Print one article translated into LANG, paragraph by paragraph, glossary enforced."""
    from translate_sum.articles import load_article
    from translate_sum.engines.loader import Engines
    from translate_sum.pipeline import load_glossary, translate_language
    from translate_sum.segment import segment_article
    from translate_sum.terms import TermGuard

    config = _load(config_path, backend=backend)
    lang = _languages(lang, config)[0]
    _quiet_libraries()
    try:
        article = load_article(file)
        guard = TermGuard(load_glossary(_glossary_file(glossary, config, file.parent)))
        segments = segment_article(article)
        result = translate_language(segments, lang, Engines(config, device).translator(lang), guard)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    except TsumError as exc:
        raise click.ClickException(str(exc)) from None
    joiner = "" if lang == "zh" else " "
    paragraphs: dict[int, list[str]] = {}
    for segment, translation in zip(segments, result.segments, strict=True):
        paragraphs.setdefault(segment.paragraph, []).append(translation.text)
    click.echo("\n\n".join(joiner.join(p) for p in paragraphs.values()))
    for segment, translation in zip(segments, result.segments, strict=True):
        for flag in translation.flags:
            click.echo(f"{segment.id}: {flag.type}: {flag.detail}", err=True)


@cli.group(name="models")
def models_group() -> None:
    """List, download and convert the models named in models.toml."""


@models_group.command(name="list")
@config_option
def models_list(config_path):
    """Show each configured model, its backend, and whether it is available offline."""
    from translate_sum.engines.hub import resolve_model
    from translate_sum.errors import ModelUnavailableError

    config = _load(config_path)
    if config.summarizer.engine == "extractive":
        click.echo("summarizer  extractive (no model)")
    for spec in config.model_specs():
        try:
            resolved = resolve_model(spec, download=False)
            where = f"ready at {resolved.directory}" + (
                f" (revision {resolved.revision})" if resolved.revision else ""
            )
        except ModelUnavailableError:
            where = "not downloaded (run `tsum models download`)"
        click.echo(f"{spec.role:<11} {spec.name}  [{spec.backend}]  {where}")


@models_group.command(name="download")
@config_option
def models_download(config_path):
    """Download every configured model into the Hugging Face cache (needs network)."""
    from translate_sum.engines.hub import resolve_model

    config = _load(config_path)
    for spec in config.model_specs():
        try:
            resolved = resolve_model(spec, download=True)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None
        click.echo(f"{spec.role:<11} {spec.name}: {resolved.directory}")


@models_group.command(name="convert")
@config_option
@device_option
def models_convert(config_path, device):
    """Convert every ctranslate2-backed model now (tsum otherwise does it on first use).

    Converted models go to tsum's cache (~/.cache/tsum/ct2, or $TSUM_CACHE/ct2) and are reused.
    """
    from translate_sum.engines.ct2_runtime import STORAGE, convert_model, default_compute_type
    from translate_sum.engines.hub import pick_device, resolve_model

    config = _load(config_path)
    try:
        device = pick_device(device)
        for spec in config.model_specs():
            if spec.backend != "ctranslate2":
                click.echo(f"{spec.role:<11} {spec.name}: backend {spec.backend}, nothing to convert")
                continue
            directory = convert_model(resolve_model(spec), STORAGE[default_compute_type(spec, device)])
            click.echo(f"{spec.role:<11} {spec.name}: {directory}")
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None


def _input_articles(input_dir: Path):
    from translate_sum.articles import list_articles, load_article
    from translate_sum.errors import ArticleError

    if not input_dir.is_dir():
        raise ConfigProblem(f"{input_dir}: input folder not found")
    articles = []
    for path in list_articles(input_dir)[0]:
        try:
            articles.append(load_article(path))
        except ArticleError as exc:
            click.echo(f"error: {exc}", err=True)
    return articles


def _glossary_file(explicit: Path | None, config: Config, input_dir: Path) -> Path | None:
    """The glossary `tsum all` would use for ``input_dir``."""
    from translate_sum.pipeline import RunOptions, glossary_path

    return glossary_path(RunOptions(input_dir, Path("."), config, config.languages, glossary=explicit))


@cli.group(name="glossary")
def glossary_group() -> None:
    """Check the glossary, and find names it lacks."""


@glossary_group.command(name="check")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@input_option
@config_option
def glossary_check(file, input_dir, config_path):
    """Validate the glossary FILE (default: the one `tsum all` would use) and show each article's terms."""
    from translate_sum.pipeline import load_glossary
    from translate_sum.suggest import coverage

    path = _glossary_file(file, _load(config_path), input_dir)
    if path is None:
        raise ConfigProblem(
            f"no glossary: pass FILE, set [run] glossary in models.toml, or add {input_dir}/glossary.tsv"
        )
    try:
        glossary = load_glossary(path)
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    click.echo(f"{path}: {len(glossary.entries)} entries, valid (sha256 {glossary.sha256[:12]})")
    for report in coverage(_input_articles(input_dir), glossary):
        click.echo(f"{report['path']}: {report['found']} term occurrences")
        for term, count in report["terms"].items():
            click.echo(f"  {count:>3}  {term}")


@glossary_group.command(name="suggest")
@input_option
@glossary_option
@config_option
def glossary_suggest(input_dir, glossary, config_path):
    """Print, as TSV, likely names in the articles that the glossary lacks.

    Fill in the zh and ru columns and append the rows to the glossary.
    """
    from translate_sum.pipeline import load_glossary
    from translate_sum.suggest import suggest_terms

    try:
        loaded = load_glossary(_glossary_file(glossary, _load(config_path), input_dir))
    except ConfigError as exc:
        raise ConfigProblem(str(exc)) from None
    click.echo(suggest_terms(_input_articles(input_dir), loaded), nl=False)


def main() -> None:
    """Console-script entry point."""
    if hasattr(signal, "SIGPIPE"):
        # `tsum summarize x | head` should end quietly, not with a BrokenPipeError trace.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    cli(prog_name="tsum")
