"""Helpers the renderers share: language tags, XML-safe text, paragraph grouping, manifest look-ups."""

from __future__ import annotations

import re
from collections.abc import Iterable

from translate_sum import __version__, languages
from translate_sum.records import END_MATTER, AlignedSegment, ArticleResult

# Characters XML 1.0 forbids (most C0 controls, surrogates, U+FFFE/U+FFFF): a serializer would
# either write a broken file or refuse, so they are dropped from text before it reaches one.
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RECORD_KEYS = frozenset(AlignedSegment("", "", 0, "").to_dict())
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def lang_tag(lang: str) -> str:
    """The BCP 47 tag written into TMX/XLIFF/HTML ``lang`` attributes for tsum's code ``lang`` ("zh-CN")."""
    return languages.get(lang).tag


def lang_name(lang: str) -> str:
    """The language's English name, for headings ("Chinese")."""
    return languages.get(lang).name


def lang_dir(lang: str) -> str:
    """The text direction of ``lang``: "ltr" or "rtl"."""
    return languages.get(lang).direction


def xml_text(text: str) -> str:
    """``text`` with XML-illegal characters removed and CR/CRLF as LF (XML parsers do the latter anyway)."""
    return _XML_ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def text_in(segment: AlignedSegment, lang: str) -> str:
    """The segment's text in ``lang``; end matter left untranslated shows as its English source."""
    if lang == "en":
        return segment.en
    return segment.translations.get(lang, segment.en if segment.kind == END_MATTER else "")


def join_sentences(sentences: Iterable[str], lang: str) -> str:
    """Sentences of one paragraph as running text: Chinese needs no space between sentences."""
    return languages.join_text(lang, (s.strip() for s in sentences if s.strip()))


def paragraph_runs(segments: Iterable[AlignedSegment]) -> list[list[AlignedSegment]]:
    """Consecutive segments grouped by (kind, paragraph): one run per rendered paragraph."""
    runs: list[list[AlignedSegment]] = []
    for segment in segments:
        if runs and (runs[-1][0].kind, runs[-1][0].paragraph) == (segment.kind, segment.paragraph):
            runs[-1].append(segment)
        else:
            runs.append([segment])
    return runs


def tool_version(result: ArticleResult) -> str:
    return str(result.manifest.tsum_version or __version__)


def input_path(result: ArticleResult) -> str:
    return result.manifest.input_path or ""


def check_names(result: ArticleResult) -> None:
    """Refuse a slug or language code that would escape ``outputs/<slug>/`` or make an odd file name."""
    slug = result.slug
    if not slug or slug.startswith(".") or any(c in slug for c in "/\\\0") or slug != slug.strip():
        raise ValueError(f"unsafe slug for a file name: {slug!r}")
    for lang in result.languages:
        # A target column of aligned.jsonl sits beside the record's own keys: it must not be one.
        if not _LANG_CODE.fullmatch(lang) or lang in _RECORD_KEYS:
            raise ValueError(f"unsupported target language code: {lang!r}")
