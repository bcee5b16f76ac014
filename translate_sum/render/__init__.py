"""Pure renderers: an ``ArticleResult`` (or the run's index entries) in, file contents out.

Nothing here touches the disk; the pipeline writes the returned strings atomically.
"""

from __future__ import annotations

from translate_sum.records import ArticleResult
from translate_sum.render._common import check_names
from translate_sum.render.index import render_index_html, render_index_md
from translate_sum.render.jsonl_tsv import render_jsonl, render_tsv
from translate_sum.render.markdown import render_article_md, render_summary_md
from translate_sum.render.review_html import render_review_html
from translate_sum.render.tmx import render_tmx
from translate_sum.render.xliff import render_xliff

__all__ = [
    "render_article",
    "render_article_md",
    "render_index_html",
    "render_index_md",
    "render_jsonl",
    "render_review_html",
    "render_summary_md",
    "render_tmx",
    "render_tsv",
    "render_xliff",
]


def render_article(result: ArticleResult) -> dict[str, str]:
    """Every output file of one article: name relative to ``outputs/<slug>/`` -> UTF-8 text.

    ``article.{en,<lang>}.md``, ``summary.{en,<lang>}.md``, ``aligned.jsonl``, ``aligned.tsv``,
    ``review.html``, ``<slug>.tmx`` and ``<slug>.en-<lang>.xlf`` for each target language.
    ``manifest.json`` is the pipeline's. Raises ``ValueError`` for a slug or language code that is
    unsafe in a file name.
    """
    check_names(result)
    files: dict[str, str] = {}
    for lang in ("en", *result.languages):
        files[f"article.{lang}.md"] = render_article_md(result, lang)
        files[f"summary.{lang}.md"] = render_summary_md(result, lang)
    files["aligned.jsonl"] = render_jsonl(result)
    files["aligned.tsv"] = render_tsv(result)
    files["review.html"] = render_review_html(result)
    files[f"{result.slug}.tmx"] = render_tmx(result)
    for lang in result.languages:
        files[f"{result.slug}.en-{lang}.xlf"] = render_xliff(result, lang)
    return files
