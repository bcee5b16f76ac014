"""`tsum review` in headless Chromium: edit and approve a row, reload, a conflicting tab, injected markup.

Starts the real command (``python -m translate_sum review``) on the output of a tiny-model `tsum all`.
Same requirements as test_review_browser.py (Debian's chromium, Playwright's Python package).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from tiny_models import REPO

from translate_sum.cli import cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SLUG = "president-of-the-weidong-group-visits-sco-secretariat"
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & “quoted”'
OUTPUT: dict[str, object] = {}  # the served output folder, set by the review_url fixture


@pytest.fixture(scope="module")
def review_url(tiny_config, tmp_path_factory) -> Iterator[str]:
    """`tsum all` with the tiny models, then `tsum review --port 0` on its output; yields the page URL."""
    import shutil

    root = tmp_path_factory.mktemp("review-server")
    seeds, out = root / "seeds", root / "outputs"
    shutil.copytree(REPO / "seeds", seeds)
    result = CliRunner().invoke(
        cli, ["all", "--input", str(seeds), "--output", str(out), "--config", str(tiny_config)]
    )
    assert result.exit_code == 0, result.output
    OUTPUT["path"] = out
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen(
        [sys.executable, "-m", "translate_sum", "review", "--output", str(out), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    try:
        line = server.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"no address announced: {line!r}"
        yield f"{match.group(0)}{SLUG}/review.html"
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def open_page(browser) -> Iterator:
    """Opens the URL in a fresh page; fails the test on any page error or console error but a 409 answer."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    problems: list[str] = []

    def _open(url: str):
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

        def console(msg) -> None:
            if msg.type == "error" and "status of 409" not in msg.text:
                problems.append(f"console {msg.type}: {msg.text}")

        page.on("console", console)
        page.goto(url)
        return page

    yield _open
    context.close()
    assert not problems, problems


def _cell(page, seg: str, lang: str):
    return page.locator(f'tr[data-seg-id="{seg}"] td.col-{lang}')


