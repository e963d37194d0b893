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


def _stands_in(figure: str, text: str) -> bool:
    if figure in MONTHS:
        return re.search(rf"\b{figure}\b", text) is not None
    return re.search(rf"(?<!\d)(?<!\d[.,]){re.escape(figure)}(?!\d|[.,]\d)", text) is not None


def missing_figures(statement: str, quotes: Iterable[str], dates: Iterable[dt.date | None]) -> list[str]:
    """Figures of ``statement`` found neither in a quote nor in a cited source's date."""
    evidence = [normalize_text(q) for q in quotes]
    from_dates = set().union(*(_date_evidence(d) for d in dates if d is not None))
    return [f for f in figures_of(statement)
            if f not in from_dates and not any(_stands_in(f, q) for q in evidence)]
