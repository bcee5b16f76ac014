"""Fault injection: bad inputs, interruptions, hostile text and a full disk, through `tsum all` as a subprocess.

Most bad inputs share one input folder and one run, next to the two seeds: each must fail (or be
skipped) on its own with a message naming the file, and every good article must still be written.
Runs that need their own folder: kill -9 and resume, a concurrent run, an unwritable output folder,
a broken models.toml or glossary. See docs/robustness.md for the table these tests back.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from finished import finished_manifests
from tiny_models import REPO, SEEDS

from translate_sum.storage import MANIFEST

SEED_TEXT = (SEEDS / "001_a2e7129abcaddcf3.txt").read_text(encoding="utf-8")
SEED_SLUGS = {
    "000_828caea308506d00.txt": "2020-07-24-the-deputy-secretary-general-of-the-sco-visited-weidong",
    "001_a2e7129abcaddcf3.txt": "president-of-the-weidong-group-visits-sco-secretariat",
}
BODY = "The delegation met partners in Qingdao on Monday. Both sides agreed to cooperate on education."
SHELL_NAME = "$(touch pwned); `touch pwned2` 'q' \"dq\" & | > x.txt"
BAD_NAME = os.fsdecode(b"latin1-\xe9t\xe9.txt")  # a file name that is not UTF-8
HOSTILE_TITLE = 'Acme <Holdings> & Co: <script>alert(1)</script> "quoted" ]]>'
HOSTILE_BODY = (
    'The board of Acme <Holdings> & Co said "A & B" < C > D ]]> today. '
    "<img src=x onerror=alert(3)> was in the text. A control character \x01 too."
)
HOSTILE_GLOSSARY_ROW = (
    "Acme <Holdings> & Co\t阿克米<script>alert(2)</script>\tАкме ]]> & <b>Ко</b>\t\t\t\t\t<i>note</i>\n"
)
LONG_WORDS = [
    "the",
    "delegation",
    "discussed",
    "cooperation",
    "in",
    "education",
    "and",
    "technology",
    "with",
    "partners",
    "from",
    "many",
    "countries",
]
LONG_SENTENCE = " ".join(LONG_WORDS[i % len(LONG_WORDS)] for i in range(3000))  # no punctuation at all
FRENCH = (
    "Le vice-secrétaire général de l'Organisation de coopération de Shanghai a visité le groupe Weidong. "
    "Les deux parties ont discuté de la coopération dans les domaines de l'éducation et de la technologie. "
    "Le président du groupe a présenté les activités de l'entreprise et a exprimé son souhait de renforcer "
    "les échanges avec les pays membres de l'organisation."
)

# name -> (bytes, what the user is told): each fails alone, listed under "Failed articles", exit 1.
FAILING = {
    "empty.txt": (b"", "empty article (no text)"),
    "blank.md": (b"  \n\n\t \n", "empty article (no text)"),
    "binary.txt": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "looks like a binary file",
    ),
    "latin1.txt": (
        "Café opens\n\nThe café served crème brûlée.".encode("latin-1"),
        "not UTF-8 text (invalid byte 0xe9 at offset 3); re-save it as UTF-8, e.g. `iconv -f latin1",
    ),
    "utf16-no-bom.txt": (
        f"Title\n\n{BODY}".encode("utf-16-le"),
        "looks like UTF-16 text without a byte-order mark; re-save it as UTF-8, e.g. `iconv -f utf-16le",
    ),
    "chinese.txt": (
        "上海合作组织副秘书长访问伟东云教育集团\n\n青岛是中国山东省的城市。双方讨论了教育和技术合作。".encode(),
        "not English: 100% of its letters are CJK (Chinese or Japanese) script",
    ),
    "russian.md": (
        "# Заголовок\n\nЗаместитель генерального секретаря ШОС посетил Вэйдун.".encode(),
        "not English: 100% of its letters are Cyrillic (e.g. Russian) script",
    ),
    "french.txt": (f"Titre\n\n{FRENCH}".encode(), "not English: only 0 of its"),
    "title-only.txt": (b"Only a title and nothing else\n", "no body text after the title"),
    # Word and PDF are read now: a damaged one fails alone, naming what it is not.
    "notes.docx": (b"%PDF-1.4 or whatever", "not a Word document (.docx) that can be read"),
    "report.pdf": (b"%PDF-1.4 or whatever", "not a PDF that can be read"),
    BAD_NAME: (f"Title\n\n{BODY}".encode(), "the file name is not valid UTF-8; rename the file"),
}
FAILING_SHOWN = {name: os.fsencode(name).decode("utf-8", "backslashreplace") for name in FAILING}

# name -> (bytes, expected title): written like any seed.
WRITTEN = {
    "utf8-bom.md": (codecs.BOM_UTF8 + f"# UTF-8 with BOM\n\n{BODY}".encode(), "UTF-8 with BOM"),
    "utf16-le.txt": (f"UTF-16 LE with BOM\n\n{BODY}".encode("utf-16"), "UTF-16 LE with BOM"),
    "utf16-be.txt": (
        codecs.BOM_UTF16_BE + f"UTF-16 BE with BOM\n\n{BODY}".encode("utf-16-be"),
        "UTF-16 BE with BOM",
    ),
    "utf32.txt": (f"UTF-32 with BOM\n\n{BODY}".encode("utf-32"), "UTF-32 with BOM"),
    "page.html": (
        (
            "<html><head><title>Delegation &amp; partners</title><style>p{color:red}</style>"
            "<script>document.write('SCRIPTTEXT')</script></head><body><h1>Delegation &amp; partners</h1>"
            f"<p>{BODY}</p><p>Photo: the <b>meeting</b></p><noscript>NOSCRIPTTEXT</noscript></body></html>"
        ).encode(),
        "Delegation & partners",
    ),
    "long-sentence.txt": (
        f"A sentence of three thousand words\n\n{LONG_SENTENCE}\n".encode(),
        "A sentence of three thousand words",
    ),
    "name with spaces.txt": (f"File name with spaces\n\n{BODY}".encode(), "File name with spaces"),
    "ünïcødé 名字 ✓.md": (f"# Unicode file name\n\n{BODY}".encode(), "Unicode file name"),
    SHELL_NAME: (
        f"$(touch pwned3) `touch pwned4`; rm -rf ~\n\n{BODY}".encode(),
        "$(touch pwned3) `touch pwned4`; rm -rf ~",
    ),
    "same-title-a.txt": (f"Same Title\n\n{BODY}".encode(), "Same Title"),
    "same-title-b.txt": (b"Same Title\n\nA different article that happens to share its title.", "Same Title"),
    "hostile.md": (f"# {HOSTILE_TITLE}\n\n{HOSTILE_BODY}\n".encode(), HOSTILE_TITLE),
    "200kb.txt": (
        (
            "A 200 KB press release\n\n"
            + "\n\n".join(f"{BODY} Paragraph {i} adds a third sentence about the visit." for i in range(1800))
        ).encode(),
        "A 200 KB press release",
    ),
}

UNKNOWN_TYPES = ("notes.odt", "photo.png", "data.json")


def tsum_env(root: Path) -> dict[str, str]:
    """The environment of every `tsum` subprocess: offline, user state in ``root``, one thread."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUM_")}
    env.update(
        HF_HOME=str(root / "hf-home"),
        HF_HUB_CACHE=str(root / "hf-home" / "hub"),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONIOENCODING="utf-8",
        # Tiny models gain nothing from threads, and on a busy two-core machine OpenMP's
        # spinning threads make them tens of times slower.
        OMP_NUM_THREADS="1",
    )
    return env


