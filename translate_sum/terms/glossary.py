"""The glossary file: loading and validating it, and finding its terms in English text.

Its columns are ``en`` and one per target language, named by code (``zh``, ``fr``, ``ar``; a locale
such as ``zh-CN`` or ``fr_FR`` names its language): a glossary may hold any set of languages.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path

import langcodes

from translate_sum.errors import GlossaryError, OutputError
from translate_sum.languages import WORD_CHARS
from translate_sum.languages.ru import CASE_LABELS
from translate_sum.paths import cache_root
from translate_sum.storage import write_atomic
from translate_sum.textnorm import fold, fold_text

_REQUIRED = ("en",)
_OPTIONAL = ("variants", "ru_forms", "keep", "case_sensitive", "note")
# Columns that `tsum glossary suggest` writes or cloud glossaries carry: read past, never used.
_INFORMATIONAL = ("count", "example", "description", "pos")
_TRUE = frozenset({"1", "true", "yes", "y", "x"})
_FALSE = frozenset({"", "0", "false", "no", "n"})

# A term must not touch a Latin or Cyrillic letter or digit on either side ("SCO" is not in "SCOPE"),
# but CJK characters do not count as word characters, so kept English terms are found in Chinese too.
_BEFORE = f"(?<![{WORD_CHARS}])"
_AFTER = f"(?![{WORD_CHARS}])"
_SPACE = "[ \\t\\n\\r\u00a0\u2009\u202f]"
_DASH = "[-\u2010\u2011\u2012\u2013\u2014]"
# Between the words of a term: spaces, or a hyphen/dash with optional spaces (Secretary General ~ -General).
_GAP = f"(?:{_SPACE}*{_DASH}{_SPACE}*|{_SPACE}+)"
_SPLIT = re.compile(_GAP)

# Typographic apostrophes, quotes, dashes and spaces, each mapped to one ASCII character, so that a
# source is matched on a copy of the same length and offsets stay valid ("People’s" ~ "People's").
_NORMAL = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u2032\u00b4\uff07", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"),
        **dict.fromkeys("\u00a0\u2007\u2009\u200a\u202f\u3000", " "),
    }
)

#: Case labels a ``ru_forms`` item may carry ("gen:Владимира Норова"), as pymorphy3 grammemes.
RU_CASES = CASE_LABELS


def normalize(text: str) -> str:
    """``text`` with typographic apostrophes, quotes, dashes and spaces made ASCII; same length."""
    return text.translate(_NORMAL)


@dataclass(frozen=True)
class GlossaryEntry:
    """One glossary row: an English term, its aliases and its fixed form per language column.

    ``targets`` holds (language code, fixed form) per language column of the file, in its order.

    ``case_sensitive`` None means automatic: forms with lower-case letters match in any case; an
    acronym (all capitals) matches as written, and also capitalised or in mixed case ("Covid-19",
    "Unesco") when it has four letters or more or a digit, while "SCO" never matches "Sco" and "WHO"
    never matches "Who". True: only as written; False: in any case. ``keep`` means the English form
    stays in every target language. ``ru_forms`` items may name their case: ``gen:Владимира Норова``.
    """

    en: str
    targets: tuple[tuple[str, str], ...] = ()
    variants: tuple[str, ...] = ()
    ru_forms: tuple[str, ...] = ()
    keep: bool = False
    case_sensitive: bool | None = None
    note: str = ""
    line: int = 0

    @property
    def forms(self) -> tuple[str, ...]:
        """The English term followed by its aliases."""
        return (self.en, *self.variants)

    @classmethod
    def of(cls, en: str, /, **fields) -> GlossaryEntry:
        """An entry from keyword arguments: language codes give fixed forms (``zh="上合组织"``), the rest
        are fields (``keep=True``)."""
        names = set(cls.__dataclass_fields__)
        targets = tuple((k, v) for k, v in fields.items() if k not in names)
        return cls(en, targets, **{k: v for k, v in fields.items() if k in names})

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the entry has a column for."""
        return tuple(lang for lang, _ in self.targets)

    def cell(self, lang: str) -> str:
        """The ``lang`` column as written ("" for a language without a column)."""
        return next((form for code, form in self.targets if code == lang), "")

    def target(self, lang: str) -> str:
        """The fixed form in ``lang``: the English term itself for ``keep`` entries."""
        if lang not in self.languages:
            have = ", ".join(self.languages) or "none"
            raise GlossaryError(f"the glossary has no {lang!r} column (it has {have})")
        return self.en if self.keep else self.cell(lang)

    def case_rule(self, form: str) -> str:
        """How ``form`` matches: "exact", "any", or "capitalised" (as written, or mixed case, not lower)."""
        if self.case_sensitive is not None:
            return "exact" if self.case_sensitive else "any"
        if not is_acronym(form):
            return "any"
        letters = sum(c.isalpha() for c in form)
        return "capitalised" if letters >= 4 or any(c.isdigit() for c in form) else "exact"

    @property
    def ru_cases(self) -> dict[str, str]:
        """The ``ru_forms`` that name their case, by pymorphy3 case ("gent" -> "Владимира Норова")."""
        cases: dict[str, str] = {}
        for item in self.ru_forms:
            label, sep, form = item.partition(":")
            if sep and label.strip().lower() in RU_CASES:
                cases.setdefault(RU_CASES[label.strip().lower()], form.strip())
        return cases

    @property
    def ru_variants(self) -> tuple[str, ...]:
        """Every Russian form of the entry: the fixed form, then each ``ru_forms`` item without its label."""
        forms = [self.cell("ru")]
        for item in self.ru_forms:
            label, sep, form = item.partition(":")
            forms.append(form.strip() if sep and label.strip().lower() in RU_CASES else item)
        return tuple(dict.fromkeys(f for f in forms if f))


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a text: ``text[start:end] == surface``."""

    entry: GlossaryEntry
    start: int
    end: int
    surface: str
    plural: bool = False  # the source has the English plural ("Deputy Secretaries-General")


@dataclass(frozen=True)
class Glossary:
    """A loaded glossary file; ``find`` locates its terms in English text."""

    path: Path
    sha256: str
    entries: tuple[GlossaryEntry, ...]
    languages: tuple[str, ...] = ()  # the language columns, in the file's order (default: the entries')

    def __post_init__(self) -> None:
        if not self.languages:
            found = dict.fromkeys(lang for entry in self.entries for lang in entry.languages)
            object.__setattr__(self, "languages", tuple(found))

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """Read a TSV or CSV glossary with an ``en`` column and one per language (``zh``, ``ru``, ``fr``…);
        raise GlossaryError listing every problem."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise GlossaryError(f"{path}: cannot read the glossary: {exc.strerror or exc}") from exc
        languages, entries = _parse(_decode(data, path), path)
        return cls(path=path, sha256=hashlib.sha256(data).hexdigest(), entries=entries, languages=languages)

    def covers(self, lang: str) -> bool:
        """Whether the glossary has a ``lang`` column (its terms are enforced in ``lang``)."""
        return lang in self.languages

    def find(self, text: str) -> list[TermMatch]:
        """Glossary terms in ``text``, left to right, non-overlapping, covering as much text as possible.

        The text is matched folded (``textnorm.fold``: NFC, no invisible format characters, any Unicode
        space, full-width letters as ASCII) and spans point at the original characters. Matches respect
        word boundaries and each entry's case rule, accept the English plural of a form (``inflect``:
        "Secretaries-General", "Chairmen", "Heads of State"), hyphen/space variation and typographic
        apostrophes, quotes and dashes, and stop before a possessive ``'s``. Where matches overlap, the set that leaves the fewest words uncovered (not
        counting "of", "the", "and") wins, then the one with fewer, longer terms; so a variant cannot
        swallow the start of a longer entry ("Secretary-General of the SCO Secretariat": Secretary-General
        + SCO Secretariat) and a title keeps its first word ("Deputy Secretary-General of the SCO").
        """
        folded = fold(text)
        normal = normalize(folded.text)
        index = self._index
        candidates: list[tuple[int, int, GlossaryEntry, bool]] = []
        # One big alternation is slow with many terms (re tries every branch at every word), so each word
        # picks the few forms that start with it, through a dict, and only those are tried there.
        for word in _WORD.finditer(normal):
            for pattern, entry, plural in index.get(word.group().casefold(), ()):
                m = pattern.match(normal, word.start())
                if m:
                    candidates.append((m.start(), m.end(), entry, plural))
        matches = []
        for start, end, entry, plural in _best_cover(candidates, normal):
            start, end = folded.span(start, end)
            matches.append(TermMatch(entry, start, end, text[start:end], plural))
        return matches

    @cached_property
    def _index(self) -> dict[str, list[tuple[re.Pattern[str], GlossaryEntry, bool]]]:
        index: dict[str, list[tuple[re.Pattern[str], GlossaryEntry, bool]]] = {}
        for entry in self.entries:
            for form in entry.forms:
                form = normalize(fold_text(form))
                rule = entry.case_rule(form)
                plural = english_plural(form)
                for variant, is_plural in ((form, False), *(((plural, True),) if plural else ())):
                    pattern = re.compile(f"(?:{form_pattern(variant, rule)}){_AFTER}")
                    index.setdefault(_lead(variant), []).append((pattern, entry, is_plural))
        _save_plurals()
        return index


