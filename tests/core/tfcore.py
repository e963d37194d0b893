"""Helpers for the core tests: small handbooks written into tmp_path, pinned correctly.

A test writes the YAML it needs as plain text and asks ``Handbook.line`` for the line
of the node it expects a problem at, so every expected line comes from the file the
test wrote, not from the program under test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tracefacts.check import CheckResult, check

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 5, 1)  # a fixed "today", so no test depends on the calendar


# The seed texts. Curly quotes and a dash are deliberate (normalisation), and one
# phrase stands twice in SEED_A (quote-ambiguous, prefix, suffix).
SEED_A = (
    "Acme Widget Report\n"
    "\n"
    "The Acme widget ships in March with 14.3 percent more capacity than the old model.\n"
    "Prices range from 115 to 135 dollars per unit, the company said.\n"
    "\n"
    "Critics say the widget is too expensive for small teams. One analyst wrote that the "
    "widget is too expensive for small teams in its first year.\n"
    "\n"
    "The company\u2019s chief \u2014 a former engineer \u2014 called it \u201cthe new design\u201d.\n"
)
SEED_B = (
    "Beta Gadget News\n"
    "\n"
    "Beta Corp announced a brand new gadget on Monday, with shipping planned for the autumn.\n"
)

SOURCES_TEMPLATE = """\
# Two sources for the tests.
sources:
  - id: acme-report
    file: seeds/a.txt
    title: "Acme Widget Report"
    publisher: Acme
    published: 2026-04-25
    sha256: {sha_a}   # pinned by the fixture
  - id: beta-news
    file: seeds/b.txt
    title: "Beta Gadget News"
    publisher: Beta
    published: 2026-04-09
    sha256: {sha_b}
"""

GOOD_FACTS = """\
facts:
  - id: acme.capacity
    statement: The Acme widget has 14.3 percent more capacity.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: ships in March with 14.3 percent more capacity
  - id: beta.gadget
    statement: Beta says it has a new gadget.
    kind: vendor-claim
    claimant: Beta Corp
    topic: beta
    sources:
      - source: beta-news
        quote: Beta Corp announced a brand new gadget
"""


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


@dataclass(frozen=True, order=True)
class Found:
    """A problem reduced to what a test compares: code, file and line."""

    code: str
    file: str
    line: int


class Handbook:
    """A handbook root under tmp_path: seeds/, facts/sources.yaml, facts/*.yaml."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "seeds").mkdir(parents=True, exist_ok=True)
        (root / "facts").mkdir(parents=True, exist_ok=True)

    def seed(self, name: str, data: str | bytes) -> Path:
        path = self.root / "seeds" / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    def sources(self, text: str | None = None) -> Path:
        """Write facts/sources.yaml: the given text, or the template pinned to the seeds."""
        if text is None:
            text = SOURCES_TEMPLATE.format(sha_a=self.sha("a.txt"), sha_b=self.sha("b.txt"))
        return self.write("facts/sources.yaml", text)

    def facts(self, text: str, name: str = "x.yaml") -> Path:
        return self.write(f"facts/{name}", textwrap.dedent(text))

    def sha(self, seed: str) -> str:
        return sha256((self.root / "seeds" / seed).read_bytes())

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def line(self, needle: str, rel: str = "facts/x.yaml", nth: int = 1) -> int:
        """The 1-based number of the nth line of ``rel`` that contains ``needle``."""
        hits = [i for i, text in enumerate(self.read(rel).splitlines(), start=1) if needle in text]
        assert len(hits) >= nth, f"{needle!r} is not in {rel} {nth} time(s)"
        return hits[nth - 1]

    def check(self, today: dt.date = TODAY) -> CheckResult:
        return check(self.root, today)


def found(problems: Iterable, codes: Iterable[str] | None = None) -> list[Found]:
    wanted = set(codes) if codes is not None else None
    return sorted(Found(p.code, p.file, p.line) for p in problems
                  if wanted is None or p.code in wanted)
