"""The CTranslate2 backend, one file per job.

``engine.py`` (the summarizer and translator), ``convert.py`` (conversion into tsum's cache, under a
lock, and opening the converted model), ``tokenizer.py`` (the model's own tokenizer and config),
``options.py`` (``generate()`` settings as ``translate_batch`` options), ``describe.py`` (what a
manifest records), ``runtime.py`` (the ctranslate2 module, CPU settings first), ``cpu.py`` (CPU and
ISA detection) and ``vmap.py`` (the target-vocabulary map).
"""

from translate_sum.engines.ct2.engine import Ct2MultilingualTranslator, Ct2Summarizer, Ct2Translator

__all__ = ["Ct2MultilingualTranslator", "Ct2Summarizer", "Ct2Translator"]