def _best_cover(
    candidates: list[tuple[int, int, GlossaryEntry, bool]], text: str
) -> list[tuple[int, int, GlossaryEntry, bool]]:
    """Non-overlapping candidates covering the most words; on a tie, the fewest (longest) terms."""
    candidates = sorted(set(candidates), key=lambda c: (c[1], c[0], c[2].line, c[2].en, c[3]))
    ends = [c[1] for c in candidates]
    best: list[tuple[int, int]] = [(0, 0)]  # (covered characters, -number of terms) over a prefix
    choice: list[int] = [0]
    for i, (start, end, _, _) in enumerate(candidates):
        j = bisect.bisect_right(ends, start, 0, i)
        words = sum(w.group().casefold() not in _LINK_WORDS for w in _WORD.finditer(text, start, end))
        take = (best[j][0] + words, best[j][1] - 1)
        if take > best[i]:
            best.append(take)
            choice.append(j)
        else:
            best.append(best[i])
            choice.append(-1)
    picked = []
    i = len(candidates)
    while i > 0:
        if choice[i] < 0:
            i -= 1
        else:
            picked.append(candidates[i - 1])
            i = choice[i]
    return picked[::-1]


_WORD = re.compile(f"[{WORD_CHARS}]+")
_LINK_WORDS = frozenset({"of", "the", "and", "for", "a", "an", "de", "in", "on"})


