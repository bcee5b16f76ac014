"""Russian forms of glossary terms: the case a context asks for, inflecting a term, finding its inflections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from translate_sum.errors import ConfigError
from translate_sum.terms.glossary import WORD_CHARS, GlossaryEntry

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


def inflect(phrase: str, case: str) -> str | None:
    """``phrase`` (nominative) in ``case``, or None when its words cannot be declined with confidence."""
    analysis = analyse(phrase)
    if not analysis.known:
        return None
    if case == "nomn" or not analysis.declinable:
        return phrase
    head = next(p for p, r in zip(analysis.parses, analysis.roles, strict=True) if r == "noun")
    number = head.tag.number or "sing"
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
    if old.isupper():
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def form_for(entry: GlossaryEntry, case: str) -> str | None:
    """The Russian form of ``entry`` in ``case``: a listed ``ru_forms`` item first, then pymorphy3."""
    if case == "nomn":
        return entry.ru
    labelled = entry.ru_cases
    if case in labelled:
        return labelled[case]
    for form in entry.ru_variants[1:]:
        if form not in labelled.values() and form_cases(form, entry.ru) == {case}:
            return form
    if case == "accs":
        # Accusative is the genitive for animate heads and the nominative otherwise: needs the analysis.
        analysis = analyse(entry.ru)
        if not analysis.known and _animate_name(entry.ru):
            return form_for(entry, "gent")
    inflected = inflect(entry.ru, case)
    if inflected is not None:
        return inflected
    for form in entry.ru_variants[1:]:  # an unlabelled form whose tags allow the case among others
        if (
            form not in labelled.values()
            and case in form_cases(form, entry.ru)
            and len(form_cases(form, entry.ru)) <= 2
        ):
            return form
    return None


def _animate_name(phrase: str) -> bool:
    first = phrase.split()[0]
    return any({"Name", "Surn"} & p.tag.grammemes for p in _parses(first))


def declinable(entry: GlossaryEntry) -> bool:
    """Whether ``entry``'s Russian form may change with the case (unknown words: assume it may)."""
    if entry.keep:
        return False
    analysis = analyse(entry.ru)
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


@lru_cache(maxsize=4096)
def _phrase_regex(phrase: str) -> re.Pattern[str] | None:
    analysis = analyse(phrase)
    if not analysis.declinable:
        return None
    pieces = [
        _SLOT if role != "fixed" else _exact_pattern(word)
        for word, role in zip(analysis.words, analysis.roles, strict=True)
    ]
    body = r"\s+".join(pieces)
    return re.compile(f"(?=({_BEFORE}{body}{_AFTER}))", re.IGNORECASE)


def spans(entry: GlossaryEntry, text: str) -> list[tuple[int, int]]:
    """Where ``entry``'s Russian form stands in ``text`` and counts (see ``renderings``)."""
    return [span for span, fits in renderings(entry, text) if fits]


def renderings(entry: GlossaryEntry, text: str) -> list[tuple[tuple[int, int], bool]]:
    """Where ``entry``'s Russian form stands in ``text`` (as written, listed or inflected), and whether
    it counts there. A rendering that does not count still shows where the term stands.

    An inflection counts only when the declining words agree in one case ("старшего эксперта", not
    "старшего эксперт"), and, right after a preposition that takes one case only, when that is the
    case ("для Шерали Джонона", not "для Шерали Джонон"); words with punctuation or Latin letters
    ("C++", "COVID-19") and the words after the head ("сотрудничества", "ШОС") must stand exactly as
    in the glossary.
    """
    normal = _yo(text)
    analysis = analyse(entry.ru)
    found: dict[tuple[int, int], set[str] | None] = {}
    for m in _exact_regex(entry.ru_variants).finditer(normal):
        found[_span(m)] = _form_cases(entry, analysis, m.group(1))
    if analysis.known:
        pattern = _phrase_regex(entry.ru)
        if pattern is not None:
            for m in pattern.finditer(normal):
                if cases := _agrees(analysis, m):
                    found[_span(m)] = cases
    else:
        for span in _lemma_spans(entry.ru, normal):
            found.setdefault(span, None)
    return sorted((span, _fits_context(normal[: span[0]], cases)) for span, cases in found.items())


def _form_cases(entry: GlossaryEntry, analysis: Phrase, form: str) -> set[str] | None:
    """The cases a listed form stands in (None: not known, so not checked against the context)."""
    if analysis.known:
        if not analysis.declinable:
            return None
        pattern = _phrase_regex(entry.ru)
        m = pattern.match(form) if pattern is not None else None
        return (_agrees(analysis, m) or None) if m and m.end(1) == len(form) else None
    labelled = {case for case, f in entry.ru_cases.items() if _yo(f).lower() == form.lower()}
    if labelled:
        return labelled
    if form.lower() == _yo(entry.ru).lower():
        return {"nomn"} if _animate_name(entry.ru) else {"nomn", "accs"}
    return form_cases(form, _yo(entry.ru)) or None


