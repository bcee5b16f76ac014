"""Each article's manifest: what went in, which models and libraries ran, with what settings, and counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata

from translate_sum import __version__
from translate_sum.memory import MemorySnapshot, MemoryStore
from translate_sum.pipeline.fingerprint import fingerprint_hash
from translate_sum.records import END_MATTER, AlignedSegment, Manifest, ModelInfo, Summarized
from translate_sum.terms.guard import count_hits

#: The libraries whose versions can change an article's outputs, by distribution name.
LIBRARIES = ("torch", "transformers", "ctranslate2", "pysbd", "translate-sum")


@dataclass(frozen=True)
class ManifestContext:
    """What every manifest of a run shares (plain data, so it travels to remote workers)."""

    languages: tuple[str, ...]
    fingerprint: dict  # run_fingerprint(): hashed with each input into Manifest.fingerprint
    settings: dict  # device, batch_tokens, config_file, executor, window
    glossary_path: str | None = None
    glossary_sha256: str | None = None
    libraries: dict[str, str | None] = field(default_factory=dict)


def library_versions() -> dict[str, str | None]:
    """Installed versions of the libraries in ``LIBRARIES`` (None: not installed); tsum's own as ``tsum``."""
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        key = "tsum" if name == "translate-sum" else name
        try:
            versions[key] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[key] = None
    versions["tsum"] = __version__  # the code that ran, whatever an installed copy says
    return versions


def build_manifest(
    item: Summarized,
    segments: Sequence[AlignedSegment],
    context: ManifestContext,
    memory: MemoryStore | MemorySnapshot | None = None,
) -> Manifest:
    """The manifest of one finished article; ``memory``: the translation memory the run served from."""
    article = item.job.article
    models = {"summarizer": ModelInfo.from_dict(item.summarizer)}
    models.update({lang: ModelInfo.from_dict(item.translations[lang].model) for lang in context.languages})
    manifest = Manifest(
        tsum_version=__version__,
        input_path=str(article.path),
        input_sha256=article.sha256,
        title=article.title,
        date=article.date,
        source=article.source,
        author=article.author,
        place=article.place,
        languages=tuple(context.languages),
        models=models,
        glossary_path=context.glossary_path,
        glossary_sha256=context.glossary_sha256,
        settings=dict(context.settings),
        libraries=dict(context.libraries),
        timings=dict(item.timings),
        fingerprint=fingerprint_hash(article, context.fingerprint),
        output_counts=output_counts(item, context.languages),
        checked_with={lang: item.translations[lang].checked_with for lang in context.languages},
    )
    return with_counts(manifest, segments, memory)


def output_counts(item: Summarized, languages: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per model role, this article's model inputs by where their output came from (model, cache, shared)."""
    counts = {"summarizer": dict(item.summary_outputs)} if item.summary_outputs else {}
    for lang in languages:
        if item.translations[lang].outputs:
            counts[lang] = dict(item.translations[lang].outputs)
    return counts


def with_counts(
    manifest: Manifest, segments: Sequence[AlignedSegment], memory: MemoryStore | MemorySnapshot | None
) -> Manifest:
    """``manifest`` with its counts (segments, flags, glossary terms, memory) and memory digest taken
    from ``segments``: for a run's new article and a refreshed one alike."""
    languages = manifest.languages
    return replace(
        manifest,
        segments=len(segments),
        end_matter=sum(s.kind == END_MATTER for s in segments),
        flags=dict(sorted(Counter(f.type for s in segments for f in s.flags).items())),
        glossary_counts={
            lang: count_hits(t for s in segments for t in s.terms if t.lang == lang) for lang in languages
        },
        memory_counts={lang: sum(lang in s.memory for s in segments) for lang in languages},
        memory_digest=memory.digest([s.en for s in segments], languages) if memory is not None else None,
    )
