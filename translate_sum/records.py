"""The plain records that flow between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: Segment kinds: where in the article a segment came from (``summary`` is tsum's own).
SEGMENT_KINDS = ("title", "subheading", "body", "item", "quote", "caption", "summary")
#: The kinds that make up an article's running text: what the summariser reads and summary
#: sentences are aligned to (titles, subheadings and captions are translated, not summarised).
PROSE_KINDS = ("body", "item", "quote")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article as loaded: a title, subheading, body text, list item, block quote
    or photo caption."""

    kind: str  # one of SEGMENT_KINDS but "summary"
    text: str


@dataclass(frozen=True)
class Article:
    """A press release as loaded from disk, before segmentation."""

    path: Path
    sha256: str
    title: str
    date: str | None
    source: str | None
    paragraphs: tuple[Paragraph, ...]
    author: str | None = None


@dataclass(frozen=True)
class Segment:
    """One unit of translation: a title, a sentence of a paragraph, a caption or a summary sentence.

    ``id`` is stable for the same input: ``t0`` (title), ``p<para>s<n>`` (body, subheading, list
    item, quote),
    ``c<para>`` (caption; ``c<para>s<n>`` when it has several sentences), ``s<n>`` (summary).
    ``paragraph`` indexes ``Article.paragraphs``; summary sentences use -1.
    """

    id: str
    kind: str
    paragraph: int
    en: str


@dataclass(frozen=True)
class Support:
    """A source segment that supports a summary sentence, with a similarity score in [0, 1]."""

    id: str
    score: float


@dataclass(frozen=True)
class Flag:
    """A QA finding on one segment. ``lang`` is None when it concerns the source."""

    type: str  # "glossary" | "numbers" | "untranslated" | "empty" | "length_ratio" | "repetition" | "split"
    lang: str | None
    detail: str

    def to_dict(self) -> dict:
        return {"type": self.type, "lang": self.lang, "detail": self.detail}


@dataclass(frozen=True)
class TermHit:
    """A glossary term found in a source segment and what happened to it in one target language."""

    en: str  # the canonical English form of the entry
    surface: str  # the text as it stands in the source
    start: int
    end: int
    lang: str
    target: str  # the fixed target form
    status: str  # "kept" (model produced it) | "enforced" (restored by tsum) | "flagged" (missing, or case unverified)


@dataclass(frozen=True)
class MemoryHit:
    """A target served from the translation memory instead of the model, and where the entry came from."""

    status: str  # "approved" | "edited" | "imported"
    origin: str  # "review" | "xliff" | "tmx"
    origin_name: str | None = None  # the file or page it came from
    updated: str | None = None  # when the entry last changed (UTC, ISO 8601)

    def to_dict(self) -> dict:
        return {
            "status": self.status,
            "origin": self.origin,
            "origin_name": self.origin_name,
            "updated": self.updated,
        }


@dataclass
class AlignedSegment:
    """A source segment with its translations, summary support and QA flags."""

    id: str
    kind: str
    paragraph: int
    en: str
    translations: dict[str, str] = field(default_factory=dict)  # lang -> text
    support: list[Support] = field(default_factory=list)  # summary sentences only
    flags: list[Flag] = field(default_factory=list)
    terms: list[TermHit] = field(default_factory=list)
    memory: dict[str, MemoryHit] = field(default_factory=dict)  # lang -> memory entry that served it

    def to_dict(self) -> dict:
        record = {"id": self.id, "paragraph": self.paragraph, "kind": self.kind, "en": self.en}
        record.update(self.translations)
        record["support"] = [{"id": s.id, "score": round(s.score, 4)} for s in self.support]
        record["flags"] = [f.to_dict() for f in self.flags]
        record["terms"] = [
            {"en": t.en, "surface": t.surface, "lang": t.lang, "target": t.target, "status": t.status}
            for t in self.terms
        ]
        if self.memory:
            record["memory"] = {lang: hit.to_dict() for lang, hit in sorted(self.memory.items())}
        return record


@dataclass
class ArticleResult:
    """Everything the writers need for one article."""

    article: Article
    slug: str
    languages: tuple[str, ...]  # target languages, e.g. ("zh", "ru")
    segments: list[AlignedSegment]  # title, body and captions in reading order, then summary
    manifest: dict  # the reproducibility record written to manifest.json

    def source_segments(self) -> list[AlignedSegment]:
        return [s for s in self.segments if s.kind != "summary"]

    def summary_segments(self) -> list[AlignedSegment]:
        return [s for s in self.segments if s.kind == "summary"]


@dataclass
class IndexEntry:
    """One line of ``outputs/index.md`` / ``index.html``: an article and how its run ended."""

    slug: str | None  # None when the article failed before a slug was made
    title: str
    date: str | None
    source_path: str
    status: str  # "done" | "skipped" (unchanged since the last run) | "failed"
    flags: dict[str, int] = field(default_factory=dict)  # flag type -> count
    error: str | None = None
