"""The part of PDF extraction that runs pdfium: a script run in a process of its own.

pdfium is C++ reading hostile bytes: it may loop, allocate without bound or crash. So it
runs only here, in a child process (``pdf.py`` starts it) whose address space is capped
(``RLIMIT_AS``, set before pdfium is loaded) and which the parent kills after its time
limit; a crash kills the child, never the checker. The child reads the PDF on standard
input and writes plain JSON on standard output — each page's lines with their positions
and the document info, or why it could not — which the parent checks and lays out. JSON,
not pickle: a child subverted by a hostile PDF must not be able to run code in the parent.

This file imports nothing of tracefacts (it is run by path, so that a child does not pay
for importing the package).

Output: ``{"pages": [[[text, index, left, right, bottom, top], …], …], "info": {…}}``
or ``{"refusal": [kind, detail]}`` with kind ``unreadable``, ``encrypted``, ``pages`` (more
than the limit; detail: the count) or ``memory``. Each line is one line of pdfium's text of
the page (pdfium ends lines with CRLF; a line where pdfium joined a hyphenated word itself
ends in U+FFFE or U+0002, its mark for that hyphen); ``index`` is pdfium's index of its first
character; ``left``/``right`` are the edges of its first and last character that is not
white space; ``bottom``/``top`` the font box of its first such character (the same for every
glyph of one font size); all in hundredths of a PDF unit (whole numbers: JSON writes and
reads them faster than fractions), y upwards; all 0 for a line of white space.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import signal
import sys
from typing import Any

# Ends of a line in pdfium's text: CRLF, a lone CR or LF, and just after U+FFFE or U+0002 (a
# hyphen at a line end where pdfium joined the two lines itself).
_LINE_BREAK = re.compile(r"\r\n|\r|\n|(?<=[\ufffe\x02])")


def read_pdf(data: bytes, max_pages: int, split_at: int = 0) -> dict[str, Any] | str:
    """The answer (see the module's docstring), or, when two processes read it, that answer
    already written as JSON."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    reasons = {
        pdfium_c.FPDF_ERR_FILE: "the file could not be opened",
        pdfium_c.FPDF_ERR_FORMAT: "it is not a PDF, or it is damaged or truncated",
        pdfium_c.FPDF_ERR_PASSWORD: "a password is needed",
        pdfium_c.FPDF_ERR_SECURITY: "it uses an unsupported security scheme",
        pdfium_c.FPDF_ERR_PAGE: "a page is missing or damaged",
    }
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            return {"refusal": ["encrypted", reasons[code]]}
        return {"refusal": ["unreadable", reasons.get(code, str(exc))]}
    try:
        count = len(doc)
        if count > max_pages:
            return {"refusal": ["pages", str(count)]}
        info = doc.get_metadata_dict(skip_empty=True)
        split = count // 2 if 0 < split_at <= count else count
        helper = _fork_reader(doc, split, count, pdfium, pdfium_c) if split < count else None
        pages = [_page_lines(doc, n, pdfium_c) for n in range(split if helper else count)]
        if helper is None:
            return {"pages": pages, "info": info}
        own = json.dumps(pages)  # while the helper writes its half
        rest = _answer_of(*helper)
        if isinstance(rest, dict):
            return rest
        # the two halves spliced as written, not read and written again
        return f'{{"pages": {own[:-1]}, {rest[1:]}, "info": {json.dumps(info)}}}'
    except pdfium.PdfiumError as exc:
        return {"refusal": ["unreadable", str(exc)]}
    finally:
        doc.close()


# ---------------------------------------------------------------- the second half, in a forked helper
#
# pdfium is single-threaded and most of its time is per page (parsing the page's content,
# then its text), so a long document is read by two processes: this one reads the first
# half of the pages while a copy of it made by fork(), the document already open, reads the
# second half and sends its lines back through a pipe. The helper is bounded as this
# process is: it inherits the address-space cap, and it is killed when this process dies
# (PR_SET_PDEATHSIG), so the caller's timeout, which kills this process, stops it too. The
# caller says from how many pages (``SPLIT_AT`` in ``pdf.py``; 0: never).

