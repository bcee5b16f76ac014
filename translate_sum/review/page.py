"""The review page as the server serves it: the static page plus editing, versions and suggestions."""

from __future__ import annotations

from pathlib import Path

from translate_sum.memory.keys import normalize_key
from translate_sum.memory.store import MAX_TEXT, MemoryStore
from translate_sum.pipeline.article_files import read_article
from translate_sum.pipeline.refresh import refreshed_view
from translate_sum.pipeline.stages import is_memory_current
from translate_sum.records import ArticleResult
from translate_sum.render._html import esc, page
from translate_sum.render.index import INDEX_CSS
from translate_sum.render.review_html import PageExtras, render_review_html
from translate_sum.review.assets import EDIT_CSS, EDIT_JS


def page_data(folder: Path, store: MemoryStore, token: str) -> tuple[ArticleResult, dict]:
    """The article in ``folder`` and what the edit script needs: texts, memory versions, near matches.

    Each cell's text and version come from one source: the memory entry when there is one (another
    article may have saved it since this one was written), else the article with version 0. ``article``
    is the text the article's files hold, with its ``articleFlags``: what an edit replaces. When the
    memory changed since the files were written (saved from another article, imported), the page and
    each cell's ``flags`` are what a fresh run would write now (``tsum all`` writes that).
    """
    stored = read_article(folder)
    fresh = is_memory_current(stored, store)
    result = stored if fresh else refreshed_view(folder.parent, stored, store)
    rows: dict[str, dict] = {}
    suggestions: dict[str, dict] = {}
    for lang in result.languages:
        exact = store.lookup([s.en for s in result.segments], lang)
        for segment, now in zip(stored.segments, result.segments, strict=True):
            entry = exact.get(normalize_key(segment.en))
            hit = segment.memory.get(lang)
            article_text = segment.translations.get(lang, "")
            rows.setdefault(segment.id, {})[lang] = {
                "text": entry.target if entry else article_text,
                "version": entry.version if entry else 0,
                "status": entry.status if entry else None,
                "article": article_text,
                "articleStatus": hit.status if hit else None,
                "articleFlags": [f.to_dict() for f in segment.flags if f.lang == lang],
            }
            if not fresh:
                rows[segment.id][lang]["flags"] = [f.to_dict() for f in now.flags if f.lang == lang]
            if hit is None and entry is None:
                near = store.near(segment.en, lang)
                if near:
                    suggestions.setdefault(segment.id, {})[lang] = [
                        {"source": m.entry.source, "target": m.entry.target, "score": m.score} for m in near
                    ]
    data = {
        "token": token,
        "slug": result.slug,
        "languages": list(result.languages),
        "maxLength": MAX_TEXT,
        "rows": rows,
        "suggestions": suggestions,
    }
    return result, data


def render_server_page(folder: Path, store: MemoryStore, token: str) -> str:
    """``review.html`` with editing switched on, for the local review server."""
    result, data = page_data(folder, store, token)
    return render_review_html(result, PageExtras(script=EDIT_JS, css=EDIT_CSS, data=data))


def render_file_list(slug: str, names: list[str]) -> str:
    """The page behind the index's "files" link: each file of the article ``slug``, linked."""
    items = "".join(f'<li><a href="{esc(name)}">{esc(name)}</a></li>' for name in names)
    body = (
        f'<main class="wrap"><p class="eyebrow"><a href="../index.html">tsum outputs</a></p>'
        f"<h1>{esc(slug)}</h1><ul>{items}</ul></main>"
    )
    return page(f"Files · {slug}", INDEX_CSS, body)
