"""PDF sources: the text a reader reads on the pages, page by page, with pdfium (pypdfium2).

pdfium reads the file in a child process (``pdf_worker``) capped in address space
(``Limits.memory``) and killed after ``Limits.seconds``; more pages than ``Limits.pages``,
a damaged, truncated or encrypted file, a crash of pdfium, the time or the memory running
out are each ``source-unreadable`` with the reason, and a PDF in which pdfium finds no
character on any page is ``source-no-text`` (a scan: OCR it). Nothing here raises.

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
  the source page does not show them either: a line among the two top-most or two
  bottom-most lines of a page whose text (digits aside) stands there on at least two
  pages and on half of the pages or more; such a line that is only a page number
  (``12``, ``Page 12``, ``12 / 300``, ``- 12 -``, ``xii``); and, anywhere on a page, a line
  equal (normalised as quotes are) to one of the source's declared ``chrome`` lines.
- **Hyphenation at a line end is undone.** A line ending in a hyphen (``-``, ``‐``) right
  after a letter, followed by a line starting with a lower-case letter, is one word the
  typesetter broke: the two are joined without the hyphen (``eco-`` + ``system`` →
  ``ecosystem``) — unless the hyphenated word stands unbroken elsewhere in the document,
  in which case the hyphen is real and kept (``open-`` + ``weight`` → ``open-weight`` when
  ``open-weight`` occurs in a line somewhere). Followed by anything else but white space
  (a capital, a digit), the hyphen is real and kept, the two joined (``non-`` +
  ``English`` → ``non-English``). A soft hyphen (U+00AD, or pdfium's U+0002) at a line end
  is always joined away. When the rule gets a word wrong, quote the word as the extracted
  text has it (``tracefacts find`` and the source page show it), or leave it out with
  ``[…]``.

``Extracted.pages`` gives the offset where each page starts (page 1 at 0; a page without
text starts where the next page's text does), so ``pages_of`` names the page(s) a quote
stands on; each line is a stretch whose ``Location`` is its page and pdfium's character
index on that page. Metadata: the document information's Title, Author and CreationDate
(as an ISO date).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import signal
import statistics
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ..normalize import normalize_text
from .base import DEFAULT_LIMITS, Block, Extracted, FormatProblem, Limits, Location, Metadata

OCR_HINT = ("has no text layer (a scanned document?); OCR it, e.g. `ocrmypdf in.pdf out.pdf`, register the "
            "result, and pin it.")

_SOFT_HYPHENS = "\u00ad\x02"
_HYPHENS = "-\u2010\ufffe"  # U+FFFE: pdfium's mark of a hyphen at a line end it joined itself
_PAGE_NUMBER = re.compile(
    r"(?:(?:page|p\.|pg\.?|seite|page no\.?)\s*)?[-\u2013\u2014\u2010]?\s*(?:\d{1,5}|[ivxlcdm]{1,8})\s*"
    r"[-\u2013\u2014\u2010]?\s*(?:(?:/|of|von|sur|de)\s*\d{1,5})?", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_COMPOUND = re.compile(r"\w+(?:[-\u2010]\w+)+")
_LEFT_WORD = re.compile(r"\w+(?:[-\u2010]\w+)*$")
_RIGHT_WORD = re.compile(r"\w+(?:[-\u2010]\w+)*")
_HYPHEN_SPLIT = re.compile("[-\u2010]")
_ZONE = 2  # how many line positions at the top and at the bottom of a page may hold furniture


# ---------------------------------------------------------------- the child process

WORKER = Path(__file__).with_name("pdf_worker.py")
# Run in the child before the worker: cap the address space (the interpreter's own, then
# pdfium's allocations count), then run the worker by path, so that a child imports only
# pdfium and never the caller's main module (as multiprocessing would). A MemoryError
# anywhere becomes the worker's refusal "memory".
_BOOT = """\
import resource, runpy, sys
worker, memory, pages = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))
except (ValueError, OSError):
    pass
