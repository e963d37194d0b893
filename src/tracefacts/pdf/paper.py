"""The singlehtml page reshaped for paper: screen chrome out, a cover and a contents list in,
chapters in order and the source pages moved into a closing appendix."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree as ET

from .briefing import Briefing
from .documents import SOURCE_FOLDER, Doc, wrap_documents
from .errors import PdfBuildError
from .front import contents, cover
from .invisible import show_invisible
from .tree import add_class, class_set, drop, element, find_class, heading_of, is_element, parent_map, text_of

MAX_GRID_COLUMNS = 4


def _grid_columns(classes: set[str]) -> int:
    """sphinx-design's ``grid 1 2 3 3`` → columns for a page about as wide as a tablet (md)."""
    for key in ("sd-row-cols-md-", "sd-row-cols-sm-", "sd-row-cols-lg-", "sd-row-cols-"):
        for cls in classes:
            if cls.startswith(key) and cls[len(key):].isdigit():
                return max(1, min(MAX_GRID_COLUMNS, int(cls[len(key):])))
    return 2


def prepare(root: ET.Element, briefing: Briefing, built: dt.date, *, root_doc: str = "index",
            source_folder: str | None = SOURCE_FOLDER) -> list[str]:
    """Reshape the singlehtml tree in place; returns notes on what was repaired.

    ``root_doc`` is the page the others are inlined into: singlehtml links to it as
    ``#document-<root_doc>`` but gives nothing that id, so the PDF's main block takes it.
    """
    notes: list[str] = []
    head, body = root.find("head"), root.find("body")
    if head is None or body is None:
        raise PdfBuildError("the HTML has no <head> or no <body>")
    main = next((el for el in body.iter("div") if el.get("role") == "main" or "body" in class_set(el)), None)
    if main is None:
        raise PdfBuildError("no <div class=\"body\"> in the page: was it built with the basic theme?")

    # <head>: no screen stylesheets or scripts; the PDF's title is the project's.
    for el in list(head):
        if not is_element(el):
            continue
        if el.tag in ("script", "style") or (el.tag == "link" and el.get("rel") != "icon"):
            head.remove(el)
    title = head.find("title")
    if title is None:
        title = ET.SubElement(head, "title")
    title.text = briefing.title
    head.append(element("meta", name="dcterms.created", content=built.isoformat()))

    # Screen chrome inside the content: pilcrow links, clearers, scripts.
    parents = parent_map(main)
    for el in list(main.iter()):
        if not is_element(el):
            continue
        cls = class_set(el)
        if (el.tag == "a" and "headerlink" in cls) or "clearer" in cls or el.tag in ("script", "style"):
            drop(el, parents)
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
    for row in find_class(main, "sd-row"):
        add_class(row, f"pdf-cols-{_grid_columns(class_set(row))}")

    docs = wrap_documents(main, source_folder)
    content = element("div", cls="pdf-main", id=f"document-{root_doc}")
    content.extend(list(main))
    _restructure(content, docs)
    notes += _dedupe_ids(content)

    # The new body: cover, contents, the handbook.
    for child in list(body):
        body.remove(child)
    body.text = None
    body.append(cover(briefing, built))
    body.append(contents(content, docs))
    body.append(content)
    show_invisible(body)
    return notes


def _restructure(content: ET.Element, docs: list[Doc]) -> None:
    """Chapters follow the root page's own text, then the appendix of sources; headings are
    renumbered so that every chapter title is an h2, whatever the toctree's depth was."""
    root_section = next((c for c in content if is_element(c) and c.tag == "section"), None)
    if root_section is not None:
        add_class(root_section, "pdf-root-section")
        if (h := heading_of(root_section)) is not None:
            add_class(h, "pdf-chapter-title")
    # Chapters are the documents not inside another; source pages go to the appendix even
    # when a chapter's own toctree holds them.
    chapters = [d for d in docs if "pdf-chapter" in class_set(d.box) and not d.source]
    sources = [d for d in docs if d.source]
    parents = parent_map(content)  # taken before any move: each box is dropped from where it was
    for doc in chapters + sources:
        drop(doc.box, parents)
        doc.box.tail = None
        add_class(doc.box, "pdf-chapter")
        if doc.section is not None and (h := heading_of(doc.section)) is not None:
            _shift_headings(doc.box, 2 - int(h.tag[1]))
            add_class(h, "pdf-chapter-title")
    # toctree wrappers emptied by the move go too
    parents = parent_map(content)
    for wrapper in list(find_class(content, "toctree-wrapper")):
        if not any(is_element(c) for c in wrapper) and not text_of(wrapper):
            drop(wrapper, parents)
    content.extend(d.box for d in chapters)
    if sources:
        appendix = element("div", cls="pdf-appendix", id="pdf-appendix-sources")
        appendix.append(element("h2", "Appendix: the sources", cls="pdf-chapter-title pdf-appendix-title"))
        appendix.append(element(
            "p", "Every source the facts quote, as captured: its metadata and SHA-256, then its full "
            "text with each quote highlighted and, under it, the facts that cite it.", cls="pdf-appendix-intro"))
        appendix.extend(d.box for d in sources)
        content.append(appendix)


def _shift_headings(box: ET.Element, delta: int) -> None:
    if not delta:
        return
    for el in box.iter():
        if is_element(el) and re.fullmatch(r"h[1-6]", el.tag):
            el.tag = f"h{max(1, min(6, int(el.tag[1]) + delta))}"


def _dedupe_ids(root: ET.Element) -> list[str]:
    """singlehtml can give two pages' sections the same id; WeasyPrint wants each anchor once."""
    seen: set[str] = set()
    notes: list[str] = []
    renamed: list[str] = []
    for el in root.iter():
        if not is_element(el) or not el.get("id"):
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
