"""Reaching a Ray cluster as operators run one: token authentication, one line saying why a connection
failed, a check that the cluster can hold the requested actors, and Ray's own logging kept quiet.

Ray 2.60 clusters started with ``ray start --head`` require a token by default. The driver finds it as
Ray does: ``RAY_AUTH_TOKEN``, the file in ``RAY_AUTH_TOKEN_PATH``, or ``~/.ray/auth_token``.
"""

from __future__ import annotations

import logging
import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_sum.config import RaySettings
from translate_sum.errors import ConfigError
from translate_sum.pipeline import interrupt

#: Ray's switch for multi-node networking; "0" keeps a local instance on 127.0.0.1.
LOOPBACK_ONLY_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
#: Seconds Ray keeps retrying the cluster's GCS before giving up (its default is 20, one log line a second).
_CONNECT_WAIT_ENV = "RAY_gcs_server_port_wait_time_s"
_CONNECT_WAIT_S = "3"
#: CPUs a segmenting or assembling task reserves: small, so it is never starved by the actors.
TASK_CPUS = 0.1
_DOCS = "docs/scaling.md"


def token_source() -> str | None:
    """Where this driver's Ray token comes from (as Ray looks for it), or None when it has none."""
    if os.environ.get("RAY_AUTH_TOKEN"):
        return "RAY_AUTH_TOKEN"
    path = os.environ.get("RAY_AUTH_TOKEN_PATH")
    if path:
        return f"RAY_AUTH_TOKEN_PATH={path}" if Path(path).expanduser().is_file() else None
    default = Path.home() / ".ray" / "auth_token"
    return str(default) if default.is_file() else None


def split_address(address: str) -> tuple[str, int]:
    """``HOST:PORT`` (the GCS of the head); raises ConfigError for anything else."""
    if address.startswith("ray://"):
        raise ConfigError(
            f"--ray-address {address}: the Ray Client (ray://) is not supported; give the head's "
            f"HOST:PORT (the --port of `ray start --head`, 6379 by default; {_DOCS})"
        )
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ConfigError(f"--ray-address {address!r}: expected HOST:PORT, e.g. 10.0.0.5:6379")
    return host.strip("[]"), int(port)


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, not after Ray's retries, when nothing listens at ``address``."""
    host, port = split_address(address)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        if isinstance(exc, TimeoutError | socket.timeout):
            reason = f"no answer in {timeout:g} s"
        raise ConfigError(
            f"--ray-address {address}: unreachable ({reason}); is `ray start --head --port={port}` "
            "running there, and is the port open to this machine?"
        ) from None


