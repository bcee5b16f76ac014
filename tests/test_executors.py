"""The executors: Ray Data and the local one give the same outputs; kill -9 mid-run loses at most a window."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus import write_corpus
from finished import finished_manifests
from tiny_models import REPO, SEEDS, build_m2m100

from translate_sum.config import SummarizerSpec, load_config
from translate_sum.errors import ConfigError
from translate_sum.ingest import load_article
from translate_sum.pipeline import RunOptions, run_all
from translate_sum.pipeline.executors import Plan, executor_class
from translate_sum.pipeline.executors.ray import LOOPBACK_ONLY_ENV, _import_ray
from translate_sum.pipeline.manifest import ManifestContext
from translate_sum.pipeline.run import no_progress
from translate_sum.records import ArticleJob, Failed, Paragraph
from translate_sum.storage import MANIFEST, base_slug

#: Files that must be byte-identical between executors (review.html shows the run's time; the
#: manifest records timings and the executor).
SAME_BYTES = (
    "aligned.jsonl",
    "aligned.tsv",
    "article.zh.md",
    "article.ru.md",
    "summary.zh.md",
    "summary.ru.md",
)


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """A local Ray with 2 CPUs bound to 127.0.0.1, its workers seeing the tests' caches; shut down after."""
    base = tmp_path_factory.getbasetemp()
    # The same locations conftest's _isolated_env gives every test, set before the workers start.
    env = {
        "HF_HOME": str(base / "hf-home"),
        "HF_HUB_CACHE": str(base / "hf-home" / "hub"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TSUM_CACHE": str(base / "tsum-cache"),
        LOOPBACK_ONLY_ENV: "0",  # before ray is imported
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    ray = pytest.importorskip("ray", reason='the Ray executor needs the ray extra: pip install -e ".[ray]"')
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
    )
    try:
        assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}
        yield ray
    finally:
        ray.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _input_folder(root: Path) -> tuple[Path, str]:
    """The seeds, 12 generated releases and a binary file; and the slug of one release to sabotage."""
    folder = root / "in"
    write_corpus(folder, 12)
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    (folder / "broken.txt").write_bytes(b"Title\n\n\x00\x01\x02 binary")
    article = load_article(folder / "release-005.txt")
    return folder, base_slug(article.title, article.date)


@pytest.mark.slow
def test_ray_and_local_executors_write_identical_outputs_and_fail_the_same_articles(
    local_ray, tiny_config, tmp_path
):
    folder, sabotaged = _input_folder(tmp_path)
    config = load_config(tiny_config)
    reports = {}
    for executor in ("local", "ray"):
        out = tmp_path / executor
        out.mkdir()
        (tmp_path / f"elsewhere-{executor}").mkdir()
        (out / sabotaged).symlink_to(tmp_path / f"elsewhere-{executor}")  # this article fails at writing
        options = RunOptions(folder, out, config, ("zh", "ru"), executor=executor, window=4)
        reports[executor] = run_all(options)

    local, ray = reports["local"], reports["ray"]
    statuses = [(e.source_path, e.status) for e in local.entries]
    assert statuses == [(e.source_path, e.status) for e in ray.entries]
    failed = sorted(Path(e.source_path).name for e in local.failed)
    assert failed == ["broken.txt", "release-005.txt"]
    assert sum(e.status == "done" for e in local.entries) == 13  # 12 + 2 seeds, less the sabotaged one
    for entry in local.entries:
        if entry.status != "done":
            continue
        for name in SAME_BYTES:
            left, right = (tmp_path / executor / entry.slug / name for executor in ("local", "ray"))
            assert left.read_bytes() == right.read_bytes(), f"{entry.slug}/{name}"
        assert (tmp_path / "ray" / entry.slug / MANIFEST).is_file()
    assert not list((tmp_path / "elsewhere-ray").iterdir())
    assert ray.terms == local.terms


@pytest.mark.slow
def test_ray_runs_languages_sharing_a_multilingual_model_in_one_actor_stage(local_ray, tmp_path):
    """zh and ru from one M2M100: one actor pool loads it once for both; the outputs are the local ones."""
    model = build_m2m100(tmp_path / "m2m100")
    config_file = tmp_path / "models.toml"
    config_file.write_text(
        '[summarizer]\nengine = "extractive"\n\n'
        + "".join(
            f'[translators.{lang}]\nengine = "multilingual"\npath = "{model}"\ntarget_code = "{lang}"\n\n'
            for lang in ("zh", "ru")
        ),
        encoding="utf-8",
    )
    config = load_config(config_file)
    reports = {}
    for executor in ("local", "ray"):
        options = RunOptions(SEEDS, tmp_path / executor, config, ("zh", "ru"), executor=executor, window=1)
        reports[executor] = run_all(options)
    assert reports["local"].models_loaded == ["summarizer", "zh"] * 2  # once per window, for both languages
    assert reports["ray"].models_loaded == ["summarizer", "zh"]  # one actor pool for zh and ru
    for entry in reports["local"].entries:
        assert entry.status == "done"
        for name in SAME_BYTES:
            left, right = (tmp_path / executor / entry.slug / name for executor in ("local", "ray"))
            assert left.read_bytes() == right.read_bytes(), f"{entry.slug}/{name}"


