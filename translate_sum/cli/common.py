"""What every tsum command shares: error-to-exit-code conversion, common options, progress and notices."""

from __future__ import annotations

import functools
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from tqdm import tqdm

from translate_sum.backends import SUMMARIZER_ENGINES, backend_names
from translate_sum.config import DEVICES, Config, find_config, load_config
from translate_sum.errors import ConfigError, OptionError, TsumError
from translate_sum.qa import check_settings


class TsumCommand(click.Command):
    """A command whose errors name what the user typed: the option, or the environment variable that set it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.BadParameter as exc:
            if exc.param is not None and exc.param.name:
                exc.param_hint = typed_as(ctx, exc.param.name, exc.param.get_error_hint(ctx))
            raise


class TsumGroup(click.Group):
    """A command group whose commands are ``TsumCommand``s."""

    command_class = TsumCommand


def typed_as(ctx: click.Context, name: str, option: str) -> str:
    """``option`` as an error names it: ``TSUM_WINDOW=0`` when the value came from the environment."""
    from click.core import ParameterSource

    if ctx.get_parameter_source(name) is ParameterSource.ENVIRONMENT:
        for param in ctx.command.params:
            if param.name == name and isinstance(param.envvar, str):
                return f"{param.envvar}={os.environ.get(param.envvar, '')}"
    return option


class ConfigProblem(click.ClickException):
    """A usage or configuration error: exit status 2."""

    exit_code = 2


# The command-line parameters that carry each library option (OptionError.option), by parameter name.
_OPTION_PARAMETERS = {
    "languages": ("only", "lang"),
    "executor": ("executor",),
    "window": ("window",),
    "ray_address": ("ray_address",),
    "backend": ("backend",),
    "summarizer": ("summarizer",),
    "device": ("device",),
}


def _flag_of(exc: OptionError) -> str | None:
    """The flag of the running command that set the option ``exc`` is about (``--only``), if any."""
    context = click.get_current_context(silent=True)
    if context is None:
        return None
    names = _OPTION_PARAMETERS.get(exc.option, (exc.option,))
    for parameter in context.command.params:
        if parameter.name in names and isinstance(parameter, click.Option):
            return typed_as(context, parameter.name, parameter.opts[0])  # TSUM_ONLY=de when set there
    return None


def reports_errors(command):
    """Turn library errors into exit codes: ConfigError → 2 (usage/configuration), other TsumError → 1.

    An OptionError is shown with the flag that set the option, as the library does not know flags.
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except OptionError as exc:
            flag = _flag_of(exc)
            raise ConfigProblem(f"{flag}: {exc}" if flag else str(exc)) from None
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None
        except TsumError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def load(config_path: Path | None, summarizer: str | None = None, backend: str | None = None) -> Config:
    """models.toml (or the defaults) with the command line's overrides. Raises ConfigError."""
    config = load_config(find_config(config_path)).with_overrides(summarizer=summarizer, backend=backend)
    check_settings(config.qa, config.source or "models.toml")
    return config


def progress_factory(quiet: bool):
    """Progress bars on stderr, one per stage; none with ``--quiet``."""

    @contextmanager
    def progress(description: str, total: int):

        overall = description == "articles"
        # Stages count articles or sentences; anything else (a file imported into the memory) bytes.
        if description in ("articles", "summarize"):
            units: dict = {"unit": " articles"}
        elif description.startswith("translate"):
            units = {"unit": " sentences"}
        else:
            units = {"unit": "B", "unit_scale": True, "unit_divisor": 1024}
        with tqdm(
            total=total,
            desc=description,
            **units,
            disable=True if quiet else None,
            leave=overall,
            file=sys.stderr,
            dynamic_ncols=True,
            # The articles bar moves a window at a time, across every stage: a rate from it would
            # promise hours or seconds. Each stage bar's own rate is the one to trust for an ETA.
            bar_format=_OVERALL_BAR if overall else None,
        ) as bar:

            def advance(n: int = 1) -> None:
                bar.update(n)

            def grow(n: int) -> None:
                """More work found on the way (the glossary retry pass): the total grows, the bar does not lie."""
                bar.total = (bar.total or 0) + n
                bar.refresh()

            advance.grow = grow  # type: ignore[attr-defined]
            yield advance

    return progress


_OVERALL_BAR = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} articles [{elapsed} elapsed]"


def notifier(quiet: bool):
    """Notices on stderr; with ``--quiet`` only errors."""

    def notify(message: str) -> None:
        if not quiet or message.startswith("error"):
            click.echo(message, err=True)

    return notify


def quiet_libraries() -> None:
    """Silence what transformers and the hub say that a tsum user cannot act on."""
    # Environment variables, because they are read at first import: a run that loads no model never imports them.
    logging.getLogger("transformers").setLevel(logging.ERROR)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    # transformers' "Loading weights" bars (and the hub's) would run through tsum's own stage bars.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


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
    default=None,
    metavar="[" + "|".join(SUMMARIZER_ENGINES) + "]",
    envvar="TSUM_SUMMARIZER",
    help="Override models.toml: 'extractive' needs no model weights [env TSUM_SUMMARIZER].",
)
backend_option = click.option(
    "--backend",
    default=None,
    metavar="[" + "|".join(backend_names()) + "]",
    envvar="TSUM_BACKEND",
    help="Override the inference backend of every model in models.toml: ctranslate2 (int8 on CPU, "
    "converted once into the tsum cache) or transformers [env TSUM_BACKEND].",
)
glossary_option = click.option(
    "--glossary",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    envvar="TSUM_GLOSSARY",
    help="Glossary TSV/CSV [default: models.toml [run] glossary, else glossary.tsv in the input folder; "
    "env TSUM_GLOSSARY].",
)
glossary_optional_option = click.option(
    "--glossary-optional",
    is_flag=True,
    envvar="TSUM_GLOSSARY_OPTIONAL",
    help="Translate into a language the glossary has no column for, without fixed terms there (a warning) "
    "[default: stop, naming the file and the column; env TSUM_GLOSSARY_OPTIONAL].",
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
output_option = click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="outputs",
    show_default=True,
    envvar="TSUM_OUTPUT",
    help="Folder for results, one sub-folder per article [env TSUM_OUTPUT].",
)
