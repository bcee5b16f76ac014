"""The suite owns its world: a developer's TSUM_*/HF_* settings never reach a test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ISOLATED_SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def test_no_outside_setting_reaches_a_test():
    leaked = sorted(
        name for name in os.environ if name.startswith(("TSUM_", "HF_")) and name not in ISOLATED_SETTINGS
    )
    assert leaked == []
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_settings_from_the_shell_are_cleared(tmp_path):
    # Run the test above in a shell that sets every kind of variable a developer might have.
    polluted = {
        **os.environ,
        "TSUM_ONLY": "xx",
        "TSUM_WINDOW": "0",
        "TSUM_THREADS": "1",
        "TSUM_SOMETHING_NEW": "1",
        "HF_TOKEN": "hf_not_a_token",
        "HF_ENDPOINT": "http://127.0.0.1:9",
        "HF_HUB_OFFLINE": "0",
        "TRANSFORMERS_OFFLINE": "0",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__).name}::test_no_outside_setting_reaches_a_test",
        ],
        cwd=ROOT / "tests",
        env=polluted,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
