"""Output folder safety: slugs, atomic writes, the run lock."""

from __future__ import annotations

import errno
import os

import pytest

from translate_sum.errors import OutputError
from translate_sum.storage import article_dir, base_slug, output_lock, unique_slugs, write_atomic


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
