"""The reader's text of a PDF from the lines pdfium found on its pages (rules: ``pdf.py``).

Input: what ``pdf_worker`` sends back — per page, its lines as ``[text, index, left,
right, bottom, top]`` (positions in hundredths of a PDF unit) — and the document info.
Pure and linear: it never touches pdfium, so it runs in the caller's process. The child's
answer is checked as it is read (it has read hostile bytes): anything of the wrong shape
raises ``Malformed``.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..normalize import normalize_text
from .base import Block, Extracted, Location, Metadata

_SOFT_HYPHENS = "\u00ad"
# U+FFFE (U+0002 in pdfium's character codes): pdfium's mark of a hyphen at a line end where
# it joined the lines itself. It marks a soft hyphen and a hard one alike (tried: `eco\xad`
# and `open-` both give it), so it follows the rule for "-".
_MARKS = "\ufffe\x02"
_HYPHENS = "-\u2010" + _MARKS
_JOINABLE = frozenset(_SOFT_HYPHENS + _HYPHENS)  # the line ends `hyphen_join` may join
_PAGE_NUMBER = re.compile(
    r"(?:(?:page|p\.|pg\.?|seite|page no\.?)\s*)?[-\u2013\u2014\u2010]?\s*(?:\d{1,5}|[ivxlcdm]{1,8})\s*"
    r"[-\u2013\u2014\u2010]?\s*(?:(?:/|of|von|sur|de)\s*\d{1,5})?", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
# `\b`: tried only at the start of a word (the same matches: a compound found inside a word
# is found from its start), so a long word is not retried at each of its letters
_COMPOUND = re.compile(r"\b\w+(?:[-\u2010]\w+)+")
_WORD_TAIL = re.compile(r"\w+(?:[-\u2010]\w+)*$")
_WORD_HEAD = re.compile(r"\w+(?:[-\u2010]\w+)*")
_HYPHEN = re.compile("[-\u2010]")
_ZONE = 2  # how many line positions at the top and at the bottom of a page may hold furniture
_NEAR = 2  # how many pages away a running head recurs
_PARAGRAPH_GAP = 1 / 3  # extra space, in line heights, that ends a paragraph
_SIZE_CHANGE = 1 / 6  # a change of line height (font size) that ends a paragraph
_SHORT_LINE = 1 / 6  # how far short of the column's right edge a page's last line ends its paragraph


class Malformed(ValueError):
    """The child's answer is not of the shape ``pdf_worker`` writes."""


class Line(NamedTuple):
    text: str  # stripped of white space at either end
    page: int  # 1-based
    index: int  # pdfium's character index of text[0] on its page
    left: float
    right: float
    bottom: float  # PDF units, y upwards
    height: float  # of the font box: the font size, near enough
    after_blank: bool  # pdfium's text has an empty line just before it


def layout(pages: Sequence[Any], info: Any, chrome: Sequence[str] = ()) -> Extracted | None:
    """The reader's text, or None when no page holds a character (no text layer)."""
    if not isinstance(pages, list) or not isinstance(info, dict):
        raise Malformed("pages or info")
    lines = [page_lines(number, page) for number, page in enumerate(pages, start=1)]
    if not any(lines):
        return None
    usual = usual_spacing(lines)
    declared = {n for n in (normalize_text(c) for c in chrome) if n}
    kept = drop_furniture(lines, usual, declared)
    return assemble(kept, len(pages), usual, metadata(info))


def page_lines(number: int, raw: Any) -> list[Line]:
    """A page's lines that hold a character, stripped, each knowing whether an empty one preceded it."""
    if not isinstance(raw, list):
        raise Malformed(f"page {number}")
    out: list[Line] = []
    blank = False
    for item in raw:
        try:
            text, index, left, right, bottom, top = item
        except (TypeError, ValueError) as exc:
            raise Malformed(f"a line of page {number}") from exc
        if not (isinstance(text, str) and type(index) is int and type(left) is int and type(right) is int
                and type(bottom) is int and type(top) is int):
            raise Malformed(f"a line of page {number}")  # whole numbers only: no NaN, no infinity
        body = text.rstrip()
        stripped = body.lstrip()
        index += len(body) - len(stripped)
        # hundredths of a PDF unit, as the worker sends them
        left, right, bottom, height = left / 100, right / 100, bottom / 100, (top - bottom) / 100
        if not stripped:
            blank = blank or bool(out)
            continue
        out.append(Line(stripped, number, index, left, right, bottom, height, blank))
        blank = False
    return out


