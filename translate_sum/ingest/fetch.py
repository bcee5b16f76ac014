"""``tsum fetch``: new press releases (pages, RSS/Atom items) into the input folder, HTML + sidecar."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from translate_sum import __version__
from translate_sum.errors import FetchError, TsumError
from translate_sum.ingest import SIDECAR_SUFFIX, display_path
from translate_sum.ingest.html import page_headline
from translate_sum.storage import base_slug, write_atomic, write_json

logger = logging.getLogger("translate_sum")

_PAGE_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchLimits:
    """How patient and how generous ``tsum fetch`` is with each server."""

    timeout: float = 20.0  # seconds to connect, and between bytes received
    max_bytes: int = 5_000_000  # a press release page is far smaller; a bigger body is not one
    max_redirects: int = 5
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
    """The item links of the RSS or Atom feed at ``feed_url``, in feed order. Raises FetchError."""
    import feedparser

    fetcher = _Fetcher(limits or FetchLimits())
    response = fetcher.get(feed_url)
    if response.status >= 400:
        raise FetchError(f"{feed_url}: HTTP {response.status} {_reason(response.status)}")
    parsed = feedparser.parse(response.body)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise FetchError(f"{feed_url}: not an RSS or Atom feed")
    links = [urljoin(response.url, entry.get("link", "")) for entry in parsed.entries if entry.get("link")]
    return list(dict.fromkeys(links))


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
        raise FetchError(f"{url}: HTTP {response.status} {_reason(response.status)}")
    if response.status != 200:
        raise FetchError(f"{url}: unexpected HTTP {response.status} {_reason(response.status)}")
    content_type = response.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() not in _PAGE_TYPES:
        raise FetchError(
            f"{url}: not a web page (content type {content_type or 'missing'}); tsum fetch saves HTML pages"
        )
    sha256 = hashlib.sha256(response.body).hexdigest()
    if previous and previous.get("sha256") == sha256:
        return FetchResult(url, "unchanged", page_before, "same content as the last fetch")
    if not previous and sha256 in known.by_sha:
        page = known.by_sha[sha256]
        return FetchResult(url, "unchanged", page, f"same content as {page.name}")
    page = page_before if previous and page_before else _new_name(folder, response.body)
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
    }
    # The page first: a sidecar always describes a page that is there.
    write_atomic(page, response.body)
    new_sidecar = page.with_name(page.name[: -len(".html")] + SIDECAR_SUFFIX)
    write_json(new_sidecar, record)
    known.by_url[url] = known.by_url[response.url] = new_sidecar
    known.by_sha[sha256] = page
    return FetchResult(url, "updated" if previous else "fetched", page)


def _new_name(folder: Path, body: bytes) -> Path:
    """``<date>-<headline>.html``, unused in ``folder``."""
    try:
        title, date = page_headline(body.decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - a name is all we need; the page is judged by tsum all
        title, date = "", None
    stem = base_slug(title or "page", date)
    page, n = folder / f"{stem}.html", 1
    while page.exists() or page.with_name(f"{page.stem}{SIDECAR_SUFFIX}").exists():
        n += 1
        page = folder / f"{stem}-{n}.html"
    return page


def _page_of(sidecar: Path) -> Path:
    return sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)] + ".html")


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
    """HTTP GET with a time-out, a size cap, a bounded number of redirects and robots.txt rules."""

    def __init__(self, limits: FetchLimits) -> None:
        import urllib3

        self.limits = limits
        self._pool = urllib3.PoolManager(
            headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=urllib3.Timeout(connect=limits.timeout, read=limits.timeout),
        )
        self._robots: dict[str, RobotFileParser | str] = {}

    def get(self, url: str, headers: dict[str, str] | None = None) -> _Response:
        """The response to GET ``url`` (any status). Raises FetchError for a URL that cannot be
        asked for or answered: bad scheme, robots.txt, network, time-out, size, redirects."""
        self._check_url(url)
        self._check_robots(url)
        return self._get(url, headers or {})

    def _get(self, url: str, headers: dict[str, str]) -> _Response:
        import urllib3

        retries = urllib3.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=self.limits.max_redirects
        )
        try:
            response = self._pool.request(
                "GET", url, headers=headers, retries=retries, preload_content=False, redirect=True
            )
        except urllib3.exceptions.MaxRetryError as exc:
            raise FetchError(f"{url}: {_network_problem(exc.reason, self.limits)}") from None
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"{url}: {_network_problem(exc, self.limits)}") from None
        try:
            final = urljoin(url, response.geturl() or url)
            self._check_url(final)  # a redirect to file:// or ftp:// is not followed either
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.limits.max_bytes:
                raise FetchError(f"{url}: {_too_big(self.limits)} ({int(length):,} bytes)")
            body = bytearray()
            for chunk in response.stream(_CHUNK):
                body += chunk
                if len(body) > self.limits.max_bytes:
                    raise FetchError(f"{url}: {_too_big(self.limits)}")
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"{url}: {_network_problem(exc, self.limits)}") from None
        finally:
            response.release_conn()
        return _Response(
            response.status,
            final,
            {k.lower(): v for k, v in response.headers.items()},
            bytes(body),
        )

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"{url}: not an http:// or https:// URL")

    def _check_robots(self, url: str) -> None:
        if not self.limits.obey_robots:
            return
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if isinstance(rules, str):
            raise FetchError(f"{url}: {rules}")
        if not rules.can_fetch(self.limits.user_agent, url):
            raise FetchError(f"{url}: robots.txt of {origin} does not allow fetching this page")

    def _load_robots(self, origin: str) -> RobotFileParser | str:
        """The site's rules, or why none can be had (then nothing on the site is fetched)."""
        rules = RobotFileParser(f"{origin}/robots.txt")
        try:
            response = self._get(f"{origin}/robots.txt", {})
        except FetchError as exc:
            return f"{str(exc).split(': ', 1)[-1]} (asking for robots.txt)"
        if response.status in (401, 403):
            rules.disallow_all = True  # type: ignore[attr-defined]  # public in the stdlib, not in typeshed
        elif response.status >= 500:
            return f"robots.txt answered HTTP {response.status}, so the site is not fetched (try again later)"
        elif response.status >= 400:
            rules.allow_all = True  # type: ignore[attr-defined]  # no robots.txt: no rules (not in typeshed)
        else:
            rules.parse(response.body.decode("utf-8", "replace").splitlines())
        rules.modified()
        return rules


def _too_big(limits: FetchLimits) -> str:
    return f"larger than {limits.max_bytes:,} bytes, not a press release page; skipped"


def _network_problem(reason, limits: FetchLimits) -> str:
    import urllib3

    # NewConnectionError is a kind of ConnectTimeoutError in urllib3 2: it goes first.
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return "cannot connect (server down, or its name unknown)"
    if isinstance(reason, urllib3.exceptions.TimeoutError):
        return f"no answer within {limits.timeout:g} seconds (time-out)"
    if isinstance(reason, urllib3.exceptions.ResponseError) and "redirect" in str(reason):
        return f"more than {limits.max_redirects} redirects"
    if isinstance(reason, urllib3.exceptions.SSLError):
        return f"TLS error: {reason}"
    return f"download failed: {reason}"
