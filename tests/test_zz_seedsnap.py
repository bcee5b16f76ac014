import os, shutil
from pathlib import Path
from click.testing import CliRunner
from translate_sum.cli import cli

def test_snap(seeds_copy, tmp_path, tiny_config):
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["all", "--input", str(seeds_copy), "--output", str(out), "--config", str(tiny_config), "--summarizer", "extractive", "--quiet"])
    assert r.exit_code == 0, r.output
    dest = Path(os.environ["SNAP"])
    dest.mkdir(parents=True, exist_ok=True)
    for f in out.glob("*/aligned.jsonl"):
        shutil.copy(f, dest / (f.parent.name + ".jsonl"))
