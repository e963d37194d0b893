"""The normalisation of DESIGN.md ("Matching a quote"), keeping a map back to the source.

``normalize`` returns the normalised text and, for each of its characters, the
code-point offset in the decoded source it came from, so a match can be reported as
a W3C TextPositionSelector on the text a reader actually has.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

SINGLE_QUOTES = "\u2019\u2018\u201a\u2032"
DOUBLE_QUOTES = "\u201c\u201d\u201e\u2033"
DASHES = "\u2010\u2012\u2013\u2014\u2015\u2212"
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")

# The one definition of a line, for every output that numbers lines (find, check, coverage,
# tracefacts.json, the source pages): a line ends at LF, CRLF or a lone CR, as editors and
# Python's universal newlines have it. U+2028, U+2029, U+0085, form feed, vertical tab and
# the information separators are characters inside a line (str.splitlines would split there).
LINE_END = re.compile(r"\r\n|\r|\n")
_LINE_END_CHARS = re.compile(r"[\r\n]")
# A blank line: a line end, white space other than a line end, another line end. `\r(?!\n)`
# keeps a CRLF whole, so that one CRLF is never read as two line ends.
_EOL = r"(?:\r\n|\r(?!\n)|\n)"
_BLANK_LINE = re.compile(f"{_EOL}[^\\S\\r\\n]*{_EOL}")
# In a text with no lone CR (nearly every source: LF or CRLF), every line ends with an LF: a
# plain LF scans several times faster than the alternation, and gives the same lines.
_LF = re.compile("\n")
_BLANK_LINE_LF = re.compile(r"\n[^\S\n]*\n")
_LONE_CR = re.compile(r"\r(?!\n)")


def _lone_cr(text: str) -> bool:
    return "\r" in text and _LONE_CR.search(text) is not None


def line_starts(text: str) -> tuple[int, ...]:
    """The offset where each line of ``text`` starts (the first is 0)."""
    return (0, *(m.end() for m in (LINE_END if _lone_cr(text) else _LF).finditer(text)))


def line_number(starts: tuple[int, ...], offset: int) -> int:
    """The 1-based line holding ``offset``, given ``line_starts(text)``."""
    return bisect.bisect_right(starts, offset)


def line_end(text: str, offset: int) -> int:
    """Where the line holding ``offset`` ends: its line end's offset, or the end of the text."""
    m = _LINE_END_CHARS.search(text, offset)
    return m.start() if m else len(text)


def lines(text: str) -> Iterator[tuple[int, int, int]]:
    """Each line as ``(start, end, next)``: ``text[start:end]`` without its line end, the next
    line starting at ``next``. Numbered from 1 in order; a final line end opens no new line."""
    lone_cr = _lone_cr(text)
    start = 0
    for m in (LINE_END if lone_cr else _LF).finditer(text):
        end = m.start()
        if not lone_cr and end > start and text[end - 1] == "\r":
            end -= 1  # the CR of a CRLF
        yield start, end, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text), len(text)


def decode(data: bytes) -> str:
    """UTF-8 with an optional BOM dropped; raises UnicodeDecodeError otherwise."""
    return data.decode("utf-8-sig")


def normalize_text(text: str) -> str:
    """Normalise a quote, prefix or statement (no offset map needed)."""
    if text.isascii():  # NFKC, the folds and the invisibles change nothing in ASCII
        return " ".join(text.split())
    # Fold before NFKC too: NFKC turns ″ into two primes, which would become two quotes.
    text = _fold(unicodedata.normalize("NFKC", _fold(text)))
    for invisible in ZERO_WIDTH:
        if invisible in text:
            text = text.replace(invisible, "")
    return " ".join(text.split())


class OffsetMap:
    """Maps positions of a derived text back to the text it came from, stretch by stretch.

    Each stretch starts at ``starts[k]`` in the derived text and at ``bases[k]`` in the
    original, and runs on one to one; a character that NFKC expanded (ﬁ → fi) gets one
    stretch per piece, all pointing at the same original character.
    """

    __slots__ = ("starts", "bases", "length", "origin_length")

    def __init__(self) -> None:
        self.starts = array("q")
        self.bases = array("q")
        self.length = 0
        self.origin_length = 0

    def add(self, start: int, base: int) -> None:
        if self.starts and self.starts[-1] == start:
            self.bases[-1] = base
            return
        if self.starts and self.bases[-1] + (start - self.starts[-1]) == base:
            return  # continues the previous stretch
        self.starts.append(start)
        self.bases.append(base)

    def __getitem__(self, index: int) -> int:
        if index >= self.length:
            return self.origin_length
        k = bisect.bisect_right(self.starts, index) - 1
        return self.bases[k] + (index - self.starts[k])


class _Composed:
    """``outer`` then ``inner``: positions of the final text back to the original."""

    __slots__ = ("outer", "inner")

    def __init__(self, outer: OffsetMap, inner: OffsetMap | None) -> None:
        self.outer, self.inner = outer, inner

    def __getitem__(self, index: int) -> int:
        mid = self.outer[index]
        return self.inner[mid] if self.inner is not None else mid


