"""Russian forms of glossary terms: the case a context asks for, inflecting a term, finding its inflections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from translate_sum.errors import ConfigError
from translate_sum.segment import russian_abbreviations
from translate_sum.terms.glossary import RU_CASES, WORD_CHARS, GlossaryEntry
from translate_sum.textnorm import fold

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_CASE_NAMES = {"nomn": "nominative", "gent": "genitive", "datv": "dative", "accs": "accusative"}
_CASE_NAMES |= {"ablt": "instrumental", "loct": "prepositional"}
# pymorphy3's second genitive/locative/accusative ("чаю", "в лесу") count as the main case.
_MAIN_CASE = {"gen1": "gent", "gen2": "gent", "loc1": "loct", "loc2": "loct", "acc2": "accs"}
_CYR_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")
_QUOTES = "«»\"“”„'‘’"


def case_name(case: str) -> str:
    """The English name of a pymorphy3 case ("gent" -> "genitive")."""
    return _CASE_NAMES.get(case, case)


@lru_cache(maxsize=1)
def _morph():
    try:
        import pymorphy3
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ConfigError(
            "Russian glossary checks need pymorphy3: pip install pymorphy3 pymorphy3-dicts-ru"
        ) from exc
    return pymorphy3.MorphAnalyzer(lang="ru")


def _yo(text: str) -> str:
    # ё is often written е; same length, so offsets hold.
    return text.replace("ё", "е").replace("Ё", "Е")


@lru_cache(maxsize=65536)
def _parses(word: str) -> tuple:
    return tuple(_morph().parse(word.lower()))


def _case(parse) -> str | None:
    case = parse.tag.case
    return _MAIN_CASE.get(case, case) if case else None


# -- phrases ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """A Russian glossary form, word by word: which words change with the case, and how.

    ``roles`` per word: "adj" (agrees with the head), "noun" (the head, or a first name), "surname"
    (after a first name), "fixed" (keeps its form: complements, abbreviations, quoted names).
    ``known`` is False when a word that probably declines could not be analysed (a transcribed name).
    """

    words: tuple[str, ...]
    roles: tuple[str, ...]
    parses: tuple
    known: bool

    @property
    def declinable(self) -> bool:
        return any(role != "fixed" for role in self.roles)


def _plain(word: str) -> bool:
    return bool(_CYR_WORD.fullmatch(word)) and not word.isupper()


def _pick(word: str, pos: tuple[str, ...], *grammemes: str):
    for p in _parses(word):
        if p.tag.POS in pos and "nomn" in p.tag and p.is_known and all(g in p.tag for g in grammemes):
            return p
    return None


def _known_word(word: str) -> bool:
    return any(p.is_known for p in _parses(word))


@lru_cache(maxsize=4096)
def analyse(phrase: str) -> Phrase:
    """How the words of ``phrase`` (a nominative glossary form) decline; see ``Phrase``."""
    words = tuple(phrase.split())
    roles = ["fixed"] * len(words)
    parses: list = [None] * len(words)
    quoted = _quoted(words)
    if all(quoted):  # «Вэйдун Клауд Эдьюкейшн Груп»: a quoted name keeps its form
        return Phrase(words, tuple(roles), tuple(parses), True)
    i = 0
    while (
        i < len(words) - 1 and not quoted[i] and _plain(words[i]) and (p := _pick(words[i], ("ADJF", "PRTF")))
    ):
        roles[i], parses[i] = "adj", p
        i += 1
    head = _pick(words[i], ("NOUN",)) if i < len(words) and not quoted[i] and _plain(words[i]) else None
    if head is not None and "Fixd" in head.tag:  # Циндао, ЮНЕСКО: indeclinable
        head = None
    if head is None:
        # No declining head: fine when nothing here declines (ШОС, «Вэйдун», COVID-19, Циндао).
        known = i == 0 and all(
            q or not _plain(w) or _indeclinable(w) for w, q in zip(words, quoted, strict=True)
        )
        return Phrase(words, ("fixed",) * len(words), (None,) * len(words), known)
    roles[i], parses[i] = "noun", head
    known = True
    if {"Name", "Surn"} & head.tag.grammemes:
        for j in range(i + 1, len(words)):
            if not (_plain(words[j]) and words[j][:1].isupper()):
                break
            if _surname_forms(words[j], _gender(head)) is None:
                known = False
                break
            roles[j] = "surname"
    rest = [w for k, w in enumerate(words) if k > i and roles[k] == "fixed" and not quoted[k]]
    # A capitalised word the dictionary does not know after the head is a name we cannot decline
    # (Ван Дуаньжуй: "Ван" parses as a common noun).
    if any(_plain(w) and w[:1].isupper() and not _known_word(w) for w in rest):
        known = False
    return Phrase(words, tuple(roles), tuple(parses), known)


def _quoted(words: tuple[str, ...]) -> list[bool]:
    """Which words stand inside quotation marks (the marks' own words included)."""
    inside, out = False, []
    for word in words:
        opens = word[:1] in '«„“"'
        out.append(inside or opens)
        if opens:
            inside = True
        if word[-1:] in '»“”"' and (inside or opens) and len(word) > 1:
            inside = False
    return out


def _indeclinable(word: str) -> bool:
    parses = [p for p in _parses(word) if p.is_known]
    return bool(parses) and all("Fixd" in p.tag for p in parses)


def _gender(parse) -> str:
    return "femn" if parse.tag.gender == "femn" else "masc"


_SURNAME_ENDINGS = {
    "masc": {"nomn": "", "gent": "а", "datv": "у", "accs": "а", "ablt": "ым", "loct": "е"},
    "femn": {"nomn": "а", "gent": "ой", "datv": "ой", "accs": "у", "ablt": "ой", "loct": "ой"},
}


def _surname_forms(word: str, gender: str) -> dict[str, str] | None:
    """Case forms of a Russian-type surname (Норов, Иванова, Пушкин), or None for any other word.

    pymorphy3 parses many surnames as common nouns ("норов": temper; "Норовом" instead of "Норовым").
    """
    lower = word.lower()
    if gender == "masc" and lower.endswith(("ов", "ев", "ёв", "ин", "ын")):
        stem = word
    elif gender == "femn" and lower.endswith(("ова", "ева", "ёва", "ина", "ына")):
        stem = word[:-1]
    else:
        surn = [p for p in _parses(word) if "Surn" in p.tag and "nomn" in p.tag]
        if not surn:
            return None
        forms = {c: (surn[0].inflect({c}) or surn[0]).word for c in CASES}
        return {c: _same_case(f, word) for c, f in forms.items()}
    return {case: stem + ending for case, ending in _SURNAME_ENDINGS[gender].items()}


def inflect(phrase: str, case: str, number: str | None = None) -> str | None:
    """``phrase`` (nominative) in ``case`` (and ``number``: "plur" for the plural), or None when its words
    cannot be declined with confidence."""
    analysis = analyse(phrase)
    if not analysis.known:
        return None
    if not analysis.declinable:
        return phrase
    head = next(p for p, r in zip(analysis.parses, analysis.roles, strict=True) if r == "noun")
    if number == "plur" and ("Surn" in head.tag or "Name" in head.tag or "Sgtm" in head.tag):
        return None  # a name or a singular-only noun has no plural to put in
    number = number or head.tag.number or "sing"
    if case == "nomn" and number == (head.tag.number or "sing"):
        return phrase
    out = list(analysis.words)
    for k, (word, role, parse) in enumerate(
        zip(analysis.words, analysis.roles, analysis.parses, strict=True)
    ):
        if role == "fixed":
            continue
        if role == "surname":
            forms = _surname_forms(word, _gender(head))
            new = forms[case] if forms else None
        else:
            wanted = {case, number}
            if role == "adj" and number == "sing":
                wanted.add(head.tag.gender or "masc")
            if role == "adj" and case == "accs" and (number == "plur" or head.tag.gender == "masc"):
                wanted.add(head.tag.animacy or "inan")
            inflected = parse.inflect(wanted)
            new = inflected.word if inflected else None
        if new is None:
            return None
        out[k] = _same_case(new, word)
    return " ".join(out)


def _same_case(new: str, old: str) -> str:
    """``new`` written with the capitals of ``old``, part by part of a hyphenated name ("Нур-Султане")."""
    if old.isupper():
        return new.upper()
    olds, news = old.split("-"), new.split("-")
    if len(olds) != len(news):
        olds = olds[:1]
        news = [new]
    return "-".join(n[:1].upper() + n[1:] if o[:1].isupper() else n for n, o in zip(news, olds, strict=True))


def form_for(entry: GlossaryEntry, case: str, plural: bool = False) -> str | None:
    """The Russian form of ``entry`` in ``case``: a listed ``ru_forms`` item first, then pymorphy3.

    ``plural``: the plural, by pymorphy3 only (None when it cannot be formed; an indeclinable form stays)."""
    if plural:
        return inflect(entry.cell("ru"), case, "plur")
    if case == "nomn":
        return entry.cell("ru")
    labelled = entry.ru_cases
    if case in labelled:
        return labelled[case]
    for form in entry.ru_variants[1:]:
        if form not in labelled.values() and form_cases(form, entry.cell("ru")) == {case}:
            return form
    if case == "accs":
        # Accusative is the genitive for animate heads and the nominative otherwise: needs the analysis.
        analysis = analyse(entry.cell("ru"))
        if not analysis.known and _animate_name(entry.cell("ru")):
            return form_for(entry, "gent")
    inflected = inflect(entry.cell("ru"), case)
    if inflected is not None:
        return inflected
    for form in entry.ru_variants[1:]:  # an unlabelled form whose tags allow the case among others
        if (
            form not in labelled.values()
            and case in form_cases(form, entry.cell("ru"))
            and len(form_cases(form, entry.cell("ru"))) <= 2
        ):
            return form
    return None


def _animate_name(phrase: str) -> bool:
    first = phrase.split()[0]
    return any({"Name", "Surn"} & p.tag.grammemes for p in _parses(first))


def search_key(entry: GlossaryEntry) -> str:
    """A short piece that every rendering of ``entry``'s Russian form contains: its first word's first
    letters (endings change with the case)."""
    form = entry.cell("ru").strip('«»"')
    key = form.split()[0] if form.split() else form
    return key[: max(1, min(3, len(key) - 1))]


def declinable(entry: GlossaryEntry) -> bool:
    """Whether ``entry``'s Russian form may change with the case (unknown words: assume it may)."""
    if entry.keep:
        return False
    analysis = analyse(entry.cell("ru"))
    if analysis.known:
        return analysis.declinable
    return True


def form_cases(form: str, nominative: str) -> set[str]:
    """The cases ``form`` (an inflection of ``nominative``) can be in, by pymorphy3's tags of the words
    that differ from the nominative (parses of the same lemma only) and by surname endings."""
    result = set(CASES)
    words, base = form.split(), nominative.split()
    if len(words) != len(base):
        return set()
    for word, nom in zip(words, base, strict=True):
        if _yo(word).lower() == _yo(nom).lower():
            continue
        lemma = _yo(nom.lower())
        cases = {_case(p) for p in _parses(word) if _yo(p.normal_form) == lemma and _case(p)}
        for gender in ("masc", "femn"):
            forms = _surname_forms(nom, gender) if nom[:1].isupper() else None
            cases |= {c for c, f in (forms or {}).items() if _yo(f).lower() == _yo(word).lower()}
        result &= cases
    return result


# -- finding forms in a text -----------------------------------------------------------------------------


# Whole words: a hyphen joins words in Russian ("президент" is not in "вице-президент").
_BEFORE = f"(?<![{WORD_CHARS}])(?<![{WORD_CHARS}]-)"
_AFTER = f"(?![{WORD_CHARS}])(?!-[{WORD_CHARS}])"


def _exact_pattern(form: str) -> str:
    core = form.strip(_QUOTES)
    body = r"\s+".join(re.escape(_yo(w)) for w in core.split())
    if not core:
        return re.escape(form)
    before = _BEFORE if re.match(f"[{WORD_CHARS}]", core[0]) else f"(?<![{WORD_CHARS}{re.escape(core[0])}])"
    after = _AFTER if re.match(f"[{WORD_CHARS}]", core[-1]) else f"(?![{WORD_CHARS}{re.escape(core[-1])}])"
    if core == form:
        return f"{before}{body}{after}"
    # Quotation marks are optional (компании Вэйдун), but taken whole where they stand.
    quote = f"[{re.escape(_QUOTES)}]"
    return f"(?:{quote}{before}{body}{after}{quote}?|(?<!{quote}){before}{body}{after})"


@lru_cache(maxsize=4096)
def _exact_regex(forms: tuple[str, ...]) -> re.Pattern[str]:
    branches = "|".join(_exact_pattern(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(f"(?=({branches}))", re.IGNORECASE)


_SLOT = r"([А-Яа-яЕе]+(?:-[А-Яа-яЕе]+)*)"
_ANY = frozenset(CASES)


@dataclass(frozen=True)
class _Word:
    """One word of a Russian glossary form: its forms by case (empty: it keeps its form)."""

    word: str
    forms: dict[str, frozenset[str]]  # folded form -> the cases it stands in
    unchanged_any: bool = False  # the nominative may stand for any case (a Chinese surname: Ван, Си)

    def cases(self, found: str) -> frozenset[str] | None:
        key = _yo(found).lower()
        if self.unchanged_any and key == _yo(self.word).lower():
            return _ANY
        return self.forms.get(key)


def _table(pairs) -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for form, case in pairs:
        if form and case:
            table.setdefault(_yo(form).lower(), set()).add(case)
    return {form: frozenset(cases) for form, cases in table.items()}


def _lexeme(parse) -> dict[str, frozenset[str]]:
    return _table((f.word, _case(f)) for f in parse.lexeme)


_VOWELS = "аеёиоуыэюя"


def _name_forms(word: str) -> dict[str, frozenset[str]]:
    """Case forms of a transcribed name pymorphy3 does not know, by the rules Russian applies to foreign
    names: a Russian-type surname (-ов, -ин) as such; a consonant ending declines like «Джонон»
    (-а, -у, -а, -ом/-ем, -е), «-й»/«-ь» like «Сянъюй» (-я, -ю, -я, -ем, -е); a vowel ending does not
    decline. The accusative of a name (animate) is its genitive."""
    surname = _surname_forms(word, "masc")
    if surname is not None and not _parses(word)[0].is_known:
        return _table((form, case) for case, form in surname.items())
    lower = word.lower()
    if lower[-1:] in _VOWELS:
        return _table((word, case) for case in CASES)
    if lower[-1:] in "йь":
        stem, endings = word[:-1], ("", "я", "ю", "я", "ем", "е")
    else:
        ins = "ем" if lower[-1:] in "жшчщц" else "ом"
        stem, endings = word, ("", "а", "у", "а", ins, "е")
    forms = [word if k == 0 else stem + ending for k, ending in enumerate(endings)]
    return _table(zip(forms, CASES, strict=True))


@lru_cache(maxsize=4096)
def _labelled(entry: GlossaryEntry) -> dict[str, frozenset[str]]:
    """The labelled ``ru_forms`` by folded form, with every case they are labelled with."""
    out: dict[str, set[str]] = {}
    for item in entry.ru_forms:
        label, sep, form = item.partition(":")
        case = RU_CASES.get(label.strip().lower()) if sep else None
        if case:
            out.setdefault(_yo(form.strip()).lower().strip(_QUOTES), set()).add(case)
    return {form: frozenset(cases) for form, cases in out.items()}


@lru_cache(maxsize=4096)
def _words_of(entry: GlossaryEntry) -> tuple[_Word | None, ...] | None:
    """How each word of ``entry``'s Russian form declines (None: it keeps its form), or None when nothing
    does. pymorphy3 for the words it knows; the name rules above for the ones it does not; then every
    ``ru_forms`` item of the same length adds its words (labelled ones in their case)."""
    analysis = analyse(entry.cell("ru"))
    if analysis.known and not analysis.declinable:
        return None
    quoted = _quoted(analysis.words)
    head = next((p for p, r in zip(analysis.parses, analysis.roles, strict=True) if r == "noun"), None)
    words: list[_Word | None] = []
    multi = len(analysis.words) > 1
    for k, (word, role, parse) in enumerate(
        zip(analysis.words, analysis.roles, analysis.parses, strict=True)
    ):
        if analysis.known:
            if role == "fixed":
                words.append(None)
            elif role == "surname":
                forms = _surname_forms(word, _gender(head)) or {}
                words.append(_Word(word, _table((f, c) for c, f in forms.items())))
            else:
                words.append(_Word(word, _lexeme(parse)))
        elif quoted[k] or not _plain(word):
            words.append(None)
        elif word[:1].isupper():
            # The first of several name words may be a Chinese surname, which stays as it is.
            words.append(_Word(word, _name_forms(word), unchanged_any=multi and k == 0))
        else:
            known = [p for p in _parses(word) if p.is_known and p.tag.POS in ("NOUN", "ADJF", "PRTF")]
            words.append(_Word(word, _lexeme(known[0])) if known else None)
    labelled = _labelled(entry)
    for item in entry.ru_variants[1:]:
        parts = item.split()
        if len(parts) != len(words):
            continue
        listed = labelled.get(_yo(item).lower())
        for k, (part, slot) in enumerate(zip(parts, words, strict=True)):
            if slot is None or _yo(part).lower() == _yo(slot.word).lower():
                continue
            cases = listed or slot.cases(part) or frozenset(form_cases(part, slot.word)) or _ANY
            table = dict(slot.forms)
            table[_yo(part).lower()] = table.get(_yo(part).lower(), frozenset()) | cases
            words[k] = _Word(slot.word, table, slot.unchanged_any)
    if all(w is None for w in words):
        return None
    return tuple(words)


@lru_cache(maxsize=4096)
def _phrase_regex(entry: GlossaryEntry) -> re.Pattern[str] | None:
    words = _words_of(entry)
    if words is None:
        return None
    pieces = [
        _SLOT if w else _exact_pattern(word) for word, w in zip(entry.cell("ru").split(), words, strict=True)
    ]
    body = r"\s+".join(pieces)
    return re.compile(f"(?=({_BEFORE}{body}{_AFTER}))", re.IGNORECASE)


@dataclass(frozen=True)
class Rendering:
    """A place where an entry's Russian form stands: ``counts`` when its words agree and fit the context;
    otherwise ``note`` says what is wrong ("mixed cases: …", "genitive after «для», found dative")."""

    span: tuple[int, int]
    counts: bool
    note: str | None = None


def spans(entry: GlossaryEntry, text: str) -> list[tuple[int, int]]:
    """Where ``entry``'s Russian form stands in ``text`` and counts (see ``renderings``)."""
    return [r.span for r in renderings(entry, text) if r.counts]


def renderings(entry: GlossaryEntry, text: str) -> list[Rendering]:
    """Where ``entry``'s Russian form stands in ``text`` (as written, listed or inflected), and whether
    it counts there. A rendering that does not count still shows where the term stands.

    One rule for every name: every declining word must be in one and the same case ("старшего
    эксперта", not "старшего эксперт"; "с Ван Сянъюем", not "с Ван Сянъюю"), by pymorphy3's tags for
    the words it knows and by tsum's own name rules and the ``ru_forms`` for those it does not; right
    after a preposition, that case must be one the preposition takes ("для Шерали Джонона", not "для
    Шерали Джонон"). A capitalised word stays capitalised in every part of it ("Нур-Султане", not
    "Нур-султане"). Words with punctuation or Latin letters ("C++", "COVID-19") and quoted names must
    stand exactly as in the glossary. The text is matched folded (``textnorm``); spans are original.
    """
    folded = fold(text)
    normal = _yo(folded.text)
    words = _words_of(entry)
    found: dict[tuple[int, int], tuple[frozenset[str] | None, str | None]] = {}
    labelled = _labelled(entry)
    for m in _exact_regex(entry.ru_variants).finditer(normal):
        form = m.group(1)
        # A labelled form stands in its cases; any other is read word by word below, like any rendering.
        found[_span(m)] = (labelled.get(form.lower().strip(_QUOTES)), _capitals(entry.cell("ru"), form))
    pattern = _phrase_regex(entry)
    if pattern is not None and words is not None:
        for m in pattern.finditer(normal):
            per_word = _read(words, m.groups()[1:])
            if per_word is None:
                continue  # a word that is not a form of the glossary's: not this term
            common = frozenset.intersection(*(c for _, c in per_word)) if per_word else _ANY
            capitals = _capitals(entry.cell("ru"), m.group(1))
            if not common:
                shown = ", ".join(
                    f"«{g}» {'/'.join(case_name(c) for c in sorted(cs, key=CASES.index))}"
                    for g, cs in per_word
                )
                found[_span(m)] = (frozenset(), f"mixed cases in «{m.group(1)}»: {shown}")
            elif _span(m) not in found or found[_span(m)][0] is None:
                found[_span(m)] = (common, capitals)
    out = []
    for (start, end), (cases, problem) in sorted(found.items()):
        if problem is None and cases is not None:
            problem = _context_problem(normal[:start], cases, normal[start:end])
        out.append(Rendering(folded.span(start, end), problem is None, problem))
    return out


def _read(words: tuple[_Word | None, ...], found: tuple[str, ...]) -> list[tuple[str, frozenset[str]]] | None:
    """Each declining word found, with the cases it can be in; None when one is not a form of its word."""
    slots = iter(found)
    out = []
    for w in words:
        if w is not None:
            got = next(slots)
            cases = w.cases(got)
            if cases is None:
                return None
            out.append((got, cases))
    return out


def _capitals(glossary_form: str, found: str) -> str | None:
    """A problem when a capitalised part of the glossary form is written in lower case ("Нур-султане")."""
    if found.isupper():
        return None
    for want, got in zip(glossary_form.strip(_QUOTES).split(), found.strip(_QUOTES).split(), strict=False):
        for w, g in zip(want.split("-"), got.split("-"), strict=False):
            if w[:1].isupper() and g[:1].islower():
                return f"lower case in «{found}» (the glossary writes «{glossary_form}»)"
    return None


def _context_problem(before: str, cases: frozenset[str], form: str) -> str | None:
    m = re.search(r"(?:^|[^А-Яа-яЁё-])([А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*)\s+[«\"„“]?$", before)
    if not m:
        return None
    word = _yo(m.group(1).lower())
    wanted = {_ONE_CASE[word]} if word in _ONE_CASE else set(_SEVERAL_CASES.get(word, CASES))
    if wanted & cases:
        return None
    found = "/".join(case_name(c) for c in sorted(cases, key=CASES.index))
    need = " or ".join(case_name(c) for c in sorted(wanted, key=CASES.index))
    return f"«{form}» is {found}, but «{m.group(1)}» takes the {need}"


def _span(m: re.Match[str]) -> tuple[int, int]:
    return m.start(1), m.end(1)


def _lemmas(word: str) -> frozenset[str]:
    word = _yo(word.lower())
    if not re.search("[а-я]", word):
        return frozenset({word})
    return frozenset({word} | {_yo(p.normal_form) for p in _parses(word)})


# -- the case a context asks for --------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


_ONE_CASE = {
    **dict.fromkeys(
        _words("""без безо для до из изо от ото у около после против среди кроме вокруг возле ради вместо из-за
        из-под мимо вдоль внутри вне напротив накануне помимо ввиду вследствие насчет посредством путем
        сверх близ позади впереди свыше относительно"""),
        "gent",
    ),
    **dict.fromkeys(_words("к ко благодаря согласно вопреки навстречу подобно"), "datv"),
    **dict.fromkeys(_words("через про сквозь спустя включая"), "accs"),
    **dict.fromkeys(_words("над надо перед передо"), "ablt"),
    **dict.fromkeys(_words("при"), "loct"),
}
# Prepositions with several cases, and the cases each takes; what follows or the words before settle it.
_SEVERAL_CASES = {
    **dict.fromkeys(("с", "со"), ("gent", "accs", "ablt")),
    "по": ("datv", "accs", "loct"),
    **dict.fromkeys(("между", "меж"), ("ablt", "gent")),
    **dict.fromkeys(("в", "во", "на", "о", "об", "обо"), ("accs", "loct")),
    **dict.fromkeys(("за", "под", "подо"), ("accs", "ablt")),
}
# Words before a preposition that settle its case (by lemma).
_CUES = {
    "accs": frozenset(
        _words("""визит поездка прибыть приехать прилететь отправиться направиться поехать ехать лететь пойти
        идти войти вступить вступление вход приглашение пригласить передать направить отправить
        перевести принять прием обратиться обращение въезд экспорт инвестиция инвестировать вклад
        превратить превращение внимание влияние ответ надежда право ориентироваться направленный
        благодарить благодарность спасибо голосовать бороться борьба отвечать ответственность
        попасть делегация доставить вернуться возвращение""")
    ),
    "loct": frozenset(
        _words("""находиться состояться проходить пройти проводиться провести участвовать участие работать
        работа жить располагаться расположить выступить выступление представить представлять
        представитель член членство председательство председательствовать роль место опыт
        рассказать сообщить отметить заявить встреча заседание форум саммит конференция
        открыть открытие штаб-квартира офис создать создание быть являться пост должность
        мысль речь говорить сказать рассказ думать знать узнать вспомнить забота заботиться
        информация новость сведение доклад статья книга фильм вопрос забыть слышать услышать
        договор соглашение мечта мечтать просьба просить""")
    ),
    "ablt": frozenset(
        _words("""следить наблюдать стоять руководство руководить эгида контроль встреча встретиться
        встречаться беседа беседовать переговоры сотрудничество сотрудничать дружба дружить
        вместе совместно знакомство познакомиться разговор разговаривать связь связать договориться
        соглашение согласиться консультация консультироваться диалог контакт партнерство
        работать поздравить отношение""")
    ),
}
# Words after a term that settle the case of a preposition before it: "с X до Y" / "с X по Y" is "from".
_FOLLOWERS = {("с", "со"): (re.compile(r"^\s*[,»\"]?\s*(?:до|по)\s", re.IGNORECASE), "gent")}
_SENTENCE_START = '.!?…:;(«"“—–'


def sentence_start(stripped: str) -> bool:
    """Whether a term after ``stripped`` (text without trailing space) starts a sentence."""
    if not stripped:
        return True
    if stripped[-1] not in _SENTENCE_START:
        return False
    if stripped[-1] != ".":
        return True
    # A full stop after an abbreviation ("г.", "ул.", "т. е.", "им.") or an initial does not end a sentence.
    m = re.search(r"([А-Яа-яЁёA-Za-z]+(?:\.\s?[А-Яа-яЁёA-Za-z]+)*)\.$", stripped)
    if not m:
        return True
    word = re.sub(r"\s", "", m.group(1)).lower()
    last = word.split(".")[-1]
    return not (len(last) == 1 or word in russian_abbreviations() or last in russian_abbreviations())


def context_case(before: str, after: str = "") -> tuple[str | None, str]:
    """The case a term needs after ``before`` (the text up to it) and before ``after``, and why; None
    when unsure.

    Sure: the start of a sentence (nominative; a full stop after an abbreviation is not one), a
    preposition with one case, or one with several (с, по, за, в, на, о, под, между) when the words
    before it (встреча с, визит в, рассказ о) or after the term (с X до Y) settle the case. Anything
    else (after a verb, a noun, a comma, "и", or an abbreviation) is unsure: the caller flags it.
    """
    stripped = before.rstrip()
    if sentence_start(stripped):
        return "nomn", "at the start of a sentence"
    m = re.search(r"([А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*)$", stripped)
    if not m:
        return None, f"after {stripped[-12:].split()[-1]!r}" if stripped.split() else "here"
    word = _yo(m.group(1).lower())
    where = f"after «{m.group(1)}»"
    if word in _ONE_CASE:
        return _ONE_CASE[word], where
    if word not in _SEVERAL_CASES:
        return None, where
    for words, (pattern, case) in _FOLLOWERS.items():
        if word in words and pattern.match(after):
            return case, where
    previous = _CYR_WORD.findall(stripped[: m.start()])[-3:]
    lemmas = set().union(*(_lemmas(w) for w in previous)) if previous else set()
    settled = [c for c in _SEVERAL_CASES[word] if lemmas & _CUES.get(c, frozenset())]
    if len(settled) == 1:
        return settled[0], where
    return None, where
