"""The gate reaches as far as the output does.

- a fact counts as shown on a page only if this builder writes it there (`only`, `ifconfig`);
- an id a citation links to names one place in a one-page output too (singlehtml, the PDF);
- nothing outside the handbook folder reaches the output through Sphinx's own directives;
- a source title holding direction controls cannot reorder the <title> or the navigation.
"""

from __future__ import annotations

import os
import re
import textwrap
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.slow

FSI, PDI = "\u2068", "\u2069"


class _Cells(HTMLParser):
    """The rows of the tables and definition lists of one class, as texts; <title> and <h1> texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, set[str]]] = []
        self.rows: list[list[str]] = []  # trace matrix body rows
        self.summary: list[str] = []  # dt, dd, dt, dd ... of the matrix summary
        self.titles: list[str] = []
        self.h1: list[str] = []
        self.text: list[str] | None = None

    def _inside(self, tag: str, cls: str | None = None) -> bool:
        return any(t == tag and (cls is None or cls in c) for t, c in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag in ("meta", "link", "img", "br", "hr", "input"):
            return
        self.stack.append((tag, classes))
        if tag == "tr" and self._inside("table", "tf-trace-matrix") and self._inside("tbody"):
            self.rows.append([])
        if tag in ("td", "dt", "dd", "title", "h1"):
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            top, _ = self.stack.pop()
            if top == tag:
                break
        if self.text is None:
            return
        value = " ".join("".join(self.text).split())
        if tag == "td" and self._inside("table", "tf-trace-matrix"):
            self.rows[-1].append(value)
        elif tag in ("dt", "dd") and self._inside("dl", "tf-matrix-summary"):
            self.summary.append(value.rstrip(":"))
        elif tag == "title":
            self.titles.append("".join(self.text))
        elif tag == "h1":
            self.h1.append("".join(self.text).rstrip("#¶ \n"))
        else:
            return
        self.text = None

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def read(html: str) -> _Cells:
    cells = _Cells()
    cells.feed(html)
    return cells


def shown_on(book, out=None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Fact id (first word of the first cell) -> its "Shown on" cell, as the written matrix says."""
    matrix = read(((out or book.out) / "matrix.html").read_text(encoding="utf-8"))
    return {row[0].split()[0]: row[3] for row in matrix.rows}


def facts_on_no_page(book) -> str:  # type: ignore[no-untyped-def]
    summary = read(book.html("matrix.html")).summary
    return dict(zip(summary[::2], summary[1::2], strict=True))["Facts on no page"]


