"""Every id on a page names one place: a link to a quote must land on that quote.

Quote anchors and source-line ids are set by this extension, not by docutils' id
registry, so docutils cannot keep them apart from each other or from the page's own
ids (a `tracefacts-source` directive used twice on a page, a section whose id happens
to equal an anchor). They are checked when the page is read, where its ids are made.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from docutils import nodes

from .directives import report


def duplicate_ids(doctree: nodes.Node) -> Iterator[tuple[str, nodes.Element, nodes.Element]]:
    """(id, first element holding it, later element holding it again), in reading order."""
    holder: dict[str, nodes.Element] = {}
    for node in doctree.findall(nodes.Element):
        for name in node.get("ids", ()):
            first = holder.setdefault(name, node)
            if first is not node:
                yield name, first, node


def _line(node: nodes.Element) -> int | None:
    while node is not None:
        if node.line:
            return node.line
        node = node.parent
    return None


def check_ids(app: Any, doctree: nodes.document) -> None:
    for name, first, again in duplicate_ids(doctree):
        where = _line(first)
        # kept with the page: every later build reports it again until the page changes
        report(app.env, "duplicate-anchor",
               f"the id {name!r} is given twice on this page{f' (first at line {where})' if where else ''}; "
               "a link to it would land on the first only. Show each source once per page, and rename a "
               "section or label whose id equals a quote anchor (q-<fact id>)",
               (app.env.docname, _line(again)))
