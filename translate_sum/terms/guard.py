"""Glossary terms through translation: translate, count, retry with placeholders, restore, or flag.

Strategy, chosen for any backend (constrained beam search needs remote code in transformers 5):

1. Translate every sentence as it is and count each glossary term found in its source: every source
   occurrence needs an occurrence of its own of the fixed form in the translation (see ``verify``).
   MarianMT often renders well-known names correctly, and in Russian in the right grammatical case,
   which a substituted fixed form cannot match, so a complete first pass is kept untouched.
2. Sentences with a missing occurrence are translated again, in one batch, with every occurrence of
   the short entries replaced by its own placeholder (``placeholders``), and the fixed target form is
   put back where each placeholder comes out; in Russian, in the case the words before it ask for.
3. The counts are taken again on the final text, whatever the backend produced. Whatever is still
   missing, a Russian case that could not be settled, and any placeholder left over are flagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from translate_sum.errors import ArticleError
from translate_sum.records import Flag, TermHit
from translate_sum.terms import placeholders, russian
from translate_sum.terms.glossary import Glossary, GlossaryEntry, TermMatch
from translate_sum.terms.morphology import hooks
from translate_sum.terms.verify import alias_spans, allocate, problems, target_spans


@dataclass
class GuardedTranslation:
    """A translation with the glossary terms of its source checked (and restored where needed)."""

    text: str  # final target text
    terms: list[TermHit] = field(default_factory=list)  # one per glossary term occurrence in the source
    flags: list[Flag] = field(default_factory=list)  # "glossary" flags: missing, case, placeholder
    # The text the backend translated into the kept output (the source, or its placeholder form):
    # lets the caller attach what the backend said about that output (its confidence).
    model_input: str | None = None


@dataclass
class _Outcome:
    result: GuardedTranslation
    present: int  # occurrences with a form of their own in the text
    clean: int  # of those, the ones without a flag

    @property
    def score(self) -> tuple[int, int]:
        return self.present, self.clean


class TermGuard:
    """Runs a translation backend so that glossary terms come out in their fixed target forms."""

    def __init__(self, glossary: Glossary | None):
        self.glossary = glossary

    def translate(
        self, sources: list[str], lang: str, translate_batch: Callable[[list[str]], list[str]]
    ) -> list[GuardedTranslation]:
        """Translate ``sources`` into ``lang`` with at most two ``translate_batch`` calls.

        In each result, every occurrence of a glossary term found in the source has an occurrence of
        its own of the fixed form (or, in Russian, of an inflection whose words agree in case), or a
        ``glossary`` flag names the entry with the count found.
        """
        sources = list(sources)
        if not sources:
            return []
        first = _call(translate_batch, sources, lang)
        glossary = self.glossary
        # A language without a glossary column goes without fixed terms (the run said so, or stopped).
        if glossary is None or not glossary.covers(lang):
            return [
                GuardedTranslation(text, model_input=source)
                for text, source in zip(first, sources, strict=True)
            ]

        entries = glossary.entries
        matches = [glossary.find(source) for source in sources]
        outcomes = [
            _check(m, text, lang, entries, source=source)
            for m, text, source in zip(matches, first, sources, strict=True)
        ]
        for outcome, source in zip(outcomes, sources, strict=True):
            outcome.result.model_input = source

        retry = [i for i, o in enumerate(outcomes) if _short(matches[i], o)]
        if retry:
            prefix = placeholders.choose_prefix(sources + first)
            slots = {i: [m for m in matches[i] if m.entry in _short(matches[i], outcomes[i])] for i in retry}
            protected = [placeholders.protect(sources[i], slots[i], prefix) for i in retry]
            second = _call(translate_batch, protected, lang)
            for i, raw, sent in zip(retry, second, protected, strict=True):
                text, restored = _restore(raw, slots[i], prefix, lang)
                outcome = _check(matches[i], text, lang, entries, slots[i], restored, prefix, sources[i])
                outcome.result.model_input = sent
                # Keep the first pass on a tie: it is the model's own, more fluent, wording.
                if outcome.score > outcomes[i].score:
                    outcomes[i] = outcome
        return [o.result for o in outcomes]

    def verify(self, source: str, target: str, lang: str) -> GuardedTranslation:
        """``target`` (a person's text, or one from the memory) checked as the ``lang`` rendering of ``source``.

        The same check a model's output gets: every glossary term occurrence of ``source`` needs an
        occurrence of its own of the fixed form in ``target``, or a ``glossary`` flag names it. ``target``
        is never changed.
        """
        if self.glossary is None or not self.glossary.covers(lang):
            return GuardedTranslation(target)
        matches = self.glossary.find(source)
        return _check(matches, target, lang, self.glossary.entries, source=source).result


def count_terms(results: list[GuardedTranslation]) -> dict[str, int]:
    """Term occurrences over ``results``: found, kept (by the model), enforced (by tsum), flagged."""
    return count_hits(hit for result in results for hit in result.terms)


def count_hits(hits: Iterable[TermHit]) -> dict[str, int]:
    """Term occurrences by outcome: found (all), kept (by the model), enforced (by tsum), flagged."""
    counts = Counter(hit.status for hit in hits)
    return {
        "found": sum(counts.values()),
        "kept": counts["kept"],
        "enforced": counts["enforced"],
        "flagged": counts["flagged"],
    }


def term_present(entry: GlossaryEntry, lang: str, text: str) -> bool:
    """Whether ``text`` holds the fixed ``lang`` form of ``entry`` (for Russian, an agreeing inflection)."""
    return bool(target_spans(entry, lang, text))


def _call(translate_batch: Callable[[list[str]], list[str]], texts: list[str], lang: str) -> list[str]:
    out = list(translate_batch(list(texts)))
    if len(out) != len(texts):
        raise ArticleError(
            f"the {lang} translation backend returned {len(out)} texts for {len(texts)} sentences"
        )
    return ["" if t is None else str(t) for t in out]


def _short(matches: list[TermMatch], outcome: _Outcome) -> set[GlossaryEntry]:
    """Entries with an occurrence that is missing or flagged."""
    return {m.entry for m, hit in zip(matches, outcome.result.terms, strict=True) if hit.status == "flagged"}


def _restore(
    raw: str, slots: list[TermMatch], prefix: str, lang: str
) -> tuple[str, list[placeholders.Restored]]:
    ordered = sorted(slots, key=lambda m: m.start)

    def form_at(n: int, before: str, after: str) -> tuple[str, str | None]:
        match = ordered[n - 1]
        return _fit(match.entry, lang, before, after, match.plural)

    return placeholders.restore(raw, len(ordered), prefix, form_at, lang)


def _fit(
    entry: GlossaryEntry, lang: str, before: str, after: str = "", plural: bool = False
) -> tuple[str, str | None]:
    """The form to insert between ``before`` and ``after``, and a note when its Russian form is not certain.

    A plural source gets the Russian plural of the fixed form (Chinese has no number), or a note.
    """
    target, note = entry.target(lang), None
    morphology = hooks(lang)
    if morphology is not None and morphology.declinable(entry):
        case, where = morphology.context_case(before, after)
        form = morphology.form_for(entry, case, plural) if case else None
        if form is None:
            number = "plural " if plural else ""
            why = f"no {number}{morphology.case_name(case)} form known" if case else "case unclear"
            note = f"case not verified: {entry.en!r} → {target} ({where}: {why}, nominative inserted)"
        else:
            target = form
    if not entry.keep and (not before.strip() or (before.rstrip()[-1] in ".!?…" and _sentence_start(before))):
        target = target[:1].upper() + target[1:]
    return target, note


def _sentence_start(before: str) -> bool:
    """Whether a term after ``before`` (ending in a full stop or other end mark) starts a sentence.

    A full stop after an abbreviation or an initial does not end one: the Russian module's rule is tsum's
    only one (it knows Latin initials and abbreviations too); Chinese has no capitals to set.
    """
    return russian.sentence_start(before.rstrip())


def _check(
    matches: list[TermMatch],
    text: str,
    lang: str,
    entries: Sequence[GlossaryEntry],
    slots: Sequence[TermMatch] = (),
    restored: Sequence[placeholders.Restored] = (),
    prefix: str | None = None,
    source: str = "",
) -> _Outcome:
    """Statuses of each occurrence in ``matches`` against ``text``, and the flags that go with them."""
    needed = Counter(m.entry for m in matches)
    void = [(r.start, r.end) for r in restored if r.repeated]
    ordered_slots = sorted(range(len(slots)), key=lambda k: slots[k].start)
    # What tsum inserted is checked like model text (boundaries, capitals, case) unless a note already
    # flags it: a placeholder with "-а" glued to it does not become a clean term.
    inserted = []
    for r in restored:
        entry = slots[ordered_slots[r.slot - 1]].entry
        if text[r.start : r.end] == r.form and (
            r.note or (r.start, r.end) in target_spans(entry, lang, text)
        ):
            inserted.append((r.start, r.end, entry))
    placed = allocate(needed, text, lang, entries, void, inserted)
    occurrence = {id(slots[k]): n for n, k in enumerate(ordered_slots, start=1)}
    by_slot = {r.slot: r for r in restored if not r.repeated}

    status: list[str | None] = [None] * len(matches)
    flags: list[Flag] = []
    free = {entry: list(spans) for entry, spans in placed.items()}
    for k, m in enumerate(matches):  # occurrences restored from their own placeholder
        own = by_slot.get(occurrence.get(id(m), 0))
        if own is not None and (own.start, own.end) in free[m.entry]:
            free[m.entry].remove((own.start, own.end))
            status[k] = "flagged" if own.note else "enforced"
            if own.note:
                flags.append(Flag(type="glossary", lang=lang, detail=own.note))
    decided: list[str] = []
    for k, m in enumerate(matches):  # the others take what the model wrote, in order
        given = status[k]
        decided.append(
            given if given is not None else "kept" if free[m.entry] and free[m.entry].pop(0) else "flagged"
        )

    missing: list[Flag] = []
    for entry in dict.fromkeys(m.entry for m in matches):
        found = len(placed[entry])
        if found < needed[entry]:
            detail = f"missing {entry.en!r} → {entry.target(lang)}: {found} of {needed[entry]}"
            missing.append(Flag(type="glossary", lang=lang, detail=detail))
            # Say why a rendering that stands there does not count: an alias, a case, capitals.
            for s, e in alias_spans(entry, lang, text):
                detail = f"alias instead of fixed form: {entry.en!r}, found {text[s:e]!r}"
                missing.append(Flag(type="glossary", lang=lang, detail=detail))
            for why in dict.fromkeys(problems(entry, lang, text)):
                detail = f"wrong form: {entry.en!r} → {entry.target(lang)}: {why}"
                missing.append(Flag(type="glossary", lang=lang, detail=detail))
    flags = missing + flags
    left = placeholders.leftovers(text, source, prefix)
    if left:
        flags.append(
            Flag(type="glossary", lang=lang, detail=f"placeholder left in output: {', '.join(left)}")
        )

    hits = [
        TermHit(m.entry.en, m.surface, m.start, m.end, lang, m.entry.target(lang), s)
        for m, s in zip(matches, decided, strict=True)
    ]
    present = sum(len(spans) for spans in placed.values())
    clean = sum(s != "flagged" for s in status)
    return _Outcome(GuardedTranslation(text, hits, flags), present, clean)
