"""Chinese (Simplified): no spaces, loops counted per character, Chinese number scales (万, 亿)."""

from __future__ import annotations

import re

from translate_sum.languages.base import Language

ZH = Language(
    code="zh",
    tag="zh-CN",
    name="Chinese",
    script="Hans",
    joiner="",
    summary_heading="摘要",
    native_letters=re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
    script_name="Chinese characters",
    # Typical press-release ratios with MarianMT: 0.25-0.45; flag only far outside (truncation, loops).
    length_band=(0.15, 0.9),
    scales=(("千", 10**3), ("万", 10**4), ("百万", 10**6), ("千万", 10**7), ("亿", 10**8)),
    scale_regex=re.compile(r"\s*(百万|千万|千|万|亿)"),
    # A Chinese character is about half a word: loops of up to 16 characters.
    char_tokens=True,
    max_loop=16,
)
