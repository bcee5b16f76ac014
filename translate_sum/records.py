"""The plain records that flow between pipeline stages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Segment kinds: where in the article a segment came from (``summary`` is tsum's own).
SEGMENT_KINDS = ("title", "subheading", "body", "item", "quote", "caption", "note", "end_matter", "summary")
#: The kinds that make up an article's running text: what the summarizer reads and summary
#: sentences are aligned to (titles, subheadings and captions are translated, not summarized).
PROSE_KINDS = ("body", "item", "quote")
#: A release's end matter ("About <Company>", media contacts, "SOURCE …", "###"): kept in the outputs
#: as source text, neither summarized nor translated unless ``[ingest] end_matter = "translate"``.
END_MATTER = "end_matter"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article as loaded: a title, subheading, body text, list item, block quote,
    photo caption, footnote (``note``) or the release's end matter."""

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
    place: str | None = None  # the wire dateline's place ("BEIJING"), taken out of the first sentence


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
    score: float  # rounded where it is made (align.summary_support), so it is written as it stands

    def to_dict(self) -> dict:
        return {"id": self.id, "score": self.score}

    @classmethod
    def from_dict(cls, data: dict) -> Support:
        return cls(str(data["id"]), float(data["score"]))


@dataclass(frozen=True)
class Flag:
    """A QA finding on one segment. ``lang`` is None when it concerns the source."""

    type: str  # a name in qa.FLAG_TYPES: "glossary", "numbers", "low_confidence", "consistency", ...
    lang: str | None
    detail: str

    def to_dict(self) -> dict:
        return {"type": self.type, "lang": self.lang, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: dict) -> Flag:
        return cls(str(data["type"]), _optional_str(data["lang"]), str(data["detail"]))


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

    def to_dict(self) -> dict:
        return {
            "en": self.en,
            "surface": self.surface,
            "start": self.start,
            "end": self.end,
            "lang": self.lang,
            "target": self.target,
            "status": self.status,
        }

    @classmethod
    def from_dict(cls, data: dict) -> TermHit:
        """Raises KeyError for a record without offsets (written before they were): never guessed."""
        start, end = data["start"], data["end"]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)):
            raise TypeError(f"term offsets must be whole numbers, not {start!r}, {end!r}")
        return cls(
            str(data["en"]),
            str(data["surface"]),
            start,
            end,
            str(data["lang"]),
            str(data["target"]),
            str(data["status"]),
        )


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

    @classmethod
    def from_dict(cls, data: dict) -> MemoryHit:
        return cls(
            str(data["status"]),
            str(data["origin"]),
            _optional_str(data.get("origin_name")),
            _optional_str(data.get("updated")),
        )


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
    # lang -> the model's confidence in its translation (mean log-probability per token, qa.py);
    # absent for targets from the memory or a reviewer.
    confidence: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """One line of ``aligned.jsonl``: the target texts sit beside ``en`` under their language codes."""
        record: dict = {"id": self.id, "paragraph": self.paragraph, "kind": self.kind, "en": self.en}
        record.update(self.translations)
        record["support"] = [s.to_dict() for s in self.support]
        record["flags"] = [f.to_dict() for f in self.flags]
        record["terms"] = [t.to_dict() for t in self.terms]
        if self.memory:
            record["memory"] = {lang: hit.to_dict() for lang, hit in sorted(self.memory.items())}
        if self.confidence:
            record["confidence"] = dict(sorted(self.confidence.items()))
        return record

    @classmethod
    def from_dict(cls, record: dict, languages: Sequence[str]) -> AlignedSegment:
        """The inverse of ``to_dict`` for an article in ``languages`` (as its manifest lists them).

        Raises KeyError, TypeError or ValueError for a record that lacks a field or holds a wrong type:
        nothing is filled in by guessing.
        """
        paragraph = record["paragraph"]
        if not isinstance(paragraph, int) or isinstance(paragraph, bool):
            raise TypeError(f"paragraph must be a whole number, not {paragraph!r}")
        return cls(
            id=str(record["id"]),
            kind=str(record["kind"]),
            paragraph=paragraph,
            en=str(record["en"]),
            translations={lang: str(record[lang]) for lang in languages if lang in record},
            support=[Support.from_dict(s) for s in record["support"]],
            flags=[Flag.from_dict(f) for f in record["flags"]],
            terms=[TermHit.from_dict(t) for t in record["terms"]],
            memory={str(lang): MemoryHit.from_dict(m) for lang, m in (record.get("memory") or {}).items()},
            confidence={str(lang): float(c) for lang, c in (record.get("confidence") or {}).items()},
        )


