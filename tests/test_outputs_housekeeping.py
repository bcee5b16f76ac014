"""Truthful output folders: languages no longer selected, fewer languages reused, removed and renamed inputs."""

from __future__ import annotations

import json

from translate_sum.config import load_config
from translate_sum.pipeline import RunOptions, run_all
from translate_sum.pipeline.outputs_housekeeping import stale_language_files
from translate_sum.storage import MANIFEST


def _run(seeds, out, config, languages, **kwargs):
    return run_all(RunOptions(seeds, out, load_config(config), languages, **kwargs))


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_fewer_languages_reuse_the_outputs_and_a_redo_removes_the_others(seeds_copy, tiny_config, tmp_path):
    out = tmp_path / "out"
    first = _run(seeds_copy, out, tiny_config, ("zh", "ru"))
    slugs = [e.slug for e in first.entries]
    assert slugs and all(e.status == "done" for e in first.entries)
    before = {slug: (out / slug / MANIFEST).stat().st_mtime_ns for slug in slugs}

    # zh alone after zh+ru: what is there is current for zh, so nothing is translated again, and the
    # ru files stay because the manifest still lists ru as current.
    reused = _run(seeds_copy, out, tiny_config, ("zh",))
    assert [e.status for e in reused.entries] == ["skipped"] * len(slugs)
    assert reused.models_loaded == []
    for slug in slugs:
        assert (out / slug / MANIFEST).stat().st_mtime_ns == before[slug]
        assert (out / slug / "article.ru.md").is_file()

    # Redone for zh alone: the ru files go, after the new files and manifest are in place.
    _run(seeds_copy, out, tiny_config, ("zh",), force=True)
    for slug in slugs:
        names = _files(out / slug)
        manifest = json.loads((out / slug / MANIFEST).read_text(encoding="utf-8"))
        assert manifest["languages"] == ["zh"]
        assert "article.zh.md" in names and "article.en.md" in names
        assert not [n for n in names if ".ru." in n or n.endswith("-ru.xlf")], names


def test_stale_language_files_are_only_output_names_of_other_languages(tmp_path):
    folder = tmp_path / "2020-01-01-x"
    folder.mkdir()
    for name in ("article.en.md", "article.zh.md", "article.ru.md", "summary.ru.md", "2020-01-01-x.en-ru.xlf",
                 "2020-01-01-x.en-zh.xlf", "2020-01-01-x.tmx", "notes.ru.txt", "aligned.tsv"):  # fmt: skip
        (folder / name).write_text("x")
    stale = [p.name for p in stale_language_files(folder, folder.name, ["zh"])]
    assert stale == ["2020-01-01-x.en-ru.xlf", "article.ru.md", "summary.ru.md"]


def test_a_removed_input_is_listed_as_such_or_pruned_and_a_renamed_one_is_followed(
    seeds_copy, tiny_config, tmp_path
):
    out = tmp_path / "out"
    first = _run(seeds_copy, out, tiny_config, ("zh",))
    gone, moved = sorted(first.entries, key=lambda e: e.source_path)[:2]
    gone_path, moved_path = seeds_copy / gone.source_path.rsplit("/", 1)[-1], None
    (seeds_copy / gone.source_path.rsplit("/", 1)[-1]).unlink()
    old = seeds_copy / moved.source_path.rsplit("/", 1)[-1]
    moved_path = old.with_name("renamed-" + old.name)
    old.rename(moved_path)

    second = _run(seeds_copy, out, tiny_config, ("zh",))
    by_slug = {e.slug: e for e in second.entries}
    assert by_slug[gone.slug].status == "removed" and by_slug[gone.slug].title == gone.title
    assert (out / gone.slug / MANIFEST).is_file()  # kept, and said to be from a removed input
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "input removed" in index and gone.title in index
    # The renamed file: recognised by its content, not redone, its manifest follows the new name.
    assert by_slug[moved.slug].status == "skipped"
    manifest = json.loads((out / moved.slug / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["input"]["path"] == str(moved_path)

    third = _run(seeds_copy, out, tiny_config, ("zh",), prune=True)
    assert gone.slug not in {e.slug for e in third.entries}
    assert not (out / gone.slug).exists() and not list(out.glob(".*pruned"))
    assert not gone_path.exists()
