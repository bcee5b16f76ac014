"""The CAT round trip: reviewed targets in from XLIFF 1.2 and TMX 1.4 files, the whole memory out as TMX."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from translate_sum.errors import TranslationMemoryError
from translate_sum.memory.store import MemoryStore
from translate_sum.storage import write_atomic

#: XLIFF 1.2 target states that mean a person finished the translation.
DONE_STATES = ("final", "translated", "signed-off")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XLIFF_NS = "{urn:oasis:names:tc:xliff:document:1.2}"
# tsum's language codes as tags in files it writes (the rest are written as they are).
_TAGS = {"zh": "zh-CN"}
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass
class ImportReport:
    """What one import did: entries added, changed, already there, and units passed over."""

    path: Path
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # not done (XLIFF state), no target, or not from English

    def describe(self) -> str:
        return (
            f"{self.path.name}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped"
        )


def lang_code(tag: str | None) -> str | None:
    """``zh-CN`` -> ``zh``, ``ru_RU`` -> ``ru``: tsum's code for a BCP 47 / locale tag."""
    if not tag:
        return None
    code = re.split(r"[-_]", tag.strip())[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def import_file(path: Path, store: MemoryStore) -> ImportReport:
    """Add the finished translations in an XLIFF 1.2 (``.xlf``/``.xliff``) or TMX 1.4 file to ``store``.

    XLIFF: units whose target has ``state`` final, translated or signed-off, or whose unit is
    ``approved="yes"``. TMX: every English ``tuv`` with each other language of its ``tu``. Entries are
    stored as ``imported``, with the file name as origin. Raises TranslationMemoryError for a file
    that cannot be read.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TranslationMemoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    head = data[:2000].lower()
    if path.suffix.lower() == ".tmx" or b"<tmx" in head:
        return _import_tmx(path, data, store)
    if path.suffix.lower() in (".xlf", ".xliff") or b"<xliff" in head:
        return _import_xliff(path, data, store)
    raise TranslationMemoryError(f"{path}: neither XLIFF (.xlf) nor TMX (.tmx)")


def _save(report: ImportReport, store: MemoryStore, source: str, lang: str, target: str, **where) -> None:
    before = store.get(source, lang)
    entry = store.put(source, lang, target, status="imported", origin_name=report.path.name, **where)
    if before is None:
        report.added += 1
    elif entry.version != before.version:
        report.updated += 1
    else:
        report.unchanged += 1


def _import_xliff(path: Path, data: bytes, store: MemoryStore) -> ImportReport:
    from translate.storage import xliff

    try:
        document = xliff.xlifffile.parsestring(data)
    except Exception as exc:  # noqa: BLE001 - the toolkit raises lxml and its own errors alike
        raise TranslationMemoryError(f"{path}: not a readable XLIFF file: {exc}") from None
    report = ImportReport(path)
    for unit in document.units:
        element = unit.xmlelement
        file_node = next(element.iterancestors(f"{_XLIFF_NS}file"), None)
        if file_node is None:
            file_node = next(element.iterancestors("file"), None)
        attrs = file_node.attrib if file_node is not None else {}
        target_node = element.find(f"{_XLIFF_NS}target")
        if target_node is None:
            target_node = element.find("target")
        state = target_node.get("state") if target_node is not None else None
        done = state in DONE_STATES or element.get("approved") == "yes"
        source, target = str(unit.source or ""), str(unit.target or "")
        lang = lang_code(attrs.get("target-language"))
        if not done or not source.strip() or not target.strip() or lang is None:
            report.skipped += 1
            continue
        if lang_code(attrs.get("source-language")) not in (None, "en"):
            report.skipped += 1
            continue
        slug = attrs.get("product-name")
        _save(
            report,
            store,
            source,
            lang,
            target,
            origin="xliff",
            slug=slug if _SLUG.fullmatch(slug or "") else None,
        )
    return report


def _import_tmx(path: Path, data: bytes, store: MemoryStore) -> ImportReport:
    from translate.storage import tmx

    try:
        document = tmx.tmxfile.parsestring(data)
    except Exception as exc:  # noqa: BLE001 - the toolkit raises lxml and its own errors alike
        raise TranslationMemoryError(f"{path}: not a readable TMX file: {exc}") from None
    header = document.document.getroot().find("header")
    if (
        header is not None
        and header.get("o-tmf") == "tsum"
        and header.find("prop[@type='x-slug']") is not None
    ):
        raise TranslationMemoryError(
            f"{path}: a per-article TMX written by tsum holds machine translations; post-edit the article's "
            ".xlf in a CAT tool and import that, or import a memory exported with `tsum memory export`"
        )
    source_lang = lang_code(header.get("srclang") if header is not None else None) or "en"
    if source_lang != "en":
        source_lang = "en"  # "*all*" or another tag: tsum translates from English only
    report = ImportReport(path)
    for unit in document.units:
        texts: dict[str, str] = {}
        for node in unit.getlanguageNodes():
            lang = lang_code(node.get(_XML_LANG) or node.get("lang"))
            if lang and lang not in texts:
                texts[lang] = str(unit.getNodeText(node) or "")
        source = texts.pop(source_lang, "")
        if not source.strip() or not texts:
            report.skipped += 1
            continue
        for lang, target in texts.items():
            if target.strip():
                _save(report, store, source, lang, target, origin="tmx")
            else:
                report.skipped += 1
    return report


def export_tmx(store: MemoryStore, path: Path) -> int:
    """Write every entry of ``store`` to ``path`` as TMX 1.4 (one ``tu`` per entry, English source).

    Each ``tu`` carries ``x-tsum-status``, ``x-tsum-origin`` and ``x-tsum-updated`` props. Returns the
    number of entries written.
    """
    from translate.storage import tmx

    document = tmx.tmxfile(sourcelanguage="en")
    entries = store.entries()
    for entry in entries:
        document.addtranslation(entry.source, "en", entry.target, _TAGS.get(entry.lang, entry.lang))
        element = document.units[-1].xmlelement
        props = [
            ("x-tsum-status", entry.status),
            ("x-tsum-origin", entry.origin),
            ("x-tsum-updated", entry.updated),
        ]
        if entry.origin_name:
            props.append(("x-tsum-origin-name", entry.origin_name))
        for index, (kind, value) in enumerate(props):  # TMX 1.4: props come before the tuvs
            prop = element.makeelement("prop", {"type": kind})
            prop.text = value
            element.insert(index, prop)
    write_atomic(Path(path), bytes(document))
    return len(entries)
