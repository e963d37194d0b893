"""How much of each source the facts quote: the share of its sentences some quote covers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .check import CheckResult
from .normalize import lines, normalize_text

COVERED_SHARE = 0.5  # a sentence counts as covered when quotes span half its characters
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_BULLET = re.compile(r"\s*(?:[\u2022\u25e6\u2023*-]|\d+[.)])\s+")


@dataclass(frozen=True)
class Sentence:
    line: int
    start: int
    end: int
    text: str
    covered: bool


@dataclass(frozen=True)
class SourceCoverage:
    source: str
    sentences: tuple[Sentence, ...]
    headings: int
    chrome_lines: int

    @property
    def covered(self) -> int:
        return sum(s.covered for s in self.sentences)

    @property
    def share(self) -> float:
        return self.covered / len(self.sentences) if self.sentences else 1.0

    @property
    def uncovered(self) -> list[Sentence]:
        return [s for s in self.sentences if not s.covered]


def is_heading(line: str) -> bool:
    """A line standing alone that does not end a sentence (or asks a question) is a heading."""
    if _BULLET.match(line):
        return False
    stripped = line.rstrip()
    return stripped.endswith("?") or not stripped.endswith((".", "!", ".\u201d", '."', ":", ".)"))


def coverage(result: CheckResult) -> list[SourceCoverage]:
    report = []
    for sid, text in result.texts.items():
        source = result.base.sources[sid]
        chrome = {normalize_text(c) for c in source.chrome}
        mask = bytearray(len(text.text) + 1)
        for anchor in result.anchors.values():
            if anchor.source == sid:
                for part in anchor.parts:
                    mask[part.start:part.end] = b"\x01" * (part.end - part.start)
        sentences: list[Sentence] = []
        headings = chrome_lines = 0
        for number, (line_start, _, line_next) in enumerate(lines(text.text), start=1):
            line = text.text[line_start:line_next]
            body = line.strip()
            if not body:
                continue
            if normalize_text(body) in chrome:
                chrome_lines += 1
                continue
            if is_heading(body):
                headings += 1
                continue
            lead = len(line) - len(line.lstrip())
            pos = line_start + lead
            for piece in _SENTENCE_END.split(line.strip()):
                start = text.text.index(piece, pos)
                end = start + len(piece)
                pos = end
                if len(piece.split()) < 3:
                    continue  # too short to quote (DESIGN: a quote has at least 3 words)
                chars = [i for i in range(start, end) if not text.text[i].isspace()]
                share = sum(mask[i] for i in chars) / len(chars) if chars else 1.0
                sentences.append(Sentence(number, start, end, piece, share >= COVERED_SHARE))
        report.append(SourceCoverage(sid, tuple(sentences), headings, chrome_lines))
    return report
