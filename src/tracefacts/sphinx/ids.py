"""Every id on a page names one place: a link to a quote must land on that quote.

Quote anchors and source-line ids are set by this extension, not by docutils' id
registry, so docutils cannot keep them apart from each other or from the page's own
ids (a `tracefacts-source` directive used twice on a page, a section whose id happens
to equal an anchor). They are checked when the page is read, where its ids are made.

A one-page output (singlehtml, the PDF made from it) puts every page into one: ids unique
on each page can meet there (a label ``(q-rocket-closed)=`` on one page and the quote anchor
of fact ``rocket-closed`` on a source page). Sections of different pages sharing an id is
ordinary there (two pages with a "Background" section) and no link of tracefacts lands on
one; but an id that tracefacts links to (a quote, a source line, a page's start) must name
one place of the whole output. The assembled page is checked each time it is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.logging import is_suppressed_warning

from . import nodes as tfn
from .domain import domain, report
from .links import SINGLE_PAGE_BUILDERS

logger = logging.getLogger(__name__)
LINK_TARGETS = {"tf-quote", "tf-source-line"}  # the elements tracefacts links to by id


def duplicate_ids(doctree: nodes.Node) -> Iterator[tuple[str, nodes.Element, nodes.Element]]:
    """(id, first element holding it, later element holding it again), in reading order."""
    holder: dict[str, nodes.Element] = {}
    for node in doctree.findall(nodes.Element):
        for name in node.get("ids", ()):
            first = holder.setdefault(name, node)
            if first is not node:
                yield name, first, node



def check_ids(app: Any, doctree: nodes.document) -> None:
    for name, first, again in duplicate_ids(doctree):
        where = tfn.line_of(first)
        # kept with the page: every later build reports it again until the page changes
        report(app.env, "duplicate-anchor",
               f"the id {name!r} is given twice on this page{f' (first at line {where})' if where else ''}; "
               "a link to it would land on the first only. Show each source once per page, and rename a "
               "section or label whose id equals a quote anchor (q-<fact id>)",
               (app.env.docname, tfn.line_of(again)))


def _linked(node: nodes.Element) -> bool:
    """Whether tracefacts links to the ids of ``node``: a quote, a source line, a page's start."""
    if isinstance(node, addnodes.start_of_file):
        return True
    return not LINK_TARGETS.isdisjoint(node.get("classes", ()))


def _one_page_ids(tree: nodes.Node, root_doc: str, html: bool) -> Iterator[tuple[str, nodes.Element, str]]:
    """(id, element holding it, the page it came from) in an assembled tree, in reading order.

    Walked from the top: Sphinx moves each page's children under its ``start_of_file`` node
    without re-parenting them, so a node's ``parent`` does not lead to its page.
    """
    stack: list[tuple[nodes.Node, str]] = [(tree, root_doc)]
    while stack:
        node, page = stack.pop()
        if not isinstance(node, nodes.Element):
            continue
        if isinstance(node, addnodes.start_of_file):
            page = node["docname"]
            if html:
                yield f"document-{page}", node, page  # the HTML writer's <span id="document-...">
        for name in node.get("ids", ()):
            yield name, node, page
        stack.extend((child, page) for child in reversed(node.children))


def check_one_page_ids(app: Any, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved of a one-page builder's assembled tree: the ids tracefacts links to are unique in it."""
    if app.builder.name not in SINGLE_PAGE_BUILDERS or next(doctree.findall(addnodes.start_of_file), None) is None:
        return  # not a tree assembled from several pages: each page was checked when it was read
    holder: dict[str, tuple[nodes.Element, str]] = {}
    for name, node, page in _one_page_ids(doctree, app.config.root_doc, app.builder.format == "html"):
        first, first_page = holder.setdefault(name, (node, page))
        if first is node or not (_linked(first) or _linked(node)):
            continue
        if first_page == page:
            continue  # one page's own duplicate: reported (and kept) when that page was read
        if not is_suppressed_warning("tracefacts", "duplicate-anchor", app.config.suppress_warnings):
            domain(app.env).one_page_duplicates += 1
        # Located at the author's label or section (what to rename) when one of the two is tracefacts' own.
        (here, here_page), (there, there_page) = ((first, first_page), (node, page)) if not _linked(first) \
            else ((node, page), (first, first_page))
        where = tfn.line_of(there)
        # Not kept with a page: the one-page output is assembled, and so checked, by every build.
        logger.warning("duplicate-anchor: the id %r is given here and again on page %s%s, which the one-page "
                       "output (%s) holds too; a link to it would land on the first only. Rename the label or "
                       "section whose id equals a quote anchor (q-<fact id>), a source line (<source id>-L<n>) "
                       "or a page (document-<page>)", name, there_page, f" (line {where})" if where else "",
                       app.builder.name, location=(here_page, tfn.line_of(here)), type="tracefacts",
                       subtype="duplicate-anchor")


def fail_strict_one_page(app: Any, exception: Exception | None) -> None:
    """build-finished: a strict build fails on the one-page output's duplicate ids, as on any page problem."""
    found, domain(app.env).one_page_duplicates = domain(app.env).one_page_duplicates, 0
    if exception is None and found and app.config.tracefacts_strict:
        logger.error("tracefacts: %d id(s) given twice in the one-page output (duplicate-anchor)", found)
        app.statuscode = 1
