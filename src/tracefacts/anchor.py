"""Find a quote in a normalised source: the exact rules of DESIGN.md, with offsets."""

from __future__ import annotations

import difflib
import re
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


def _chain(ns: NormalizedSource, first: int, parts: list[str]) -> tuple[tuple[int, int], ...] | None:
    """The elided parts after ``first``, each earliest in order, all in one paragraph."""
    spans = [(first, first + len(parts[0]))]
    paragraph = ns.paragraph_of(ns.origin[first])
    for part in parts[1:]:
        at = ns.norm.find(part, spans[-1][1])
        if at < 0:
            return None
        end = at + len(part)
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
    for first in _find_all(ns.norm, parts[0]):
        spans = _chain(ns, first, parts)
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


def nearest_passage(ns: NormalizedSource, quote: str) -> NearMiss | None:
    """The passage of the source most like ``quote``, with the differences marked."""
    q = " ... ".join(quote_parts(quote))
    if not q or len(ns.norm) > MAX_NEAR_MISS_SOURCE:
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
