"""What the cover says, read from the tracefacts.json the extension writes beside the HTML."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from .errors import PdfBuildError


@dataclass(frozen=True)
class Briefing:
    """What the cover says, read from the tracefacts.json the HTML build writes."""

    title: str
    as_of: dt.date | None  # the newest source's publication date
    facts: int
    sources: int
    single_source: int
    shown: int  # facts shown on at least one page
    stale: int


def read_briefing(html_dir: Path, title: str) -> Briefing:
    path = html_dir / "tracefacts.json"
    if not path.exists():
        raise PdfBuildError(f"{path} is missing: is tracefacts.sphinx among the project's extensions?")
    data = json.loads(path.read_text(encoding="utf-8"))
    dates = [dt.date.fromisoformat(s["published"]) for s in data["sources"] if s.get("published")]
    facts = data["facts"]
    return Briefing(
        title=title,
        as_of=max(dates) if dates else None,
        facts=len(facts),
        sources=len(data["sources"]),
        single_source=sum(not f.get("corroborated") for f in facts),
        shown=sum(bool(f["pages"]) for f in facts),
        stale=sum(bool(f.get("stale")) for f in facts),
    )
