"""The Figures rule: every number, month and day of a text a reader sees must stand in its evidence.

A text's figures are tokens compared as strings, so that evidence can be a set:

- a number as written: ``14.3``, ``1,000``, ``2026`` (``115-135`` is two);
- a month, in its full English name whatever the spelling read (``December`` for
  ``Dec.``, ``dec``, ``december``, ``DECEMBER``);
- a day named with its month (``4 March``, ``March 4th``, ``4th of Mar.``), as one figure
  ``4 March``: its number is a day, not a count, and only that day supports it;
- an ISO date or month as written (``2026-03-04``, ``2026-03``).

Evidence is what quotes and cited sources' published dates can support. A quote supports
every figure it states, and also the parts of each (``4 March`` in a quote supports ``4``
and ``March`` too; ``2026-03-04`` supports ``2026``, ``03``, ``04``, ``March`` and ``4 March``).
A published date supports only what a date says: its year, its month, its day with its
month, and its ISO spelling; never a bare number that equals its day or month number.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping

from .model import Fact, Source
from .normalize import normalize_text

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_BY_NAME = {name.lower(): i for i, name in enumerate(MONTHS)}
_BY_NAME.update({"jan": 0, "feb": 1, "mar": 2, "apr": 3, "jun": 5, "jul": 6, "aug": 7, "sep": 8, "sept": 8,
                 "oct": 9, "nov": 10, "dec": 11})
# Spellings that are also ordinary English: `may` and `march` in lower case are never
# read as months (`Llama 5 may ship`); `Jan` (a name) and `mar` (a verb) only with a period
# (`Jan.`) or beside a number (`Jan 5`, `mar 2026`); abbreviations in capitals (APR, DEC,
# OCT are acronyms) only beside a number.
_AMBIGUOUS = frozenset({"jan", "mar"})

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A word that may be a month: the first letters of every month name and abbreviation
# (ja-n-u, ju-l/n, fe-b-r, ma-r-c, ma-y, ap-r-i, au-g-u, se-p-t, oc-t-o, no-v-e, de-c-e) as
# character classes, which the scan tests fast, and no ASCII letter before it; the word is
# then looked up in `_BY_NAME` (one alternation of the spellings, tried at every position,
# cost three times as much: `tracefacts check` reads every statement and quote).
_MONTH_WORD = re.compile(r"[JFMASONDjfmasond](?<![a-zA-Z].)[aeupcoAEUPCO][nlbrygptvcNLBRYGPTVC]"
                         r"(?:[uriceyotURICEYOT][a-zA-Z]{0,5})?(?![^\W\d_])(\.)?")
_ISO_HINT = re.compile(r"\d{4}-\d\d")
_GAP_DAY_MONTH = re.compile(r"(?:st|nd|rd|th)?(?:\s+of)?[\s-]+", re.IGNORECASE)  # 4th of March
_GAP_MONTH_DAY = re.compile(r"[\s-]+")  # March 4, Mar. 4
_NUMBER_AFTER = re.compile(r"\s*[,-]?\s*\d")


def _month(word: str, dot: bool, beside_number: bool) -> str | None:
    """The month a word names, or None when it is read as an ordinary word here."""
    lower = word.lower()
    index = _BY_NAME[lower]
    if beside_number or lower == MONTHS[index].lower():
        return MONTHS[index]
    if word.isupper() or (lower in _AMBIGUOUS and not dot):
        return None
    return MONTHS[index] if (word[0].isupper() or dot) else None


def _is_day(number: str) -> bool:
    return len(number) <= 2 and number.isdigit() and 1 <= int(number) <= 31


def _iso(norm: str, numbers: list[re.Match[str]], i: int) -> int:
    """How many numbers from the ``i``-th on spell an ISO date (3) or month (2), else 0."""
    first = numbers[i]
    if len(first.group()) != 4 or not first.group().isdigit():
        return 0
    taken, end = 1, first.end()
    for lo, hi in ((1, 12), (1, 31)):
        if i + taken >= len(numbers):
            break
        part = numbers[i + taken]
        text = part.group()
        if part.start() != end + 1 or norm[end] != "-" or len(text) != 2 or not text.isdigit() \
                or not lo <= int(text) <= hi:
            break
        taken, end = taken + 1, part.end()
    if taken == 1 or norm[end:end + 1] == "-" and norm[end + 1:end + 2].isdigit():
        return 0  # a lone year, or a longer run of numbers (2026-03-04-05): plain numbers
    return taken


def _month_words(norm: str) -> list[re.Match[str]]:
    """The words of ``norm`` spelled like a month (whether each is read as one is decided later)."""
    found = []
    for m in _MONTH_WORD.finditer(norm):
        word = m.group()[:-1] if m.group(1) else m.group()
        if word.lower() in _BY_NAME and word not in ("may", "march") \
                and not norm[m.start() - 1:m.start()].isalpha():  # the verbs; the end of a longer word
            found.append(m)
    return found


def _tokens(text: str, parts: bool) -> list[str]:
    """The figures of ``text`` in order (repeats included); with ``parts``, each figure's parts too."""
    norm = normalize_text(text)
    words = _month_words(norm)
    if not words:
        plain = _NUMBER.findall(norm)
        if not ("-" in norm and any(len(n) == 4 for n in plain) and _ISO_HINT.search(norm)):
            return plain  # the common case: numbers only
    numbers = list(_NUMBER.finditer(norm))
    found: list[tuple[int, list[str]]] = []  # (where, figures there)
    used: set[int] = set()  # numbers read as part of a date
    i = 0
    while i < len(numbers):
        taken = _iso(norm, numbers, i)
        if taken:
            pieces = [n.group() for n in numbers[i:i + taken]]
            figures = ["-".join(pieces)]
            if parts:
                month = MONTHS[int(pieces[1]) - 1]
                figures += [*pieces, month] + ([f"{int(pieces[2])} {month}"] if taken == 3 else [])
            found.append((numbers[i].start(), figures))
            used.update(range(i, i + taken))
        i += taken or 1
    starts = [n.start() for n in numbers]
    for m in words:
        word = m.group()[:-1] if m.group(1) else m.group()
        month = MONTHS[_BY_NAME[word.lower()]]
        at = bisect.bisect_left(starts, m.start()) - 1  # the number before the word
        if at >= 0 and at not in used and _is_day(day := numbers[at].group()) \
                and norm[numbers[at].start() - 1:numbers[at].start()] not in (".", ",") \
                and _GAP_DAY_MONTH.fullmatch(norm, numbers[at].end(), m.start()):
            used.add(at)
            found.append((numbers[at].start(), [f"{int(day)} {month}", *((day, month) if parts else ())]))
            continue
        at += 1  # the number after it
        if at < len(numbers) and at not in used and _is_day(day := numbers[at].group()) \
                and _GAP_MONTH_DAY.fullmatch(norm, m.end(), numbers[at].start()):
            used.add(at)
            found.append((m.start(), [f"{int(day)} {month}", *((day, month) if parts else ())]))
            continue
        before = norm[max(0, m.start() - 4):m.start()].rstrip(" ,-")
        beside = bool(_NUMBER_AFTER.match(norm, m.end())) or before[-1:].isdigit()
        if (named := _month(word, bool(m.group(1)), beside)) is not None:
            found.append((m.start(), [named]))
    found.extend((n.start(), [n.group()]) for j, n in enumerate(numbers) if j not in used)
    found.sort(key=lambda item: item[0])
    return [figure for _, figures in found for figure in figures]


