"""The CAT round trip: reviewed targets in from XLIFF 1.2 and TMX 1.4 files, the whole memory out as TMX.

States round-trip: an approved entry is written ``state="final"`` (``approved="yes"``), an edited one
``state="translated"``; an import takes what the file's *state* says is done (final, signed-off), and
``translated`` targets only when asked (stored as ``edited``, a draft). Languages are matched as BCP 47
tags by language and script (``zh-TW`` is Traditional Chinese, not tsum's Simplified ``zh``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import langcodes
from lxml import etree

from translate_sum import languages as languages_registry
from translate_sum.errors import TranslationMemoryError
from translate_sum.memory.store import MemoryStore
from translate_sum.storage import write_atomic

#: XLIFF 1.2 target states that mean a person finished the translation.
DONE_STATES = ("final", "signed-off")
#: A person translated it but nobody signed it off: imported (as ``edited``) only when asked for.
DRAFT_STATES = ("translated",)
#: The languages tsum translates into unless the caller names others (models.toml's translators).
DEFAULT_LANGUAGES = ("zh", "ru")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XLIFF_NS = "{urn:oasis:names:tc:xliff:document:1.2}"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
# TMX inline elements holding native codes (not text) and sub-flows (text of something else).
_CODES = {"bpt", "ept", "ph", "it", "ut", "sub"}

#: progress(description, total) -> context manager yielding update(n), as the CLI's progress bars.
Progress = Callable[[str, int], AbstractContextManager[Callable[[int], object]]]


@dataclass
class ImportReport:
    """What one import did: entries added, changed, already there, units passed over, and why."""

    path: Path
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # not done (state), no target, not from English, another language, entities
    notes: Counter = field(default_factory=Counter)  # reason -> units

    def skip(self, reason: str | None = None, n: int = 1) -> None:
        self.skipped += n
        if reason:
            self.notes[reason] += n

    def describe(self) -> str:
        lines = [
            f"{self.path.name}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped"
        ]
        lines += [f"  {n} skipped: {reason}" for reason, n in sorted(self.notes.items())]
        return "\n".join(lines)


@lru_cache(maxsize=256)
def _language(tag: str) -> langcodes.Language | None:
    try:
        language = langcodes.Language.get(tag.strip().replace("_", "-"))
    except (ValueError, langcodes.LanguageTagError):
        return None
    if not language.language or not language.is_valid():
        return None
    return language.maximize()


def lang_code(tag: str | None, languages: Iterable[str] | None = None) -> str | None:
    """The code of ``languages`` that the BCP 47 / locale tag ``tag`` names, by language and script.

    ``zh-CN``, ``zh-Hans``, ``zh-SG`` -> ``zh``; ``ru_RU`` -> ``ru``; ``zh-TW``, ``zh-Hant`` -> None
    (Traditional script); an unknown or malformed tag -> None. ``languages`` None: any language, as the
    registry writes it (``fr-FR`` -> ``fr``, ``ar-EG`` -> ``ar``; in the language's usual script, so ``sr-Latn`` -> None).
    """
    wanted = _language(tag) if tag else None
    if wanted is None:
        return None
    if languages is None:  # the language itself, in its usual script (checked below)
        own = wanted.language or ""
        languages = (own,) if re.fullmatch(r"[a-z]{2,3}", own) else ()
    for code in languages:
        ours = _language(code)
        if ours is not None and (ours.language, ours.script) == (wanted.language, wanted.script):
            return code
    return None


def _describe_tag(tag: str) -> str:
    language = _language(tag)
    return f"{tag} ({language.language}, {language.script} script)" if language else repr(tag)


def import_file(
    path: Path,
    store: MemoryStore,
    languages: Iterable[str] = DEFAULT_LANGUAGES,
    *,
    include_translated: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Add the finished translations in an XLIFF 1.2 (``.xlf``/``.xliff``) or TMX 1.4 file to ``store``.

    XLIFF: targets whose ``state`` is final or signed-off (``approved="yes"`` alone does not count);
    ``translated`` ones too with ``include_translated``, stored as ``edited``. TMX: every English ``tuv``
    with each other language of its ``tu`` (a ``tsum memory export`` entry marked ``edited`` only with
    ``include_translated``), read as a stream. Targets in a language that is not one of ``languages``,
    and units holding entity references, are skipped and reported. Raises TranslationMemoryError for a
    file that cannot be read.
    """
    path = Path(path)
    languages = tuple(languages)
    try:
        with open(path, "rb") as handle:
            head = handle.read(2000).lower()
    except OSError as exc:
        raise TranslationMemoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".tmx" or b"<tmx" in head:
        return _import_tmx(path, store, languages, include_translated, progress)
    if path.suffix.lower() in (".xlf", ".xliff") or b"<xliff" in head:
        return _import_xliff(path, store, languages, include_translated)
    raise TranslationMemoryError(f"{path}: neither XLIFF (.xlf) nor TMX (.tmx)")


def _store(report: ImportReport, store: MemoryStore, items: Iterable[tuple], origin: str) -> None:
    counts = store.import_entries(items, origin, report.path.name)
    report.added += counts["added"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"]
    if counts["invalid"]:
        report.skip("empty, too long or holding a NUL character", counts["invalid"])


def _entities(*elements) -> list[str]:
    return sorted({f"&{node.name};" for e in elements if e is not None for node in e.iter(etree.Entity)})


def _language_note(tag: str | None, languages: tuple[str, ...]) -> str:
    return (
        f"language {_describe_tag(tag or '')} is not a configured language "
        f"({', '.join(languages)}; zh is Simplified Chinese)"
    )


def _import_xliff(
    path: Path, store: MemoryStore, languages: tuple[str, ...], include_translated: bool
) -> ImportReport:
    from translate.storage import xliff

    try:
        document = xliff.xlifffile.parsestring(path.read_bytes())
    except OSError as exc:
        raise TranslationMemoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # noqa: BLE001 - the toolkit raises lxml and its own errors alike
        raise TranslationMemoryError(f"{path}: not a readable XLIFF file: {exc}") from None
    report = ImportReport(path)
    items = []
    for unit in document.units:
        element = unit.xmlelement
        file_node = next(element.iterancestors(f"{_XLIFF_NS}file", "file"), None)
        attrs = file_node.attrib if file_node is not None else {}
        source_node = element.find(f"{_XLIFF_NS}source")
        if source_node is None:
            source_node = element.find("source")
        target_node = element.find(f"{_XLIFF_NS}target")
        if target_node is None:
            target_node = element.find("target")
        state = target_node.get("state") if target_node is not None else None
        source, target = str(unit.source or ""), str(unit.target or "")
        tag = attrs.get("target-language")
        lang = lang_code(tag, languages)
        if lang is None:
            report.skip(_language_note(tag, languages))
            continue
        if lang_code(attrs.get("source-language"), ("en",)) is None and attrs.get("source-language"):
            report.skip(f"source language {_describe_tag(attrs['source-language'])} is not English")
            continue
        if state in DONE_STATES:
            status = "imported"
        elif state in DRAFT_STATES and include_translated:
            status = "edited"
        elif state in DRAFT_STATES:
            report.skip('state="translated" (not signed off; add --include-translated to take it)')
            continue
        else:
            report.skip()  # machine suggestions and targets that still need review
            continue
        if entities := _entities(source_node, target_node):
            report.skip(f"entity references {' '.join(entities)} (expand them in the CAT tool)")
            continue
        if not source.strip() or not target.strip():
            report.skip()
            continue
        slug = attrs.get("product-name")
        items.append((source, lang, target, status, slug if _SLUG.fullmatch(slug or "") else None))
    _store(report, store, items, "xliff")
    return report


class _CountingReader:
    """A binary file whose reads report their size: the progress of a streamed parse."""

    def __init__(self, raw: BinaryIO, update: Callable[[int], object]):
        self.raw, self.update = raw, update

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.update(len(data))
        return data


def _seg_text(seg) -> str:
    parts = [seg.text or ""]
    for child in seg:
        if child.tag == "hi":
            parts.append(_seg_text(child))
        elif child.tag not in _CODES and isinstance(child.tag, str):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def _import_tmx(
    path: Path,
    store: MemoryStore,
    languages: tuple[str, ...],
    include_translated: bool,
    progress: Progress | None,
) -> ImportReport:
    report = ImportReport(path)
    bar = progress(path.name, path.stat().st_size) if progress else nullcontext(lambda n: None)
    try:
        with open(path, "rb") as raw, bar as update:
            units = _tmx_units(path, _CountingReader(raw, update), report, languages, include_translated)
            _store(report, store, units, "tmx")
    except OSError as exc:
        raise TranslationMemoryError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except etree.XMLSyntaxError as exc:
        raise TranslationMemoryError(
            f"{path}: not a readable TMX file: {exc} (entries read before it may be stored; importing the "
            "corrected file again is safe)"
        ) from None
    return report


def _tmx_units(
    path: Path,
    source: _CountingReader,
    report: ImportReport,
    languages: tuple[str, ...],
    include_translated: bool,
) -> Iterator[tuple[str, str, str, str, None]]:
    # A stream: each <tu> is read, used and cleared, so memory stays flat whatever the file's size.
    # Entities stay references (never expanded, nothing fetched), to be reported.
    parse = etree.iterparse(
        source,
        events=("end",),
        tag=("header", "tu"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
    )
    for _, element in parse:
        if element.tag == "header":
            if element.get("o-tmf") == "tsum" and element.find("prop[@type='x-slug']") is not None:
                raise TranslationMemoryError(
                    f"{path}: a per-article TMX written by tsum holds machine translations; post-edit the "
                    "article's .xlf in a CAT tool and import that, or import a memory exported with "
                    "`tsum memory export`"
                )
            continue
        yield from _tu_items(element, report, languages, include_translated)
        element.clear(keep_tail=False)
        while element.getprevious() is not None:  # the cleared <tu>s before it, still in the tree
            del element.getparent()[0]


def _tu_items(tu, report: ImportReport, languages: tuple[str, ...], include_translated: bool):
    status = "imported"
    for prop in tu.iterfind("prop"):
        if prop.get("type") == "x-tsum-status" and prop.text == "edited":
            if not include_translated:
                report.skip("edited, not approved (add --include-translated to take drafts)")
                return
            status = "edited"
    source = None
    targets: dict[str, str] = {}
    for tuv in tu.iterfind("tuv"):
        tag = tuv.get(_XML_LANG) or tuv.get("lang")
        seg = tuv.find("seg")
        if seg is None:
            continue
        if entities := _entities(seg):
            report.skip(f"entity references {' '.join(entities)} (expand them in the CAT tool)")
            return
        if lang_code(tag, ("en",)) == "en":
            source = source if source is not None else _seg_text(seg)
            continue
        lang = lang_code(tag, languages)
        if lang is None:
            report.skip(_language_note(tag, languages))
        elif lang not in targets:
            targets[lang] = _seg_text(seg)
    if source is None or not source.strip() or not targets:
        if source is None or not source.strip():
            report.skip("no English source")
        return
    for lang, target in targets.items():
        if target.strip():
            yield (source, lang, target, status, None)
        else:
            report.skip()


def export_tmx(store: MemoryStore, path: Path) -> int:
    """Write every entry of ``store`` to ``path`` as TMX 1.4 (one ``tu`` per entry, English source).

    Each ``tu`` carries ``x-tsum-status`` (approved, edited or imported), ``x-tsum-origin`` and
    ``x-tsum-updated`` props; the header names tsum as the original format (``o-tmf``). Returns the
    number of entries written.
    """
    from translate.storage import tmx

    document = tmx.tmxfile(sourcelanguage="en")
    header = document.document.getroot().find("header")
    header.set("o-tmf", "tsum")  # the toolkit writes the encoding here; TMX wants the format's name
    header.set("creationtool", "tsum")
    count = 0
    for entry in store.iter_entries():
        count += 1
        document.addtranslation(entry.source, "en", entry.target, languages_registry.get(entry.lang).tag)
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
    return count
