"""The inline stylesheet and script of ``review.html``; kept apart so the page builder stays readable.

They are constants (not package data files) so the page renders the same from a wheel, a zipapp or a
checkout. The script reads data only through ``textContent``, ``dataset`` and ``JSON.parse``.
"""

from __future__ import annotations

FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, '
    '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
    "sans-serif"
)

BASE_CSS = """
:root {
  --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --faint: #eaeef2; --soft: #f6f8fa;
  --accent: #0969da; --flag: #9a4d00; --flag-bg: #fff1e0; --flag-line: #f0b36a;
  --hl: #fff5b8; --hl-line: #d4a72c; --active: #eef5ff;
  --kept: #e3f5e8; --kept-line: #2da44e; --enforced: #e3effc; --enforced-line: #0969da;
  --flagged: #ffe8e6; --flagged-line: #cf222e;
}
* { box-sizing: border-box; }
html { font-family: FONT_STACK; -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font-size: 15px; line-height: 1.6; }
.wrap { max-width: 1560px; margin: 0 auto; padding: 0 28px; }
code, .mono {
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.86em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 1.6rem; line-height: 1.3; margin: 0 0 0.3rem; font-weight: 650; }
.eyebrow { font-size: 0.75rem; letter-spacing: 0.06em; text-transform: uppercase; color: var(--muted);
  margin: 0 0 0.4rem; }
.meta-line { color: var(--muted); margin: 0; }
.meta-line span + span::before { content: "·"; margin: 0 0.5em; color: #a0a8b0; }
.badge { display: inline-block; font-size: 0.72rem; line-height: 1.5; padding: 0 0.5em; border-radius: 999px;
  background: var(--faint); color: var(--muted); font-weight: 500; white-space: nowrap;
  vertical-align: 0.1em; }
""".replace("FONT_STACK", FONT_STACK)

