"""The review queue in headless Chromium: order rows by confidence, filter by flag type, next flagged."""

from __future__ import annotations

import pytest
from render_fixtures import build_result

from translate_sum.records import Flag
from translate_sum.render import render_review_html

pytestmark = pytest.mark.browser

# Hand-set confidences (the worst of a row's languages is what the queue orders by).
CONFIDENCE = {"t0": -0.4, "p1s0": -0.9, "p1s1": -0.3, "p2s0": -2.6, "p5s0": -0.5}


@pytest.fixture(scope="module")
def page_url(tmp_path_factory) -> str:
    result = build_result()
    for segment in result.segments:
        if segment.id in CONFIDENCE:
            segment.confidence = {"zh": CONFIDENCE[segment.id], "ru": CONFIDENCE[segment.id] + 0.1}
        if segment.id == "p2s0":
            segment.flags.append(
                Flag("low_confidence", "zh", "model confidence -2.60 is far below the median")
            )
    path = tmp_path_factory.mktemp("queue") / "review.html"
    path.write_text(render_review_html(result), encoding="utf-8")
    return path.as_uri()


@pytest.fixture
def page(browser, page_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    problems: list[str] = []
    tab = context.new_page()
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    tab.goto(page_url)
    yield tab
    context.close()
    assert not problems, problems


def _order(page) -> list[str]:
    return page.eval_on_selector_all("#article-table tbody tr", "rows => rows.map(r => r.dataset.segId)")


def _visible(page) -> list[str]:
    return [sid for sid in _order(page) if page.locator(f'tr[data-seg-id="{sid}"]').is_visible()]


def test_order_by_confidence_puts_the_worst_first(page) -> None:
    reading = _order(page)
    page.select_option("#sort-order", "confidence")
    ordered = _order(page)
    scored = [sid for sid in ordered if sid in CONFIDENCE]
    assert scored == sorted(CONFIDENCE, key=CONFIDENCE.get)
    assert ordered[: len(scored)] == scored  # unscored rows come after
    assert page.inner_text('tr[data-seg-id="p2s0"] td.col-zh .conf') == "conf -2.60"
    page.select_option("#sort-order", "reading")
    assert _order(page) == reading


def test_filter_by_flag_type(page) -> None:
    page.select_option("#flag-filter", "low_confidence")
    assert _visible(page) == ["p2s0"]
    page.select_option("#flag-filter", "*")
    assert _visible(page) == page.eval_on_selector_all(
        "#article-table tr.flagged", "rows => rows.map(r => r.dataset.segId)"
    )
    page.select_option("#flag-filter", "")
    assert len(_visible(page)) == len(_order(page))


def test_next_flagged_follows_the_order_shown(page) -> None:
    page.select_option("#sort-order", "confidence")
    shown = [sid for sid in _order(page) if page.get_attribute(f'tr[data-seg-id="{sid}"]', "data-flags")]
    page.click("#next-flag")
    # The summary table comes first on the page; walk until the article table's first flagged row.
    summary_flagged = page.eval_on_selector_all(
        "#summary-table tr.flagged", "rows => rows.map(r => r.dataset.segId)"
    )
    for _ in summary_flagged:
        page.click("#next-flag")
    assert page.eval_on_selector_all("tr.current", "rows => rows.map(r => r.dataset.segId)") == [shown[0]]
    assert shown[0] == "p2s0"  # the least confident flagged row
    page.click("#next-flag")
    assert page.eval_on_selector_all("tr.current", "rows => rows.map(r => r.dataset.segId)") == [shown[1]]
