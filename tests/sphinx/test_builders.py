"""Citations in LaTeX (compiled to PDF), text, man and texinfo: notes a reader can find.

Each output is read as a reader meets it: the LaTeX source's links and labels, the PDF's
text page by page (pdftotext), the text and man pages' notes after their paragraph. The
real handbook is copied into a temporary folder first: no build writes into ``docs/``.
TeX Live (latexmk, XeLaTeX), poppler and texinfo come from ``scripts/system-deps.sh``:
a missing one fails these tests, it does not skip them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
STATEMENT = "The VentureBeat / Meta AI Blog feed item reports that Meta launched Muse Spark on April 8, 2026."
QUOTE = "Meta launched Muse Spark on April 8"  # the start of its quote (fact muse-spark.launched)
QUOTE_TAIL = "its first closed, proprietary frontier model"  # words of that quote the statement lacks
# A LaTeX special of each kind, in a source title, a statement and its quote.
SPECIALS = r"C:\temp {x} 100% of $5 #1 a_b & c~d ^e"


def sphinx(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sphinx", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=900)


def build(builder: str, docs: Path, out: Path) -> Path:
    run = sphinx("-b", builder, "-W", "--keep-going", "-q", "-d", str(out.parent / f"{out.name}.doctrees"),
                 str(docs), str(out), cwd=docs.parent)
    assert run.returncode == 0, f"sphinx-build -b {builder} failed:\n{run.stderr[-4000:]}"
    return out


def latexpdf(docs: Path, out: Path) -> Path:
    """``sphinx-build -M latexpdf``, as ``make latexpdf`` runs it: the PDF, beside its .log."""
    run = sphinx("-M", "latexpdf", str(docs), str(out), "-W", "--keep-going", "-q", cwd=docs.parent)
    assert run.returncode == 0, f"latexpdf failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    pdfs = list((out / "latex").glob("*.pdf"))
    assert len(pdfs) == 1, pdfs
    return pdfs[0]


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def footnotes(tex: str) -> list[str]:
    return re.findall(r"\\begin\{footnote\}\[\d+\](.*?)\\end\{footnote\}", tex, re.S)


def outside_footnotes(tex: str) -> str:
    return re.sub(r"\\begin\{footnote\}\[\d+\].*?\\end\{footnote\}", "", tex, flags=re.S)


def log_problems(pdf: Path) -> list[str]:
    """Undefined references, missing glyphs and LaTeX errors the compile wrote to its log."""
    log = pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    return [line for line in log.splitlines()
            if re.search(r"undefined|Missing character|^! ", line, re.I)]


# --- the real handbook ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("handbook")
    for folder in ("facts", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("_build", "sources"))
    return root


@pytest.fixture(scope="module")
def handbook_pdf(book: Path) -> Path:
    return latexpdf(book / "docs", book / "latexpdf")


@pytest.fixture(scope="module")
def handbook_tex(handbook_pdf: Path) -> str:
    return handbook_pdf.with_suffix(".tex").read_text(encoding="utf-8")


def test_every_latex_link_has_its_label(handbook_tex: str):
    targets = set(re.findall(r"\\hyperref\[\\detokenize\{([^}]*)\}\]", handbook_tex))
    labels = set(re.findall(r"\\label\{\\detokenize\{([^}]*)\}\}", handbook_tex))
    quote_targets = {t for t in targets if ":q-" in t}
    assert quote_targets, "no link to a highlighted quote"
    assert targets - labels == set()
    # the quotes are labelled on their source page, not on the page citing them
    assert all(t.startswith("sources/") for t in quote_targets), sorted(quote_targets)[:5]


def test_each_quote_is_in_a_footnote_not_in_the_text(handbook_tex: str):
    notes = footnotes(handbook_tex)
    assert any(QUOTE in note and "hyperref" in note for note in notes)
    body = outside_footnotes(handbook_tex)
    # on the pages (the appendix quotes every source in full: cut it off)
    pages = body.split("\\appendix")[0]
    assert STATEMENT.rstrip(".") in pages
    # no paragraph of the text holds the statement and its quote (the HTML tip, glued)
    glued = [line for line in pages.splitlines() if STATEMENT.rstrip(".") in line and QUOTE_TAIL in line]
    assert glued == [], "a quote printed in the running text"
    assert "{tf-tip}" not in handbook_tex, "a hover tip written into the LaTeX"


def test_source_pages_form_the_appendix(handbook_tex: str):
    before, _, after = handbook_tex.partition("\\appendix")
    assert after, "no \\appendix"
    chapters = re.findall(r"\\chapter\{([^}]*)\}", after)
    assert chapters and all("Muse Spark" in c or "Meta" in c for c in chapters), chapters
    assert "\\chapter{What matters most?}" in before


def test_the_pdf_compiles_clean_and_shows_statement_mark_and_note(handbook_pdf: Path):
    assert log_problems(handbook_pdf) == []
    page = next(p for p in pdf_pages(handbook_pdf) if STATEMENT in p)
    mark = re.search(re.escape(STATEMENT) + r"(\d+)", page)
    assert mark, "no footnote mark after the statement"
    # the note, at the foot of the same page: its number, the source, the quoted words
    assert re.search(rf"^{mark.group(1)} VentureBeat: “{QUOTE}", page, re.M), page[-1500:]
    assert not re.search(r"VentureBeat\s*Meta launched", page.split(STATEMENT)[1].split("\n")[0])


def test_views_fit_the_page(handbook_pdf: Path, handbook_tex: str):
    log = handbook_pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    too_wide = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert [w for w in too_wide if w > 3] == []
    assert "\\raggedright\\arraybackslash{}" in handbook_tex  # the views' cells: ragged p-columns


def _notes_after_statement(text: str) -> tuple[str, str]:
    """(the line with the statement's end and its mark, the note with that number)."""
    statement_end = STATEMENT.split()[-1]
    mark = re.search(re.escape(statement_end) + r" \[(\d+)\]", text)
    assert mark, "no [n] mark after the statement"
    note = re.search(rf"^\s*\[{mark.group(1)}\] VentureBeat: “(.*?)(?:\n\s*\n|\Z)", text[mark.end():], re.M | re.S)
    assert note, "no note [n] after the paragraph"
    return mark.group(0), " ".join(note.group(1).split())


def test_text_notes_follow_the_paragraph(book: Path, tmp_path: Path):
    out = build("text", book / "docs", tmp_path / "text")
    page = (out / "what-matters-most.txt").read_text(encoding="utf-8")
    _, note = _notes_after_statement(page)
    assert note.startswith(QUOTE)
    assert "25 April 2026" in note and "single source" in note
    assert not re.search(r"\bVentureBeatMeta|\.VentureBeat|2026single", page)
    # badges and age flags as words, apart from the statement
    assert "(Meta's claim) Meta says" in page and "(as of 9 April 2026 — may be out of date) [" in page


def test_man_page_notes_follow_the_paragraph(book: Path, tmp_path: Path):
    out = build("man", book / "docs", tmp_path / "man")
    page = next(out.glob("*.1")).read_text(encoding="utf-8")
    mark = re.search(re.escape(STATEMENT.split()[-1]) + r" \[(\d+)\]\n\.IP \[(\d+)\] \d+\nVentureBeat: “(.*)", page)
    assert mark and mark.group(1) == mark.group(2), "no note right after the statement"
    assert mark.group(3).startswith(QUOTE)
    assert "VentureBeatMeta" not in page


def test_texinfo_makes_footnotes_and_compiles(book: Path, tmp_path: Path):
    out = build("texinfo", book / "docs", tmp_path / "texinfo")
    texi = next(out.glob("*.texi"))
    source = texi.read_text(encoding="utf-8")
    assert re.search(re.escape(STATEMENT) + r" ?@footnote\{\s*VentureBeat: “" + QUOTE, source)
    info = tmp_path / "book.info"
    run = subprocess.run(["makeinfo", "--no-split", "-o", str(info), str(texi)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    text = info.read_text(encoding="utf-8")
    assert "---------- Footnotes ----------" in text and f"VentureBeat: “{QUOTE}" in text


# --- small handbooks ---------------------------------------------------------------------------

@pytest.fixture
def special_book(handbook):  # type: ignore[no-untyped-def]
    """The fixture handbook with a source whose title and text hold every LaTeX special."""
    beta = (handbook.root / "seeds/b.txt").read_text(encoding="utf-8")
    handbook.write("seeds/b.txt", f"{beta}\nThe list reads {SPECIALS}.\n")
    handbook.pin()
    sources = (handbook.root / "facts/sources.yaml").read_text(encoding="utf-8")
    handbook.write("facts/sources.yaml", sources.replace("title: Beta Blog", f"title: '{SPECIALS} Blog'"))
    handbook.write("facts/special.yaml", textwrap.dedent(f"""\
        facts:
          - id: special.list
            statement: 'Beta''s list reads {SPECIALS}.'
            kind: reported
            topic: special
            sources:
              - source: beta
                quote: '{SPECIALS}'
        """))
    page = (handbook.docs / "index.md").read_text(encoding="utf-8")
    handbook.write("docs/index.md", page.replace("{fact}`rocket.launched`",
                                                  "{fact}`rocket.launched`\n\n{fact}`special.list`"))
    return handbook


def test_latex_specials_are_escaped_and_compile(special_book, tmp_path: Path):
    pdf = latexpdf(special_book.docs, tmp_path / "out")
    assert log_problems(pdf) == []
    text = "\n".join(pdf_pages(pdf))
    flat = " ".join(text.split())
    assert f"Beta's list reads {SPECIALS}." in flat  # the statement, every character shown
    assert f"“{SPECIALS}” — {SPECIALS} Blog" in flat  # its note: the quote and the source's title
    # table cells' notes reach the foot of the page too (the fact-table and timeline)
    page = next(p for p in pdf_pages(pdf) if "not stated in the sources" in p)
    assert re.search(r"^\d+ Alpha: “Acme launched Rocket One on March 3.”", page, re.M), page


def test_text_notes_of_a_table_follow_the_table(handbook, tmp_path: Path):
    out = build("text", handbook.docs, tmp_path / "text")
    page = (out / "table.txt").read_text(encoding="utf-8")
    mark = re.search(r"\| Acme \[(\d+)\]", page)  # the fact-table's Vendor cell, its column a readable width
    assert mark, page[:1500]
    table_end = page.index("+\n\n", mark.end())  # the table's closing rule
    note = page.index(f"[{mark.group(1)}] Alpha: “Acme launched Rocket One on March 3.”")
    assert note > table_end, "the note is not after the table"
    assert note < page.index("What happened"), "the note is not right after its table"
    assert all(len(line) <= 72 for line in page.splitlines())


# --- a citation inside the author's own footnote; man pages read as one ----------------------

OWN_NOTE = ("# Notes\n\nAcme kept the weights closed.[^own] {cite-fact}`rocket.closed`\n\n"
            "[^own]: Acme did not open the weights. {cite-fact}`rocket.closed`\n\n"
            "Rocket One has no open weights, we read. {cite-fact}`rocket.closed`\n")


@pytest.fixture
def own_note(handbook):  # type: ignore[no-untyped-def]
    handbook.write("docs/claims.md", OWN_NOTE)
    return handbook


def test_text_keeps_a_citation_in_the_authors_footnote_and_its_number(own_note, tmp_path: Path):
    page = (build("text", own_note.docs, tmp_path / "text") / "claims.txt").read_text(encoding="utf-8")
    mark = re.search(r"Acme kept the weights closed\.\[(\d+)\]", page)
    assert mark, page
    # the author's note keeps its own number, and the citation inside it is there, in parentheses
    own = re.search(rf"^\[{mark.group(1)}\] Acme did not open the weights\.\s+\((.*?)\)\s*$", page, re.M | re.S)
    assert own, page
    said = " ".join(own.group(1).split())  # as wrapped
    assert "It is the first closed model from Acme Labs." in said and "ships with no open weights at all" in said
    numbers = re.findall(r"^\[(\d+)\] ", page, re.M)
    assert len(numbers) == len(set(numbers)), page  # no number given to two notes


def test_texinfo_keeps_a_citation_in_the_authors_footnote(own_note, tmp_path: Path):
    texi = next(build("texinfo", own_note.docs, tmp_path / "texinfo").glob("*.texi")).read_text(encoding="utf-8")
    own = re.search(r"@footnote\{\s*Acme did not open the weights\.\s+\((.*?)\)\s*\}", texi, re.S)
    assert own, texi[-4000:]
    assert "It is the first closed model from Acme Labs." in own.group(1)


def test_a_man_page_numbers_its_notes_once_and_ends_each_notes_indent(own_note, tmp_path: Path):
    page = next(build("man", own_note.docs, tmp_path / "man").glob("*.1")).read_text(encoding="utf-8")
    numbers = re.findall(r"^\.IP \[(\d+)\]", page, re.M)
    assert len(numbers) >= 3 and len(numbers) == len(set(numbers)), numbers  # every page inlined into one
    # the author's next paragraph is not held in the note's hanging indent
    assert re.search(r"\n\.PP\n(\.sp\n)?Rocket One has no open weights, we read\.", page), page[-3000:]
    assert "<>" not in page  # a man page has no links: page titles are plain words
    # as a reader sees it: groff sets the page (Debian's groff-base, which man itself uses)
    rendered = subprocess.run(["groff", "-man", "-Tutf8", "-P", "-c"], input=page, capture_output=True,
                              text=True, check=True).stdout
    line = next(x for x in rendered.splitlines() if "Rocket One has no open weights, we read" in x)
    note = next(x for x in rendered.splitlines() if x.lstrip().startswith("[") and "Alpha" in x)
    assert len(line) - len(line.lstrip()) < len(note) - len(note.lstrip()) + 3, (line, note)
    assert not line.startswith(" " * (len(note) - len(note.lstrip()) + 4)), (line, note)


LONG_URL = "https://example.com/" + "/".join(["averyveryverylongpathsegmentwithoutanybreak"] * 3) + "?q=1&r=2"


def test_a_long_run_without_spaces_breaks_instead_of_running_off_the_page(handbook, tmp_path: Path):
    beta = (handbook.root / "seeds/b.txt").read_text(encoding="utf-8")
    handbook.write("seeds/b.txt", f"{beta}\nThe kit lives at {LONG_URL} today.\n")
    handbook.pin()
    handbook.write("facts/url.yaml", textwrap.dedent(f"""\
        facts:
          - id: url.home
            statement: 'The kit lives at {LONG_URL}.'
            kind: reported
            topic: url
            sources:
              - source: beta
                quote: 'The kit lives at {LONG_URL}'
        """))
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`url.home`\n\n```{fact-list}\n:ids: url.home\n```\n")
    pdf = latexpdf(handbook.docs, tmp_path / "out")
    log = pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    overfull = [float(w) for w in re.findall(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)", log)]
    assert [w for w in overfull if w > 3] == [], overfull
    # every character of it is printed: the statement, its note, the list and the source page
    squashed = "".join("\n".join(pdf_pages(pdf)).split())
    assert squashed.count(LONG_URL) >= 4, squashed.count(LONG_URL)
