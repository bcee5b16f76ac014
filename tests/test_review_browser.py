"""``review.html`` in real headless Chromium (Playwright): layout, highlighting, flag navigation, safety.

Needs the Debian/Ubuntu ``chromium`` package at /usr/bin/chromium and the ``playwright`` Python package
(no Playwright browser download). Without them these tests fail with install instructions, unless
``TSUM_SKIP_BROWSER=1`` is set, in which case they are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from render_fixtures import EVIL_TITLE, build_result, hostile_result

from translate_sum.render import render_review_html

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("review")
    urls = {}
    for name, result in (("seed", build_result()), ("hostile", hostile_result())):
        path = folder / name / "review.html"
        path.parent.mkdir()
        path.write_text(render_review_html(result), encoding="utf-8")
        urls[name] = path.as_uri()
    return urls


@pytest.fixture
def open_page(browser: object) -> Iterator:
    """Opens a URL in a fresh 1440×900 page; fails the test on any page error or console error (CSP)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    problems: list[str] = []

    def _open(url: str):
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
        )
        page.goto(url)
        return page

    yield _open
    context.close()
    assert not problems, problems


def _seg_ids(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "rows => rows.map(r => r.dataset.segId)")


def _in_viewport(page, seg_id: str) -> bool:
    box = page.locator(f'tr[data-seg-id="{seg_id}"]').bounding_box()
    return box is not None and box["y"] < 900 and box["y"] + box["height"] > 0


def test_three_columns_render_and_script_runs(open_page, pages) -> None:
    page = open_page(pages["seed"])
    headers = page.locator("#article-table thead th").all_inner_texts()
    assert [h.upper() for h in headers] == ["SEGMENT", "ENGLISH · EN", "CHINESE · ZH-CN", "RUSSIAN · RU"]
    row = page.locator('tr[data-seg-id="p1s0"] td')
    assert row.count() == 3
    texts = row.all_inner_texts()
    assert texts[0].startswith("On the afternoon of July 23") and texts[1].startswith("7月23日下午")
    assert texts[2].startswith("Во второй половине дня")
    widths = [row.nth(i).bounding_box()["width"] for i in range(3)]
    assert min(widths) > 300 and max(widths) - min(widths) < 2  # three equal readable columns
    assert page.locator("#summary-table tbody tr").count() == 2
    assert page.inner_text("#flag-pos") == "4 flagged rows"  # set by the script: CSP let it run


def test_clicking_a_summary_sentence_highlights_its_support(open_page, pages) -> None:
    page = open_page(pages["seed"])
    assert "p1s0 (0.91)" in page.get_attribute('tr[data-seg-id="s0"]', "title")
    page.click('tr[data-seg-id="s0"] td.col-en')
    assert _seg_ids(page, "tr.highlight") == ["t0", "p1s0"]
    assert page.get_attribute('tr[data-seg-id="s0"]', "aria-pressed") == "true"
    assert page.inner_text('tr[data-seg-id="p1s0"] .score') == "support 0.91"
    assert _in_viewport(page, "t0")
    page.hover('tr[data-seg-id="s1"] td.col-zh')  # hovering previews another sentence's support
    assert _seg_ids(page, "tr.highlight") == ["p1s1", "p5s1"]
    page.hover('tr[data-seg-id="p5s0"] td.col-en')  # leaving it restores the pinned one
    assert _seg_ids(page, "tr.highlight") == ["t0", "p1s0"]
    page.keyboard.press("Escape")
    assert _seg_ids(page, "tr.highlight") == []


def test_flag_filter_hides_unflagged_rows(open_page, pages) -> None:
    page = open_page(pages["seed"])
    flagged = _seg_ids(page, "tr.seg.flagged")
    result = build_result()
    assert flagged == [s.id for s in result.summary_segments() + result.source_segments() if s.flags]
    page.check("#only-flagged")
    visible = [
        sid for sid in _seg_ids(page, "tr.seg") if page.locator(f'tr[data-seg-id="{sid}"]').is_visible()
    ]
    assert visible == flagged
    page.uncheck("#only-flagged")
    assert page.locator('tr[data-seg-id="p5s0"]').is_visible()


def test_n_and_p_walk_the_flagged_rows(open_page, pages) -> None:
    page = open_page(pages["seed"])
    flagged = _seg_ids(page, "tr.seg.flagged")
    page.keyboard.press("n")
    assert _seg_ids(page, "tr.current") == [flagged[0]]
    page.keyboard.press("n")
    page.keyboard.press("n")
    assert _seg_ids(page, "tr.current") == [flagged[2]]
    assert _in_viewport(page, flagged[2])
    assert page.inner_text("#flag-pos") == f"Flagged row 3 of {len(flagged)}"
    page.keyboard.press("p")
    assert _seg_ids(page, "tr.current") == [flagged[1]]
    page.check("#only-flagged")  # the shortcut still works with the focus on the checkbox
    page.keyboard.press("n")
    assert _seg_ids(page, "tr.current") == [flagged[2]]


def test_injected_markup_stays_text(open_page, pages) -> None:
    page = open_page(pages["hostile"])
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img").count() == 0 and page.locator("main b, main i, h1 b").count() == 0
    assert page.inner_text("h1") == EVIL_TITLE
    assert "<script>alert(1)</script>" in page.inner_text('tr[data-seg-id="p1s0"] td.col-en')
    assert page.locator("script").count() == 2
    page.click('tr[data-seg-id="s0"] td.col-ru')  # the page still works
    assert _seg_ids(page, "tr.highlight") == ["t0", "p1s0"]
    assert page.evaluate("window.__pwned") is None


def test_screenshot(open_page, pages) -> None:
    page = open_page(pages["seed"])
    page.click('tr[data-seg-id="s0"] td.col-en')
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "review.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    print(f"review.html screenshot: {path}")
