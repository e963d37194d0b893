"""No fact is cited in a heading.

Sphinx copies every section title out of the page (the page title, the tables of contents,
the navigation) and writes those copies outside the page body, where the page's citations
are never turned into links: a `{fact}` or `{cite-fact}` in a title ended the build with a
traceback. Headings need no citation anyway (the sourcing rule): the fact goes into the
section's text. Before anything copies a title, each fact or citation in it is replaced by
plain words (the fact's statement, or nothing for citation markers) and the page gets a
problem that says where to move it.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform

from . import nodes as tfn
from .domain import get_state, report


class FactsOutOfHeadings(SphinxTransform):
    # After substitutions (220) have put their text in place, before a contents list
    # copies the section titles (720) and long before the collectors of doctree-read.
    default_priority = 500

    def apply(self, **kwargs: object) -> None:
        for title in list(self.document.findall(lambda n: isinstance(n, (nodes.title, nodes.subtitle)))):
            found = list(title.findall(lambda n: isinstance(n, (tfn.fact_ref, tfn.cite_group)), include_self=False))
            # a fact_ref holds no other fact: only the outermost are replaced
            outer = [n for n in found if not any(isinstance(a, (tfn.fact_ref, tfn.cite_group))
                                                 for a in _ancestors(n, title))]
            if not outer:
                continue
            ids = []
            for node in outer:
                if isinstance(node, tfn.fact_ref):
                    ids.append(node["fact"])
                    node.parent.replace(node, nodes.Text(_statement(self, node["fact"])))
                else:
                    ids += node["facts"]
                    node.parent.remove(node)
            named = ", ".join(f"`{i}`" for i in dict.fromkeys(ids)) or "a fact"
            report(self.env, "fact-in-heading",
                   f"the heading {' '.join(title.astext().split())[:160]!r} cites {named}: a heading cannot "
                   "carry a fact or a citation (its copies in the page title and the tables of contents have "
                   "no place for one); show or cite the fact in the section's text instead",
                   (self.env.docname, tfn.line_of(title)))


def _ancestors(node: nodes.Node, stop: nodes.Node) -> list[nodes.Node]:
    found = []
    node = node.parent
    while node is not None and node is not stop:
        found.append(node)
        node = node.parent
    return found


def _statement(transform: SphinxTransform, fact_id: str) -> str:
    """The words a heading keeps of a fact: its statement."""
    fact = get_state(transform.env).facts.get(fact_id)
    return fact.statement if fact is not None else fact_id
