"""HTML building blocks shared by ``review.html`` and ``index.html``: escaping, CSP, data blocks."""

from __future__ import annotations

import base64
import hashlib
import html
import json

# JSON inside <script type="application/json"> must not contain "</script>" or "<!--", and a
# reader parsing it as HTML must not see entities: escape the three characters that matter.
_JSON_IN_HTML = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def esc(value: object) -> str:
    """Text or attribute value, HTML-escaped (quotes included)."""
    return html.escape(str(value), quote=True)


def json_block(element_id: str, data: object) -> str:
    """A non-executable ``<script type="application/json">`` block that JS can ``JSON.parse``."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_IN_HTML)
    return f'<script type="application/json" id="{esc(element_id)}">{payload}</script>'


def csp_hash(source: str) -> str:
    """The CSP source expression allowing exactly this inline ``<script>``/``<style>`` body."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def csp_meta(*, scripts: tuple[str, ...] = (), styles: tuple[str, ...] = (), connect: str = "'none'") -> str:
    """A CSP that forbids every external load and runs only the given inline scripts and styles.

    ``connect`` is the ``connect-src`` source list: ``'self'`` for a page its own server serves.
    """
    script_src = " ".join(csp_hash(s) for s in scripts) or "'none'"
    style_src = " ".join(csp_hash(s) for s in styles) or "'none'"
    policy = (
        f"default-src 'none'; script-src {script_src}; style-src {style_src}; "
        f"img-src 'none'; font-src 'none'; connect-src {connect}; base-uri 'none'; form-action 'none'"
    )
    return f'<meta http-equiv="Content-Security-Policy" content="{esc(policy)}">'


def page(
    title: str,
    css: str,
    body: str,
    *,
    scripts: tuple[str, ...] = (),
    lang: str = "en",
    connect: str = "'none'",
) -> str:
    """A complete self-contained HTML document; ``body`` must already be escaped markup."""
    script_tags = "".join(f"<script>{s}</script>\n" for s in scripts)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{csp_meta(scripts=scripts, styles=(css,), connect=connect)}\n"
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)}</title>\n<style>{css}</style>\n</head>\n"
        f"<body>\n{body}\n{script_tags}</body>\n</html>\n"
    )
