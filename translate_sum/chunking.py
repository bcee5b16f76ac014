"""Cutting text to fit a model: safe split points for long sentences, packing, token-budget batches."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

#: ``count_tokens(texts)`` returns each text's length in model tokens (special tokens included).
TokenCounter = Callable[[Sequence[str]], list[int]]

# Where a long sentence may be cut, safest first: after clause punctuation, before a
# conjunction or relative pronoun, then at any space. A cut never falls inside a word.
_SPLIT_POINTS = (
    re.compile(r"(?<=[;:])\s+"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+(?=(?:and|but|or|which|who|while|whereas|because|including|as well as)\b)"),
    re.compile(r"\s+"),
)


def token_budget_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indices grouped into batches, longest first, each within ``budget`` padded tokens.

    Sorting by length keeps padding small; the budget bounds memory whatever the sentence mix.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = lengths[current[0]] if current else lengths[i]  # longest in the batch: the padded width
        if current and (len(current) + 1) * width > budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def split_for_length(text: str, count_tokens: TokenCounter, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` tokens at the safest points available."""
    if count_tokens([text])[0] <= limit:
        return [text]
    return _split(text, count_tokens, limit, 0)


def _split(text: str, count_tokens, limit: int, level: int) -> list[str]:
    if level >= len(_SPLIT_POINTS):
        return _split_characters(text, count_tokens, limit)
    parts = [p for p in _SPLIT_POINTS[level].split(text) if p.strip()]
    if len(parts) < 2:
        return _split(text, count_tokens, limit, level + 1)
    counts = count_tokens(parts)
    pieces: list[str] = []
    current: list[str] = []
    current_tokens = 0
    # Tokens of a concatenation are about the sum of the parts' tokens (minus one EOS each);
    # every packed piece is re-counted below, so the estimate only guides the packing.
    for part, n in zip(parts, counts, strict=True):
        if current and current_tokens + n - 1 > limit:
            pieces.append(" ".join(current))
            current, current_tokens = [], 0
        current.append(part)
        current_tokens += n - (1 if current_tokens else 0)
    if current:
        pieces.append(" ".join(current))
    result: list[str] = []
    for piece, n in zip(pieces, count_tokens(pieces), strict=True):
        result.extend([piece] if n <= limit else _split(piece, count_tokens, limit, level + 1))
    return result


def _split_characters(text: str, count_tokens, limit: int) -> list[str]:
    # Last resort for a single "word" longer than the model's limit (a URL, a run of symbols).
    size = max(1, len(text) // 2)
    halves = [text[:size], text[size:]]
    out: list[str] = []
    for half, n in zip(halves, count_tokens(halves), strict=True):
        out.extend([half] if n <= limit or len(half) == 1 else _split_characters(half, count_tokens, limit))
    return out


def pack_sentences(sentences: Sequence[str], count_tokens: TokenCounter, limit: int) -> list[str]:
    """Consecutive sentences packed into texts of at most ``limit`` tokens each, in order.

    A sentence longer than the whole limit is cut by ``split_for_length``; nothing is dropped.
    """
    counts = [n - 1 for n in count_tokens(list(sentences))] if sentences else []
    chunks: list[str] = []
    current: list[str] = []
    used = 1
    for sentence, n in zip(sentences, counts, strict=True):
        if n + 1 > limit:
            if current:
                chunks.append(" ".join(current))
            current, used = [], 1
            chunks.extend(split_for_length(sentence, count_tokens, limit))
            continue
        if current and used + n > limit:
            chunks.append(" ".join(current))
            current, used = [], 1
        current.append(sentence)
        used += n
    if current:
        chunks.append(" ".join(current))
    return chunks
