"""EPUB: every citation an EPUB 3 note.

An EPUB reader has no hover and often no JavaScript: the HTML tip inside a marker would be
run into the text, or never seen. In an EPUB each marker is a note reference
(``<a epub:type="noteref">``) and what its tip held (the quotes, the source's title,
publisher and date, how far the source carries the statement) is an
``<aside epub:type="footnote">`` at the end of the page, which readers show as a pop-up
(and others as an end note). The source's title, publisher and date link to the highlighted
quote on the source page, and "↩" back to the marker.

Runs at ``doctree-resolved`` before ``resolve.resolve``: it draws the page's views as
docutils nodes (the HTML builders' cached cell HTML holds tips) and turns every
``citation_ref`` into a note reference and its note; ``resolve`` then finds no marker left.
Everything from the fact base stays in Text nodes (``tf_text``): the writer escapes it.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

from ..export import anchor_id
from . import nodes as tfn
from .domain import get_state
from .links import quote_uri
from .views import draw, tf_view

NOTE_ID = "tf-note-{}"
NOTEREF_ID = "tf-noteref-{}"
TIP = "tf-tip"
CSS = "tracefacts-epub.css"


class tf_noteref(nodes.Inline, nodes.TextElement):
    """A citation marker in an EPUB: ``<a epub:type="noteref" href="#<note>">``."""


class tf_note(nodes.General, nodes.Element):
    """A citation's note in an EPUB: ``<aside epub:type="footnote" id="<note>">``."""


def visit_noteref(translator: Any, node: tf_noteref) -> None:
    # role: the same meaning for assistive technology (DPUB-ARIA), which reads no epub:type
    translator.body.append(translator.starttag(node, "a", "", href=f"#{node['note']}",
                                               **{"epub:type": "noteref", "role": "doc-noteref"}))


def depart_noteref(translator: Any, node: tf_noteref) -> None:
    translator.body.append("</a>")


def visit_note(translator: Any, node: tf_note) -> None:
    translator.body.append(translator.starttag(node, "aside", "", **{"epub:type": "footnote",
                                                                     "role": "doc-footnote"}))


def depart_note(translator: Any, node: tf_note) -> None:
    translator.body.append("</aside>\n")


# For app.add_node: keyed by the HTML format, not by "epub" (a builder that has handlers
# under its own name ignores those of its format, and tf_text's bidi isolation is "html").
NOTEREF_HTML = (visit_noteref, depart_noteref)
NOTE_HTML = (visit_note, depart_note)


def _support_words(ref: tfn.citation_ref) -> list[nodes.Node]:
    """The group's words after its markers ("single source"), for each of its notes."""
    group = ref.parent
    if not isinstance(group, nodes.Element) or "tf-cites" not in group["classes"]:
        return []
    words = [child.deepcopy() for child in group.children
             if isinstance(child, nodes.Element) and "tf-single-note" in child["classes"]]
    for word in words:
        word["classes"] = []  # the HTML style of words after a marker (small, raised) is not a note's
    return words


def _paragraph(child: nodes.Node) -> nodes.paragraph:
    """One piece of the tip as a paragraph of the note; a quote between quotation marks
    (the HTML tip draws them with CSS, which an EPUB reader's pop-up may not apply)."""
    classes = list(child["classes"]) if isinstance(child, nodes.Element) else []
    if isinstance(child, nodes.Element):
        # the tip's classes off: the HTML style sheet draws their quotation marks and hides tips
        child["classes"] = [c for c in classes if not c.startswith("tf-tip")]
    para = nodes.paragraph(classes=[c.replace("tf-tip-", "tf-note-") for c in classes if c.startswith("tf-tip-")])
    if "tf-tip-quote" in classes:
        para += [nodes.Text("“"), child, nodes.Text("”")]
    else:
        para += child
    return para


def _link_source(note: tf_note, uri: str) -> None:
    """The source's title, publisher and date become the link to the highlighted quote (as
    the marker is in HTML): no words of our own that a translated build would show in English."""
    source = next((p for p in note.children if "tf-note-source" in p["classes"]), None)
    if source is None:  # a tip without its source line: the link stands alone
        note += nodes.paragraph("", "", nodes.reference("", "¶", refuri=uri, internal=True))
        return
    children = list(source.children)
    source.children = []
    source += nodes.reference("", "", *children, refuri=uri, internal=True)


def _note(app: Any, docname: str, ref: tfn.citation_ref, number: int) -> tuple[tf_noteref, tf_note]:
    """The marker as a note reference and the tip's content as its note (moved, not copied)."""
    note_id, ref_id = NOTE_ID.format(number), NOTEREF_ID.format(number)
    tips = [c for c in ref.children if isinstance(c, nodes.Element) and TIP in c["classes"]]
    marker = tf_noteref("", "", *[c for c in ref.children if c not in tips],
                        ids=[ref_id], classes=ref["classes"], note=note_id)
    note = tf_note(ids=[note_id], classes=["tf-note"])
    for tip in tips:
        for child in list(tip.children):
            tip.remove(child)
            note += _paragraph(child)
    support = _support_words(ref)
    if support:
        note += nodes.paragraph("", "", *support, classes=["tf-note-support"])
    anchor = get_state(app.env).result.anchors.get((ref["fact"], ref["index"]))
    uri = quote_uri(app, docname, ref["source"], anchor_id(anchor) if anchor else None)
    if uri is not None:
        _link_source(note, uri)
    # back to the marker: a symbol, not words (readers that show notes at the end of the page)
    note += nodes.paragraph("", "", nodes.reference("", "↩", refid=ref_id, internal=True), classes=["tf-note-back"])
    ref.children = []
    return marker, note


def epub_notes(app: Any, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved, before ``resolve``: citations become EPUB notes (EPUB builder only)."""
    if app.builder.name != "epub":
        return
    for view in list(doctree.findall(tf_view)):
        # drawn as nodes, so that the citations inside views become notes too
        view.replace_self(draw(app, docname, view["spec"], lambda layout: None))
    notes = nodes.container(classes=["tf-notes"])
    for number, ref in enumerate(list(doctree.findall(tfn.citation_ref)), start=1):
        marker, note = _note(app, docname, ref, number)
        ref.replace_self(marker)
        notes += note
    if notes.children:
        doctree += notes


def add_epub_css(app: Any) -> None:
    """builder-inited: the notes' look, for the EPUB builder only."""
    if app.builder.name == "epub":
        app.add_css_file(CSS)