def warnings(result, code: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return re.findall(rf"^(\S*): WARNING: {re.escape(code)}: (.*)$", result.stderr, re.M)


def page(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --- finding 10: what `only` and `ifconfig` leave out is not shown ----------------------------------

IFCONFIG = 'extensions = ["myst_parser", "sphinx_design", "sphinx.ext.ifconfig", "tracefacts.sphinx"]\n'


@pytest.mark.parametrize(("directive", "condition", "drawn"), [
    ("only", "latex", False),
    ("only", "html", True),
    ("ifconfig", "False", False),
    ("ifconfig", "builder == 'html'", True),
])
def test_the_matrix_counts_only_what_this_builder_draws(handbook, directive, condition, drawn):
    handbook.write("docs/conf.py", (handbook.docs / "conf.py").read_text() + IFCONFIG)
    # rocket.benchmark is shown by a role, rocket.plan by a view: both only here, both under the condition
    handbook.write("docs/claims.md", page(f"""
        # Claims

        ````{{{directive}}} {condition}
        {{fact}}`rocket.benchmark`

        ```{{fact-list}}
        :kind: recommendation
        ```
        ````
        """))
    handbook.write("docs/advice.md", "# Advice\n\n{fact}`rocket.launched`\n")
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    claims = handbook.html("claims.html")
    assert ("Acme says Rocket One leads" in claims) is drawn  # Sphinx's own verdict
    assert ("Keep a migration plan ready" in claims) is drawn
    shown = shown_on(handbook)
    assert shown["rocket.benchmark"] == shown["rocket.plan"] == ("Claims" if drawn else "none")
    assert facts_on_no_page(handbook) == ("0" if drawn else "2: rocket.benchmark, rocket.plan")


def test_a_tag_that_changes_what_a_page_draws_reads_the_page_again(handbook):
    handbook.write("docs/claims.md", "# Claims\n\n```{only} print\n{fact}`rocket.benchmark`\n```\n")
    assert handbook.build().returncode == 0
    assert shown_on(handbook)["rocket.benchmark"] == "none"
    # The same doctrees, now with the tag: the page draws the fact, and the matrix says so.
    result = handbook.build("-t", "print")
    assert result.returncode == 0, result.stderr
    assert "Acme says Rocket One leads" in handbook.html("claims.html")
    assert shown_on(handbook)["rocket.benchmark"] == "Claims"
    assert handbook.build().returncode == 0
    assert shown_on(handbook)["rocket.benchmark"] == "none"


# --- finding 11: ids that citations link to are unique in one-page outputs too ---------------------


def _rename_closed(book) -> None:  # type: ignore[no-untyped-def]
    """Fact `rocket.closed` becomes `rocket-closed`: its quote anchor is then `q-rocket-closed`."""
    facts = (book.root / "facts/rocket.yaml").read_text().replace("id: rocket.closed", "id: rocket-closed")
    book.write("facts/rocket.yaml", facts)
    index = (book.docs / "index.md").read_text().replace("`rocket.closed`", "`rocket-closed`")
    book.write("docs/index.md", index)


def test_a_label_equal_to_a_quote_anchor_fails_the_one_page_build(handbook):
    _rename_closed(handbook)
    handbook.write("docs/claims.md", page("""
        # Claims

        (q-rocket-closed)=
        ## Background

        {fact}`rocket.benchmark`
        """))
    # Page by page, each id names one place: the label on claims.html, the quote on sources/alpha.html.
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    single = handbook.root / "single"
    result = handbook.build("-b", "singlehtml", out=single)
    # In the single page, both are there: a citation of rocket-closed would land on the section.
    assert (single / "index.html").read_text(encoding="utf-8").count('id="q-rocket-closed"') == 2
    assert result.returncode != 0
    found = warnings(result, "duplicate-anchor")
    assert any("'q-rocket-closed'" in message and "sources/alpha" in message for _, message in found), result.stderr
    assert any(loc.endswith("claims.md:3") or "claims" in loc for loc, _ in found), found
    # and again on the next build (the single page is assembled, and checked, by every build)
    again = handbook.build("-b", "singlehtml", out=single)
    assert again.returncode != 0 and warnings(again, "duplicate-anchor"), again.stderr


def test_pages_sharing_a_section_name_build_one_page(handbook):
    """Two pages' "Background" sections share an id in singlehtml: no citation lands there, no problem."""
    for name, fact in (("claims", "rocket.benchmark"), ("advice", "rocket.plan")):
        handbook.write(f"docs/{name}.md", f"# {name.title()}\n\n## Background\n\n{{fact}}`{fact}`\n")
    single = handbook.root / "single"
    result = handbook.build("-b", "singlehtml", out=single)
    assert result.returncode == 0, result.stderr
    assert (single / "index.html").read_text(encoding="utf-8").count('id="background"') == 2


# --- finding 8: nothing from outside the handbook folder reaches the output -------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5d6b4e30000000049454e44ae426082")

ROUTES = {
    "literalinclude": "```{literalinclude} ../../outside/secret.txt\n```\n",
    "include": "```{include} ../../outside/secret.txt\n:literal:\n```\n",
    "raw file": "```{raw} html\n:file: ../../outside/secret.txt\n```\n",
    "image": "```{image} ../../outside/secret.png\n```\n",
    "figure": "```{figure} ../../outside/secret.png\n```\n",
    "download": "```{editorial}\n{download}`the file <../../outside/secret.txt>`\n```\n",
}


@pytest.fixture
def outside(handbook):  # type: ignore[no-untyped-def]
    """A folder beside the handbook, not in it."""
    folder = handbook.root.parent / "outside"
    (folder / "pages").mkdir(parents=True)
    (folder / "secret.txt").write_text("SECRET-BYTES\n", encoding="utf-8")
    (folder / "secret.png").write_bytes(PNG)
    (folder / "pages" / "evil.md").write_text("---\norphan: true\n---\n# Evil\n\n{fact}`rocket.plan`\n",
                                              encoding="utf-8")
    return folder


def _outside_warnings(result, name: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(loc, m) for loc, m in warnings(result, "outside-root")
            if name in m and "outside the handbook folder" in m]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_file_outside_the_handbook_fails_the_build(handbook, outside, route):
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.benchmark`\n\n" + ROUTES[route])
    result = handbook.build()
    assert result.returncode != 0
    found = _outside_warnings(result, "secret.")
    assert found, result.stderr
    assert any(re.search(r"claims\.md:[56]$", loc) for loc, _ in found), found  # the line naming the file


@pytest.mark.parametrize("link", ["docs/evil.md", "docs/out"])
def test_a_page_that_is_a_link_out_of_the_handbook_fails_the_build(handbook, outside, link):
    target = outside / "pages" / "evil.md" if link.endswith(".md") else outside / "pages"
    os.symlink(target, handbook.root / link)
    result = handbook.build()
    assert result.returncode != 0
    assert _outside_warnings(result, str(outside / "pages" / "evil.md")), result.stderr


def test_an_outside_file_fails_every_build_until_it_is_gone(handbook, outside):
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.benchmark`\n\n" + ROUTES["literalinclude"])
    assert _outside_warnings(handbook.build(), "secret.txt")
    again = handbook.build()  # nothing changed: the page is not read again, its problem still fails the build
    assert again.returncode != 0 and _outside_warnings(again, "secret.txt"), again.stderr
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.benchmark`\n")
    fixed = handbook.build()
    assert fixed.returncode == 0, fixed.stderr


def test_files_inside_the_handbook_are_fine(handbook, outside):
    handbook.write("notes.txt", "A note kept beside the handbook.\n")
    handbook.write("README.md", "{fact}`rocket.plan`\n")
    (handbook.docs / "pic.png").write_bytes(PNG)
    handbook.write("docs/claims.md", page("""
        # Claims

        {fact}`rocket.benchmark`

        ```{literalinclude} ../notes.txt
        :language: text
        ```

        ```{include} ../README.md
        ```

        ```{image} pic.png
        ```
        """))
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    assert "A note kept beside the handbook." in handbook.html("claims.html")


# --- finding 15: a source title cannot reorder the text around it -----------------------------------


@pytest.mark.parametrize(("title", "written"), [
    ("Beta \u202eBlog", FSI + "Beta \u202eBlog" + PDI),
    # its own stray PDI would close a single FSI early and let the override out
    ("Beta \u2069\u202eBlog", FSI + FSI + "Beta \u2069\u202eBlog" + PDI),
    # its own unclosed isolate would keep ours open past the title
    ("Beta \u2067Blog", FSI + "Beta \u2067Blog" + PDI + PDI),
    ("مدونة بيتا", FSI + "مدونة بيتا" + PDI),  # right-to-left: its direction stays inside the title
    ("Beta Blog", "Beta Blog"),  # nothing that could reorder: exactly as registered
])
def test_a_source_title_is_isolated_where_no_element_can_isolate_it(handbook, title, written):
    sources = (handbook.root / "facts/sources.yaml").read_text(encoding="utf-8")
    escaped = title.encode("unicode_escape").decode("ascii")
    handbook.write("facts/sources.yaml", sources.replace("title: Beta Blog", f'title: "{escaped}"'))
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    beta = read(handbook.html("sources/beta.html"))
    assert beta.titles[0].startswith(written + " "), beta.titles  # "<title> - Rocket handbook ..."
    assert beta.h1 == [written]
    index = handbook.html("index.html")  # the navigation: the toctree lists the source page
    assert f">{written}</a>" in index
