"""``tsum qa``: the glossary and QA checks on a bilingual file from a CAT tool or a person, no model.

Reads XLIFF 1.2, TMX 1.4 and tsum's own ``aligned.tsv`` / ``aligned.jsonl``; every English source with
a target runs through the same checks a machine translation gets (``pipeline.stages.checked_target``),
then the checks across the whole set (consistency; low confidence where the file carries tsum's
model confidences).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from translate_sum.errors import TsumError
from translate_sum.memory.cat import lang_code
from translate_sum.pipeline.stages import checked_target
from translate_sum.qa import (
    DEFAULT_SETTINGS,
    DEGENERATE,
    FLAG_TYPES,
    QaSettings,
    RunSegment,
    consistency_flags,
    low_confidence_flags,
)
from translate_sum.render._html import esc, page
from translate_sum.render.xliff import CONFIDENCE_NOTE
from translate_sum.terms.guard import TermGuard

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XLIFF_NS = "{urn:oasis:names:tc:xliff:document:1.2}"
#: Columns of tsum's aligned.tsv, and keys of aligned.jsonl, that are not a target language.
_TSV_META = {"id", "kind", "paragraph", "en", "flags"}
_JSONL_META = _TSV_META | {"support", "terms", "memory", "confidence"}


class BilingualFileError(TsumError):
    """A file ``tsum qa`` cannot read as a bilingual file."""


@dataclass(frozen=True)
class Unit:
    """One source sentence and its translation into ``lang``, as found in a file."""

    file: str
    id: str
    lang: str
    en: str
    target: str
    confidence: float | None = None


@dataclass(frozen=True)
class Finding:
    """One flag on one unit: what a reviewer should look at."""

    file: str
    id: str
    lang: str
    type: str
    detail: str
    en: str
    target: str

    def to_dict(self) -> dict:
        return asdict(self)


def read_units(path: Path) -> list[Unit]:
    """The translated units of ``path`` (by content: XLIFF, TMX, JSON lines, else tsum's TSV)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BilingualFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    head = data[:2000].lower()
    suffix = Path(path).suffix.lower()
    if suffix == ".tmx" or b"<tmx" in head:
        return _tmx_units(path, data)
    if suffix in (".xlf", ".xliff") or b"<xliff" in head:
        return _xliff_units(path, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BilingualFileError(f"{path}: not UTF-8 text, XLIFF or TMX") from None
    if suffix == ".jsonl" or text.lstrip().startswith("{"):
        return _jsonl_units(path, text)
    if suffix in (".tsv", ".txt") or "\t" in text.split("\n", 1)[0]:
        return _tsv_units(path, text)
    raise BilingualFileError(f"{path}: not XLIFF 1.2, TMX 1.4, or tsum's aligned.tsv / aligned.jsonl")


def _xliff_units(path: Path, data: bytes) -> list[Unit]:
    from translate.storage import xliff

    try:
        document = xliff.xlifffile.parsestring(data)
    except Exception as exc:  # noqa: BLE001 - the toolkit raises lxml and its own errors alike
        raise BilingualFileError(f"{path}: not a readable XLIFF file: {exc}") from None
    units = []
    for n, unit in enumerate(document.units, start=1):
        element = unit.xmlelement
        file_node = next(element.iterancestors(f"{_XLIFF_NS}file"), None)
        if file_node is None:
            file_node = next(element.iterancestors("file"), None)
        attrs = file_node.attrib if file_node is not None else {}
        lang = lang_code(attrs.get("target-language"))
        source, target = str(unit.source or ""), str(unit.target or "")
        if lang is None or not source.strip() or lang_code(attrs.get("source-language")) not in (None, "en"):
            continue
        confidence = None
        for note in element.iter(f"{_XLIFF_NS}note", "note"):
            if note.get("from") == CONFIDENCE_NOTE:
                confidence = _number((note.text or "").rsplit(":", 1)[-1])
        units.append(Unit(str(path), element.get("id") or str(n), lang, source, target, confidence))
    return units


def _tmx_units(path: Path, data: bytes) -> list[Unit]:
    from translate.storage import tmx

    try:
        document = tmx.tmxfile.parsestring(data)
    except Exception as exc:  # noqa: BLE001 - the toolkit raises lxml and its own errors alike
        raise BilingualFileError(f"{path}: not a readable TMX file: {exc}") from None
    units = []
    for n, unit in enumerate(document.units, start=1):
        texts: dict[str, tuple[str, float | None]] = {}
        for node in unit.getlanguageNodes():
            lang = lang_code(node.get(_XML_LANG) or node.get("lang"))
            if lang and lang not in texts:
                prop = node.find("prop[@type='x-confidence']")
                score = _number(prop.text) if prop is not None else None
                texts[lang] = (str(unit.getNodeText(node) or ""), score)
        source = texts.pop("en", ("", None))[0]
        uid = unit.xmlelement.get("tuid") or str(n)
        units += [
            Unit(str(path), uid, lang, source, t, c) for lang, (t, c) in texts.items() if source.strip()
        ]
    return units


def _jsonl_units(path: Path, text: str) -> list[Unit]:
    units = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            en = str(record["en"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BilingualFileError(f"{path}, line {n}: not a tsum aligned.jsonl record ({exc})") from None
        scores = record.get("confidence") or {}
        for lang, target in record.items():
            if lang not in _JSONL_META and lang_code(lang) == lang and isinstance(target, str):
                units.append(Unit(str(path), str(record.get("id", n)), lang, en, target, scores.get(lang)))
    return units


def _tsv_units(path: Path, text: str) -> list[Unit]:
    lines = text.splitlines()
    header = lines[0].split("\t") if lines else []
    if "en" not in header:
        raise BilingualFileError(
            f"{path}: a TSV file needs a header row with an 'en' column and target columns"
        )
    langs = [c for c in header if c not in _TSV_META and lang_code(c) == c]
    if not langs:
        raise BilingualFileError(f"{path}: no target-language column (zh, ru, …) in the header")
    units = []
    for n, line in enumerate(lines[1:], start=2):
        cells = dict(zip(header, line.split("\t"), strict=False))
        en = _untext(cells.get("en", ""))
        for lang in langs:
            if en.strip():
                score = _number(cells.get(f"confidence_{lang}", ""))
                units.append(
                    Unit(str(path), cells.get("id") or str(n), lang, en, _untext(cells.get(lang, "")), score)
                )
    return units


def _untext(cell: str) -> str:
    # aligned.tsv guards a cell a spreadsheet would run as a formula with a leading apostrophe.
    return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@") else cell


def _number(text: str | None) -> float | None:
    try:
        return float((text or "").strip())
    except ValueError:
        return None


def check_units(
    units: Sequence[Unit], glossary=None, settings: QaSettings = DEFAULT_SETTINGS
) -> list[Finding]:
    """Every flag on ``units``: glossary and per-segment checks, then consistency and low confidence
    over all units of a language (across the files given together)."""
    guard = TermGuard(glossary)
    flags = [list(checked_target(u.en, u.target, u.lang, guard, settings=settings).flags) for u in units]
    for lang in sorted({u.lang for u in units}):
        index = [i for i, u in enumerate(units) if u.lang == lang]
        low = low_confidence_flags([units[i].confidence for i in index], lang, settings)
        same = (
            consistency_flags([_run_segment(units[i], flags[i]) for i in index], lang)
            if settings.enabled("consistency")
            else [[] for _ in index]
        )
        for i, flag, extra in zip(index, low, same, strict=True):
            flags[i] += ([flag] if flag else []) + extra
    return [
        Finding(u.file, u.id, u.lang, f.type, f.detail, u.en, u.target)
        for u, found in zip(units, flags, strict=True)
        for f in found
    ]


def _run_segment(unit: Unit, flags: list) -> RunSegment:
    degenerate = any(f.type in DEGENERATE for f in flags)  # not compared, as in a run
    return RunSegment(f"{Path(unit.file).name} {unit.id}", unit.en, "" if degenerate else unit.target)


def findings_tsv(findings: Sequence[Finding]) -> str:
    """One line per finding: file, unit id, language, flag type, what to look at (tabs in text removed)."""
    return "".join(
        "\t".join(" ".join(str(v).split()) for v in (f.file, f.id, f.lang, f.type, f.detail)) + "\n"
        for f in findings
    )


def findings_json(findings: Sequence[Finding]) -> str:
    """One JSON object per line and finding."""
    return "".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in findings)


_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #d8dee4; padding: .4rem .5rem; text-align: left; vertical-align: top; }
td.type { white-space: nowrap; font-weight: 600; }
.none { color: #57606a; }
"""


def findings_html(findings: Sequence[Finding], files: Sequence[str], units: int) -> str:
    """A self-contained HTML report (no script; every text escaped)."""
    rows = "".join(
        f"<tr><td>{esc(Path(f.file).name)}</td><td>{esc(f.id)}</td><td>{esc(f.lang)}</td>"
        f'<td class="type" title="{esc(FLAG_TYPES.get(f.type, f.type))}">{esc(f.type)}</td>'
        f'<td>{esc(f.detail)}</td><td lang="en">{esc(f.en)}</td><td lang="{esc(f.lang)}">{esc(f.target)}</td></tr>'
        for f in findings
    )
    table = (
        "<table><thead><tr><th>File</th><th>Unit</th><th>Lang</th><th>Flag</th><th>What to look at</th>"
        f"<th>Source</th><th>Target</th></tr></thead><tbody>{rows}</tbody></table>"
        if findings
        else '<p class="none">No findings.</p>'
    )
    listed = ", ".join(esc(Path(f).name) for f in files)
    body = f"<h1>tsum qa</h1><p>{len(findings)} findings in {units} units of {listed}.</p>{table}"
    return page("tsum qa report", _CSS, body)
