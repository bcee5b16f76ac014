"""Glossary upkeep: named entities the glossary lacks (``tsum glossary suggest``) and term coverage (``check``)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from translate_sum.records import Article
from translate_sum.segment import split_sentences
from translate_sum.terms.glossary import Glossary, is_acronym


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that start a sentence without starting a name ("The Deputy Secretary-General" → drop "The").
_COMMON = _words(
    """a an the this that these those there here it its he she his her they their them we our you your
    i on in at by for from to of with without within into onto upon over under after before during
    since until while when where as if but and or nor so yet also however although though because
    both all each every many most more some several other another such one two three first last next
    new mr mrs ms dr today yesterday tomorrow meanwhile furthermore moreover photo picture caption
    source publish article"""
)
# Titles that stand before a person's name ("Secretary-General Vladimir Norov", "Senior Expert ...").
_TITLES = _words(
    """president vice deputy secretary general secretary-general director chairman chairwoman chair
    head chief executive senior expert minister ambassador governor mayor premier chancellor founder
    manager officer representative envoy consul counsellor counselor adviser advisor professor prof
    dr mr mrs ms spokesman spokesperson commissioner leader member"""
)
_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "prof"})
_MONTHS_DAYS = _words(
    """january february march april may june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday"""
)
_LINKS = frozenset({"of", "the", "for", "de", "and"})

_TOKEN = re.compile(
    r"(?P<company>,?\s*Co\.,?\s*Ltd\.?|,?\s*(?:Ltd|Inc|Corp|LLC|PLC)\.?(?![A-Za-z]))"
    r"|(?P<number>\b(?:No|Nr)\.\s?\d+[A-Za-z]?\b)"  # "Vocational Training Centre No. 2": part of the name
    r"|(?P<word>[A-Za-z0-9][A-Za-z0-9'’\-]*)"
    r"|(?P<stop>[.!?:;,()\"“”«»\[\]]|\s{2,}|\n)"
)


@dataclass
class _Candidate:
    count: int = 0  # occurrences, in any role
    own: int = 0  # occurrences as a name of its own, not only as a scrap between links of a longer one
    articles: set[str] = field(default_factory=set)  # the articles it occurs in
    example: str = ""


def suggest_terms(
    articles: list[Article], glossary: Glossary | None, languages: tuple[str, ...] = ("zh", "ru")
) -> str:
    """TSV (``en``, a column per language, ``count articles example``) of likely named entities that
    ``glossary`` does not cover.

    Candidates are capitalised multi-word names, acronyms, titles before names, and capitalised single
    words inside sentences, in sentences as the segmenter cuts them ("No. 2" does not end one). A piece
    of a name between its links ("Belarus Centre" of "Belarus Centre for Vocational Training No. 2") is
    merged into the whole unless it also occurs on its own. The language columns are left empty for
    the user to fill. Rows are ranked by evidence: the number of articles a name occurs in, then its count.
    """
    candidates: dict[str, _Candidate] = {}
    for article in articles:
        for paragraph in article.paragraphs:
            for sentence in split_sentences(paragraph.text):
                for name, scrap in _names(sentence):
                    if glossary is not None and _covered(name, glossary):
                        continue
                    candidate = candidates.setdefault(name, _Candidate(example=sentence))
                    candidate.count += 1
                    candidate.own += not scrap
                    candidate.articles.add(str(article.path))
    kept = {name: c for name, c in candidates.items() if c.own}
    rows = sorted(kept.items(), key=lambda item: (-len(item[1].articles), -item[1].count, item[0].casefold()))
    empty = "\t" * len(languages)
    lines = ["\t".join(("en", *languages, "count", "articles", "example"))]
    lines += [f"{name}{empty}\t{c.count}\t{len(c.articles)}\t{_one_line(c.example)}" for name, c in rows]
    return "\n".join(lines) + "\n"


def coverage(articles: list[Article], glossary: Glossary) -> list[dict]:
    """Per article: its path, how many glossary terms it holds, and how often each occurs (most first)."""
    report = []
    for article in articles:
        counts = Counter(m.entry.en for p in article.paragraphs for m in glossary.find(p.text))
        report.append(
            {"path": str(article.path), "found": sum(counts.values()), "terms": dict(counts.most_common())}
        )
    return report


def _names(sentence: str) -> list[tuple[str, bool]]:
    """The candidate names in one sentence, each once, and whether each is only a scrap between links."""
    if _all_caps_line(sentence):  # a heading in capitals: every word looks like a name
        return []
    names: dict[str, bool] = {}
    for run, initial in _runs(sentence):
        for name, scrap in _split_run(run, initial):
            names[name] = names.get(name, True) and scrap
    # Acronyms inside longer names count on their own too ("SCO" in "SCO Secretariat").
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9\-]*", sentence):
        if is_acronym(token):
            names[token] = False
    return list(names.items())


def _runs(sentence: str) -> list[tuple[list[str], bool]]:
    """Runs of capitalised words (with "of", "for", "de" inside), and whether each starts the sentence."""
    runs: list[tuple[list[str], bool]] = []
    run: list[str] = []
    pending: list[str] = []  # links waiting for the next capitalised word
    initial = run_initial = True  # at the start of the sentence, or after a colon or bracket
    for m in _TOKEN.finditer(sentence):
        word, stop = m.group("word"), m.group("stop")
        if m.group("company") or m.group("number"):
            if run:
                run.append((m.group("company") or m.group("number")).strip(" ,"))
            continue
        if word and _capitalised(word):
            if not run:
                run_initial = initial
            run += [*pending, _strip_possessive(word)]
            pending = []
        elif word and run and _links(word, run) and len(pending) < 2:
            pending.append(word)
        elif run:
            runs.append((run, run_initial))
            run, pending = [], []
        if word:
            initial = False
        elif stop and stop.strip() in ":(":
            initial = True
        elif stop and stop.strip() not in '"“«[':
            initial = False
    if run:
        runs.append((run, run_initial))
    return runs


def _split_run(run: list[str], initial: bool) -> list[tuple[str, bool]]:
    """The run, its parts between links, what follows a leading title, and titles split from names."""
    while run and ((initial and run[0].lower() in _COMMON) or run[0].lower() in _HONORIFICS):
        run, initial = run[1:], False
    if not run:
        return []
    parts, start = [], 0
    for i, word in enumerate([*run, "of"]):
        if word.lower() in _LINKS:
            if i > start:
                parts.append((start, i))
            start = i + 1
    spans = [(0, len(run))] if len(parts) <= 3 else []
    body = (0, len(run))
    if 1 < len(parts) <= 4 and _title_length(run, *parts[0]) == parts[0][1]:
        body = (parts[1][0], len(run))  # "President of the Hong Kong Chamber of ..." → the body
        spans.append(body)
    for lo, hi in parts:
        spans.append((lo, hi))
        title = _title_length(run, lo, hi)
        if lo < title < hi:  # "Secretary-General Vladimir Norov" → the title and the name
            spans += [(lo, title), (title, hi)]
    names: dict[str, bool] = {}
    whole_spans = ((0, len(run)), body)
    titled = set()  # a title and a name split from one part ("Secretary-General" / "Vladimir Norov")
    for lo, hi in parts:
        title = _title_length(run, lo, hi)
        if lo < title < hi:
            titled |= {(lo, title), (title, hi)}
        elif title == hi:  # a part that is a title ("Deputy Secretary-General" of the SCO)
            titled.add((lo, hi))
    for lo, hi in spans:
        name = " ".join(run[lo:hi])
        if _qualifies(run[lo:hi], initial and lo == 0, whole=(lo, hi) in whole_spans):
            # The head of a longer name before its link ("Belarus Centre" for ...) is a scrap of it; the
            # last part often is a name of its own ("... of the Shanghai Cooperation Organization").
            head = len(parts) > 1 and hi < parts[-1][1]
            scrap = head and (lo, hi) not in whole_spans and (lo, hi) not in titled
            names[name] = names.get(name, True) and scrap
    return list(names.items())


def _title_length(run: list[str], lo: int, hi: int) -> int:
    """Where the leading title words of ``run[lo:hi]`` end."""
    while lo < hi and all(p.lower() in _TITLES for p in run[lo].split("-")):
        lo += 1
    return lo


def _qualifies(words: list[str], initial: bool, whole: bool) -> bool:
    if len(words) > 1 or "-" in words[0] or is_acronym(words[0]):
        return True
    word = words[0].lower()
    # A lone capitalised word counts only where it stands alone, not as a scrap of a longer name.
    return whole and not initial and len(word) > 1 and word not in _COMMON | _MONTHS_DAYS | _TITLES


def _links(word: str, run: list[str]) -> bool:
    # "and" joins names only right after "of X": "Chamber of Commerce and Industry", not "SCO and Weidong".
    lower = word.lower()
    return lower in _LINKS and (lower != "and" or (len(run) > 1 and run[-2].lower() == "of"))


def _capitalised(word: str) -> bool:
    return word[0].isupper() or (word[0].isdigit() and any(c.isupper() for c in word))


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s?$", "", word)


def _all_caps_line(sentence: str) -> bool:
    letters = [c for c in sentence if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def _covered(name: str, glossary: Glossary) -> bool:
    """True when glossary terms cover every word of ``name`` but links ("Deputy Secretary-General of the SCO")."""
    rest = list(name)
    for m in glossary.find(name):
        rest[m.start : m.end] = " " * (m.end - m.start)
    return all(word.lower() in _LINKS for word in re.findall(r"[A-Za-z0-9]+", "".join(rest)))


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]
