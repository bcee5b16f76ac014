"""The ``tsum`` command line: parse options, call the library, report. One module per command group."""

from __future__ import annotations

import signal

import click

from translate_sum import __version__
from translate_sum.cli.cache import cache_group
from translate_sum.cli.fetch import fetch_command
from translate_sum.cli.glossary import glossary_group
from translate_sum.cli.memory import memory_group, review_command
from translate_sum.cli.models import models_group
from translate_sum.cli.qa import qa_command
from translate_sum.cli.run import all_command, summarize_command, translate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tsum")
def cli() -> None:
    """Summarize English press releases and translate them into Chinese and Russian.

    Outputs are sentence-aligned, with glossary terms kept fixed, for side-by-side review.

    \b
    Examples:
      tsum all                        # every article in seeds/ -> outputs/
      tsum all --only zh --force      # Chinese only, redo finished articles
      tsum summarize seeds/x.txt      # print a summary
      tsum models download            # fetch the models in models.toml
      tsum fetch --feed URL && tsum all  # new releases from a feed, then process them
      tsum review                     # edit and approve translations in the browser
      tsum qa file.xlf --glossary g.tsv  # QA checks on any bilingual file, no model
    """


for command in (
    all_command,
    summarize_command,
    translate_command,
    fetch_command,
    review_command,
    memory_group,
    models_group,
    glossary_group,
    qa_command,
    cache_group,
):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    if hasattr(signal, "SIGPIPE"):
        # `tsum summarize x | head` should end quietly, not with a BrokenPipeError trace.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    cli(prog_name="tsum")
