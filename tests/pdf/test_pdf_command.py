"""`tracefacts pdf`: any Sphinx project that uses tracefacts.sphinx, as a user runs it.

A small project is made in a temporary folder (its own facts, sources and conf.py), built
by the command, and the PDF is read back: what a user sees is what is asserted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pypdf  # the `pdf` extra, which `make test` installs: missing, these tests fail, never skip
import pytest
import weasyprint

from tracefacts.cli import main
from tracefacts.pdf import Briefing, MissingDependency, PdfBuildError, build_pdf, internal_links, prepare

REPO = Path(__file__).resolve().parents[2]
INSTALL = "pip install 'tracefacts[pdf]'"

SEED = """\
Rocket Gazette

Acme launched Rocket One on March 3. It is the first closed model from Acme Labs.

Developers should keep a migration plan ready, says the author.
"""
FACTS = """\
facts:
  - id: rocket.launched
    statement: Acme launched Rocket One on March 3.
    kind: reported
    topic: rocket
    date: 2026-03-03
    sources:
      - source: gazette
        quote: "Acme launched Rocket One on March 3."
  - id: rocket.closed
    statement: Rocket One is a closed model.
    kind: reported
    topic: rocket
    sources:
      - source: gazette
        quote: "It is the first closed model from Acme Labs."
"""
CONF = """\
project = "Rocket notes"
html_title = "Rocket notes briefing"
extensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]
exclude_patterns = ["_build"]
tracefacts_root = ".."
tracefacts_today = "2026-05-01"
# the glob brings in the extension's source pages; where they need none, it matches nothing
suppress_warnings = ["toc.empty_glob"]
"""
INDEX = """\
# Rocket notes

{fact}`rocket.launched`

Acme keeps the weights to itself. {cite-fact}`rocket.closed`

```{toctree}
:glob:

sources/*
```
"""


def make_project(root: Path) -> Path:
    """A handbook in ``root``: seeds/, facts/ and docs/ (a Sphinx project using the extension)."""
    for folder in ("seeds", "facts", "docs"):
        (root / folder).mkdir(parents=True)
    (root / "seeds" / "gazette.txt").write_text(SEED, encoding="utf-8")
    sha = hashlib.sha256(SEED.encode("utf-8")).hexdigest()
    (root / "facts" / "sources.yaml").write_text(
        "sources:\n  - id: gazette\n    file: seeds/gazette.txt\n    title: Rocket Gazette\n"
        f"    publisher: Gazette Press\n    published: 2026-03-04\n    sha256: {sha}\n", encoding="utf-8")
    (root / "facts" / "rocket.yaml").write_text(FACTS, encoding="utf-8")
    (root / "docs" / "conf.py").write_text(CONF, encoding="utf-8")
    (root / "docs" / "index.md").write_text(INDEX, encoding="utf-8")
    return root / "docs"


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def pdf_text(path: Path) -> str:
    return " ".join("\n".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages).split())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter: what a user's shell would show, traceback included."""
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


# ---------------------------------------------------------------------------------------
# A small project, built by the command
# ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_pdf_with_no_arguments_builds_docs_into_its_build_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "pdf")
    assert code == 0, err
    pdf = tmp_path / "docs" / "_build" / "pdf" / "rocket-notes-briefing.pdf"  # the html_title as a slug
    assert pdf.is_file()
    assert re.fullmatch(r"docs/_build/pdf/rocket-notes-briefing\.pdf: \d+ pages? in \d+\.\d s\n", out), out
    text = pdf_text(pdf)
    assert "Acme launched Rocket One on March 3." in text  # a fact's statement
    assert "It is the first closed model from Acme Labs." in text  # a quote, in its footnote
    assert "Rocket notes" in text and "As of March 2026" in text  # the cover
    assert "Appendix: the sources" in text and "Rocket Gazette" in text


