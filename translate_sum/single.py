"""One article file outside a run: what ``tsum summarize`` and ``tsum translate`` do."""

from __future__ import annotations

from pathlib import Path

from translate_sum.config import Config
from translate_sum.engines.loader import Engines
from translate_sum.ingest import load_article
from translate_sum.pipeline import load_glossary, translate_language
from translate_sum.records import END_MATTER, PROSE_KINDS, AlignedSegment
from translate_sum.segment import segment_article


def summarize_file(path: Path, config: Config, device: str = "auto") -> list[str]:
    """The English summary sentences of the article at ``path``. Raises TsumError subclasses."""
    body = [s.en for s in segment_article(load_article(path)) if s.kind in PROSE_KINDS]
    return Engines(config, device).summarizer().summarize(body)


def translate_file(
    path: Path, lang: str, config: Config, device: str = "auto", glossary: Path | None = None
) -> list[AlignedSegment]:
    """The article at ``path`` translated into ``lang`` segment by segment, with the glossary `tsum all`
    would use for it (or ``glossary``) enforced and QA flags set. Raises TsumError subclasses."""
    from translate_sum.terms.guard import TermGuard

    segments = segment_article(load_article(path))
    # End matter stays English unless models.toml asks for it, as in `tsum all`.
    todo = [s for s in segments if s.kind != END_MATTER or config.end_matter == "translate"]
    guard = TermGuard(load_glossary(config.glossary_file(path.parent, glossary)))
    result = translate_language(todo, lang, Engines(config, device).translator(lang), guard)
    done = {s.id: t for s, t in zip(todo, result.segments, strict=True)}
    return [
        AlignedSegment(
            id=s.id,
            kind=s.kind,
            paragraph=s.paragraph,
            en=s.en,
            translations={lang: done[s.id].text} if s.id in done else {},
            flags=list(done[s.id].flags) if s.id in done else [],
            terms=list(done[s.id].terms) if s.id in done else [],
        )
        for s in segments
    ]
