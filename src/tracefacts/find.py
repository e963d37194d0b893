"""`tracefacts find`: where a text stands in the sources, as a ready-to-paste quote entry."""

from __future__ import annotations

from dataclasses import dataclass

from .normalize import NormalizedSource, line_number, normalize_text
from .sources import SourceText


@dataclass(frozen=True)
class Occurrence:
    source: str
    line: int
    start: int
    end: int
    exact: str  # the source's own characters
    context: str  # the whole source line, for the reader
    prefix: str | None  # words before it that make this occurrence the only one, when needed


CONTEXT = 100  # characters of the line shown either side of an occurrence
MAX_PREFIXED = 200  # beyond that many occurrences, a prefix is no way to pick one: quote more
_WINDOW = 800  # characters before an occurrence to take up to 12 prefix words from


# Slices, not `norm[:at]`: copying the text before every occurrence made `find` of a
# common phrase in a large source take minutes.
def _unique_prefix(norm: str, at: int, needle: str, others: list[int]) -> str | None:
    words = norm[max(0, at - _WINDOW):at].split()
    if at > _WINDOW and words:
        words = words[1:]  # the first word of the window may be cut
    for count in range(1, min(len(words), 12) + 1):
        prefix = " ".join(words[-count:])
        clashes = [o for o in others
                   if o != at and norm[max(0, o - len(prefix) - 1):o].rstrip(" ").endswith(prefix)]
        if not clashes:
            return prefix
    return None


def _line_end(ns: NormalizedSource, offset: int) -> int:
    """Where the line holding ``offset`` ends, from the line starts already known: a search
    for the next line end would scan a one-line page to its end for every occurrence."""
    starts = ns.line_starts
    line = line_number(starts, offset)
    end = starts[line] if line < len(starts) else len(ns.text)
    while end > starts[line - 1] and ns.text[end - 1] in "\r\n":
        end -= 1
    return end


def find_text(texts: dict[str, SourceText], text: str) -> list[Occurrence]:
    needle = normalize_text(text)
    if not needle:
        return []
    found = []
    for sid, source in texts.items():
        ns = source.normalized
        starts = []
        at = ns.norm.find(needle)
        while at >= 0:
            starts.append(at)
            at = ns.norm.find(needle, at + 1)
        for at in starts:
            start, end = ns.to_source(at, at + len(needle))
            line = ns.line_of(start)
            # the line around it, clipped: a scraped page is often one huge line
            line_start, last_end = ns.line_starts[line - 1], _line_end(ns, end)
            first, last = max(line_start, start - CONTEXT), min(last_end, end + CONTEXT)
            context = (("\u2026" if first > line_start else "") + ns.text[first:last].strip()
                       + ("\u2026" if last < last_end else ""))
            prefix = (_unique_prefix(ns.norm, at, needle, starts)
                      if 1 < len(starts) <= MAX_PREFIXED else None)
            found.append(Occurrence(sid, line, start, end, ns.text[start:end], context, prefix))
    return found


def yaml_entry(occ: Occurrence) -> str:
    def q(value: str) -> str:
        # YAML refuses control characters in a file: escape everything unprintable
        return '"' + "".join(
            "\\" + c if c in '\\"'
            else c if c.isprintable() or c == " "
            else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
            for c in value) + '"'

    entry = f"- source: {occ.source}\n  quote: {q(' '.join(occ.exact.split()))}\n"
    if occ.prefix:
        entry += f"  prefix: {q(occ.prefix)}\n"
    return entry