def _lead(form: str) -> str:
    m = _WORD.match(form)
    return m.group().casefold() if m else ""


# Words that end an English noun phrase's head: "Heads of State", "Ministers for Foreign Affairs".
_AFTER_HEAD = frozenset({"of", "for", "in", "on", "at", "to", "with", "under", "de"})


@lru_cache(maxsize=1)
def _inflect():
    import inflect

    return inflect.engine()


def _plurals_file() -> Path:
    """Where inflect's answers are kept between runs: tsum's cache folder, one file per inflect version."""
    try:
        version = metadata.version("inflect")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return cache_root() / f"inflect-{version}-plurals.json"


@lru_cache(maxsize=1)
def _known_plurals() -> dict[str, str]:
    """inflect's plural of each word asked before (a file that is missing or unreadable: none)."""
    try:
        data = json.loads(_plurals_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and v}


_unsaved: set[str] = set()
_plurals_lock = threading.Lock()  # glossaries are built on the review server's threads too


def _plural_noun(word: str) -> str:
    """inflect's plural of the lower-case noun ``word``; inflect is imported only for a word not seen
    before (importing it costs seconds: typeguard instruments it), so a run whose glossary is
    unchanged never imports it."""
    known = _known_plurals()
    with _plurals_lock:
        if word not in known:
            known[word] = _inflect().plural_noun(word)
            _unsaved.add(word)
        return known[word]


def _save_plurals() -> None:
    """Keep the plurals found in this process for the next one; a cache that cannot be written is skipped."""
    if not _unsaved:
        return
    with _plurals_lock:
        text = json.dumps(_known_plurals(), ensure_ascii=False, sort_keys=True)
        _unsaved.clear()
    try:
        write_atomic(_plurals_file(), text)
    except OutputError as exc:
        logging.getLogger("translate_sum").debug("plural cache not written: %s", exc)


@lru_cache(maxsize=4096)
def english_plural(form: str) -> str | None:
    """The plural of an English glossary form (its head noun inflected by ``inflect``), or None.

    The head is the last word, or the word before "of"/"for"/...; a hyphenated title is one word to
    ``inflect`` ("Deputy Secretaries-General"). Acronyms take a plain "s" ("NGOs"); forms ending in
    a digit or a mark have none.
    """
    words = form.split(" ")
    head = next((k - 1 for k, w in enumerate(words) if k > 0 and w.lower() in _AFTER_HEAD), len(words) - 1)
    word = words[head]
    if not word or not word[-1].isalpha():
        return None
    plural = word + "s" if is_acronym(word) else _same_shape(_plural_noun(word.lower()), word)
    if plural.casefold() == word.casefold():
        return None
    return " ".join([*words[:head], plural, *words[head + 1 :]])


