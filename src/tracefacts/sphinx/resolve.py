"""Write-time work: links to highlighted quotes, and the views that need every page read."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from ..export import anchor_id
from . import nodes as tfn
from .directives import domain, get_state
from .state import source_label

SINGLE_PAGE_BUILDERS = {"singlehtml", "simplepdf", "latex", "rinoh"}


def quote_uri(app: Any, fromdoc: str, source_id: str, anchor: str | None) -> str | None:
    folder = app.config.tracefacts_source_pages
    if not folder:
        return None
    target = f"{folder}/{source_id}"
    if target not in app.env.all_docs:
        return None
    if app.builder.name in SINGLE_PAGE_BUILDERS:
        return f"#{anchor}" if anchor else _single_page_anchor(app, target)
    uri = app.builder.get_relative_uri(fromdoc, target)
    return f"{uri}#{anchor}" if anchor else uri


def _single_page_anchor(app: Any, page: str) -> str:
    """The id a one-page build gives ``page``; the root document has no `document-` id there."""
    if page != app.config.root_doc:
        return f"#document-{page}"
    section = next(iter(app.env.get_doctree(page).findall(nodes.section)), None)
    return f"#{section['ids'][0]}" if section is not None and section["ids"] else "#"


def page_link(app: Any, fromdoc: str, page: str) -> nodes.Node:
    title = app.env.titles[page].astext() if page in app.env.titles else page
    if app.builder.name in SINGLE_PAGE_BUILDERS:
        uri = _single_page_anchor(app, page)
    else:
        uri = app.builder.get_relative_uri(fromdoc, page)
    return nodes.reference(title, title, refuri=uri, internal=True, classes=["tf-page-link"])


def pages_of(app: Any, fact_id: str) -> list[str]:
    """Pages showing a fact; the index is built once per build, when pages are written."""
    state = get_state(app.env)
    if state.pages_index is None:
        state.pages_index = domain(app.env).pages_index()
    return state.pages_index.get(fact_id, [])


def _cite_link(app: Any, docname: str, node: tfn.citation_ref) -> nodes.Node:
    state = get_state(app.env)
    anchor = state.result.anchors.get((node["fact"], node["index"]))
    uri = quote_uri(app, docname, node["source"], anchor_id(anchor) if anchor else None)
    children = list(node.children)  # moved, not copied: the marker node is discarded
    node.children = []
    if uri is None:
        return nodes.inline("", "", *children, classes=node["classes"])
    return nodes.reference("", "", *children, refuri=uri, internal=True, classes=node["classes"])


def resolve(app: Any, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(tfn.citation_ref)):
        node.replace_self(_cite_link(app, docname, node))
    for cls in (tfn.fact_ref, tfn.cite_group):
        for node in list(doctree.findall(cls)):
            children = list(node.children)
            node.children = []
            node.replace_self(nodes.inline("", "", *children, classes=node["classes"]))
    for node in list(doctree.findall(tfn.used_on)):
        pages = pages_of(app, node["fact"])
        out = nodes.inline(classes=["tf-used-on"])
        if pages:
            out += nodes.Text(" — shown on ")
            for i, page in enumerate(pages):
                if i:
                    out += nodes.Text(", ")
                out += page_link(app, docname, page)
        else:
            out += nodes.Text(" — not shown on any page")
        node.replace_self(out)
    for node in list(doctree.findall(tfn.trace_matrix)):
        node.replace_self(trace_matrix(app, docname, node.get("facts")))


def trace_matrix(app: Any, docname: str, only: list[str] | None = None) -> list[nodes.Node]:
    from .directives import _table

    state = get_state(app.env)
    dom = domain(app.env)
    pages = sorted({doc for doc, shown in dom.data["shows"].items() if shown})
    total = sum(t for t, _ in dom.data["sentences"].values())
    sourced = sum(s for _, s in dom.data["sentences"].values())
    unused = [f for f in state.facts if not pages_of(app, f)]
    share = f"{sourced / total:.0%}" if total else "n/a"
    summary = [
        ("Facts", str(len(state.facts))), ("Sources", str(len(state.sources))),
        ("Pages showing facts", str(len(pages))),
        ("Sentences sourced", f"{share} ({sourced} of {total} sentences outside editorial blocks)"),
        ("Facts on no page", str(len(unused)) + (f": {', '.join(unused)}" if unused else "")),
    ]
    fields = nodes.field_list(classes=["tf-matrix-summary"])
    for name, value in summary:
        fields += nodes.field("", nodes.field_name(name, name), nodes.field_body("", nodes.paragraph(value, value)))

    rows = []
    shown = state.facts.values() if only is None else [state.facts[i] for i in only if i in state.facts]
    for fact in shown:
        fact_cell: list[nodes.Node] = [nodes.literal(fact.id, fact.id), nodes.Text(" "),
                                       nodes.inline(fact.statement, fact.statement)]
        kind_text = tfn.attribution(fact) or "Reported"
        kind_cell: list[nodes.Node] = [nodes.Text(kind_text)]
        if fact.is_stale(state.result.today):
            kind_cell += [nodes.Text(" "), tfn.stale_flag(state, fact)]  # type: ignore[list-item]
        quote_cell: list[nodes.Node] = []
        for index, quote in enumerate(fact.sources):
            source = state.sources.get(quote.source)
            anchor = state.result.anchors.get((fact.id, index))
            label = source_label(source) if source else quote.source
            if quote_cell:
                quote_cell.append(nodes.Text(" · "))
            quote_cell.append(nodes.strong(label, label))
            quote_cell.append(nodes.Text(": "))
            uri = quote_uri(app, docname, quote.source, anchor_id(anchor) if anchor else None)
            text = f"“{quote.quote}”"
            quoted = (nodes.reference(text, text, refuri=uri, internal=True, classes=["tf-matrix-quote"])
                      if uri else nodes.inline(text, text))
            quoted["support_smartquotes"] = False  # verbatim
            quote_cell.append(quoted)
        page_cell: list[nodes.Node] = []
        for i, page in enumerate(pages_of(app, fact.id)):
            if i:
                page_cell.append(nodes.Text(", "))
            page_cell.append(page_link(app, docname, page))
        if not page_cell:
            page_cell = [nodes.emphasis("none", "none")]
        rows.append([fact_cell, kind_cell, quote_cell, page_cell])
    table = _table(["Fact", "Kind", "Sources and quotes", "Shown on"], rows, ["tf-trace-matrix"], [5, 2, 6, 2])
    # Built after the theme wrapped the page's tables: give this one its own scroll box.
    return [fields, nodes.container("", table, classes=["tf-table-scroll"])]
