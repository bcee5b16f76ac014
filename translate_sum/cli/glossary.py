"""``tsum glossary``: check the glossary, and find names it lacks."""

from __future__ import annotations

from pathlib import Path

import click

from translate_sum.cli.common import (
    TsumGroup,
    config_option,
    glossary_option,
    input_option,
    load,
    reports_errors,
)
from translate_sum.errors import ConfigError
from translate_sum.ingest import load_folder
from translate_sum.pipeline import load_glossary
from translate_sum.terms.suggest import coverage, suggest_terms


def _input_articles(input_dir: Path):
    articles, errors = load_folder(input_dir)
    for error in errors:
        click.echo(f"error: {error}", err=True)
    return articles


@click.group(name="glossary", cls=TsumGroup)
def glossary_group() -> None:
    """Check the glossary, and find names it lacks."""


@glossary_group.command(name="check")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), required=False)
@input_option
@config_option
@reports_errors
def glossary_check(file, input_dir, config_path):
    """Validate the glossary FILE (default: the one `tsum all` would use), show its coverage of each
    language of the run (models.toml [run] languages) and each article's terms."""
    config = load(config_path)
    path = config.glossary_file(input_dir, file)
    if path is None:
        raise ConfigError(
            f"no glossary: pass FILE, set [run] glossary in models.toml, or add {input_dir}/glossary.tsv"
        )
    glossary = load_glossary(path)
    click.echo(f"{path}: {len(glossary.entries)} entries, valid (sha256 {glossary.sha256[:12]})")
    kept = sum(entry.keep for entry in glossary.entries)
    for lang in dict.fromkeys((*config.languages, *glossary.languages)):
        if not glossary.covers(lang):
            click.echo(
                f"  {lang}: no column: a run into {lang} stops unless --glossary-optional (no fixed terms)"
            )
            continue
        where = "" if lang in config.languages else " (not a language of the run)"
        fixed = len(glossary.entries) - kept
        click.echo(f"  {lang}: {fixed} terms with a fixed form, {kept} kept in English{where}")
    for report in coverage(_input_articles(input_dir), glossary):
        click.echo(f"{report['path']}: {report['found']} term occurrences")
        for term, count in report["terms"].items():
            click.echo(f"  {count:>3}  {term}")


@glossary_group.command(name="suggest")
@input_option
@glossary_option
@config_option
@reports_errors
def glossary_suggest(input_dir, glossary, config_path):
    """Print, as TSV, likely names in the articles that the glossary lacks.

    Fill in the language columns (models.toml [run] languages) and append the rows to the glossary.
    """
    config = load(config_path)
    loaded = load_glossary(config.glossary_file(input_dir, glossary))
    click.echo(suggest_terms(_input_articles(input_dir), loaded, config.languages), nl=False)