@pytest.mark.parametrize("executor", ["local", pytest.param("ray", marks=pytest.mark.slow)])
def test_an_article_whose_segmentation_raises_fails_alone(request, tiny_config, executor):
    if executor == "ray":
        request.getfixturevalue("local_ray")
    good = [load_article(path) for path in sorted(SEEDS.glob("*.txt"))]
    # A paragraph without text makes the segmenter raise TypeError, wherever it runs (plain data
    # survives the trip to a Ray worker, where a monkeypatch would not).
    poisoned = dataclasses.replace(
        good[0], paragraphs=(Paragraph("title", "Poisoned"), Paragraph("body", None))
    )
    jobs = [ArticleJob(good[0], "first"), ArticleJob(poisoned, "poisoned"), ArticleJob(good[1], "last")]
    config = dataclasses.replace(load_config(tiny_config), summarizer=SummarizerSpec(engine="extractive"))
    context = ManifestContext(languages=("zh",), fingerprint={}, settings={})
    plan = Plan(config, ("zh",), "cpu", None, context, window=3)
    outcomes = [o for window in executor_class(executor)().run(jobs, plan, no_progress) for o in window]
    assert [(type(o).__name__, o.job.slug if isinstance(o, Failed) else o.slug) for o in outcomes] == [
        ("ArticleResult", "first"),
        ("Failed", "poisoned"),
        ("ArticleResult", "last"),
    ]
    assert "unexpected TypeError" in outcomes[1].error


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["local", "ray"])
def test_a_model_that_will_not_load_stops_the_run_with_its_error(local_ray, tiny_models, tmp_path, executor):
    broken = tmp_path / "zh"
    shutil.copytree(tiny_models["zh"], broken)
    (broken / "pytorch_model.bin").write_bytes(b"not a checkpoint")
    config = tmp_path / "models.toml"
    config.write_text(
        f'[summarizer]\nengine = "extractive"\n\n[translators.zh]\npath = "{broken}"\n'
        'target_token = ">>cmn_Hans<<"\n',
        encoding="utf-8",
    )
    options = RunOptions(SEEDS, tmp_path / "out", load_config(config), ("zh",), executor=executor)
    with pytest.raises(ConfigError, match=r"model '.*zh' \(zh\)"):
        run_all(options)
    assert not list((tmp_path / "out").glob(f"*/{MANIFEST}"))


def test_ray_executor_without_ray_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ConfigError, match=r'pip install "translate-sum\[ray\]"'):
        _import_ray()


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUM_")}
    env.update(
        HF_HOME=str(root / "hf-home"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TSUM_CACHE=str(root / "tsum-cache"),
        OMP_NUM_THREADS="1",
        PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    return env


@pytest.mark.slow
def test_kill_9_mid_window_then_rerun_completes_everything(tiny_config, tmp_path):
    """Windows of 2: a SIGKILL after the first window is written loses only unfinished windows."""
    folder, out = tmp_path / "in", tmp_path / "out"
    write_corpus(folder, 8, seed=3)
    command = [sys.executable, "-m", "translate_sum", "all", "--input", str(folder), "--output", str(out)]
    command += ["--config", str(tiny_config), "--window", "2"]
    run = subprocess.Popen(
        [*command, "--quiet"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and run.poll() is None and not finished_manifests(out):
            time.sleep(0.005)
        assert run.poll() is None, run.stderr.read().decode() if run.stderr else "tsum ended first"
        run.send_signal(signal.SIGKILL)
    finally:
        run.kill()
        run.wait(timeout=30)
    finished = {m.parent.name: m.stat().st_mtime_ns for m in finished_manifests(out)}
    assert 1 <= len(finished) < 8
    for folder_ in out.iterdir():
        if folder_.is_dir() and folder_.name not in finished and (folder_ / MANIFEST).exists():
            # An article of an unfinished window keeps a manifest without fingerprint: redone.
            assert json.loads((folder_ / MANIFEST).read_text(encoding="utf-8"))["fingerprint"] is None

    result = subprocess.run(
        command, cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert f"{8 - len(finished)} written, {len(finished)} up to date, 0 failed" in result.stderr
    assert len(list(out.glob(f"*/{MANIFEST}"))) == 8
    assert not list(out.rglob("*.tmp"))
    for slug, mtime in finished.items():
        assert (out / slug / MANIFEST).stat().st_mtime_ns == mtime, f"{slug} was redone"


def test_ray_address_without_the_ray_executor_is_a_usage_error(tiny_config, tmp_path):
    from click.testing import CliRunner

    from translate_sum.cli import cli

    base = ["all", "--input", str(SEEDS), "--output", str(tmp_path / "out"), "--config", str(tiny_config)]
    result = CliRunner().invoke(cli, [*base, "--ray-address", "10.0.0.5:6379"])
    assert result.exit_code == 2
    assert "Error: --ray-address: a Ray cluster address needs the ray executor" in result.output
    result = CliRunner().invoke(cli, [*base, "--window", "0"])
    assert result.exit_code == 2 and "Error: --window: window 0: must be a whole number" in result.output
    result = CliRunner().invoke(cli, [*base, "--executor", "spark"])
    assert (
        result.exit_code == 2
        and "Error: --executor: executor 'spark': choose from local, ray" in result.output
    )
    assert not (tmp_path / "out").exists()


def test_ray_settings_come_from_models_toml_and_are_checked(tmp_path):
    path = tmp_path / "models.toml"
    path.write_text("[ray]\nconcurrency = 3\nnum_cpus = 0.5\nnum_gpus = 1\nthreads = 2\n", encoding="utf-8")
    settings = load_config(path).ray
    assert (settings.concurrency, settings.num_cpus, settings.num_gpus, settings.threads) == (3, 0.5, 1.0, 2)
    assert load_config(None).ray.concurrency == 1
    for bad, message in (
        ("concurrency = 0", r"\[ray\] concurrency must be a positive whole number"),
        ("num_cpus = -1", r"\[ray\] num_cpus must be a number of 0 or more"),
        ("workers = 2", r"\[ray\] has unknown key\(s\) workers"),
    ):
        path.write_text(f"[ray]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_config(path)
