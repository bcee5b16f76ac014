"""Progress bars a user can trust: units named, no ETA from the mixed articles rate, the glossary
retry pass counted in its stage."""

from __future__ import annotations

import io
import sys

from tiny_models import SEEDS

from translate_sum.cli.common import progress_factory
from translate_sum.config import load_config
from translate_sum.engines.loader import Engines
from translate_sum.ingest import load_article
from translate_sum.pipeline.inputs import load_glossary, term_guard
from translate_sum.pipeline.stages import translate_texts
from translate_sum.segment import segment_article


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bars_name_their_units_and_grow_with_found_work(monkeypatch):
    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    progress = progress_factory(quiet=False)
    with progress("translate zh", 10) as advance:
        advance(10)
        advance.grow(3)
        advance(3)
    with progress("articles", 4) as advance:
        advance(2)
    text = screen.getvalue()
    assert "10/13" in text and " sentences/s" in text  # the total grew with the retry pass
    last = text.split("\r")[-1]
    assert "2/4 articles" in last and "<" not in last and "elapsed" in last  # no ETA from the mixed rate


def test_the_glossary_retry_pass_is_counted_in_the_stage(tiny_config):
    config = load_config(tiny_config)
    translator = Engines(config, "cpu").translator("zh")
    texts = [s.en for s in segment_article(load_article(SEEDS / "001_a2e7129abcaddcf3.txt"))][:8]
    guard = term_guard(load_glossary(SEEDS / "glossary.tsv"))
    counted = {"done": 0, "grown": 0}

    def advance(n: int = 1) -> None:
        counted["done"] += n

    def grow(n: int) -> None:
        counted["grown"] += n

    advance.grow = grow  # type: ignore[attr-defined]
    results = translate_texts(texts, "zh", translator, guard, advance)
    first_pass = sum(len(translator.pieces(t)) for t in texts)
    assert any(r.terms for r in results)  # glossary names in these sentences: a retry pass ran
    assert counted["grown"] > 0  # the random-weight model misses them, so some were retried
    assert counted["done"] == first_pass + counted["grown"]  # the bar ends at its total, no sooner
