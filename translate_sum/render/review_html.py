"""``review.html``: the self-contained page where a person reviews one article side by side."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from translate_sum.qa import FLAG_TYPES
from translate_sum.records import AlignedSegment, ArticleResult, Flag, Manifest
from translate_sum.render._common import input_path, lang_dir, lang_name, lang_tag, text_in, tool_version
from translate_sum.render._html import esc, json_block, page
from translate_sum.render._review_assets import CSS, JS, QUEUE_CSS, QUEUE_JS, RTL_CSS
from translate_sum.render._terms import isolated_html, marked_html, term_spans


@dataclass(frozen=True)
class PageExtras:
    """What a local server adds to the page: its own script and styles, and data for the script.

    With extras the page may connect back to the server that served it (``connect-src 'self'``).
    """

    script: str
    css: str = ""
    data: dict = field(default_factory=dict)


def _memory_badge(segment: AlignedSegment, lang: str) -> str:
    hit = segment.memory.get(lang)
    if hit is None:
        return ""
    where = f"{hit.origin}: {hit.origin_name}" if hit.origin_name else hit.origin
    title = f"From the translation memory ({hit.status}, {where}" + (
        f", {hit.updated})" if hit.updated else ")"
    )
    return f'<span class="mem" title="{esc(title)}">memory · {esc(hit.status)}</span>'


def _short(value: object, n: int = 12) -> str:
    text = str(value)
    return (
        f'<code title="{esc(text)}">{esc(text[:n])}</code>' if len(text) > n else f"<code>{esc(text)}</code>"
    )


def _flag_token(flag: Flag) -> str:
    return "_".join(flag.type.split()) or "flag"


def _title(result: ArticleResult) -> str:
    title = next((s.en for s in result.source_segments() if s.kind == "title"), "")
    return title or result.manifest.title or result.slug


def _models_fact(manifest: Manifest) -> str:
    rows = []
    for role, model in manifest.models.items():
        label = "summarizer" if role == "summarizer" else f"en → {role}"
        details = [
            f"rev {_short(model.revision)}" if model.revision else "no revision",
            esc(model.backend or "backend ?"),
        ]
        if model.target_token:
            details.append(f"<code>{esc(model.target_token)}</code>")
        rows.append(
            f"<tr><th>{esc(label)}</th><td><code>{esc(model.id or model.path or '?')}</code>"
            f'<span class="sub">{" · ".join(details)}</span></td></tr>'
        )
    table = f"<table>{''.join(rows)}</table>" if rows else '<p class="none">not recorded</p>'
    return f'<section class="fact"><h2>Models</h2>{table}</section>'


def _provenance_fact(result: ArticleResult) -> str:
    manifest = result.manifest
    input_sha = manifest.input_sha256
    timings = manifest.timings
    total = sum(timings.values())
    rows = [
        ("input", f"<code>{esc(input_path(result))}</code>"),
        ("input sha256", _short(input_sha or "—")),
        (
            "glossary",
            f"<code>{esc(manifest.glossary_path or '—')}</code> {_short(manifest.glossary_sha256 or '')}"
            if manifest.glossary_path or manifest.glossary_sha256
            else '<span class="none">none</span>',
        ),
        ("tsum", f"<code>{esc(tool_version(result))}</code>" + (f" · {total:.1f} s" if timings else "")),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<section class="fact"><h2>Provenance</h2><table>{body}</table></section>'


def _count_groups(counts: object) -> list[tuple[str, dict]]:
    """("", counts) for flat counts, (" (zh)", counts) per language when they are nested by language."""
    if not isinstance(counts, dict) or not counts:
        return []
    if all(isinstance(v, dict) for v in counts.values()):
        return [(f" ({lang})", v) for lang, v in counts.items()]
    return [("", counts)]


def _counts_text(counts: dict) -> str:
    return " · ".join(f"{esc(k)} {esc(v)}" for k, v in counts.items() if not isinstance(v, dict))


def _flags_fact(result: ArticleResult) -> str:
    counts = Counter(f.type for s in result.segments for f in s.flags)
    chips = (
        "".join(
            f'<span class="chip" title="{esc(FLAG_TYPES.get(kind, kind))}">{esc(kind)} <b>{n}</b></span>'
            for kind, n in sorted(counts.items())
        )
        or '<span class="none">no flags</span>'
    )
    glossary = result.manifest.glossary_counts
    glossary_lines = "".join(
        f'<p class="sub">glossary terms{esc(label)}: {_counts_text(numbers)}</p>'
        for label, numbers in _count_groups(glossary)
    )
    rows_flagged = sum(1 for s in result.segments if s.flags)
    summary = f'<p class="sub">{rows_flagged} of {len(result.segments)} segments flagged</p>'
    chips = f'<div class="chips">{chips}</div>'
    return f'<section class="fact"><h2>QA flags</h2>{chips}{summary}{glossary_lines}</section>'


def _header(result: ArticleResult) -> str:
    manifest = result.manifest
    meta = "".join(f"<span>{esc(v)}</span>" for v in (manifest.date, manifest.source) if v)
    return (
        '<header class="doc"><div class="wrap">'
        f'<p class="eyebrow">tsum review · {esc(result.slug)}</p>'
        f'<h1 lang="en">{esc(_title(result))}</h1>'
        f'<p class="meta-line">{meta}</p>'
        f'<div class="facts">{_models_fact(result.manifest)}{_provenance_fact(result)}'
        f"{_flags_fact(result)}</div>"
        "</div></header>"
    )


def _toolbar(result: ArticleResult) -> str:
    legend = "".join(
        f'<mark class="term term-{s}" title="{esc(t)}">{s}</mark>'
        for s, t in (
            ("kept", "the model produced the glossary form"),
            ("enforced", "tsum restored the glossary form"),
            ("flagged", "the glossary form is missing"),
        )
    )
    return (
        '<div class="toolbar" role="toolbar" aria-label="Review tools"><div class="wrap">'
        '<label><input type="checkbox" id="only-flagged"> Show only flagged rows</label>'
        '<span class="nav"><button type="button" id="prev-flag" title="Previous flagged row (p)">'
        "↑ Previous <kbd>p</kbd></button>"
        '<button type="button" id="next-flag" title="Next flagged row (n)">↓ Next <kbd>n</kbd></button>'
        "</span>"
        '<span id="flag-pos" aria-live="polite"></span>'
        + _queue_controls(result)
        + f'<span class="legend">glossary: {legend}</span>'
        "</div></div>"
    )


def _queue_controls(result: ArticleResult) -> str:
    """The review queue: filter rows by flag type, order them by confidence or flags (worst first)."""
    present = sorted({_flag_token(f) for s in result.segments for f in s.flags})
    options = "".join(
        f'<option value="{esc(t)}" title="{esc(FLAG_TYPES.get(t, t))}">{esc(t)}</option>' for t in present
    )
    return (
        '<span class="queue">'
        '<label>Flag <select id="flag-filter"><option value="">any row</option>'
        f'<option value="*">any flag</option>{options}</select></label>'
        '<label>Order <select id="sort-order"><option value="reading">reading order</option>'
        '<option value="confidence">confidence, lowest first</option>'
        '<option value="flags">most flags first</option></select></label>'
        "</span>"
    )


def _confidence_badge(segment: AlignedSegment, lang: str) -> str:
    if lang not in segment.confidence:
        return ""
    value = segment.confidence[lang]
    low = any(f.type == "low_confidence" and f.lang == lang for f in segment.flags)
    title = (
        "Model confidence: the mean log-probability per token of this output (0 is certain). "
        "Compare it with other rows of this run; it is not a quality score."
    )
    return f'<span class="conf{" low" if low else ""}" title="{esc(title)}">conf {value:.2f}</span>'


def _cell_flags(flags: list[Flag], attrs: str = "") -> str:
    if not flags:
        return ""
    items = "".join(
        f'<span class="flag" title="{esc(FLAG_TYPES.get(f.type, f.type))}">'
        f'<span class="ftype">{esc(f.type)}</span>{esc(f.detail)}</span>'
        for f in flags
    )
    return f'<span class="flags"{attrs}>{items}</span>'


_ENGLISH = ' dir="ltr" lang="en"'


def _cell(segment: AlignedSegment, lang: str, langs: tuple[str, ...]) -> str:
    text = text_in(segment, lang)
    rtl = lang_dir(lang) == "rtl"
    spans = term_spans(segment, lang)
    # In right-to-left text each Latin name or number is isolated, so that the marks around it keep
    # their places (one level of isolation: inside a term mark as well as outside).
    content = (
        marked_html(text, spans, isolated_html if rtl else esc)
        if text
        else '<span class="empty-target">(empty)</span>'
    )
    # Flags about the source, or about a language without a column, show under the English text.
    mine = [f for f in segment.flags if f.lang == lang or (lang == "en" and f.lang not in langs[1:])]
    # The cell's text runs in its language's direction; the badges and flags are English, left to right.
    direction = ' dir="rtl"' if rtl else ""
    return (
        # <bdi>: bidi controls in a text (U+202E and friends) cannot reorder the badge and flags after it.
        f'<td class="col-{esc(lang)}" lang="{esc(lang_tag(lang))}"{direction}>'
        f'<bdi class="cell-text"{direction}>{content}</bdi>'
        f"{_memory_badge(segment, lang)}"
        f"{_confidence_badge(segment, lang)}{_cell_flags(mine, _ENGLISH if rtl else '')}</td>"
    )


def _row(segment: AlignedSegment, langs: tuple[str, ...], *, para_start: bool) -> str:
    flag_types = sorted({_flag_token(f) for f in segment.flags})
    classes = ["seg", f"kind-{'_'.join(segment.kind.split())}"]
    attrs = {
        "id": f"seg-{segment.id}",
        "data-seg-id": segment.id,
        "data-kind": segment.kind,
        "data-paragraph": str(segment.paragraph),
        "data-flags": " ".join(flag_types),
        "data-flag-count": str(len(segment.flags)),
    }
    if segment.confidence:  # the row's worst: the queue orders rows by it
        attrs["data-confidence"] = f"{min(segment.confidence.values()):.4f}"
    meta = [f'<span class="sid">{esc(segment.id)}</span>']
    if segment.kind not in ("body", "summary"):
        meta.append(f'<span class="badge k-{esc(segment.kind)}">{esc(segment.kind)}</span>')
    if segment.kind == "summary":
        classes.append("summary-row")
        attrs.update({"tabindex": "0", "role": "button", "aria-pressed": "false"})
        if segment.support:
            listed = ", ".join(f"{s.id} ({s.score:.2f})" for s in segment.support)
            attrs["title"] = f"Supported by {listed} — click to highlight"
            links = "".join(
                f'<a class="support-link" href="#seg-{esc(s.id)}" data-target="{esc(s.id)}" '
                f'title="similarity {s.score:.2f}">{esc(s.id)} {s.score:.2f}</a>'
                for s in segment.support
            )
            meta.append(f'<span class="support">{links}</span>')
    else:
        attrs["tabindex"] = "-1"
        meta.append(f'<span class="para">¶ {segment.paragraph}</span>')
        meta.append('<span class="score" hidden></span>')
    if flag_types:
        classes.append("flagged")
    if para_start:
        classes.append("para-start")
    attr_html = " ".join(f'{k}="{esc(v)}"' for k, v in attrs.items())
    cells = "".join(_cell(segment, lang, langs) for lang in langs)
    return (
        f'<tr class="{esc(" ".join(classes))}" {attr_html}><th scope="row">{"".join(meta)}</th>{cells}</tr>'
    )


def _table(table_id: str, segments: list[AlignedSegment], langs: tuple[str, ...]) -> str:
    cols = '<col class="c-meta">' + "".join(f'<col class="c-{esc(lang)}">' for lang in langs)
    heads = "".join(f'<th scope="col">{esc(lang_name(lang))} · {esc(lang_tag(lang))}</th>' for lang in langs)
    rows, previous = [], None
    for segment in segments:
        rows.append(_row(segment, langs, para_start=previous is not None and segment.paragraph != previous))
        previous = segment.paragraph
    return (
        f'<table class="grid" id="{esc(table_id)}"><colgroup>{cols}</colgroup>'
        f'<thead><tr><th scope="col">Segment</th>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def render_review_html(result: ArticleResult, extras: PageExtras | None = None) -> str:
    """``review.html``: metadata header, the summary, then the article, one aligned row per segment.

    Self-contained (inline CSS and JS under a hash-based Content-Security-Policy, no external loads).
    All text is HTML-escaped; the script gets its data from a JSON block with ``<``, ``>``, ``&``
    written as ``\\u003c``-style escapes. Rows carry ``id="seg-<id>"``, ``data-seg-id``, ``data-kind``,
    ``data-paragraph`` and ``data-flags`` (space-separated flag types). Targets served from the
    translation memory carry a ``memory`` badge. ``extras`` (the review server's) add a second script,
    its styles and a ``tsum-edit`` JSON block.
    """
    langs = ("en", *result.languages)
    support = {
        s.id: [{"id": sp.id, "score": round(sp.score, 4)} for sp in s.support]
        for s in result.summary_segments()
    }
    body = (
        _header(result)
        + _toolbar(result)
        + '<main class="wrap">'
        + '<h2 class="section">Summary</h2>'
        + '<p class="hint">Hover or click a summary sentence to highlight the article sentences '
        "it rests on.</p>"
        + _table("summary-table", result.summary_segments(), langs)
        + '<h2 class="section">Article</h2>'
        + '<p class="hint">One row per sentence; a rule marks a new paragraph. <kbd>n</kbd> / <kbd>p</kbd> '
        "jump between flagged rows, <kbd>Esc</kbd> clears the highlight.</p>"
        + _table("article-table", result.source_segments(), langs)
        + "</main>"
        + f'<footer><div class="wrap">Generated by tsum {esc(tool_version(result))} from '
        f"<code>{esc(input_path(result))}</code>. Machine translation: review before use.</div></footer>"
        + json_block("tsum-data", {"support": support, "slug": result.slug})
    )
    styles = CSS + QUEUE_CSS + (RTL_CSS if any(lang_dir(lang) == "rtl" for lang in langs) else "")
    if extras is None:
        return page(f"Review · {_title(result)}", styles, body, scripts=(JS + QUEUE_JS,))
    body += json_block("tsum-edit", extras.data)
    css = styles + extras.css
    scripts = (JS + QUEUE_JS, extras.script)  # one script tag: the queue runs in the page's own
    return page(f"Review · {_title(result)}", css, body, scripts=scripts, connect="'self'")
