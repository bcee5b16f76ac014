"""Pure renderers: an ``ArticleResult`` (or the run's index entries) in, file contents out.

Nothing here touches the disk; the pipeline writes the returned strings atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from translate_sum.records import AlignedSegment, ArticleResult
from translate_sum.render._common import check_names, join_sentences, text_in
from translate_sum.render.index import render_index_html, render_index_md
from translate_sum.render.jsonl_tsv import render_jsonl, render_tsv
from translate_sum.render.markdown import render_article_md, render_summary_md
from translate_sum.render.review_html import render_review_html
from translate_sum.render.tmx import render_tmx
from translate_sum.render.xliff import render_xliff

__all__ = [
    "ARTICLE_OUTPUTS",
    "paragraphs_text",
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


@dataclass(frozen=True)
class ArticleOutput:
    """One output file of an article: its name template and the renderer that writes it.

    ``name`` may hold ``{slug}`` and ``{lang}``; ``langs`` says which languages a ``{lang}`` output is
    written for: ``"all"`` (English and every target) or ``"targets"``.
    """

    name: str
    render: Callable[..., str]
    langs: str | None = None


#: Every output file of an article, in writing order (``manifest.json`` is the pipeline's, written last).
ARTICLE_OUTPUTS: tuple[ArticleOutput, ...] = (
    ArticleOutput("article.{lang}.md", render_article_md, langs="all"),
    ArticleOutput("summary.{lang}.md", render_summary_md, langs="all"),
    ArticleOutput("aligned.jsonl", render_jsonl),
    ArticleOutput("aligned.tsv", render_tsv),
    ArticleOutput("review.html", render_review_html),
    ArticleOutput("{slug}.tmx", render_tmx),
    ArticleOutput("{slug}.en-{lang}.xlf", render_xliff, langs="targets"),
)


def render_article(result: ArticleResult) -> dict[str, str]:
    """Every output file of one article (``ARTICLE_OUTPUTS``): name relative to ``outputs/<slug>/`` -> text.

    Raises ``ValueError`` for a slug or language code that is unsafe in a file name.
    """
    check_names(result)
    files: dict[str, str] = {}
    for output in ARTICLE_OUTPUTS:
        if output.langs is None:
            files[output.name.format(slug=result.slug)] = output.render(result)
            continue
        langs = ("en", *result.languages) if output.langs == "all" else result.languages
        for lang in langs:
            files[output.name.format(slug=result.slug, lang=lang)] = output.render(result, lang)
    return files


def paragraphs_text(segments: Iterable[AlignedSegment], lang: str) -> str:
    """Segments as plain running text in ``lang``: one paragraph per source paragraph, blank lines between."""
    paragraphs: dict[int, list[str]] = {}
    for segment in segments:
        paragraphs.setdefault(segment.paragraph, []).append(text_in(segment, lang))
    return "\n\n".join(join_sentences(p, lang) for p in paragraphs.values())
