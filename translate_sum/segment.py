"""English sentence segmentation, and turning an article into translation segments."""

from __future__ import annotations

import functools
import re

from translate_sum.records import Article, Segment

# pysbd's regexes grow costly on huge unbroken blocks, so a paragraph past this size is cut
# first: at a line break, else after sentence-final punctuation, else at a space.
_MAX_BLOCK_CHARS = 20_000
_CUT_RE = re.compile(r"\n|[.!?][\"'”’)]*\s")


@functools.lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    # clean=False keeps the text byte-for-byte, so glossary offsets stay valid.
    return pysbd.Segmenter(language="en", clean=False)


@functools.lru_cache(maxsize=1)
def russian_abbreviations() -> frozenset[str]:
    """Russian words that take a full stop without ending a sentence ("г.", "ул.", "т. е.", "им."), lower
    case, without the stop: pySBD's Russian list, plus the few it lacks, kept here next to the segmenter."""
    from pysbd.lang.russian import Russian

    listed = {
        a.lower() for a in Russian.Abbreviation.ABBREVIATIONS + Russian.Abbreviation.PREPOSITIVE_ABBREVIATIONS
    }
    return frozenset(
        listed | {"им", "т.е", "т.к", "т.н", "т.д", "т.п", "др", "пр", "напр", "ок", "св", "ген"}
    )


def split_sentences(text: str) -> list[str]:
    """Split English text into sentences (pySBD's Golden Rules: 47 of 48 pass)."""
    sentences: list[str] = []
    for block in _blocks(text):
        sentences.extend(s.strip() for s in _segmenter().segment(block) if s.strip())
    return sentences


def _blocks(text: str) -> list[str]:
    if len(text) <= _MAX_BLOCK_CHARS:
        return [text] if text else []
    blocks = []
    while len(text) > _MAX_BLOCK_CHARS:
        window = text[:_MAX_BLOCK_CHARS]
        ends = [m.end() for m in _CUT_RE.finditer(window)]
        cut = ends[-1] if ends else window.rfind(" ")
        cut = cut if cut > 0 else _MAX_BLOCK_CHARS
        blocks.append(text[:cut])
        text = text[cut:].lstrip()
    if text:
        blocks.append(text)
    return blocks


def segment_article(article: Article) -> list[Segment]:
    """Title, body sentences and captions, in reading order, with stable ids."""
    segments: list[Segment] = []
    for index, paragraph in enumerate(article.paragraphs):
        if paragraph.kind == "title":
            segments.append(Segment(id="t0", kind="title", paragraph=index, en=paragraph.text))
            continue
        sentences = split_sentences(paragraph.text)
        prefix = "c" if paragraph.kind == "caption" else "p"
        if paragraph.kind == "caption" and len(sentences) == 1:
            segments.append(Segment(id=f"c{index}", kind="caption", paragraph=index, en=sentences[0]))
            continue
        for n, sentence in enumerate(sentences):
            segments.append(
                Segment(id=f"{prefix}{index}s{n}", kind=paragraph.kind, paragraph=index, en=sentence)
            )
    return segments


_WORD_RE = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, for similarity scoring."""
    return [w.lower() for w in _WORD_RE.findall(text)]
