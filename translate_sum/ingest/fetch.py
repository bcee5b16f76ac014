"""``tsum fetch``: new press releases (pages, RSS/Atom items) into the input folder, HTML + sidecar."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import logging
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from translate_sum import __version__
from translate_sum.errors import FetchError, TsumError
from translate_sum.ingest import SIDECAR_SUFFIX, display_path
from translate_sum.ingest.html import page_headline
from translate_sum.storage import base_slug, write_atomic, write_json

logger = logging.getLogger("translate_sum")

_PAGE_TYPES = ("text/html", "application/xhtml+xml")
_SAVED_SUFFIXES = (".html", ".pdf", ".docx")
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchLimits:
    """How patient and how generous ``tsum fetch`` is with each server."""

    timeout: float = 60.0  # seconds for the whole of one URL: robots.txt, redirects, every byte
    max_bytes: int = 20_000_000  # a press release (page, PDF, DOCX) is far smaller; a bigger body is not one
    max_redirects: int = 5
    feed_items: int = 50  # the newest items of a feed that are fetched (``--limit``)
    user_agent: str = f"tsum/{__version__} (press release fetcher)"
    obey_robots: bool = True


@dataclass(frozen=True)
class FetchResult:
    """What happened to one URL: ``fetched`` (new file), ``updated`` (changed since the last fetch),
    ``unchanged`` (skipped) or ``failed`` (``message`` says why)."""

    url: str
    status: str
    path: Path | None = None
    message: str = ""


@dataclass
class _Response:
    status: int
    url: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class _Known:
    """URLs fetched before into the folder, from the sidecars there."""

    by_url: dict[str, Path] = field(default_factory=dict)  # URL (requested or final) -> sidecar
    by_sha: dict[str, Path] = field(default_factory=dict)  # content hash -> page

    @classmethod
    def scan(cls, folder: Path) -> _Known:
        known = cls()
        for sidecar in sorted(folder.glob(f"*{SIDECAR_SUFFIX}")):
            try:
                data = json.loads(sidecar.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                logger.warning("%s: unreadable, ignored", display_path(sidecar))
                continue
            for key in ("url", "final_url"):
                if isinstance(data.get(key), str):
                    known.by_url.setdefault(data[key], sidecar)
            if isinstance(data.get("sha256"), str):
                known.by_sha.setdefault(data["sha256"], _page_of(sidecar))
        return known


def fetch_pages(urls: Iterable[str], folder: Path, limits: FetchLimits | None = None) -> list[FetchResult]:
    """Download each page in ``urls`` into ``folder``, one result per URL, in order.

    A URL fetched before is asked for again with its ETag / Last-Modified and skipped when the
    server says, or its bytes show, that it has not changed. One failing URL never stops the others.
    """
    limits = limits or FetchLimits()
    urls = list(dict.fromkeys(u.strip() for u in urls if u.strip()))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = f"{folder}: cannot create the input folder ({exc.strerror})"
        return [FetchResult(url, "failed", message=problem) for url in urls]
    fetcher = _Fetcher(limits)
    known = _Known.scan(folder)
    results = []
    for url in urls:
        try:
            results.append(_fetch_page(url, folder, fetcher, known))
        except FetchError as exc:
            results.append(FetchResult(url, "failed", message=str(exc)))
        except TsumError as exc:  # the folder cannot be written
            results.append(FetchResult(url, "failed", message=str(exc)))
        except Exception as exc:  # noqa: BLE001 - one URL's surprise must not cost the others
            logger.exception("unexpected failure fetching %s", url)
            results.append(
                FetchResult(url, "failed", message=f"{url}: unexpected {type(exc).__name__}: {exc}")
            )
    return results


def feed_links(feed_url: str, limits: FetchLimits | None = None) -> list[str]:
    """The item links of the RSS or Atom feed at ``feed_url``, newest first, at most
    ``limits.feed_items`` of them. Raises FetchError."""
    import feedparser

    fetcher = _Fetcher(limits or FetchLimits())
    response = fetcher.get(feed_url)
    if response.status >= 400:
        raise FetchError(f"{feed_url}: {_http_problem(response)}")
    parsed = feedparser.parse(response.body)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise FetchError(f"{feed_url}: not an RSS or Atom feed")
    # Newest first (undated items keep their feed order, after the dated ones), at most feed_items.
    entries = sorted(
        enumerate(parsed.entries),
        key=lambda pair: (_entry_time(pair[1]) is None, -(_entry_time(pair[1]) or 0), pair[0]),
    )
    links = [urljoin(response.url, e.get("link", "")) for _, e in entries if e.get("link")]
    return list(dict.fromkeys(links))[: fetcher.limits.feed_items]


def _entry_time(entry) -> float | None:
    import calendar

    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return float(calendar.timegm(stamp)) if stamp else None


def fetch_feed(feed_url: str, folder: Path, limits: FetchLimits | None = None) -> list[FetchResult]:
    """Every item of the feed at ``feed_url`` through ``fetch_pages``; a feed that cannot be read is
    one failed result."""
    try:
        links = feed_links(feed_url, limits)
    except FetchError as exc:
        return [FetchResult(feed_url, "failed", message=str(exc))]
    return fetch_pages(links, folder, limits)


def _fetch_page(url: str, folder: Path, fetcher: _Fetcher, known: _Known) -> FetchResult:
    sidecar = known.by_url.get(url)
    page_before = _page_of(sidecar) if sidecar is not None else None
    previous = (
        _read_sidecar(sidecar) if sidecar is not None and page_before and page_before.is_file() else None
    )
    headers = {}
    if previous and previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous and previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    response = fetcher.get(url, headers)
    if response.status == 304 and previous:
        return FetchResult(url, "unchanged", page_before, "not modified since the last fetch")
    if response.status >= 400:
        raise FetchError(f"{url}: {_http_problem(response)}")
    if response.status != 200:
        raise FetchError(f"{url}: unexpected HTTP {response.status} {_reason(response.status)}")
    content_type = response.headers.get("content-type", "")
    suffix = _sniff(url, content_type, response.body)
    sha256 = hashlib.sha256(response.body).hexdigest()
    if previous and previous.get("sha256") == sha256:
        return FetchResult(url, "unchanged", page_before, "same content as the last fetch")
    if not previous and sha256 in known.by_sha:
        same = known.by_sha[sha256]
        return FetchResult(url, "unchanged", same, f"same content as {same.name}")
    page = page_before if previous else None
    if page is None or page.suffix != suffix:
        page = _new_name(folder, response.body, suffix, response.url)
    record = {
        "url": url,
        "final_url": response.url,
        "fetched": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "status": response.status,
        "content_type": content_type,
        "etag": response.headers.get("etag"),
        "last_modified": response.headers.get("last-modified"),
        "sha256": sha256,
        "bytes": len(response.body),
        "file": page.name,
    }
    # The page first: a sidecar always describes a page that is there.
    write_atomic(page, response.body)
    new_sidecar = page.with_name(page.stem + SIDECAR_SUFFIX)
    write_json(new_sidecar, record)
    known.by_url[url] = known.by_url[response.url] = new_sidecar
    known.by_sha[sha256] = page
    return FetchResult(url, "updated" if previous else "fetched", page)


def _new_name(folder: Path, body: bytes, suffix: str, url: str) -> Path:
    """``<date>-<headline><suffix>`` for a page (the URL's file name for a PDF or DOCX), unused in
    ``folder`` and valid on Windows too."""
    title, date = "", None
    if suffix == ".html":
        try:
            title, date = page_headline(body.decode("utf-8", "replace"))
        except Exception:  # noqa: BLE001 - a name is all we need; the page is judged by tsum all
            title, date = "", None
    else:
        title = unquote(PurePosixPath(urlsplit(url).path).stem)
    stem = base_slug(title or "page", date)
    page, n = folder / f"{stem}{suffix}", 1
    while any(page.with_suffix(s).exists() for s in _SAVED_SUFFIXES) or (
        page.with_name(f"{page.stem}{SIDECAR_SUFFIX}").exists()
    ):
        n += 1
        page = folder / f"{stem}-{n}{suffix}"
    return page


def _page_of(sidecar: Path) -> Path:
    """The file a sidecar describes: its recorded name, else (older sidecars) the page beside it."""
    data = _read_sidecar(sidecar) or {}
    name = data.get("file")
    if isinstance(name, str) and name and Path(name).name == name and Path(name).suffix in _SAVED_SUFFIXES:
        return sidecar.with_name(name)
    return sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)] + ".html")


def _sniff(url: str, content_type: str, body: bytes) -> str:
    """The suffix to save ``body`` under (``.html``, ``.pdf``, ``.docx``), judged by its bytes as much as
    by the server's content type. Raises FetchError for anything else."""
    kind = content_type.split(";")[0].strip().lower() or "missing"
    if body.startswith(b"%PDF-"):
        return ".pdf"
    if body.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                if "word/document.xml" in archive.namelist():
                    return ".docx"
        except zipfile.BadZipFile:
            pass
        raise FetchError(
            f"{url}: a ZIP archive (content type {kind}), not a web page, PDF or Word document; not saved"
        )
    head = body[:4096]
    if kind in _PAGE_TYPES or kind == "missing":
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise FetchError(f"{url}: the server says {kind}, but the body is binary data; not saved")
        if not re.search(rb"<\s*(?:!doctype|html|head|body|p|div|article|title)\b", head, re.IGNORECASE):
            raise FetchError(f"{url}: the server says {kind}, but the body is not HTML; not saved")
        return ".html"
    raise FetchError(
        f"{url}: not a web page, PDF or Word document (content type {kind}); tsum fetch saves those"
    )


def _read_sidecar(sidecar: Path) -> dict | None:
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class _Fetcher:
    """HTTP GET under one deadline per URL (robots.txt, redirects and every byte together), with a
    size cap, a bounded number of redirects and robots.txt obeyed at every hop."""

    def __init__(self, limits: FetchLimits) -> None:
        import urllib3

        self.limits = limits
        self._sockets: set[socket.socket] = set()  # open connections, closed when a deadline passes
        self._lock = threading.Lock()
        self._pool = urllib3.PoolManager(
            headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"}
        )
        # Connections that register their socket, so a deadline can cut a read short from outside.
        self._pool.pool_classes_by_scheme = {
            scheme: type(
                f"Tracked{pool.__name__}",
                (pool,),
                {"ConnectionCls": self._tracked(pool.ConnectionCls)},  # type: ignore[attr-defined]  # typed as a plain class
            )
            for scheme, pool in self._pool.pool_classes_by_scheme.items()
        }
        self._robots: dict[str, RobotFileParser | str] = {}

    def _tracked(self, base: Any) -> Any:
        fetcher = self

        class Tracked(base):
            def connect(self):
                super().connect()
                with fetcher._lock:
                    fetcher._sockets.add(self.sock)

        return Tracked

    def get(self, url: str, headers: dict[str, str] | None = None) -> _Response:
        """The response to GET ``url`` (any status but a redirect), all within ``limits.timeout``
        seconds. Raises FetchError for a URL that cannot be asked for or answered: bad scheme,
        robots.txt, network, deadline, size, redirects (too many, or to a non-HTTP URL)."""
        deadline = time.monotonic() + self.limits.timeout
        expired = threading.Event()
        timer = threading.Timer(self.limits.timeout, self._expire, (expired,))
        timer.daemon = True
        timer.start()
        try:
            return self._follow(url, headers or {}, deadline, expired)
        finally:
            timer.cancel()

    def _follow(
        self, url: str, headers: dict[str, str], deadline: float, expired: threading.Event
    ) -> _Response:
        original, current = url, url
        for hop in range(self.limits.max_redirects + 1):
            self._check_url(current, original)
            self._check_robots(current, deadline, expired)
            response = self._request(current, headers, deadline, expired, original)
            location = response.headers.get("location")
            if response.status not in _REDIRECTS or not location:
                return response
            current = urljoin(current, location.strip())
            if hop == self.limits.max_redirects:
                break
        raise FetchError(f"{original}: more than {self.limits.max_redirects} redirects")

    def _request(
        self, url: str, headers: dict[str, str], deadline: float, expired: threading.Event, original: str
    ) -> _Response:
        """One GET, no redirects followed; the body read in full (under the size cap) unless it is one."""
        import urllib3

        remaining = deadline - time.monotonic()
        if remaining <= 0 or expired.is_set():
            raise FetchError(f"{original}: {self._late()}")
        timeout = urllib3.Timeout(connect=remaining, read=remaining)
        try:
            response = self._pool.request(
                "GET",
                url,
                headers=headers,
                retries=False,
                redirect=False,
                preload_content=False,
                timeout=timeout,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(
                f"{original}: {self._late() if expired.is_set() else _network_problem(exc, self.limits)}"
            ) from None
        except OSError as exc:  # the deadline closed the socket under the request
            raise FetchError(
                f"{original}: {self._late() if expired.is_set() else _network_problem(exc, self.limits)}"
            ) from None
        try:
            if response.status in _REDIRECTS and not expired.is_set():
                return _Response(response.status, url, {k.lower(): v for k, v in response.headers.items()})
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.limits.max_bytes:
                raise FetchError(f"{original}: {_too_big(self.limits)} ({int(length):,} bytes)")
            body = bytearray()
            while chunk := response.read1(_CHUNK):
                body += chunk
                if len(body) > self.limits.max_bytes:
                    raise FetchError(f"{original}: {_too_big(self.limits)}")
                if time.monotonic() > deadline:
                    raise FetchError(f"{original}: {self._late()}")
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            if expired.is_set() or time.monotonic() > deadline:
                raise FetchError(f"{original}: {self._late()}") from None
            raise FetchError(f"{original}: {_network_problem(exc, self.limits)}") from None
        finally:
            response.release_conn()
        if expired.is_set():  # the answer ended only because the deadline closed the connection
            raise FetchError(f"{original}: {self._late()}")
        return _Response(
            response.status, url, {k.lower(): v for k, v in response.headers.items()}, bytes(body)
        )

    def _late(self) -> str:
        return f"no complete answer within {self.limits.timeout:g} seconds (time-out)"

    def _expire(self, expired: threading.Event) -> None:
        """At the deadline: every open connection is shut, which ends a read that is still waiting."""
        expired.set()
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _check_url(self, url: str, original: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname:
            return
        if url == original:
            raise FetchError(f"{url}: not an http:// or https:// URL")
        raise FetchError(
            f"{original}: redirected to {url}, which is not an http:// or https:// URL; not followed"
        )

    def _check_robots(self, url: str, deadline: float, expired: threading.Event) -> None:
        if not self.limits.obey_robots:
            return
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin, deadline, expired)
        rules = self._robots[origin]
        if isinstance(rules, str):
            raise FetchError(f"{url}: {rules}")
        if not rules.can_fetch(self.limits.user_agent, url):
            raise FetchError(f"{url}: robots.txt of {origin} does not allow fetching this page")

    def _load_robots(self, origin: str, deadline: float, expired: threading.Event) -> RobotFileParser | str:
        """The site's rules, or why none can be had (then nothing on the site is fetched)."""
        rules = RobotFileParser(f"{origin}/robots.txt")
        try:
            response = self._request(f"{origin}/robots.txt", {}, deadline, expired, f"{origin}/robots.txt")
        except FetchError as exc:
            return f"{str(exc).split(': ', 1)[-1]} (asking for robots.txt)"
        if response.status in (401, 403):
            rules.disallow_all = True  # type: ignore[attr-defined]  # public in the stdlib, not in typeshed
        elif response.status >= 500:
            return f"robots.txt answered HTTP {response.status}, so the site is not fetched (try again later)"
        elif response.status >= 400 or response.status in _REDIRECTS:
            rules.allow_all = True  # type: ignore[attr-defined]  # (not in typeshed)  # no robots.txt here: no rules
        else:
            rules.parse(response.body.decode("utf-8", "replace").splitlines())
        rules.modified()
        return rules


def _http_problem(response: _Response) -> str:
    """``HTTP 429 Too Many Requests``, with the server's Retry-After when it sent one."""
    text = f"HTTP {response.status} {_reason(response.status)}".rstrip()
    wait = (response.headers.get("retry-after") or "").strip()
    if wait:
        when = f"{wait} seconds" if wait.isdigit() else wait
        text += f" (the server asks to retry after {when})"
    return text


def _too_big(limits: FetchLimits) -> str:
    return f"larger than {limits.max_bytes:,} bytes, not a press release page; skipped"


def _network_problem(reason, limits: FetchLimits) -> str:
    """One line for what went wrong on the network: never a raw exception tuple."""
    import http.client

    import urllib3

    if isinstance(reason, urllib3.exceptions.MaxRetryError) and reason.reason is not None:
        reason = reason.reason
    # NewConnectionError is a kind of ConnectTimeoutError in urllib3 2: it goes first.
    if isinstance(reason, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
        return "cannot connect (server down, or its name unknown)"
    if isinstance(reason, urllib3.exceptions.TimeoutError | TimeoutError | socket.timeout):
        return f"no complete answer within {limits.timeout:g} seconds (time-out)"
    if isinstance(reason, urllib3.exceptions.SSLError):
        return "TLS error: the server's certificate or encryption could not be verified"
    if isinstance(reason, urllib3.exceptions.ProtocolError):
        inner = reason.args[1] if len(reason.args) > 1 else None
        if isinstance(inner, http.client.IncompleteRead):
            got = inner.partial if isinstance(inner.partial, int) else len(inner.partial)
            return (
                f"the connection closed after {got:,} bytes of the {got + (inner.expected or 0):,} "
                "the server announced (broken response)"
            )
        return "the server broke the connection or sent a malformed response"
    if isinstance(reason, urllib3.exceptions.DecodeError):
        return "the server's compressed response could not be decoded"
    if isinstance(reason, urllib3.exceptions.HTTPError | http.client.HTTPException):
        return f"malformed response from the server ({type(reason).__name__})"
    return f"download failed ({type(reason).__name__})"
