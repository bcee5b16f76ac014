"""``tsum models``: list, download and convert the models named in models.toml."""

from __future__ import annotations

import os

import click

from translate_sum.cli.common import (
    TsumGroup,
    config_option,
    device_option,
    load,
    quiet_libraries,
    reports_errors,
)
from translate_sum.engines.ct2.convert import ensure_converted
from translate_sum.engines.hub import availability, pick_device, resolve_model
from translate_sum.errors import ConfigError, ModelUnavailableError


@click.group(name="models", cls=TsumGroup)
def models_group() -> None:
    """List, download and convert the models named in models.toml."""


@models_group.command(name="list")
@config_option
@reports_errors
def models_list(config_path):
    """Show each configured model, its backend, and whether it is available offline."""
    config = load(config_path)
    if config.summarizer.engine == "extractive":
        click.echo("summarizer  extractive (no model)")
    missing = []
    for spec in config.model_specs():
        state = availability(spec)
        click.echo(f"{spec.role:<11} {spec.name}  [{spec.backend}]  {state}")
        if not state.startswith("ready"):
            missing.append(f"{spec.role} ({spec.name})")
    if missing:
        click.echo(
            f"not available offline: {', '.join(missing)}; run `tsum models download` on a machine with "
            "network access, or point `path =` in models.toml at a local copy",
            err=True,
        )


@models_group.command(name="download")
@config_option
@reports_errors
def models_download(config_path):
    """Download every configured model into the Hugging Face cache (needs network)."""
    for spec in load(config_path).model_specs():
        try:
            directory = resolve_model(spec, download=True).directory
        except ModelUnavailableError as exc:
            offline = (
                " (HF_HUB_OFFLINE is set: unset it to download)" if os.environ.get("HF_HUB_OFFLINE") else ""
            )
            raise ConfigError(
                f"cannot download {spec.name!r} ({spec.role}): {exc.why or exc}{offline}. Run this command "
                "where the Hugging Face Hub is reachable, or copy the model there and set "
                f'`path = "/dir/of/the/model"` for {spec.role} in models.toml'
                + (
                    '; or set engine = "extractive" under [summarizer] in models.toml'
                    if spec.role == "summarizer"
                    else ""
                )
            ) from None
        click.echo(f"{spec.role:<11} {spec.name}: {directory}")


@models_group.command(name="convert")
@config_option
@device_option
@reports_errors
def models_convert(config_path, device):
    """Convert every ctranslate2-backed model now (tsum otherwise does it on first use).

    Converted models go to tsum's cache (~/.cache/tsum/ct2, or $TSUM_CACHE/ct2) and are reused.
    """
    device = pick_device(device)
    quiet_libraries()
    for spec in load(config_path).model_specs():
        if spec.backend != "ctranslate2":
            click.echo(f"{spec.role:<11} {spec.name}: backend {spec.backend}, nothing to convert")
            continue
        click.echo(f"{spec.role:<11} {spec.name}: {ensure_converted(resolve_model(spec), device)}")
