"""TMX 1.4 translation memory holding every aligned segment in English, Chinese and Russian."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from translate_sum.records import ArticleResult, Flag
from translate_sum.render._common import input_path, lang_tag, tool_version, xml_text

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _prop(parent: ET.Element, kind: str, value: str) -> None:
    ET.SubElement(parent, "prop", {"type": kind}).text = xml_text(value)


def _flag_text(flag: Flag) -> str:
    return f"{flag.type}: {flag.detail}" if flag.lang is None else f"{flag.lang} {flag.type}: {flag.detail}"


def render_tmx(result: ArticleResult) -> str:
    """``<slug>.tmx``: one ``tu`` per segment (``tuid`` = segment id), ``tuv`` in en, zh-CN, ru.

    Segment kind, paragraph and summary support are ``x-`` props on the ``tu``; QA flags are
    ``x-flag`` props on the ``tuv`` of the language they concern (source flags on the ``tu``); a target
    served from the translation memory has an ``x-memory`` prop (status, origin); a machine
    translation has an ``x-confidence`` prop (the model's mean log-probability per token).
    """
    header_attrs = {
        "creationtool": "tsum",
        "creationtoolversion": tool_version(result),
        "segtype": "sentence",
        "o-tmf": "tsum",
        "adminlang": "en",
        "srclang": "en",
        "datatype": "plaintext",
        "o-encoding": "UTF-8",
    }
    root = ET.Element("tmx", {"version": "1.4"})
    header = ET.SubElement(root, "header", {k: xml_text(v) for k, v in header_attrs.items()})
    _prop(header, "x-slug", result.slug)
    _prop(header, "x-input", input_path(result))
    if sha := result.manifest.input_sha256:
        _prop(header, "x-input-sha256", str(sha))
    if glossary_sha := result.manifest.glossary_sha256:
        _prop(header, "x-glossary-sha256", str(glossary_sha))
    body = ET.SubElement(root, "body")
    for segment in result.segments:
        tu = ET.SubElement(body, "tu", {"tuid": xml_text(segment.id)})
        _prop(tu, "x-kind", segment.kind)
        _prop(tu, "x-paragraph", str(segment.paragraph))
        if segment.support:
            _prop(tu, "x-support", " ".join(f"{s.id}:{s.score:.4f}" for s in segment.support))
        langs = ["en", *(lang for lang in result.languages if lang in segment.translations)]
        for flag in segment.flags:
            if flag.lang not in langs:
                _prop(tu, "x-flag", _flag_text(flag))
        for lang in langs:
            tuv = ET.SubElement(tu, "tuv", {_XML_LANG: lang_tag(lang)})
            if hit := segment.memory.get(lang):
                _prop(
                    tuv,
                    "x-memory",
                    f"{hit.status} {hit.origin}" + (f" {hit.origin_name}" if hit.origin_name else ""),
                )
            if lang in segment.confidence:
                _prop(tuv, "x-confidence", f"{segment.confidence[lang]:.4f}")
            for flag in segment.flags:
                if flag.lang == lang:
                    _prop(tuv, "x-flag", _flag_text(flag))
            text = segment.en if lang == "en" else segment.translations[lang]
            ET.SubElement(tuv, "seg").text = xml_text(text)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
