"""``tsum review`` and ``tsum memory``: reviewers' corrections, saved in the translation memory and reused."""

from __future__ import annotations

from pathlib import Path

import click

from translate_sum.cli.common import (
    TsumCommand,
    TsumGroup,
    config_option,
    load,
    output_option,
    progress_factory,
    reports_errors,
)
from translate_sum.errors import ConfigError
from translate_sum.memory import MemoryStore, memory_path
from translate_sum.memory.cat import export_tmx, import_file
from translate_sum.review import serve

memory_option = click.option(
    "--memory",
    "memory_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Translation memory file [default: models.toml [run] memory, else OUTPUT/tm.sqlite, as tsum all].",
)


def _memory_file(memory_file: Path | None, config_path: Path | None, output_dir: Path) -> Path:
    return memory_file or memory_path(load(config_path).memory, output_dir)


def _existing_memory(memory_file: Path | None, config_path: Path | None, output_dir: Path) -> Path:
    """The memory a read-only command reads; a mistyped --output or --memory must not create one."""
    path = _memory_file(memory_file, config_path, output_dir)
    if not path.is_file():
        raise ConfigError(
            f"{path}: no translation memory there; check --output / --memory (tsum review and "
            "tsum memory import create it)"
        )
    return path


@click.command(name="review", cls=TsumCommand)
@output_option
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0: any free port."
)
@memory_option
@config_option
@reports_errors
def review_command(output_dir, port, memory_file, config_path):
    """Serve the review pages on 127.0.0.1 with editing switched on, until Ctrl-C.

    \b
    Keys: e edit the highlighted cell, a approve it ([ ] another language, A the whole row),
    n / p next / previous flagged row; Ctrl+Shift+Enter in the editor saves and approves.
    Every edit or approval is saved at once to the translation memory, checked again against the
    glossary and QA rules, and written into the article's files; later runs reuse it.
    """
    memory = _memory_file(memory_file, config_path, output_dir)
    serve(
        output_dir, memory, port, on_ready=lambda url: click.echo(f"Review at {url} (Ctrl-C stops)", err=True)
    )


@click.group(name="memory", cls=TsumGroup)
def memory_group() -> None:
    """Import, export and count the translation memory's reviewed sentences."""


@memory_group.command(name="import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option(
    "--include-translated",
    is_flag=True,
    help='Also take XLIFF targets in state="translated" (and exported drafts), stored as edited drafts.',
)
@output_option
@memory_option
@config_option
@click.option("--quiet", is_flag=True, help="No progress bar.")
@reports_errors
def memory_import(files, include_translated, output_dir, memory_file, config_path, quiet):
    """Add finished translations from XLIFF 1.2 or TMX 1.4 FILES (e.g. an .xlf post-edited in OmegaT).

    XLIFF targets count when their state is final or signed-off (translated ones with
    --include-translated). Targets in a language tsum does not translate into (models.toml's
    translators; zh-TW / zh-Hant is not zh) and units with entity references are skipped and
    reported. The next tsum all puts the entries into every article that contains the sentence.
    """
    config = load(config_path)
    memory = memory_file or _memory_file(None, config_path, output_dir)
    with MemoryStore(memory) as store:
        for path in files:
            report = import_file(
                path,
                store,
                tuple(config.translators),
                include_translated=include_translated,
                progress=progress_factory(quiet),
            )
            click.echo(report.describe())


@memory_group.command(name="export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@output_option
@memory_option
@config_option
@reports_errors
def memory_export(file, output_dir, memory_file, config_path):
    """Write the whole translation memory to FILE as TMX 1.4."""
    with MemoryStore(_existing_memory(memory_file, config_path, output_dir)) as store:
        count = export_tmx(store, file)
    click.echo(f"{count} entries -> {file}", err=True)


@memory_group.command(name="stats")
@output_option
@memory_option
@config_option
@reports_errors
def memory_stats(output_dir, memory_file, config_path):
    """Count the memory's entries by language, status and origin."""
    path = _existing_memory(memory_file, config_path, output_dir)
    with MemoryStore(path) as store:
        stats = store.stats()
    click.echo(f"{path}: {stats['entries']} entries (schema {stats['schema']})")
    for lang, statuses in stats["languages"].items():
        click.echo(f"  {lang}: " + ", ".join(f"{n} {status}" for status, n in statuses.items()))
    if stats["origins"]:
        click.echo("  from: " + ", ".join(f"{origin} {n}" for origin, n in stats["origins"].items()))