sys.argv = [worker, pages]
try:
    runpy.run_path(worker, run_name="__main__")
except MemoryError:
    sys.stdout.write('{"refusal": ["memory", ""]}')
"""


class RawLine(NamedTuple):
    """A line of pdfium's text of a page and where it stands (see ``pdf_worker``)."""

    text: str
    index: int
    left: float
    right: float
    bottom: float
    top: float


class RawDocument(NamedTuple):
    pages: tuple[tuple[RawLine, ...], ...]
    info: dict[str, str]  # the document information: Title, Author, CreationDate…


def extract_pdf(data: bytes, limits: Limits = DEFAULT_LIMITS,
                chrome: tuple[str, ...] = ()) -> Extracted | FormatProblem:
    """The reader's text of a PDF (see the module's docstring), or why it cannot be read."""
    raw = run_worker(data, limits)
    if isinstance(raw, FormatProblem):
        return raw
    return layout(raw, chrome)


def run_worker(data: bytes, limits: Limits) -> RawDocument | FormatProblem:
    """Run ``WORKER`` on ``data`` in a child process bounded by ``limits``."""
    command = [sys.executable, "-P", "-c", _BOOT, str(WORKER), str(limits.memory), str(limits.pages)]
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
    return _raw_document(answer) or _crashed(done.returncode, b"the reader's answer is malformed", limits)


