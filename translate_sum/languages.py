"""Per-language text conventions: how sentences and pieces of a target language are joined."""

from __future__ import annotations

from collections.abc import Iterable

#: Languages written without spaces between sentences or words.
UNSPACED = frozenset({"zh", "ja"})


def joiner(lang: str) -> str:
    """The separator between consecutive sentences (or pieces of one sentence) in ``lang``."""
    return "" if lang in UNSPACED else " "


def join_text(lang: str, parts: Iterable[str]) -> str:
    """``parts`` joined as running text of ``lang``: no spaces in Chinese, single spaces elsewhere."""
    return joiner(lang).join(parts)
