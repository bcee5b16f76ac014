"""An Arabic review page in real headless Chromium: the Arabic column runs right to left, Latin names and
numbers inside it keep their own order, and the English columns and flags stay left to right."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_languages import rtl_result

from translate_sum.render import render_review_html

pytestmark = pytest.mark.browser


@pytest.fixture
def arabic_page(browser: object, tmp_path) -> Iterator:
    path = tmp_path / "review.html"
    path.write_text(render_review_html(rtl_result()), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    problems: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(path.as_uri())
    yield page
    context.close()
    assert not problems, problems


def _direction(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).direction")


def test_each_column_runs_in_its_languages_direction(arabic_page):
    row = "#seg-p1s0"
    assert _direction(arabic_page, f"{row} td.col-ar") == "rtl"
    assert _direction(arabic_page, f"{row} td.col-ar bdi.cell-text") == "rtl"
    assert _direction(arabic_page, f"{row} td.col-en") == "ltr"
    assert _direction(arabic_page, f"{row} td.col-fr") == "ltr"
    assert arabic_page.eval_on_selector(f"{row} td.col-ar", "e => e.lang") == "ar"
    # The English flag under the Arabic text reads left to right.
    assert _direction(arabic_page, f"{row} td.col-ar .flags") == "ltr"


def _text_box(page, selector: str) -> tuple[float, float, float, float]:
    """(cell left, cell right, text left, text right) of a cell and the text it holds."""
    return tuple(
        page.eval_on_selector(
            selector,
            """td => {
                const range = document.createRange();
                range.selectNodeContents(td.querySelector('bdi.cell-text'));
                const rects = [...range.getClientRects()];
                const box = td.getBoundingClientRect();
                return [box.left, box.right,
                        Math.min(...rects.map(r => r.left)), Math.max(...rects.map(r => r.right))];
            }""",
        )
    )


def test_arabic_text_starts_at_the_right_edge(arabic_page):
    """The Arabic cell's text is flush right by the same margin the French cell's is flush left."""
    left, right, text_left, text_right = _text_box(arabic_page, "#seg-p1s0 td.col-ar")
    fr_left, _, fr_text_left, _ = _text_box(arabic_page, "#seg-p1s0 td.col-fr")
    margin = fr_text_left - fr_left
    assert abs((right - text_right) - margin) <= 2
    assert text_left - left > margin + 2  # and not flush left


def test_a_latin_name_inside_arabic_keeps_its_place_and_its_order(arabic_page):
    # Logical order: الأمين العام (a term mark), then "Vladimir Norov", then بخبراء. Right to left, the
    # earlier text stands to the right: the mark ends up right of the name, and the name reads left to right.
    mark, name = arabic_page.eval_on_selector(
        "#seg-p1s0 td.col-ar",
        """td => {
            const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.top]; };
            const name = [...td.querySelectorAll('bdi[dir=ltr]')].find(b => b.textContent === 'Vladimir Norov');
            return [box(td.querySelector('mark')), box(name)];
        }""",
    )
    if abs(mark[2] - name[2]) < 2:  # same line
        assert mark[0] >= name[1] - 1
    assert _direction(arabic_page, "#seg-p1s0 td.col-ar bdi[dir=ltr]") == "ltr"
    words = arabic_page.eval_on_selector(
        "#seg-p1s0 td.col-ar",
        """td => {
            const name = [...td.querySelectorAll('bdi[dir=ltr]')].find(b => b.textContent === 'Vladimir Norov');
            const range = document.createRange();
            const text = name.firstChild;
            range.setStart(text, 0); range.setEnd(text, 8);
            const first = range.getBoundingClientRect();
            range.setStart(text, 9); range.setEnd(text, 14);
            const second = range.getBoundingClientRect();
            return [first.left, second.left];
        }""",
    )
    assert words[0] < words[1]  # "Vladimir" left of "Norov"


def test_hostile_arabic_text_stays_inert(arabic_page):
    assert arabic_page.evaluate("window.__pwned") is None
    text = arabic_page.eval_on_selector("#seg-p1s1 td.col-ar bdi.cell-text", "e => e.textContent")
    assert "<script>window.__pwned=1</script>" in text
