"""The review server's own script and styles, added to ``review.html`` only when the server serves it.

The script builds every element with ``createElement`` and sets text only through ``textContent``:
nothing a reviewer types or the server returns is ever parsed as HTML.
"""

from __future__ import annotations

EDIT_CSS = """
.edit-tools { display: flex; gap: 0.3rem; margin-top: 0.35rem; }
.edit-tools button, .editor button { font-size: 0.75rem; padding: 0 0.5rem; }
.editor textarea { width: 100%; min-height: 4.5rem; font: inherit; padding: 0.3rem; border: 1px solid var(--accent);
  border-radius: 6px; resize: vertical; }
.editor .row-buttons { display: flex; gap: 0.3rem; margin-top: 0.25rem; align-items: center; }
.editor .replaces { display: block; font-size: 0.78rem; color: var(--muted); margin-bottom: 0.3rem;
  border-left: 3px solid var(--line); padding-left: 0.4rem; }
.editor .replaces .was { display: block; color: var(--ink); }
.edit-msg { display: block; font-size: 0.78rem; margin-top: 0.25rem; }
.edit-msg.error { color: #cf222e; font-weight: 600; }
.edit-msg .theirs { display: block; font-weight: 400; color: var(--ink); border-left: 3px solid #cf222e;
  padding-left: 0.4rem; margin-top: 0.2rem; }
.edit-msg.ok { color: #116329; }
.suggestions { display: block; margin-top: 0.35rem; font-size: 0.78rem; color: var(--muted); }
.suggestion { display: block; border-left: 3px solid var(--line); padding-left: 0.4rem; margin-top: 0.2rem; }
.suggestion .score { display: inline; background: var(--faint); color: var(--muted); margin: 0 0.3rem 0 0; }
.target-text, .sugg-target, .was, .theirs { unicode-bidi: isolate; }
td.cell-current { outline: 2px solid var(--accent); outline-offset: -2px; }
#edit-status { font-size: 0.85rem; color: var(--muted); }
#edit-status.error { color: #cf222e; font-weight: 600; }
tr.saving > * { opacity: 0.6; }
"""

