"""Builders other than html: EPUB notes checked by Debian's epubcheck, source pages in plain
text, and the handbook's citation links landing on their quotes in singlehtml, dirhtml,
json and xml; gettext catalogues that hold the pages' prose and nothing of the fact base.

The real handbook is copied into a temporary folder first: no build writes into ``docs/``.
"""

from __future__ import annotations

import ast
import json
import posixpath
import re
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import pytest

from tracefacts.load import load

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
RLO = "\u202e"


# --- building -----------------------------------------------------------------------------

def sphinx_build(builder: str, docs: Path, out: Path) -> Path:
    """``sphinx-build -b builder -W`` into ``out`` (doctrees beside it); fails with Sphinx's words."""
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q",
                          "-d", str(out.parent / f"{out.name}.doctrees"), str(docs), str(out)],
                         capture_output=True, text=True, cwd=docs.parent, timeout=600)
    assert run.returncode == 0, f"sphinx-build -b {builder} failed:\n{run.stderr[-4000:]}"
    return out


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the handbook (docs/ without its build and generated pages, facts/, seeds/)."""
    root = tmp_path_factory.mktemp("handbook")
    for folder in ("facts", "seeds"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns("_build", "sources"))
    return root


@pytest.fixture(scope="module")
def built(book: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The handbook built once per builder asked for, in this module."""
    outputs: dict[str, Path] = {}

    def get(builder: str) -> Path:
        if builder not in outputs:
            outputs[builder] = sphinx_build(builder, book / "docs", tmp_path_factory.mktemp(builder) / "out")
        return outputs[builder]

    return get


# --- reading HTML ---------------------------------------------------------------------------

class Page(HTMLParser):
    """Every id of a page, and the href of every citation marker (class tf-cite)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.cites: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if tag == "a" and "tf-cite" in (found.get("class") or "").split():
            self.cites.append(found.get("href") or "")


def fragment(href: str) -> str:
    return unquote(urlsplit(href).fragment)


def quote_of(facts: dict, anchor: str) -> str:  # type: ignore[type-arg]
    """The quote a highlighted-quote anchor ``q-<fact>`` / ``q-<fact>--<n>`` stands for."""
    fact_id, _, index = anchor.removeprefix("q-").partition("--")
    return facts[fact_id].sources[int(index or 0)].quote


# --- epubcheck ------------------------------------------------------------------------------

def epubcheck(epub: Path) -> str:
    """Debian's epubcheck on ``epub``; its report, once it found no error (nor warning)."""
    found = shutil.which("epubcheck")
    assert found, "epubcheck is missing: scripts/system-deps.sh installs Debian's package `epubcheck`"
    command = [found]
    with open(found, "rb") as handle:
        if handle.read(2) == b"PK":
            # Debian's /usr/bin/epubcheck is the .jar itself, run through binfmt_misc, which a
            # container may not have: the same jar, started the way jarwrapper starts it.
            command = ["java", "-jar", found]
    run = subprocess.run([*command, str(epub)], capture_output=True, text=True, timeout=600)
    report = run.stdout + run.stderr
    counts = re.search(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?", report)
    assert counts, report[-3000:]
    assert counts.groups()[:2] == ("0", "0") and run.returncode == 0, report[-3000:]
    assert counts.group(3) == "0", report[-3000:]
    return report


def epub_pages(out: Path) -> dict[str, ElementTree.Element]:
    """The XHTML documents inside the written .epub (what a reader opens), parsed as XML."""
    books = list(out.glob("*.epub"))
    assert len(books) == 1, books
    with zipfile.ZipFile(books[0]) as archive:
        return {name: ElementTree.fromstring(archive.read(name)) for name in archive.namelist()
                if name.endswith(".xhtml")}


def text_of(element: ElementTree.Element) -> str:
    return "".join(element.itertext())


def check_notes(pages: dict[str, ElementTree.Element], facts: dict) -> int:  # type: ignore[type-arg]
    """Every note reference has its note, every note its reference; each note holds the quote
    it links to, on a source page where that quote's anchor exists. Returns the notes' count."""
    total = 0
    for name, root in pages.items():
        refs = {a.get("href", "")[1:]: a for a in root.iter(f"{XHTML}a") if a.get(EPUB_TYPE) == "noteref"}
        notes = {n.get("id"): n for n in root.iter(f"{XHTML}aside") if n.get(EPUB_TYPE) == "footnote"}
        assert set(refs) == set(notes), f"{name}: note references and notes do not pair up"
        ids = {e.get("id") for e in root.iter() if e.get("id")}
        for note_id, note in notes.items():
            marker = refs[note_id]
            assert marker.get("id") in ids and text_of(marker).strip(), f"{name}: an empty marker"
            links = {a.get("href", ""): text_of(a) for a in note.iter(f"{XHTML}a")}
            back = [h for h in links if h == f"#{marker.get('id')}"]
            assert back, f"{name}#{note_id}: no way back to its marker"
            to_quote = [h for h in links if fragment(h).startswith("q-")]
            assert len(to_quote) == 1, f"{name}#{note_id}: {links}"
            target, anchor = posixpath.normpath(posixpath.join(posixpath.dirname(name), urlsplit(to_quote[0]).path)), \
                fragment(to_quote[0])
            assert anchor in {e.get("id") for e in pages[target].iter()}, f"{name}: {to_quote[0]} lands nowhere"
            assert f"“{quote_of(facts, anchor)}”" in text_of(note), f"{name}#{note_id}: the quote is not in its note"
            total += 1
        assert not [e for e in root.iter() if "tf-tip" in (e.get("class") or "").split()], \
            f"{name}: a hover tip left in the text"
    return total


# --- EPUB -----------------------------------------------------------------------------------

def test_handbook_epub_passes_epubcheck_and_every_citation_is_a_note(built, book):  # type: ignore[no-untyped-def]
    out = built("epub")
    epubcheck(next(out.glob("*.epub")))
    pages = epub_pages(out)
    facts = load(book).facts
    assert check_notes(pages, facts) >= 200  # the handbook cites hundreds of times
    first = pages["what-matters-most.xhtml"]  # the handbook's first page of facts
    note = next(n for n in first.iter(f"{XHTML}aside") if "single source" in text_of(n))
    # what the HTML tip said: the source's title, publisher and date, after the quote
    assert re.search(r"— .+, \d{1,2} \w+ 20\d\d", text_of(note)), text_of(note)
    scripts = [name for name, root in pages.items() if list(root.iter(f"{XHTML}script"))]
    assert not scripts, f"pages that need JavaScript in the EPUB: {scripts}"


ODD_LINE = f'The kit is called "Rocket <One> & Co" and it ships with a {RLO}mirrored label on the box.\n'
ODD_FACT = f"""\
  - id: rocket.odd-name
    statement: 'The kit is called "Rocket <One> & Co" and has a {RLO}mirrored label.'
    kind: reported
    topic: rocket
    sources:
      - source: alpha
        quote: 'called "Rocket <One> & Co" and it ships with a {RLO}mirrored label'
"""


def test_markup_and_direction_controls_from_the_fact_base_stay_text_in_the_epub(handbook, tmp_path):  # type: ignore[no-untyped-def]
    handbook.write("seeds/a.txt", (handbook.root / "seeds/a.txt").read_text(encoding="utf-8") + "\n" + ODD_LINE)
    handbook.pin()
    handbook.write("facts/rocket.yaml", (handbook.root / "facts/rocket.yaml").read_text(encoding="utf-8") + ODD_FACT)
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.benchmark`\n\n{fact}`rocket.odd-name`\n")
    # what EPUB 3 metadata needs (Sphinx warns without them, and -W fails)
    handbook.write("docs/conf.py", (handbook.docs / "conf.py").read_text(encoding="utf-8")
                   + 'version = "1"\ncopyright = "2026, the rocket team"\n')
    out = sphinx_build("epub", handbook.docs, tmp_path / "epub")
    epubcheck(next(out.glob("*.epub")))
    pages = epub_pages(out)
    facts = load(handbook.root).facts
    assert check_notes(pages, facts) >= 5
    claims = pages["claims.xhtml"]
    statement = facts["rocket.odd-name"].statement
    assert statement in text_of(claims)  # shown as written, not read as markup
    note = next(n for n in claims.iter(f"{XHTML}aside") if "Rocket <One>" in text_of(n))
    assert f"“{facts['rocket.odd-name'].sources[0].quote}”" in text_of(note)
    # a source that carries part of the statement: its note names the words it lacks, and
    # says how many sources carry the whole statement
    index = pages["index.xhtml"]
    partial = [text_of(n) for n in index.iter(f"{XHTML}aside") if "do not say" in text_of(n)]
    assert len(partial) == 2, partial  # rocket.closed: neither source's quote names Rocket One
    assert all("these words do not say “Rocket”, “One”" in t and "no source in full" in t for t in partial), partial
    # the override is isolated: it cannot turn the note's closing words around
    quote = next(e for e in note.iter(f"{XHTML}span") if RLO in (e.text or ""))
    assert quote.get("dir") == "auto"


# --- source pages in plain text -------------------------------------------------------------

NUMBERED_LINE = "1. Introduction to the rocket, and why it matters to every developer who builds on it today"


@pytest.fixture
def numbered(handbook):  # type: ignore[no-untyped-def]
    """The small handbook whose first source holds a line that itself begins with a number."""
    text = (handbook.root / "seeds/a.txt").read_text(encoding="utf-8") + "\n" + NUMBERED_LINE + "\n"
    handbook.write("seeds/a.txt", text)
    handbook.pin()
    lineno = text.splitlines().index(NUMBERED_LINE) + 1
    return handbook, lineno


def test_text_source_page_sets_line_numbers_apart_from_the_text(numbered, tmp_path):  # type: ignore[no-untyped-def]
    book, lineno = numbered
    page = (sphinx_build("text", book.docs, tmp_path / "text") / "sources" / "alpha.txt").read_text(encoding="utf-8")
    lines = page.splitlines()
    # "  9 │ 1. Introduction…", never "91. Introduction…"
    start = next(i for i, line in enumerate(lines) if "1. Introduction" in line)
    assert re.fullmatch(rf" *{lineno} │ 1\. Introduction to the rocket,.*", lines[start]), lines[start]
    assert not re.search(rf"{lineno}1\. Introduction", page)
    # wrapped, the line goes on under its own text, not under its number
    assert lines[start + 1].startswith(" " * lines[start].index("1. Intro")) and lines[start + 1].strip()
    numbered_lines = [line for line in lines if re.match(r" *\d+ │ ", line)]
    assert len(numbered_lines) >= 5 and len({line.index("│") for line in numbered_lines}) == 1  # one column


def test_man_and_texinfo_source_pages_tag_each_line_with_its_number(numbered, tmp_path):  # type: ignore[no-untyped-def]
    book, lineno = numbered
    man = next((sphinx_build("man", book.docs, tmp_path / "man")).glob("*.1")).read_text(encoding="utf-8")
    # a hanging paragraph tagged with the number: man shows the number in a column of its own
    assert re.search(rf'^\.IP "{lineno}" \d+\n1\. Introduction to the rocket', man, re.MULTILINE), man[-3000:]
    texi = next((sphinx_build("texinfo", book.docs, tmp_path / "texinfo")).glob("*.texi")).read_text(encoding="utf-8")
    # an item of a two-column table: the text indented under its number, wrapped lines too
    assert re.search(rf"^@table @asis\n@item {lineno}\n1\. Introduction to the rocket", texi, re.MULTILINE), \
        texi[-3000:]


# --- citation links in the other HTML builders ----------------------------------------------

def test_singlehtml_citations_land_on_quotes_of_the_one_page(built, book):  # type: ignore[no-untyped-def]
    page = Page((built("singlehtml") / "index.html").read_text(encoding="utf-8"))
    facts = load(book).facts
    assert len(page.cites) >= 200
    for href in page.cites:
        assert href.startswith("#") and fragment(href) in page.ids, href
        quote_of(facts, fragment(href))  # the anchor names a quote of the fact base


def test_dirhtml_citations_land_on_quotes_of_the_page_they_name(built):  # type: ignore[no-untyped-def]
    out = built("dirhtml")
    pages = {path.resolve(): Page(path.read_text(encoding="utf-8")) for path in out.rglob("index.html")}
    seen = 0
    for path, page in pages.items():
        for href in page.cites:
            target = (path.parent / urlsplit(href).path).resolve() / "index.html"
            assert target in pages, f"{path.relative_to(out)}: {href} names no page"
            assert fragment(href) in pages[target].ids, f"{path.relative_to(out)}: {href}"
            seen += 1
    assert seen >= 200


def test_json_pages_hold_their_citations_and_each_lands_on_a_quote(built, book):  # type: ignore[no-untyped-def]
    out = built("json")
    bodies = {str(p.relative_to(out).with_suffix("")): json.loads(p.read_text(encoding="utf-8"))
              for p in out.rglob("*.fjson")}
    for doc in ("index", "what-is-muse-spark", "sources/devpik-2026-04-09", "sources/venturebeat-2026-04-25"):
        assert bodies[doc]["title"] and bodies[doc]["body"], doc
    parsed = {doc: Page(page.get("body", "")) for doc, page in bodies.items()}
    seen = 0
    for doc, page in parsed.items():
        for href in page.cites:
            # a JSON page's links are written for a URL ending in "/": <doc>/ (an index: its folder)
            base = f"/{doc.removesuffix('index')}" if doc == "index" or doc.endswith("/index") else f"/{doc}/"
            target = urljoin(base, urlsplit(href).path).strip("/") or "index"
            assert target in bodies, f"{doc}: {href} names no page"
            assert fragment(href) in parsed[target].ids, f"{doc}: {href}"
            seen += 1
    assert seen >= 200


def test_xml_citation_references_carry_refuris_to_existing_anchors(built):  # type: ignore[no-untyped-def]
    out = built("xml")
    trees = {str(p.relative_to(out).with_suffix("")): ElementTree.parse(p).getroot() for p in out.rglob("*.xml")}
    ids = {doc: {i for e in root.iter() for i in (e.get("ids") or "").split()} for doc, root in trees.items()}
    seen = 0
    for doc, root in trees.items():
        for ref in root.iter("reference"):
            if "tf-cite" not in (ref.get("classes") or "").split():
                continue
            uri = ref.get("refuri") or ""
            target = posixpath.normpath(posixpath.join(posixpath.dirname(doc), urlsplit(uri).path))
            assert target in trees, f"{doc}: {uri} names no document"
            assert fragment(uri) in ids[target], f"{doc}: {uri}"
            seen += 1
    assert seen >= 200


def _msgids(pot: str) -> list[str]:
    out = []
    for block in pot.split("\n\n"):
        if (found := re.search(r'^msgid ((?:".*"\n?)+)', block, re.MULTILINE)):
            out.append(ast.literal_eval('"' + "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', found.group(1))) + '"'))
    return [m for m in out if m]


def test_gettext_catalogues_hold_the_prose_and_nothing_from_the_fact_base(built, book):  # type: ignore[no-untyped-def]
    out = built("gettext")
    catalogues = {p.stem: _msgids(p.read_text(encoding="utf-8")) for p in out.glob("*.pot")}
    pages = {p.stem for p in (book / "docs").glob("*.md")}
    assert pages <= set(catalogues)
    prose = " ".join((book / "docs" / "what-is-muse-spark.md").read_text(encoding="utf-8").split())
    written = [m for m in catalogues["what-is-muse-spark"] if " ".join(m.split()) in prose]
    assert len(written) >= 20  # the page's own paragraphs and headings, as the author wrote them
    # A statement, quote or source detail is in a catalogue only where an author wrote it into a page.
    authored = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in (book / "docs").glob("*.md"))
    base = load(book)
    shown = {f.statement for f in base.facts.values()} | {q.quote for f in base.facts.values() for q in f.sources}
    shown |= {s.title for s in base.sources.values()} | {s.notes for s in base.sources.values() if s.notes}
    leaked = [(doc, text) for doc, ids in catalogues.items() for m in ids for text in shown
              if len(text) > 12 and " ".join(text.split()) in " ".join(m.split())
              and " ".join(text.split()) not in authored]
    assert not leaked, leaked[:5]