# ---------------------------------------------------------------- paragraphs


def usual_spacing(pages: list[list[Line]]) -> float:
    """The most common distance between two lines of a page, in line heights (to 0.05)."""
    ratios = [round((a.bottom - b.bottom) / b.height * 20) / 20
              for page in pages for a, b in zip(page, page[1:], strict=False) if b.height > 0 and a.bottom > b.bottom]
    return statistics.mode(ratios) if ratios else 1.2


def _new_size(upper: float, lower: float) -> bool:
    return upper > 0 and lower > 0 and abs(upper - lower) > max(upper, lower) * _SIZE_CHANGE


def gap(upper_bottom: float, upper_height: float, lower_bottom: float, lower_height: float, usual: float) -> bool:
    """A paragraph ends between two lines of a page: the lower one stands lower than the
    usual spacing by more than a third of its height, or the font size changes."""
    if _new_size(upper_height, lower_height):
        return True
    drop = upper_bottom - lower_bottom
    return lower_height > 0 and drop > 0 and drop / lower_height > usual + _PARAGRAPH_GAP


def _ends_at_page_end(last: Line, first: Line, page: list[Line]) -> bool:
    """A paragraph ends with the page: the next page starts after an empty line or in another
    font size, or the page's last line stops short of the column's usual right edge."""
    if first.after_blank or _new_size(last.height, first.height):
        return True
    rights = sorted(line.right for line in page)
    right = rights[len(rights) // 2] if len(rights) > 2 else rights[-1]
    width = right - min(line.left for line in page)
    return width > 0 and last.right < right - width * _SHORT_LINE


# ---------------------------------------------------------------- running headers and footers


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", normalize_text(text).lower())


def _zone(page: list[Line], usual: float) -> set[int]:
    """The positions of the lines a page sets apart at its top and at its bottom (running
    headers and footers stand there): the one or two top-most (bottom-most) line positions,
    above (below) a paragraph gap or a change of font size."""
    rows: dict[int, float] = {}
    for line in page:
        y = round(line.bottom)
        rows[y] = max(rows.get(y, 0.0), line.height)
    tops = sorted(rows, reverse=True)

    def apart(i: int) -> bool:  # a gap between positions i and i + 1
        return gap(tops[i], rows[tops[i]], tops[i + 1], rows[tops[i + 1]], usual)

    edge: set[int] = set()
    reach = min(_ZONE, len(tops) - 1)
    for k in range(reach):
        if apart(k):
            edge.update(tops[: k + 1])
            break
    for k in range(reach):
        if apart(len(tops) - 2 - k):
            edge.update(tops[len(tops) - 1 - k:])
            break
    return edge


def drop_furniture(pages: list[list[Line]], usual: float, declared: set[str]) -> list[list[Line]]:
    """The pages without their running headers, footers, page numbers and declared chrome."""
    zones = [[line for line in page if round(line.bottom) in edge]
             for page, edge in ((page, _zone(page, usual)) for page in pages)]
    # a running head recurs at the same height (to a point): a chapter's heading, set apart
    # at the top of its first page, is not the running head of the same words
    keys = [{(_furniture_key(line.text), round(line.bottom)) for line in zone} for zone in zones]
    seen: dict[tuple[str, int], int] = {}
    for found in keys:
        for key in found:
            seen[key] = seen.get(key, 0) + 1
    everywhere = {key for key, count in seen.items() if count >= 2 and 2 * count >= len(pages)}
    kept: list[list[Line]] = []
    for number, (page, zone) in enumerate(zip(pages, zones, strict=True)):
        # a book's running head changes with its chapter, and odd and even pages may differ:
        # it recurs on a page at most two pages away
        around = range(max(0, number - _NEAR), min(len(pages), number + _NEAR + 1))
        near = everywhere.union(*(keys[j] for j in around if j != number))
        dropped = {id(line) for line in zone
                   if _recurs(line, near) or _PAGE_NUMBER.fullmatch(normalize_text(line.text))}
        if declared:
            dropped.update(id(line) for line in page if normalize_text(line.text) in declared)
        kept.append([line for line in page if id(line) not in dropped] if dropped else page)
    return kept


def _recurs(line: Line, keys: set[tuple[str, int]]) -> bool:
    key, y = _furniture_key(line.text), round(line.bottom)
    return (key, y) in keys or (key, y - 1) in keys or (key, y + 1) in keys


# ---------------------------------------------------------------- hyphenation


def compounds(pages: list[list[Line]]) -> set[str]:
    """Every hyphenated word written unbroken inside a line of the document (lower case)."""
    found: set[str] = set()
    for page in pages:
        for line in page:
            text = line.text
            end = len(text) - 1  # a hyphen at the end is a line-end hyphen, not one inside a word
            if text.find("-", 0, end) >= 0 or text.find("\u2010", 0, end) >= 0:
                found.update(m.group(0).lower().replace("\u2010", "-") for m in _COMPOUND.finditer(text))
    return found


def hyphen_join(a: str, b: str, known: set[str]) -> tuple[str, str] | None:
    """How a line ending in a hyphen joins the next one: (the first line's text as kept,
    the separator), or None when its end is no hyphen at all. Rule: ``pdf.py``."""
    last = a[-1]
    if last in _SOFT_HYPHENS:
        return a[:-1], ""
    if last not in _HYPHENS:
        return None
    hyphen = "-" if last in _MARKS else last
    if len(a) < 2 or not a[-2].isalpha() or not b[0].isalnum():
        return (a[:-1] + hyphen, "\n") if last in _MARKS else None  # a dash, not a broken word
    if not b[0].islower():  # non- + English, COVID- + 19: a real hyphen
        return a[:-1] + hyphen, ""
    tail = _WORD_TAIL.search(a, max(0, a.rfind(" ", 0, len(a) - 1) + 1), len(a) - 1)
    head = _WORD_HEAD.match(b)
    if tail and head:
        left, right = tail.group(0), head.group(0)
        whole = f"{left}-{right}".lower().replace("\u2010", "-")
        pair = f"{_HYPHEN.split(left)[-1]}-{_HYPHEN.split(right)[0]}".lower()
        if whole in known or pair in known:  # written so elsewhere: a real hyphen at a line end
            return a[:-1] + hyphen, ""
        if len(left) == 1:  # X- + ray, T- + shirt, e- + mail: no typesetter breaks after one letter
            return a[:-1] + hyphen, ""
    return a[:-1], ""


# ---------------------------------------------------------------- the text


def assemble(pages: list[list[Line]], count: int, usual: float, meta: Metadata) -> Extracted:
    known = compounds(pages)
    flat = [line for page in pages for line in page]
    pieces: list[str] = []
    length = 0
    starts: list[int] = []
    locations: list[Location] = []
    page_starts: list[int] = []
    blocks: list[Block] = []
    paragraph_start = 0
    for k, line in enumerate(flat):
        while len(page_starts) < line.page:  # this line opens its page (and any empty ones before it)
            page_starts.append(length)
        text = line.text
        separator = "\n"
        nxt = flat[k + 1] if k + 1 < len(flat) else None
        if nxt is not None:
            if nxt.page == line.page:
                ends = nxt.after_blank or gap(line.bottom, line.height, nxt.bottom, nxt.height, usual)
            else:
                ends = _ends_at_page_end(line, nxt, pages[line.page - 1])
            if ends:
                separator = "\n\n"
            elif text[-1] in _JOINABLE:  # (tested here first: most lines end otherwise)
                joined = hyphen_join(text, nxt.text, known)
                if joined is not None:
                    text, separator = joined
        if text[-1] in _MARKS:  # not joined: pdfium's mark stands for the hyphen it replaced
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
    return Extracted("".join(pieces), "pdf", pages=tuple(page_starts), blocks=tuple(blocks), metadata=meta,
                     stretch_starts=tuple(starts), stretch_locations=tuple(locations))


# ---------------------------------------------------------------- metadata


_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def pdf_date(value: str) -> str | None:
    """A PDF date (``D:20260425120000+02'00'``) as an ISO date (``2026-04-25``), or None."""
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    year, month, day = m.groups()
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join(part for part in (year, month, day if month else None) if part)


def metadata(info: dict[Any, Any]) -> Metadata:
    """Title, Author and CreationDate (as an ISO date) of the document information."""
    def field(key: str) -> str | None:
        value = info.get(key)
        return " ".join(value.split()) or None if isinstance(value, str) else None

    created = field("CreationDate")
    return Metadata(title=field("Title"), author=field("Author"), published=pdf_date(created) if created else None)
