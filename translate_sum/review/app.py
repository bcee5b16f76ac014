"""The review server's web application (Starlette): pages, article files and the save endpoint.

Only for a reviewer on this machine: the server binds to loopback, answers only requests whose ``Host``
is the loopback name, and accepts a save only with the per-start token from its own page, from its own
``Origin``, as a small JSON body of the expected shape.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from translate_sum.errors import OutputError, TranslationMemoryError, TsumError
from translate_sum.memory.store import MemoryStore
from translate_sum.review.edits import (
    ACTIONS,
    NotFound,
    SaveConflict,
    SavedButNotWritten,
    find_article,
    save_target,
)
from translate_sum.review.page import render_file_list, render_server_page

logger = logging.getLogger("translate_sum")

#: Largest request body accepted, in bytes: one sentence and its metadata fit many times over.
MAX_BODY = 64 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")
_LANG = re.compile(r"[a-z]{2,3}")
_FIELDS = {"lang", "text", "action", "version", "base"}
_HEADERS = {
    # The page's own meta CSP governs scripts and styles; these add what a meta tag cannot say.
    "Content-Security-Policy": "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class BadRequest(Exception):
    """A request the server refuses, with its HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _error(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status, headers=_HEADERS)


def parse_save(body: bytes) -> dict:
    """The save request's fields, validated: ``lang``, ``text``, ``action``, ``version`` and ``base`` (the
    text the page showed). Raises BadRequest."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(400, "the body is not JSON") from None
    except RecursionError:  # thousands of nested brackets
        raise BadRequest(400, "the body is nested too deeply") from None
    if not isinstance(data, dict) or set(data) != _FIELDS:
        raise BadRequest(400, "expected exactly the fields " + ", ".join(sorted(_FIELDS)))
    lang, action, version = data["lang"], data["action"], data["version"]
    if not isinstance(lang, str) or not _LANG.fullmatch(lang):
        raise BadRequest(400, "lang must be a language code such as zh")
    for name in ("text", "base"):
        if not isinstance(data[name], str):
            raise BadRequest(400, f"{name} must be a string")
        try:
            data[name].encode("utf-8")
        except UnicodeEncodeError:  # JSON can spell a lone surrogate (\ud800); no text file can hold one
            raise BadRequest(400, f"{name} holds a lone surrogate, not text") from None
    if not isinstance(action, str) or action not in ACTIONS:
        raise BadRequest(400, f"action must be one of {', '.join(ACTIONS)}")
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise BadRequest(400, "version must be a whole number ≥ 0")
    return data


def create_app(output_dir: Path, store: MemoryStore, *, port: int, token: str | None = None) -> Starlette:
    """The application serving ``output_dir`` on ``127.0.0.1:port``, saving to ``store``.

    ``token`` (default: a fresh random one) must come back in the ``X-Tsum-Token`` header of each save.
    """
    output_dir = Path(output_dir)
    token = token or secrets.token_urlsafe(32)
    origins = {f"http://{name}:{port}" for name in LOOPBACK_NAMES}

    async def index(request: Request) -> Response:
        path = output_dir / "index.html"
        if not path.is_file():
            return PlainTextResponse("No index.html yet: run tsum all first.", 404, headers=_HEADERS)
        return HTMLResponse(path.read_text(encoding="utf-8"), headers=_HEADERS)

    async def review(request: Request) -> Response:
        try:
            folder = find_article(output_dir, request.path_params["slug"])
            html = await run_in_threadpool(render_server_page, folder, store, token)
        except NotFound as exc:
            return PlainTextResponse(str(exc), 404, headers=_HEADERS)
        except TsumError as exc:  # a damaged memory or article: the reason, and no traceback
            return PlainTextResponse(str(exc), 503, headers=_HEADERS)
        return HTMLResponse(html, headers=_HEADERS)

    async def article_file(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            folder = find_article(output_dir, request.path_params["slug"])
        except NotFound as exc:
            return PlainTextResponse(str(exc), 404, headers=_HEADERS)
        path = folder / name
        if not _FILE_NAME.fullmatch(name) or not path.is_file() or path.is_symlink():
            return PlainTextResponse("not found", 404, headers=_HEADERS)
        # Served as plain text whatever it is: nothing but review.html is a page here.
        return Response(path.read_bytes(), media_type="text/plain; charset=utf-8", headers=_HEADERS)

    async def article_listing(request: Request) -> Response:
        # The index's "files" link: the article's files, as article_file serves them.
        try:
            folder = find_article(output_dir, request.path_params["slug"])
        except NotFound as exc:
            return PlainTextResponse(str(exc), 404, headers=_HEADERS)
        names = sorted(
            p.name
            for p in folder.iterdir()
            if _FILE_NAME.fullmatch(p.name) and p.is_file() and not p.is_symlink()
        )
        return HTMLResponse(render_file_list(folder.name, names), headers=_HEADERS)

    async def save(request: Request) -> Response:
        try:
            _check_origin(request, origins)
            if not secrets.compare_digest(request.headers.get("x-tsum-token", ""), token):
                raise BadRequest(403, "missing or wrong token: reload the page")
            if not request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
                raise BadRequest(415, "send JSON (Content-Type: application/json)")
            fields = parse_save(await _read_body(request))
        except BadRequest as exc:
            return _error(exc.status, str(exc))
        try:
            rows = await run_in_threadpool(
                save_target,
                output_dir,
                store,
                request.path_params["slug"],
                request.path_params["seg_id"],
                fields["lang"],
                fields["text"],
                fields["action"],
                fields["version"],
                fields["base"],
            )
        except SaveConflict as exc:
            return _error(
                409,
                str(exc),
                current={"text": exc.text, "version": exc.version},
                yours={"text": fields["text"], "base": fields["base"]},
            )
        except NotFound as exc:
            return _error(404, str(exc))
        except TranslationMemoryError as exc:
            return _error(400, str(exc))
        except SavedButNotWritten as exc:
            return _error(503, str(exc), saved=exc.row.to_dict())
        except OutputError as exc:
            return _error(503, str(exc))
        except TsumError as exc:
            logger.warning("review save failed: %s", exc)
            return _error(500, str(exc))
        return JSONResponse({"rows": [r.to_dict() for r in rows]}, headers=_HEADERS)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/index.html", index, methods=["GET"]),
        Route("/api/{slug}/{seg_id}", save, methods=["POST"]),
        Route("/{slug}/", article_listing, methods=["GET"]),
        Route("/{slug}/review.html", review, methods=["GET"]),
        Route("/{slug}/{name}", article_file, methods=["GET"]),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_NAMES))]
    return Starlette(routes=routes, middleware=middleware)


def _check_origin(request: Request, origins: set[str]) -> None:
    # Browsers send Origin with every POST; a missing or foreign one is another site or not a browser page.
    if request.headers.get("origin") not in origins:
        raise BadRequest(403, "request from another origin refused")
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        raise BadRequest(403, "cross-site request refused")


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BadRequest(413, f"body larger than {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():  # a chunked body has no length to check first
        body += chunk
        if len(body) > MAX_BODY:
            raise BadRequest(413, f"body larger than {MAX_BODY} bytes")
    return bytes(body)
