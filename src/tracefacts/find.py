"""`tracefacts find`: where a text stands in the sources, as a ready-to-paste quote entry."""

from __future__ import annotations

from dataclasses import dataclass

from .anchor import word_count
from .normalize import normalize_text
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


def _unique_prefix(norm: str, at: int, needle: str, others: list[int]) -> str | None:
    words = norm[:at].split()
    for count in range(1, min(len(words), 12) + 1):
        prefix = " ".join(words[-count:])
        if word_count(prefix) < 1:
            continue
        clashes = [o for o in others if o != at and norm[:o].rstrip(" ").endswith(prefix)]
        if not clashes:
            return prefix
    return None


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
            first = ns.line_starts[line - 1]
            last = ns.text.find("\n", end)
            context = ns.text[first:last if last >= 0 else len(ns.text)].strip()
            prefix = _unique_prefix(ns.norm, at, needle, starts) if len(starts) > 1 else None
            found.append(Occurrence(sid, line, start, end, ns.text[start:end], context, prefix))
    return found


def yaml_entry(occ: Occurrence) -> str:
    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    entry = f"- source: {occ.source}\n  quote: {q(' '.join(occ.exact.split()))}\n"
    if occ.prefix:
        entry += f"  prefix: {q(occ.prefix)}\n"
    return entry