def describe_failure(address: str | None, exc: BaseException, ray_output: str, token: str | None) -> str:
    """One line saying why Ray could not connect: authentication, version mismatch, or Ray's own words."""
    where = f"--ray-address {address}" if address else "--executor ray (a local Ray instance)"
    text = f"{exc} {ray_output}"
    if "Version mismatch" in text or "version mismatch" in text:
        detail = str(exc).splitlines()[0] if str(exc) else "versions differ"
        return (
            f"{where}: version mismatch between this driver and the cluster ({detail}); install the "
            "same Ray and Python versions on every node and on the driver"
        )
    if "InvalidAuthToken" in text or "Unauthenticated" in text or "AuthenticationError" in text:
        have = (
            f"the token from {token} was refused"
            if token
            else "this machine has no token (RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH or ~/.ray/auth_token)"
        )
        return (
            f"{where}: authentication failed: the cluster uses Ray's token authentication and {have}; "
            "copy the head's token file and set RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH=FILE "
            f"(`ray get-auth-token` on the head prints it; {_DOCS})"
        )
    lines = [line.strip() for line in ray_output.splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    return f"{where}: cannot connect: {exc}" + (f" ({last[-200:]})" if last and last not in str(exc) else "")


@contextmanager
def _ray_stderr() -> Iterator[list[str]]:
    """Ray's C++ core writes retries straight to file descriptor 2; hold them, to classify a failure."""
    held: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield held
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            held.append(sink.read().decode("utf-8", "replace"))


def quiet_ray(quiet: bool) -> None:
    """Ray's Python loggers at ERROR with ``--quiet`` (else WARNING): its INFO lines are not for tsum users."""
    level = logging.ERROR if quiet else logging.WARNING
    for name in ("ray", "ray.data", "ray._private", "ray.util"):
        logging.getLogger(name).setLevel(level)
    # Ray Data logs any exception that crosses its iterator with a full trace, ours included (an
    # interruption, a model that will not load); tsum reports them itself, in one line.
    logging.getLogger("ray.data.exceptions").setLevel(logging.CRITICAL)
    logging.getLogger("ray.data.exceptions").propagate = False
    # Read by Ray's C++ core here and in processes it starts: its lines (e.g. a warning about actor
    # arguments in the object store on every run) are not for tsum users; real failures surface as errors.
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")


def connect(ray: Any, address: str | None, num_cpus: int | None = None, quiet: bool = False) -> bool:
    """Connect to the cluster at ``address`` (token authentication as Ray reads it), or start a local
    Ray bound to 127.0.0.1. True when started here. Raises ConfigError with one line saying why not."""
    if ray.is_initialized():
        return False
    quiet_ray(quiet)
    level = logging.ERROR if quiet else logging.WARNING
    token = token_source()
    saved_wait = os.environ.get(_CONNECT_WAIT_ENV)
    if address:
        check_reachable(address)
        if token and "RAY_AUTH_MODE" not in os.environ:
            os.environ["RAY_AUTH_MODE"] = "token"  # what Ray infers from a token file, said outright
        os.environ[_CONNECT_WAIT_ENV] = _CONNECT_WAIT_S
    try:
        with _ray_stderr() as held:
            try:
                if address:
                    ray.init(address=address, log_to_driver=False, logging_level=level)
                else:
                    ray.init(
                        address="local",
                        num_cpus=num_cpus,
                        include_dashboard=False,
                        _node_ip_address="127.0.0.1",
                        log_to_driver=False,  # actors' own output stays in Ray's log files
                        logging_level=level,
                    )
                failure: Exception | None = None
            except Exception as exc:  # noqa: BLE001 - e.g. ConnectionError, ray's AuthenticationError
                failure = exc
    finally:
        if saved_wait is None:
            os.environ.pop(_CONNECT_WAIT_ENV, None)
        else:
            os.environ[_CONNECT_WAIT_ENV] = saved_wait
    interrupt.reinstall()  # ray.init sets its own SIGTERM handler
    if failure is not None:
        raise ConfigError(describe_failure(address, failure, held[0] if held else "", token)) from None
    return True


@dataclass(frozen=True)
class ClusterInfo:
    """What the manifest records about the cluster a run used."""

    address: str  # the --ray-address, or "local"
    nodes: dict[str, str]  # alive node id -> its address

    def to_dict(self) -> dict:
        return {"address": self.address, "node_count": len(self.nodes), "nodes": dict(self.nodes)}


def cluster_info(ray: Any, address: str | None) -> ClusterInfo:
    """The alive nodes of the connected cluster."""
    nodes = {n["NodeID"]: n.get("NodeManagerAddress", "?") for n in ray.nodes() if n.get("Alive")}
    return ClusterInfo(address or "local", nodes)


def check_capacity(
    settings: RaySettings, model_stages: int, total: dict[str, float], largest_node: dict[str, float]
) -> None:
    """Fail with the sizing rule, instead of Ray waiting for ever, when the cluster cannot hold every
    actor at once: model stages × concurrency × num_cpus (plus the small CPU tasks) against its CPUs,
    the same for GPUs, and each actor must fit on one node."""
    actors = model_stages * settings.concurrency
    rule = (
        f"{model_stages} model stages × [ray] concurrency {settings.concurrency} × num_cpus "
        f"{settings.num_cpus:g}"
    )
    need_cpus = actors * settings.num_cpus + TASK_CPUS
    have_cpus = total.get("CPU", 0.0)
    fix = "lower concurrency or num_cpus in models.toml [ray] (fractions are fine), or add nodes"
    if need_cpus > have_cpus + 1e-9:
        raise ConfigError(
            f"the Ray cluster has {have_cpus:g} CPUs but the run needs {need_cpus:g} "
            f"({rule} + {TASK_CPUS:g} for the CPU tasks): {fix}; {_DOCS}"
        )
    if settings.num_cpus > largest_node.get("CPU", 0.0) + 1e-9:
        raise ConfigError(
            f"[ray] num_cpus {settings.num_cpus:g}: no node of the Ray cluster has that many CPUs "
            f"(largest: {largest_node.get('CPU', 0.0):g}); {fix}"
        )
    need_gpus = actors * settings.num_gpus
    have_gpus = total.get("GPU", 0.0)
    if need_gpus > have_gpus + 1e-9:
        raise ConfigError(
            f"the Ray cluster has {have_gpus:g} GPUs but the run needs {need_gpus:g} ({model_stages} model "
            f"stages × [ray] concurrency {settings.concurrency} × num_gpus {settings.num_gpus:g}): lower "
            f"concurrency or num_gpus in models.toml [ray], or add GPU nodes; {_DOCS}"
        )
    if settings.num_gpus > largest_node.get("GPU", 0.0) + 1e-9:
        raise ConfigError(
            f"[ray] num_gpus {settings.num_gpus:g}: no node of the Ray cluster has that many GPUs "
            f"(largest: {largest_node.get('GPU', 0.0):g})"
        )


def check_cluster_capacity(ray: Any, settings: RaySettings, model_stages: int) -> None:
    """``check_capacity`` against the connected cluster's alive nodes."""
    alive = [n.get("Resources", {}) for n in ray.nodes() if n.get("Alive")]
    largest = {key: max((r.get(key, 0.0) for r in alive), default=0.0) for key in ("CPU", "GPU")}
    check_capacity(settings, model_stages, ray.cluster_resources(), largest)


def current_node() -> str:
    """The id of the Ray node this code runs on (inside a task or actor)."""
    import ray

    return ray.get_runtime_context().get_node_id()
