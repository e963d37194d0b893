"""PDF sources: the text a reader reads on the pages, page by page, with pdfium (pypdfium2).

pdfium reads the file in a child process (``pdf_worker``) capped in address space
(``Limits.memory``) and killed after ``Limits.seconds``; more pages than ``Limits.pages``,
a damaged, truncated or encrypted file, a crash of pdfium, the time or the memory running
out are each ``source-unreadable`` with the reason, and a PDF in which pdfium finds no
character on any page is ``source-no-text`` (a scan: OCR it). Nothing here raises. A
document of ``SPLIT_AT`` pages or more is read by two processes when two CPUs are ours:
the child reads the first half of the pages, a forked copy of it the second, each under
the same cap, the copy dying with the child.

The text is pdfium's text of each page, a line of the page to a line of the text, pages
one after the other, with these rules — the matching rules then apply to it as to a text
file, so a quote may run over line breaks and page breaks:

- **Paragraphs.** A blank line ends a paragraph (so ``[…]`` elides only inside one) where
  pdfium's text has an empty line; where a line stands lower below the previous one than
  the document's usual line spacing by more than a third of its own height (the space
  between paragraphs, or before a heading); and where the font size changes by more than
  a sixth. At a page break a paragraph runs on (no blank line: a quote may cross the
  break, and so may an elision) unless the last line of the page stops short of the text
  column's right edge by more than a sixth of its width (the last line of a paragraph),
  or the font size changes. A line that starts higher on the page than the one before it
  (a new column) continues the paragraph.
- **Running headers, footers and page numbers are dropped** and are not in the text, so
  the source page does not show them either: a line the page sets apart at its top or
  bottom (one of its two top-most or two bottom-most line positions, with a paragraph gap
  or a change of font size between it and the body) whose text, digits aside, stands at
  the same height on a page at most two pages away (a book's running head changes with
  its chapter) or on half of the pages or more, or which is only a page number (``12``,
  ``Page 12``, ``12 / 300``, ``- 12 -``, ``xii``); and, anywhere on a page, a line equal
  (normalised as quotes are) to one of the source's declared ``chrome`` lines.
- **Hyphenation at a line end is undone.** A line ending in a hyphen (``-``, ``‐``) right
  after a letter, followed by a line starting with a lower-case letter, is one word the
  typesetter broke: the two are joined without the hyphen (``eco-`` + ``system`` →
  ``ecosystem``) — unless the hyphenated word stands unbroken elsewhere in the document,
  in which case the hyphen is real and kept (``open-`` + ``weight`` → ``open-weight`` when
  ``open-weight`` occurs in a line somewhere). Followed by anything else but white space
  (a capital, a digit), the hyphen is real and kept, the two joined (``non-`` +
  ``English`` → ``non-English``). A soft hyphen (U+00AD) at a line end is always joined
  away; but where pdfium joins the lines itself it marks the hyphen U+FFFE (or U+0002)
  whether it was soft or hard, and that mark follows the rule for ``-``. When the rule
  gets a word wrong, quote the word as the extracted text has it (``tracefacts find`` and
  the source page show it), or leave it out with ``[…]``.

``Extracted.pages`` gives the offset where each page starts (page 1 at 0; a page without
text starts where the next page's text does), so ``pages_of`` names the page(s) a quote
stands on; each line is a stretch whose ``Location`` is its page and pdfium's character
index on that page. Metadata: the document information's Title, Author and CreationDate
(as an ISO date). The rules are carried out in ``pdf_layout``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from .base import DEFAULT_LIMITS, Extracted, FormatProblem, Limits
from .pdf_layout import Malformed, layout

OCR_HINT = ("has no text layer (a scanned document?); OCR it, e.g. `ocrmypdf in.pdf out.pdf`, register the "
            "result, and pin it.")


# ---------------------------------------------------------------- the child process

WORKER = Path(__file__).with_name("pdf_worker.py")
# From this many pages on, the worker reads the second half of the pages in a forked copy of
# itself, when two CPUs are ours: pdfium's time is nearly all per page and single-threaded.
# Below it, the second process costs more than it saves.
SPLIT_AT = 16
# Run in the child before the worker: cap the address space (the interpreter's own, then
# pdfium's allocations count), then run the worker by path, so that a child imports only
# pdfium and never the caller's main module (as multiprocessing would). A MemoryError
# anywhere becomes the worker's refusal "memory".
_BOOT = """\
import resource, runpy, sys
worker, memory, pages, split_at = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))
except (ValueError, OSError):
    pass
sys.argv = [worker, pages, split_at]
try:
    runpy.run_path(worker, run_name="__main__")
except MemoryError:
    sys.stdout.write('{"refusal": ["memory", ""]}')