def _fits_context(before: str, cases: set[str] | None) -> bool:
    if cases is None:
        return True
    m = re.search(r"(?:^|[^А-Яа-яЁё-])([А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*)\s+[«\"„“]?$", before)
    wanted = _ONE_CASE.get(m.group(1).lower()) if m else None
    return wanted is None or wanted in cases


def _span(m: re.Match[str]) -> tuple[int, int]:
    return m.start(1), m.end(1)


def _agrees(analysis: Phrase, m: re.Match[str]) -> set[str]:
    """The cases the declining words of a match agree in (empty: they do not agree)."""
    head = next(p for p, r in zip(analysis.parses, analysis.roles, strict=True) if r == "noun")
    common = set(CASES)
    slots = iter(m.groups()[1:])
    for word, role, parse in zip(analysis.words, analysis.roles, analysis.parses, strict=True):
        if role == "fixed":
            continue
        found = next(slots)
        if role == "surname":
            forms = _surname_forms(word, _gender(head)) or {}
            cases = {c for c, f in forms.items() if _yo(f).lower() == found.lower()}
        else:
            lemma = _yo(parse.normal_form)
            cases = {
                case
                for p in _parses(found)
                if _yo(p.normal_form) == lemma and p.tag.POS == parse.tag.POS and (case := _case(p))
            }
        common &= cases
        if not common:
            return common
    return common


def _lemmas(word: str) -> frozenset[str]:
    word = _yo(word.lower())
    if not re.search("[а-я]", word):
        return frozenset({word})
    return frozenset({word} | {_yo(p.normal_form) for p in _parses(word)})


def _lemma_spans(phrase: str, text: str) -> set[tuple[int, int]]:
    """For a phrase that could not be analysed (transcribed names): the words in order, each sharing a
    lemma with the glossary's word; words that are not plain Cyrillic must match exactly."""
    words = [w.strip(_QUOTES) for w in phrase.split()]
    words = [w for w in words if w]
    tokens = list(re.finditer(r"[^\s«»\"“”„]+", text))
    found = set()
    for i in range(len(tokens) - len(words) + 1):
        ok = True
        for k, word in enumerate(words):
            token = tokens[i + k].group().rstrip(".,;:!?)")
            if _plain(word):
                ok = bool(_CYR_WORD.fullmatch(token)) and bool(_lemmas(token) & _lemmas(word))
            else:
                ok = _yo(token).lower() == _yo(word).lower()
            if not ok:
                break
        if ok:
            last = tokens[i + len(words) - 1]
            end = last.start() + len(last.group().rstrip(".,;:!?)"))
            found.add((tokens[i].start(), end))
    return found


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
    **dict.fromkeys(_words("при о об обо"), "loct"),
}
# Prepositions with several cases: the usual one with names and organisations, or None (context decides).
_SEVERAL: dict[str, str | None] = {"с": "ablt", "со": "ablt", "по": "datv", "между": "ablt", "меж": "ablt"}
_SEVERAL |= dict.fromkeys(("в", "во", "на", "за", "под", "подо"), None)
# Words before в/на/за/под that settle the case (by lemma).
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
        открыть открытие штаб-квартира офис создать создание быть являться пост должность""")
    ),
    "ablt": frozenset(_words("следить наблюдать стоять руководство руководить эгида контроль")),
}
_ALLOWED = {"в": ("accs", "loct"), "во": ("accs", "loct"), "на": ("accs", "loct")}
_ALLOWED |= {"за": ("accs", "ablt"), "под": ("accs", "ablt"), "подо": ("accs", "ablt")}
_SENTENCE_START = '.!?…:;(«"“—–'


def context_case(before: str) -> tuple[str | None, str]:
    """The case a term needs after ``before`` (the text up to it), and why; None when unsure.

    Sure: the start of a sentence (nominative), a preposition with one case, or one whose usual case
    with names is clear (с: instrumental, по: dative), or в/на/за/под with a verb or noun before it
    that settles the case. Anything else (after a verb, a noun, a comma, "и") is unsure.
    """
    stripped = before.rstrip()
    if not stripped or stripped[-1] in _SENTENCE_START:
        return "nomn", "at the start of a sentence"
    m = re.search(r"([А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*)$", stripped)
    if not m:
        return None, f"after {stripped[-12:].split()[-1]!r}" if stripped.split() else "here"
    word = _yo(m.group(1).lower())
    where = f"after «{m.group(1)}»"
    if word in _ONE_CASE:
        return _ONE_CASE[word], where
    if word not in _SEVERAL:
        return None, where
    if _SEVERAL[word] is not None:
        return _SEVERAL[word], where
    previous = _CYR_WORD.findall(stripped[: m.start()])[-3:]
    lemmas = set().union(*(_lemmas(w) for w in previous)) if previous else set()
    for case in _ALLOWED[word]:
        if lemmas & _CUES.get(case, frozenset()):
            return case, where
    return None, where
