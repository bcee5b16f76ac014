"""Machine-readable aligned outputs: ``aligned.jsonl`` and the spreadsheet-friendly ``aligned.tsv``."""

from __future__ import annotations

import json
import re

from translate_sum.records import AlignedSegment, ArticleResult

# json.dumps leaves these raw with ensure_ascii=False, yet str.splitlines() breaks lines on them.
_LINE_BREAKERS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_CELL_BREAKERS = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
# A cell starting with one of these is a formula to Excel/LibreOffice (CSV/TSV injection).
_FORMULA_START = ("=", "+", "-", "@")


def render_jsonl(result: ArticleResult) -> str:
    """One ``AlignedSegment.to_dict()`` JSON object per line, in reading order, then the summary."""
    lines = [json.dumps(s.to_dict(), ensure_ascii=False).translate(_LINE_BREAKERS) for s in result.segments]
    return "".join(line + "\n" for line in lines)


def _cell(text: str) -> str:
    return _CELL_BREAKERS.sub(" ", text)


def _text_cell(text: str) -> str:
    text = _cell(text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _flags_cell(segment: AlignedSegment) -> str:
    return "; ".join(f"{f.lang}:{f.type}" if f.lang else f.type for f in segment.flags)


def render_tsv(result: ArticleResult) -> str:
    """Columns id, kind, paragraph, en, <langs…>, flags, confidence_<lang>…; one row per segment, with a
    header row.

    Tabs and line breaks inside text become a space; a text cell that a spreadsheet would run as a
    formula (starting with = + - @) gets a leading apostrophe. Flags are ``lang:type`` joined with "; ".
    A confidence cell is empty for a target that no model scored (memory, reviewer).
    """
    header = ["id", "kind", "paragraph", "en", *result.languages, "flags"]
    header += [f"confidence_{lang}" for lang in result.languages]
    rows = ["\t".join(header)]
    for s in result.segments:
        texts = [_text_cell(t) for t in (s.en, *(s.translations.get(lang, "") for lang in result.languages))]
        scores = [f"{s.confidence[lang]:.4f}" if lang in s.confidence else "" for lang in result.languages]
        cells = [_cell(s.id), _cell(s.kind), str(s.paragraph), *texts, _cell(_flags_cell(s)), *scores]
        rows.append("\t".join(cells))
    return "\n".join(rows) + "\n"
