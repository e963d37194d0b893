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
from dataclasses import dataclass

SINGLE_QUOTES = "\u2019\u2018\u201a\u2032"
DOUBLE_QUOTES = "\u201c\u201d\u201e\u2033"
DASHES = "\u2010\u2012\u2013\u2014\u2015\u2212"
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_TRANSLATE = str.maketrans(
    {**{c: "'" for c in SINGLE_QUOTES}, **{c: '"' for c in DOUBLE_QUOTES}, **{c: "-" for c in DASHES}}
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def decode(data: bytes) -> str:
    """UTF-8 with an optional BOM dropped; raises UnicodeDecodeError otherwise."""
    return data.decode("utf-8-sig")


def normalize_text(text: str) -> str:
    """Normalise a quote, prefix or statement (no offset map needed)."""
    # Translate before NFKC as well: NFKC turns the double prime into two primes ('').
    text = unicodedata.normalize("NFKC", text.translate(_TRANSLATE)).translate(_TRANSLATE)
    text = "".join(c for c in text if c not in ZERO_WIDTH)
    return " ".join(text.split())


@dataclass(frozen=True)
class NormalizedSource:
    """A source's text, normalised, with the way back to its code-point offsets."""

    text: str  # the decoded source as the reader has it
    norm: str
    origin: array  # origin[i]: offset in `text` of norm[i]; origin[len(norm)] == len(text)
    paragraph_ends: tuple[int, ...]  # offsets in `text` where a blank line starts
    line_starts: tuple[int, ...]

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``norm`` to the span of ``text`` it came from."""
        src_start = self.origin[start]
        if end <= start:
            return src_start, src_start
        src_end = self.origin[end - 1] + 1
        # NFKC may have folded combining marks into the last character: keep them.
        while src_end < len(self.text) and unicodedata.combining(self.text[src_end]):
            src_end += 1
        return src_start, src_end

    def paragraph_of(self, offset: int) -> int:
        return bisect.bisect_right(self.paragraph_ends, offset)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)


def normalize_source(text: str) -> NormalizedSource:
    out: list[str] = []
    origin = array("q")
    space_at = -1  # where the current run of white space began, or -1
    combining = unicodedata.combining
    nfkc_stable = unicodedata.is_normalized("NFKC", text)
    i, n = 0, len(text)
    while i < n:
        # NFKC composes a starter with the marks that follow it: normalise them together.
        j = i + 1
        chunk = text[i]
        if not nfkc_stable:
            while j < n and combining(text[j]):
                j += 1
            chunk = unicodedata.normalize("NFKC", text[i:j].translate(_TRANSLATE))
        for ch in chunk.translate(_TRANSLATE):
            if ch in ZERO_WIDTH:
                continue
            if ch.isspace():
                if space_at < 0:
                    space_at = i
                continue
            if space_at >= 0:
                if out:  # leading white space is dropped, as str.split() does
                    out.append(" ")
                    origin.append(space_at)
                space_at = -1
            out.append(ch)
            origin.append(i)
        i = j
    origin.append(n)
    paragraph_ends = tuple(m.start() for m in _BLANK_LINE.finditer(text))
    line_starts = tuple([0] + [m.end() for m in re.finditer("\n", text)])
    return NormalizedSource(text, "".join(out), origin, paragraph_ends, line_starts)
