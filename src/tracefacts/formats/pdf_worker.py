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
ends in U+FFFE, its mark for that hyphen); ``index`` is pdfium's index of its first
character; ``left``/``right`` are the edges of its first and last character that is not
white space; ``bottom``/``top`` the font box of its first such character (the same for every
glyph of one font size), PDF units with y upwards; all 0 for a line of white space.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

# Ends of a line in pdfium's text: CRLF, a lone CR or LF, and just after U+FFFE (a hyphen at
# a line end where pdfium joined the two lines itself).
_LINE_BREAK = re.compile(r"\r\n|\r|\n|(?<=\ufffe)")


def read_pdf(data: bytes, max_pages: int) -> dict[str, Any]:
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
        return {"pages": [_page_lines(doc, n, pdfium_c) for n in range(count)], "info": info}
    except pdfium.PdfiumError as exc:
        return {"refusal": ["unreadable", str(exc)]}
    finally:
        doc.close()


def _page_lines(doc: Any, number: int, pdfium_c: Any) -> list[list[Any]]:
    page = doc[number]
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        count = textpage.count_chars()
        # pdfium's text has one character per character of its list in nearly every PDF;
        # where it does not, ask pdfium for the character index of each text index.
        if len(text) == count:
            def index(i: int) -> int:
                return i
        else:
            def index(i: int) -> int:
                return int(pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, i))
        lines: list[list[Any]] = []
        start = 0
        for m in _LINE_BREAK.finditer(text):
            lines.append(_line(textpage, text, start, m.start(), index, count))
            start = m.end()
        if start < len(text):
            lines.append(_line(textpage, text, start, len(text), index, count))
        return lines
    finally:
        textpage.close()
        page.close()


def _line(textpage: Any, text: str, start: int, end: int, index: Any, count: int) -> list[Any]:
    body = text[start:end]
    first = len(body) - len(body.lstrip())
    last = len(body.rstrip()) - 1
    if last < first:
        return [body, index(start), 0.0, 0.0, 0.0, 0.0]
    a, b = index(start + first), index(start + last)
    if not (0 <= a < count and 0 <= b < count):
        return [body, index(start), 0.0, 0.0, 0.0, 0.0]
    left, bottom, _, top = textpage.get_charbox(a, loose=True)
    right = textpage.get_charbox(b)[2]
    return [body, index(start), left, right, bottom, top]


def main(argv: list[str]) -> int:
    """``pdf_worker.py MAX_PAGES``: the PDF on standard input, JSON on standard output."""
    data = sys.stdin.buffer.read()
    try:
        result = read_pdf(data, int(argv[1]))
        out = json.dumps(result)
    except MemoryError:
        out = json.dumps({"refusal": ["memory", ""]})
    sys.stdout.write(out)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
