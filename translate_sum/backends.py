"""The engine names ``models.toml`` and the command line accept, and where each engine lives.

It imports nothing of tsum's, so ``config.py`` validates names without importing the engines (which
sit above it); ``engines/registry.py`` imports the class a name points at only when a run uses it.
Plugins and tests add engines with ``register_backend`` (as ``llm``'s tests register a mock model).
"""

from __future__ import annotations

#: What a name points at: ``"package.module:Class"`` (imported on first use) or the class itself.
Target = str | type

#: Abstractive summarizers and translators by backend name (``backend =`` in models.toml).
SUMMARIZER_BACKENDS: dict[str, Target] = {
    "ctranslate2": "translate_sum.engines.ct2:Ct2Summarizer",
    "transformers": "translate_sum.engines.hf:TransformersSummarizer",
}
TRANSLATOR_BACKENDS: dict[str, Target] = {
    "ctranslate2": "translate_sum.engines.ct2:Ct2Translator",
    "transformers": "translate_sum.engines.hf:MarianTranslator",
}
#: The same for ``engine = "multilingual"`` translators (NLLB-200, M2M100: one model, many targets).
MULTILINGUAL_BACKENDS: dict[str, Target] = {
    "ctranslate2": "translate_sum.engines.ct2:Ct2MultilingualTranslator",
    "transformers": "translate_sum.engines.hf:MultilingualTranslator",
}
#: Translator engines (``[translators.xx] engine``): OPUS-MT's Marian models, or a multilingual model.
MULTILINGUAL = "multilingual"
TRANSLATOR_ENGINES = ("marian", MULTILINGUAL)
#: Summarizer engines (``[summarizer] engine``): a model through a backend, or none.
SUMMARIZER_ENGINES = ("abstractive", "extractive")

# What each registration replaced, so unregister_backend brings it back.
_replaced: dict[str, list[tuple[Target | None, Target | None]]] = {}


def backend_names() -> tuple[str, ...]:
    """Every registered backend name, in registration order."""
    return tuple(dict.fromkeys([*TRANSLATOR_BACKENDS, *SUMMARIZER_BACKENDS]))


def register_backend(
    name: str, *, summarizer: Target | None = None, translator: Target | None = None
) -> None:
    """Make ``backend = "<name>"`` build these engines (a kind not given keeps what the name had);
    a name already registered is replaced until ``unregister_backend(name)``.

    Each class is called as the built-in ones are: ``summarizer(spec, resolved, device)`` and
    ``translator(spec, resolved, device, batch_tokens)``.
    """
    if summarizer is None and translator is None:
        raise ValueError(f"backend {name!r}: give a summarizer, a translator, or both")
    _replaced.setdefault(name, []).append((SUMMARIZER_BACKENDS.get(name), TRANSLATOR_BACKENDS.get(name)))
    for table, target in ((SUMMARIZER_BACKENDS, summarizer), (TRANSLATOR_BACKENDS, translator)):
        if target is not None:
            table[name] = target


def unregister_backend(name: str) -> None:
    """Undo the latest ``register_backend(name)``, bringing back what it replaced (if anything)."""
    summarizer, translator = _replaced[name].pop()
    if not _replaced[name]:
        del _replaced[name]
    for table, target in ((SUMMARIZER_BACKENDS, summarizer), (TRANSLATOR_BACKENDS, translator)):
        if target is not None:
            table[name] = target
        else:
            table.pop(name, None)