@pytest.mark.slow
def test_pdf_writes_only_where_it_is_told(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """-o into a folder that does not exist yet creates it; the HTML goes to --html-dir; the
    project's folders get nothing (but the extension's own source pages, if it writes them)."""
    docs = make_project(tmp_path / "book")
    before = files_under(tmp_path)
    out_pdf = tmp_path / "out" / "new" / "brief.pdf"
    html = tmp_path / "html"
    code, out, err = run(capsys, "pdf", str(docs), "-o", str(out_pdf), "--html-dir", str(html), "-v")
    assert code == 0, err
    assert out_pdf.is_file() and (html / "tracefacts.json").is_file()
    assert "internal links checked" in out
    written = files_under(tmp_path) - before
    elsewhere = sorted(f for f in written if not f.startswith(("out/new/", "html/"))
                       and not fnmatch(f, "book/docs/sources/*.md"))  # the extension's generated pages
    assert elsewhere == []
    assert [f for f in written if f.startswith("out/")] == ["out/new/brief.pdf"]  # no partial file left behind
    assert "Acme launched Rocket One on March 3." in pdf_text(out_pdf)
    internal, dead = internal_links(out_pdf)
    assert internal > 0 and dead == []


def test_a_failed_build_says_why_escaped_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The message may quote a source (a Sphinx or WeasyPrint warning): it reaches the terminal
    escaped, its detail lines indented, as every other output of tracefacts does."""
    docs = make_project(tmp_path)

    def fails(*args: object, **kwargs: object) -> None:
        raise PdfBuildError("WeasyPrint reported 1 problem(s):\n  warning: a source said \x1b]0;pwned\x07\u202e")

    monkeypatch.setattr("tracefacts.pdf.build_pdf", fails)
    code, out, err = run(capsys, "pdf", str(docs))
    assert code == 1 and out == ""
    assert err.splitlines() == ["tracefacts pdf: WeasyPrint reported 1 problem(s):",
                                "    warning: a source said \\x1b]0;pwned\\x07\\u202e"]
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", err)


@pytest.mark.slow
def test_a_sphinx_warning_fails_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = make_project(tmp_path)
    (docs / "index.md").write_text(INDEX + "\nSee {doc}`nowhere`.\n", encoding="utf-8")
    code, out, err = run(capsys, "pdf", str(docs), "-o", str(tmp_path / "b.pdf"))
    assert code == 1 and out == ""
    assert err.startswith("tracefacts pdf: Sphinx failed (exit 1):\n") and "nowhere" in err
    assert not (tmp_path / "b.pdf").exists()


# ---------------------------------------------------------------------------------------
# What the pdf extra brings, and what happens without it
# ---------------------------------------------------------------------------------------

def test_without_weasyprint_one_line_says_what_to_install(tmp_path: Path) -> None:
    docs = make_project(tmp_path)
    proc = run_python("""
        import sys
        sys.modules["weasyprint"] = None  # as if the pdf extra were not installed
        from tracefacts.cli import main
        sys.exit(main(["pdf"]))
    """, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = proc.stderr.splitlines()
    assert line.startswith("tracefacts pdf: WeasyPrint is not installed") and INSTALL in line
    assert proc.stdout == ""
    assert not (docs / "_build").exists()  # it said so before building anything


def test_without_pango_one_line_says_what_to_install(tmp_path: Path) -> None:
    """WeasyPrint installed, the system's Pango not: its import raises OSError."""
    make_project(tmp_path)
    proc = run_python("""
        import sys

        class NoPango:
            def find_spec(self, name, path=None, target=None):
                if name == "weasyprint":
                    raise OSError("cannot load library 'libpango-1.0-0': error 0x7e.\\n  Additionally, more")

        sys.meta_path.insert(0, NoPango())
        from tracefacts.cli import main
        sys.exit(main(["pdf"]))
    """, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    [line] = proc.stderr.splitlines()
    assert "needs Pango from the operating system" in line and "apt install libpango-1.0-0" in line
    assert "cannot load library 'libpango-1.0-0'" in line


def test_without_pypdf_the_build_fails_and_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """The link check never silently does nothing: no pypdf, no PDF."""
    docs = make_project(tmp_path)
    monkeypatch.setitem(sys.modules, "pypdf", None)
    code, out, err = run(capsys, "pdf", str(docs))
    assert code == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith("tracefacts pdf: pypdf is not installed") and "link check" in line and INSTALL in line
    assert not list(tmp_path.rglob("*.pdf"))
    with pytest.raises(MissingDependency, match="pypdf is not installed"):
        build_pdf(docs, tmp_path / "api.pdf")
    with pytest.raises(MissingDependency, match=re.escape(INSTALL)):
        internal_links(tmp_path / "any.pdf")


def test_the_pdf_extra_brings_what_the_link_check_needs() -> None:
    """`pip install 'tracefacts[pdf]'` installs WeasyPrint and pypdf (as the installed package's metadata says)."""
    wanted = importlib.metadata.requires("tracefacts") or []
    pdf_extra = {re.split(r"[<>=;\s\[]", r, maxsplit=1)[0].lower() for r in wanted if 'extra == "pdf"' in r}
    assert pdf_extra == {"weasyprint", "pypdf"}
    assert weasyprint and pypdf  # and both are importable here


def test_the_print_stylesheet_ships_in_the_wheel() -> None:
    """Every data file of tracefacts.pdf (pdf.css) is matched by the package-data globs, so an
    installed wheel has it."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["tracefacts"]
    package = REPO / "src" / "tracefacts"
    data = [p.relative_to(package).as_posix() for p in (package / "pdf").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert "pdf.css" in [Path(d).name for d in data]
    assert [d for d in data if not any(fnmatch(d, g) for g in globs)] == []


# ---------------------------------------------------------------------------------------
# Source pages go to the appendix wherever the extension puts them
# ---------------------------------------------------------------------------------------

ELSEWHERE = """<!DOCTYPE html>
<html lang="en"><head><title>T</title></head><body><div class="body" role="main">
<section id="home"><h1>Home</h1><p>Intro.</p>
<div class="toctree-wrapper compound">
<span id="document-_generated/gazette"></span><section id="gazette"><h1>Rocket Gazette</h1>
<div class="tf-source-page"><p id="gazette-L1"><span class="tf-quote" id="q-x">quoted</span></p></div></section>
<span id="document-notes"></span><section id="notes"><h1>Notes</h1><p>See <a href="#q-x">it</a>.</p>
<div class="tf-source-page"><p id="other-L1">a source shown inside a chapter</p></div></section>
</div></section></div></body></html>
"""


def test_a_page_that_is_only_a_source_goes_to_the_appendix_wherever_it_lives() -> None:
    root = weasyprint.HTML(string=ELSEWHERE).etree_element
    prepare(root, Briefing("T", dt.date(2026, 3, 4), 1, 1, 1, 1, 0), dt.date(2026, 5, 1))
    main_block = root.find("body")[2]
    order = [el.get("id") for el in main_block.iter("div") if "pdf-doc" in (el.get("class") or "")
             or el.get("id") == "pdf-appendix-sources"]
    assert order == ["document-notes", "pdf-appendix-sources", "document-_generated/gazette"]
