"""Markdown renderings of the article and its summary, one file per language.

A right-to-left language's file is wrapped in ``<div dir="rtl" lang="…">`` (blank lines around the
Markdown inside, so CommonMark renderers still read it as Markdown): its paragraphs then run right to left.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from translate_sum import languages
from translate_sum.records import AlignedSegment, ArticleResult
from translate_sum.render._common import join_sentences, paragraph_runs, text_in

# Backslash-escape what Markdown would read as markup, so a sentence stays a sentence: inline markers
# anywhere, block markers (heading, quote, list item, setext underline, "1." list) at the line start.
_INLINE = re.compile(r"([\\`*_~\[\]<>|])")
_BLOCK_START = re.compile(r"^([#>+\-=])")
_NUMBERED = re.compile(r"^(\d+)([.)])")
_KIND_MARKUP = {"title": "# {}", "subheading": "## {}", "item": "- {}", "quote": "> {}", "caption": "*{}*"}


def escape_md(text: str) -> str:
    """``text`` as one line of Markdown that renders as the text itself (newlines become spaces)."""
    text = _INLINE.sub(r"\\\1", " ".join(text.split()))
    return _NUMBERED.sub(r"\1\\\2", _BLOCK_START.sub(r"\\\1", text))


def _title(result: ArticleResult, lang: str) -> str:
    for segment in result.source_segments():
        if segment.kind == "title":
            return text_in(segment, lang) or segment.en
    return result.manifest.title or result.slug


def _metadata_line(result: ArticleResult) -> str | None:
    parts = [p for p in (result.manifest.date, result.manifest.source) if p]
    return " · ".join(escape_md(p) for p in parts) or None


def _block(run: list[AlignedSegment], lang: str) -> str:
    text = escape_md(join_sentences((text_in(s, lang) for s in run), lang))
    if not text:
        return ""
    # The structure the article came with: a reviewer sees headings, lists and quotes as such.
    return _KIND_MARKUP.get(run[0].kind, "{}").format(text)


def render_article_md(result: ArticleResult, lang: str) -> str:
    """``article.<lang>.md``: title heading, date · source line, then paragraphs, ``##`` subheadings,
    ``-`` list items, ``>`` quotes and italic captions."""
    blocks = [f"# {escape_md(_title(result, lang))}", _metadata_line(result)]
    blocks += [
        _block(run, lang) for run in paragraph_runs(result.source_segments()) if run[0].kind != "title"
    ]
    return _document(blocks, lang)


def render_summary_md(result: ArticleResult, lang: str) -> str:
    """``summary.<lang>.md``: the article title, then the summary sentences as one paragraph."""
    blocks = [f"# {escape_md(_title(result, lang))}"]
    if meta := _metadata_line(result):
        blocks.append(meta)
    blocks.append(f"## {escape_md(languages.get(lang).summary_heading)}")
    blocks.append(escape_md(join_sentences((text_in(s, lang) for s in result.summary_segments()), lang)))
    return _document(blocks, lang)


def _document(blocks: Sequence[str | None], lang: str) -> str:
    language = languages.get(lang)
    if language.rtl:
        blocks = [f'<div dir="rtl" lang="{language.tag}">', *blocks, "</div>"]
    return "\n\n".join(b for b in blocks if b) + "\n"