def tsum_all(input_dir: Path, output_dir: Path, config: Path, *extra: str, cwd: Path, timeout: float = 300):
    """``python -m translate_sum all`` on ``input_dir``: the fast path (extractive, zh) unless ``extra`` says."""
    options = list(extra) or ["--summarizer", "extractive", "--only", "zh"]
    command = [
        sys.executable,
        "-m",
        "translate_sum",
        "all",
        "--input",
        str(input_dir),
        "--output",
        str(output_dir),
        "--config",
        str(config),
        *options,
    ]
    return subprocess.run(
        command,
        cwd=cwd,
        env=tsum_env(cwd),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=timeout,
    )


def failed_section(stderr: str) -> str:
    return stderr.split("Failed articles:", 1)[1] if "Failed articles:" in stderr else ""


def manifests(out: Path) -> dict[str, Path]:
    """Source file name -> its article folder, for every folder with a manifest."""
    found = {}
    for manifest in out.glob("*/manifest.json"):
        found[Path(json.loads(manifest.read_text(encoding="utf-8"))["input"]["path"]).name] = manifest.parent
    return found


def assert_complete(path: Path) -> None:
    """A file that a reader would find whole: JSON loads, XML parses, HTML ends with its closing tag."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    if path.suffix == ".json":
        json.loads(text)
    elif path.suffix == ".jsonl":
        assert text.endswith("\n"), path
        for line in text.splitlines():
            json.loads(line)
    elif path.suffix in (".tmx", ".xlf"):
        from lxml import etree

        etree.fromstring(data)
    elif path.suffix == ".html":
        assert text.rstrip().endswith("</html>"), path
    else:
        assert text.endswith("\n"), path


def output_files(out: Path) -> dict[str, int]:
    """Every file under ``out`` (relative path -> mtime), the lock file aside."""
    return {
        str(p.relative_to(out)): p.stat().st_mtime_ns
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".tsum.lock"
    }


# --- One folder of bad inputs next to the seeds, one run --------------------------------------------


@pytest.fixture(scope="module")
def batch(tiny_config, tmp_path_factory):
    """`tsum all` over the seeds plus every bad input above; returns (result, input, output, cwd)."""
    root = tmp_path_factory.mktemp("faults")
    folder = root / "in"
    shutil.copytree(SEEDS, folder)
    with (folder / "glossary.tsv").open("a", encoding="utf-8") as glossary:
        glossary.write(HOSTILE_GLOSSARY_ROW)
    for name, (data, _) in {**FAILING, **WRITTEN}.items():
        (folder / name).write_bytes(data)
    for name in UNKNOWN_TYPES:
        (folder / name).write_bytes(b"%PDF-1.4 or whatever")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"OUTSIDE SECRET\n\n{BODY}", encoding="utf-8")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "linked-folder").symlink_to(outside, target_is_directory=True)
    (folder / "folder.txt").mkdir()  # a directory with an article's suffix
    out = root / "out"
    result = tsum_all(folder, out, tiny_config, "--summarizer", "extractive", "--only", "zh", cwd=root)
    return result, folder, out, root


@pytest.mark.slow
def test_each_bad_article_fails_alone_with_its_reason(batch):
    result, _, out, _ = batch
    assert result.returncode == 1, result.stderr
    failed = failed_section(result.stderr)
    for name, (_, message) in FAILING.items():
        shown = FAILING_SHOWN[name]
        assert re.search(rf"{re.escape(shown)}: .*{re.escape(message)}", failed), (name, failed)
    assert len(failed.strip().splitlines()) == len(FAILING)
    summary = f"{len(WRITTEN) + len(SEED_SLUGS)} written, 0 up to date, {len(FAILING)} failed"
    assert summary in result.stderr
    index = (out / "index.md").read_text(encoding="utf-8")
    assert index.count("| failed |") == len(FAILING)
    for name in FAILING:
        assert FAILING_SHOWN[name].replace("\\", "\\\\") in index, name  # Markdown escapes the backslash


@pytest.mark.slow
def test_every_good_article_is_written_whole(batch):
    _, _, out, _ = batch
    written = manifests(out)
    assert set(written) == set(WRITTEN) | set(SEED_SLUGS)
    for name, slug in SEED_SLUGS.items():
        assert written[name].name == slug
    for name, folder in written.items():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if name in WRITTEN:
            assert manifest["article"]["title"] == WRITTEN[name][1], name
        for file in folder.iterdir():
            assert_complete(file)
        assert {
            "article.zh.md",
            "aligned.jsonl",
            "review.html",
            f"{folder.name}.tmx",
            f"{folder.name}.en-zh.xlf",
        } <= {p.name for p in folder.iterdir()}
    # No folder for a failed article, and nothing but article folders, index and lock in the output.
    assert {p.name for p in out.iterdir() if not p.is_dir()} == {
        "index.md",
        "index.html",
        "index.json",
        ".tsum.lock",
    }
    assert len([p for p in out.iterdir() if p.is_dir()]) == len(written)
    assert not [p for p in out.rglob("*.tmp")]


@pytest.mark.slow
def test_links_and_unknown_types_are_skipped_with_a_notice(batch):
    result, folder, out, _ = batch
    assert f"{folder / 'link.txt'}: skipped, symbolic links are not followed" in result.stderr
    assert f"{folder / 'linked-folder'}: skipped, symbolic links are not followed" in result.stderr
    for name in UNKNOWN_TYPES:
        assert (
            f"{folder / name}: skipped, unknown file type (tsum reads .txt, .md, .html, .htm, .docx, .pdf)"
            in result.stderr
        )
    assert "folder.txt" not in result.stderr and "glossary.tsv: skipped" not in result.stderr
    for file in out.rglob("*"):
        if file.is_file():
            assert b"OUTSIDE SECRET" not in file.read_bytes(), file


@pytest.mark.slow
def test_html_keeps_visible_text_only(batch):
    _, _, out, _ = batch
    english = (manifests(out)["page.html"] / "article.en.md").read_text(encoding="utf-8")
    assert english.startswith("# Delegation & partners")
    assert "Qingdao" in english and "Photo: the meeting" in english
    for hidden in ("SCRIPTTEXT", "NOSCRIPTTEXT", "color:red", "<p>", "<b>"):
        assert hidden not in english


@pytest.mark.slow
def test_sentence_of_three_thousand_words_is_split_for_the_model_and_flagged(batch):
    _, _, out, _ = batch
    records = [
        json.loads(line)
        for line in (manifests(out)["long-sentence.txt"] / "aligned.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    body = [r for r in records if r["kind"] == "body"]
    assert sum(len(r["en"].split()) for r in body) == 3000  # every word reaches the output
    assert all(r["zh"].strip() for r in body)
    assert all(any(f["type"] == "split" and f["lang"] == "zh" for f in r["flags"]) for r in body)


@pytest.mark.slow
def test_odd_file_names_are_processed_and_never_executed(batch):
    _, folder, out, root = batch
    written = manifests(out)
    for name in ("name with spaces.txt", "ünïcødé 名字 ✓.md", SHELL_NAME):
        assert json.loads((written[name] / "manifest.json").read_text(encoding="utf-8"))["input"][
            "path"
        ] == str(folder / name)
    for slug in (p.name for p in out.iterdir() if p.is_dir()):
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) and len(slug) <= 80
    for place in (root, folder, out, Path.cwd(), REPO):
        assert not list(place.glob("pwned*")), place


@pytest.mark.slow
def test_same_title_gets_distinct_stable_slugs(batch):
    _, _, out, _ = batch
    written = manifests(out)
    a, b = written["same-title-a.txt"], written["same-title-b.txt"]
    assert a != b and a.name.startswith("same-title-") and b.name.startswith("same-title-")
    assert "different article" in (b / "article.en.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_hostile_article_and_glossary_text_is_escaped(batch):
    from lxml import etree

    _, _, out, _ = batch
    folder = manifests(out)["hostile.md"]
    raw = [
        "<script>alert(1)</script>",
        "<script>alert(2)</script>",
        "<img src=x",
        "<b>Ко</b>",
        "<Holdings>",
        "<i>note</i>",
    ]
    for page in (folder / "review.html", out / "index.html"):
        html = page.read_text(encoding="utf-8")
        for markup in raw:
            assert markup not in html, (page.name, markup)
    review = (folder / "review.html").read_text(encoding="utf-8")
    assert "&lt;Holdings&gt;" in review or "\\u003cHoldings\\u003e" in review
    for xml in (folder / f"{folder.name}.tmx", folder / f"{folder.name}.en-zh.xlf"):
        text = "".join(etree.parse(str(xml)).getroot().itertext())
        # Parsed back, the markup is text again: escaped, not dropped and not interpreted.
        assert "Acme <Holdings> & Co" in text and "]]>" in text, xml.name
    # The glossary's target reaches the review page (the random model loses it: a glossary flag), escaped.
    assert "阿克米&lt;script&gt;alert(2)&lt;/script&gt;" in review


@pytest.mark.slow
def test_second_run_redoes_nothing_and_keeps_slugs(batch, tiny_config):
    _, folder, out, root = batch
    before = output_files(out)
    result = tsum_all(folder, out, tiny_config, "--summarizer", "extractive", "--only", "zh", cwd=root)
    assert result.returncode == 1  # the bad inputs still fail
    assert f"0 written, {len(WRITTEN) + len(SEED_SLUGS)} up to date, {len(FAILING)} failed" in result.stderr
    after = output_files(out)
    assert {k: v for k, v in after.items() if not k.startswith("index.")} == {
        k: v for k, v in before.items() if not k.startswith("index.")
    }


# --- Interruptions and concurrent runs ------------------------------------------------------------------


def _copies(folder: Path, count: int) -> None:
    folder.mkdir()
    for i in range(count):
        title, rest = SEED_TEXT.split("\n", 1)
        (folder / f"copy-{i}.txt").write_text(f"{title} (copy {i})\n{rest}", encoding="utf-8")


@pytest.mark.slow
def test_kill_9_then_rerun_completes_without_redoing_finished_articles(tiny_config, tmp_path):
    """A real SIGKILL mid-run: no partial file, and the rerun does only what was left."""
    folder, out = tmp_path / "in", tmp_path / "out"
    _copies(folder, 6)
    command = [
        sys.executable,
        "-m",
        "translate_sum",
        "all",
        "--input",
        str(folder),
        "--output",
        str(out),
        "--config",
        str(tiny_config),
    ]  # the abstractive summarizer, zh and ru
    run = subprocess.Popen(
        [*command, "--quiet"],
        cwd=tmp_path,
        env=tsum_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Kill while an article's files are being written when the poll catches that moment,
        # else right after the second article is finished; at least one is always finished.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and run.poll() is None:
            done = finished_manifests(out)
            writing = len(list(out.glob(f"*/{MANIFEST}"))) > len(done)  # a manifest still without fingerprint
            if done and (writing or len(done) >= 2):
                break
            time.sleep(0.005)
        assert run.poll() is None, "tsum ended before it could be killed"
        run.send_signal(signal.SIGKILL)
    finally:
        run.kill()
        run.wait(timeout=30)
    assert run.returncode == -signal.SIGKILL

    finished = {m.parent.name: (m.read_bytes(), m.stat().st_mtime_ns) for m in finished_manifests(out)}
    assert 1 <= len(finished) < 6
    for folder_ in out.iterdir():  # an article killed mid-write keeps a manifest, one the rerun redoes
        if folder_.is_dir() and folder_.name not in finished and (folder_ / "aligned.jsonl").exists():
            assert json.loads((folder_ / MANIFEST).read_text(encoding="utf-8"))["fingerprint"] is None
    for file in out.rglob("*"):
        if file.is_file() and not file.name.startswith("."):
            assert_complete(file)  # a hidden temporary file may be left behind; a visible partial file never

    result = subprocess.run(
        command, cwd=tmp_path, env=tsum_env(tmp_path), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert f"{6 - len(finished)} written, {len(finished)} up to date, 0 failed" in result.stderr
    assert len(list(out.glob(f"*/{MANIFEST}"))) == 6
    assert not list(out.rglob("*.tmp"))
    for file in out.rglob("*"):
        if file.is_file() and file.name != ".tsum.lock":
            assert_complete(file)
    for slug, (content, mtime) in finished.items():
        manifest = out / slug / MANIFEST
        assert (manifest.read_bytes(), manifest.stat().st_mtime_ns) == (content, mtime), f"{slug} was redone"


_HOLD_LOCK = """
import sys, time
from pathlib import Path
from translate_sum.storage import output_lock
with output_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(300)
"""


@pytest.mark.slow
def test_run_on_a_folder_another_run_holds_exits_1_and_writes_nothing(tiny_config, tmp_path, seeds_copy):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(out)],
        cwd=tmp_path,
        env=tsum_env(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = tsum_all(seeds_copy, out, tiny_config, cwd=tmp_path)
        assert result.returncode == 1
        assert (
            f"Error: {out}: another tsum run is writing to this folder; wait for it to finish "
            "(or choose another output folder)"
        ) in result.stderr
        assert output_files(out) == {}
    finally:
        holder.kill()  # SIGKILL: the lock must not outlive its holder
        holder.wait(timeout=30)
    result = tsum_all(seeds_copy, out, tiny_config, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 written" in result.stderr


# --- The output folder cannot be written --------------------------------------------------------------


def _sysfs_folder() -> Path:
    """A folder even root cannot create (sysfs); skip where there is none."""
    folder = Path("/sys/tsum-test-output")
    try:
        folder.mkdir()
    except OSError:
        return folder
    folder.rmdir()
    pytest.skip("/sys accepts new folders here")


@pytest.mark.slow
@pytest.mark.parametrize("case", ["below-a-file", "read-only-folder", "sysfs"])
def test_unwritable_output_exits_1_with_a_clear_message(tiny_config, tmp_path, seeds_copy, case):
    if case == "below-a-file":
        (tmp_path / "a-file").write_text("not a folder\n")
        out, message = tmp_path / "a-file" / "out", "cannot write: Not a directory"
    elif case == "read-only-folder":
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders; the sysfs case covers this")
        parent = tmp_path / "read-only"
        parent.mkdir(mode=0o555)
        out = parent / "out"
        message = "output folder is not writable (Permission denied); choose another output folder"
    else:
        out, message = _sysfs_folder(), "output folder is not writable (Operation not permitted)"
    result = tsum_all(seeds_copy, out, tiny_config, cwd=tmp_path)
    assert result.returncode == 1
    assert f"Error: {out}: {message}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_article_folder_planted_as_a_link_is_not_written_through(tiny_config, tmp_path, seeds_copy):
    """Output paths never leave the output folder, even when someone put a link where a folder goes."""
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    linked, other = SEED_SLUGS.values()
    (out / linked).symlink_to(elsewhere, target_is_directory=True)
    result = tsum_all(seeds_copy, out, tiny_config, cwd=tmp_path)
    assert result.returncode == 1
    assert (
        f"{out / linked}: is a symbolic link; tsum writes only into real folders inside the output folder"
        in (result.stderr)
    )
    assert list(elsewhere.iterdir()) == []
    assert (out / other / MANIFEST).is_file()


def test_disk_full_fails_the_article_keeps_finished_ones_and_redoes_it_next_time(
    tiny_config, tmp_path, seeds_copy, monkeypatch
):
    import dataclasses
    import errno

    from click.testing import CliRunner

    from translate_sum.cli import cli
    from translate_sum.config import load_config
    from translate_sum.pipeline import RunOptions, run_all

    config = load_config(tiny_config)
    config = dataclasses.replace(
        config, summarizer=dataclasses.replace(config.summarizer, engine="extractive")
    )
    out = tmp_path / "out"
    options = RunOptions(input_dir=seeds_copy, output_dir=out, config=config, languages=("zh",))
    assert not run_all(options).failed
    old = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    first, second = (out / slug for slug in SEED_SLUGS.values())
    changed = seeds_copy / "001_a2e7129abcaddcf3.txt"
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n\nA closing paragraph was added.\n", encoding="utf-8"
    )

    real_replace = os.replace

    def disk_full(src, dst):
        if Path(dst).parent == second or disk_full.everywhere:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst)

    disk_full.everywhere = False
    monkeypatch.setattr(os, "replace", disk_full)
    report = run_all(options)
    [failed] = report.failed
    assert failed.slug == second.name
    assert (
        "no space left on the device; free some space and run again (finished articles are kept)"
        in failed.error
    )
    # Nothing of it was replaced: its old manifest (of the old input, so the next run redoes it) and files.
    assert all(p.read_bytes() == old[p] for p in second.iterdir())
    assert not list(out.rglob("*.tmp"))
    for path, data in old.items():
        if path.exists():  # the other article untouched; no file of this one half-written
            assert path.read_bytes() == data or path.parent == out, path
    assert all(p.read_bytes() == old[p] for p in first.iterdir())

    # A disk that is full for every file: the CLI says so and exits 1, and corrupts nothing.
    disk_full.everywhere = True
    snapshot = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = CliRunner().invoke(
        cli,
        [
            "all",
            "--input",
            str(seeds_copy),
            "--output",
            str(out),
            "--config",
            str(tiny_config),
            "--summarizer",
            "extractive",
            "--only",
            "zh",
        ],
    )
    assert result.exit_code == 1
    assert "no space left on the device" in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot

    monkeypatch.setattr(os, "replace", real_replace)
    report = run_all(options)
    assert [(e.slug, e.status) for e in sorted(report.entries, key=lambda e: e.slug)] == sorted(
        [(first.name, "skipped"), (second.name, "done")]
    )
    assert "A closing paragraph was added." in (second / "article.en.md").read_text(encoding="utf-8")


# --- Configuration and glossary errors: exit 2 before any article --------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("toml-syntax", r"models\.toml: invalid TOML: Unclosed array \(at line \d+, column \d+\)"),
        (
            "toml-unknown-key",
            r"models\.toml: \[translators\.zh\] has unknown key\(s\) revison; allowed: .*revision",
        ),
        ("glossary-columns", r"glossary\.tsv line \d+: 2 columns, but the header has 8"),
        (
            "glossary-encoding",
            r"glossary\.tsv line \d+: not valid UTF-8 \(byte 0xe9\); save the file as UTF-8",
        ),
    ],
    ids=["toml-syntax", "toml-unknown-key", "glossary-columns", "glossary-encoding"],
)
def test_broken_config_or_glossary_exits_2_naming_file_and_line(
    tiny_config, tmp_path, seeds_copy, case, expected
):
    config = tmp_path / "models.toml"
    text = tiny_config.read_text(encoding="utf-8")
    if case == "toml-syntax":
        text += '\n[run]\nlanguages = ["zh", "ru"\nbatch_tokens = 100\n'
    elif case == "toml-unknown-key":
        text = text.replace('target_token = ">>cmn_Hans<<"', 'target_token = ">>cmn_Hans<<"\nrevison = "abc"')
    config.write_text(text, encoding="utf-8")
    with (seeds_copy / "glossary.tsv").open("ab") as glossary:
        if case == "glossary-columns":
            glossary.write("Qingdao Port\t青岛港\n".encode())
        elif case == "glossary-encoding":
            glossary.write("Caf\u00e9 Weidong\tX\tY\t\t\t\t\t\n".encode("latin-1"))
    out = tmp_path / "out"
    result = tsum_all(seeds_copy, out, config, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert re.search(expected, result.stderr), result.stderr
    assert not out.exists()


# --- A 5 MB article --------------------------------------------------------------------------------------


def write_huge_article(path: Path) -> int:
    """A 5 MB press release: the seed's paragraphs over and over. Returns the number of paragraphs."""
    paragraphs = [p.strip() for p in SEED_TEXT.split("\n\n")[1:] if p.strip()]
    blocks, size = [], 0
    while size < 5_000_000:
        blocks.append(f"{paragraphs[len(blocks) % len(paragraphs)]} Paragraph {len(blocks)}.")
        size += len(blocks[-1].encode()) + 2
    path.write_text("A five megabyte press release\n\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    return len(blocks)


@pytest.mark.slow
def test_five_megabyte_article_loads_segments_and_summarizes(tmp_path):
    """The stages before translation on 5 MB, in process; the full run is timed in docs/robustness.md."""
    from translate_sum.engines.extractive import ExtractiveSummarizer
    from translate_sum.ingest import load_article
    from translate_sum.segment import segment_article
    from translate_sum.storage import base_slug

    path = tmp_path / "huge.txt"
    blocks = write_huge_article(path)
    start = time.perf_counter()
    article = load_article(path)
    segments = segment_article(article)
    body = [s.en for s in segments if s.kind == "body"]
    summary = ExtractiveSummarizer().summarize(body)
    elapsed = time.perf_counter() - start
    assert base_slug(article.title, article.date) == "a-five-megabyte-press-release"
    assert len(article.paragraphs) == blocks + 1 and len(body) > 20_000
    assert all(len(s) < 2_000 for s in body)
    assert len(summary) == 3
    print(f"5 MB: loaded, segmented and summarized in {elapsed:.0f} s")  # a figure, not a test


# --- What counts as English ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (SEED_TEXT, None),
        (f"A very long sentence\n\n{LONG_SENTENCE}", None),
        ("SCO News\n\n" + "The delegation met partners in Qingdao. 上海合作组织副秘书长。" * 5, None),
        # Too few words to judge:
        ("Results\n\nAlpha 3 Beta 1. Gamma 2 Delta 2. Scorers: Ivanov 12', Petrov 45'.", None),
        ("标题\n\n上海合作组织副秘书长访问伟东云教育集团。", "CJK (Chinese or Japanese) script"),
        (
            "Заголовок\n\nСтороны обсудили сотрудничество в области образования.",
            "Cyrillic (e.g. Russian) script",
        ),
        ("제목\n\n양측은 교육 협력을 논의했다.", "Korean script"),
        ("Τίτλος\n\nΟι δύο πλευρές συζήτησαν τη συνεργασία.", "Greek script"),
        (f"Titre\n\n{FRENCH}", "common English words"),
        (
            "Titel\n\n"
            + "Der stellvertretende Generalsekretär besuchte die Gruppe und beide Seiten erörterten die "
            "Zusammenarbeit in den Bereichen Bildung und Technologie sowie den Austausch mit den Mitgliedstaaten "
            "der Organisation, und die Delegation besuchte auch das Innovationszentrum der Stadt Qingdao, wo sie "
            "Vertreter lokaler Unternehmen traf.",
            "common English words",
        ),
    ],
    ids=[
        "seed",
        "3000-words",
        "some-chinese",
        "too-short",
        "chinese",
        "russian",
        "korean",
        "greek",
        "french",
        "german",
    ],
)
def test_non_english_articles_are_refused_by_script_or_words(tmp_path, text, problem):
    from translate_sum.errors import ArticleError
    from translate_sum.ingest import load_article

    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    if problem is None:
        load_article(path)
    else:
        with pytest.raises(
            ArticleError, match=rf"^{re.escape(str(path))}: not English: .*{re.escape(problem)}"
        ):
            load_article(path)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("TSUM_TEST_5MB"), reason="70-110 s; set TSUM_TEST_5MB=1 to run")
def test_five_megabyte_article_full_run(tiny_config, tmp_path):
    """`tsum all` on one 5 MB article, translation included (the timing quoted in docs/robustness.md)."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_huge_article(folder / "huge.txt")
    result = tsum_all(folder, tmp_path / "out", tiny_config, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    for file in (tmp_path / "out" / "a-five-megabyte-press-release").iterdir():
        assert_complete(file)
