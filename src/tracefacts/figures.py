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

import datetime as dt
import re
from collections.abc import Iterable

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

_MONTH_WORD = (r"(?-i:(?!(?:may|march)(?![^\W\d_])))(?:"
               + "|".join(sorted(_BY_NAME, key=len, reverse=True)) + r")(?![^\W\d_])")
_DAY = r"(?<![\d.,])(?P<{0}>0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?(?![\d]|[.,]\d)"
_TOKEN = re.compile(
    r"(?P<iso>(?<![\d.,])\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?(?![\d]|[.,]\d|-\d))"
    r"|" + _DAY.format("day1") + r"(?:\s+of)?[\s-]+(?P<month1>" + _MONTH_WORD + r")(?P<dot1>\.)?"
    r"|(?<![^\W\d_])(?P<month2>" + _MONTH_WORD + r")(?P<dot2>\.)?[\s-]+" + _DAY.format("day2")
    + r"|(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?<![^\W\d_])(?P<month>" + _MONTH_WORD + r")(?P<dot>\.)?",
    re.IGNORECASE,
)
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


def _tokens(text: str, parts: bool) -> list[str]:
    """The figures of ``text`` in order (repeats included); with ``parts``, each figure's parts too."""
    norm = normalize_text(text)
    found: list[str] = []
    for m in _TOKEN.finditer(norm):
        if m.group("num"):
            found.append(m.group("num"))
        elif m.group("iso"):
            iso = m.group("iso")
            found.append(iso)
            if parts:
                numbers = iso.split("-")
                found.extend(numbers)
                month = MONTHS[int(numbers[1]) - 1]
                found.append(month)
                if len(numbers) == 3:
                    found.append(f"{int(numbers[2])} {month}")
        elif m.group("month"):
            before = norm[max(0, m.start() - 4):m.start()].rstrip(" ,-")
            beside = bool(_NUMBER_AFTER.match(norm, m.end())) or before[-1:].isdigit()
            month = _month(m.group("month"), bool(m.group("dot")), beside)
            if month is not None:
                found.append(month)
        else:  # a day with its month, in either order
            first = m.group("day1") is not None
            day, word = m.group("day1" if first else "day2"), m.group("month1" if first else "month2")
            month = MONTHS[_BY_NAME[word.lower()]]
            found.append(f"{int(day)} {month}")
            if parts:
                found.extend((day, month))
    return found


def figures_of(text: str) -> list[str]:
    """The figures of ``text`` (see the module's docstring), in order, once each."""
    return list(dict.fromkeys(_tokens(text, parts=False)))


def _date_evidence(day: dt.date) -> set[str]:
    month = MONTHS[day.month - 1]
    return {str(day.year), month, f"{day.day} {month}", day.isoformat(), day.isoformat()[:7]}


def _figures_in(text: str) -> set[str]:
    """Every figure a quote states, with its parts.

    A statement's figure stands in a quote when it is one of these tokens, so `4` is not
    in `14.3` and `1` is not in `1,000`, while `4` is in `GPT-4o`.
    """
    return set(_tokens(text, parts=True))


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