def _fork_reader(doc: Any, start: int, stop: int, pdfium: Any, pdfium_c: Any) -> tuple[int, int] | None:
    """Start a helper reading pages ``start``..``stop - 1``: (its pid, the pipe's read end), or
    None when no process can be made (this process then reads them itself, see ``_answer_of``)."""
    if not hasattr(os, "fork"):
        return None
    parent = os.getpid()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid:
        os.close(write_end)
        return pid, read_end
    # the helper: it never returns into the caller's code, whatever happens
    status = 1
    try:
        os.close(read_end)
        with contextlib.suppress(Exception):  # not Linux: the address-space cap and the end of the reading bound it
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before the line above took effect
            os._exit(1)
        try:
            answer: Any = [_page_lines(doc, n, pdfium_c) for n in range(start, stop)]
        except MemoryError:
            answer = {"refusal": ["memory", ""]}
        except pdfium.PdfiumError as exc:
            answer = {"refusal": ["unreadable", str(exc)]}
        data = json.dumps(answer).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view):]
        status = 0
    except BaseException as exc:  # noqa: BLE001 - said on stderr, as an uncaught error would be
        with contextlib.suppress(BaseException):
            sys.stderr.write(f"{type(exc).__name__}: {exc}\n")
            sys.stderr.flush()
    finally:
        os._exit(status)


def _answer_of(pid: int, read_end: int) -> dict[str, Any] | str:
    """The helper's pages as it wrote them (a JSON list of at least one page), or its refusal;
    a helper that crashed makes this process stop the same way (the caller reads the signal
    or the message)."""
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    text = data.decode("ascii", "replace") if os.WEXITSTATUS(status) == 0 else ""
    if text.startswith("[[") and text.endswith("]"):  # pages (the caller checks every one)
        return text
    answer = json.loads(text) if text.startswith("{") else None
    if not isinstance(answer, dict):
        sys.stderr.flush()
        os._exit(1)  # the helper said why on stderr
    return answer


def _page_lines(doc: Any, number: int, pdfium_c: Any) -> list[list[Any]]:
    page = doc[number]
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        count = textpage.count_chars()
        handle = textpage.raw
        # pdfium's text has one character per character of its list in nearly every PDF;
        # where it does not, ask pdfium for the character index of each text index.
        same = len(text) == count
        to_char = pdfium_c.FPDFText_GetCharIndexFromTextIndex
        # the C calls directly, with their out-parameters made once: one line costs two calls
        loose_box, char_box = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharBox
        rect = pdfium_c.FS_RECTF()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        lines: list[list[Any]] = []
        ends = [m.span() for m in _LINE_BREAK.finditer(text)]
        if not ends or ends[-1][1] < len(text):  # the last line, without a line end
            ends.append((len(text), len(text)))
        start = 0
        for end, after in ends:
            body = text[start:end]
            first = start + len(body) - len(body.lstrip())
            last = start + len(body.rstrip()) - 1
            index = start if same else int(to_char(handle, start))
            if last < first:
                lines.append([body, index, 0, 0, 0, 0])
            else:
                a = first if same else int(to_char(handle, first))
                b = last if same else int(to_char(handle, last))
                if 0 <= a < count and 0 <= b < count and loose_box(handle, a, rect) \
                        and char_box(handle, b, left, right, bottom, top):
                    lines.append([body, index, int(rect.left * 100), int(right.value * 100),
                                  int(rect.bottom * 100), int(rect.top * 100)])
                else:  # no box for it: placed nowhere, which breaks no paragraph
                    lines.append([body, index, 0, 0, 0, 0])
            start = after
        return lines
    finally:
        textpage.close()
        page.close()


def main(argv: list[str]) -> int:
    """``pdf_worker.py MAX_PAGES [SPLIT_AT]``: the PDF on standard input, JSON on standard output."""
    data = sys.stdin.buffer.read()
    try:
        result = read_pdf(data, int(argv[1]), int(argv[2]) if len(argv) > 2 else 0)
        out = result if isinstance(result, str) else json.dumps(result)
    except MemoryError:
        out = json.dumps({"refusal": ["memory", ""]})
    sys.stdout.write(out)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