def _raw_document(answer: dict[str, Any]) -> RawDocument | None:
    """The child's answer checked, piece by piece: it has read hostile bytes."""
    try:
        pages = tuple(tuple(RawLine(str(t), int(i), float(x0), float(x1), float(y0), float(y1))
                            for t, i, x0, x1, y0, y1 in page) for page in answer["pages"])
        info = {str(k): str(v) for k, v in dict(answer.get("info") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return None
    return RawDocument(pages, info)


# pdfium stops itself on purpose (abort, trap) when an allocation fails — under the memory
# cap, that is the cap; a segmentation fault is a damaged or hostile file
_STOPS = {"SIGABRT", "SIGTRAP", "SIGILL"}
_FIX = "Open it in a viewer, print it to a new PDF, register that file and pin it."


def _crashed(returncode: int, stderr: bytes, limits: Limits) -> FormatProblem:
    last = (stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
    if "MemoryError" in last:
        return _refused(["memory", ""], limits)
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


def _refused(refusal: Any, limits: Limits) -> FormatProblem:
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
    return FormatProblem("source-unreadable", f"is not a readable PDF: pdfium says {detail or 'nothing more'}.")


def _megabytes(limits: Limits) -> str:
    return f"{limits.memory / (1 << 20):g} MB"



# ---------------------------------------------------------------- the layout


@dataclass(frozen=True)
class _Line:
    text: str  # stripped of white space at either end
    page: int  # 1-based
    index: int  # pdfium's character index of text[0] on its page
    left: float
    right: float
    bottom: float
    height: float
    after_blank: bool  # pdfium's text has an empty line just before it


def layout(raw: RawDocument, chrome: Sequence[str] = ()) -> Extracted | FormatProblem:
    """The reader's text of the lines pdfium found (see the module's docstring)."""
    pages = [_lines(number, page) for number, page in enumerate(raw.pages, start=1)]
    if not any(pages):
        return FormatProblem("source-no-text", OCR_HINT)
    kept = _drop_furniture(pages, {normalize_text(c) for c in chrome if normalize_text(c)})
    return _assemble(kept, len(raw.pages), _metadata(raw.info))


def _lines(number: int, raw: Iterable[RawLine]) -> list[_Line]:
    """A page's lines that hold a character, stripped, each knowing whether an empty one preceded it."""
    out: list[_Line] = []
    blank = False
    for line in raw:
        body = line.text.rstrip()
        text = body.lstrip()
        if not text:
            blank = blank or bool(out)
            continue
        text = text[:-1].replace("\x02", "\u00ad") + text[-1]  # a soft hyphen inside a line: invisible
        out.append(_Line(text, number, line.index + len(body) - len(text), line.left, line.right, line.bottom,
                         line.top - line.bottom, blank))
        blank = False
    return out


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", normalize_text(text).lower())


def _zone(page: list[_Line], usual: float) -> list[_Line]:
    """The lines a page sets apart at its top and at its bottom: the one or two top-most
    (bottom-most) line positions, above (below) a gap wider than between two lines of a
    paragraph, or a change of font size. Running headers and footers stand there."""
    rows: dict[int, list[_Line]] = {}
    for line in page:
        rows.setdefault(round(line.bottom), []).append(line)
    tops = sorted(rows, reverse=True)
    heights = [max(line.height for line in rows[y]) for y in tops]

    def apart(i: int) -> bool:  # a gap between positions i and i + 1
        return _gap(tops[i], heights[i], tops[i + 1], heights[i + 1], usual)

    edge: set[int] = set()
    for k in range(min(_ZONE, len(tops) - 1)):
        if apart(k):
            edge.update(tops[: k + 1])
            break
    for k in range(min(_ZONE, len(tops) - 1)):
        if apart(len(tops) - 2 - k):
            edge.update(tops[len(tops) - 1 - k:])
            break
    return [line for line in page if round(line.bottom) in edge]


def _drop_furniture(pages: list[list[_Line]], chrome: set[str]) -> list[list[_Line]]:
    usual = _usual_spacing(pages)
    zones = [_zone(page, usual) for page in pages]
    seen: dict[str, int] = {}
    for zone in zones:
        for key in {_furniture_key(line.text) for line in zone}:
            seen[key] = seen.get(key, 0) + 1
    running = {key for key, count in seen.items() if count >= 2 and 2 * count >= len(pages)}
    kept: list[list[_Line]] = []
    for page, zone in zip(pages, zones, strict=True):
        edge = {id(line) for line in zone}
        kept.append([line for line in page
                     if normalize_text(line.text) not in chrome
                     and not (id(line) in edge and (_furniture_key(line.text) in running
                                                    or _PAGE_NUMBER.fullmatch(normalize_text(line.text))))])
    return kept


def _usual_spacing(pages: list[list[_Line]]) -> float:
    """The most common distance between two lines of a page, in line heights (rounded)."""
    ratios = [round((a.bottom - b.bottom) / b.height * 20) / 20
              for page in pages for a, b in zip(page, page[1:], strict=False) if b.height > 0 and a.bottom > b.bottom]
    return statistics.mode(ratios) if ratios else 1.2


def _new_size(upper: float, lower: float) -> bool:
    """Two line heights (font sizes) differ by more than a sixth."""
    return upper > 0 and lower > 0 and abs(upper - lower) > max(upper, lower) / 6


def _gap(upper_bottom: float, upper_height: float, lower_bottom: float, lower_height: float, usual: float) -> bool:
    """A paragraph's end between two lines of a page: the lower one stands lower than the
    usual spacing by more than a third of its height, or the font size changes."""
    if _new_size(upper_height, lower_height):
        return True
    drop = upper_bottom - lower_bottom
    return lower_height > 0 and drop > 0 and drop / lower_height > usual + 1 / 3


def _breaks_within_page(a: _Line, b: _Line, usual: float) -> bool:
    return b.after_blank or _gap(a.bottom, a.height, b.bottom, b.height, usual)


def _breaks_at_page_end(a: _Line, b: _Line, page: list[_Line]) -> bool:
    if b.after_blank or _new_size(a.height, b.height):
        return True
    lefts = [line.left for line in page]
    rights = sorted(line.right for line in page)
    right = rights[len(rights) // 2] if len(page) > 2 else max(rights)  # the column's usual right edge
    width = right - min(lefts)
    return width > 0 and a.right < right - width / 6


def _compounds(pages: list[list[_Line]]) -> set[str]:
    """Every hyphenated word written unbroken inside a line of the document."""
    found: set[str] = set()
    for page in pages:
        for line in page:
            if "-" in line.text or "\u2010" in line.text:
                found.update(m.group(0).lower().replace("\u2010", "-") for m in _COMPOUND.finditer(line.text))
    return found


def _hyphen_join(a: str, b: str, compounds: set[str]) -> tuple[str, str] | None:
    """How a line ending in a hyphen joins the next: (the first line's text as kept, the
    separator), or None when it is not a broken word. See the module's docstring."""
    last = a[-1]
    if last in _SOFT_HYPHENS:
        return a[:-1], ""
    if last not in _HYPHENS or len(a) < 2 or not a[-2].isalpha() or not (b[0].isalnum()):
        if last == "\ufffe":  # pdfium's mark stands for a hyphen in any case
            return a[:-1] + "-", "\n"
        return None
    hyphen = "-" if last == "\ufffe" else last
    if not b[0].islower():
        return a[:-1] + hyphen, ""
    left = _LEFT_WORD.search(a[:-1])
    right = _RIGHT_WORD.match(b)
    if left and right:
        whole = f"{left.group(0)}-{right.group(0)}".lower().replace("\u2010", "-")
        pair = f"{_HYPHEN_SPLIT.split(left.group(0))[-1]}-{_HYPHEN_SPLIT.split(right.group(0))[0]}".lower()
        if whole in compounds or pair in compounds:
            return a[:-1] + hyphen, ""
    return a[:-1], ""


def _assemble(pages: list[list[_Line]], count: int, metadata: Metadata) -> Extracted:
    usual = _usual_spacing(pages)
    compounds = _compounds(pages)
    flat = [line for page in pages for line in page]
    by_page = {line.page: page for page in pages for line in page}
    pieces: list[str] = []
    length = 0
    starts: list[int] = []
    locations: list[Location] = []
    page_starts: list[int] = []
    paragraph_start = 0
    blocks: list[Block] = []
    for k, line in enumerate(flat):
        while len(page_starts) < line.page:  # this line opens its page (and any empty ones before it)
            page_starts.append(length)
        text = line.text
        separator = "\n"
        nxt = flat[k + 1] if k + 1 < len(flat) else None
        if nxt is not None:
            if nxt.page == line.page:
                paragraph_ends = _breaks_within_page(line, nxt, usual)
            else:
                paragraph_ends = _breaks_at_page_end(line, nxt, by_page[line.page])
            if paragraph_ends:
                separator = "\n\n"
            else:
                joined = _hyphen_join(text, nxt.text, compounds)
                if joined is not None:
                    text, separator = joined
        if text[-1] == "\ufffe":  # not joined: pdfium's mark stands for the hyphen it replaced
            text = text[:-1] + "-"
        starts.append(length)
        locations.append(Location(line.index, page=line.page))
        pieces.append(text)
        pieces.append(separator)
        length += len(text) + len(separator)
        if separator == "\n\n" or nxt is None:
            blocks.append(Block(paragraph_start, length - len(separator), "p"))
            paragraph_start = length
    while len(page_starts) < count:
        page_starts.append(length)
    return Extracted("".join(pieces), "pdf", pages=tuple(page_starts), blocks=tuple(blocks), metadata=metadata,
                     stretch_starts=tuple(starts), stretch_locations=tuple(locations))


# ---------------------------------------------------------------- metadata


_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def pdf_date(value: str) -> str | None:
    """A PDF date (``D:20260425120000+02'00'``) as an ISO date (``2026-04-25``), or None."""
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join(part for part in (year, month, day if month else None) if part)


def _metadata(info: dict[str, str]) -> Metadata:
    def field(key: str) -> str | None:
        value = " ".join(info.get(key, "").split())
        return value or None

    created = field("CreationDate")
    return Metadata(title=field("Title"), author=field("Author"), published=pdf_date(created) if created else None)
