"""``tsum cache``: the cache of model outputs (what models gave for exact inputs), its size and clearing."""

from __future__ import annotations

import click

from translate_sum.cache import CacheUse, cache_path
from translate_sum.cli.common import TsumGroup, config_option, load, reports_errors


@click.group(name="cache", cls=TsumGroup)
def cache_group() -> None:
    """The cache of model outputs in tsum's cache folder (TSUM_CACHE), shared by every run."""


def _cache(config_path) -> CacheUse:
    return CacheUse(cache_path(), load(config_path).cache.max_mb)


@cache_group.command(name="stats")
@config_option
@reports_errors
def cache_stats(config_path):
    """Entries and size of the cache, by model."""
    cache = _cache(config_path)
    if not cache.path.exists():
        click.echo(f"{cache.path}: no cache yet (tsum all makes it)")
        return
    with cache.open() as store:
        stats = store.stats()
    mb = 1024 * 1024
    click.echo(
        f"{stats.path}: {stats.entries} outputs, {stats.bytes / mb:.1f} MB of {stats.max_bytes / mb:.0f} MB "
        f"([cache] max_mb; least recently used evicted beyond it), {stats.file_bytes / mb:.1f} MB on disk"
    )
    for model in stats.models:
        click.echo(f"  {model.kind} {model.label}: {model.entries} outputs, {model.bytes / mb:.1f} MB")


@cache_group.command(name="clear")
@config_option
@reports_errors
def cache_clear(config_path):
    """Delete every cached output (the next run computes them again)."""
    cache = _cache(config_path)
    if not cache.path.exists():
        click.echo(f"{cache.path}: no cache, nothing to clear")
        return
    with cache.open() as store:
        count = store.clear()
    click.echo(f"{cache.path}: {count} outputs deleted")
