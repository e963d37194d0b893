"""Fetch a web document for `tracefacts add URL`: bounded in redirects, size and time, bytes kept as served.

urllib3 does the HTTP: it has no dependency of its own (Sphinx already brings it in
through requests), it gives the body as a stream that can be cut at the size limit, and
it decodes exactly the transfer's ``Content-Encoding`` (gzip, deflate, br) and nothing
else — no charset decoding, no newline translation — with decompression bounded by the
amount asked for (urllib3 ≥ 2.6), so a small compressed body cannot blow up in memory.

Redirects are followed here, not by urllib3, so that every hop is checked (http or https
only, counted against the limit) and a problem can name the chain. Time is bounded twice:
every socket operation has a timeout no longer than what is left, and the whole fetch runs
in a worker thread the caller stops waiting for at the deadline, so a server that drips a
byte a second (in its headers or its body) costs no more than the total limit.
"""

from __future__ import annotations

import ipaddress
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    LocationParseError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from .safeio import format_size

SCHEMES = ("http", "https")
REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 1 << 16
_USER_AGENT = "tracefacts (https://pypi.org/project/tracefacts/; tracefacts add)"
# What each readable format is served as; any other text/* is read as text.
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")
# Served without a type that says what it is: then the URL's extension must say it.
_UNTYPED = ("", "application/octet-stream", "binary/octet-stream", "application/download")
_BY_SUFFIX = {".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".txt": "text", ".md": "text"}
READABLE = "HTML (text/html), PDF (application/pdf) or text (text/plain)"


class FetchError(Exception):
    """The document could not be fetched; the message is one line, naming the URL and what to do."""


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int
    total_seconds: float = 60.0
    connect_seconds: float = 10.0
    redirects: int = 5


@dataclass(frozen=True)
class Fetched:
    url: str  # as asked
    final_url: str  # after redirects
    data: bytes  # the body as served (its Content-Encoding undone, nothing else)
    media_type: str  # e.g. text/html, lower-case, no parameters ("" when the server gave none)
    format: str  # html | pdf | text
    redirects: tuple[str, ...] = field(default=())  # the URLs redirected to, in order


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched at all (a usage error), or None."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"{url} is not a URL ({exc})"
    if parts.scheme.lower() not in SCHEMES:
        what = f"not http or https but {parts.scheme}:" if parts.scheme else "not a URL"
        return f"{url} is {what}; only http:// and https:// documents are fetched (for a local file, give its path)"
    if not parts.hostname:
        return f"{url} names no host"
    return None


def as_uri(url: str) -> str:
    """``url`` with spaces, control and non-ASCII characters percent-encoded (UTF-8, as browsers send
    them; a byte that was not UTF-8 in the command line as itself): what is requested and written
    as ``url:`` is then plain ASCII. What is already percent-encoded stays as it is."""
    return quote(url, safe="!#$%&'()*+,/:;=?@[]~", errors="surrogateescape")


def looks_like_url(text: str) -> bool:
    """A scheme followed by ``:`` (http:, ftp:, file:, data:) and not a Windows drive letter."""
    scheme, sep, _ = text.partition(":")
    return bool(sep) and len(scheme) > 1 and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum() \
        and scheme[0].isalpha()


def format_of_type(media_type: str, url: str) -> str | None:
    """The format a response is read as, from its media type (or, untyped, the URL's extension)."""
    if media_type in HTML_TYPES:
        return "html"
    if media_type in PDF_TYPES:
        return "pdf"
    if media_type.startswith("text/"):
        return "text"
    if media_type in _UNTYPED:
        return _BY_SUFFIX.get(PurePosixPath(unquote(urlsplit(url).path)).suffix.lower())
    return None


def fetch(url: str, limits: FetchLimits) -> Fetched:
    """The document at ``url``; FetchError (one line) when it cannot be had within the limits."""
    why = url_problem(url)
    if why is not None:
        raise FetchError(why)
    outcome: list[Fetched | BaseException] = []
    cancel = threading.Event()
    worker = threading.Thread(target=_run, args=(url, limits, cancel, outcome), name="tracefacts-fetch", daemon=True)
    worker.start()
    # The worker's own timeouts end it soon after the deadline; this wait ends at it.
    worker.join(limits.total_seconds + 0.5)
    if worker.is_alive() or not outcome:
        cancel.set()
        raise FetchError(f"{url}: too slow, no complete answer within {limits.total_seconds:g} s "
                         "(the time limit; raise it with --timeout SECONDS)")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _run(url: str, limits: FetchLimits, cancel: threading.Event, outcome: list[Fetched | BaseException]) -> None:
    try:
        outcome.append(_fetch(url, limits, cancel))
    except FetchError as exc:
        outcome.append(exc)
    except Exception as exc:  # an unforeseen failure of the client is still a one-line problem, not a traceback
        outcome.append(FetchError(f"{url}: the fetch failed ({type(exc).__name__}: {exc})"))


def _fetch(url: str, limits: FetchLimits, cancel: threading.Event) -> Fetched:
    deadline = time.monotonic() + limits.total_seconds
    chain: list[str] = []
    current = as_uri(url)
    while True:
        pool = _pool(current)
        try:
            response = _request(pool, current, limits, deadline)
            try:
                target = _redirect(response, url, current, len(chain), limits)
                if target is None:
                    return _document(response, url, current, tuple(chain), limits, deadline, cancel)
            finally:
                response.close()
        finally:
            pool.clear()  # one pool per hop: its connection is closed, not kept
        chain.append(target)
        current = target


def _redirect(response: urllib3.BaseHTTPResponse, url: str, current: str, hops: int,
              limits: FetchLimits) -> str | None:
    """Where a redirect leads (checked and counted), or None for any other answer."""
    if response.status not in REDIRECTS:
        return None
    location = response.headers.get("Location")
    if not location:
        raise FetchError(f"{current}: HTTP {response.status} redirect without a Location")
    target = as_uri(urljoin(current, location.strip()))
    if hops >= limits.redirects:
        raise FetchError(f"{url}: too many redirects (more than {limits.redirects}; the last to {target}: "
                         "a redirect loop?)")
    if url_problem(target) is not None:
        raise FetchError(f"{current} redirects to {target}, which is not followed: only http:// and https:// are")
    return target


def _document(response: urllib3.BaseHTTPResponse, url: str, current: str, chain: tuple[str, ...],
              limits: FetchLimits, deadline: float, cancel: threading.Event) -> Fetched:
    if response.status != 200:
        reason = f" {response.reason}" if response.reason else ""
        hint = (" (not found: check the URL)" if response.status in (404, 410)
                else " (a server error: try again later)" if response.status >= 500 else "")
        raise FetchError(f"{current}: HTTP {response.status}{reason}{hint}")
    media_type = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    fmt = format_of_type(media_type, current)
    if fmt is None:
        served = media_type or "served without a Content-Type"
        raise FetchError(f"{current} is {served}, not a document tracefacts reads: it reads {READABLE}")
    _check_encoding(response, current)
    data = _body(response, current, limits, deadline, cancel)
    return Fetched(url, current, data, media_type, fmt, chain)


def _check_encoding(response: urllib3.BaseHTTPResponse, url: str) -> None:
    codings = [c.strip().lower() for c in response.headers.get("Content-Encoding", "").split(",") if c.strip()]
    unknown = [c for c in codings if c != "identity" and c not in response.CONTENT_DECODERS]
    if unknown:
        raise FetchError(f"{url}: served with Content-Encoding {', '.join(unknown)}, which cannot be decoded here")


def _pool(url: str) -> urllib3.PoolManager:
    """A pool for one hop: through the proxy the environment names for it (https_proxy, no_proxy…), if any."""
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme.lower())
    host = parts.hostname or ""
    if proxy and not _loopback(host) and not urllib.request.proxy_bypass(host):
        return urllib3.ProxyManager(proxy, num_pools=1, retries=False)
    return urllib3.PoolManager(num_pools=1, retries=False)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _request(pool: urllib3.PoolManager, url: str, limits: FetchLimits, deadline: float) -> urllib3.BaseHTTPResponse:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{url}: too slow, no complete answer within {limits.total_seconds:g} s "
                         "(the time limit; raise it with --timeout SECONDS)")
    timeout = urllib3.Timeout(connect=min(limits.connect_seconds, left), read=left)
    host = urlsplit(url).hostname
    try:
        return pool.request(
            "GET", url, redirect=False, retries=False, preload_content=False, decode_content=True, timeout=timeout,
            headers={"User-Agent": _USER_AGENT, "Accept-Encoding": "identity",
                     "Accept": "text/html, application/xhtml+xml, application/pdf, text/plain;q=0.9, */*;q=0.1"})
    # most specific first: NameResolutionError is a NewConnectionError, which is a ConnectTimeoutError
    except NameResolutionError:
        raise FetchError(f"{url}: the host {host} is not known (no DNS entry; check the URL)") from None
    except NewConnectionError as exc:
        raise FetchError(f"{url}: cannot connect to {host} ({_reason(exc)})") from None
    except ConnectTimeoutError:
        raise FetchError(f"{url}: no connection to {host} within {min(limits.connect_seconds, left):g} s") from None
    except ReadTimeoutError:
        raise FetchError(f"{url}: too slow, no answer within {limits.total_seconds:g} s "
                         "(the time limit; raise it with --timeout SECONDS)") from None
    except SSLError as exc:
        raise FetchError(f"{url}: the TLS connection failed ({_reason(exc)})") from None
    except LocationParseError as exc:
        raise FetchError(f"{url} is not a URL that can be fetched ({exc})") from None
    except HTTPError as exc:
        raise FetchError(f"{url}: the request failed ({_reason(exc)})") from None