@dataclass
class ArticleResult:
    """Everything the writers need for one article, and all that is read back from its folder."""

    slug: str
    segments: list[AlignedSegment]  # title, body and captions in reading order, then summary
    manifest: Manifest  # the reproducibility record: input, models, settings, counts

    @property
    def languages(self) -> tuple[str, ...]:
        """The target languages, e.g. ("zh", "ru"), as the manifest records them."""
        return self.manifest.languages

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
    status: str  # "done" | "skipped" (unchanged) | "failed" | "interrupted" | "removed" (input gone)
    flags: dict[str, int] = field(default_factory=dict)  # flag type -> count
    error: str | None = None
    languages: tuple[str, ...] = ()  # the target languages its outputs hold
    targets: int = 0  # translated segments (segments × languages): the base of the low-confidence share

    def to_dict(self) -> dict:
        return {
            "slug": self.slug,
            "title": self.title,
            "date": self.date,
            "source_path": self.source_path,
            "status": self.status,
            "flags": dict(self.flags),
            "error": self.error,
            "languages": list(self.languages),
            "targets": self.targets,
        }

    @classmethod
    def from_dict(cls, data: dict) -> IndexEntry:
        return cls(
            slug=_optional_str(data["slug"]),
            title=str(data["title"]),
            date=_optional_str(data["date"]),
            source_path=str(data["source_path"]),
            status=str(data["status"]),
            flags={str(k): int(v) for k, v in data["flags"].items()},
            error=_optional_str(data["error"]),
            languages=tuple(str(x) for x in data.get("languages") or ()),
            targets=int(data.get("targets") or 0),  # absent in an index written before it existed
        )


# --- Between the pipeline's batch stages (translate_sum/pipeline/stages.py) ---------------------------


@dataclass(frozen=True)
class ArticleJob:
    """An article to process, and the output folder name it was given."""

    article: Article
    slug: str
    translate_end_matter: bool = False  # ``[ingest] end_matter = "translate"``


@dataclass(frozen=True)
class Failed:
    """An article that failed at some stage; later stages pass it through untouched."""

    job: ArticleJob
    error: str


@dataclass(frozen=True)
class Segmented:
    """An article cut into its source segments (title, body sentences, captions)."""

    job: ArticleJob
    source: tuple[Segment, ...]
    timings: dict[str, float]

    @property
    def body(self) -> list[str]:
        """The prose sentences (body, list items, quotes), which alone go to the summarizer."""
        return [s.en for s in self.source if s.kind in PROSE_KINDS]


@dataclass(frozen=True)
class Translation:
    """One segment in one target language: the text, its glossary terms and its QA flags."""

    text: str
    terms: tuple[TermHit, ...]
    flags: tuple[Flag, ...]
    memory: MemoryHit | None = None  # set when the text came from the translation memory
    confidence: float | None = None  # the model's, for a machine translation (qa.py explains it)


@dataclass(frozen=True)
class LanguageResult:
    """Every segment of an article (source order, then summary) in one target language."""

    segments: tuple[Translation, ...]
    terms: dict[str, int]  # glossary counts: found, kept, enforced, flagged
    model: dict  # the translator's description, for the manifest
    served: int = 0  # segments whose text came from the translation memory
    # Model inputs of these segments (first pass, glossary retry) by where their output came from:
    # "model" computed, "cache" the cache of model outputs, "shared" a repeat in the same window.
    outputs: dict[str, int] = field(default_factory=dict)
    checked_with: tuple[str, ...] = ()  # slugs whose segments the run-wide checks saw together, in order


@dataclass(frozen=True)
class Summarized:
    """A segmented article with its summary sentences, their support, and (as they are done) translations."""

    job: ArticleJob
    source: tuple[Segment, ...]
    summary: tuple[Segment, ...]
    support: dict[str, tuple[Support, ...]]  # summary sentence id -> its source segments
    summarizer: dict  # the summarizer's description, for the manifest
    timings: dict[str, float]
    translations: dict[str, LanguageResult] = field(default_factory=dict)  # lang -> result
    summary_outputs: dict[str, int] = field(
        default_factory=dict
    )  # the summarizer's inputs (chunks), as above

    @property
    def segments(self) -> tuple[Segment, ...]:
        """Every segment to translate: the source in reading order (end matter only when the run
        translates it), then the summary."""
        source = self.source
        if not self.job.translate_end_matter:
            source = tuple(s for s in source if s.kind != END_MATTER)
        return source + self.summary


# --- The manifest (manifest.json), built and read in one place ---------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    """What ran as one model: its identity, backend and generation settings (``extra``: backend details)."""

    id: str | None = None
    path: str | None = None
    revision: str | None = None
    requested_revision: str | None = None
    backend: str | None = None
    target_token: str | None = None
    generation: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # engine-specific: compute_type, max_input_tokens, ...

    @classmethod
    def from_dict(cls, data: dict) -> ModelInfo:
        """From an engine's ``describe()`` or a manifest's ``models`` entry; other keys go to ``extra``."""
        data = data if isinstance(data, dict) else {}
        known = {k: data[k] for k in _MODEL_FIELDS if k in data}
        return cls(**known, extra={k: v for k, v in data.items() if k not in _MODEL_FIELDS})

    def to_dict(self) -> dict:
        return {**{k: getattr(self, k) for k in _MODEL_FIELDS}, **self.extra}


