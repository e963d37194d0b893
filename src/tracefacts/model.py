"""The fact base as values: sources, facts, quotes, and the problems found in them."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
KINDS = ("reported", "vendor-claim", "opinion", "recommendation")
KINDS_NEEDING_CLAIMANT = ("vendor-claim", "opinion")


def day_label(day: dt.date) -> str:
    """A day as every output writes it: "9 April 2026"."""
    return f"{day.day} {day.strftime('%B %Y')}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the fact base, located at the node that causes it."""

    code: str
    severity: Severity
    file: str
    line: int
    message: str
    fact: str | None = None
    source: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "fact": self.fact,
            "source": self.source,
            "message": self.message,
        }


@dataclass(frozen=True)
class Source:
    id: str
    file: str  # as written, relative to the root
    title: str
    publisher: str
    published: dt.date | None
    sha256: str | None
    notes: str | None
    chrome: tuple[str, ...]
    origin: str  # the YAML file that registers it, relative to the root
    line: int
    file_line: int
    sha256_line: int | None
    # The text carries no date of its own: `published` is when it was filed (a feed item, a
    # crawl), so what it says held no later than that day. As-of labels say so.
    text_undated: bool = False
    format: str | None = None  # text | html | pdf; None: from the file's extension (formats.format_of)
    url: str | None = None  # where a fetched source was taken from (`tracefacts add URL`)
    retrieved: dt.date | None = None  # the day it was fetched
    short: str | None = None  # the citation markers' label (default: the publisher's first word)


@dataclass(frozen=True)
class QuoteRef:
    source: str
    quote: str
    prefix: str | None
    suffix: str | None
    line: int
    source_line: int


@dataclass(frozen=True)
class Fact:
    id: str
    statement: str
    kind: str
    topic: str
    sources: tuple[QuoteRef, ...]
    origin: str
    line: int
    statement_line: int
    claimant: str | None = None
    tags: tuple[str, ...] = ()
    date: dt.date | None = None
    date_precision: str = "day"  # "month" when the source gives only a month (date: 2025-04)
    review_by: dt.date | None = None
    review_by_line: int | None = None
    subject: str | None = None
    attribute: str | None = None
    value: str | None = None
    # the lines of the fields a reader sees besides the statement (problems point at them)
    claimant_line: int | None = None
    date_line: int | None = None
    value_line: int | None = None

    @functools.cached_property
    def source_ids(self) -> tuple[str, ...]:
        # cached: views and checks ask for it once per fact per page (frozen: `sources` never changes)
        return tuple(dict.fromkeys(q.source for q in self.sources))

    @property
    def date_label(self) -> str:
        if self.date is None:
            return ""
        if self.date_precision == "month":
            return self.date.strftime("%B %Y")
        return day_label(self.date)

    def is_stale(self, today: dt.date) -> bool:
        return self.review_by is not None and self.review_by < today


@dataclass(frozen=True)
class Span:
    """A stretch of the decoded source text, in code points (W3C TextPositionSelector)."""

    start: int
    end: int


@dataclass(frozen=True)
class Anchor:
    """Where one quote stands in its source."""

    fact: str
    source: str
    index: int  # position of the quote in the fact's `sources` list
    parts: tuple[Span, ...]  # one per elided part, in order
    exact: str  # the source's own text from the first part's start to the last part's end
    prefix: str  # up to 32 characters of source text before it (TextQuoteSelector)
    suffix: str
    line: int  # 1-based line of the source where the quote starts

    @property
    def start(self) -> int:
        return self.parts[0].start

    @property
    def end(self) -> int:
        return self.parts[-1].end


@dataclass(frozen=True)
class FactBase:
    root: str
    sources: dict[str, Source]
    facts: dict[str, Fact]
    files: tuple[str, ...]  # fact files read, relative to root
    problems: tuple[Problem, ...] = field(default=())
