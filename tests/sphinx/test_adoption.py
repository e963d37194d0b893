"""An existing doc set adopts tracefacts: a reStructuredText project without MyST, and the
every-sentence rule applied page by page."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REST_CONF = """\
extensions = ["tracefacts.sphinx"]
tracefacts_root = ".."
tracefacts_today = "2026-11-23"
exclude_patterns = ["_build"]
"""

REST_PAGES = {
    "index.rst": """\
        Rocket handbook
        ===============

        :fact:`rocket.launched`

        Acme has not opened the weights. :cite-fact:`rocket.closed`

        .. editorial::

           We think this is a turning point, and we say so in our own words.

        .. toctree::

           claims
           views
        """,
    "claims.rst": """\
        Claims
        ======

        :fact:`rocket.benchmark`
        """,
    "views.rst": """\
        Views
        =====

        .. fact-list::
           :kind: recommendation

        .. fact-table::
           :attributes: vendor weights
           :labels: rocket-one=Rocket One

        .. timeline::

        .. trace-matrix::

        .. fact-summary::
        """,
}


@pytest.fixture
def rest_book(handbook):  # type: ignore[no-untyped-def]
    """The small handbook's fact base, with pages in reStructuredText and no MyST at all."""
    for page in handbook.docs.glob("*.md"):
        page.unlink()
    handbook.write("docs/conf.py", REST_CONF)
    for name, text in REST_PAGES.items():
        handbook.write(f"docs/{name}", textwrap.dedent(text))
    return handbook


def test_a_rest_project_without_myst_builds_strict_with_its_source_pages(rest_book):
    book = rest_book
    result = book.build()
    assert result.returncode == 0, result.stderr
    assert "myst" not in (book.docs / "conf.py").read_text()
    index = book.html("index.html")
    # the citation links land on the highlighted quote of the source's page
    targets = set(re.findall(r'href="(sources/[^"#]+)#([^"]+)"', index))
    assert ("sources/alpha.html", "q-rocket.launched") in targets
    for page, anchor in targets:
        assert f'id="{anchor}"' in book.html(page), (page, anchor)
    assert "Acme launched Rocket One on March 3." in book.html("sources/alpha.html")
    views = book.html("views.html")
    assert "Keep a migration plan ready." in views and "Rocket One" in views
    assert not (book.docs / "sources").exists()


def test_the_hint_of_a_rest_page_is_in_rest_and_of_a_markdown_page_in_myst(rest_book):
    book = rest_book
    conf = book.docs / "conf.py"
    conf.write_text(conf.read_text().replace('["tracefacts.sphinx"]', '["myst_parser", "tracefacts.sphinx"]'))
    book.write("docs/claims.rst", "Claims\n======\n\nAcme is bold.\n")
    book.write("docs/views.md", "# Views\n\nAcme is bolder.\n")
    result = book.build()
    assert result.returncode != 0
    (rest,) = [line for line in result.stderr.splitlines() if "'Acme is bold.' carries no fact" in line]
    (myst,) = [line for line in result.stderr.splitlines() if "'Acme is bolder.' carries no fact" in line]
    assert "cite one with :cite-fact:`id`, show one with :fact:`id`" in rest and "``.. editorial::``" in rest
    assert "{cite-fact}" not in rest
    assert "cite one with {cite-fact}`id`, show one with {fact}`id`" in myst and "```{editorial}```" in myst


def _with_an_unsourced_page(book,  # type: ignore[no-untyped-def]
                             conf_line: str, notes: str) -> subprocess.CompletedProcess[str]:
    conf = book.docs / "conf.py"
    conf.write_text(conf.read_text() + conf_line)
    book.write("docs/notes.rst", notes)
    index = book.docs / "index.rst"
    index.write_text(index.read_text().replace("   views\n", "   views\n   notes\n"))
    return book.build()


NOTES = "Notes\n=====\n\nOur own words, with no fact behind them.\n\n:fact:`rocket.plan`\n"