@dataclass(frozen=True)
class NormalizedSource:
    """A source's text, normalised, with the way back to its code-point offsets."""

    text: str  # the decoded source as the reader has it
    norm: str
    origin: _Composed  # origin[i]: offset in `text` of norm[i]; origin[len(norm)] == len(text)
    paragraph_ends: tuple[int, ...]  # offsets in `text` where a blank line starts
    line_starts: tuple[int, ...]

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``norm`` to the span of ``text`` it came from."""
        src_start = self.origin[start]
        if end <= start:
            return src_start, src_start
        src_end = self.origin[end - 1] + 1
        # NFKC may have folded combining marks into the last character: keep them.
        while src_end < len(self.text) and _joins_previous(self.text[src_end]):
            src_end += 1
        return src_start, src_end

    def paragraph_of(self, offset: int) -> int:
        return bisect.bisect_right(self.paragraph_ends, offset)

    def line_of(self, offset: int) -> int:
        """The 1-based line (see ``lines``) holding the offset ``offset`` of ``text``."""
        return line_number(self.line_starts, offset)


_FOLDS = [(c, "'") for c in SINGLE_QUOTES] + [(c, '"') for c in DOUBLE_QUOTES] + [(c, "-") for c in DASHES]
_ZW_CLASS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Every white space character (as str.isspace() and re's \\s know them) but the plain space.
_OTHER_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# Runs of white space and invisible characters that are not already one plain space. Each
# starts with a one-character test, so scanning ordinary text stays fast.
_UNTIDY = re.compile(f"(?:[{_OTHER_SPACE}{_ZW_CLASS}]| (?=[\\s{_ZW_CLASS}]))[\\s{_ZW_CLASS}]*")
_EDGE_RUN = re.compile(f"[\\s{_ZW_CLASS}]+")
_LINE = re.compile(r"[^\n]*\n?")


def _joins_previous(ch: str) -> bool:
    """Combining marks, and Hangul vowel/final jamo, which NFKC composes with what precedes."""
    return bool(unicodedata.combining(ch)) or "\u1161" <= ch <= "\u1175" or "\u11a8" <= ch <= "\u11c2"


def _nfkc(text: str) -> tuple[str, OffsetMap | None]:
    """NFKC, keeping offsets; lines already in NFKC (nearly all) are copied whole."""
    if unicodedata.is_normalized("NFKC", text):
        return text, None
    out: list[str] = []
    mapping = OffsetMap()
    length = 0
    for m in _LINE.finditer(text):
        line, base = m.group(0), m.start()
        if not line:
            continue
        if unicodedata.is_normalized("NFKC", line):
            mapping.add(length, base)
            out.append(line)
            length += len(line)
            continue
        i, n = 0, len(line)
        while i < n:
            # NFKC composes a starter with the marks that follow it: normalise them together.
            j = i + 1
            while j < n and _joins_previous(line[j]):
                j += 1
            for ch in unicodedata.normalize("NFKC", line[i:j]):
                mapping.add(length, base + i)
                out.append(ch)
                length += 1
            i = j
    mapping.length, mapping.origin_length = length, len(text)
    return "".join(out), mapping


def _fold(text: str) -> str:
    """Quotes and dashes to their plain forms, one character for one (offsets unchanged)."""
    for variant, plain in _FOLDS:
        if variant in text:
            text = text.replace(variant, plain)
    return text


def normalize_source(text: str) -> NormalizedSource:
    # Fold before NFKC too: NFKC turns ″ into two primes, which would become two quotes.
    folded, nfkc_map = _nfkc(_fold(text))
    folded = _fold(folded)
    pieces: list[str] = []
    mapping = OffsetMap()
    length = 0
    done = 0
    runs = [m.span() for m in _UNTIDY.finditer(folded)]
    # A lone plain space at either end is untidy too: it is dropped.
    lead = _EDGE_RUN.match(folded)
    if lead and (not runs or runs[0][0] != 0):
        runs.insert(0, lead.span())
    if folded.endswith(" ") and (not runs or runs[-1][1] != len(folded)):
        runs.append((len(folded) - 1, len(folded)))
    for a, b in runs:
        if a > done:
            mapping.add(length, done)
            pieces.append(folded[done:a])
            length += a - done
        run = folded[a:b]
        blank = next((k for k, c in enumerate(run) if c.isspace()), -1)
        if blank >= 0 and length > 0 and b < len(folded):
            # white space becomes one space; none at the very start or end
            mapping.add(length, a + blank)
            pieces.append(" ")
            length += 1
        done = b
    if done < len(folded):
        mapping.add(length, done)
        pieces.append(folded[done:])
        length += len(folded) - done
    norm = "".join(pieces)
    if norm.endswith(" "):  # a trailing run of spaces and invisible characters
        norm = norm[:-1]
        length -= 1
    mapping.length, mapping.origin_length = length, len(folded)
    blank = _BLANK_LINE if _lone_cr(text) else _BLANK_LINE_LF
    paragraph_ends = tuple(m.start() for m in blank.finditer(text))
    return NormalizedSource(text, norm, _Composed(mapping, nfkc_map), paragraph_ends, line_starts(text))
