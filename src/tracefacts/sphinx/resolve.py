"""Write-time work: links to highlighted quotes, pages that show a fact, and the views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes

from ..export import anchor_id
from ..gcpause import gc_paused
from . import nodes as tfn
from .domain import get_state
from .fragments import FOLDER, FragmentStore, HtmlRenderer, store_header
from .links import page_link, pages_of, quote_uri
from .notes import plain_notes
from .views import draw, tf_view


def _cite_link(app: Any, docname: str, node: tfn.citation_ref) -> nodes.Node:
    state = get_state(app.env)
    anchor = state.result.anchors.get((node["fact"], node["index"]))
    uri = quote_uri(app, docname, node["source"], anchor_id(anchor) if anchor else None)
    children = list(node.children)  # moved, not copied: the marker node is discarded
    node.children = []
    if uri is None:
        return nodes.inline("", "", *children, classes=node["classes"])
    return nodes.reference("", "", *children, refuri=uri, internal=True, classes=node["classes"])


def resolve_tree(app: Any, docname: str, tree: nodes.Element) -> None:
    """Citation markers become links; wrappers become plain inlines; `used_on` lists pages."""
    for node in list(tree.findall(tfn.citation_ref)):
        node.replace_self(_cite_link(app, docname, node))
    for cls in (tfn.fact_ref, tfn.cite_group):
        for node in list(tree.findall(cls)):
            children = list(node.children)
            node.children = []
            node.replace_self(nodes.inline("", "", *children, classes=node["classes"]))
    for node in list(tree.findall(tfn.used_on)):
        pages = pages_of(app, node["fact"])
        out = nodes.inline(classes=["tf-used-on"])
        out += tfn.used_on_nodes([page_link(app, docname, page) for page in pages])
        node.replace_self(out)


def _renderer(app: Any, doctree: nodes.document, docname: str) -> HtmlRenderer | None:
    """Draws layouts from cached HTML fragments when the builder writes HTML."""
    if app.builder.format != "html" or not app.config.tracefacts_html_fragments \
            or getattr(app.builder, "docsettings", None) is None:
        return None
    state = get_state(app.env)
    if state.fragments is None:
        sources_shown = sorted(d for d in app.env.all_docs if d.startswith(f"{app.config.tracefacts_source_pages}/"))
        header = store_header(app, (app.config.tracefacts_source_pages, app.config.root_doc, sources_shown))
        state.fragments = FragmentStore(Path(app.doctreedir) / FOLDER / app.builder.name, header)
    return HtmlRenderer(app, doctree, docname, state.fragments, lambda tree: resolve_tree(app, docname, tree))


def draw_views(app: Any, doctree: nodes.document, docname: str) -> None:
    views = list(doctree.findall(tf_view))
    if views:
        renderer = _renderer(app, doctree, docname)
        for node in views:
            context = tuple(node.parent["classes"]) if isinstance(node.parent, nodes.Element) else ()
            render = (lambda layout, c=context: renderer.render(layout, c)) if renderer else (lambda layout: None)
            with gc_paused():
                node.replace_self(draw(app, docname, node["spec"], render))


def resolve(app: Any, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved. LaTeX did this work already, in a post-transform (``latex.py``):
    there nothing is left to draw or resolve."""
    draw_views(app, doctree, docname)
    plain_notes(app, doctree, docname)  # text, man, texinfo: citations as numbered notes (LaTeX: latex.py)
    resolve_tree(app, docname, doctree)
