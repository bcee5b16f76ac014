"""``tsum fetch``: download new press releases (pages or a feed's items) into the input folder."""

from __future__ import annotations

import sys

import click

from translate_sum.cli.common import TsumCommand, input_option, quiet_option, reports_errors
from translate_sum.ingest.fetch import FetchLimits, fetch_feed, fetch_pages


@click.command(name="fetch", cls=TsumCommand)
@click.argument("urls", nargs=-1, metavar="[URL]...")
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="An RSS or Atom feed: fetch its items.")
@input_option
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    help="Seconds for each URL in all (robots.txt, redirects, download).",
)
@click.option(
    "--limit",
    "feed_items",
    default=50,
    show_default=True,
    type=click.IntRange(min=1),
    help="Newest items fetched per feed.",
)
@quiet_option
@reports_errors
def fetch_command(urls, feeds, input_dir, timeout, feed_items, quiet):
    """Download new press releases into the input folder, for `tsum all`.

    Each page is saved as NAME.html (named by its date and headline), a PDF or Word link as NAME.pdf
    or NAME.docx, with NAME.fetch.json beside it (URL, time, ETag). Files fetched before are skipped
    when unchanged; robots.txt is obeyed at every redirect; each URL has --timeout seconds in all;
    a feed gives its --limit newest items. Exit status: 0 all fetched or unchanged, 1 some URLs
    failed (listed; the others are saved).

    \b
    Examples:
      tsum fetch https://example.org/news/2021/forum.html
      tsum fetch --feed https://example.org/press/rss.xml && tsum all
    """
    if not urls and not feeds:
        raise click.UsageError("give at least one URL or --feed URL")
    limits = FetchLimits(timeout=timeout, feed_items=feed_items)
    results = [r for feed in feeds for r in fetch_feed(feed, input_dir, limits)]
    results += fetch_pages(urls, input_dir, limits)
    for result in results:
        if result.status == "failed":
            click.echo(f"error: {result.message}", err=True)
        elif not quiet:
            where = f" -> {result.path}" if result.path else ""
            note = f" ({result.message})" if result.message else ""
            click.echo(f"{result.status}: {result.url}{where}{note}", err=True)
    failed = [r for r in results if r.status == "failed"]
    if not quiet:
        counts = {s: sum(r.status == s for r in results) for s in ("fetched", "updated", "unchanged")}
        click.echo(", ".join(f"{n} {s}" for s, n in counts.items()) + f", {len(failed)} failed", err=True)
    if failed:
        sys.exit(1)
