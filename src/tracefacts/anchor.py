"""Find a quote in a normalised source: the exact rules of DESIGN.md, with offsets."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from .normalize import NormalizedSource, normalize_text

MIN_WORDS = 3
CONTEXT_CHARS = 32
_ELISION = re.compile(r" ?\[\.\.\.\] ?")  # `[…]` is `[...]` once NFKC has run

Status = Literal["found", "not-found", "too-short", "ambiguous", "context-mismatch"]


@dataclass(frozen=True)
class QuoteMatch:
    status: Status
    # every acceptable occurrence; each is a tuple of half-open spans of `norm`, one per part
    occurrences: tuple[tuple[tuple[int, int], ...], ...] = ()
    short_part: str = ""
    unfiltered: int = 0  # occurrences before prefix/suffix were applied


def quote_parts(quote: str) -> list[str]:
    return [part.strip() for part in _ELISION.split(normalize_text(quote))]


def word_count(text: str) -> int:
    return len(text.split())


def _find_all(norm: str, needle: str, start: int = 0) -> list[int]:
    found = []
    at = norm.find(needle, start)
    while at >= 0:
        found.append(at)
        at = norm.find(needle, at + 1)
    return found


class _Chainer:
    """The elided parts after each occurrence of the first part, each earliest in order.

    Asked for the occurrences of the first part in increasing order, each later part is
    looked for from a position that never moves back; so where it was found last time
    answers again while it is still at or after the new position, and once a part is
    nowhere after a position, no later chain can be completed (``exhausted``). Each part's
    search thus runs through the source about once, not once per occurrence of the first
    part (which made `a a a [...] b b b` in a long page quadratic).
    """

    def __init__(self, ns: NormalizedSource, parts: list[str]) -> None:
        self.ns = ns
        self.parts = parts
        self.last: list[int] = [-1] * len(parts)  # per part: where it was last found (-1: not yet)
        self.exhausted = False

    def _next(self, index: int, start: int) -> int:
        """The first occurrence of part ``index`` at or after ``start``, or -1 (``start`` never decreases)."""
        at = self.last[index]
        if at < start:
            at = self.ns.norm.find(self.parts[index], start)
            if at < 0:
                self.exhausted = True
            self.last[index] = at
        return at

    def chain(self, first: int) -> tuple[tuple[int, int], ...] | None:
        """The spans of every part from ``first``, all in one paragraph, or None."""
        ns = self.ns
        spans = [(first, first + len(self.parts[0]))]
        paragraph = ns.paragraph_of(ns.origin[first])
        for index in range(1, len(self.parts)):
            at = self._next(index, spans[-1][1])
            if at < 0:
                return None
            end = at + len(self.parts[index])
            if ns.paragraph_of(ns.origin[end - 1]) != paragraph:
                return None
            spans.append((at, end))
        return tuple(spans)


def _context_fits(ns: NormalizedSource, spans: tuple[tuple[int, int], ...],
                  prefix: str | None, suffix: str | None) -> bool:
    if prefix:
        start = spans[0][0]
        before = ns.norm[max(0, start - len(prefix) - 1):start].rstrip(" ")
        if not before.endswith(prefix):
            return False
    if suffix:
        end = spans[-1][1]
        after = ns.norm[end:end + len(suffix) + 1].lstrip(" ")
        if not after.startswith(suffix):
            return False
    return True


def match_quote(ns: NormalizedSource, quote: str, prefix: str | None = None,
                suffix: str | None = None) -> QuoteMatch:
    parts = quote_parts(quote)
    for part in parts:
        if word_count(part) < MIN_WORDS:
            return QuoteMatch("too-short", short_part=part)
    found = []
    chainer = _Chainer(ns, parts)
    for first in _find_all(ns.norm, parts[0]):
        spans = chainer.chain(first)
        if chainer.exhausted:  # a later part is nowhere after this point: no later chain completes
            break
        if spans is not None:
            found.append(spans)
    if not found:
        return QuoteMatch("not-found")
    norm_prefix = normalize_text(prefix) if prefix else None
    norm_suffix = normalize_text(suffix) if suffix else None
    fitting = [s for s in found if _context_fits(ns, s, norm_prefix, norm_suffix)]
    if not fitting:
        return QuoteMatch("context-mismatch", tuple(found), unfiltered=len(found))
    status: Status = "found" if len(fitting) == 1 else "ambiguous"
    return QuoteMatch(status, tuple(fitting), unfiltered=len(found))


@dataclass(frozen=True)
class NearMiss:
    line: int
    source_text: str  # the nearest passage, differing characters in [brackets]
    quote_text: str  # the quote, differing characters in [brackets]


MAX_NEAR_MISS_SOURCE = 2_000_000
# The steps the near-miss search may take: about 3 s of difflib. Its longest-match scan
# visits, for every character of the source, every place that character has in the
# quote; `a a a …` against a quote of `a a a … b` made that billions of steps.
NEAR_MISS_BUDGET = 25_000_000


def near_miss_steps(ns: NormalizedSource, quote: str) -> int:
    """What the near-miss search for ``quote`` in ``ns`` costs, in difflib's inner steps (capped just past
    the budget): the sum over the quote's characters of how often each stands in the source and in the quote."""
    q = " ... ".join(quote_parts(quote))
    if len(ns.norm) * len(q) <= NEAR_MISS_BUDGET:
        return len(ns.norm) * len(q)  # a bound, and within the budget: no need to count
    steps = 0
    for char, times in Counter(q).most_common():
        steps += ns.norm.count(char) * times
        if steps > NEAR_MISS_BUDGET:
            break
    return steps


def near_miss_too_costly(ns: NormalizedSource, quote: str) -> bool:
    """The source is too large (for this quote) to search for the nearest passage."""
    return len(ns.norm) > MAX_NEAR_MISS_SOURCE or near_miss_steps(ns, quote) > NEAR_MISS_BUDGET


def nearest_passage(ns: NormalizedSource, quote: str) -> NearMiss | None:
    """The passage of the source most like ``quote``, with the differences marked; None when nothing comes
    close, or when the search would cost too much (``near_miss_too_costly``)."""
    q = " ... ".join(quote_parts(quote))
    if not q or near_miss_too_costly(ns, quote):
        return None
    # Anchor on the longest stretch the two share, then compare a window around it.
    matcher = difflib.SequenceMatcher(None, ns.norm, q, autojunk=False)
    longest = matcher.find_longest_match(0, len(ns.norm), 0, len(q))
    if longest.size < min(8, len(q) // 2):
        return None
    start = max(0, longest.a - longest.b)
    window = ns.norm[start:start + len(q) + 8]
    ops = difflib.SequenceMatcher(None, window, q, autojunk=False).get_opcodes()
    # Trim trailing source text the quote does not reach.
    if ops and ops[-1][0] == "delete":
        window = window[:ops[-1][1]]
        ops = ops[:-1]
    src_marked, quote_marked = [], []
    for tag, a0, a1, b0, b1 in ops:
        if tag == "equal":
            src_marked.append(window[a0:a1])
            quote_marked.append(q[b0:b1])
        else:
            src_marked.append(f"[{window[a0:a1]}]")
            quote_marked.append(f"[{q[b0:b1]}]")
    return NearMiss(ns.line_of(ns.origin[start]), "".join(src_marked), "".join(quote_marked))
