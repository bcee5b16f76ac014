"""The glossary and QA checks, run on a target a person wrote: the one adapter onto ``terms`` and ``qa``."""

from __future__ import annotations

from pathlib import Path

from translate_sum.records import Translation


def check_target(
    en: str, target: str, lang: str, glossary, *, split: bool = False, settings=None
) -> Translation:
    """``target`` as the ``lang`` translation of ``en``, with its glossary hits and QA flags.

    The same checks a model output gets: every glossary term of ``en`` must have its fixed form in
    ``target`` or is flagged ``glossary``; then the numbers/untranslated/length/repetition checks.
    ``glossary`` is a loaded glossary or None; ``settings`` a ``qa.QaSettings`` (None: the defaults).
    ``target`` is never changed.
    """
    from translate_sum.qa import DEFAULT_SETTINGS, checked_translation
    from translate_sum.terms.guard import TermGuard

    # The guard verifies whatever the "backend" returns; returning the person's text as it stands
    # makes it check that text. Its placeholder retry gets the same text back, so nothing is rewritten.
    [result] = TermGuard(glossary).translate([en], lang, lambda batch: [target] * len(batch))
    return checked_translation(en, result, lang, split=split, settings=settings or DEFAULT_SETTINGS)


def article_glossary(manifest: dict):
    """The glossary an article was made with (from its manifest), loaded; None when it had none.

    Raises GlossaryError when the file is there but cannot be read, ConfigError when it is gone.
    """
    from translate_sum.errors import ConfigError
    from translate_sum.terms.glossary import Glossary

    recorded = (manifest.get("glossary") or {}).get("path")
    if not recorded:
        return None
    path = Path(recorded)
    if not path.is_file():
        raise ConfigError(f"{path}: the glossary this article was made with is gone; checks need it")
    return Glossary.load(path)
