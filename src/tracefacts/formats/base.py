"""The values every source format gives: the reader's text, its pages, structure, map and metadata."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import PurePosixPath

FORMATS = ("text", "html", "pdf")
_BY_SUFFIX = {".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf"}


def format_of(file: str, declared: str | None = None) -> str:
    """The format of a source: its ``format:`` key, else its extension (else text)."""
    if declared:
        return declared
    return _BY_SUFFIX.get(PurePosixPath(file).suffix.lower(), "text")


@dataclass(frozen=True)
class Limits:
    """Bounds on one extraction: past them the source is ``source-unreadable``, not a hang."""

    seconds: float = 60.0
    memory: int = 1 << 30  # bytes of address space the parser may use (PDF parsing runs apart)
    pages: int = 5000


@dataclass(frozen=True)
class Block:
    """A stretch of the text with its role in the document: ``h1``…``h6``, ``p``, ``li``, ``pre``."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Location:
    """Where an offset of the extracted text is in the document.

    PDF: ``page`` (1-based) and ``index`` (the character's index in pdfium's text of that
    page). HTML: ``path`` (an XPath-like path of the element holding the text, such as
    ``/html/body/div[2]/p[3]``) and ``index`` (the offset in that element's own text).
    Text: ``index`` is the offset in the decoded file.
    """

    index: int
    page: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class Metadata:
    """What a document says of itself (HTML <title>, og:, article:, JSON-LD; PDF info)."""

    title: str | None = None
    publisher: str | None = None
    published: str | None = None  # as written (an ISO date or date-time, usually)
    author: str | None = None


@dataclass(frozen=True)
class Extracted:
    text: str
    format: str
    pages: tuple[int, ...] = ()  # PDF: the offset where each page starts; page n starts at pages[n - 1]
    blocks: tuple[Block, ...] = ()
    metadata: Metadata = field(default_factory=Metadata)
    # offsets of `text` where a stretch starts, and the document location of that offset;
    # an offset maps to the last stretch starting at or before it, plus its distance into it
    stretch_starts: tuple[int, ...] = ()
    stretch_locations: tuple[Location, ...] = ()

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding ``offset`` (PDF), or None."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))

    def pages_of(self, start: int, end: int) -> tuple[int, int] | None:
        """The first and last page of the span ``[start, end)`` (PDF), or None."""
        first = self.page_of(start)
        if first is None:
            return None
        last = self.page_of(max(start, end - 1))
        return first, last if last is not None else first

    def locate(self, offset: int) -> Location:
        """Where ``offset`` of the text is in the document."""
        if not self.stretch_starts:
            return Location(offset, page=self.page_of(offset))
        k = max(0, bisect.bisect_right(self.stretch_starts, offset) - 1)
        base = self.stretch_locations[k]
        return Location(base.index + offset - self.stretch_starts[k], page=base.page, path=base.path)


@dataclass(frozen=True)
class FormatProblem:
    code: str  # source-unsupported | source-not-utf8 | source-unreadable | source-no-text
    message: str  # what is wrong and how to fix it, without the source's id (the caller adds it)


def page_label(pages: tuple[int, int] | None) -> str | None:
    """"p. 12", "pp. 3–4", or None for a source without pages."""
    if pages is None:
        return None
    first, last = pages
    return f"p. {first}" if first == last else f"pp. {first}–{last}"


DEFAULT_LIMITS = Limits()
