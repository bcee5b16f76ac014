"""The registered engine names and where each lives; imports nothing, so config.py can validate against it."""

from __future__ import annotations

#: Abstractive summarisers and translators by backend name (``backend =`` in models.toml).
SUMMARIZER_BACKENDS = {
    "ctranslate2": "translate_sum.engines.ct2:Ct2Summarizer",
    "transformers": "translate_sum.engines.hf:TransformersSummarizer",
}
TRANSLATOR_BACKENDS = {
    "ctranslate2": "translate_sum.engines.ct2:Ct2Translator",
    "transformers": "translate_sum.engines.hf:MarianTranslator",
}
BACKENDS = tuple(TRANSLATOR_BACKENDS)
#: Summariser engines (``[summarizer] engine``): a model through a backend, or none.
SUMMARIZER_ENGINES = ("abstractive", "extractive")