def test_only_the_pages_named_by_tracefacts_sourced_pages_must_source_every_sentence(rest_book):
    book = rest_book
    result = _with_an_unsourced_page(book, 'tracefacts_sourced_pages = ["index", "claims", "views"]\n', NOTES)
    assert result.returncode == 0, result.stderr
    assert "Keep a migration plan ready." in book.html("notes.html")  # facts work on every page


def test_every_page_is_held_to_the_rule_by_default(rest_book):
    book = rest_book
    result = _with_an_unsourced_page(book, "", NOTES)
    assert result.returncode != 0
    assert "notes.rst:4: WARNING: unsourced-sentence: 'Our own words, with no fact behind them.'" in result.stderr


def test_a_page_opts_out_or_in_by_its_own_metadata(rest_book):
    book = rest_book
    result = _with_an_unsourced_page(book, "", ":tracefacts-sourced: false\n\n" + NOTES)
    assert result.returncode == 0, result.stderr


def test_a_page_outside_the_globs_that_asks_for_the_rule_gets_it(rest_book):
    result = _with_an_unsourced_page(rest_book, 'tracefacts_sourced_pages = ["index"]\n',
                                     ":tracefacts-sourced: yes\n\n" + NOTES)
    assert result.returncode != 0
    assert "unsourced-sentence: 'Our own words, with no fact behind them.'" in result.stderr


def test_a_markdown_page_opts_out_in_its_front_matter(handbook):
    handbook.write("docs/notes.md", "---\ntracefacts-sourced: false\n---\n\n# Notes\n\nOur own words.\n")
    index = handbook.docs / "index.md"
    index.write_text(index.read_text().replace("matrix\n", "matrix\nnotes\n"))
    result = handbook.build()
    assert result.returncode == 0, result.stderr


def test_a_switch_that_is_neither_true_nor_false_is_a_problem_and_the_page_is_checked(rest_book):
    book = rest_book
    result = _with_an_unsourced_page(book, "", ":tracefacts-sourced: sometimes\n\n" + NOTES)
    assert result.returncode != 0
    assert "tracefacts-sourced: 'sometimes' is neither true nor false" in result.stderr
    assert "unsourced-sentence: 'Our own words, with no fact behind them.'" in result.stderr


@pytest.mark.parametrize("value", ["[1]", "5"])
def test_a_wrong_sourced_pages_setting_is_a_warning_not_a_traceback(rest_book, value):
    book = rest_book
    conf = book.docs / "conf.py"
    conf.write_text(conf.read_text() + f"tracefacts_sourced_pages = {value}\n")
    result = book.build()
    assert "Traceback" not in result.stderr
    assert f"tracefacts_sourced_pages = {value} is not a list of page-name globs" in result.stderr


def test_the_real_handbook_builds_without_writing_into_docs(tmp_path):
    docs = Path(__file__).resolve().parents[2] / "docs"
    before = {p: p.stat().st_mtime_ns for p in docs.rglob("*") if "_build" not in p.parts}
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
                             str(docs), str(tmp_path / "html")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    after = {p: p.stat().st_mtime_ns for p in docs.rglob("*") if "_build" not in p.parts}
    assert after == before


@pytest.mark.parametrize(("pattern", "hint"), [
    ("notes.rst", "page names have no suffix: write 'notes'"),
    ("Notes", "page names are written as in a toctree"),
    ("", "page names are written as in a toctree"),
])
def test_a_sourced_pages_glob_that_names_no_page_is_said(rest_book, pattern, hint):
    first = _with_an_unsourced_page(rest_book, f"tracefacts_sourced_pages = ['index', {pattern!r}]\n", NOTES)
    second = rest_book.build()  # nothing changed: nothing is read again, and it fails again
    for result in (first, second):
        assert result.returncode != 0
        assert (f"WARNING: tracefacts_sourced_pages: {pattern!r} names no page, so the sourcing rule applies to "
                f"no page through it; {hint}") in result.stderr