def _same_shape(new: str, old: str) -> str:
    """``new`` with the capitalisation of ``old``, hyphen-part by hyphen-part."""
    out = []
    for new_part, old_part in zip(new.split("-"), old.split("-"), strict=False):
        if old_part.isupper() and len(old_part) > 1:
            out.append(new_part.upper())
        elif old_part[:1].isupper():
            out.append(new_part[:1].upper() + new_part[1:])
        else:
            out.append(new_part)
    return "-".join(out) if len(new.split("-")) == len(old.split("-")) else new


@lru_cache(maxsize=4096)
def english_regex(
    entry: GlossaryEntry, exact_case: bool = False, fixed_only: bool = False
) -> re.Pattern[str]:
    """A regex for any English form of ``entry`` (or its plural) as a whole word, to run on folded text.

    ``exact_case`` overrides the case rule and ``fixed_only`` leaves out the aliases: together they
    check a kept (untranslated) term in a translation ("zoom" is not "Zoom", an alias is not the term).
    """
    forms = [normalize(fold_text(f)) for f in ((entry.en,) if fixed_only else entry.forms)]
    forms = [f for form in forms for f in (form, english_plural(form)) if f]
    forms.sort(key=len, reverse=True)
    branches = "|".join(form_pattern(f, "exact" if exact_case else entry.case_rule(f)) for f in forms)
    return re.compile(f"{_BEFORE}(?:{branches}){_AFTER}")


