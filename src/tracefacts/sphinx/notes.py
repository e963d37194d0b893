"""Citations as numbered notes, for outputs with no hover tip: LaTeX, text, man, texinfo.

In HTML a citation is a marker whose tip holds the quotes; a writer that cannot hide the
tip prints it inline, glued to the statement ("…April 8.VentureBeatMeta launched…"). For
these builders each citation group (the markers after one statement) becomes one docutils
footnote: a ``footnote_reference`` where the markers stood and a ``footnote`` holding, for
each source, its label, the verbatim quotes, the source's title, publisher and date, and
the support words the HTML shows ("partial …", "single source"). Every writer already
knows footnotes: text and man print ``[1]`` and the note ``[1] …`` where the footnote node
stands (here: right after the paragraph, or the table, holding the marker); texinfo makes
``@footnote``; LaTeX (``latex.py``) a ``\\footnote``, moved out of tables by Sphinx.

The note is made from the citation's own nodes (classes ``tf-marker``, ``tf-tip-quote``,
``tf-tip-source``, …), so its words are the HTML's words, in the build's language, and the
fact base's texts stay in their ``tf_text`` nodes: every writer escapes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from docutils import nodes
from sphinx import addnodes

from . import nodes as tfn

GROUP = "tf-cites"
TEXT_FORMATS = ("text", "man", "texinfo")  # builder formats whose notes follow their paragraph
WORD_FLAGS = ("tf-badge", "tf-as-of", "tf-stale")  # HTML draws these as badges: in print, words in parentheses

# (a citation, its source's title nodes) -> a link to the highlighted quote holding them, or None
QuoteLink = Callable[[tfn.citation_ref, list[nodes.Node]], nodes.Node | None]


def _with_class(node: nodes.Node, cls: str) -> bool:
    return isinstance(node, nodes.Element) and cls in node.get("classes", ())


def _find(node: nodes.Element, cls: str) -> list[nodes.Element]:
    return [n for n in node.findall(nodes.Element) if cls in n.get("classes", ())]


def _moved(node: nodes.Element) -> list[nodes.Node]:
    """The children of ``node``, taken out of it (the citation they came from is discarded)."""
    children = list(node.children)
    node.children = []
    for child in children:
        child.parent = None
    return children


def _taken(node: nodes.Element) -> nodes.Element:
    """``node`` itself, taken out of its parent: a fact-base text keeps its ``tf_text`` element."""
    if node.parent is not None:
        node.parent.remove(node)
    return node


def _source_paragraph(ref: tfn.citation_ref, link: QuoteLink | None) -> list[nodes.paragraph]:
    """One source of a citation: "VentureBeat: “quote”; “quote” — Title — Publisher, date",
    then "Partial support: these words do not say …" when the HTML tip says so."""
    para = nodes.paragraph()
    para["support_smartquotes"] = False  # verbatim quotes and titles
    for marker in _find(ref, "tf-marker"):
        para += nodes.inline("", "", _taken(marker), classes=["tf-note-source"])
    for partial in _find(ref, "tf-partial-note"):
        para += nodes.Text(partial.astext())  # " partial"
    para += nodes.Text(": ")
    for i, quote in enumerate(_find(ref, "tf-tip-quote")):
        if i:
            para += nodes.Text("; ")
        para += [nodes.Text("“"), _taken(quote), nodes.Text("”")]
    for where in _find(ref, "tf-tip-source"):
        children = _moved(where)
        title = next((c for c in children if _with_class(c, "tf-tip-title")), None)
        linked = link(ref, [title]) if (link is not None and title is not None) else None
        if linked is not None and title is not None:
            children[children.index(title)] = linked
        para += [nodes.Text(" — "), *children]
    out = [para]
    for missing in _find(ref, "tf-tip-partial"):
        said = nodes.paragraph()
        said["support_smartquotes"] = False
        said += _moved(missing)
        out.append(said)
    return out


def note_paragraphs(group: nodes.Element, link: QuoteLink | None = None) -> list[nodes.paragraph]:
    """What one citation group's note says, as paragraphs; ``link`` makes a source's title a
    link to its highlighted quote (LaTeX)."""
    out: list[nodes.paragraph] = []
    for ref in list(group.findall(tfn.citation_ref)):
        out += _source_paragraph(ref, link)
    words = [n.astext() for n in _find(group, "tf-single-note")]
    if out and words:
        out[-1] += nodes.Text(" (" + ", ".join(words) + ")")  # "(single source)"
    return out


def words_for_flags(tree: nodes.Element) -> None:
    """Badges and age flags read as words in print: "(Meta's claim) …", "(as of 9 April 2026)"."""
    for node in list(tree.findall(nodes.inline)):
        if any(c in node["classes"] for c in WORD_FLAGS) and not node.get("tf_worded"):
            node.insert(0, nodes.Text("("))
            node.append(nodes.Text(")"))
            node["tf_worded"] = True


def groups(tree: nodes.Element) -> list[nodes.Element]:
    return [n for n in tree.findall(nodes.inline) if GROUP in n["classes"]]


def _doc_of(node: nodes.Node, root: str) -> str:
    """The document ``node`` was written in: one-file outputs inline every page in the root's tree."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, addnodes.start_of_file):
            return parent["docname"]
        parent = parent.parent
    return root


