"""The review server over real HTTP on loopback: pages, saves, conflicts, and every request it must refuse."""

from __future__ import annotations

import dataclasses
import http.client
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from render_fixtures import EVIL, GLOSSARY, SLUG, build_result

from translate_sum.memory import MemoryStore
from translate_sum.pipeline.article_files import write_article

SEG = "p1s0"  # holds Shanghai Cooperation Organization, Qingdao and Weidong Cloud Education Group


def write_output(root: Path) -> Path:
    """An output folder holding the fixture article as tsum all writes it, with its glossary on disk."""
    glossary = root / "glossary.tsv"
    glossary.write_text(
        "en\tzh\tru\n" + "".join(f"{en}\t{zh}\t{ru}\n" for en, (zh, ru) in GLOSSARY.items()), encoding="utf-8"
    )
    result = build_result()
    result.manifest = dataclasses.replace(
        result.manifest, glossary_path=str(glossary), glossary_sha256="0" * 64
    )
    out = root / "outputs"
    write_article(result, out)
    (out / "index.html").write_text("<!DOCTYPE html><title>index</title>", encoding="utf-8")
    return out


class Server:
    """The review app served by uvicorn on a free loopback port in a background thread."""

    def __init__(self, out: Path, memory: Path):
        import uvicorn

        from translate_sum.review.app import create_app

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.store = MemoryStore(memory)
        app = create_app(out, self.store, port=self.port)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.store.close()
        self.sock.close()

    def request(
        self, path: str, body: object = None, *, headers: dict | None = None, method: str | None = None
    ):
        """(status, headers, text) of one request; a dict body is sent as JSON with the page's own headers."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", "Origin": self.base} if data is not None else {}
        sent.update(headers or {})
        request = urllib.request.Request(self.base + path, data=data, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def token(self) -> str:
        _, _, page = self.request(f"/{SLUG}/review.html")
        return edit_data(page)["token"]

    def cell(self, seg: str = SEG, lang: str = "zh", slug: str = SLUG) -> dict:
        """The cell as the page now shows it: text, version, status."""
        _, _, page = self.request(f"/{slug}/review.html")
        return edit_data(page)["rows"].get(seg, {}).get(lang, {"text": ""})

    def save(
        self,
        text: str,
        *,
        version: int = 0,
        action: str = "edit",
        lang: str = "zh",
        seg: str = SEG,
        base: str | None = None,
        slug: str = SLUG,
        **kw,
    ):
        """POST a save as the page does; ``base`` (the text it was based on) defaults to what the page shows."""
        if base is None:
            base = self.cell(seg, lang, slug)["text"]
        body = {"lang": lang, "text": text, "action": action, "version": version, "base": base}
        headers = {"X-Tsum-Token": kw.pop("token", None) or self.token(), **kw.pop("headers", {})}
        return self.request(f"/api/{slug}/{seg}", body, headers=headers)


def edit_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="tsum-edit">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    running = Server(write_output(tmp_path), tmp_path / "outputs" / "tm.sqlite")
    yield running
    running.stop()


def test_page_has_editing_token_and_strict_headers(server):
    status, headers, page = server.request(f"/{SLUG}/review.html")
    assert status == 200
    assert "connect-src &#x27;self&#x27;" in page and page.count("<script>") == 2
    data = edit_data(page)
    assert len(data["token"]) >= 32 and data["languages"] == ["zh", "ru"]
    machine = build_result().segments[1].translations["zh"]
    cell = data["rows"][SEG]["zh"]
    assert (cell["text"], cell["version"], cell["status"], cell["article"]) == (machine, 0, None, machine)
    assert (
        headers["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    )
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"


def test_token_is_random_per_start(tmp_path):
    out = write_output(tmp_path)
    tokens = []
    for _ in range(2):
        running = Server(out, tmp_path / "tm.sqlite")
        try:
            tokens.append(running.token())
        finally:
            running.stop()
    assert tokens[0] != tokens[1]


def test_save_stores_rechecks_and_rerenders(server, tmp_path):
    status, _, body = server.save("7月23日下午，一个组织的副秘书长访问了伟东云教育集团青岛总部。")
    assert status == 200, body
    [row] = json.loads(body)["rows"]
    assert (row["id"], row["lang"], row["version"], row["status"]) == (SEG, "zh", 1, "edited")
    # The edit drops "Shanghai Cooperation Organization" (上海合作组织): flagged as a model output would be.
    assert [f["detail"] for f in row["flags"] if f["type"] == "glossary"] == [
        "missing 'Shanghai Cooperation Organization' → 上海合作组织: 0 of 1"
    ]
    entry = server.store.get(build_result().segments[1].en, "zh")
    assert (entry.target, entry.status, entry.origin, entry.slug) == (row["text"], "edited", "review", SLUG)
    folder = tmp_path / "outputs" / SLUG
    assert row["text"] in (folder / "article.zh.md").read_text(encoding="utf-8")
    record = next(
        json.loads(x) for x in (folder / "aligned.jsonl").read_text().splitlines() if f'"{SEG}"' in x
    )
    assert record["zh"] == row["text"] and record["memory"]["zh"]["status"] == "edited"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["memory"] == {"zh": 1, "ru": 0} and manifest["memory_digest"]

    status, _, body = server.save(row["text"], version=1, action="approve")
    assert status == 200 and json.loads(body)["rows"][0]["status"] == "approved"
    assert 'state="final"' in (folder / f"{SLUG}.en-zh.xlf").read_text(encoding="utf-8")
    _, _, page = server.request(f"/{SLUG}/review.html")  # a reload shows it
    assert edit_data(page)["rows"][SEG]["zh"]["status"] == "approved"
    assert "memory · approved" in page


def test_two_tabs_saving_the_same_row_conflict(server):
    token = server.token()
    assert server.save("第一个标签页的译文。", token=token)[0] == 200
    status, _, body = server.save("第二个标签页的译文。", token=token)
    assert status == 409
    answer = json.loads(body)
    assert "changed elsewhere" in answer["error"] and answer["current"] == {
        "text": "第一个标签页的译文。",
        "version": 1,
    }
    assert server.store.get(build_result().segments[1].en, "zh").target == "第一个标签页的译文。"


def test_markup_in_an_edit_stays_text(server, tmp_path):
    assert server.save(EVIL)[0] == 200
    _, _, page = server.request(f"/{SLUG}/review.html")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<img src=x onerror="window.__pwned=2">' not in page
    assert edit_data(page)["rows"][SEG]["zh"]["text"] == EVIL  # the JSON block carries it escaped


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"token": "wrong"}, 403, "token"),
        ({"headers": {"Origin": "http://evil.example"}}, 403, "origin"),
        ({"headers": {"Origin": "null"}}, 403, "origin"),
        ({"headers": {"Sec-Fetch-Site": "cross-site"}}, 403, "cross-site"),
        ({"headers": {"Content-Type": "text/plain"}}, 415, "JSON"),
        ({"lang": "zh'; drop"}, 400, "lang"),
        ({"action": "delete"}, 400, "action"),
        ({"version": -1}, 400, "version"),
        ({"version": True}, 400, "version"),
        ({"text": ""}, 400, "empty"),
        ({"text": "x" * 20_001}, 400, "longer than"),
        ({"seg": "nope"}, 404, "no segment"),
        ({"lang": "de"}, 404, "no 'de'"),
    ],
)
def test_bad_saves_are_refused_and_change_nothing(server, change, status, message):
    text = change.pop("text", "合法的译文。")
    version = change.pop("version", 0)
    code, _, body = server.save(text, version=version, **change)
    assert code == status and message in json.loads(body)["error"]
    assert server.store.entries() == []


def test_bodies_are_size_limited_and_shape_checked(server):
    headers = {"X-Tsum-Token": server.token()}
    for body, status in (
        (b"x" * (64 * 1024 + 1), 413),
        (b"{not json", 400),
        (json.dumps(["a"]).encode(), 400),
        (json.dumps({"lang": "zh", "text": "x", "action": "edit", "version": 0, "extra": 1}).encode(), 400),
        (json.dumps({"lang": "zh", "text": "x", "action": "edit", "version": 0}).encode(), 400),  # no base
        (b"[" * 30_000 + b"]" * 30_000, 400),
        (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, 400),
        (json.dumps({"lang": "zh", "text": "x", "action": ["edit"], "version": 0, "base": ""}).encode(), 400),
        (json.dumps({"lang": "zh", "text": "x", "action": {}, "version": 0, "base": ""}).encode(), 400),
        (b'{"lang": "zh", "text": "bad \\ud800 half", "action": "edit", "version": 0, "base": ""}', 400),
        (b'{"lang": "zh", "text": "x", "action": "edit", "version": 0, "base": "\\udfff"}', 400),
    ):
        assert server.request(f"/api/{SLUG}/{SEG}", body, headers=headers)[0] == status
    request = {"lang": "zh", "text": "x", "action": "edit", "version": 0, "base": ""}
    no_origin = server.request(f"/api/{SLUG}/{SEG}", request, headers={**headers, "Origin": ""})
    assert no_origin[0] == 403
    assert server.store.entries() == []


def _chunked_post(server, path: str, chunks: list[bytes]) -> tuple[int, dict[str, str]]:
    """POST ``chunks`` with Transfer-Encoding: chunked, so the server gets no Content-Length to check."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    try:
        headers = {
            "Content-Type": "application/json",
            "Origin": server.base,
            "X-Tsum-Token": server.token(),
        }
        connection.request("POST", path, body=iter(chunks), headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def test_a_streamed_body_without_length_is_size_limited_too(server):
    shown = server.cell(SEG, "zh", SLUG)["text"]
    save = {"lang": "zh", "text": "合法的译文。", "action": "edit", "version": 0, "base": shown}
    small = json.dumps(save, ensure_ascii=False).encode()
    status, _ = _chunked_post(server, f"/api/{SLUG}/{SEG}", [small[:10], small[10:]])
    assert status == 200  # the chunked route itself works
    padded = json.dumps(
        {**save, "text": "译" * 30_000, "version": 1, "base": "合法的译文。"}, ensure_ascii=False
    )
    padded = padded.encode()
    assert len(padded) > 64 * 1024
    status, answer = _chunked_post(
        server, f"/api/{SLUG}/{SEG}", [padded[i : i + 4096] for i in range(0, len(padded), 4096)]
    )
    assert status == 413 and "body larger than 65536 bytes" in answer["error"]
    assert [e.target for e in server.store.entries()] == ["合法的译文。"]


def test_foreign_host_names_and_paths_are_refused(server):
    assert server.request(f"/{SLUG}/review.html", headers={"Host": "evil.example"})[0] == 400  # DNS rebinding
    assert server.request(f"/{SLUG}/review.html", headers={"Host": f"localhost:{server.port}"})[0] == 200
    assert server.request("/nope/review.html")[0] == 404
    assert server.request(f"/{SLUG}/..%2Fmanifest.json")[0] == 404
    assert server.request(f"/{SLUG}/.hidden")[0] == 404
    assert server.request(f"/api/{SLUG}/{SEG}", method="GET")[0] == 405
    status, headers, text = server.request(f"/{SLUG}/article.zh.md")
    assert status == 200 and headers["Content-Type"].startswith("text/plain") and text.startswith("# ")
    assert server.request("/")[0] == 200


def test_near_matches_are_offered_not_applied(server):
    en = build_result().segments[1].en
    server.store.put(
        en.replace("afternoon", "morning"), "zh", "上午的译文。", status="approved", origin="review"
    )
    _, _, page = server.request(f"/{SLUG}/review.html")
    data = edit_data(page)
    [suggestion] = data["suggestions"][SEG]["zh"]
    assert suggestion["target"] == "上午的译文。" and 0.85 <= suggestion["score"] < 1
    assert data["rows"][SEG]["zh"]["text"] != "上午的译文。" and data["rows"][SEG]["zh"]["status"] is None


def test_review_command_errors_are_actionable(tmp_path):
    from click.testing import CliRunner

    from translate_sum.cli import cli

    missing = CliRunner().invoke(cli, ["review", "--output", str(tmp_path / "nothing"), "--port", "0"])
    assert missing.exit_code == 1 and "run tsum all first" in missing.output
    out = write_output(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = CliRunner().invoke(cli, ["review", "--output", str(out), "--port", str(port)])
    assert busy.exit_code == 2 and f"127.0.0.1:{port}: cannot listen" in busy.output
    assert "choose another --port" in busy.output


def test_simultaneous_saves_of_different_rows_all_land(server):
    from concurrent.futures import ThreadPoolExecutor

    token = server.token()
    segments = [s for s in build_result().segments if s.kind != "summary"][:6]
    with ThreadPoolExecutor(len(segments)) as pool:
        answers = list(pool.map(lambda s: server.save(f"译文 {s.id}。", seg=s.id, token=token), segments))
    assert [status for status, _, _ in answers] == [200] * len(segments)
    assert {e.target for e in server.store.entries("zh")} == {f"译文 {s.id}。" for s in segments}
    _, _, page = server.request(f"/{SLUG}/review.html")
    assert all(edit_data(page)["rows"][s.id]["zh"]["text"] == f"译文 {s.id}。" for s in segments)


def _second_article(out: Path, slug: str = "2020-07-25-the-same-sentences-elsewhere") -> str:
    """A second finished article holding the same sentences (as a re-published release would)."""
    import shutil

    shutil.copytree(out / SLUG, out / slug)
    return slug


def test_stale_approve_from_another_article_is_a_conflict_not_an_overwrite(server, tmp_path):
    """Approved in article B; article A was not re-run, so its files still hold the machine text."""
    out = tmp_path / "outputs"
    other = _second_article(out)
    en, machine = build_result().segments[1].en, build_result().segments[1].translations["zh"]
    approved = "审校者批准的译文。"
    assert server.save(approved, action="approve", slug=other)[0] == 200
    # Article A's page shows the memory's text with the memory's version: one source for both.
    cell = server.cell()
    assert (cell["text"], cell["version"], cell["status"]) == (approved, 1, "approved")
    assert cell["article"] == machine  # what the files still hold, shown in the editor as replaced
    # The old page's request: the machine text, with the memory's current version.
    status, _, body = server.save(machine, version=1, action="approve", base=machine)
    assert status == 409
    answer = json.loads(body)
    assert answer["current"] == {"text": approved, "version": 1}
    assert answer["yours"] == {"text": machine, "base": machine}
    entry = server.store.get(en, "zh")
    assert (entry.target, entry.status, entry.version) == (approved, "approved", 1)
    # Approving what the page now shows is fine and changes nothing.
    assert server.save(approved, version=1, action="approve")[0] == 200
    assert server.store.get(en, "zh").version == 1


def test_a_save_based_on_text_that_is_not_current_is_refused(server):
    machine = build_result().segments[1].translations["zh"]
    status, _, body = server.save("新的译文。", base="页面上从未显示过的文字。")
    assert status == 409 and json.loads(body)["current"] == {"text": machine, "version": 0}
    assert server.store.entries() == []
    assert server.save("第一版。")[0] == 200
    status, _, body = server.save("第二版。", version=1, base=machine)  # right version, stale text
    assert status == 409 and json.loads(body)["current"] == {"text": "第一版。", "version": 1}
    assert server.store.get(build_result().segments[1].en, "zh").target == "第一版。"


@pytest.fixture
def frozen():
    """Makes a folder unwritable, even for root (chattr +i on ext4); undone afterwards."""
    import os
    import subprocess

    done: list[Path] = []

    def freeze(folder: Path) -> None:
        if os.geteuid() == 0:
            if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
                pytest.skip("chattr +i is not supported here")
        else:
            folder.chmod(0o555)
        done.append(folder)

    yield freeze
    for folder in done:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_an_unwritable_article_folder_is_a_503_with_the_reason_and_nothing_is_saved(server, tmp_path, frozen):
    frozen(tmp_path / "outputs" / SLUG)
    status, _, body = server.save("无法写入时的译文。")
    assert status == 503
    error = json.loads(body)["error"]
    assert "article folder cannot be written" in error and "nothing was saved" in error
    assert "\n" not in error and "Traceback" not in error
    assert server.store.entries() == []
    # The folder's manifest is still there: the page still loads.
    assert server.request(f"/{SLUG}/review.html")[0] == 200


def test_a_linked_article_folder_is_refused_like_a_linked_file(server, tmp_path):
    out = tmp_path / "outputs"
    elsewhere = tmp_path / "elsewhere"
    import shutil

    shutil.copytree(out / SLUG, elsewhere)
    (out / "2020-07-25-linked").symlink_to(elsewhere, target_is_directory=True)
    assert server.request("/2020-07-25-linked/review.html")[0] == 404
    assert server.request("/2020-07-25-linked/article.zh.md")[0] == 404
    assert server.save("链接。", slug="2020-07-25-linked", base="x")[0] == 404
