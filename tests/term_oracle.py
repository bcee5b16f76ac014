"""An independent counter of glossary forms in a translation, for the guarantee tests.

It knows only hand-written lists of accepted forms (no pymorphy3, no code from ``translate_sum.terms``):
every occurrence of every listed form of every entry is a candidate; longer candidates are placed
first, each text position counts once, an entry takes at most as many as its source needs, and a
candidate that is not needed (another entry's rendering, or a surplus one) blocks what lies inside it.
Where several entries share a form, a place holding it serves the first of them that still needs one.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = "0-9A-Za-zА-Яа-яЁё"


def occurrences(form: str, text: str, fold: bool = False) -> list[tuple[int, int]]:
    """Where ``form`` stands in ``text`` as a whole word (or words)."""
    haystack, needle = (text.casefold(), form.casefold()) if fold else (text, form)
    spans, at = [], haystack.find(needle)
    while needle and at >= 0:
        end = at + len(needle)
        before, after = haystack[at - 1 : at], haystack[end : end + 1]
        before2, after2 = haystack[max(0, at - 2) : at], haystack[end : end + 2]
        word_edge_left = re.match(f"[{_WORD}]", needle[0]) is not None
        word_edge_right = re.match(f"[{_WORD}]", needle[-1]) is not None
        ok = True
        if word_edge_left and (re.match(f"[{_WORD}]", before) or re.fullmatch(f"[{_WORD}]-", before2)):
            ok = False
        if word_edge_right and (re.match(f"[{_WORD}]", after) or re.fullmatch(f"-[{_WORD}]", after2)):
            ok = False
        if (
            not needle[-1].isalnum() and not needle[-1].isspace() and after == needle[-1]
        ):  # "C++" not in "C+++"
            ok = False
        if ok:
            spans.append((at, end))
        at = haystack.find(needle, at + 1)
    return spans


def count(forms: dict[str, tuple[str, ...]], needed: Counter, text: str, fold: bool = False) -> Counter:
    """How many of each needed entry's occurrences ``text`` holds, by the rule in the module docstring.

    ``forms`` maps each entry (by its English key) to its accepted target forms.
    """
    candidates = [
        (start, end, key)
        for key, accepted in forms.items()
        for form in accepted
        for start, end in occurrences(form, text, fold and not form.isascii())
    ]
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    taken: list[tuple[int, int]] = []
    found: Counter = Counter()
    for start, end, _ in candidates:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        keys = [k for s, e, k in candidates if (s, e) == (start, end)]
        hungry = [k for k in keys if found[k] < needed[k]]
        if hungry:
            found[hungry[0]] += 1
    return found
