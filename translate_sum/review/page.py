"""The review page as the server serves it: the static page plus editing, versions and suggestions."""

from __future__ import annotations

from pathlib import Path

from translate_sum.memory.keys import normalize_key
from translate_sum.memory.store import MAX_TEXT, MemoryStore
from translate_sum.pipeline.article_files import read_article
from translate_sum.pipeline.inputs import manifest_glossary, term_guard
from translate_sum.pipeline.stages import checked_target
from translate_sum.records import ArticleResult
from translate_sum.render._html import esc, page
from translate_sum.render.index import INDEX_CSS
from translate_sum.render.review_html import PageExtras, render_review_html
from translate_sum.review.assets import EDIT_CSS, EDIT_JS
from translate_sum.terms.guard import TermGuard


def page_data(folder: Path, store: MemoryStore, token: str) -> tuple[ArticleResult, dict]:
    """The article in ``folder`` and what the edit script needs: texts, memory versions, near matches.

    Each cell's text and version come from one source: the memory entry when there is one (another
    article may have saved it since this one was written), else the article with version 0. ``article``
    is the text the article's files hold, with its ``flags``: what an edit replaces.
    """
    result = read_article(folder)
    rows: dict[str, dict] = {}
    guard: TermGuard | None = None  # loaded when a cell needs its checks
    suggestions: dict[str, dict] = {}
    for lang in result.languages:
        exact = store.lookup([s.en for s in result.segments], lang)
        for segment in result.segments:
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
            if entry is not None and entry.target != article_text:
                # Saved from another article or imported since this one was written: its own checks.
                if guard is None:
                    guard = term_guard(manifest_glossary(result.manifest))
                split = any(f.type == "split" and f.lang == lang for f in segment.flags)
                checked = checked_target(segment.en, entry.target, lang, guard, split=split)
                rows[segment.id][lang]["flags"] = [f.to_dict() for f in checked.flags]
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
