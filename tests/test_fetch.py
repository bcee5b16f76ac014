"""`tsum fetch` against a local HTTP server (127.0.0.1 only): pages, a feed, re-runs, failures."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from translate_sum.cli import cli
from translate_sum.ingest import list_articles, load_article
from translate_sum.ingest.fetch import FetchLimits, feed_links, fetch_feed, fetch_pages

PAGES = Path(__file__).parent / "data" / "pages"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class Site:
    """What the server serves: path -> (status, content type, body, extra headers); and a request log."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.custom: dict = {}  # path -> handler(request): hostile answers written by hand

    def page(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8", **headers) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        self.routes[path] = (200, content_type, body, {"ETag": etag, **headers})


def _handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            site.requests.append((self.path, dict(self.headers)))
            if self.path in site.custom:
                # OSError: the client gave up (its deadline), there is nothing more to send.
                with contextlib.suppress(OSError):
                    site.custom[self.path](self)
                return
            if self.path == "/slow.html":
                time.sleep(1.5)
            if self.path == "/loop":
                self.send_response(302)
                self.send_header("Location", "/loop")
                self.end_headers()
                return
            if self.path == "/moved.html":
                self.send_response(301)
                self.send_header("Location", "/news/forum.html")
                self.end_headers()
                return
            status, content_type, body, headers = site.routes.get(self.path, (404, "text/plain", b"gone", {}))
            etag, modified = headers.get("ETag"), headers.get("Last-Modified")
            if status == 200 and (
                (etag and self.headers.get("If-None-Match") == etag)
                or (modified and self.headers.get("If-Modified-Since") == modified)
            ):
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def _serve(site: Site):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    # A short poll interval: shutting the server down at the end of each test is then quick.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    return server


@pytest.fixture
def site():
    """A live server on 127.0.0.1 serving saved pages, a feed and a few ways to fail."""
    site = Site()
    server = _serve(site)
    site.routes["/robots.txt"] = (200, "text/plain", ROBOTS, {})
    site.page("/news/forum.html", (PAGES / "figure-captions.html").read_bytes())
    site.page("/news/trade-fair.html", (PAGES / "related-news.html").read_bytes())
    site.page("/private/secret.html", (PAGES / "div-soup.html").read_bytes())
    site.page("/logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")
    site.page("/big.html", b"<html><body>" + b"<p>word</p>" * 20_000 + b"</body></html>")
    site.page("/slow.html", (PAGES / "json-ld-date.html").read_bytes())
    items = [
        "/news/forum.html",
        "/news/trade-fair.html",
        "/missing.html",
        "/private/secret.html",
        "/logo.png",
    ]
    site.page("/feed.xml", _rss(site.base, items), content_type="application/rss+xml")
    yield site
    server.shutdown()
    server.server_close()


def _rss(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>" for p in paths)
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Press releases</title>'
        f"<link>{base}/</link><description>News</description>{items}</channel></rss>"
    ).encode()


LIMITS = FetchLimits(timeout=0.5, max_bytes=100_000, max_redirects=3)


def test_feed_fetches_new_items_and_reports_each_failing_url(site, tmp_path):
    results = fetch_feed(f"{site.base}/feed.xml", tmp_path, LIMITS)
    by_url = {r.url.removeprefix(site.base): r for r in results}
    assert [r.status for r in results] == ["fetched", "fetched", "failed", "failed", "failed"], results
    assert by_url["/missing.html"].message == f"{site.base}/missing.html: HTTP 404 Not Found"
    assert "robots.txt of" in by_url["/private/secret.html"].message
    assert "not a web page, PDF or Word document (content type image/png)" in by_url["/logo.png"].message
    # Named by date and headline, the original bytes, and a sidecar beside each.
    forum = tmp_path / "2021-03-02-sco-holds-forum-on-vocational-education.html"
    assert by_url["/news/forum.html"].path == forum
    assert forum.read_bytes() == (PAGES / "figure-captions.html").read_bytes()
    sidecar = json.loads(
        (tmp_path / "2021-03-02-sco-holds-forum-on-vocational-education.fetch.json").read_text()
    )
    assert sidecar["url"] == f"{site.base}/news/forum.html"
    assert sidecar["etag"] == site.routes["/news/forum.html"][3]["ETag"]
    assert sidecar["sha256"] == hashlib.sha256(forum.read_bytes()).hexdigest()
    assert sidecar["fetched"].endswith("+00:00")
    # The robots-disallowed page was never requested.
    assert "/private/secret.html" not in [path for path, _ in site.requests]


def test_second_run_skips_known_items_and_fetches_only_changes(site, tmp_path):
    fetch_feed(f"{site.base}/feed.xml", tmp_path, LIMITS)
    files = sorted(p.name for p in tmp_path.iterdir())
    site.page("/news/trade-fair.html", (PAGES / "related-news.html").read_bytes().replace(b"1,200", b"1,300"))
    site.requests.clear()
    results = fetch_feed(f"{site.base}/feed.xml", tmp_path, LIMITS)
    statuses = {r.url.removeprefix(site.base): r.status for r in results}
    assert statuses["/news/forum.html"] == "unchanged"
    assert statuses["/news/trade-fair.html"] == "updated"
    assert sorted(p.name for p in tmp_path.iterdir()) == files  # updated in place, nothing new
    sent = dict(site.requests)
    assert sent["/news/forum.html"]["If-None-Match"] == site.routes["/news/forum.html"][3]["ETag"]
    assert (
        b"1,300"
        in (tmp_path / "2019-08-27-regional-trade-fair-draws-record-number-of-exhibitors.html").read_bytes()
    )


def test_unchanged_content_without_etag_and_under_a_new_url_is_skipped(site, tmp_path):
    body = (PAGES / "quotes-lists.html").read_bytes()
    site.routes["/a.html"] = (200, "text/html", body, {})
    site.routes["/copy-of-a.html"] = (200, "text/html", body, {})
    first = fetch_pages([f"{site.base}/a.html"], tmp_path, LIMITS)
    again = fetch_pages([f"{site.base}/a.html", f"{site.base}/copy-of-a.html"], tmp_path, LIMITS)
    assert [r.status for r in first] == ["fetched"]
    assert [(r.status, r.message) for r in again] == [
        ("unchanged", "same content as the last fetch"),
        ("unchanged", f"same content as {first[0].path.name}"),
    ]


def test_last_modified_alone_makes_a_conditional_request(site, tmp_path):
    body = (PAGES / "div-soup.html").read_bytes()
    stamp = "Wed, 03 Mar 2021 08:00:00 GMT"
    site.routes["/dated.html"] = (200, "text/html", body, {"Last-Modified": stamp})
    assert fetch_pages([f"{site.base}/dated.html"], tmp_path, LIMITS)[0].status == "fetched"
    site.requests.clear()
    again = fetch_pages([f"{site.base}/dated.html"], tmp_path, LIMITS)
    assert [(r.status, r.message) for r in again] == [("unchanged", "not modified since the last fetch")]
    assert dict(site.requests)["/dated.html"]["If-Modified-Since"] == stamp


def test_redirects_time_outs_size_and_schemes_fail_alone(site, tmp_path):
    urls = [
        f"{site.base}/loop",
        f"{site.base}/slow.html",
        f"{site.base}/big.html",
        "ftp://example.org/x.html",
        f"{site.base}/moved.html",
    ]
    results = fetch_pages(urls, tmp_path, LIMITS)
    messages = [r.message for r in results]
    assert "more than 3 redirects" in messages[0]
    assert "no complete answer within 0.5 seconds (time-out)" in messages[1]
    assert "larger than 100,000 bytes" in messages[2]
    assert messages[3] == "ftp://example.org/x.html: not an http:// or https:// URL"
    assert results[4].status == "fetched"  # a plain redirect is followed, and the final URL recorded
    sidecar = json.loads(results[4].path.with_name(results[4].path.stem + ".fetch.json").read_text())
    assert sidecar["final_url"] == f"{site.base}/news/forum.html"


def test_unreachable_server_and_bad_feed(tmp_path):
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    results = fetch_pages(["http://127.0.0.1:9/a.html"], tmp_path, LIMITS)
    assert results[0].status == "failed" and "cannot connect" in results[0].message


def test_feed_links_resolve_relative_links_and_refuse_non_feeds(site):
    site.routes["/rel.xml"] = (
        200,
        "application/atom+xml",
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><title>a</title><link href="/news/forum.html"/><id>1</id></entry></feed>',
        {},
    )
    assert feed_links(f"{site.base}/rel.xml", LIMITS) == [f"{site.base}/news/forum.html"]
    results = fetch_feed(f"{site.base}/news/forum.html", Path("/nonexistent-unused"), LIMITS)
    assert results[0].status == "failed" and "not an RSS or Atom feed" in results[0].message


def test_fetched_pages_are_articles_and_sidecars_are_not(site, tmp_path):
    fetch_feed(f"{site.base}/feed.xml", tmp_path, LIMITS)
    files, notices = list_articles(tmp_path)
    assert [p.suffix for p in files] == [".html", ".html"] and notices == []
    article = load_article(tmp_path / "2021-03-02-sco-holds-forum-on-vocational-education.html")
    assert article.title == "SCO holds forum on vocational education" and article.date == "2021-03-02"


def test_cli_fetch_lists_failures_and_exits_1(site, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        cli, ["fetch", "--feed", f"{site.base}/feed.xml", "--input", str(tmp_path), "--timeout", "2"]
    )
    assert result.exit_code == 1, result.output
    assert f"error: {site.base}/missing.html: HTTP 404 Not Found" in result.output
    assert "2 fetched, 0 updated, 0 unchanged, 3 failed" in result.output
    again = runner.invoke(cli, ["fetch", f"{site.base}/news/forum.html", "--input", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert "0 fetched, 0 updated, 1 unchanged, 0 failed" in again.output
    assert runner.invoke(cli, ["fetch", "--input", str(tmp_path)]).exit_code == 2


def test_tsum_all_processes_what_was_fetched_and_redoes_it_when_extraction_changes(
    site, tmp_path, tiny_config, monkeypatch
):
    import translate_sum.ingest.html

    folder = tmp_path / "in"
    assert fetch_pages([f"{site.base}/news/forum.html"], folder, LIMITS)[0].status == "fetched"
    (folder / "note.txt").write_text("A plain release\n\nThe delegation met partners in Qingdao on Monday.\n")
    args = ["all", "--input", str(folder), "--output", str(tmp_path / "out"), "--config", str(tiny_config)]
    args += ["--summarizer", "extractive", "--only", "ru", "--quiet"]
    runner = CliRunner()
    assert runner.invoke(cli, args).exit_code == 0
    slug = "2021-03-02-sco-holds-forum-on-vocational-education"
    records = [
        json.loads(line) for line in (tmp_path / "out" / slug / "aligned.jsonl").read_text().splitlines()
    ]
    assert [r["en"] for r in records if r["kind"] == "caption"] == [
        "Photo: Participants of the forum in the conference hall",
        "The signing of the memorandum on cooperation between colleges",
    ]
    assert (
        json.loads((tmp_path / "out" / slug / "manifest.json").read_text())["article"]["date"] == "2021-03-02"
    )
    # Other extraction settings: the web page is redone, the text file is not.
    monkeypatch.setitem(translate_sum.ingest.html._COMMON, "deduplicate", True)
    result = runner.invoke(cli, args[:-1])
    assert result.exit_code == 0 and "1 written, 1 up to date" in result.output, result.output


def test_a_page_in_the_charset_its_server_named_is_read_in_it(site, tmp_path):
    page = (PAGES / "json-ld-date.html").read_text(encoding="utf-8").replace('<meta charset="utf-8">', "")
    page = page.replace("on Tuesday,", "on Tuesday — in the café season,")
    site.routes["/latin.html"] = (200, "text/html; charset=windows-1252", page.encode("cp1252"), {})
    (result,) = fetch_pages([f"{site.base}/latin.html"], tmp_path, LIMITS)
    assert result.status == "fetched", result
    assert "in the café season" in load_article(result.path).paragraphs[1].text


# --- Hostile servers: every case ends within its deadline with one line, and writes nothing ----------

QUICK = FetchLimits(timeout=1.0, max_bytes=100_000, max_redirects=3)


def _drip(request, every: float = 0.2, head: bool = True):
    """Headers (or not even those) one piece at a time, then a body one byte at a time, for ever."""
    request.wfile.write(b"HTTP/1.1 200 OK\r\n")
    request.wfile.flush()
    if head:
        request.wfile.write(b"Content-Type: text/html\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(200):
        time.sleep(every)
        request.wfile.write(b"<" if head else b"X-Slow: 1\r\n")
        request.wfile.flush()


def _redirect(location: str, wait: float = 0.0):
    def answer(request):
        time.sleep(wait)
        request.send_response(302)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return answer


def _raw(data: bytes):
    def answer(request):
        request.wfile.write(data)
        request.wfile.flush()

    return answer


def _fetch_alone(site, path: str, folder: Path, limits: FetchLimits = QUICK):
    start = time.monotonic()
    (result,) = fetch_pages([f"{site.base}{path}"], folder, limits)
    return result, time.monotonic() - start


@pytest.mark.parametrize("head", [True, False], ids=["body-drip", "header-drip"])
def test_a_server_that_drips_bytes_is_cut_off_at_the_deadline(site, tmp_path, head):
    site.custom["/drip.html"] = lambda request: _drip(request, head=head)
    result, seconds = _fetch_alone(site, "/drip.html", tmp_path)
    assert result.status == "failed" and seconds < 2.5, (result, seconds)
    assert result.message == f"{site.base}/drip.html: no complete answer within 1 seconds (time-out)"
    assert list(tmp_path.iterdir()) == []


def test_the_deadline_covers_every_redirect_together(site, tmp_path):
    # Each hop answers within the deadline on its own; together they do not.
    site.custom["/hop1"] = _redirect("/hop2", 0.4)
    site.custom["/hop2"] = _redirect("/hop3", 0.4)
    site.custom["/hop3"] = _redirect("/news/forum.html", 0.4)
    result, seconds = _fetch_alone(site, "/hop1", tmp_path)
    assert result.status == "failed" and "within 1 seconds (time-out)" in result.message
    assert seconds < 2.0 and list(tmp_path.iterdir()) == []


def test_robots_txt_is_checked_again_after_a_redirect_to_another_origin(site, tmp_path):
    other = Site()
    other.routes["/robots.txt"] = (200, "text/plain", b"User-agent: *\nDisallow: /\n", {})
    other.page("/page.html", (PAGES / "div-soup.html").read_bytes())
    server = _serve(other)
    try:
        site.custom["/away"] = _redirect(f"{other.base}/page.html")
        result, _ = _fetch_alone(site, "/away", tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert result.status == "failed" and f"robots.txt of {other.base} does not allow" in result.message
    assert [path for path, _ in other.requests] == ["/robots.txt"]


def test_a_redirect_to_a_file_url_is_refused_clearly(site, tmp_path):
    site.custom["/to-file"] = _redirect("file:///etc/passwd")
    result, _ = _fetch_alone(site, "/to-file", tmp_path)
    assert result.message == (
        f"{site.base}/to-file: redirected to file:///etc/passwd, which is not an http:// or https:// URL; "
        "not followed"
    )


def test_a_binary_body_sent_as_html_is_not_saved(site, tmp_path):
    site.routes["/fake.html"] = (200, "text/html", b"\x00\x01\x02\xff" * 500, {})
    site.routes["/plain.html"] = (200, "text/html", b"just some words, no markup at all", {})
    results = fetch_pages([f"{site.base}/fake.html", f"{site.base}/plain.html"], tmp_path, QUICK)
    assert [r.status for r in results] == ["failed", "failed"]
    assert "the server says text/html, but the body is binary data; not saved" in results[0].message
    assert "the body is not HTML" in results[1].message
    assert list(tmp_path.iterdir()) == []


def test_broken_responses_and_retry_after_get_one_clean_line(site, tmp_path):
    site.custom["/short.html"] = _raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<html>only this"
    )
    site.custom["/garbage"] = _raw(b"NOT HTTP AT ALL\r\n\r\n")
    site.routes["/busy.html"] = (429, "text/plain", b"slow down", {"Retry-After": "120"})
    site.routes["/down.html"] = (503, "text/plain", b"", {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"})
    paths = ["/short.html", "/garbage", "/busy.html", "/down.html"]
    results = fetch_pages([f"{site.base}{p}" for p in paths], tmp_path, QUICK)
    messages = [r.message.removeprefix(f"{site.base}{p}: ") for r, p in zip(results, paths, strict=True)]
    assert (
        messages[0]
        == "the connection closed after 15 bytes of the 1,000 the server announced (broken response)"
    )
    assert messages[1] == "the server broke the connection or sent a malformed response"
    assert messages[2] == "HTTP 429 Too Many Requests (the server asks to retry after 120 seconds)"
    assert messages[3] == (
        "HTTP 503 Service Unavailable (the server asks to retry after Wed, 21 Oct 2026 07:28:00 GMT)"
    )
    assert all("\n" not in m and "(" not in m.split(" (")[0] for m in messages)
    assert list(tmp_path.iterdir()) == []


def test_a_feed_gives_its_newest_items_up_to_the_limit(site, tmp_path):
    items = "".join(
        f"<item><title>n{i}</title><link>{site.base}/n/{i}.html</link>"
        f"<pubDate>{(i % 28) + 1:02d} Feb 2021 10:00:00 GMT</pubDate></item>"
        for i in range(2000)
    )
    site.routes["/big.xml"] = (
        200,
        "application/rss+xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode(),
        {},
    )
    limits = FetchLimits(timeout=5.0, feed_items=3)
    links = feed_links(f"{site.base}/big.xml", limits)
    assert links == [f"{site.base}/n/27.html", f"{site.base}/n/55.html", f"{site.base}/n/83.html"]
    assert len(feed_links(f"{site.base}/big.xml", FetchLimits(timeout=5.0))) == 50


def test_windows_reserved_names_pdf_and_docx_are_saved_as_what_they_are(site, tmp_path):
    import io

    import docx

    site.page("/con.html", b"<html><head><title>CON</title></head><body><p>x</p></body></html>")
    document = docx.Document()
    document.add_paragraph("Port opens new terminal", style="Title")
    document.add_paragraph("The port opened a new container terminal on Monday, doubling its capacity.")
    buffer = io.BytesIO()
    document.save(buffer)
    site.page("/files/Terminal%20release.docx", buffer.getvalue(), content_type="application/octet-stream")
    from test_ingest_pdf import _pdf  # the PDF tests' generator

    site.page("/files/terminal.pdf", _pdf(), content_type="application/pdf")
    paths = ["/con.html", "/files/Terminal%20release.docx", "/files/terminal.pdf"]
    results = fetch_pages([f"{site.base}{p}" for p in paths], tmp_path, QUICK)
    assert [r.status for r in results] == ["fetched"] * 3, results
    assert [r.path.name for r in results] == ["con-article.html", "terminal-release.docx", "terminal.pdf"]
    assert load_article(results[1].path).title == "Port opens new terminal"
    assert load_article(results[2].path).title.startswith("Port authority opens")
    again = fetch_pages([f"{site.base}{p}" for p in paths[1:]], tmp_path, QUICK)
    assert [r.status for r in again] == ["unchanged", "unchanged"]