def _body(response: urllib3.BaseHTTPResponse, url: str, limits: FetchLimits, deadline: float,
          cancel: threading.Event) -> bytes:
    too_large = FetchError(f"{url} is larger than the limit of {format_size(limits.max_bytes)} "
                           "(raise it with --max-file-size SIZE)")
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > limits.max_bytes:
        raise too_large
    chunks: list[bytes] = []
    total = 0
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or cancel.is_set():
                raise FetchError(f"{url}: too slow, not all of it arrived within {limits.total_seconds:g} s "
                                 "(the time limit; raise it with --timeout SECONDS)")
            _set_timeout(response, left)
            # read1: what one read gives, so a slow server is seen after each read, not after 64 KiB
            chunk = response.read1(min(_CHUNK, limits.max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limits.max_bytes:  # stop reading: the rest is never downloaded
                raise too_large
    except ReadTimeoutError:
        raise FetchError(f"{url}: too slow, not all of it arrived within {limits.total_seconds:g} s "
                         "(the time limit; raise it with --timeout SECONDS)") from None
    except (ProtocolError, DecodeError) as exc:
        raise FetchError(f"{url}: the transfer broke off ({_reason(exc)})") from None
    except HTTPError as exc:
        raise FetchError(f"{url}: reading the answer failed ({_reason(exc)})") from None
    return b"".join(chunks)


def _set_timeout(response: urllib3.BaseHTTPResponse, seconds: float) -> None:
    """No single read may outlast the deadline (best effort: the worker's join is the real bound)."""
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.01))
        except OSError:
            pass


def _reason(exc: BaseException) -> str:
    """The innermost reason urllib3 gives, on one line: the system's words where there are some."""
    cause = exc.__cause__
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    reason = getattr(exc, "reason", None) or exc
    text = str(reason.args[-1] if isinstance(reason, BaseException) and reason.args else reason)
    return " ".join(text.split()) or type(exc).__name__