def adopt_inlined_pages(tree: nodes.Element) -> None:
    """One-file outputs (LaTeX, texinfo, man) inline each page's nodes into a
    ``start_of_file`` without telling them (Sphinx assigns ``children``): their ``parent``
    is still the page's own document, so a walk up would never find the page they are in,
    and a note inserted beside one would be lost. Set the parent each of them has."""
    for holder in tree.findall(addnodes.start_of_file):
        for child in holder.children:
            child.parent = holder


def _own_footnotes(tree: nodes.Element) -> Iterator[nodes.footnote]:
    """The footnotes of one document, not those of the pages inlined in it."""
    for child in tree.children:
        if isinstance(child, nodes.footnote):
            yield child
        elif isinstance(child, nodes.Element) and not isinstance(child, addnodes.start_of_file):
            yield from _own_footnotes(child)


class Numbers:
    """Note numbers per document, after the footnotes its author wrote (``[^1]``): writers
    number footnotes per document, and a number given twice in one would be one note.
    ``one_scope``: one sequence for the whole output (man: every page inlined into one)."""

    def __init__(self, tree: nodes.Element, root: str, one_scope: bool = False) -> None:
        self.root = root
        self.next: dict[str, int] = {}
        self._tree = tree
        self._one_scope = one_scope

    def take(self, node: nodes.Node) -> tuple[str, int]:
        doc = _doc_of(node, self.root)
        if self._one_scope:
            doc, number = self.root, self.next.get(self.root) or 1 + max(
                (int(f[0].astext()) for f in self._tree.findall(nodes.footnote)
                 if f.children and f[0].astext().isdigit()), default=0)
            self.next[self.root] = number + 1
            return doc, number
        if doc not in self.next:
            scope = next((f for f in self._tree.findall(addnodes.start_of_file) if f["docname"] == doc), self._tree)
            used = [int(f[0].astext()) for f in _own_footnotes(scope) if f.children and f[0].astext().isdigit()]
            self.next[doc] = max(used, default=0) + 1
        number = self.next[doc]
        self.next[doc] += 1
        return doc, number


def _block_after(node: nodes.Node) -> nodes.Element:
    """Where a note goes: after the table holding the marker, else after its paragraph (or the
    nearest block: a list item's paragraph keeps its note inside the item)."""
    block: nodes.Element | None = None
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.table):
            wrapper = parent.parent
            scroll = isinstance(wrapper, nodes.container) and "tf-table-scroll" in wrapper["classes"]
            return wrapper if scroll else parent
        if block is None and isinstance(parent, (nodes.paragraph, nodes.Body)) and parent.parent is not None:
            block = parent
        parent = parent.parent
    assert block is not None, "a citation outside any block"
    return block


def _mark_spacing(group: nodes.Element, spaced: bool) -> None:
    """A note mark stands after a space in plain text ("… April 8. [1]"), against the word in
    print (LaTeX's superscript: "… April 8.¹")."""
    index = group.parent.index(group)
    previous = group.parent[index - 1] if index else None
    if isinstance(previous, nodes.Text):
        kept = previous.astext().rstrip()
        if spaced:
            kept += " "
        if kept != previous.astext():
            # by position: Text nodes are strings, and replace() would find the first equal one
            group.parent[index - 1] = nodes.Text(kept)
    elif spaced:
        group.parent.insert(index, nodes.Text(" "))


def _hoist(ref: nodes.Node, after: dict[int, nodes.Node]) -> None:
    """The mark out of the inline elements around it, to the same place in their paragraph:
    LaTeX writes an inline's class as a macro argument, where a note's paragraph break may
    not stand. Marks hoisted out of one inline keep their order."""
    while isinstance(ref.parent, nodes.Inline) and ref.parent.parent is not None:
        inline = ref.parent
        inline.remove(ref)
        last = after.get(id(inline), inline)
        inline.parent.insert(inline.parent.index(last) + 1, ref)
        after[id(inline)] = ref


