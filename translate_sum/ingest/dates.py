"""Publication dates and metadata lines ("Published 28 August 2020 · Source: …") to ISO 8601."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: What tsum accepts as a date (dateparser settings): day, month and year all present, day first when
#: ambiguous (28.08.2020, 02/03/2021 is 2 March), nothing relative ("today", "3 days ago").
DATE_SETTINGS = {"DATE_ORDER": "DMY", "REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True}

# A date needs a year: this keeps "today", "Monday" or a name away from the parser.
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
_MAX_DATE_CHARS = 40
_MAX_LINE_CHARS = 160
_DATE_LABELS = r"publish(?:ed)?(?:\s*(?:time|date|on|at))?|release(?:d|\s*date)?(?:\s*on)?|posted(?:\s*on)?|date|issued(?:\s*on)?"
_SOURCE_LABELS = r"(?:article\s*)?source"
_AUTHOR_LABELS = r"author|written\s*by|by"
_FIELD = re.compile(
    rf"^(?:(?P<date>{_DATE_LABELS})|(?P<source>{_SOURCE_LABELS})|(?P<author>{_AUTHOR_LABELS})|(?P<other>updated|last\s*updated|modified))"
    r"\b\s*(?P<colon>[:：])?\s*(?P<value>.*)$",
    re.IGNORECASE,
)
# "Label:" inside a line starts a new field even without a separator before it (the seeds'
# "Publish Time:2020-07-24 Article Source:…").
_LABEL_WITH_COLON = re.compile(
    rf"(?<=\S)(?<!article)\s+(?=(?:{_DATE_LABELS}|{_SOURCE_LABELS}|{_AUTHOR_LABELS}|updated)\s*[:：])",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"\s*(?:[·•|]|\s{2,}|\s[–—]\s)\s*")
_TRIM = " \t·•|,;–—-*_"


@dataclass(frozen=True)
class Metadata:
    """What a metadata line or a page's markup says about an article; None where it says nothing."""

    date: str | None = None
    source: str | None = None
    author: str | None = None


def iso_date(text: str) -> str | None:
    """``text`` as ``YYYY-MM-DD`` when the whole of it is one full date, else None.

    Accepts ISO dates and timestamps, "28 August 2020", "August 28, 2020", "28.08.2020",
    RFC 2822 ("Tue, 02 Mar 2021 10:00:00 GMT"); a date without a day or a year is not enough.
    """
    text = text.strip(_TRIM)
    if not text or len(text) > _MAX_DATE_CHARS or not _YEAR.search(text):
        return None
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", text)
    if iso:  # the common case, without dateparser's start-up cost
        year, month, day = (int(g) for g in iso.groups())
        return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None
    parsed = _parser()(text, languages=["en"], settings=DATE_SETTINGS)
    return parsed.date().isoformat() if parsed is not None else None


def metadata_line(line: str) -> Metadata | None:
    """The metadata a line holds when the line is nothing but metadata, else None.

    A metadata line is short and made only of labelled fields (``Published:``, ``Publish Time:``,
    ``Source:``, ``By``, …) and bare dates, split by ``·``, ``|``, ``•``, dashes or wide spaces. Any
    other text in it (a sentence that mentions a date) makes it an ordinary line: tsum never takes a
    date out of running text.
    """
    line = " ".join(line.replace("\u3000", "  ").split("\n")).strip(_TRIM)
    if not line or len(line) > _MAX_LINE_CHARS:
        return None
    found: dict[str, str] = {}
    for piece in _SEPARATORS.split(_LABEL_WITH_COLON.sub("  ", line)):
        piece = piece.strip(_TRIM)
        if not piece:
            continue
        field = _FIELD.match(piece)
        value = field.group("value").strip(_TRIM) if field else ""
        if field and field.group("date"):
            date = iso_date(value)
            if date is None:
                return None
            found.setdefault("date", date)
        elif field and field.group("other") and iso_date(value):
            continue  # "Updated: …": a date, but not the publication date
        elif field and (field.group("source") or field.group("author")) and _looks_like_name(field):
            found.setdefault("source" if field.group("source") else "author", value)
        elif (date := iso_date(piece)) is not None:
            found.setdefault("date", date)
        else:
            return None
    return Metadata(**found) if found else None


def _looks_like_name(field: re.Match) -> bool:
    # "By" without a colon opens many sentences ("By the end of 2020 …"): without a colon, only a
    # short capitalised name counts.
    value = field.group("value").strip(_TRIM)
    if not value:
        return False
    if field.group("colon"):
        return True
    words = value.split()
    return len(words) <= 5 and all(w[0].isupper() or w.lower() in ("and", "of", "the") for w in words)


@lru_cache(maxsize=1)
def _parser():
    import dateparser  # slow to import: only when a date is not already ISO

    return dateparser.parse