EDIT_JS = """
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("tsum-edit").textContent);
  const langs = data.languages || [];
  const state = data.rows || {};
  const suggestions = data.suggestions || {};
  const rows = Array.from(document.querySelectorAll("tr[data-seg-id]"));
  const byId = new Map(rows.map((row) => [row.dataset.segId, row]));
  const focusLang = new Map();  // row id -> the language cell keys act on
  const status = document.createElement("span");
  status.id = "edit-status";
  status.setAttribute("aria-live", "polite");
  status.textContent = "Editing on: e edit, a approve the highlighted cell ([ ] another language), " +
    "A approve the row, Ctrl+Enter save, Ctrl+Shift+Enter save and approve";
  document.querySelector(".toolbar .wrap").appendChild(status);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function cellOf(row, lang) { return row.querySelector("td.col-" + lang); }
  function info(id, lang) {
    state[id] = state[id] || {};
    state[id][lang] = state[id][lang] || { text: "", version: 0, status: null };
    return state[id][lang];
  }
  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }
  function flagList(flags) {
    const box = el("span", "flags");
    for (const flag of flags) {
      const item = el("span", "flag");
      item.append(el("span", "ftype", flag.type), document.createTextNode(flag.detail));
      box.append(item);
    }
    return box;
  }

  function langOf(row) {
    const lang = focusLang.get(row.dataset.segId);
    return langs.includes(lang) ? lang : langs.find((l) => cellOf(row, l)) || langs[0];
  }
  function markCell(row, lang) {
    for (const node of document.querySelectorAll("td.cell-current")) node.classList.remove("cell-current");
    focusLang.set(row.dataset.segId, lang);
    const cell = cellOf(row, lang);
    if (cell) cell.classList.add("cell-current");
  }

  function tools(row, lang) {
    const box = el("span", "edit-tools");
    const edit = el("button", "edit-btn", "Edit");
    edit.type = "button";
    edit.title = "Edit this translation (e)";
    edit.addEventListener("click", () => openEditor(row, lang));
    const approve = el("button", "approve-btn", "Approve");
    approve.type = "button";
    approve.title = "Approve this translation only (a)";
    approve.addEventListener("click", () => approve1(row, lang));
    box.append(edit, approve);
    return box;
  }

  function suggestionList(row, lang, editor) {
    const list = (suggestions[row.dataset.segId] || {})[lang] || [];
    if (!list.length) return null;
    const box = el("span", "suggestions");
    box.append(el("span", "", "Similar sentences in the memory (not applied):"));
    for (const item of list) {
      const line = el("span", "suggestion");
      line.append(el("span", "score", Number(item.score).toFixed(2)), el("bdi", "sugg-target", item.target));
      line.title = "Memory source: " + item.source;
      if (editor) {
        const use = el("button", "use-btn", "Use");
        use.type = "button";
        use.addEventListener("click", () => { editor.value = item.target; editor.focus(); });
        line.append(" ", use);
      }
      box.append(line);
    }
    return box;
  }

  function renderCell(row, lang) {
    const cell = cellOf(row, lang);
    const current = info(row.dataset.segId, lang);
    cell.replaceChildren();
    const text = el("bdi", "target-text", current.text);
    // A right-to-left cell (dir="rtl" from the page) keeps its direction; its English flags run left to right.
    if (cell.dir) text.dir = cell.dir;
    cell.append(text);
    if (current.status) cell.append(el("span", "mem", "memory · " + current.status));
    const flags = (current.flags || []);
    if (flags.length) {
      const list = flagList(flags);
      if (cell.dir === "rtl") { list.dir = "ltr"; list.lang = "en"; }
      cell.append(list);
    }
    const sugg = current.status ? null : suggestionList(row, lang, null);
    if (sugg) cell.append(sugg);
    cell.append(tools(row, lang));
  }

  function refreshFlags(row) {
    const types = new Set();
    for (const lang of langs) {
      const current = info(row.dataset.segId, lang);
      if (current.flags === undefined) {
        for (const node of cellOf(row, lang).querySelectorAll(".flag .ftype")) types.add(node.textContent);
      } else {
        for (const flag of current.flags) types.add(flag.type);
      }
    }
    for (const node of row.querySelectorAll("td.col-en .flag .ftype")) types.add(node.textContent);
    row.dataset.flags = Array.from(types).sort().join(" ");
    row.classList.toggle("flagged", types.size > 0);
  }

  function apply(result) {
    for (const item of result.rows || []) {
      const row = byId.get(item.id);
      if (!row) continue;
      const current = info(item.id, item.lang);
      Object.assign(current, item);
      current.article = item.text;
      current.articleFlags = item.flags;
      renderCell(row, item.lang);
      refreshFlags(row);
    }
  }

  async function save(row, lang, text, action) {
    const current = info(row.dataset.segId, lang);
    row.classList.add("saving");
    try {
      const response = await fetch("/api/" + encodeURIComponent(data.slug) + "/" + encodeURIComponent(row.dataset.segId), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Tsum-Token": data.token },
        body: JSON.stringify({ lang: lang, text: text, action: action, version: current.version, base: current.text }),
        credentials: "same-origin",
      });
      let body = {};
      try { body = await response.json(); } catch (error) { body = {}; }
      if (response.status === 409) {
        const theirs = (body.current || {}).text || "";
        const message = "Conflict: this translation was saved elsewhere (another tab or article?) since " +
          "this page was loaded; your text was not saved. Saved there (version " +
          ((body.current || {}).version || 0) + "):";
        say(message + " " + theirs, true);
        return { ok: false, message: message, theirs: theirs };
      }
      if (response.status === 503 && body.saved) {
        Object.assign(current, body.saved);  // the memory holds it: a retry must not conflict with itself
        renderCell(row, lang);
      }
      if (!response.ok) {
        const message = "Not saved: " + (body.error || ("HTTP " + response.status));
        say(message, true);
        return { ok: false, message: message };
      }
      apply(body);
      say((action === "approve" ? "Approved " : "Saved ") + row.dataset.segId + " (" + lang + ")", false);
      return { ok: true };
    } catch (error) {
      const message = "Not saved: the review server did not answer (" + error + ")";
      say(message, true);
      return { ok: false, message: message };
    } finally {
      row.classList.remove("saving");
    }
  }

  function replacesBox(current) {
    const box = el("span", "replaces");
    const label = current.status ? "Replaces (memory · " + current.status + ")" : "Replaces the machine translation";
    box.append(el("span", "", label + ":"), el("bdi", "was", current.text));
    const flags = current.flags || current.articleFlags || [];
    if (flags.length) {
      box.append(el("span", "", "and its flags:"), flagList(flags));
    }
    return box;
  }

  function openEditor(row, lang) {
    const cell = cellOf(row, lang);
    if (!cell) return;
    markCell(row, lang);
    if (cell.querySelector(".editor")) { cell.querySelector("textarea").focus(); return; }
    const current = info(row.dataset.segId, lang);
    const editor = el("div", "editor");
    const area = el("textarea");
    area.value = current.text;
    area.maxLength = data.maxLength || 20000;
    area.setAttribute("aria-label", "Translation of " + row.dataset.segId + " (" + lang + ")");
    const buttons = el("span", "row-buttons");
    const saveBtn = el("button", "save-btn", "Save");
    saveBtn.type = "button";
    saveBtn.title = "Save as a draft (Ctrl+Enter)";
    const approveBtn = el("button", "save-approve-btn", "Save and approve");
    approveBtn.type = "button";
    approveBtn.title = "Save and approve (Ctrl+Shift+Enter)";
    const cancel = el("button", "cancel-btn", "Cancel");
    cancel.type = "button";
    const message = el("span", "edit-msg");
    buttons.append(saveBtn, approveBtn, cancel);
    editor.append(replacesBox(current), area, buttons, message);
    const sugg = suggestionList(row, lang, area);
    if (sugg) editor.append(sugg);
    cell.replaceChildren(editor);
    async function submit(action) {
      const result = await save(row, lang, area.value, action);
      if (!result.ok) {
        message.replaceChildren(el("span", "", result.message));
        if (result.theirs !== undefined) message.append(el("bdi", "theirs", result.theirs));
        message.className = "edit-msg error";
      } else {
        row.focus({ preventScroll: true });
      }
    }
    saveBtn.addEventListener("click", () => submit("edit"));
    approveBtn.addEventListener("click", () => submit("approve"));
    cancel.addEventListener("click", () => { renderCell(row, lang); row.focus({ preventScroll: true }); });
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit(event.shiftKey ? "approve" : "edit");
      }
      if (event.key === "Escape") { event.preventDefault(); renderCell(row, lang); row.focus({ preventScroll: true }); }
    });
    area.focus();
  }

  async function approve1(row, lang) {
    const cell = cellOf(row, lang);
    if (!cell || cell.querySelector(".editor")) return;
    markCell(row, lang);
    await save(row, lang, info(row.dataset.segId, lang).text, "approve");
  }

  async function approveRow(row) {
    const todo = langs.filter((lang) => cellOf(row, lang) && info(row.dataset.segId, lang).text);
    if (!window.confirm("Approve all " + todo.length + " languages of " + row.dataset.segId + ": " +
      todo.join(", ") + "?")) return;
    for (const lang of todo) await approve1(row, lang);
  }

  function activeRow() {
    const focused = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("tr[data-seg-id]") : null;
    return focused || document.querySelector("tr.current") || null;
  }

  for (const row of rows) {
    row.addEventListener("focus", () => markCell(row, langOf(row)));
    for (const lang of langs) {
      const cell = cellOf(row, lang);
      if (!cell) continue;
      const current = info(row.dataset.segId, lang);
      cell.addEventListener("click", () => markCell(row, lang));
      // What is shown is what is true: a memory entry saved since this article was written wins.
      if (current.article !== undefined && (current.text !== current.article || current.status !== current.articleStatus)) {
        renderCell(row, lang);
        refreshFlags(row);
        continue;
      }
      cell.append(...[suggestionList(row, lang, null)].filter((x) => x && !current.status), tools(row, lang));
    }
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const typing = target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT"
      || (target.tagName === "INPUT" && !["checkbox", "radio", "button"].includes(target.type));
    if (typing) return;
    const row = activeRow();
    if (!row) return;
    const lang = langOf(row);
    if (event.key === "e") { event.preventDefault(); openEditor(row, lang); }
    else if (event.key === "a") { event.preventDefault(); approve1(row, lang); }
    else if (event.key === "A") { event.preventDefault(); approveRow(row); }
    else if (event.key === "[" || event.key === "]") {
      event.preventDefault();
      const present = langs.filter((l) => cellOf(row, l));
      const step = event.key === "]" ? 1 : present.length - 1;
      markCell(row, present[(present.indexOf(lang) + step) % present.length]);
    }
  });
})();
"""