def _in_a_footnote(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.footnote):
            return True
        parent = parent.parent
    return False


def _inline_note(group: nodes.Element, link: QuoteLink | None) -> nodes.inline:
    """A note in parentheses, in the text: for a citation inside an author's own footnote,
    where a plain-text writer cannot nest a numbered note (text printed it under the wrong
    number, texinfo dropped it)."""
    out = nodes.inline(classes=["tf-note-inline"])
    out["support_smartquotes"] = False
    out += nodes.Text(" (")
    for i, para in enumerate(note_paragraphs(group, link)):
        if i:
            out += nodes.Text("; ")
        out += _moved(para)
    out += nodes.Text(")")
    return out


def make_notes(tree: nodes.Element, root: str, link: QuoteLink | None = None, spaced: bool = True,
               hoist: bool = False, nested_inline: bool = False, one_scope: bool = False,
               after_note: Callable[[], nodes.Node] | None = None) -> list[nodes.footnote_reference]:
    """Every citation group in ``tree`` becomes a footnote reference, its note a footnote
    right after the block holding it; ``hoist`` moves the marks out of inline elements;
    ``nested_inline`` writes a note inside an author's footnote in parentheses instead;
    ``after_note`` makes a node put after the last note of a block (man: end the note's indent)."""
    adopt_inlined_pages(tree)
    numbers = Numbers(tree, root, one_scope)
    placed: dict[int, nodes.Node] = {}  # a block -> the last note put after it (notes keep their order)
    hoisted: dict[int, nodes.Node] = {}
    made: list[nodes.footnote_reference] = []
    closers: dict[int, nodes.Node] = {}
    for group in groups(tree):
        if nested_inline and _in_a_footnote(group):
            _mark_spacing(group, spaced=False)
            group.replace_self(_inline_note(group, link))
            continue
        doc, number = numbers.take(group)
        note_id = f"tf-note-{doc}-{number}".replace("/", "-")
        note = nodes.footnote("", nodes.label("", str(number)), *note_paragraphs(group, link),
                              ids=[note_id], auto=1, docname=doc, classes=["tf-note"])
        ref = nodes.footnote_reference("", str(number), refid=note_id, auto=1, docname=doc, classes=["tf-note-ref"])
        block = _block_after(group)
        after = placed.get(id(block), block)
        after.parent.insert(after.parent.index(after) + 1, note)
        placed[id(block)] = note
        if after_note is not None:
            closer = closers.get(id(block))
            if closer is None:
                closer = closers[id(block)] = after_note()
            else:
                closer.parent.remove(closer)
            note.parent.insert(note.parent.index(note) + 1, closer)
        _mark_spacing(group, spaced)
        group.replace_self(ref)
        if hoist:
            _hoist(ref, hoisted)
        made.append(ref)
    return made


TEXT_WIDTH = 70  # the text writer's line width (sphinx.writers.text.MAXWIDTH)


def fit_tables(tree: nodes.Element, width: int = TEXT_WIDTH) -> None:
    """A view's column widths are proportions (1, 1, 1; or 2, 6, 3); the text writer reads
    them as characters and set one letter a line. Scaled to the line, borders included."""
    for table in tree.findall(nodes.table):
        if "tf-table" not in table["classes"]:
            continue
        specs = list(table.findall(nodes.colspec))
        if not specs:
            continue
        weights = [max(1, int(spec.get("colwidth", 1))) for spec in specs]
        room = max(width - 3 * len(specs) - 1, 4 * len(specs))  # "| " before and " " after each cell, "|" to close
        for spec, weight in zip(specs, weights, strict=True):
            spec["colwidth"] = max(4, room * weight // sum(weights))


def plain_notes(app: Any, tree: nodes.Element, docname: str) -> None:
    """doctree-resolved for text, man and texinfo (called by ``resolve`` once the views are drawn)."""
    if app.builder.format not in TEXT_FORMATS:
        return
    words_for_flags(tree)
    man = app.builder.format == "man"
    # man: every page is inlined into one, numbered once; ".PP" ends a note's hanging indent,
    # which would otherwise hold the author's next paragraph
    make_notes(tree, docname, nested_inline=True, one_scope=man,
               after_note=(lambda: nodes.raw("", ".PP\n", format="manpage")) if man else None)
    fit_tables(tree)
