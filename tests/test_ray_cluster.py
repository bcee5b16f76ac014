"""Ray as operators run it (docs/scaling.md): a head started with `ray start --head` and token
authentication, a cluster of two worker nodes, a one-line reason when a connection fails, and a sizing
check instead of a hang. The slow tests run the documented commands and compare with the local executor."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from corpus import write_corpus
from tiny_models import REPO, SEEDS

from translate_sum.config import RaySettings, load_config
from translate_sum.errors import ConfigError
from translate_sum.pipeline import RunOptions, run_all
from translate_sum.pipeline.executors.ray_cluster import (
    check_capacity,
    check_reachable,
    describe_failure,
    split_address,
)
from translate_sum.storage import MANIFEST

RAY_CLI = Path(sys.executable).with_name("ray")
SAME_BYTES = (
    "aligned.jsonl",
    "aligned.tsv",
    "article.zh.md",
    "article.ru.md",
    "summary.zh.md",
    "summary.ru.md",
)


def test_sizing_rule_names_the_numbers_and_the_fix():
    two_cpus = {"CPU": 2.0}
    check_capacity(RaySettings(concurrency=1, num_cpus=0.25), 3, two_cpus, two_cpus)  # 0.85 of 2: fits
    with pytest.raises(ConfigError) as error:
        check_capacity(RaySettings(concurrency=4, num_cpus=1), 3, two_cpus, two_cpus)
    assert "has 2 CPUs but the run needs 12.1 (3 model stages × [ray] concurrency 4 × num_cpus 1" in str(
        error.value
    )
    assert "lower concurrency or num_cpus" in str(error.value)
    # Enough CPUs in all, but no node can hold one actor: Ray would wait for ever.
    with pytest.raises(ConfigError, match=r"num_cpus 2: no node .* \(largest: 1\)"):
        check_capacity(RaySettings(concurrency=1, num_cpus=2), 1, {"CPU": 4.0}, {"CPU": 1.0})
    with pytest.raises(ConfigError, match=r"has 1 GPUs but the run needs 3"):
        check_capacity(
            RaySettings(num_cpus=0.1, num_gpus=1), 3, {"CPU": 8.0, "GPU": 1.0}, {"CPU": 8, "GPU": 1}
        )


def test_an_address_with_nothing_listening_fails_in_seconds_naming_it():
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(
        ConfigError, match=rf"--ray-address 127.0.0.1:{port}: unreachable \(Connection refused\)"
    ):
        check_reachable(f"127.0.0.1:{port}")
    assert time.monotonic() - start < 5
    for bad in ("10.0.0.5", "ray://10.0.0.5:10001", "host:port"):
        with pytest.raises(ConfigError, match="--ray-address"):
            split_address(bad)


def test_connection_failures_are_named_by_cause():
    ray_says = "gcs_client.cc:210: Failed to get cluster ID from GCS server: Unauthenticated: RPC error: InvalidAuthToken"
    failed = ConnectionError("Failed to connect to Ray cluster at 10.0.0.5:6379")
    message = describe_failure("10.0.0.5:6379", failed, ray_says, None)
    assert message.startswith("--ray-address 10.0.0.5:6379: authentication failed")
    assert "RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH=FILE" in message and "\n" not in message
    assert "the token from RAY_AUTH_TOKEN was refused" in describe_failure(
        "h:1", failed, ray_says, "RAY_AUTH_TOKEN"
    )
    mismatch = RuntimeError("Version mismatch: The cluster was started with:\n    Ray: 2.50.0\n")
    assert "version mismatch" in describe_failure("h:1", mismatch, "", None)


# --- The documented commands, end to end ----------------------------------------------------------


def _env(home: Path, cache_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TSUM_", "RAY_"))}
    env.update(
        HOME=str(home),
        HF_HOME=str(cache_root / "hf-home"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TSUM_CACHE=str(cache_root / "tsum-cache"),
        OMP_NUM_THREADS="1",
        RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",  # as the doc says: the head on 127.0.0.1 only
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port`` (from /proc/net, hex as the kernel writes it)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def _stop(marker: str) -> None:
    """End the Ray processes whose command line names ``marker`` (this test's temp dir), by pid:
    `ray stop` would end every Ray process on the machine."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and proc.name != str(os.getpid()):
            try:
                if marker in (proc / "cmdline").read_bytes().decode("utf-8", "replace"):
                    pids.append(int(proc.name))
            except OSError:
                continue
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        time.sleep(1)


@pytest.fixture(scope="module")
def corpus_and_local(tiny_config, tmp_path_factory):
    """The seeds and 12 generated releases, and the local executor's outputs of them."""
    root = tmp_path_factory.mktemp("ray-docs")
    folder = root / "in"
    write_corpus(folder, 12)
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    report = run_all(RunOptions(folder, root / "local", load_config(tiny_config), ("zh", "ru"), window=4))
    assert not report.failed
    return folder, root / "local", report


def _tsum(env, folder, out, config, *extra, timeout=600):
    command = [sys.executable, "-m", "translate_sum", "all", "--input", str(folder), "--output", str(out)]
    command += ["--config", str(config), "--executor", "ray", "--window", "4", *extra]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def _same_as_local(local: Path, out: Path, report) -> list[dict]:
    manifests = []
    for entry in report.entries:
        for name in SAME_BYTES:
            assert (local / entry.slug / name).read_bytes() == (out / entry.slug / name).read_bytes()
        manifests.append(json.loads((out / entry.slug / MANIFEST).read_text(encoding="utf-8")))
    return manifests


@pytest.mark.slow
def test_documented_head_with_token_authentication(corpus_and_local, tiny_config, tmp_path):
    """docs/scaling.md: token, `ray start --head` on 127.0.0.1, then the driver with and without the token."""
    if not RAY_CLI.exists():
        pytest.skip('needs the ray extra: pip install -e ".[ray]"')
    folder, local, report = corpus_and_local
    short = tempfile.mkdtemp(prefix="tsr", dir="/tmp")  # Ray's socket paths must stay short
    head_home = tmp_path / "head-home"
    env = _env(head_home, tmp_path)
    port = _free_port()
    try:
        subprocess.run(
            [str(RAY_CLI), "get-auth-token", "--generate"], env=env, check=True, capture_output=True
        )
        token = head_home / ".ray" / "auth_token"
        head_env = {**env, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}
        started = subprocess.run(
            [str(RAY_CLI), "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}",
             "--num-cpus=2", "--include-dashboard=false", f"--temp-dir={short}", "--disable-usage-stats"],
            env=head_env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert started.returncode == 0, started.stderr
        assert _listening(port) and all(
            a in ("0100007F", "0000000000000000FFFF00000100007F") for a in _listening(port)
        )

        # A driver without the token: one line naming authentication, in seconds, no flood of retries.
        stranger = _env(tmp_path / "driver-home", tmp_path)
        begin = time.monotonic()
        refused = _tsum(
            stranger, folder, tmp_path / "refused", tiny_config, "--ray-address", f"127.0.0.1:{port}"
        )
        assert refused.returncode == 2, refused.stderr
        assert f"--ray-address 127.0.0.1:{port}: authentication failed" in refused.stderr
        assert "InvalidAuthToken" not in refused.stderr and refused.stderr.count("\n") <= 2, refused.stderr
        # Ray's own retries would add 20 s of log lines; the rest is tsum starting (a loaded machine: slow).
        assert time.monotonic() - begin < 150

        # Too many actors for the head's 2 CPUs: the sizing rule, not a hang.
        greedy = tmp_path / "greedy.toml"
        greedy.write_text(
            tiny_config.read_text(encoding="utf-8") + "\n[ray]\nconcurrency = 4\nnum_cpus = 1\n"
        )
        driver = {**stranger, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}
        sized = _tsum(
            driver, folder, tmp_path / "sized", greedy, "--ray-address", f"127.0.0.1:{port}", timeout=180
        )
        assert sized.returncode == 2 and "needs 12.1" in sized.stderr, sized.stderr

        # The documented driver command, --quiet: Ray says nothing, outputs as the local executor's.
        out = tmp_path / "head"
        ran = _tsum(driver, folder, out, tiny_config, "--ray-address", f"127.0.0.1:{port}", "--quiet")
        assert ran.returncode == 0, ran.stderr
        assert ran.stderr == "", ran.stderr
        for manifest in _same_as_local(local, out, report):
            cluster = manifest["settings"]["ray"]
            assert cluster["address"] == f"127.0.0.1:{port}" and cluster["node_count"] == 1
            assert set(cluster["stages"]) == {"segment", "summarizer", "zh", "ru", "assemble"}
            assert set(cluster["stages"].values()) == set(cluster["nodes"])
    finally:
        _stop(short)
        shutil.rmtree(short, ignore_errors=True)


#: Run in its own process, so the environment (token authentication included) is set before Ray starts.
_CLUSTER = """
import sys
from ray.cluster_utils import Cluster
cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
workers = [cluster.add_node(num_cpus=1).node_id for _ in range(2)]
cluster.wait_for_nodes()
print(cluster.address, *workers, flush=True)
sys.stdin.read()  # until the test closes it
cluster.shutdown()
"""


@pytest.mark.slow
def test_two_worker_nodes_share_the_stages_and_match_the_local_executor(
    corpus_and_local, tiny_config, tmp_path
):
    """A head without CPUs and two one-CPU workers (ray.cluster_utils.Cluster), token-authenticated."""
    folder, local, report = corpus_and_local
    if importlib.util.find_spec("ray") is None:  # not imported here: Ray reads its settings at import
        pytest.skip('needs the ray extra: pip install -e ".[ray]"')
    short = tempfile.mkdtemp(prefix="tsc", dir="/tmp")
    token = tmp_path / "token"
    token.write_text("0123456789abcdef" * 4)
    env = {**_env(tmp_path / "home", tmp_path), "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}
    env["RAY_TMPDIR"] = short  # Ray's session files and sockets (short paths), not /tmp/ray
    holder = subprocess.Popen(
        [sys.executable, "-c", _CLUSTER], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        address, *workers = holder.stdout.readline().split()
        assert len(workers) == 2, "the cluster did not start"
        out = tmp_path / "cluster"
        ran = _tsum(env, folder, out, tiny_config, "--ray-address", address)
        assert ran.returncode == 0, ran.stderr
        used = set()
        for manifest in _same_as_local(local, out, report):
            cluster_record = manifest["settings"]["ray"]
            assert cluster_record["node_count"] == 3
            used |= {cluster_record["stages"][stage] for stage in ("summarizer", "zh", "ru")}
        assert used == set(workers)  # model actors on both workers, none on the CPU-less head
    finally:
        holder.stdin.close()
        try:
            holder.wait(timeout=60)
        except subprocess.TimeoutExpired:
            holder.kill()
        _stop(short)
        shutil.rmtree(short, ignore_errors=True)
