"""Output folder safety: slugs, atomic writes, the run lock."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from translate_sum.errors import OutputError
from translate_sum.storage import (
    article_dir,
    base_slug,
    current_umask,
    output_lock,
    unique_slugs,
    write_atomic,
)


@pytest.mark.parametrize(
    ("title", "date", "expected"),
    [
        (
            "The Deputy Secretary-General of the SCO visited Weidong",
            "2020-07-24",
            "2020-07-24-the-deputy-secretary-general-of-the-sco-visited-weidong",
        ),
        ("../../etc/passwd", None, "etc-passwd"),
        ("Café — déjà vu; rm -rf $HOME `x`", None, "cafe-deja-vu-rm-rf-home-x"),
        ("上海合作组织", None, "article"),
        ("A" * 300, "2020/01/02", "2020-01-02-" + "a" * 69),
        (  # cut at a word boundary, not mid-word ("...-distance-le")
            "SCO Secretariat hosts a seminar on vocational training and long distance learning for all",
            "2021-03-02",
            "2021-03-02-sco-secretariat-hosts-a-seminar-on-vocational-training-and-long",
        ),
    ],
)
def test_slug_is_safe_ascii(title, date, expected):
    assert base_slug(title, date) == expected


def test_duplicate_titles_get_distinct_stable_slugs():
    slugs = unique_slugs([("a.txt", "same"), ("b.txt", "same"), ("c.txt", "other")])
    assert slugs["c.txt"] == "other"
    assert slugs["a.txt"] != slugs["b.txt"] and slugs["a.txt"].startswith("same-")
    assert unique_slugs([("b.txt", "same"), ("a.txt", "same")])["a.txt"] == slugs["a.txt"]


def test_article_dir_refuses_escape(tmp_path):
    assert article_dir(tmp_path, "ok-slug") == tmp_path / "ok-slug"
    for bad in ("../x", "a/b", ".hidden", ""):
        with pytest.raises(OutputError):
            article_dir(tmp_path, bad)


def test_write_atomic_replaces_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "f.txt"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]


@pytest.mark.parametrize(
    ("code", "message"), [(errno.ENOSPC, "no space left"), (errno.EACCES, "not writable")]
)
def test_write_failure_is_a_clear_error_and_keeps_the_old_file(tmp_path, monkeypatch, code, message):
    target = tmp_path / "f.txt"
    write_atomic(target, "old")

    def failing_replace(src, dst):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OutputError, match=message):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_second_lock_holder_gets_a_clear_error(tmp_path):
    with output_lock(tmp_path), pytest.raises(OutputError, match="another tsum run"), output_lock(tmp_path):
        pass
    with output_lock(tmp_path):  # released after the first run
        pass


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_honour_the_umask(tmp_path, umask, mode):
    # A shared outputs/ must be readable by a colleague or a web server under the usual umask 022.
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "f.txt", "x")
        write_atomic(tmp_path / "f.txt", "y")  # replacing keeps the umask's mode too
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "f.txt").stat().st_mode) == mode


def test_current_umask_reads_without_changing_it():
    previous = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        assert current_umask() == 0o027
    finally:
        os.umask(previous)


def test_data_reaches_the_disk_before_the_rename_and_the_rename_after(tmp_path, monkeypatch):
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        events.append(f"fsync {kind}")
        real_fsync(fd)

    def replace(src, dst):
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomic(tmp_path / "f.txt", "data")
    assert events == ["fsync file", "rename", "fsync folder"]
    assert (tmp_path / "f.txt").read_text() == "data"
