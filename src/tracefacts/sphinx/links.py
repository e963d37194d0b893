"""Where things are in the output: the URI of a highlighted quote, a link to a page, the
pages that show a fact. Asked while pages are written, by every builder."""

from __future__ import annotations

from typing import Any

from docutils import nodes

from .domain import domain, get_state

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
    title = page_title(app, page)
    if app.builder.format == "man":
        # a man page has no links: the page's title is the reference ("Claims", not "Claims <>")
        return nodes.inline(title, title, classes=["tf-page-link"])
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


def page_title(app: Any, page: str) -> str:
    titles = get_state(app.env).page_titles  # asked once per fact of a matrix: astext() is not free
    if page not in titles:
        titles[page] = app.env.titles[page].astext() if page in app.env.titles else page
    return titles[page]
