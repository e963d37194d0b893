"""The front matter the PDF adds: a cover and a contents list."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from ..model import day_label
from .briefing import Briefing
from .documents import Doc
from .tree import class_set, element, heading_of, is_element, text_of


def cover(b: Briefing, built: dt.date) -> ET.Element:
    """The first page: the title, the date the sources reach, what the briefing rests on, how to read it."""
    page = element("section", cls="pdf-cover", id="pdf-cover")
    page.append(element("p", "Briefing", cls="pdf-kicker"))
    page.append(element("h1", b.title, cls="pdf-title"))
    page.append(element("p", f"As of {b.as_of.strftime('%B %Y')}" if b.as_of else "Sources undated", cls="pdf-asof"))
    facts = element("dl", cls="pdf-figures")
    rows = [
        ("Facts", f"{b.facts}, of which {b.shown} shown in this briefing"),
        ("Sources", str(b.sources)),
        ("Single-source facts", f"{b.single_source} of {b.facts}"),
        ("Past their review date", str(b.stale)),
        ("Newest source", day_label(b.as_of) if b.as_of else "none dated"),
        ("Built", day_label(built)),
    ]
    for name, value in rows:
        facts.append(element("dt", name))
        facts.append(element("dd", value))
    page.append(facts)
    howto = element("div", cls="pdf-howto")
    howto.append(element("p", "How to read this briefing", cls="pdf-howto-title"))
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
        howto.append(element("p", line))
    page.append(howto)
    return page


def contents(content: ET.Element, docs: list[Doc]) -> ET.Element:
    """The contents list: the root page, each chapter with its sections, the appendix of sources."""
    nav = element("nav", cls="pdf-contents", id="pdf-contents")
    nav.append(element("h2", "Contents", cls="pdf-contents-title"))
    top = element("ul")
    nav.append(top)

    def entry(parent: ET.Element, href: str, label: str, cls: str) -> ET.Element:
        li = element("li", cls=cls)
        li.append(element("a", label, href=f"#{href}"))
        parent.append(li)
        return li

    def subsections(section: ET.Element | None, li: ET.Element) -> None:
        subs = [s for s in (section if section is not None else []) if is_element(s) and s.tag == "section"]
        items = [(s.get("id"), heading_of(s)) for s in subs]
        items = [(i, h) for i, h in items if i and h is not None]
        if items:
            ul = element("ul")
            for ident, h in items:
                entry(ul, ident, text_of(h), "pdf-toc-2")
            li.append(ul)

    # the index page's own section (its h1) comes first
    first = next((s for s in content if is_element(s) and s.tag == "section"), None)
    if first is not None and first.get("id") and (h := heading_of(first)) is not None:
        subsections(first, entry(top, first.get("id", ""), text_of(h), "pdf-toc-1"))
    for doc in docs:
        if doc.source or "pdf-chapter" not in class_set(doc.box):
            continue
        h = heading_of(doc.section) if doc.section is not None else None
        li = entry(top, f"document-{doc.name}", text_of(h) if h is not None else doc.name, "pdf-toc-1")
        subsections(doc.section, li)
    sources = [d for d in docs if d.source]
    if sources:
        li = entry(top, "pdf-appendix-sources", "Appendix: the sources", "pdf-toc-1")
        ul = element("ul")
        for doc in sources:
            h = heading_of(doc.section) if doc.section is not None else None
            entry(ul, f"document-{doc.name}", text_of(h) if h is not None else doc.name, "pdf-toc-2")
        li.append(ul)
    return nav
