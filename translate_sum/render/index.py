"""``outputs/index.md`` and ``outputs/index.html``: every article of a run, its status and its files."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from translate_sum.records import IndexEntry
from translate_sum.render._html import esc, page
from translate_sum.render._review_assets import BASE_CSS
from translate_sum.render.markdown import escape_md

_STATUS_ORDER = ("done", "skipped", "failed", "interrupted", "removed")
# What a reader sees for each status: "skipped" reads as "not processed", but it means the article's
# outputs are already there and current (the run summary line says the same).
_STATUS_LABELS = {
    "skipped": "up to date",
    "interrupted": "not done (run stopped)",  # the run was interrupted before this article
    "removed": "input removed",  # outputs of an input file that no longer exists
}


def _label(status: str) -> str:
    return _STATUS_LABELS.get(status, status)


def _links(slug: str) -> list[tuple[str, str]]:
    """(label, href relative to ``outputs/``) for the files a reader opens first."""
    folder = quote(slug, safe="")
    return [
        ("review", f"{folder}/review.html"),
        ("files", f"{folder}/"),
        ("TMX", f"{folder}/{folder}.tmx"),
        ("TSV", f"{folder}/aligned.tsv"),
        ("manifest", f"{folder}/manifest.json"),
    ]


def _flags_text(flags: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(flags.items()) if n) or "—"


def _tally(entries: list[IndexEntry]) -> str:
    counts = Counter(e.status for e in entries)
    order = [*_STATUS_ORDER, *sorted(set(counts) - set(_STATUS_ORDER))]
    parts = ", ".join(f"{counts[s]} {_label(s)}" for s in order if counts[s])
    noun = "article" if len(entries) == 1 else "articles"
    return f"{len(entries)} {noun}" + (f": {parts}" if parts else "")


def _title(entry: IndexEntry) -> str:
    return entry.title or entry.source_path


def _ordered(entries: list[IndexEntry]) -> list[IndexEntry]:
    """Newest first (undated last), then by source file: the release a reader looks for is recent."""
    by_source = sorted(entries, key=lambda e: e.source_path)
    dated = sorted((e for e in by_source if e.date), key=lambda e: e.date or "", reverse=True)
    return dated + [e for e in by_source if not e.date]


def _source(entry: IndexEntry) -> str:
    """The input's file name: copies of one release under different names are told apart by it."""
    return entry.source_path.replace("\\", "/").rsplit("/", 1)[-1]


def _languages(entry: IndexEntry) -> str:
    return ", ".join(entry.languages)


def _md_cell(text: str) -> str:
    return escape_md(text) or "—"


def render_index_md(entries: list[IndexEntry]) -> str:
    """``outputs/index.md``: a table, newest first, of date, title (linked to its review page), source file,
    languages, status, flag counts and links; a failed article shows its error instead of links. Links
    are relative to ``outputs/``."""
    lines = ["# tsum outputs", "", _tally(entries) + ".", ""]
    lines += [
        "| Date | Title | Source | Languages | Status | Flags | Files |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry in _ordered(entries):
        title = _md_cell(_title(entry))
        if entry.slug and entry.status != "failed":
            links = _links(entry.slug)
            title = f"[{title}]({links[0][1]})"
            files = " · ".join(f"[{label}]({href})" for label, href in links)
        else:
            files = f"error: {_md_cell(entry.error or 'unknown error')}" if entry.status == "failed" else "—"
        cells = [
            _md_cell(entry.date or ""),
            title,
            _md_cell(_source(entry)),
            _md_cell(_languages(entry)),
            _md_cell(_label(entry.status)),
            _md_cell(_flags_text(entry.flags)),
            files,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


INDEX_CSS = (
    BASE_CSS
    + """
main.wrap { padding-top: 1.8rem; padding-bottom: 3rem; }
p.tally { color: var(--muted); margin: 0 0 1.2rem; }
table.index { width: 100%; border-collapse: collapse; font-size: 0.92rem; }
table.index th, table.index td { text-align: left; vertical-align: top; padding: 0.55rem 0.8rem;
  border-bottom: 1px solid var(--faint); }
table.index thead th { font-size: 0.72rem; letter-spacing: 0.06em; text-transform: uppercase;
  color: var(--muted);
  border-bottom: 2px solid var(--line); }
td.date { white-space: nowrap; color: var(--muted); }
td.src { color: var(--muted); font-size: 0.8rem; overflow-wrap: anywhere; }
.links a + a::before { content: "·"; margin: 0 0.45em; color: #a0a8b0; }
.badge.s-done { background: #dafbe1; color: #116329; }
.badge.s-skipped { background: var(--faint); color: var(--muted); }
.badge.s-failed { background: #ffebe9; color: #a40e26; }
.badge.s-interrupted, .badge.s-removed { background: #fff8c5; color: #7d4e00; }
.error { color: #a40e26; font-size: 0.85rem; overflow-wrap: anywhere; }
@media print { a { color: inherit; } }
"""
)


def _low_confidence_cell(entry: IndexEntry) -> str:
    """The share of an article's translations the model was far less sure of than of the run's others."""
    low = entry.flags.get("low_confidence", 0)
    if not entry.targets:
        return "<td>—</td>"
    share = low / entry.targets
    title = f"{low} of {entry.targets} translated segments flagged low_confidence (relative to the run)"
    return f'<td class="lowconf" title="{esc(title)}">{share:.0%}</td>'


def _html_row(entry: IndexEntry) -> str:
    title = f"<bdi>{esc(_title(entry))}</bdi>"  # isolated: a bidi control cannot reorder the row
    if entry.slug and entry.status != "failed":
        links = _links(entry.slug)
        title = f'<a href="{esc(links[0][1])}">{title}</a>'
        last = "".join(f'<a href="{esc(href)}">{esc(label)}</a>' for label, href in links)
        last = f'<span class="links">{last}</span>'
    elif entry.status == "failed":
        last = f'<span class="error">{esc(entry.error or "unknown error")}</span>'
    else:
        last = "—"
    status = "".join(ch for ch in entry.status if ch.isalnum()) or "unknown"
    return (
        f'<tr><td class="date">{esc(entry.date or "—")}</td>'
        f'<td class="title">{title}</td>'
        f'<td class="src mono" title="{esc(entry.source_path)}">{esc(_source(entry))}</td>'
        f"<td>{esc(_languages(entry) or '—')}</td>"
        f'<td><span class="badge s-{status}">{esc(_label(entry.status))}</span></td>'
        f"<td>{esc(_flags_text(entry.flags))}</td>{_low_confidence_cell(entry)}<td>{last}</td></tr>"
    )


def render_index_html(entries: list[IndexEntry]) -> str:
    """``outputs/index.html``: the same table as ``index.md`` as a self-contained page without scripts."""
    rows = "".join(_html_row(e) for e in _ordered(entries))
    body = (
        '<main class="wrap"><p class="eyebrow">tsum</p><h1>Outputs</h1>'
        f'<p class="tally">{esc(_tally(entries))}</p>'
        '<table class="index"><thead><tr>'
        "<th>Date</th><th>Title</th><th>Source</th><th>Languages</th><th>Status</th><th>Flags</th>"
        '<th title="Share of translated segments flagged low_confidence">Low confidence</th><th>Files</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></main>"
    )
    return page("tsum outputs", INDEX_CSS, body)
