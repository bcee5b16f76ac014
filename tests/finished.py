"""Which articles of an output folder are finished: the tests' own reading of manifest.json."""

from __future__ import annotations

import json
from pathlib import Path


def finished_manifests(out: Path) -> list[Path]:
    """The manifests of finished articles: one being written has its manifest, without a fingerprint."""
    found = []
    for manifest in out.glob("*/manifest.json"):
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint"):
                found.append(manifest)
        except (OSError, ValueError):  # replaced as it was read: look again next time
            continue
    return found