CSS = (
    BASE_CSS
    + """
header.doc { padding: 1.6rem 0 1.2rem; border-bottom: 1px solid var(--line); }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0.9rem;
  margin-top: 1.1rem; }
.fact { border: 1px solid var(--line); border-radius: 8px; padding: 0.7rem 0.9rem; background: var(--soft);
  min-width: 0; }
.fact h2 { font-size: 0.72rem; letter-spacing: 0.06em; text-transform: uppercase; color: var(--muted);
  margin: 0 0 0.4rem; }
.fact table { border-collapse: collapse; font-size: 0.82rem; width: 100%; }
.fact th, .fact td { padding: 0.1rem 0.6rem 0.1rem 0; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
.fact th { color: var(--muted); font-weight: 500; white-space: nowrap; width: 1%; }
.fact code { font-size: 0.95em; }
.fact .sub { display: block; color: var(--muted); font-size: 0.78rem; margin: 0.15rem 0 0.3rem; }
.fact p.sub { margin: 0.5rem 0 0; }
.chips { display: flex; flex-wrap: wrap; gap: 0.35rem; }
.chip { font-size: 0.8rem; border: 1px solid var(--flag-line); background: var(--flag-bg); color: var(--flag);
  border-radius: 999px; padding: 0 0.6em; }
.chip b { font-weight: 650; }
.none { color: var(--muted); font-size: 0.85rem; }
.toolbar { position: sticky; top: 0; z-index: 10; background: #fff;
  border-bottom: 1px solid var(--line); box-shadow: 0 1px 3px rgba(31, 35, 40, 0.06); }
.toolbar .wrap { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.4rem; min-height: 2.9rem;
  padding-top: 0.35rem; padding-bottom: 0.35rem; }
.toolbar label { display: inline-flex; align-items: center; gap: 0.4rem; font-size: 0.9rem; cursor: pointer; }
.toolbar .nav { display: inline-flex; align-items: center; gap: 0.4rem; }
.toolbar .legend { margin-left: auto; display: inline-flex; gap: 0.6rem; font-size: 0.8rem;
  color: var(--muted); align-items: center; }
#flag-pos { font-size: 0.85rem; color: var(--muted); min-width: 9rem; }
button { font: inherit; font-size: 0.82rem; padding: 0.15rem 0.7rem; border: 1px solid var(--line);
  border-radius: 6px;
  background: #fff; color: var(--ink); cursor: pointer; }
button:hover { background: var(--soft); }
button:disabled { opacity: 0.5; cursor: default; }
kbd { font-family: inherit; font-size: 0.75rem; border: 1px solid var(--line); border-bottom-width: 2px;
  border-radius: 4px;
  padding: 0 0.35em; background: #fff; color: var(--muted); }
main.wrap { padding-bottom: 4rem; }
h2.section { font-size: 1.1rem; margin: 1.8rem 0 0.2rem; }
p.hint { margin: 0 0 0.6rem; color: var(--muted); font-size: 0.85rem; }
table.grid { width: 100%; border-collapse: separate; border-spacing: 0; table-layout: fixed; }
table.grid col.c-meta { width: 8.5rem; }
table.grid thead th { position: sticky; top: 2.9rem; z-index: 5; background: #fff; text-align: left;
  font-size: 0.72rem;
  letter-spacing: 0.06em; text-transform: uppercase; color: var(--muted); font-weight: 600;
  padding: 0.5rem 0.8rem;
  border-bottom: 2px solid var(--line); }
table.grid tbody th, table.grid tbody td { padding: 0.55rem 0.8rem; vertical-align: top; text-align: left;
  border-top: 1px solid var(--faint); overflow-wrap: break-word; }
table.grid tbody th { font-weight: 400; font-size: 0.78rem; color: var(--muted); padding-left: 0.9rem; }
table.grid tbody td + td { border-left: 1px solid var(--faint); }
td:lang(zh) { line-height: 1.75; }
.sid { display: block; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color: var(--ink); }
.para { display: block; }
tr.para-start > * { border-top: 1px solid var(--line) !important; padding-top: 1.1rem !important; }
tr.kind-title td { font-size: 1.08rem; font-weight: 650; }
tr.kind-caption td { font-style: italic; color: #3d444d; background: #fbfcfd; }
.badge.k-title { background: #ddf4ff; color: #0550ae; }
.badge.k-caption { background: #fbefff; color: #8250df; }
.badge.k-subheading { background: #fff8c5; color: #7d4e00; }
.badge.k-item, .badge.k-quote { background: #eef1f4; color: #424a53; }
tr.kind-subheading td { font-weight: 650; }
tr.kind-quote td { padding-left: 1.4rem; }
.badge.k-summary { background: #dafbe1; color: #116329; }
tr.flagged th { box-shadow: inset 3px 0 0 var(--flag-line); }
.flags { display: block; margin-top: 0.3rem; font-style: normal; font-weight: 400; font-size: 0.78rem;
  line-height: 1.4; }
.flag { display: block; color: var(--flag); margin-top: 0.15rem; }
.flag .ftype { display: inline-block; background: var(--flag-bg); border: 1px solid var(--flag-line);
  border-radius: 4px;
  padding: 0 0.35em; margin-right: 0.35em; font-weight: 600; }
tr.summary-row { cursor: pointer; }
tr.summary-row:hover > *, tr.summary-row.active > * { background: var(--active); }
tr.summary-row.active th { box-shadow: inset 3px 0 0 var(--accent); }
tr.summary-row:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.support { display: flex; flex-wrap: wrap; gap: 0.2rem; margin-top: 0.35rem; }
.support a { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.72rem;
  border: 1px solid var(--line); border-radius: 4px; padding: 0 0.3em; background: #fff; }
tr.highlight > * { background: var(--hl) !important; }
tr.highlight th { box-shadow: inset 3px 0 0 var(--hl-line); }
.score { display: inline-block; margin-top: 0.3rem; font-size: 0.72rem; background: var(--hl-line);
  color: #fff;
  border-radius: 4px; padding: 0 0.4em; font-weight: 600; }
.score[hidden] { display: none; }
tr.current > * { background: #fff8f0; }
tr.current th { box-shadow: inset 4px 0 0 var(--flag) !important; }
mark.term { color: inherit; background: transparent; border-bottom: 2px solid; padding: 0 1px;
  border-radius: 2px; }
mark.term-kept { background: var(--kept); border-color: var(--kept-line); }
mark.term-enforced { background: var(--enforced); border-color: var(--enforced-line); }
mark.term-flagged { background: var(--flagged); border-color: var(--flagged-line); }
mark.term-other { background: var(--faint); border-color: var(--muted); }
.legend mark { font-size: 0.78rem; }
body.only-flagged tr.seg:not(.flagged):not(.highlight) { display: none; }
.empty-target { color: var(--muted); font-style: italic; }
.mem { display: inline-block; margin-left: 0.4em; font-size: 0.72rem; border-radius: 4px; padding: 0 0.4em;
  background: #dafbe1; color: #116329; font-weight: 600; white-space: nowrap; }
footer { color: var(--muted); font-size: 0.8rem; border-top: 1px solid var(--line); padding: 1rem 0 2rem; }
@media (max-width: 900px) { .wrap { padding: 0 12px; } table.grid col.c-meta { width: 6rem;
  } .toolbar .legend { display: none; } }
@media print {
  body { font-size: 10pt; }
  .toolbar, .support, .hint { display: none; }
  table.grid thead th { position: static; }
  tr { break-inside: avoid; }
  .fact { background: none; }
  tr.highlight > *, tr.summary-row.active > *, tr.current > * { background: none !important; }
  body.only-flagged tr.seg { display: table-row !important; }
}
"""
)