_MODEL_FIELDS = ("id", "path", "revision", "requested_revision", "backend", "target_token", "generation")


@dataclass(frozen=True)
class Manifest:
    """The reproducibility record of one article (``manifest.json``): what went in, what ran, what came out."""

    tsum_version: str = ""
    input_path: str | None = None
    input_sha256: str | None = None
    title: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None
    place: str | None = None
    languages: tuple[str, ...] = ()
    models: dict[str, ModelInfo] = field(default_factory=dict)  # "summarizer", then each language
    glossary_path: str | None = None
    glossary_sha256: str | None = None
    settings: dict = field(default_factory=dict)  # device, batch_tokens, config_file, executor, window
    libraries: dict[str, str | None] = field(default_factory=dict)  # package -> installed version
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds spent on this article
    segments: int = 0
    end_matter: int = 0  # segments of end matter (kept untranslated unless the run translates it)
    flags: dict[str, int] = field(default_factory=dict)  # flag type -> count
    glossary_counts: dict = field(default_factory=dict)  # lang -> found/kept/enforced/flagged
    memory_counts: dict[str, int] = field(default_factory=dict)  # lang -> segments served from the memory
    fingerprint: str | None = None  # the hash that decides whether a later run may skip the article
    memory_digest: str | None = None  # the memory entries these outputs reflect (None: no memory)
    # role ("summarizer", a language) -> model inputs by source of the output: model, cache, shared
    output_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    # lang -> the articles (slugs, in order) whose segments that language's run-wide checks
    # (consistency, low confidence) saw together: a re-render checks the same set again.
    checked_with: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The JSON object written as ``manifest.json``."""
        glossary = None
        if self.glossary_path is not None or self.glossary_sha256 is not None:
            glossary = {"path": self.glossary_path, "sha256": self.glossary_sha256}
        return {
            "tsum_version": self.tsum_version,
            "input": {"path": self.input_path, "sha256": self.input_sha256},
            "article": {
                "title": self.title,
                "date": self.date,
                "source": self.source,
                "author": self.author,
                "place": self.place,
            },
            "languages": list(self.languages),
            "models": {role: info.to_dict() for role, info in self.models.items()},
            "glossary": glossary,
            "settings": dict(self.settings),
            "libraries": dict(self.libraries),
            "timings": dict(self.timings),
            "counts": {
                "segments": self.segments,
                "end_matter": self.end_matter,
                "flags": dict(self.flags),
                "glossary": self.glossary_counts,
                "memory": dict(self.memory_counts),
            },
            # How this run got its model outputs (like timings, a fact of the run, not of the outputs).
            "model_outputs": {role: dict(c) for role, c in self.output_counts.items()},
            "fingerprint": self.fingerprint,
            "memory_digest": self.memory_digest,
            "checked_with": {lang: list(slugs) for lang, slugs in self.checked_with.items()},
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> Manifest:
        """A manifest read back (or a partial one): missing or malformed parts take their defaults."""

        def table(value: object) -> dict:
            return value if isinstance(value, dict) else {}

        data = table(data)
        inp, art, glossary, counts = (table(data.get(k)) for k in ("input", "article", "glossary", "counts"))
        return cls(
            tsum_version=str(data.get("tsum_version") or ""),
            input_path=inp.get("path"),
            input_sha256=inp.get("sha256"),
            title=art.get("title"),
            date=art.get("date"),
            source=art.get("source"),
            author=art.get("author"),
            place=art.get("place"),
            languages=tuple(data.get("languages") or ()),
            models={
                r: ModelInfo.from_dict(m) for r, m in table(data.get("models")).items() if isinstance(m, dict)
            },
            glossary_path=glossary.get("path"),
            glossary_sha256=glossary.get("sha256"),
            settings=table(data.get("settings")),
            libraries=table(data.get("libraries")),
            timings={k: v for k, v in table(data.get("timings")).items() if isinstance(v, int | float)},
            segments=int(counts.get("segments") or 0),
            end_matter=int(counts.get("end_matter") or 0),
            flags=table(counts.get("flags")),
            glossary_counts=table(counts.get("glossary")),
            memory_counts=table(counts.get("memory")),
            output_counts={
                role: {k: int(n) for k, n in c.items() if isinstance(n, int)}
                for role, c in table(data.get("model_outputs")).items()
                if isinstance(c, dict)
            },
            fingerprint=data.get("fingerprint"),
            memory_digest=data.get("memory_digest"),
            checked_with={
                str(lang): tuple(str(s) for s in slugs)
                for lang, slugs in table(data.get("checked_with")).items()
                if isinstance(slugs, list)
            },
        )


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
