"""The Figures rule: every number and month name of a statement must stand in its evidence."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from .normalize import normalize_text

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")


def figures_of(text: str) -> list[str]:
    """The numbers (`115-135` is two) and English month names in ``text``, in order, once each."""
    norm = normalize_text(text)
    found = [m.group(0) for m in _NUMBER.finditer(norm)] + [m.group(1) for m in _MONTH.finditer(norm)]
    return list(dict.fromkeys(found))


def _date_evidence(day: dt.date) -> set[str]:
    return {str(day.year), str(day.month), f"{day.month:02d}", str(day.day), f"{day.day:02d}",
            MONTHS[day.month - 1]}


def _figures_in(text: str) -> set[str]:
    """Every figure a quote states: the same tokens `figures_of` reads in a statement.

    A statement's figure stands in a quote when it is one of these tokens, so `4` is not
    in `14.3` and `1` is not in `1,000`, while `4` is in `GPT-4o`.
    """
    norm = normalize_text(text)
    return set(_NUMBER.findall(norm)) | set(_MONTH.findall(norm))


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