JS = """
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("tsum-data").textContent);
  const support = data.support || {};
  const rows = Array.from(document.querySelectorAll("tr[data-seg-id]"));
  const byId = new Map(rows.map((row) => [row.dataset.segId, row]));
  let flagged = rows.filter((row) => row.dataset.flags);
  const onlyFlagged = document.getElementById("only-flagged");
  const position = document.getElementById("flag-pos");
  let pinned = null;
  let current = -1;

  function clearHighlight() {
    for (const row of document.querySelectorAll("tr.highlight")) {
      row.classList.remove("highlight");
      const badge = row.querySelector(".score");
      if (badge) { badge.textContent = ""; badge.hidden = true; }
    }
    for (const row of document.querySelectorAll("tr.summary-row.active")) {
      row.classList.remove("active");
      row.setAttribute("aria-pressed", "false");
    }
  }

  function highlight(summaryRow, scroll) {
    clearHighlight();
    if (!summaryRow) return;
    summaryRow.classList.add("active");
    summaryRow.setAttribute("aria-pressed", "true");
    const targets = [];
    for (const item of support[summaryRow.dataset.segId] || []) {
      const row = byId.get(item.id);
      if (!row) continue;
      row.classList.add("highlight");
      const badge = row.querySelector(".score");
      if (badge) { badge.textContent = "support " + Number(item.score).toFixed(2); badge.hidden = false; }
      targets.push(row);
    }
    targets.sort((a, b) => rows.indexOf(a) - rows.indexOf(b));
    if (scroll && targets.length) targets[0].scrollIntoView({ block: "center" });
  }

  function pin(row) {
    pinned = pinned === row ? null : row;
    highlight(pinned, pinned !== null);
  }

  for (const row of document.querySelectorAll("tr.summary-row")) {
    row.addEventListener("mouseenter", () => highlight(row, false));
    row.addEventListener("mouseleave", () => highlight(pinned, false));
    row.addEventListener("click", (event) => {
      const link = event.target.closest("a.support-link");
      if (link) {
        event.preventDefault();
        pinned = row;
        highlight(row, false);
        const target = byId.get(link.dataset.target);
        if (target) target.scrollIntoView({ block: "center" });
        return;
      }
      pin(row);
    });
    row.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); pin(row); }
    });
  }

  function describe() {
    if (!flagged.length) { position.textContent = "No flagged rows"; return; }
    position.textContent = current < 0
      ? flagged.length + " flagged row" + (flagged.length === 1 ? "" : "s")
      : "Flagged row " + (current + 1) + " of " + flagged.length;
  }

  function go(step) {
    // Flags can change while the page is open (the review server re-checks an edited row): re-read them.
    const before = current >= 0 ? flagged[current] : null;
    if (before) before.classList.remove("current");
    // In the order the rows stand now (the review queue may have sorted them), skipping hidden ones.
    flagged = Array.from(document.querySelectorAll("tr[data-seg-id]"))
      .filter((row) => row.dataset.flags && !row.hidden);
    if (!flagged.length) { current = -1; describe(); return; }
    const index = before ? flagged.indexOf(before) : -1;
    if (index >= 0) {
      current = (index + step + flagged.length) % flagged.length;
    } else if (before) {  // that row is no longer flagged: go on from where it stood
      const order = Array.from(document.querySelectorAll("tr[data-seg-id]"));
      const after = flagged.findIndex((row) => order.indexOf(row) > order.indexOf(before));
      const next = after < 0 ? flagged.length : after;
      current = step > 0 ? next % flagged.length : (next - 1 + flagged.length) % flagged.length;
    } else {
      current = step > 0 ? 0 : flagged.length - 1;
    }
    const row = flagged[current];
    row.classList.add("current");
    row.scrollIntoView({ block: "center" });
    row.focus({ preventScroll: true });
    describe();
  }

  function applyFilter() { document.body.classList.toggle("only-flagged", onlyFlagged.checked); }

  onlyFlagged.addEventListener("change", applyFilter);
  document.getElementById("next-flag").addEventListener("click", () => go(1));
  document.getElementById("prev-flag").addEventListener("click", () => go(-1));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const el = event.target;
    const typing = el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT"
      || (el.tagName === "INPUT" && !["checkbox", "radio", "button"].includes(el.type));
    if (typing) return;
    if (event.key === "n") go(1);
    else if (event.key === "p") go(-1);
    else if (event.key === "Escape") { pinned = null; highlight(null, false); }
  });
  applyFilter();
  describe();
})();
"""

