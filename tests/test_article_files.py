"""The written article: read back exactly as written, never guessed, never left without a manifest."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render_fixtures import SLUG, build_result

from translate_sum.errors import OutputError
from translate_sum.pipeline.article_files import (
    INDEX_DATA,
    read_article,
    read_index,
    read_manifest,
    update_index,
    write_article,
    write_index,
)
from translate_sum.records import (
    SEGMENT_KINDS,
    AlignedSegment,
    ArticleResult,
    Flag,
    IndexEntry,
    Manifest,
    MemoryHit,
    ModelInfo,
    Support,
    TermHit,
)
from translate_sum.storage import MANIFEST

# --- strategies: any article result a run could hand to the writer ---------------------------------

# Any text JSON can carry as UTF-8 (no lone surrogates), line and paragraph separators included.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
SHORT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
OPTIONAL = st.none() | TEXT
FLOAT = st.floats(allow_nan=False, allow_infinity=False)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | FLOAT | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SHORT, inner, max_size=3),
    max_leaves=6,
)
LANGUAGES = st.lists(
    st.sampled_from(["zh", "ru", "de", "fr", "ja", "kk"]), min_size=1, max_size=3, unique=True
)
IDS = st.from_regex(r"[a-z][a-z0-9]{0,5}", fullmatch=True)


@st.composite
def segments(draw, languages: tuple[str, ...]) -> AlignedSegment:
    langs = st.sampled_from(languages)
    return AlignedSegment(
        id=draw(IDS),
        kind=draw(st.sampled_from(SEGMENT_KINDS)),
        paragraph=draw(st.integers(-1, 60)),
        en=draw(TEXT),
        translations=draw(st.dictionaries(langs, TEXT)),
        support=draw(st.lists(st.builds(Support, IDS, st.floats(0, 1)), max_size=3)),
        flags=draw(st.lists(st.builds(Flag, SHORT, st.none() | langs, TEXT), max_size=4)),
        terms=draw(
            st.lists(
                st.builds(
                    TermHit,
                    SHORT,
                    SHORT,
                    st.integers(0, 80),
                    st.integers(0, 90),
                    langs,
                    TEXT,
                    st.sampled_from(["kept", "enforced", "flagged"]),
                ),
                max_size=4,
            )
        ),
        memory=draw(
            st.dictionaries(
                langs,
                st.builds(
                    MemoryHit,
                    st.sampled_from(["approved", "edited", "imported"]),
                    st.sampled_from(["review", "xliff", "tmx"]),
                    OPTIONAL,
                    OPTIONAL,
                ),
            )
        ),
    )


MODELS = st.builds(
    ModelInfo,
    id=OPTIONAL,
    path=OPTIONAL,
    revision=OPTIONAL,
    requested_revision=OPTIONAL,
    backend=OPTIONAL,
    target_token=OPTIONAL,
    generation=st.dictionaries(SHORT, JSON, max_size=3),
    extra=st.dictionaries(SHORT.map(lambda k: "x_" + k), JSON, max_size=3),  # the fields' names are taken
)


@st.composite
def results(draw) -> ArticleResult:
    languages = tuple(draw(LANGUAGES))
    glossary = draw(st.none() | st.tuples(OPTIONAL, OPTIONAL))
    manifest = Manifest(
        tsum_version=draw(TEXT),
        input_path=draw(OPTIONAL),
        input_sha256=draw(OPTIONAL),
        title=draw(OPTIONAL),
        date=draw(OPTIONAL),
        source=draw(OPTIONAL),
        author=draw(OPTIONAL),
        languages=languages,
        models=draw(st.dictionaries(st.sampled_from(["summarizer", *languages]), MODELS)),
        glossary_path=glossary[0] if glossary else None,
        glossary_sha256=glossary[1] if glossary else None,
        settings=draw(st.dictionaries(SHORT, JSON, max_size=4)),
        libraries=draw(st.dictionaries(SHORT, OPTIONAL, max_size=3)),
        timings=draw(st.dictionaries(SHORT, FLOAT, max_size=3)),
        segments=draw(st.integers(0, 10**6)),
        flags=draw(st.dictionaries(SHORT, st.integers(0, 99), max_size=3)),
        glossary_counts=draw(
            st.dictionaries(st.sampled_from(languages), st.dictionaries(SHORT, st.integers()))
        ),
        memory_counts=draw(st.dictionaries(st.sampled_from(languages), st.integers(0, 99))),
        fingerprint=draw(OPTIONAL),
        memory_digest=draw(OPTIONAL),
    )
    slug = draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True))
    return ArticleResult(slug, draw(st.lists(segments(languages), max_size=6)), manifest)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(result=results())
def test_read_article_returns_exactly_what_write_article_wrote(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    write_article(result, out)
    assert read_article(out / result.slug) == result


def test_the_fixture_article_round_trips_with_term_offsets_on_disk(tmp_path):
    result = build_result()
    write_article(result, tmp_path)
    assert read_article(tmp_path / SLUG) == result
    first = json.loads((tmp_path / SLUG / "aligned.jsonl").read_text(encoding="utf-8").splitlines()[1])
    term = first["terms"][0]
    assert first["en"][term["start"] : term["end"]] == term["surface"]


# --- old or damaged folders: reported with the way out, never guessed -------------------------------


def test_terms_without_offsets_are_not_guessed(tmp_path):
    write_article(build_result(), tmp_path)
    aligned = tmp_path / SLUG / "aligned.jsonl"
    records = [json.loads(line) for line in aligned.read_text(encoding="utf-8").splitlines()]
    for record in records:  # as tsum wrote them before term offsets were kept
        for term in record["terms"]:
            del term["start"], term["end"]
    aligned.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    with pytest.raises(OutputError, match=r"aligned.jsonl: written by an older tsum .*; run tsum all"):
        read_article(tmp_path / SLUG)


def test_a_manifest_without_languages_or_a_folder_without_one_is_reported(tmp_path):
    write_article(build_result(), tmp_path)
    manifest = json.loads((tmp_path / SLUG / MANIFEST).read_text(encoding="utf-8"))
    del manifest["languages"]
    (tmp_path / SLUG / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(OutputError, match="no languages.*run tsum all"):
        read_article(tmp_path / SLUG)
    (tmp_path / SLUG / MANIFEST).unlink()
    with pytest.raises(OutputError, match="manifest.json missing.*run tsum all"):
        read_article(tmp_path / SLUG)


def test_older_outputs_are_redone_by_the_next_run(tiny_config):
    from translate_sum.config import load_config
    from translate_sum.pipeline.article_files import OUTPUT_FORMAT
    from translate_sum.pipeline.fingerprint import run_fingerprint

    fingerprint = run_fingerprint(load_config(tiny_config), ("zh",), None)
    assert fingerprint["output_format"] == OUTPUT_FORMAT == 2


# --- never without a manifest ----------------------------------------------------------------------


@pytest.mark.parametrize("existing", [True, False])
def test_a_kill_at_any_write_leaves_a_manifest_that_makes_the_article_redone(tmp_path, monkeypatch, existing):
    """Every moment of a write is tried: the process "dies" at the n-th file replaced."""
    old, new = build_result(), build_result()
    old.manifest = dataclasses.replace(old.manifest, fingerprint="old")
    new.manifest = dataclasses.replace(new.manifest, fingerprint="new", tsum_version="9.9")
    real_replace = os.replace
    moments = 0
    while True:
        out = tmp_path / f"run{moments}"
        if existing:
            write_article(old, out)
        calls = 0

        def dies(src, dst, _limit=moments):
            nonlocal calls
            if calls == _limit:
                raise KeyboardInterrupt  # the kill: nothing after this point runs
            calls += 1
            return real_replace(src, dst)

        monkeypatch.setattr(os, "replace", dies)
        try:
            write_article(new, out)
            finished = True
        except KeyboardInterrupt:
            finished = False
        finally:
            monkeypatch.setattr(os, "replace", real_replace)
        manifest = read_manifest(out / SLUG)
        if existing or moments > 0:
            assert manifest is not None, f"no manifest after a kill at write {moments}"
        if finished:
            assert manifest.fingerprint == "new" and read_article(out / SLUG) == new
            break
        if manifest is not None and moments > 0:
            # Either the old article, whole and untouched, or one a run will redo (no fingerprint).
            assert manifest.fingerprint in (None, "old")
            if manifest.fingerprint == "old":
                assert read_article(out / SLUG) == old
        moments += 1
    assert moments == len(os.listdir(out / SLUG)) + 1  # every file, then the manifest twice


# --- the index, as data, and one row brought up to date ---------------------------------------------


def _entries() -> list[IndexEntry]:
    return [
        IndexEntry(SLUG, "SCO visit", "2020-07-24", "seeds/a.txt", "done", {"numbers": 1}),
        IndexEntry(None, "broken.txt", None, "seeds/broken.txt", "failed", error="no text"),
        IndexEntry("other", "Other", None, "seeds/c.txt", "skipped", {}),
    ]


def test_the_index_is_read_back_as_written(tmp_path):
    write_index(tmp_path, _entries())
    assert read_index(tmp_path) == _entries()
    assert {p.name for p in tmp_path.iterdir()} == {"index.md", "index.html", INDEX_DATA}


def test_update_index_changes_one_row_and_both_pages(tmp_path):
    write_index(tmp_path, _entries())
    result = build_result()
    result.manifest = dataclasses.replace(result.manifest, flags={"glossary": 3, "numbers": 1})
    update_index(tmp_path, result)
    entries = read_index(tmp_path)
    assert entries[0].flags == {"glossary": 3, "numbers": 1} and entries[1:] == _entries()[1:]
    assert "glossary 3, numbers 1" in (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "glossary 3, numbers 1" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_an_index_from_an_older_tsum_is_left_alone(tmp_path):
    (tmp_path / "index.md").write_text("old\n", encoding="utf-8")
    update_index(tmp_path, build_result())
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == "old\n"
    assert not (tmp_path / "index.html").exists() and read_index(tmp_path) is None


def test_unsafe_language_codes_are_refused_before_anything_is_written(tmp_path):
    result = build_result()
    result.manifest = dataclasses.replace(result.manifest, languages=("zh", "id"))
    with pytest.raises(ValueError, match="'id'"):
        write_article(result, tmp_path)
    assert not (tmp_path / SLUG).exists()
