"""`tracefacts add PATH|URL`: a document copied or fetched into seeds/ and registered in sources.yaml.

URLs are fetched from a loopback HTTP server started by the test (``ThreadingHTTPServer`` on
127.0.0.1, port 0): redirects, a loop, 404 and 5xx, a body larger than the limit, a server
too slow in its headers or its body, a wrong content type. Every test asserts what the user
sees: the exit status, the lines printed, and the files (sources.yaml byte for byte, seeds/).
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tfcore import TODAY, Handbook, sha256

from tracefacts.add import Entry, appended, verify
from tracefacts.cli import main
from tracefacts.load import parse_sources_file

SRC = "facts/sources.yaml"
REPORT = "Widget Report\n\nThe widget ships with 14.3 percent more capacity than before.\n"
SIZE = f"{len(REPORT.encode())} bytes"


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def seeds(hb: Handbook) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((hb.root / "seeds").iterdir())}


# --- the loopback server ----------------------------------------------------------------

Route = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        route = self.server.routes.get(urlsplit(self.path).path)
        if route is None:
            self.send_error(404)
            return
        route(self)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.stop = threading.Event()
        self.sent: dict[str, int] = {}  # path -> bytes of body a streaming route managed to send
        self.done: dict[str, threading.Event] = {}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def page(self, path: str, body: bytes, content_type: str, status: int = 200,
             headers: dict[str, str] | None = None) -> str:
        def send(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(body)

        self.routes[path] = send
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        def send(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            h.send_header("Location", to)
            h.send_header("Content-Length", "0")
            h.end_headers()

        self.routes[path] = send
        return self.url(path)


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield srv
    srv.stop.set()
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def hb(make_handbook: Callable[..., Handbook]) -> Handbook:
    """A handbook with its two pinned sources, and a comment after the last entry (kept in place)."""
    book = make_handbook(facts=None)
    book.write(SRC, book.read(SRC) + "# end of the list: keep this comment\n")
    return book


# --- a local file -------------------------------------------------------------------------

def test_a_file_is_copied_and_registered_keeping_sources_yaml_byte_for_byte(capsys, hb, tmp_path):
    report = tmp_path / "Widget Report (final).txt"
    report.write_text(REPORT, encoding="utf-8")
    before = hb.read(SRC)
    code, out, err = run(capsys, "add", str(report), "--root", str(hb.root), "--title", 'Widget: the "Report" #2',
                         "--publisher", "Acme Corp", "--published", "2026-04-20")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"copied seeds/Widget-Report-final.txt ({SIZE})",
        "added source acme-corp-2026-04-20 to facts/sources.yaml (pinned)",
        'to cite it: tracefacts find "a few words of it" --root ' + str(hb.root)
        + " prints a quote entry (source: acme-corp-2026-04-20) to paste under a fact's sources:",
    ]
    assert seeds(hb)["Widget-Report-final.txt"] == REPORT.encode("utf-8")
    last_entry_end = before.index("# end of the list")
    assert hb.read(SRC) == before[:last_entry_end] + (
        "  - id: acme-corp-2026-04-20\n"
        "    file: seeds/Widget-Report-final.txt\n"
        "    title: 'Widget: the \"Report\" #2'\n"
        "    publisher: Acme Corp\n"
        "    published: 2026-04-20\n"
        f"    sha256: {sha256(REPORT)}\n"
    ) + before[last_entry_end:]
    result = hb.check()
    assert [p.code for p in result.problems if p.source == "acme-corp-2026-04-20"] == ["unused-source"]
    assert result.errors == ()
    source = result.base.sources["acme-corp-2026-04-20"]
    assert (source.title, source.url, source.retrieved) == ('Widget: the "Report" #2', None, None)


def test_a_file_already_in_seeds_is_registered_where_it_is(capsys, hb):
    hb.seed("later.txt", REPORT)
    code, out, _ = run(capsys, "add", str(hb.root / "seeds" / "later.txt"), "--root", str(hb.root), "--id",
                       "widget.later", "--title", "Later", "--publisher", "Acme", "--published", "2026-04-21")
    assert code == 0
    assert out.splitlines()[:2] == [f"seeds/later.txt already holds these bytes ({SIZE}): nothing to copy",
                                    "added source widget.later to facts/sources.yaml (pinned)"]
    assert hb.check().base.sources["widget.later"].file == "seeds/later.txt"
    assert hb.check().errors == ()


def test_a_different_file_of_the_same_name_is_not_replaced(capsys, hb, tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")  # seeds/a.txt holds another text
    before, held = hb.read(SRC), seeds(hb)
    code, out, err = run(capsys, "add", str(tmp_path / "a.txt"), "--root", str(hb.root), "--title", "T",
                         "--publisher", "P", "--published", "2026-04-21")
    assert (code, out) == (1, "")
    assert err == ("tracefacts add: cannot write seeds/a.txt exists with other content; it is not replaced "
                   "(rename the file you add); nothing was added\n")
    assert (hb.read(SRC), seeds(hb)) == (before, held)


def test_a_link_in_seeds_is_never_written_through(capsys, hb, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("the user's own file\n", encoding="utf-8")
    os.symlink(outside, hb.root / "seeds" / "outside.txt")
    before = hb.read(SRC)
    code, _, err = run(capsys, "add", str(hb.root / "seeds" / "outside.txt"), "--root", str(hb.root),
                       "--title", "T", "--publisher", "P", "--published", "2026-04-21")
    assert code == 1
    assert "seeds/outside.txt is a symbolic link pointing out of seeds/" in err
    assert outside.read_text(encoding="utf-8") == "the user's own file\n"
    assert (hb.root / "seeds" / "outside.txt").is_symlink()
    assert hb.read(SRC) == before


def test_an_id_already_registered_is_refused(capsys, hb, tmp_path):
    (tmp_path / "new.txt").write_text(REPORT, encoding="utf-8")
    before, held = hb.read(SRC), seeds(hb)
    code, out, err = run(capsys, "add", str(tmp_path / "new.txt"), "--root", str(hb.root), "--id", "acme-report",
                         "--title", "T", "--publisher", "P", "--published", "2026-04-21")
    assert (code, out) == (2, "")
    assert err == ("tracefacts add: a source with id acme-report is already registered (seeds/a.txt); "
                   "choose another --id\n")
    assert (hb.read(SRC), seeds(hb)) == (before, held)


def test_a_missing_title_names_the_flag_and_writes_nothing(capsys, hb, tmp_path):
    (tmp_path / "new.txt").write_text(REPORT, encoding="utf-8")
    before, held = hb.read(SRC), seeds(hb)
    code, out, err = run(capsys, "add", str(tmp_path / "new.txt"), "--root", str(hb.root),
                         "--publisher", "P", "--published", "2026-04-21")
    assert (code, out) == (2, "")
    assert err == (f'tracefacts add: {tmp_path / "new.txt"}: the document gives no title (give --title "…"); '
                   "nothing was added\n")
    assert (hb.read(SRC), seeds(hb)) == (before, held)


def test_an_id_that_is_not_a_slug_is_a_usage_error(capsys, hb, tmp_path):
    (tmp_path / "new.txt").write_text(REPORT, encoding="utf-8")
    code, _, err = run(capsys, "add", str(tmp_path / "new.txt"), "--root", str(hb.root), "--id", "Acme Report",
                       "--title", "T", "--publisher", "P", "--published", "2026-04-21")
    assert code == 2
    assert err.startswith("tracefacts add: --id 'Acme Report' is not a slug")


def test_an_empty_sources_list_gets_a_block_list(capsys, tmp_path):
    book = Handbook(tmp_path / "empty")
    book.write(SRC, "# nothing yet\nsources: []   # added below\n")
    (tmp_path / "new.txt").write_text(REPORT, encoding="utf-8")
    code, _, _ = run(capsys, "add", str(tmp_path / "new.txt"), "--root", str(book.root), "--title", "Widget",
                     "--publisher", "Acme", "--published", "2026-04-21")
    assert code == 0
    assert book.read(SRC) == ("# nothing yet\nsources:    # added below\n"
                              "  - id: acme-2026-04-21\n    file: seeds/new.txt\n    title: Widget\n"
                              "    publisher: Acme\n    published: 2026-04-21\n"
                              f"    sha256: {sha256(REPORT)}\n")
    assert book.check(TODAY).errors == ()


def test_a_flow_style_list_is_refused_with_the_entry_to_paste(capsys, tmp_path):
    book = Handbook(tmp_path / "flow")
    flow = "sources: [{id: x, file: seeds/x.txt, title: X, publisher: P, published: 2026-01-01}]\n"
    book.write(SRC, flow)
    (tmp_path / "new.txt").write_text(REPORT, encoding="utf-8")
    code, out, err = run(capsys, "add", str(tmp_path / "new.txt"), "--root", str(book.root), "--title", "Widget",
                         "--publisher", "Acme", "--published", "2026-04-21")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "tracefacts add: facts/sources.yaml: its `sources:` is not a block list (`- id: …` lines) to append to; "
        "add the entry by hand",
        "    - id: acme-2026-04-21", "      file: seeds/new.txt", "      title: Widget", "      publisher: Acme",
        "      published: 2026-04-21", f"      sha256: {sha256(REPORT)}"]
    assert book.read(SRC) == flow
    assert list((book.root / "seeds").iterdir()) == []


def test_a_file_already_registered_is_not_registered_twice(capsys, hb):
    before = hb.read(SRC)
    code, out, err = run(capsys, "add", str(hb.root / "seeds" / "a.txt"), "--root", str(hb.root), "--id", "again",
                         "--title", "T", "--publisher", "P", "--published", "2026-04-21")
    assert (code, out) == (2, "")
    assert err == "tracefacts add: seeds/a.txt is already registered, as source acme-report; nothing was added\n"
    assert hb.read(SRC) == before


# --- a URL --------------------------------------------------------------------------------

def test_a_url_is_fetched_with_its_bytes_exact_and_url_and_retrieved_written(capsys, hb, server):
    body = "\ufeffWidget notes\r\n\r\nCapacity rose by 14.3 percent.\r\n".encode()  # BOM and CRLF kept
    url = server.page("/docs/widget-notes.txt", body, "text/plain; charset=utf-8")
    code, out, err = run(capsys, "add", url, "--root", str(hb.root), "--title", "Widget notes",
                         "--publisher", "Acme", "--published", "2026-04-22")
    assert (code, err) == (0, "")
    assert out.splitlines()[:3] == [f"fetched {url} (text/plain, {len(body)} bytes)",
                                    f"saved seeds/widget-notes.txt ({len(body)} bytes)",
                                    "added source acme-2026-04-22 to facts/sources.yaml (pinned)"]
    assert seeds(hb)["widget-notes.txt"] == body
    text = hb.read(SRC)
    assert (f"  - id: acme-2026-04-22\n    file: seeds/widget-notes.txt\n    title: Widget notes\n"
            f"    publisher: Acme\n    published: 2026-04-22\n    url: {url}\n"
            f"    retrieved: {dt.date.today().isoformat()}\n    sha256: {sha256(body)}\n") in text
    assert hb.check().errors == ()


def test_a_compressed_transfer_is_saved_as_the_document(capsys, hb, server):
    url = server.page("/notes.txt", gzip.compress(REPORT.encode()), "text/plain", headers={"Content-Encoding": "gzip"})
    code, _, _ = run(capsys, "add", url, "--root", str(hb.root), "--title", "N", "--publisher", "Acme",
                     "--published", "2026-04-22")
    assert code == 0
    assert seeds(hb)["notes.txt"] == REPORT.encode()


def test_a_url_without_a_file_name_is_named_after_the_id(capsys, hb, server):
    url = server.page("/news/widget", REPORT.encode(), "text/plain")
    code, out, _ = run(capsys, "add", url, "--root", str(hb.root), "--id", "acme.widget", "--title", "W",
                       "--publisher", "Acme", "--published", "2026-04-22")
    assert code == 0
    assert f"saved seeds/acme.widget.txt ({SIZE})" in out.splitlines()
    assert seeds(hb)["acme.widget.txt"] == REPORT.encode()


def test_a_url_with_a_space_and_an_accent_is_asked_and_written_percent_encoded(capsys, hb, server):
    server.page("/caf%C3%A9%20notes.txt", REPORT.encode(), "text/plain")
    code, out, err = run(capsys, "add", server.url("/café notes.txt"), "--root", str(hb.root), "--title", "Café",
                         "--publisher", "Acme", "--published", "2026-04-22")
    assert (code, err) == (0, "")
    assert f"saved seeds/cafe-notes.txt ({SIZE})" in out.splitlines()
    assert f"    url: {server.url('/caf%C3%A9%20notes.txt')}\n" in hb.read(SRC)
    assert hb.check().base.sources["acme-2026-04-22"].title == "Café"


def test_redirects_are_followed_and_the_final_url_is_written(capsys, hb, server):
    final = server.page("/v2/spec.txt", REPORT.encode(), "text/plain")
    server.redirect("/v1/spec", final, status=301)
    start = server.redirect("/spec", "/v1/spec")
    code, out, _ = run(capsys, "add", start, "--root", str(hb.root), "--title", "Spec", "--publisher", "Acme",
                       "--published", "2026-04-22")
    assert code == 0
    assert out.splitlines()[0] == f"fetched {start} (text/plain, {SIZE}, redirected to {final})"
    assert seeds(hb)["spec.txt"] == REPORT.encode()
    assert hb.check().base.sources["acme-2026-04-22"].url == final


def test_a_redirect_loop_is_a_clear_problem(capsys, hb, server):
    loop = server.redirect("/loop", "/loop")
    before, held = hb.read(SRC), seeds(hb)
    code, out, err = run(capsys, "add", loop, "--root", str(hb.root), "--title", "T", "--publisher", "P",
                         "--published", "2026-04-22")
    assert (code, out) == (1, "")
    assert err == (f"tracefacts add: {loop}: too many redirects (more than 5; the last to {loop}: "
                   "a redirect loop?); nothing was added\n")
    assert (hb.read(SRC), seeds(hb)) == (before, held)


def test_a_redirect_to_another_scheme_is_not_followed(capsys, hb, server):
    url = server.redirect("/ftp", "ftp://127.0.0.1/x.txt")
    code, _, err = run(capsys, "add", url, "--root", str(hb.root), "--title", "T", "--publisher", "P",
                       "--published", "2026-04-22")
    assert code == 1
    assert err == (f"tracefacts add: {url} redirects to ftp://127.0.0.1/x.txt, which is not followed: only "
                   "http:// and https:// are; nothing was added\n")


@pytest.mark.parametrize(("status", "said"), [(404, "HTTP 404 Not Found (not found: check the URL)"),
                                              (503, "HTTP 503 Service Unavailable (a server error: try again later)")])
def test_an_error_status_is_one_line(capsys, hb, server, status, said):
    url = server.page("/x.txt", b"no such page", "text/plain", status=status)
    before = hb.read(SRC)
    code, out, err = run(capsys, "add", url, "--root", str(hb.root), "--title", "T", "--publisher", "P",
                         "--published", "2026-04-22")
    assert (code, out) == (1, "")
    assert err == f"tracefacts add: {url}: {said}; nothing was added\n"
    assert hb.read(SRC) == before
    assert "x.txt" not in seeds(hb)


def test_a_refused_connection_says_so_at_once(capsys, hb):
    with socket.socket() as sock:  # a port nothing listens on once this socket is closed
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/x.txt"
    started = time.monotonic()
    code, out, err = run(capsys, "add", url, "--root", str(hb.root), "--title", "T", "--publisher", "P",
                         "--published", "2026-04-22")
    assert (code, out) == (1, "")
    assert err == f"tracefacts add: {url}: cannot connect to 127.0.0.1 (Connection refused); nothing was added\n"
    assert time.monotonic() - started < 3  # not reported as a timeout after waiting for one


def test_a_reason_phrase_with_control_characters_is_shown_escaped(capsys, hb, server):
    def send(h: BaseHTTPRequestHandler) -> None:
        h.send_response(500, "Broken\x1b]0;owned\x07\x1b[2J")
        h.send_header("Content-Length", "0")
        h.end_headers()

    server.routes["/evil"] = send
    code, _, err = run(capsys, "add", server.url("/evil"), "--root", str(hb.root), "--title", "T",
                       "--publisher", "P", "--published", "2026-04-22")
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err
    assert "HTTP 500 Broken\\x1b]0;owned\\x07\\x1b[2J" in err


def test_a_body_over_the_limit_is_not_read_to_its_end(capsys, hb, server):
    chunk = b"x" * 65536
    total = 200 * 1024 * 1024
    server.done["/huge.txt"] = finished = threading.Event()

    def send(h: BaseHTTPRequestHandler) -> None:  # no Content-Length: the limit is seen only while reading
        sent = 0
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.end_headers()
        try:
            while sent < total and not server.stop.is_set():
                h.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        finally:
            server.sent["/huge.txt"] = sent
            finished.set()

    server.routes["/huge.txt"] = send
    before, held = hb.read(SRC), seeds(hb)
    code, out, err = run(capsys, "add", server.url("/huge.txt"), "--root", str(hb.root), "--max-file-size", "1M",
                         "--title", "T", "--publisher", "P", "--published", "2026-04-22")
    assert (code, out) == (1, "")
    assert err == (f"tracefacts add: {server.url('/huge.txt')} is larger than the limit of 1 MiB "
                   "(raise it with --max-file-size SIZE); nothing was added\n")
    assert (hb.read(SRC), seeds(hb)) == (before, held)
    assert finished.wait(10), "the server was still sending 10 s after the client gave up"
    assert server.sent["/huge.txt"] < 32 * 1024 * 1024  # of 200 MiB: the client stopped reading


def test_a_declared_length_over_the_limit_is_refused_before_reading(capsys, hb, server):
    url = server.page("/big.txt", b"y" * (2 * 1024 * 1024), "text/plain")
    code, _, err = run(capsys, "add", url, "--root", str(hb.root), "--max-file-size", "1M", "--title", "T",
                       "--publisher", "P", "--published", "2026-04-22")
    assert code == 1
    assert f"{url} is larger than the limit of 1 MiB" in err


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_slow_server_times_out_within_the_limit(capsys, hb, server, where):
    def send(h: BaseHTTPRequestHandler) -> None:  # a byte every 0.2 s: no single read ever times out
        try:
            if where == "headers":
                for byte in b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nX-Slow: " + b"a" * 1000:
                    h.wfile.write(bytes([byte]))
                    h.wfile.flush()
                    if server.stop.wait(0.2):
                        return
            h.send_response(200)
            h.send_header("Content-Type", "text/plain")
            h.end_headers()
            while not server.stop.wait(0.2):
                h.wfile.write(b"z")
                h.wfile.flush()
        except OSError:
            pass

    server.routes["/slow.txt"] = send
    before = hb.read(SRC)
    started = time.monotonic()
    code, out, err = run(capsys, "add", server.url("/slow.txt"), "--root", str(hb.root), "--timeout", "1.5",
                         "--title", "T", "--publisher", "P", "--published", "2026-04-22")
    took = time.monotonic() - started
    assert (code, out) == (1, "")
    assert err.startswith(f"tracefacts add: {server.url('/slow.txt')}: too slow")
    assert "within 1.5 s (the time limit; raise it with --timeout SECONDS)" in err
    assert took < 4, f"took {took:.1f} s with --timeout 1.5"
    assert hb.read(SRC) == before and "slow.txt" not in seeds(hb)


def test_a_wrong_content_type_is_refused_naming_it(capsys, hb, server):
    url = server.page("/chart.png", b"\x89PNG\r\n\x1a\n", "image/png")
    before, held = hb.read(SRC), seeds(hb)
    code, out, err = run(capsys, "add", url, "--root", str(hb.root), "--title", "T", "--publisher", "P",
                         "--published", "2026-04-22")
    assert (code, out) == (1, "")
    assert err == (f"tracefacts add: {url} is image/png, not a document tracefacts reads: it reads HTML (text/html), "
                   "PDF (application/pdf) or text (text/plain); nothing was added\n")
    assert (hb.read(SRC), seeds(hb)) == (before, held)


@pytest.mark.parametrize("url", ["ftp://example.org/report.txt", "file:///etc/passwd"])
def test_a_url_that_is_not_http_is_a_usage_error(capsys, hb, url):
    before = hb.read(SRC)
    code, out, err = run(capsys, "add", url, "--root", str(hb.root), "--title", "T", "--publisher", "P",
                         "--published", "2026-04-22")
    assert (code, out) == (2, "")
    scheme = url.partition(":")[0]
    assert err == (f"tracefacts add: {url} is not http or https but {scheme}:; only http:// and https:// documents "
                   "are fetched (for a local file, give its path)\n")
    assert hb.read(SRC) == before


def test_a_fetched_text_that_is_not_utf8_is_refused_with_the_reason(capsys, hb, server):
    url = server.page("/latin.txt", "Caf\u00e9 prices rose.\n".encode("latin-1"), "text/plain; charset=iso-8859-1")
    before = hb.read(SRC)
    code, _, err = run(capsys, "add", url, "--root", str(hb.root), "--title", "T", "--publisher", "P",
                       "--published", "2026-04-22")
    assert code == 1
    assert err.startswith(f"tracefacts add: {url} is not UTF-8 (line 1, byte 3)")
    assert hb.read(SRC) == before and "latin.txt" not in seeds(hb)


# This one needs the HTML format (src/tracefacts/formats/html.py): the title comes from the
# page's own <title>, its entity decoded; publisher and date from og:site_name and
# article:published_time.
def test_html_metadata_gives_title_publisher_and_date(capsys, hb, server):
    page = (b"<!doctype html><html><head><title>Widget &amp; Gadget: the 2026 review</title>"
            b'<meta property="og:site_name" content="Acme News">'
            b'<meta property="article:published_time" content="2026-04-23T09:30:00Z">'
            b"</head><body><p>The widget ships in March.</p></body></html>")
    url = server.page("/review", page, "text/html; charset=utf-8")
    code, out, err = run(capsys, "add", url, "--root", str(hb.root))
    assert (code, err) == (0, "")
    assert "saved seeds/acme-news-2026-04-23.html (" in out
    source = hb.check().base.sources["acme-news-2026-04-23"]
    assert (source.title, source.publisher, source.published) == ("Widget & Gadget: the 2026 review", "Acme News",
                                                                  dt.date(2026, 4, 23))
    assert seeds(hb)["acme-news-2026-04-23.html"] == page


# --- the entry's text ---------------------------------------------------------------------

_LISTED = ("# kept\nsources:\n  - id: a\n    file: seeds/a.txt\n    title: A\n    publisher: P\n"
           "    published: 2026-01-01\n    sha256: " + "0" * 64 + "  # pinned\n# end\n").encode()


@settings(max_examples=300, deadline=None)
@given(title=st.text(min_size=1), publisher=st.text(min_size=1),
       url=st.one_of(st.none(), st.text(min_size=1).filter(str.strip)))
def test_any_title_publisher_and_url_read_back_as_given(title, publisher, url):
    """Whatever a document's metadata holds (quotes, `: `, `#`, control characters, line breaks,
    a number, `null`), the appended entry reads back as those words, the rest unchanged."""
    title, publisher = " ".join(title.split()), " ".join(publisher.split())  # what `add` writes: one line
    assume(title and publisher)
    entry = Entry("b", "seeds/b.txt", title, publisher, dt.date(2026, 4, 25), "1" * 64, url,
                  dt.date(2026, 5, 1) if url else None)
    data = appended(_LISTED, entry)
    assert data.startswith(_LISTED[: _LISTED.index(b"# end")]) and data.endswith(b"# end\n")
    source = parse_sources_file(data).sources["b"]
    assert (source.title, source.publisher, source.url) == (title, publisher, url)
    assert verify(parse_sources_file(_LISTED), data, entry) is None
