"""Small handbooks built in a temporary folder with a real `sphinx-build`."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

SOURCE_A = """\
Home | News | Bookmarks

Acme launched Rocket One on March 3. It is the first closed model from Acme Labs.

Acme claims Rocket One beats every rival on the Hard benchmark by 12 points.

The launch surprised many developers who relied on open weights.
"""

SOURCE_B = """\
Menu

Rocket One, from Acme Labs, ships with no open weights at all.

Developers should keep a migration plan ready, says the author.
"""

SOURCES_YAML = """\
sources:
  # the company's own announcement
  - id: alpha
    file: seeds/a.txt
    title: "Alpha News: Rocket One"
    publisher: Alpha News
    published: 2026-03-04
    sha256: {sha_a}
    notes: "A news site."
    chrome:
      - "Home | News | Bookmarks"
  - id: beta
    file: seeds/b.txt
    title: Beta Blog
    publisher: Beta
    published: 2026-03-10
    sha256: {sha_b}
    chrome: ["Menu"]
"""

FACTS_YAML = """\
facts:
  - id: rocket.launched
    statement: Acme launched Rocket One on March 3.
    kind: reported
    topic: rocket
    date: 2026-03-03
    subject: rocket-one
    attribute: vendor
    value: Acme
    sources:
      - source: alpha
        quote: "Acme launched Rocket One on March 3."
  - id: rocket.closed
    statement: Rocket One has no open weights.
    kind: reported
    topic: rocket
    subject: rocket-one
    attribute: weights
    value: closed
    sources:
      - source: alpha
        quote: "It is the first closed model from Acme Labs."
      - source: beta
        quote: "ships with no open weights at all"
  - id: rocket.benchmark
    statement: Acme says Rocket One leads the Hard benchmark by 12 points.
    kind: vendor-claim
    claimant: Acme
    topic: rocket
    sources:
      - source: alpha
        quote: "Acme claims Rocket One beats every rival [...] by 12 points."
  - id: rocket.plan
    statement: Keep a migration plan ready.
    kind: recommendation
    claimant: Beta
    topic: advice
    review_by: 2026-04-01
    sources:
      - source: beta
        quote: "Developers should keep a migration plan ready"
"""

CONF = """\
extensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]
html_theme = "furo"
tracefacts_root = ".."
tracefacts_today = "2026-11-23"
exclude_patterns = ["_build"]
"""

PAGES = {
    "index.md": """\
        # Rocket handbook

        {fact}`rocket.launched`

        Acme has not opened the weights. {cite-fact}`rocket.closed`

        ```{editorial}
        We think this is a turning point, and we say so in our own words.
        ```

        ```{toctree}
        :glob:
        claims
        advice
        table
        matrix
        sources/*
        ```
        """,
    "claims.md": """\
        # Claims

        {fact}`rocket.benchmark`
        """,
    "advice.md": """\
        # Advice

        ```{fact-list}
        :kind: recommendation
        ```
        """,
    "table.md": """\
        # Table

        ```{fact-table}
        :attributes: vendor weights licence
        :labels: rocket-one=Rocket One
        ```

        ```{timeline}
        ```
        """,
    "matrix.md": """\
        # Matrix

        ```{trace-matrix}
        ```
        """,
}


@dataclass
class Handbook:
    root: Path

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def out(self) -> Path:
        return self.docs / "_build" / "html"

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def pin(self) -> None:
        sha_a = hashlib.sha256((self.root / "seeds/a.txt").read_bytes()).hexdigest()
        sha_b = hashlib.sha256((self.root / "seeds/b.txt").read_bytes()).hexdigest()
        self.write("facts/sources.yaml", SOURCES_YAML.format(sha_a=sha_a, sha_b=sha_b))

    def build(self, *extra: str, out: Path | None = None,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", *extra,
               str(self.docs), str(out or self.out)]
        return subprocess.run(cmd, capture_output=True, text=True, cwd=self.root, env=env)

    def html(self, page: str) -> str:
        return (self.out / page).read_text(encoding="utf-8")


@pytest.fixture
def handbook(tmp_path: Path) -> Handbook:
    book = Handbook(tmp_path / "book")
    book.write("seeds/a.txt", SOURCE_A)
    book.write("seeds/b.txt", SOURCE_B)
    book.pin()
    book.write("facts/rocket.yaml", FACTS_YAML)
    book.write("docs/conf.py", CONF)
    for name, text in PAGES.items():
        book.write(f"docs/{name}", textwrap.dedent(text))
    return book