def _status_is(page, pattern: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#edit-status")).to_have_text(re.compile(pattern))


def _edit(page, seg: str, text: str) -> None:
    page.click(f'tr[data-seg-id="{seg}"] th')  # focus the row
    page.keyboard.press("e")
    area = _cell(page, seg, "zh").locator("textarea")
    area.fill(text)
    area.press("Control+Enter")


def test_edit_approve_reload_persists(open_page, review_url):
    page = open_page(review_url)
    _edit(page, "p1s0", "审校者改过的第一句。")
    _status_is(page, "^Saved p1s0")
    assert _cell(page, "p1s0", "zh").locator(".target-text").inner_text() == "审校者改过的第一句。"
    # The edit dropped the sentence's glossary terms: the row is flagged at once, as a model output would be.
    assert "glossary" in page.get_attribute('tr[data-seg-id="p1s0"]', "data-flags").split()
    assert "glossary" in _cell(page, "p1s0", "zh").locator(".flags").inner_text()
    page.click('tr[data-seg-id="p1s0"] th')
    page.keyboard.press("a")  # approves the highlighted cell only: zh, the first language
    _status_is(page, r"^Approved p1s0 \(zh\)$")
    page.reload()
    assert "glossary" in page.get_attribute('tr[data-seg-id="p1s0"]', "data-flags").split()
    cell = _cell(page, "p1s0", "zh")
    assert cell.inner_text().startswith("审校者改过的第一句。")
    assert cell.locator(".mem").inner_text() == "memory · approved"
    assert _cell(page, "p1s0", "ru").locator(".mem").count() == 0  # nobody looked at the Russian
    data = json.loads(page.inner_text("#tsum-edit"))
    assert data["rows"]["p1s0"]["zh"]["version"] == 2 and data["rows"]["p1s0"]["ru"]["version"] == 0


def test_keys_act_on_the_highlighted_language(open_page, review_url):
    page = open_page(review_url)
    machine = json.loads(page.inner_text("#tsum-edit"))["rows"]["p4s0"]["ru"]["text"]
    page.click('tr[data-seg-id="p4s0"] th')
    page.keyboard.press("]")  # zh -> ru
    assert "cell-current" in _cell(page, "p4s0", "ru").get_attribute("class")
    page.keyboard.press("e")
    editor = _cell(page, "p4s0", "ru").locator(".editor")
    # The editor says what the edit replaces: the machine translation, and its flags when it has any.
    assert editor.locator(".replaces").inner_text().startswith("Replaces the machine translation")
    assert editor.locator(".replaces .was").inner_text() == machine
    assert _cell(page, "p4s0", "zh").locator("textarea").count() == 0
    area = editor.locator("textarea")
    area.fill("Исправленный перевод.")
    area.press("Control+Shift+Enter")  # save and approve in one key
    _status_is(page, r"^Approved p4s0 \(ru\)$")
    assert _cell(page, "p4s0", "ru").locator(".mem").inner_text() == "memory · approved"
    assert _cell(page, "p4s0", "zh").locator(".mem").count() == 0


def test_approving_a_whole_row_asks_first(open_page, review_url):
    page = open_page(review_url)
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.click('tr[data-seg-id="p5s0"] th')
    page.keyboard.press("A")
    page.wait_for_timeout(300)
    assert asked and "zh, ru" in asked[0]
    assert page.locator('tr[data-seg-id="p5s0"] .mem').count() == 0  # dismissed: nothing approved
    page.keyboard.press("A")
    _status_is(page, r"^Approved p5s0 \(ru\)$")
    assert page.locator('tr[data-seg-id="p5s0"] .mem').count() == 2


def test_toolbar_is_opaque_and_targets_are_isolated(open_page, review_url):
    page = open_page(review_url)
    assert (
        page.eval_on_selector(".toolbar", "e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    )
    _edit(page, "p6s0", "\u202e反转的文字")
    _status_is(page, "^Saved p6s0")
    text = _cell(page, "p6s0", "zh").locator(".target-text")
    assert text.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
    assert "bidi" in page.get_attribute('tr[data-seg-id="p6s0"]', "data-flags").split()
    page.reload()
    assert _cell(page, "p6s0", "zh").locator("bdi").first.inner_text().startswith("\u202e反转")


def test_conflicting_save_from_a_second_tab_is_shown(open_page, review_url):
    first, second = open_page(review_url), open_page(review_url)
    _edit(first, "p2s0", "第一个标签页保存的译文。")
    _status_is(first, "^Saved p2s0")
    _edit(second, "p2s0", "第二个标签页的译文。")
    message = _cell(second, "p2s0", "zh").locator(".edit-msg.error")
    message.wait_for()
    assert message.inner_text().startswith("Conflict: this translation was saved elsewhere")
    assert message.locator(".theirs").inner_text() == "第一个标签页保存的译文。"  # the other tab's text
    assert _cell(second, "p2s0", "zh").locator("textarea").input_value() == "第二个标签页的译文。"  # kept
    second.reload()
    assert _cell(second, "p2s0", "zh").inner_text().startswith("第一个标签页保存的译文。")


def test_injected_script_in_an_edit_is_shown_as_text(open_page, review_url):
    page = open_page(review_url)
    _edit(page, "p3s0", EVIL)
    _status_is(page, "^Saved p3s0")
    for _ in range(2):
        assert _cell(page, "p3s0", "zh").inner_text().startswith("<script>window.__pwned=1</script><img")
        assert page.locator("main img").count() == 0
        assert page.evaluate("window.__pwned") is None
        page.reload()
    assert page.locator("script").count() == 4  # data, edit data, and the two page scripts only


def test_a_row_saved_elsewhere_shows_the_memory_text_and_approves_without_conflict(open_page, review_url):
    """Saved in the memory after this article was written (another article, an import): shown as it is."""
    from translate_sum.memory import MemoryStore

    out = OUTPUT["path"]
    rows = [json.loads(x) for x in (out / SLUG / "aligned.jsonl").read_text(encoding="utf-8").splitlines()]
    row = next(r for r in rows if r["id"] == "p7s0")
    with MemoryStore(out / "tm.sqlite") as store:
        store.put(
            row["en"], "zh", "别处保存的译文。", status="edited", origin="review", slug="another-article"
        )
    page = open_page(review_url)
    cell = _cell(page, "p7s0", "zh")
    assert cell.locator(".target-text").inner_text() == "别处保存的译文。"
    assert cell.locator(".mem").inner_text() == "memory · edited"
    page.click('tr[data-seg-id="p7s0"] th')
    page.keyboard.press("e")
    # The editor names what the files still hold as what the edit replaces.
    assert cell.locator(".replaces .was").inner_text() == "别处保存的译文。"
    cell.locator(".cancel-btn").click()
    page.click('tr[data-seg-id="p7s0"] th')
    page.keyboard.press("a")
    _status_is(page, r"^Approved p7s0 \(zh\)$")
    with MemoryStore(out / "tm.sqlite") as store:
        entry = store.get(row["en"], "zh")
    assert (entry.target, entry.status, entry.version) == ("别处保存的译文。", "approved", 2)