def is_acronym(form: str) -> bool:
    """True for all-capital forms such as ``SCO``, ``PRC`` or ``COVID-19``."""
    letters = [c for c in form if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def form_pattern(form: str, case: str | bool) -> str:
    """Regex source for one English form, without the word boundaries around it.

    ``case``: "exact" (or True), "any" (or False), or "capitalised": any case but not starting lower-case.
    """
    if isinstance(case, bool):
        case = "exact" if case else "any"
    words = [w for w in _SPLIT.split(form.strip()) if w]
    pieces = [re.escape(w) for w in words[:-1]] + [_last_word(words[-1])]

    body = _GAP.join(pieces)
    if case == "exact":
        return body
    if case == "capitalised":
        return f"(?![a-z])(?i:{body})"
    return f"(?i:{body})"


def _last_word(word: str) -> str:
    if word.endswith("."):  # "Co., Ltd." is also written "Co., Ltd"
        return re.escape(word[:-1]) + r"\.?"
    return re.escape(word)


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GlossaryError(
            f"{path} line {line}: not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from exc


def _parse(text: str, path: Path) -> tuple[tuple[str, ...], tuple[GlossaryEntry, ...]]:
    problems: list[tuple[int, str]] = []
    lines = [(n, raw.rstrip("\r")) for n, raw in enumerate(text.split("\n"), start=1)]
    lines = [(n, raw) for n, raw in lines if raw.strip() and not raw.lstrip().startswith("#")]
    if not lines:
        raise GlossaryError(
            f"{path}: no header row; the first row must name the columns: en, then one per language (zh, ru, …)"
        )
    header_line, header_raw = lines[0]
    split = _splitter(path, header_raw)
    header = [_column_name(cell) for cell in split(header_raw)]
    _check_header(header, header_line, problems)
    if problems:
        raise GlossaryError(_report(path, problems))
    languages = tuple(name for name in header if _is_language(name))

    entries: list[GlossaryEntry] = []
    for n, raw in lines[1:]:
        cells = split(raw)
        if len(cells) != len(header):
            problems.append((n, f"{len(cells)} columns, but the header has {len(header)}"))
            continue
        # Cells folded like the texts they are matched against: a form typed with NFD letters, a soft
        # hyphen or a no-break space in the file still meets the output, and is inserted clean.
        cells = [fold_text(cell).strip() for cell in cells]
        entry = _entry(dict(zip(header, cells, strict=True)), languages, n, problems)
        if entry is not None:
            entries.append(entry)
    _check_duplicates(entries, problems)
    if problems:
        raise GlossaryError(_report(path, problems))
    return languages, tuple(entries)


def _splitter(path: Path, header: str):
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    if delimiter not in header:  # wrong or missing extension: sniff the header row
        delimiter = "\t" if "\t" in header else ","
    if delimiter == "\t":
        return lambda raw: [cell.strip() for cell in raw.split("\t")]
    # One physical line at a time, so that every row keeps its line number.
    return lambda raw: [cell.strip() for cell in next(csv.reader([raw]))]


_KNOWN = frozenset(_REQUIRED + _OPTIONAL + _INFORMATIONAL)


def _column_name(cell: str) -> str:
    name = cell.strip().lower()
    # Cloud glossaries name language columns by locale ("zh-CN", "en_US", "fr-FR"): the language counts.
    locale = re.fullmatch(r"([a-z]{2,3})[-_][a-z0-9]{2,8}", name)
    if locale and name not in _KNOWN and (locale.group(1) == "en" or _is_language(locale.group(1))):
        return locale.group(1)
    return name


@lru_cache(maxsize=256)
def _is_language(name: str) -> bool:
    """Whether a column named ``name`` is a target language's: a valid BCP 47 language code, not ``en``."""
    if name in _KNOWN or not re.fullmatch(r"[a-z]{2,3}", name):
        return False
    try:
        return langcodes.Language.get(name).is_valid()
    except (ValueError, langcodes.LanguageTagError):
        return False


def _check_header(header: list[str], line: int, problems: list[tuple[int, str]]) -> None:
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        found = ", ".join(repr(c) for c in header)
        problems.append((line, f"header lacks column(s) {', '.join(missing)} (found {found})"))
    if not missing and not any(_is_language(name) for name in header):
        problems.append(
            (line, "header names no language column (zh, ru, fr, ar, …: one per target language)")
        )
    for name in header:
        if name not in _KNOWN and not _is_language(name):
            known = ", ".join(_REQUIRED + _OPTIONAL)
            problems.append((line, f"unknown column {name!r} (known: {known}, and language codes)"))
    for name in sorted({c for c in header if header.count(c) > 1}):
        problems.append((line, f"column {name!r} appears more than once"))


def _entry(
    row: dict[str, str], languages: tuple[str, ...], line: int, problems: list[tuple[int, str]]
) -> GlossaryEntry | None:
    before = len(problems)
    en = row["en"]
    if not en:
        problems.append((line, "empty 'en' term"))
    for form in (en, *_items(row.get("variants", ""))):
        if form and not _WORD.match(form):
            problems.append((line, f"{form!r} must start with a Latin letter or digit"))
    keep = _flag(row.get("keep", ""), "keep", line, problems)
    sensitive = _flag(row.get("case_sensitive", ""), "case_sensitive", line, problems, default=None)
    if not keep:
        for lang in languages:
            if not row[lang]:
                problems.append((line, f"empty {lang!r} target for {en!r} (fill it in, or set keep)"))
    for item in _items(row.get("ru_forms", "")):
        label, sep, form = item.partition(":")
        if (
            sep
            and re.fullmatch(r"[a-z]{3,4}", label.strip().lower())
            and label.strip().lower() not in RU_CASES
        ):
            problems.append((line, f"unknown case {label!r} in ru_forms (known: {', '.join(RU_CASES)})"))
        elif sep and not form.strip():
            problems.append((line, f"empty form after {label!r} in ru_forms"))
    if len(problems) > before:
        return None
    variants = tuple(dict.fromkeys(v for v in _items(row.get("variants", "")) if v != en))
    return GlossaryEntry(
        en=en,
        targets=tuple((lang, row[lang]) for lang in languages),
        variants=variants,
        ru_forms=_items(row.get("ru_forms", "")),
        keep=bool(keep),
        case_sensitive=sensitive,
        note=row.get("note", ""),
        line=line,
    )


def _items(cell: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in cell.split("|") if item.strip())


def _flag(value: str, column: str, line: int, problems: list[tuple[int, str]], default=False) -> bool | None:
    folded = value.strip().lower()
    if not folded:
        return default
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    problems.append((line, f"{column} must be yes or no, not {value!r}"))
    return default


def _key(form: str) -> str:
    return " ".join(w for w in _SPLIT.split(form.casefold().strip()) if w)


def _check_duplicates(entries: list[GlossaryEntry], problems: list[tuple[int, str]]) -> None:
    seen: dict[str, GlossaryEntry] = {}
    for entry in entries:
        for form in entry.forms:
            key = _key(form)
            first = seen.setdefault(key, entry)
            if first is entry:
                continue
            if _fixed(first) == _fixed(entry):
                problems.append((entry.line, f"{form!r} duplicates line {first.line}"))
            else:
                problems.append(
                    (
                        entry.line,
                        f"{form!r} conflicts with line {first.line}: "
                        f"{' / '.join(_fixed(entry))} here, {' / '.join(_fixed(first))} there",
                    )
                )


def _fixed(entry: GlossaryEntry) -> tuple[str, ...]:
    return tuple(entry.target(lang) for lang in entry.languages)


def _report(path: Path, problems: list[tuple[int, str]]) -> str:
    lines = [f"{path} line {n}: {msg}" for n, msg in sorted(problems, key=lambda p: p[0])]
    if len(lines) == 1:
        return lines[0]
    return f"{path}: {len(lines)} problems\n" + "\n".join(lines)
