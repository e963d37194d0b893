"""The documents inlined on the single page: each put in a box of its own, chapters and
source pages told apart."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET

from .tree import add_class, element, find_class, heading_of, is_element, parent_map

SOURCE_FOLDER = "sources"  # the extension's tracefacts_source_pages default


@dataclass
class Doc:
    name: str
    box: ET.Element  # div.pdf-doc#document-<name> holding the document's section
    section: ET.Element | None
    source: bool


def is_source_page(name: str, box: ET.Element, section: ET.Element | None, source_folder: str | None) -> bool:
    """A page of the source folder that shows a source, or a page that is nothing but a
    source (its title and the source's text): wherever the extension puts its source pages."""
    if not any(True for _ in find_class(box, "tf-source-page")):
        return False
    if source_folder and name.startswith(f"{source_folder}/"):
        return True
    if section is None:
        return False
    title = heading_of(section)
    rest = [c for c in section if is_element(c) and c is not title and not (c.tag == "span" and not len(c))]
    return len(rest) == 1 and "tf-source-page" in (rest[0].get("class") or "").split()


def wrap_documents(main: ET.Element, source_folder: str | None = SOURCE_FOLDER) -> list[Doc]:
    """``<span id="document-x"></span><section>…`` → ``<div class="pdf-doc" id="document-x"><section>…``.

    An empty inline span is a fragile anchor; a block that holds the document is a sure one,
    and gives the stylesheet a hook (chapters start a page, source pages go to the appendix).
    """
    docs: list[Doc] = []
    parents = parent_map(main)
    for span in [s for s in main.iter("span") if (s.get("id") or "").startswith("document-")]:
        parent = parents[span]
        siblings = list(parent)
        index = siblings.index(span)
        box = element("div", cls="pdf-doc", id=span.get("id", ""))
        moved: list[ET.Element] = []
        for sib in siblings[index + 1:]:
            if is_element(sib) and (sib.tag == "span" and (sib.get("id") or "").startswith("document-")):
                break
            moved.append(sib)
            if is_element(sib) and sib.tag == "section":
                break
        box.tail = span.tail
        parent.remove(span)
        for sib in moved:
            parent.remove(sib)
            box.append(sib)
        parent.insert(index, box)
        name = span.get("id", "")[len("document-"):]
        section = next((c for c in box if is_element(c) and c.tag == "section"), None)
        docs.append(Doc(name, box, section, is_source_page(name, box, section, source_folder)))
    # chapters: documents not inside another document
    inside = {id(d.box): False for d in docs}
    for doc in docs:
        for other in doc.box.iter("div"):
            if other is not doc.box and id(other) in inside:
                inside[id(other)] = True
    for doc in docs:
        if not inside[id(doc.box)]:
            add_class(doc.box, "pdf-chapter")
        if doc.source:
            add_class(doc.box, "pdf-source")
    return docs
