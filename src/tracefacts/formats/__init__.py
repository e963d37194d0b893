"""Source formats: the text a reader reads in a captured document, and the way back to it.

A source is a file in ``seeds/``; its format comes from a ``format:`` key or from its
extension (``.html``/``.htm``/``.xhtml`` → html, ``.pdf`` → pdf, anything else → text).
Each format turns the file's bytes into an ``Extracted``: the reader's text (lines end in
``\\n``; a blank line ends a paragraph, so "elision inside one paragraph" keeps its
meaning), where each page starts (PDF), the document's structure (HTML headings,
paragraphs, list items), a map from every offset of the text back to the document, and
the metadata it declares (title, publisher, date, author). Everything downstream —
matching, figures, ``find``, ``coverage``, ``pin``, the exports, the source pages — reads
``Extracted.text`` through ``sources.read_source``; the matching rules apply to it as to a
text file.

A file that cannot be read as its format gives a ``FormatProblem`` (a code and a message
with the fix), never an exception: ``source-unsupported`` (an unknown format),
``source-not-utf8`` (a text source), ``source-unreadable`` (a malformed, encrypted or
too-large document, with the library's reason), ``source-no-text`` (a PDF with no text
layer). Extraction is bounded in time and memory (``Limits``).
"""

from __future__ import annotations

from .base import (
    DEFAULT_LIMITS,
    FORMATS,
    Block,
    Extracted,
    FormatProblem,
    Limits,
    Location,
    Metadata,
    format_of,
    page_label,
)

__all__ = ["DEFAULT_LIMITS", "FORMATS", "Block", "Extracted", "FormatProblem", "Limits", "Location", "Metadata",
           "extract", "format_of", "page_label"]


def extract(data: bytes, fmt: str, limits: Limits = DEFAULT_LIMITS,
            chrome: tuple[str, ...] = ()) -> Extracted | FormatProblem:
    """The reader's text of ``data`` read as ``fmt``. ``chrome``: the source's declared page
    furniture; a PDF drops those lines where they stand between two parts of a paragraph
    split by a page break (running headers and footers), as it drops lines repeated on
    most pages."""
    if fmt == "text":
        from .text import extract_text

        return extract_text(data)
    if fmt == "html":
        from .html import extract_html

        return extract_html(data, limits)
    if fmt == "pdf":
        from .pdf import extract_pdf

        return extract_pdf(data, limits, chrome)
    known = ", ".join(FORMATS)
    return FormatProblem("source-unsupported", f"has the format {fmt!r}, which tracefacts does not read ({known}); "
                                               "convert it to one of them (save a web page as HTML, print a "
                                               "document to PDF) and register that file, or correct `format:`.")
