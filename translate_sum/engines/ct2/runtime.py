"""The ctranslate2 module itself: imported once, after CTranslate2's CPU settings are chosen."""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

from translate_sum.engines.ct2.cpu import configure_ct2_environment
from translate_sum.errors import ConfigError


@functools.lru_cache(maxsize=1)
def cpu_settings() -> dict[str, Any]:
    """CTranslate2's CPU settings, chosen for this CPU once per process (before its first use)."""
    return configure_ct2_environment()


def import_ctranslate2() -> ModuleType:
    """The ctranslate2 module (its CPU settings chosen first), or a ConfigError saying how to get it."""
    cpu_settings()
    try:
        import ctranslate2
    except ImportError:
        raise ConfigError(
            'backend = "ctranslate2" needs the ctranslate2 package: pip install "ctranslate2>=4.5", '
            'or set backend = "transformers" in models.toml'
        ) from None
    return ctranslate2
