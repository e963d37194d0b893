"""The gate: a green strict build means every claim a reader sees is traceable.

- a problem found while reading a page fails every later build until the page or the
  fact base changes (incremental or full, -j 1 or -j 2);
- every text a reader sees is held to the sourcing rule, not only paragraphs;
- a fact counts as shown on a page only where a view or role really draws it.
"""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.slow

MYST = 'myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]\n'


# --- a small DOM, to read what the written pages show -------------------------------------------


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Element | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw_text() for c in self.children)

    def text(self) -> str:
        return " ".join(self.raw_text().split())

    def find_all(self, tag: str, cls: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag and (cls is None or cls in child.classes):
                    found.append(child)
                found += child.find_all(tag, cls)
        return found


VOID = {"meta", "link", "img", "br", "hr", "input", "source", "col", "area", "base", "wbr", "embed", "track"}


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.at = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Element(tag, {k: v or "" for k, v in attrs}, self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_endtag(self, tag: str) -> None:
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data: str) -> None:
        self.at.children.append(data)


def dom(html: str) -> Element:
    tree = _Tree()
    tree.feed(html)
    return tree.root


def matrix_rows(book) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Fact id -> the text of its "Shown on" cell, as the written matrix shows it."""
    (table,) = dom(book.html("matrix.html")).find_all("table", "tf-trace-matrix")
    rows = {}
    for row in table.find_all("tbody")[0].find_all("tr"):
        cells = row.find_all("td")
        rows[cells[0].find_all("code")[0].text()] = cells[3].text()
    return rows


def facts_on_no_page(book) -> str:  # type: ignore[no-untyped-def]
    (summary,) = dom(book.html("matrix.html")).find_all("dl", "tf-matrix-summary")
    names = [n.text().rstrip(":") for n in summary.find_all("dt")]
    values = [v.text() for v in summary.find_all("dd")]
    return dict(zip(names, values, strict=True))["Facts on no page"]


def page(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def warnings(result, code: str) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(rf"^(\S+): WARNING: {re.escape(code)}: (.*)$", result.stderr, re.M)


# --- 2. a problem fails every build that has it ---------------------------------------------------

PROBLEMS = {
    "figure in a cited sentence": (
        "# Claims\n\nAcme spent 999 billion dollars on Rocket One. {cite-fact}`rocket.launched`\n",
        "figure-not-in-quote", r"claims\.md:3",
        "# Claims\n\nAcme launched Rocket One. {cite-fact}`rocket.launched`\n"),
    "unknown fact in a citation": (
        "# Claims\n\nRocket One is closed. {cite-fact}`rocket.closed,rocket.nope`\n",
        "unknown-fact", r"claims\.md:3",
        "# Claims\n\nRocket One is closed. {cite-fact}`rocket.closed`\n"),
    "unknown fact in :ids:": (
        "# Claims\n\n```{fact-list}\n:ids: rocket.benchmark rocket.nope\n```\n",
        "unknown-fact", r"claims\.md:3",
        "# Claims\n\n```{fact-list}\n:ids: rocket.benchmark\n```\n"),
}


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("case", sorted(PROBLEMS))
def test_a_page_problem_fails_every_build_until_the_page_is_fixed(handbook, case, jobs):
    bad, code, where, good = PROBLEMS[case]
    handbook.write("docs/claims.md", bad)
    for attempt in ("first build", "second build, nothing changed"):
        result = handbook.build("-j", jobs)
        assert result.returncode != 0, f"{attempt} passed:\n{result.stderr}"
        assert any(re.fullmatch(rf".*{where}", loc) for loc, _ in warnings(result, code)), \
            f"{attempt}: no {code} at {where}:\n{result.stderr}"
        assert "other page problem(s) on claims (1)" in result.stderr  # the strict summary counts it
    # a full rebuild from the kept environment reports it as well
    result = handbook.build("-j", jobs, "-a")
    assert result.returncode != 0 and warnings(result, code), result.stderr
    handbook.write("docs/claims.md", good)
    for attempt in ("fixed", "fixed, again"):
        result = handbook.build("-j", jobs)
        assert result.returncode == 0, f"{attempt}:\n{result.stderr}"


def test_a_kept_problem_goes_when_the_fact_base_fixes_it(handbook):
    handbook.write("docs/claims.md", "# Claims\n\nRocket One is closed. {cite-fact}`rocket.closed,rocket.open`\n")
    assert handbook.build().returncode != 0
    assert handbook.build().returncode != 0
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    handbook.write("facts/rocket.yaml", facts + textwrap.indent(page("""
        - id: rocket.open
          statement: Rocket One is not open.
          kind: reported
          topic: rocket
          sources:
            - source: beta
              quote: "ships with no open weights at all"
        """), "  "))
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    assert "rocket.open" in handbook.html("claims.html")  # the page was read again: the citation is drawn


def test_a_kept_problem_still_obeys_suppress_warnings(handbook):
    handbook.write("docs/conf.py", (handbook.docs / "conf.py").read_text()
                   + 'suppress_warnings = ["tracefacts.empty-view"]\n')
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.benchmark`\n\n```{fact-list}\n:kind: opinion\n```\n")
    for _ in range(2):
        result = handbook.build()
        assert result.returncode == 0, result.stderr
        assert "empty-view" not in result.stderr


# --- 3. every sentence a reader sees is checked ---------------------------------------------------

# (page body, expected code, what the warning quotes, line)
UNSOURCED = {
    "words before a {fact}, after a full stop": (
        "Acme lost 500 million dollars on Rocket One. {fact}`rocket.launched`\n",
        "unsourced-sentence", "Acme lost 500 million dollars on Rocket One.", 3),
    "words beside a {fact} in one sentence": (
        "In 2031, with 99 partners, {fact}`rocket.launched`\n",
        "unsourced-sentence", "In 2031, with 99 partners,", 3),
    "words after a {fact}": (
        "{fact}`rocket.launched` and it sold 500 units.\n",
        "unsourced-sentence", "and it sold 500 units.", 3),
    "a definition-list term": (
        "Acme lost 500 million dollars\n: Rocket One is closed. {cite-fact}`rocket.closed`\n",
        "unsourced-sentence", "Acme lost 500 million dollars", 3),
    "a definition": (
        "Rocket One\n: Acme lost 500 million dollars on it.\n",
        "unsourced-sentence", "Acme lost 500 million dollars on it.", 4),
    "a line block": (
        "```{eval-rst}\n| Acme lost 500 million dollars\n| on Rocket One.\n```\n",
        "unsourced-sentence", "Acme lost 500 million dollars on Rocket One.", 4),
    "a figure caption": (
        "```{figure} rocket.png\nAcme lost 500 million dollars on Rocket One.\n```\n",
        "unsourced-sentence", "Acme lost 500 million dollars on Rocket One.", 4),
    "a table body cell": (
        "| Model | Note |\n|---|---|\n| Rocket One | Acme lost 500 million dollars. |\n",
        "unsourced-sentence", "Acme lost 500 million dollars.", 3),
    "a field body": (
        ":Rocket One: Acme lost 500 million dollars.\n",
        "unsourced-sentence", "Acme lost 500 million dollars.", 3),
    "a card body": (
        "```{card} Rocket One\nAcme lost 500 million dollars.\n```\n",
        "unsourced-sentence", "Acme lost 500 million dollars.", 4),
    "an admonition body": (
        "```{note}\nAcme lost 500 million dollars.\n```\n",
        "unsourced-sentence", "Acme lost 500 million dollars.", 4),
    # headings need no citation, but their figures must stand in a fact shown under them
    "a section title": (
        "## Rocket One lost 500 million dollars\n\n{fact}`rocket.launched`\n",
        "figure-not-in-quote", "Rocket One lost 500 million dollars", 3),
    "an admonition title": (
        "```{admonition} Acme lost 500 million dollars\n{fact}`rocket.launched`\n```\n",
        "figure-not-in-quote", "Acme lost 500 million dollars", 3),
    "a card title": (
        "```{card} Acme lost 500 million dollars\n{fact}`rocket.launched`\n```\n",
        "figure-not-in-quote", "Acme lost 500 million dollars", 3),
    "a tab label": (
        "::::{tab-set}\n:::{tab-item} Acme lost 500 million dollars\n{fact}`rocket.launched`\n:::\n::::\n",
        "figure-not-in-quote", "Acme lost 500 million dollars", 3),
    "a dropdown title": (
        "```{dropdown} Acme lost 500 million dollars\n{fact}`rocket.launched`\n```\n",
        "figure-not-in-quote", "Acme lost 500 million dollars", 3),
    "a table header cell": (
        "| Lost 500 million | Launch |\n|---|---|\n| {fact}`rocket.closed` | {fact}`rocket.launched` |\n",
        "figure-not-in-quote", "Lost 500 million", 3),
    "a field name": (
        ":Lost in 2031: {fact}`rocket.launched`\n",
        "figure-not-in-quote", "Lost in 2031", 3),
    "a rubric": (
        "```{rubric} Acme lost 500 million dollars\n```\n\n{fact}`rocket.launched`\n",
        "figure-not-in-quote", "Acme lost 500 million dollars", 3),
    "a month in a heading": (
        "## Rocket One, launched in June\n\n{fact}`rocket.launched`\n",
        "figure-not-in-quote", "Rocket One, launched in June", 3),
}


@pytest.mark.parametrize("case", sorted(UNSOURCED))
def test_every_text_a_reader_sees_is_held_to_the_rule(handbook, case):
    body, code, quoted, line = UNSOURCED[case]
    handbook.write("docs/conf.py", (handbook.docs / "conf.py").read_text() + MYST)
    handbook.write("docs/claims.md", "# Claims\n\n" + body)
    result = handbook.build()
    assert result.returncode != 0, result.stderr
    found = warnings(result, code)
    assert any(loc.endswith(f"claims.md:{line}") and repr(quoted) in message for loc, message in found), \
        f"no {code} quoting {quoted!r} at line {line}:\n{result.stderr}"


def test_cited_and_supported_text_passes_everywhere(handbook):
    """The same constructs, each sentence cited and each heading's figures shown under it."""
    handbook.write("docs/conf.py", (handbook.docs / "conf.py").read_text() + MYST)
    handbook.write("docs/claims.md", page("""
        # Claims

        ## Rocket One, 3 March 2026

        {fact}`rocket.launched`

        Acme launched Rocket One on March 3. {cite-fact}`rocket.launched` {fact}`rocket.closed`

        Rocket One is closed. {cite-fact}`rocket.closed`
        : It ships with no open weights. {cite-fact}`rocket.closed`

        ```{eval-rst}
        | Rocket One is
        | closed. :cite-fact:`rocket.closed`
        ```

        ```{figure} rocket.png
        Rocket One has no open weights. {cite-fact}`rocket.closed`
        ```

        | Launched on March 3 | Weights |
        |---|---|
        | {fact}`rocket.launched` | Closed. {cite-fact}`rocket.closed` |

        :Launch, March 2026: {fact}`rocket.launched`

        ```{admonition} Acme's 12 points
        {fact}`rocket.benchmark`
        ```

        ```{card} Alpha News, 4 March 2026
        {fact}`rocket.launched`
        ```

        ::::{tab-set}
        :::{tab-item} March 3
        {fact}`rocket.launched`
        :::
        ::::

        ```{dropdown} Beta, 10 March 2026
        {fact}`rocket.plan`
        ```

        ```{editorial}
        Anything goes here: 500 million dollars in 2031.
        ```

        ## What the timeline says of 3 March

        ```{timeline}
        ```
        """))
    handbook.write("docs/rocket.png", "")
    result = handbook.build()
    assert result.returncode == 0, result.stderr


def test_a_heading_figure_rests_on_a_fact_its_view_draws_and_follows_it(handbook):
    handbook.write("docs/claims.md", page("""
        # Claims

        ## Acme's 12 points

        ```{fact-list}
        :ids: rocket.benchmark
        ```
        """))
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    # the quote no longer holds the figure: the heading must be checked again, and fail
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    handbook.write("facts/rocket.yaml", facts
                   .replace("statement: Acme says Rocket One leads the Hard benchmark by 12 points.",
                            "statement: Acme says Rocket One leads the Hard benchmark.")
                   .replace('quote: "Acme claims Rocket One beats every rival [...] by 12 points."',
                            'quote: "Acme claims Rocket One beats every rival on the Hard benchmark"'))
    result = handbook.build()
    assert result.returncode != 0
    assert any(loc.endswith("claims.md:3") and "'12'" in message
               for loc, message in warnings(result, "figure-not-in-quote")), result.stderr


# --- 4. the trace matrix says what is really on the page ------------------------------------------


def test_a_fact_table_without_attributes_draws_and_shows_nothing(handbook):
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.launched`\n")  # rocket.benchmark nowhere else
    handbook.write("docs/table.md", "# Table\n\n```{fact-table}\n:ids: rocket.benchmark rocket.closed\n```\n")
    result = handbook.build()
    assert result.returncode != 0
    assert any(loc.endswith("table.md:3") and ":attributes:" in message
               for loc, message in warnings(result, "empty-view")), result.stderr
    assert dom(handbook.html("table.html")).find_all("table") == []
    shown = matrix_rows(handbook)
    assert shown["rocket.benchmark"] == "none"
    assert shown["rocket.closed"] == "Rocket handbook"  # cited on the index, not drawn on the table page
    assert facts_on_no_page(handbook) == "1: rocket.benchmark"


@pytest.mark.parametrize(("fact_id", "why"), [
    ("rocket.benchmark", "it has no subject"),
    ("rocket.closed", "its attribute `weights` is not one of the table's :attributes:"),
])
def test_a_fact_a_table_cannot_draw_is_a_warning_and_not_shown(handbook, fact_id, why):
    other = ({"rocket.benchmark", "rocket.closed"} - {fact_id}).pop()  # shown elsewhere: only fact_id is not
    handbook.write("docs/claims.md", f"# Claims\n\n{{fact}}`{other}`\n")
    handbook.write("docs/index.md", (handbook.docs / "index.md").read_text()
                   .replace("Acme has not opened the weights. {cite-fact}`rocket.closed`\n", ""))
    handbook.write("docs/table.md", f"# Table\n\n```{{fact-table}}\n:attributes: vendor\n"
                                    f":ids: rocket.launched {fact_id}\n```\n")
    result = handbook.build()
    assert result.returncode != 0
    assert any(loc.endswith("table.md:3") and f"`{fact_id}`" in message and why in message
               for loc, message in warnings(result, "fact-not-drawn")), result.stderr
    (table,) = dom(handbook.html("table.html")).find_all("table", "tf-fact-table")
    rows = [r.text() for r in table.find_all("tbody")[0].find_all("tr")]
    assert len(rows) == 1 and rows[0].startswith("rocket-one Acme"), rows  # no empty subject row
    shown = matrix_rows(handbook)
    assert shown[fact_id] == "none"
    assert shown["rocket.launched"] == "Rocket handbook, Table"
    assert facts_on_no_page(handbook) == f"1: {fact_id}"
    # give the fact what the table needs: the page is read again and the warning goes
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    marker = f"  - id: {fact_id}\n"
    fixed = re.sub(rf"({re.escape(marker)}(?:    .*\n)*?)    subject: .*\n    attribute: .*\n", r"\1", facts)
    fixed = fixed.replace(marker, marker + "    subject: rocket-one\n    attribute: vendor\n")
    handbook.write("facts/rocket.yaml", fixed)
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    assert matrix_rows(handbook)[fact_id] == "Table"


def test_a_timeline_asked_for_an_undated_fact_says_so_and_does_not_show_it(handbook):
    handbook.write("docs/table.md", "# Table\n\n```{timeline}\n:ids: rocket.launched rocket.benchmark\n```\n")
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.plan`\n")
    result = handbook.build()
    assert result.returncode != 0
    assert any(loc.endswith("table.md:3") and "`rocket.benchmark`: it has no date" in message
               for loc, message in warnings(result, "fact-not-drawn")), result.stderr
    (table,) = dom(handbook.html("table.html")).find_all("table", "tf-timeline")
    assert [r.find_all("td")[0].text() for r in table.find_all("tbody")[0].find_all("tr")] == ["3 March 2026"]
    assert matrix_rows(handbook)["rocket.benchmark"] == "none"
