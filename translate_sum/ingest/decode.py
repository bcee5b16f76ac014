"""Bytes of an article file to text: UTF-8, or UTF-16/UTF-32 marked by a byte-order mark."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from translate_sum.errors import ArticleError


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), or UTF-16/UTF-32 marked by a BOM; anything else is an error."""
    for boms, encoding in (
        ((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "utf-32"),
        ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16"),
    ):
        if data.startswith(boms):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ArticleError(
                    f"{path}: has a {encoding.upper()} byte-order mark but is not valid {encoding.upper()}"
                ) from None
    head = data[:8192]
    if b"\x00" in head:
        # UTF-16 of Latin text: a NUL in (nearly) every other byte, and almost none in between.
        even, odd, half = head[0::2].count(0), head[1::2].count(0), len(head) / 2
        if max(even, odd) > 0.9 * half and min(even, odd) < 0.1 * half:
            encoding = "utf-16le" if odd > even else "utf-16be"
            raise ArticleError(
                f"{path}: looks like UTF-16 text without a byte-order mark; re-save it as "
                f"UTF-8, e.g. `iconv -f {encoding} -t utf-8`"
            )
        raise ArticleError(f"{path}: looks like a binary file (NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{path}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save it as UTF-8, e.g. `iconv -f latin1 -t utf-8`"
        ) from None


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def decode_html(data: bytes, path: Path, http_charset: str | None = None) -> str:
    """Like ``decode_text``, but a page that is not UTF-8 may name its encoding in a ``<meta charset>``
    tag (pages saved from the web often do: windows-1252, GB2312 …), or the server may have named it
    (``http_charset``, from the Content-Type ``tsum fetch`` recorded)."""
    try:
        return decode_text(data, path)
    except ArticleError:
        declared = _META_CHARSET.search(data[:8192])
        if (declared is None and not http_charset) or b"\x00" in data[:8192]:
            raise
    if declared is not None:
        name, where = declared.group(1).decode("ascii"), "<meta charset>"
    else:
        name, where = http_charset, "the server's Content-Type"
    try:
        return data.decode(codecs.lookup(name).name)
    except LookupError:
        raise ArticleError(f"{path}: {where} names an unknown encoding {name!r}") from None
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{path}: {where} says {name}, but the page is not valid {name} "
            f"(invalid byte at offset {exc.start})"
        ) from None
