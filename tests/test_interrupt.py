"""SIGINT / SIGTERM: finished articles and the index are kept, the work in progress dropped, exit 130 / 143;
a second Ctrl-C aborts at once. Run as a user would: tsum in a subprocess, signalled mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus import write_corpus
from tiny_models import REPO

from translate_sum.storage import MANIFEST


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TSUM_", "RAY_"))}
    env.update(
        HOME=str(root / "home"),
        HF_HOME=str(root / "hf-home"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TSUM_CACHE=str(root / "tsum-cache"),
        OMP_NUM_THREADS="1",
        RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    return env


def _start(tmp_path: Path, config: Path, *extra: str) -> tuple[subprocess.Popen, list[str], Path]:
    folder, out = tmp_path / "in", tmp_path / "out"
    write_corpus(folder, 8, seed=5)
    command = [sys.executable, "-m", "translate_sum", "all", "--input", str(folder), "--output", str(out)]
    command += ["--config", str(config), "--window", "2", *extra]
    run = subprocess.Popen(
        command, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    return run, command, out


def _after_first_window(run: subprocess.Popen, out: Path, timeout: float = 400) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and run.poll() is None and not list(out.glob(f"*/{MANIFEST}")):
        time.sleep(0.01)
    assert run.poll() is None, run.stderr.read() if run.stderr else "tsum ended first"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("executor", "sig", "status"),
    [("local", signal.SIGINT, 130), ("local", signal.SIGTERM, 143), ("ray", signal.SIGTERM, 143)],
)
def test_a_signal_keeps_finished_articles_writes_the_index_and_says_how_to_resume(
    tiny_config, tmp_path, executor, sig, status
):
    run, command, out = _start(tmp_path, tiny_config, "--executor", executor)
    try:
        _after_first_window(run, out)
        run.send_signal(sig)
        _, stderr = run.communicate(timeout=120)
    finally:
        run.kill()
    assert run.returncode == status, stderr
    kept = {m.parent.name: m.stat().st_mtime_ns for m in out.glob(f"*/{MANIFEST}")}
    assert 2 <= len(kept) < 8 and len(kept) % 2 == 0  # whole windows: complete articles only
    name = signal.Signals(sig).name
    assert f"Interrupted ({name}): {len(kept)} articles written and kept, 0 up to date, " in stderr
    assert f"{8 - len(kept)} not done" in stderr and "Run the same command again" in stderr
    index = (out / "index.md").read_text(encoding="utf-8")
    assert index.count("| not done (run stopped) |") == 8 - len(kept)
    assert index.count("| done |") == len(kept)
    assert not list(out.rglob(".*.tmp"))

    again = subprocess.run(command, env=_env(tmp_path), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert f"{8 - len(kept)} written, {len(kept)} up to date, 0 failed" in again.stderr
    for slug, mtime in kept.items():
        assert (out / slug / MANIFEST).stat().st_mtime_ns == mtime, f"{slug} was redone"


@pytest.mark.slow
def test_a_second_ctrl_c_aborts_at_once(tiny_config, tmp_path):
    run, _, out = _start(tmp_path, tiny_config)
    try:
        _after_first_window(run, out)
        run.send_signal(signal.SIGINT)
        run.send_signal(signal.SIGINT)
        start = time.monotonic()
        _, stderr = run.communicate(timeout=60)
    finally:
        run.kill()
    assert time.monotonic() - start < 10
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr
