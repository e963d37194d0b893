"""The PDF briefing: the handbook built as one HTML page, reshaped for paper, set by WeasyPrint.

    from tracefacts.pdf import build_pdf
    result = build_pdf("docs")   # docs/_build/pdf/<html_title as a slug>.pdf
    print(result.path, result.pages, result.seconds)

The route: Sphinx's ``singlehtml`` builder with the plain ``basic`` theme (``-W
--keep-going``, so any Sphinx warning fails) → the page's tree is reshaped (a cover and a
contents list are added, the source pages are moved into a closing appendix, screen-only
chrome and every screen stylesheet are dropped) → WeasyPrint renders it with our own print
stylesheet ``pdf.css`` only, where each citation's tip becomes a numbered footnote that
carries the verbatim quotes, the source title and date.

Dropping the screen stylesheets removes WeasyPrint's CSS warnings at their cause; any that
still come (from ``stylesheets=`` added by a caller) are dropped as noise by
``CssNoiseFilter``. Anything else WeasyPrint logs at warning level or above (a missing
image, a link to no anchor) fails the build, and so does a link
annotation of the written PDF that points nowhere.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from .model import day_label

STYLESHEET = Path(__file__).with_name("pdf.css")
SOURCE_FOLDER = "sources"  # the extension's tracefacts_source_pages default
MAX_GRID_COLUMNS = 4


class PdfBuildError(RuntimeError):
    """The briefing could not be built cleanly; the message says why."""


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


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    seconds: float
    html_dir: Path
    internal_links: int
    filtered: int  # CSS-noise messages dropped from the log
    notes: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------------------------
# WeasyPrint's log: noise out, problems kept
# ---------------------------------------------------------------------------------------

CSS_NOISE = re.compile(
    r"""^(?:
        Ignored\ `[^`]*`\ at\ \d+:\d+,\ (?:unknown\ property|invalid\ value|prefix\ on\ this\ attribute)
      | Deprecated\ `[^`]*`\ at\ \d+:\d+,\ prefixes\ on\ unstable\ attributes
      | Expected\ a\ media\ type,\ got
      | Invalid\ media\ type\ .*the\ whole\ @media\ rule\ was\ ignored
      | Unknown\ rule\ <AtRule\ @(?:-webkit-|-moz-)?(?:keyframes|font-feature-values|property|container|supports|layer)
      | Invalid\ or\ unsupported\ selector
      | Parse\ error\ at\ \d+:\d+:\ (?:EOF\ reached\ before|expected\ a\ selector|invalid\ )
    )""",
    re.VERBOSE,
)


def is_css_noise(message: str) -> bool:
    """A CSS rule or property WeasyPrint skips: what screen stylesheets are full of."""
    return bool(CSS_NOISE.match(message))


class CssNoiseFilter(logging.Filter):
    """Drops WeasyPrint's warnings about CSS it does not support; keeps everything else.

    Errors are never dropped, whatever they say."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR and is_css_noise(record.getMessage()):
            self.dropped += 1
            return False
        return True


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def weasyprint_log() -> Iterator[tuple[_Collect, CssNoiseFilter]]:
    """While rendering, WeasyPrint's warnings go to a list (minus the CSS noise), not the console."""
    logger = logging.getLogger("weasyprint")
    handler, noise = _Collect(), CssNoiseFilter()
    handler.addFilter(noise)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler, noise
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


# ---------------------------------------------------------------------------------------
# Sphinx: the handbook as one HTML page
# ---------------------------------------------------------------------------------------

def build_html(docs_dir: Path, html_dir: Path, extra_args: Sequence[str] = ()) -> None:
    """``python -m sphinx -b singlehtml -D html_theme=basic -W --keep-going -E``; raises on any warning.

    ``-E`` reads every page each time (a second of work): an incremental build would not
    repeat the warnings of pages it does not re-read, and the PDF would pass on a retry."""
    cmd = [sys.executable, "-m", "sphinx", "-b", "singlehtml", "-D", "html_theme=basic",
           "-W", "--keep-going", "-E", "-q", *extra_args, str(docs_dir), str(html_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise PdfBuildError(f"Sphinx failed (exit {proc.returncode}):\n{detail}")
    if proc.stderr.strip():  # -q leaves only warnings and errors; -W made them fatal already
        raise PdfBuildError(f"Sphinx wrote to stderr:\n{proc.stderr.strip()}")


def project_name(html_dir: Path) -> str | None:
    """The Sphinx ``project``, as the inventory's header states it."""
    inv = html_dir / "objects.inv"
    if not inv.exists():
        return None
    with inv.open("rb") as fh:
        for _ in range(4):
            line = fh.readline().decode("utf-8", "replace")
            if line.startswith("# Project:"):
                return line.split(":", 1)[1].strip() or None
    return None


def read_briefing(html_dir: Path, title: str) -> Briefing:
    path = html_dir / "tracefacts.json"
    if not path.exists():
        raise PdfBuildError(f"{path} is missing: is tracefacts.sphinx among the handbook's extensions?")
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


# ---------------------------------------------------------------------------------------
# The tree: reshaped for paper
# ---------------------------------------------------------------------------------------

def _classes(el: ET.Element) -> set[str]:
    return set((el.get("class") or "").split())


def _add_class(el: ET.Element, *names: str) -> None:
    el.set("class", " ".join([*(el.get("class") or "").split(), *names]).strip())


def _is_element(node: Any) -> bool:
    return isinstance(node.tag, str)


def _text(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def _el(tag: str, text: str | None = None, cls: str | None = None, **attrs: str) -> ET.Element:
    el = ET.Element(tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    if cls:
        el.set("class", cls)
    if text is not None:
        el.text = text
    return el


def _find_class(root: ET.Element, name: str) -> Iterable[ET.Element]:
    return (el for el in root.iter() if _is_element(el) and name in _classes(el))


def _parents(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def _heading(section: ET.Element) -> ET.Element | None:
    for child in section:
        if _is_element(child) and re.fullmatch(r"h[1-6]", child.tag):
            return child
    return None


def _grid_columns(classes: set[str]) -> int:
    """sphinx-design's ``grid 1 2 3 3`` → columns for a page about as wide as a tablet (md)."""
    for key in ("sd-row-cols-md-", "sd-row-cols-sm-", "sd-row-cols-lg-", "sd-row-cols-"):
        for cls in classes:
            if cls.startswith(key) and cls[len(key):].isdigit():
                return max(1, min(MAX_GRID_COLUMNS, int(cls[len(key):])))
    return 2


@dataclass
class _Doc:
    name: str
    box: ET.Element  # div.pdf-doc#document-<name> holding the document's section
    section: ET.Element | None
    source: bool


def prepare(root: ET.Element, briefing: Briefing, built: dt.date, *, root_doc: str = "index",
            source_folder: str = SOURCE_FOLDER) -> list[str]:
    """Reshape the singlehtml tree in place; returns notes on what was repaired.

    ``root_doc`` is the page the others are inlined into: singlehtml links to it as
    ``#document-<root_doc>`` but gives nothing that id, so the PDF's main block takes it.
    """
    notes: list[str] = []
    head, body = root.find("head"), root.find("body")
    if head is None or body is None:
        raise PdfBuildError("the HTML has no <head> or no <body>")
    main = next((el for el in body.iter("div") if el.get("role") == "main" or "body" in _classes(el)), None)
    if main is None:
        raise PdfBuildError("no <div class=\"body\"> in the page: was it built with the basic theme?")

    # <head>: no screen stylesheets or scripts; the PDF's title is the project's.
    for el in list(head):
        if not _is_element(el):
            continue
        if el.tag in ("script", "style") or (el.tag == "link" and el.get("rel") != "icon"):
            head.remove(el)
    title = head.find("title")
    if title is None:
        title = ET.SubElement(head, "title")
    title.text = briefing.title
    head.append(_el("meta", name="dcterms.created", content=built.isoformat()))

    # Screen chrome inside the content: pilcrow links, clearers, scripts.
    parents = _parents(main)
    for el in list(main.iter()):
        if not _is_element(el):
            continue
        cls = _classes(el)
        if (el.tag == "a" and "headerlink" in cls) or "clearer" in cls or el.tag in ("script", "style"):
            _drop(el, parents)
    # Links: same-page links as fragments; "#" and "" link nowhere.
    for a in main.iter("a"):
        href = a.get("href")
        if href is None:
            continue
        if href in ("", "#"):
            del a.attrib["href"]
        elif href.startswith(f"{root_doc}.html#") and len(href) > len(root_doc) + 6:
            a.set("href", href[len(root_doc) + 5:])
    # Dropdowns open, grids with a fixed number of columns.
    for details in main.iter("details"):
        details.set("open", "open")
    for row in _find_class(main, "sd-row"):
        _add_class(row, f"pdf-cols-{_grid_columns(_classes(row))}")

    docs = _wrap_documents(main, source_folder)
    content = _el("div", cls="pdf-main", id=f"document-{root_doc}")
    content.extend(list(main))
    _restructure(content, docs)
    notes += _dedupe_ids(content)

    # The new body: cover, contents, the handbook.
    for child in list(body):
        body.remove(child)
    body.text = None
    body.append(_cover(briefing, built))
    body.append(_contents(content, docs))
    body.append(content)
    show_invisible(body)
    return notes


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀…␟, the Unicode control pictures
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


# Control characters (but tab and newline, which HTML lays out as spaces), private-use
# characters and non-characters: no font draws them, so WeasyPrint would print a .notdef
# box (which fails the build), and a control would be invisible. A source may hold any.
_NONCHARACTERS = "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff\ufdd0-\ufdef\U000f0000-\U0010fffd"
                        f"{_NONCHARACTERS}]")


def show_invisible(root: ET.Element) -> None:
    """Every control character in the page's text is shown as its picture (ESC → ␛, BEL → ␇);
    C1 controls, private-use characters and non-characters as their code (\\x85, \\ue000)."""
    for el in root.iter():
        if not _is_element(el):
            continue
        if el.text:
            el.text = _INVISIBLE.sub(_visible, el.text)
        if el.tail:
            el.tail = _INVISIBLE.sub(_visible, el.tail)


def _drop(el: ET.Element, parents: dict[ET.Element, ET.Element]) -> None:
    parent = parents.get(el)
    if parent is None:
        return
    # keep the text that follows the element
    if el.tail:
        index = list(parent).index(el)
        if index:
            prev = parent[index - 1]
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _wrap_documents(main: ET.Element, source_folder: str) -> list[_Doc]:
    """``<span id="document-x"></span><section>…`` → ``<div class="pdf-doc" id="document-x"><section>…``.

    An empty inline span is a fragile anchor; a block that holds the document is a sure one,
    and gives the stylesheet a hook (chapters start a page, source pages go to the appendix).
    """
    docs: list[_Doc] = []
    parents = _parents(main)
    for span in [s for s in main.iter("span") if (s.get("id") or "").startswith("document-")]:
        parent = parents[span]
        siblings = list(parent)
        index = siblings.index(span)
        box = _el("div", cls="pdf-doc", id=span.get("id", ""))
        moved: list[ET.Element] = []
        for sib in siblings[index + 1:]:
            if _is_element(sib) and (sib.tag == "span" and (sib.get("id") or "").startswith("document-")):
                break
            moved.append(sib)
            if _is_element(sib) and sib.tag == "section":
                break
        box.tail = span.tail
        parent.remove(span)
        for sib in moved:
            parent.remove(sib)
            box.append(sib)
        parent.insert(index, box)
        name = span.get("id", "")[len("document-"):]
        section = next((c for c in box if _is_element(c) and c.tag == "section"), None)
        source = name.startswith(f"{source_folder}/") and any(True for _ in _find_class(box, "tf-source-page"))
        docs.append(_Doc(name, box, section, source))
    # chapters: documents not inside another document
    inside = {id(d.box): False for d in docs}
    for doc in docs:
        for other in doc.box.iter("div"):
            if other is not doc.box and id(other) in inside:
                inside[id(other)] = True
    for doc in docs:
        if not inside[id(doc.box)]:
            _add_class(doc.box, "pdf-chapter")
        if doc.source:
            _add_class(doc.box, "pdf-source")
    return docs


def _restructure(content: ET.Element, docs: list[_Doc]) -> None:
    """Chapters follow the root page's own text, then the appendix of sources; headings are
    renumbered so that every chapter title is an h2, whatever the toctree's depth was."""
    root_section = next((c for c in content if _is_element(c) and c.tag == "section"), None)
    if root_section is not None:
        _add_class(root_section, "pdf-root-section")
        if (h := _heading(root_section)) is not None:
            _add_class(h, "pdf-chapter-title")
    # Chapters are the documents not inside another; source pages go to the appendix even
    # when a chapter's own toctree holds them.
    chapters = [d for d in docs if "pdf-chapter" in _classes(d.box) and not d.source]
    sources = [d for d in docs if d.source]
    parents = _parents(content)  # taken before any move: each box is dropped from where it was
    for doc in chapters + sources:
        _drop(doc.box, parents)
        doc.box.tail = None
        _add_class(doc.box, "pdf-chapter")
        if doc.section is not None and (h := _heading(doc.section)) is not None:
            _shift_headings(doc.box, 2 - int(h.tag[1]))
            _add_class(h, "pdf-chapter-title")
    # toctree wrappers emptied by the move go too
    parents = _parents(content)
    for wrapper in list(_find_class(content, "toctree-wrapper")):
        if not any(_is_element(c) for c in wrapper) and not _text(wrapper):
            _drop(wrapper, parents)
    content.extend(d.box for d in chapters)
    if sources:
        appendix = _el("div", cls="pdf-appendix", id="pdf-appendix-sources")
        appendix.append(_el("h2", "Appendix: the sources", cls="pdf-chapter-title pdf-appendix-title"))
        appendix.append(_el(
            "p", "Every source the facts quote, as captured: its metadata and SHA-256, then its full "
            "text with each quote highlighted and, under it, the facts that cite it.", cls="pdf-appendix-intro"))
        appendix.extend(d.box for d in sources)
        content.append(appendix)


def _shift_headings(box: ET.Element, delta: int) -> None:
    if not delta:
        return
    for el in box.iter():
        if _is_element(el) and re.fullmatch(r"h[1-6]", el.tag):
            el.tag = f"h{max(1, min(6, int(el.tag[1]) + delta))}"


def _dedupe_ids(root: ET.Element) -> list[str]:
    """singlehtml can give two pages' sections the same id; WeasyPrint wants each anchor once."""
    seen: set[str] = set()
    notes: list[str] = []
    renamed: list[str] = []
    for el in root.iter():
        if not _is_element(el) or not el.get("id"):
            continue
        ident = el.get("id", "")
        if ident in seen:
            n = 2
            while f"{ident}-{n}" in seen:
                n += 1
            el.set("id", f"{ident}-{n}")
            renamed.append(ident)
            ident = f"{ident}-{n}"
        seen.add(ident)
    if renamed:
        shown = ", ".join(f"#{i}" for i in renamed[:5]) + (", …" if len(renamed) > 5 else "")
        notes.append(f"{len(renamed)} id(s) used twice on the single page were renamed (the later ones): {shown}")
    return notes


def _cover(b: Briefing, built: dt.date) -> ET.Element:
    cover = _el("section", cls="pdf-cover", id="pdf-cover")
    cover.append(_el("p", "Briefing", cls="pdf-kicker"))
    cover.append(_el("h1", b.title, cls="pdf-title"))
    cover.append(_el("p", f"As of {b.as_of.strftime('%B %Y')}" if b.as_of else "Sources undated", cls="pdf-asof"))
    facts = _el("dl", cls="pdf-figures")
    rows = [
        ("Facts", f"{b.facts}, of which {b.shown} shown in this briefing"),
        ("Sources", str(b.sources)),
        ("Single-source facts", f"{b.single_source} of {b.facts}"),
        ("Past their review date", str(b.stale)),
        ("Newest source", day_label(b.as_of) if b.as_of else "none dated"),
        ("Built", day_label(built)),
    ]
    for name, value in rows:
        facts.append(_el("dt", name))
        facts.append(_el("dd", value))
    cover.append(facts)
    howto = _el("div", cls="pdf-howto")
    howto.append(_el("p", "How to read this briefing", cls="pdf-howto-title"))
    for line in (
        "Each statement drawn from a source carries the source's name and a footnote number; the "
        "footnote gives the exact words quoted from the source, its title, publisher and date.",
        "A framed label says whose statement it is when it is not plain reporting: a vendor's claim, "
        "an opinion, a recommendation. “as of 9 April 2026” dates a statement of a state that can "
        "change; a dashed frame adds “may be out of date” once its review date has passed.",
        "“single source” means no second source confirms the statement; a source marked “partial” "
        "says only part of it (its footnote names the words it lacks).",
        "Framed “Editorial” blocks are our own analysis, not taken from the sources.",
        "The appendix reproduces every source in full, each quote highlighted.",
    ):
        howto.append(_el("p", line))
    cover.append(howto)
    return cover


def _contents(content: ET.Element, docs: list[_Doc]) -> ET.Element:
    nav = _el("nav", cls="pdf-contents", id="pdf-contents")
    nav.append(_el("h2", "Contents", cls="pdf-contents-title"))
    top = _el("ul")
    nav.append(top)

    def entry(parent: ET.Element, href: str, label: str, cls: str) -> ET.Element:
        li = _el("li", cls=cls)
        li.append(_el("a", label, href=f"#{href}"))
        parent.append(li)
        return li

    def subsections(section: ET.Element | None, li: ET.Element) -> None:
        subs = [s for s in (section if section is not None else []) if _is_element(s) and s.tag == "section"]
        items = [(s.get("id"), _heading(s)) for s in subs]
        items = [(i, h) for i, h in items if i and h is not None]
        if items:
            ul = _el("ul")
            for ident, h in items:
                entry(ul, ident, _text(h), "pdf-toc-2")
            li.append(ul)

    # the index page's own section (its h1) comes first
    first = next((s for s in content if _is_element(s) and s.tag == "section"), None)
    if first is not None and first.get("id") and (h := _heading(first)) is not None:
        subsections(first, entry(top, first.get("id", ""), _text(h), "pdf-toc-1"))
    for doc in docs:
        if doc.source or "pdf-chapter" not in _classes(doc.box):
            continue
        h = _heading(doc.section) if doc.section is not None else None
        li = entry(top, f"document-{doc.name}", _text(h) if h is not None else doc.name, "pdf-toc-1")
        subsections(doc.section, li)
    sources = [d for d in docs if d.source]
    if sources:
        li = entry(top, "pdf-appendix-sources", "Appendix: the sources", "pdf-toc-1")
        ul = _el("ul")
        for doc in sources:
            h = _heading(doc.section) if doc.section is not None else None
            entry(ul, f"document-{doc.name}", _text(h) if h is not None else doc.name, "pdf-toc-2")
        li.append(ul)
    return nav


# ---------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------

def _single_page(html_dir: Path) -> Path:
    """singlehtml writes ``<root_doc>.html`` (and, at most, the index and search pages)."""
    pages = [p for p in html_dir.glob("*.html") if p.stem not in ("genindex", "search", "py-modindex")]
    if len(pages) != 1:
        raise PdfBuildError(f"expected one HTML page in {html_dir}, found {[p.name for p in pages]}")
    return pages[0]


def _build_date() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH's day for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "briefing"


def build_pdf(
    docs_dir: str | Path,
    out_pdf: str | Path | None = None,
    *,
    out_dir: str | Path | None = None,
    html_dir: str | Path | None = None,
    stylesheets: Sequence[str | Path] = (),
    built: dt.date | None = None,
    sphinx_args: Sequence[str] = (),
    check_links: bool = True,
) -> PdfResult:
    """Build the handbook in ``docs_dir`` into one PDF briefing.

    ``out_pdf`` is the file to write; without it the PDF goes into ``out_dir`` (default
    ``<docs>/_build/pdf``), named after the ``html_title`` (``muse-spark-briefing.pdf``).
    The intermediate HTML goes to ``html_dir`` (default ``<docs>/_build/pdf-html``, or
    ``<out_dir>/pdf-html`` when ``out_dir`` is given). Extra ``stylesheets`` are applied
    after ``pdf.css``. Raises ``PdfBuildError`` on a Sphinx warning, a WeasyPrint problem
    that is not CSS noise, or a dead internal link.
    """
    import weasyprint

    started = time.perf_counter()
    docs = Path(docs_dir).resolve()
    build_root = docs / "_build"
    if out_dir is not None:
        out_dir = Path(out_dir).resolve()
        html = Path(html_dir).resolve() if html_dir else out_dir / "pdf-html"
    else:
        out_dir = Path(out_pdf).resolve().parent if out_pdf else build_root / "pdf"
        html = Path(html_dir).resolve() if html_dir else build_root / "pdf-html"

    build_html(docs, html, sphinx_args)
    index = _single_page(html)
    project = project_name(html)
    document = weasyprint.HTML(filename=str(index), base_url=str(index))
    page_title = document.etree_element.findtext("head/title") or ""
    briefing = read_briefing(html, project or page_title or docs.name)
    if out_pdf is None:
        out_pdf = out_dir / f"{_slug(page_title or briefing.title)}.pdf"
    out = Path(out_pdf).resolve()
    notes = prepare(document.etree_element, briefing, built or _build_date(), root_doc=index.stem)

    css = [weasyprint.CSS(filename=str(STYLESHEET))] + [weasyprint.CSS(filename=str(s)) for s in stylesheets]
    partial = out.with_name(f".{out.name}.partial")  # the PDF is replaced only by a good one
    with weasyprint_log() as (handler, noise):
        rendered = document.render(stylesheets=css)
        if not handler.records:
            out.parent.mkdir(parents=True, exist_ok=True)
            rendered.write_pdf(partial)
    if handler.records:
        problems = "\n".join(f"  {r.levelname.lower()}: {r.getMessage()}" for r in handler.records)
        if any(".notdef glyph" in r.getMessage() for r in handler.records):
            problems += ("\n  no installed font draws these characters: install the fonts the PDF uses "
                         "(`make system-deps`: Debian's fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji)")
        raise PdfBuildError(f"WeasyPrint reported {len(handler.records)} problem(s):\n{problems}")

    links = 0
    try:
        if check_links:
            try:
                links, dead = internal_links(partial)
            except ImportError:
                notes.append("pypdf is not installed: internal links were not checked")
            else:
                if dead:
                    raise PdfBuildError(f"{len(dead)} internal link(s) lead nowhere: {', '.join(dead[:10])}")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return PdfResult(out, len(rendered.pages), time.perf_counter() - started, html, links, noise.dropped,
                     tuple(notes))


def internal_links(pdf: str | Path) -> tuple[int, list[str]]:
    """(number of internal link annotations, the targets of those that lead nowhere)."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, IndirectObject

    reader = PdfReader(str(pdf))
    names = set(reader.named_destinations)
    page_ids = {p.indirect_reference.idnum for p in reader.pages if p.indirect_reference is not None}
    total, dead = 0, []
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            action = annot.get("/A")
            if dest is None and action is not None:
                action = action.get_object()
                if action.get("/S") == "/GoTo":
                    dest = action.get("/D")
            if dest is None:
                continue  # an external link
            total += 1
            dest = dest.get_object() if isinstance(dest, IndirectObject) else dest
            if isinstance(dest, ArrayObject):
                target = dest[0]
                if not (isinstance(target, IndirectObject) and target.idnum in page_ids):
                    dead.append(f"page {number}: explicit destination to no page")
            elif str(dest) not in names:
                dead.append(f"page {number}: #{dest}")
    return total, dead