def figures_of(text: str) -> list[str]:
    """The figures of ``text`` (see the module's docstring), in order, once each."""
    return list(dict.fromkeys(_tokens(text, parts=False)))


@functools.lru_cache(maxsize=1024)  # a few source dates, asked for by every fact with a figure
def _date_evidence(day: dt.date) -> frozenset[str]:
    month = MONTHS[day.month - 1]
    return frozenset({str(day.year), month, f"{day.day} {month}", day.isoformat(), day.isoformat()[:7]})


def _figures_in(text: str) -> set[str]:
    """Every figure a quote states, with its parts.

    A statement's figure stands in a quote when it is one of these tokens, so `4` is not
    in `14.3` and `1` is not in `1,000`, while `4` is in `GPT-4o`.
    """
    return set(_tokens(text, parts=True))


class Evidence:
    """The figures a fact's quotes and its cited sources' dates support, worked out once and
    only when asked: all of them (the figures rule), or one source's own (support per source)."""

    __slots__ = ("_fact", "_sources", "_each", "_all")

    def __init__(self, fact: Fact, sources: Mapping[str, Source]) -> None:
        self._fact = fact
        self._sources = sources  # read for the `published` date of the sources the fact cites
        self._each: list[set[str]] | None = None
        self._all: set[str] | None = None

    def _date(self, source_id: str) -> frozenset[str]:
        source = self._sources.get(source_id)
        return _date_evidence(source.published) if source is not None and source.published else frozenset()

    def _of_quotes(self) -> list[set[str]]:
        if self._each is None:
            self._each = [_figures_in(q.quote) for q in self._fact.sources]
        return self._each

    def everything(self) -> set[str]:
        if self._all is None:
            self._all = set().union(*self._of_quotes(), *(self._date(s) for s in self._fact.source_ids))
        return self._all

    def of_source(self, source_id: str) -> set[str]:
        own = [figs for q, figs in zip(self._fact.sources, self._of_quotes(), strict=True) if q.source == source_id]
        return set().union(*own, self._date(source_id))


def evidence_figures(quotes: Iterable[str], dates: Iterable[dt.date | None]) -> set[str]:
    """Every figure that quotes and source dates can support."""
    return set().union(*(_figures_in(q) for q in quotes), *(_date_evidence(d) for d in dates if d is not None))


def missing_figures(statement: str, quotes: Iterable[str], dates: Iterable[dt.date | None]) -> list[str]:
    """Figures of ``statement`` found neither in a quote nor in a cited source's date."""
    figures = figures_of(statement)
    if not figures:
        return []
    evidence = evidence_figures(quotes, dates)
    return [f for f in figures if f not in evidence]
