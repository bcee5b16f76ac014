"""One article file outside a run: what ``tsum summarize`` and ``tsum translate`` do."""

from __future__ import annotations

from pathlib import Path

from translate_sum.config import Config
from translate_sum.engines.loader import Engines
from translate_sum.ingest import load_article
from translate_sum.pipeline import load_glossary, translate_language
from translate_sum.records import PROSE_KINDS, AlignedSegment
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
    guard = TermGuard(load_glossary(config.glossary_file(path.parent, glossary)))
    translator = Engines(config, device).translator(lang)
    result = translate_language(segments, lang, translator, guard, qa=config.qa)
    return [
        AlignedSegment(
            id=s.id,
            kind=s.kind,
            paragraph=s.paragraph,
            en=s.en,
            translations={lang: t.text},
            flags=list(t.flags),
            terms=list(t.terms),
            confidence={lang: t.confidence} if t.confidence is not None else {},
        )
        for s, t in zip(segments, result.segments, strict=True)
    ]