"""


def extract_pdf(data: bytes, limits: Limits = DEFAULT_LIMITS,
                chrome: tuple[str, ...] = ()) -> Extracted | FormatProblem:
    """The reader's text of a PDF (see the module's docstring), or why it cannot be read."""
    answer = run_worker(data, limits)
    if isinstance(answer, FormatProblem):
        return answer
    try:
        extracted = layout(answer.get("pages"), answer.get("info"), chrome)
    except Malformed as exc:
        return FormatProblem("source-unreadable", f"could not be read: the PDF reader's answer is malformed "
                                                  f"({exc}). {_FIX}")
    return FormatProblem("source-no-text", OCR_HINT) if extracted is None else extracted


def run_worker(data: bytes, limits: Limits) -> dict | FormatProblem:
    """Run ``WORKER`` on ``data`` in a child process bounded by ``limits``: its answer."""
    if not sys.executable:  # an embedded interpreter: no Python to start the reader with
        return FormatProblem("source-unreadable", "could not be read: this Python cannot start a process to "
                                                  "read it (sys.executable is empty); run tracefacts from a "
                                                  "Python installation.")
    command = [sys.executable, "-P", "-c", _BOOT, str(WORKER), str(limits.memory), str(limits.pages),
               str(split_at())]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=limits.seconds, check=False)
    except subprocess.TimeoutExpired:  # run() has killed the child and waited for it
        return FormatProblem("source-unreadable", f"took longer than {limits.seconds:g} s to read; reading "
                                                  f"stopped. A PDF this slow to read is damaged or hostile. {_FIX}")
    except OSError as exc:  # no process could be started (out of processes, or of memory)
        return FormatProblem("source-unreadable", f"could not be read: no process to read it could be started "
                                                  f"({exc.strerror or exc}).")
    try:
        answer = json.loads(done.stdout) if done.stdout else None
    except ValueError:
        answer = None
    if done.returncode != 0 or not isinstance(answer, dict):
        return _crashed(done.returncode, done.stderr, limits)
    if "refusal" in answer:
        return _refused(answer["refusal"], limits)
    return answer


def split_at() -> int:
    """``SPLIT_AT``, or 0 (read in one process) when fewer than two CPUs are ours."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    return SPLIT_AT if cpus >= 2 else 0


# pdfium stops itself on purpose (abort, trap) when an allocation fails — under the memory
# cap, that is the cap; a segmentation fault is a damaged or hostile file
_STOPS = {"SIGABRT", "SIGTRAP", "SIGILL"}
_FIX = "Open it in a viewer, print it to a new PDF, register that file and pin it."


def _crashed(returncode: int, stderr: bytes, limits: Limits) -> FormatProblem:
    last = (stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
    if "MemoryError" in last:
        return _refused(["memory", ""], limits)
    if "ModuleNotFoundError" in last:
        return FormatProblem("source-unreadable", f"could not be read: {last[:200]} in {sys.executable}; "
                                                  "install pypdfium2 there (`pip install pypdfium2`).")
    if returncode >= 0:
        why = f" ({last[:200]})" if last else ""
        return FormatProblem("source-unreadable", f"could not be read: the PDF reader stopped{why}. {_FIX}")
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    if name in _STOPS:
        return FormatProblem("source-unreadable", f"could not be read: pdfium stopped ({name}), most likely "
                                                  f"because it needed more than {_megabytes(limits)} of memory "
                                                  "(the limit), else because the file is damaged. Register the "
                                                  "part you quote (e.g. `qpdf in.pdf --pages . 1-100 -- "
                                                  f"part.pdf`), or: {_FIX}")
    return FormatProblem("source-unreadable", f"could not be read: pdfium crashed ({name}) on it: the file is "
                                              f"damaged or hostile. {_FIX}")


def _refused(refusal: object, limits: Limits) -> FormatProblem:
    kind, detail = (list(refusal) + ["", ""])[:2] if isinstance(refusal, list) else ("", "")
    if kind == "encrypted":
        return FormatProblem("source-unreadable", "is encrypted: a password is needed to read it. Save an "
                                                  "unencrypted copy (e.g. `qpdf --decrypt --password=… in.pdf "
                                                  "out.pdf`), register that file and pin it.")
    if kind == "pages":
        return FormatProblem("source-unreadable", f"has {detail} pages, more than the limit of {limits.pages}; "
                                                  "register the part you quote (e.g. `qpdf in.pdf --pages . "
                                                  "1-100 -- part.pdf`).")
    if kind == "memory":
        return FormatProblem("source-unreadable", f"needed more than {_megabytes(limits)} of memory to read; "
                                                  "reading stopped. Register the part you quote (e.g. `qpdf "
                                                  "in.pdf --pages . 1-100 -- part.pdf`).")
    return FormatProblem("source-unreadable", f"is not a readable PDF: pdfium says {str(detail)[:200] or 'no more'}.")


def _megabytes(limits: Limits) -> str:
    return f"{limits.memory / (1 << 20):g} MB"