#: The review queue (review_html._queue_controls): filter rows by flag type, sort them worst first.
# Only on pages with a right-to-left language (a page without one stays as it was): its cells align to
# the right and indent quotes on the right; the English flags under them stay left-aligned.
RTL_CSS = """
table.grid tbody td[dir="rtl"] { text-align: right; }
tr.kind-quote td[dir="rtl"] { padding-left: 0.8rem; padding-right: 1.4rem; }
td[dir="rtl"] .flags { text-align: left; }
"""

QUEUE_CSS = """
.toolbar .queue { display: inline-flex; gap: 0.8rem; }
.toolbar select { font: inherit; font-size: 0.85rem; }
.conf { display: inline-block; margin: 0.2rem 0.4rem 0 0; font-size: 0.72rem; color: var(--muted); }
.conf.low { color: #a40e26; font-weight: 600; }
"""

QUEUE_JS = """
(() => {
  "use strict";
  const filter = document.getElementById("flag-filter");
  const order = document.getElementById("sort-order");
  if (!filter || !order) return;
  const bodies = Array.from(document.querySelectorAll("table.grid tbody"));
  const reading = new Map(bodies.map((body) => [body, Array.from(body.querySelectorAll("tr[data-seg-id]"))]));
  const confidence = (row) => (row.dataset.confidence ? Number(row.dataset.confidence) : Infinity);
  const flagCount = (row) => Number(row.dataset.flagCount || 0);

  function sortRows() {
    for (const [body, rows] of reading) {
      const sorted = rows.slice();
      // Worst first; rows without a confidence (memory, reviewer) last; reading order breaks ties.
      if (order.value === "confidence") sorted.sort((a, b) => confidence(a) - confidence(b));
      else if (order.value === "flags") sorted.sort((a, b) => flagCount(b) - flagCount(a));
      for (const row of sorted) body.appendChild(row);
      body.classList.toggle("sorted", order.value !== "reading");
    }
  }

  function filterRows() {
    const wanted = filter.value;
    for (const rows of reading.values()) {
      for (const row of rows) {
        const types = (row.dataset.flags || "").split(" ").filter(Boolean);
        row.hidden = wanted === "*" ? !types.length : wanted ? !types.includes(wanted) : false;
      }
    }
  }

  order.addEventListener("change", sortRows);
  filter.addEventListener("change", filterRows);
})();
"""
