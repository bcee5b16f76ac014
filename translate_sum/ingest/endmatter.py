"""A release's end matter (About <Company>, media contacts, SOURCE lines, ###) and its wire dateline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from translate_sum.ingest.dates import iso_date

# A block that is nothing but an end marker: "###", "# # #", "-30-", "Enditem", "(END)", "-END-".
_MARKER = re.compile(
    r"^(?:(?:#\s*){3,}|[-–—]\s*30\s*[-–—]|enditem|[(\[]?\s*end\s*[)\]]?|[-–—]+\s*end\s*[-–—]+)$", re.I
)
# Headings and labels that open end matter wherever they stand after the body.
_OPENER = re.compile(
    r"^(?:(?:media|press|news|investor|public)\s+(?:contacts?|enquiries|inquiries|relations)"
    r"|contacts?(?:\s+(?:information|details|us))?|for\s+(?:media|press)\s+(?:enquiries|inquiries)"
    r"|notes?\s+(?:to|for)\s+(?:editors?|the\s+editors?)|editor'?s'?\s+notes?"
    r"|(?:for\s+)?(?:more|further)\s+information(?:\s+(?:on|about|please\s+contact|contact))?"
    r"|useful\s+links|forward[- ]looking\s+statements?)\b[^.!?]{0,60}$",
    re.I,
)
_ABOUT = re.compile(r"^about\s+(?:the\s+)?[\w“\"'(].{0,80}$", re.I)
# "SOURCE Acme Corp" (PR Newswire), "Source: Acme" at the end, "Photo - https://…", "Logo - https://…".
_SOURCE_LINE = re.compile(r"^SOURCE\s+\S")
_MEDIA_LINK = re.compile(
    r"^(?:photo|logo|video|image|multimedia|audio)s?\s*(?:[-–—:]\s*)?(?:https?://|www\.)\S+", re.I
)
# Press-corner reference numbers: "IP/21/1011", "MEMO/21/88", "STATEMENT/21/903", "Ref. 2021/045".
_REFERENCE = re.compile(
    r"^(?:ref(?:erence)?\.?\s*(?:no\.?)?\s*:?\s*)?[A-Z]{1,12}/\d{2,4}/\d{1,6}$|^ref(?:erence)?\.?\s*(?:no\.?)?\s*:?\s*\S{2,30}$",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+|\b(?:tel|phone|mobile|fax|t|m)\b\.?:?\s*)[\d ()./-]{7,}\d", re.I)
_URL_ONLY = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_CONTACT_WORDS = 25


def is_marker(text: str) -> bool:
    """Whether ``text`` is an end-of-release marker ("###", "-30-", "Enditem")."""
    return bool(_MARKER.match(text.strip()))


def opens_end_matter(text: str, kind: str) -> bool:
    """Whether a block starts the end matter: a marker, a contacts / notes heading, a SOURCE line,
    a media link or a reference number. "About X" is judged by ``end_matter_start``."""
    text = text.strip()
    if is_marker(text) or _SOURCE_LINE.match(text) or _MEDIA_LINK.match(text) or _REFERENCE.match(text):
        return True
    short = len(text.split()) <= 8
    return short and bool(_OPENER.match(text.rstrip(":：").strip()))


def is_end_matter_line(text: str) -> bool:
    """A short block that is contact details, a link, a marker or a reference: end matter wherever
    it trails the release."""
    text = text.strip()
    if opens_end_matter(text, "body") or _URL_ONLY.match(text):
        return True
    return len(text.split()) <= _CONTACT_WORDS and bool(_EMAIL.search(text) or _PHONE.search(text))


def end_matter_start(blocks: list[tuple[str, str]]) -> int:
    """Index of the first end-matter block in ``blocks`` ((kind, text) after the title), or
    ``len(blocks)`` when there is none.

    End matter opens at a marker, a contacts / notes heading, a SOURCE line, a media link or a
    reference number, after some running text; at an "About X" heading when nothing after it is an
    ordinary subheading (an "About the programme" section mid-story is body); or as a trailing run
    of contact lines (e-mail, phone, bare link).
    """
    seen_prose = False
    for index, (kind, text) in enumerate(blocks):
        if seen_prose and opens_end_matter(text, kind):
            return index
        if seen_prose and kind in ("subheading", "body") and _is_about_heading(text, kind):
            later = [t for k, t in blocks[index + 1 :] if k == "subheading"]
            if all(_is_about_heading(t, "subheading") or opens_end_matter(t, "subheading") for t in later):
                return index
        seen_prose = seen_prose or kind in ("body", "item", "quote")
    start = len(blocks)
    while start > 1 and blocks[start - 1][0] != "caption" and is_end_matter_line(blocks[start - 1][1]):
        start -= 1
    return start if any(k in ("body", "item", "quote") for k, _ in blocks[:start]) else len(blocks)


def _is_about_heading(text: str, kind: str) -> bool:
    text = text.strip().rstrip(":：").strip()
    if not _ABOUT.match(text) or text.endswith((".", "!", "?")):
        return False
    return kind == "subheading" or len(text.split()) <= 8


@dataclass(frozen=True)
class Dateline:
    """A wire dateline taken off the first sentence: where, the ISO date when it has a year, the rest."""

    place: str
    date: str | None
    rest: str


_PLACE = r"(?P<place>[A-Z][A-Z.'’\- ]{1,40}(?:,\s*[A-Z][A-Za-z.'’\- ]{1,30})?|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
_DATE = (
    r"(?P<date>(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    r"(?:\d{1,2}\s+[A-Z][a-z]{2,8}\.?|[A-Z][a-z]{2,8}\.?\s+\d{1,2})(?:,?\s+\d{4})?)"
)
_AGENCY = r"(?:/\s*(?P<agency>[^/\n]{2,40}?)\s*/|\((?P<agency2>[A-Za-z][^()\n]{1,40})\))"
_DASH = r"(?:\s*(?:--|—|–|-|:)\s*|\.\s+)"
_DATELINE_RES = (
    # BEIJING, March 3, 2021 /PRNewswire/ -- …   MOSCOW, March 3. /TASS/. …   BEIJING, March 3 (Xinhua) -- …
    re.compile(rf"^{_PLACE},\s*{_DATE}\.?\s*{_AGENCY}\.?{_DASH}(?=\S)"),
    # SAN FRANCISCO--(BUSINESS WIRE)-- …   LONDON (Reuters) - …
    re.compile(
        rf"^(?P<place>[A-Z][A-Z.'’\- ]{{1,40}}(?:,\s*[A-Z][A-Za-z.\- ]{{1,30}})?)\s*(?:--|—|–)?\s*{_AGENCY}{_DASH}(?=\S)"
    ),
    # GENEVA, 3 March 2021 – …   (an upper-case place, a full date and a dash: no agency needed)
    re.compile(
        rf"^(?P<place>[A-Z][A-Z.'’\- ]{{1,40}}(?:,\s*[A-Z][A-Za-z.\- ]{{1,30}})?),\s*{_DATE}\s*(?:--|—|–|-)\s*(?=\S)"
    ),
)


_PLACE_DATE_LINE = re.compile(rf"^{_PLACE},\s*{_DATE}\.?$")


def split_dateline(text: str) -> Dateline | None:
    """The wire dateline that opens ``text`` ("BEIJING, March 3, 2021 /PRNewswire/ --"), or None.

    A line that is nothing but a place and a full date ("Brussels, 3 March 2021") is one too, with
    nothing left (``rest`` empty).
    """
    whole = _PLACE_DATE_LINE.match(text.strip())
    if whole and (date := iso_date(whole.group("date"))):
        return Dateline(" ".join(whole.group("place").split()), date, "")
    for pattern in _DATELINE_RES:
        match = pattern.match(text)
        if match is None:
            continue
        rest = text[match.end() :].strip()
        if not rest or not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "“\"'"):
            continue
        place = " ".join(match.group("place").split()).strip(" ,-")
        date = match.groupdict().get("date")
        return Dateline(place, iso_date(date) if date else None, rest)
    return None
