"""``tsum qa``: the glossary and QA checks on bilingual files, without a model."""

from __future__ import annotations

from pathlib import Path

import click

from translate_sum.cli.common import config_option, glossary_option, load, reports_errors


@click.command(name="qa")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option(
    "--format", "fmt", type=click.Choice(["tsv", "json"]), default="tsv", show_default=True,
    help="stdout: one line per finding, tab-separated (file, unit, lang, flag, detail) or JSON.",
)  # fmt: skip
@click.option(
    "--html", "html_out", type=click.Path(path_type=Path, dir_okay=False), help="Also an HTML report."
)
@glossary_option
@config_option
@reports_errors
def qa_command(files, fmt, html_out, glossary, config_path):
    """Check XLIFF 1.2, TMX 1.4 or tsum's aligned.tsv/.jsonl files: glossary terms, numbers, names,
    brackets, punctuation, consistency. Exit status 1 when anything is flagged.

    \b
    Examples:
      tsum qa delivery.en-zh.xlf --glossary seeds/glossary.tsv
      tsum qa outputs/*/aligned.jsonl --format json --html qa.html
    """
    from translate_sum.pipeline import load_glossary
    from translate_sum.qa_files import check_units, findings_html, findings_json, findings_tsv, read_units
    from translate_sum.storage import write_atomic

    config = load(config_path)
    terms = load_glossary(glossary or config.glossary)
    units = [unit for path in files for unit in read_units(path)]
    findings = check_units(units, terms, config.qa)
    click.echo(findings_json(findings) if fmt == "json" else findings_tsv(findings), nl=False)
    if html_out is not None:
        write_atomic(html_out, findings_html(findings, [str(f) for f in files], len(units)))
    click.echo(f"{len(findings)} findings in {len(units)} units", err=True)
    if findings:
        raise SystemExit(1)
