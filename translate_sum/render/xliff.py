"""XLIFF 1.2 bilingual files (en → one target language) for review in a CAT tool."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from translate_sum.records import AlignedSegment, ArticleResult
from translate_sum.render._common import input_path, lang_tag, tool_version, xml_text

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: The model's confidence travels as a ``<note from="tsum-confidence">`` on the unit: CAT tools (OmegaT,
#: memoQ, Trados, translate-toolkit) keep notes through a round trip, while an ``alt-trans`` would be
#: taken for a translation-memory match and its ``match-quality`` for a percentage.
CONFIDENCE_NOTE = "tsum-confidence"
CONFIDENCE_PREFIX = "model confidence (mean log-probability per token, relative): "


def _el(
    parent: ET.Element, tag: str, attrs: dict[str, str] | None = None, text: str | None = None
) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in (attrs or {}).items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _notes(unit: ET.Element, segment: AlignedSegment, lang: str) -> None:
    for flag in segment.flags:
        if flag.lang in (None, lang):
            annotates = "target" if flag.lang else "source"
            _el(
                unit,
                "note",
                {"from": "tsum", "annotates": annotates, "priority": "2"},
                f"{flag.type}: {flag.detail}",
            )
    if segment.support:
        support = ", ".join(f"{s.id} ({s.score:.2f})" for s in segment.support)
        _el(
            unit,
            "note",
            {"from": "tsum", "annotates": "general", "priority": "5"},
            f"supported by: {support}",
        )
    if lang in segment.confidence:
        _el(
            unit,
            "note",
            {"from": CONFIDENCE_NOTE, "annotates": "target", "priority": "3"},
            f"{CONFIDENCE_PREFIX}{segment.confidence[lang]:.4f}",
        )
    if hit := segment.memory.get(lang):
        where = f"{hit.origin}: {hit.origin_name}" if hit.origin_name else hit.origin
        _el(
            unit,
            "note",
            {"from": "tsum", "annotates": "target", "priority": "5"},
            f"memory: {hit.status} ({where})",
        )
    for term in segment.terms:
        if term.lang == lang:
            _el(
                unit,
                "note",
                {"from": "tsum", "annotates": "general", "priority": "5"},
                f"glossary: {term.en} → {term.target} ({term.status})",
            )


def _restype(kind: str) -> str:
    # The strict schema accepts extension values only as "x-" plus at least one non-space.
    return "x-" + ("_".join(kind.split()) or "segment")


def render_xliff(result: ArticleResult, lang: str) -> str:
    """``<slug>.en-<lang>.xlf``: one ``trans-unit`` per segment (id = segment id) with the machine
    translation as ``target state="needs-review-translation" state-qualifier="mt-suggestion"``; a
    target the memory holds approved (or imported as final) is ``state="final"`` in an ``approved="yes"``
    unit, a reviewer's unapproved edit ``state="translated"`` in an ``approved="no"`` one.

    ``restype`` is ``x-<kind>``; QA flags, summary support, glossary hits and the model's confidence
    (``from="tsum-confidence"``) are ``note``s.
    Validates against the OASIS XLIFF 1.2 strict schema.
    """
    # Built without namespaces and given a default xmlns: ElementTree's default_namespace option refuses
    # unqualified attributes, and a prefixed "xlf:" document is harder to read.
    root = ET.Element("xliff", {"xmlns": XLIFF_NS, "version": "1.2"})
    file_attrs = {
        "original": input_path(result),
        "source-language": "en",
        "target-language": lang_tag(lang),
        "datatype": "plaintext",
        "tool-id": "tsum",
        "product-name": result.slug,
    }
    file_el = _el(root, "file", file_attrs)
    header = _el(file_el, "header")
    _el(header, "tool", {"tool-id": "tsum", "tool-name": "tsum", "tool-version": tool_version(result)})
    model = result.manifest.models.get(lang)
    if model is not None and model.id:
        revision = f" @ {model.revision}" if model.revision else ""
        _el(header, "note", {"from": "tsum"}, f"machine translation: {model.id}{revision}")
    body = _el(file_el, "body")
    for segment in result.segments:
        hit = segment.memory.get(lang) if lang in segment.translations else None
        # A reviewer's draft is translated, not final: a CAT tool must not take it as signed off.
        final = hit is not None and hit.status != "edited"
        unit = _el(
            body,
            "trans-unit",
            {"id": segment.id, "restype": _restype(segment.kind), "approved": "yes" if final else "no"},
        )
        unit.set(_XML_SPACE, "preserve")
        _el(unit, "source", text=segment.en)
        if lang in segment.translations:
            if final:
                target_attrs = {"state": "final"}
            elif hit is not None:
                target_attrs = {"state": "translated"}
            else:
                target_attrs = {"state": "needs-review-translation", "state-qualifier": "mt-suggestion"}
            _el(unit, "target", target_attrs, segment.translations[lang])
        _notes(unit, segment, lang)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
