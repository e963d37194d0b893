"""Every id on a written page is unique, so a citation lands on its own quote and no other."""

from __future__ import annotations

import collections
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

# `rocket.closed` (of the fixture) quotes alpha, then beta: its second quote is on beta's page.
# `rocket.closed-1` quotes beta too. With `-<index>` as the quote suffix both anchors were
# `q-rocket.closed-1`, and both citations landed on (and highlighted) the first of them.
NEIGHBOUR = """\
facts:
  - id: rocket.closed-1
    statement: Rocket One comes from Acme Labs.
    kind: reported
    topic: lineage
    sources:
      - source: beta
        quote: "Rocket One, from Acme Labs,"
"""


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [value for name, value in attrs if name == "id" and value is not None]


def repeated_ids(page: Path) -> list[str]:
    parser = _Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return sorted(i for i, n in collections.Counter(parser.ids).items() if n > 1)


def _quote_at(page_html: str, anchor: str) -> str:
    match = re.search(rf'<span class="tf-quote[^"]*" id="{re.escape(anchor)}">(.*?)</span>', page_html)
    assert match, f"no highlighted quote with id {anchor}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def test_quote_anchors_of_neighbouring_fact_ids_are_distinct(handbook):
    handbook.write("facts/lineage.yaml", NEIGHBOUR)
    handbook.write("docs/lineage.md", "# Lineage\n\n{fact}`rocket.closed-1`\n\nAcme has closed it. "
                   "{cite-fact}`rocket.closed`\n")
    index = handbook.root / "docs/index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("\nclaims\n", "\nclaims\nlineage\n"),
                     encoding="utf-8")
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    beta = handbook.html("sources/beta.html")
    assert repeated_ids(handbook.out / "sources/beta.html") == []
    # each citation marker of the lineage page lands on its own fact's words
    hrefs = re.findall(r'<a class="tf-cite[^"]*"[^>]*href="sources/beta\.html#([^"]+)"', handbook.html("lineage.html"))
    landed = {_quote_at(beta, anchor) for anchor in hrefs}
    assert landed == {"Rocket One, from Acme Labs,", "ships with no open weights at all"}
    assert len(set(hrefs)) == 2


def test_a_source_shown_twice_on_one_page_fails_the_build(handbook):
    handbook.write("docs/twice.md", "# Twice\n\n```{tracefacts-source} beta\n```\n\n"
                   "```{tracefacts-source} beta\n```\n")
    index = handbook.root / "docs/index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("\nclaims\n", "\nclaims\ntwice\n"),
                     encoding="utf-8")
    result = handbook.build()
    assert result.returncode != 0
    assert "duplicate-anchor" in result.stderr and "twice.md" in result.stderr
    assert "'beta-L3' is given twice" in result.stderr  # "Rocket One, from Acme Labs, …" is line 3


def test_no_page_of_the_fixture_handbook_repeats_an_id(handbook):
    assert handbook.build().returncode == 0
    pages = sorted(handbook.out.rglob("*.html"))
    assert len(pages) >= 8
    assert {str(p.relative_to(handbook.out)): repeated_ids(p) for p in pages if repeated_ids(p)} == {}


def test_no_page_of_the_real_handbook_repeats_an_id(real_handbook_html: Path):
    pages = sorted(real_handbook_html.rglob("*.html"))
    assert len(pages) >= 8
    assert {str(p.relative_to(real_handbook_html)): repeated_ids(p) for p in pages if repeated_ids(p)} == {}
