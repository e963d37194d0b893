"""LaTeX: citations as footnotes, quote anchors as labels, source pages as an appendix.

Sphinx's LaTeX builder inlines every page into the root document's tree and resolves it
once; its post-transforms then move footnotes out of tables and titles
(``LaTeXFootnoteTransform``, priority 600) before ``doctree-resolved``. So the work that
``resolve`` does for other builders is done here, in a post-transform just before it:

- the views are drawn as docutils nodes, and every citation group becomes a docutils
  footnote (``notes.make_notes``) whose source title is a link to the highlighted quote,
  followed by the page that quote is on; badges and age flags read as words;
- a link written for one-page HTML (``#q-fact``, ``#document-page``) names its target
  without its page, and LaTeX labels are ``page:id``: each is rewritten to the page
  holding the id (``%page#id``, or ``%page`` for a page itself), which Sphinx's writer
  turns into ``\\hyperref[page:id]``;
- ids the writer sets no label for (inline text, paragraphs: every quote on a source
  page, every source line) get ``\\phantomsection\\label{page:id}``;
- the source pages, when they close the document at chapter level, are its appendix;
- the views' tables get column widths (p-columns that fit the page).

``tracefacts.sty`` (copied beside the .tex) draws quotes on source pages in bold and line
numbers in a column of their own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from ..export import anchor_id
from . import nodes as tfn
from .domain import get_state
from .links import quote_uri
from .notes import adopt_inlined_pages, make_notes, words_for_flags
from .resolve import draw_views, resolve_tree

PACKAGE = "tracefacts"
# Written beside the .tex (not a package file: html_static_path must not carry it). A class
# of an inline is drawn by \DUrole{class}{text}, which calls \DUrole<class> when defined.
STY = r"""\NeedsTeXFormat{LaTeX2e}
\ProvidesPackage{tracefacts}[2026/04/30 tracefacts: citations and source pages]
% a quote highlighted on its source page
\expandafter\def\csname DUroletf-quote\endcsname#1{\textbf{#1}}
% a source line's number, in a column of its own; the line's text wraps under itself
\expandafter\def\csname DUroletf-lineno\endcsname#1{%
  \hangindent=3.2em\hangafter=1\makebox[2.4em][r]{\scriptsize\sffamily #1}\hspace{0.8em}}
% the source's label at the start of each source in a note
\expandafter\def\csname DUroletf-note-source\endcsname#1{\textbf{#1}}
\endinput
"""

# The views' column widths in print, by the view's class (fact-table: a narrow subject
# column, then equal attribute columns). Timeline and matrix give their own widths.
SUBJECT_WIDTH, ATTRIBUTE_WIDTH = 2, 3


class tf_label(nodes.Inline, nodes.Element):
    """``\\phantomsection\\label{page:id}`` for each of ``ids``: a target for ``\\hyperref``."""


class tf_pageref(nodes.Inline, nodes.Element):
    """After a link to a quote: "(page 43)", where the quote is printed (``refuri`` as a link's)."""


def _label_of(translator: Any, refuri: str) -> str | None:
    """The label a ``%page#id`` / ``%page`` URI leads to, as Sphinx's writer spells it."""
    if not refuri.startswith("%"):
        return None
    target = refuri[1:]
    return target.replace("#", ":") if "#" in target else f"{target}::doc"


def visit_label_latex(translator: Any, node: tf_label) -> None:
    translator.body.append("".join(translator.hypertarget(i, anchor=True) for i in node["ids"]))
    raise nodes.SkipNode


def visit_pageref_latex(translator: Any, node: tf_pageref) -> None:
    label = _label_of(translator, node.get("refuri", ""))
    if label is not None:
        translator.body.append(f" ({translator.hyperpageref(label)})")  # hyperref's own words: "page 43"
    raise nodes.SkipNode




def _quote_link(app: Any, root: str) -> Any:
    state = get_state(app.env)

    def link(ref: tfn.citation_ref, title: list[nodes.Node]) -> nodes.Node | None:
        anchor = state.result.anchors.get((ref["fact"], ref["index"]))
        uri = quote_uri(app, root, ref["source"], anchor_id(anchor) if anchor else None)
        if uri is None:
            return None
        reference = nodes.reference("", "", *title, refuri=uri, internal=True, classes=["tf-quote-link"])
        return nodes.inline("", "", reference, tf_pageref(refuri=uri))

    return link


def _pages(tree: nodes.Element, root: str) -> tuple[dict[str, str], dict[str, str]]:
    """(id -> the page holding it, first section id of a page -> that page)."""
    where: dict[str, str] = {}
    tops: dict[str, str] = {}

    def walk(node: nodes.Element, doc: str) -> None:
        for child in node.children:
            if not isinstance(child, nodes.Element):
                continue
            here = child["docname"] if isinstance(child, addnodes.start_of_file) else doc
            for i in child["ids"]:
                where.setdefault(i, here)
            if isinstance(child, nodes.section) and here not in tops.values():
                for i in child["ids"]:
                    tops[i] = here
            walk(child, here)

    walk(tree, root)
    return where, tops


def _page_uri(refuri: str, where: dict[str, str], tops: dict[str, str], root: str) -> str:
    """A one-page link (``#id``) as a link to the page holding the id."""
    if not refuri.startswith("#"):
        return refuri
    target = refuri[1:]
    if not target:
        return f"%{root}"
    if target.startswith("document-") and target[len("document-"):] in where.values():
        return f"%{target[len('document-'):]}"
    if target in tops:
        return f"%{tops[target]}"
    if target in where:
        return f"%{where[target]}#{target}"
    return refuri


def rewrite_links(tree: nodes.Element, root: str) -> None:
    where, tops = _pages(tree, root)
    for node in tree.findall(lambda n: isinstance(n, (nodes.reference, tf_pageref))):
        if "refuri" in node:
            node["refuri"] = _page_uri(node["refuri"], where, tops, root)


def add_labels(tree: nodes.Element) -> None:
    """A label for each id on an element the writer gives none (inline text, a paragraph)."""
    for node in list(tree.findall(lambda n: isinstance(n, (nodes.inline, nodes.paragraph)))):
        if not node["ids"] or isinstance(node, tf_label):
            continue
        label = tf_label(ids=list(node["ids"]))
        if isinstance(node, nodes.paragraph):
            node.insert(0, label)
        else:
            node.parent.insert(node.parent.index(node), label)


def _depth(node: nodes.Node) -> int:
    depth, parent = 0, node.parent
    while parent is not None:
        depth += isinstance(parent, nodes.section)
        parent = parent.parent
    return depth


def source_appendix(tree: nodes.Element, folder: str | None) -> bool:
    """``\\appendix`` before the first source page, when the source pages close the document
    as chapters of their own (as the generated toctree puts them); True when set."""
    if not folder:
        return False
    files = [f for f in tree.findall(addnodes.start_of_file) if _depth(f) == 1]
    first = next((i for i, f in enumerate(files) if f["docname"].startswith(f"{folder}/")), None)
    if first is None or not all(f["docname"].startswith(f"{folder}/") for f in files[first:]):
        return False
    start = files[first]
    start.parent.insert(start.parent.index(start), nodes.raw("", "\n\\appendix\n", format="latex"))
    return True


def column_widths(tree: nodes.Element) -> None:
    """A view's columns as ragged-right p-columns of given widths, together the text width:
    tabulary squeezed a fact-table, and justified narrow columns gape ("What did DevPik sug-
    gest")."""
    for table in tree.findall(nodes.table):
        if "tf-table" not in table["classes"]:
            continue
        if "colwidths-given" not in table["classes"]:
            for i, spec in enumerate(table.findall(nodes.colspec)):
                spec["colwidth"] = SUBJECT_WIDTH if i == 0 else ATTRIBUTE_WIDTH
            table["classes"].append("colwidths-given")
        for entry in table.findall(nodes.entry):
            first = next(iter(entry.findall(nodes.paragraph)), None)
            if first is not None:
                # \arraybackslash: the row's closing \\ stays the table's, not \raggedright's
                first.insert(0, nodes.raw("", r"\raggedright\arraybackslash{}", format="latex"))


def breakable_ids(tree: nodes.Element) -> None:
    """A fact id in a table column (``devpik.muse-future-llama-legacy``) may break after its
    dots and hyphens: code text has no hyphenation, and ran past the column's edge."""
    for table in tree.findall(nodes.table):
        if "tf-table" not in table["classes"]:
            continue
        for literal in list(table.findall(nodes.literal)):
            text = literal.astext()
            pieces = re.split(r"(?<=[.\-_])", text)
            if len(pieces) < 2:
                continue
            literal.children = []
            for i, piece in enumerate(pieces):
                if i:
                    literal += nodes.raw("", r"\allowbreak{}", format="latex")
                literal += nodes.Text(piece)


_LONG_WORD = re.compile(r"\S{25,}")
_BREAK_AFTER = re.compile(r"(?<=[/.\-_?&=#:,;])")


def _break_points(word: str, every: int = 20) -> list[str]:
    """``word`` cut after its punctuation, and each piece longer than ``every`` cut every ``every``."""
    return [piece[i:i + every] for piece in _BREAK_AFTER.split(word) if piece
            for i in range(0, len(piece), every)]


def breakable_long_words(tree: nodes.Element) -> None:
    """A text of the fact base or a source with a long run of letters and no space (a URL,
    a hash, a run-together word) may break inside it: LaTeX ran it past the page's edge,
    where it was cut off. Breaks go after its punctuation, else every 20 characters; no
    hyphen is printed, so the words read as written. Titles are left alone (they are also
    PDF bookmarks, where a break command does not belong)."""
    for holder in list(tree.findall(tfn.tf_text)):
        for text in list(holder.findall(nodes.Text)):
            value = text.astext()
            if not _LONG_WORD.search(value) or _in(text, (nodes.title, nodes.literal)):
                continue
            pieces: list[nodes.Node] = []
            last = 0
            for match in _LONG_WORD.finditer(value):
                pieces.append(nodes.Text(value[last:match.start()]))
                for i, part in enumerate(_break_points(match.group())):
                    if i:
                        pieces.append(nodes.raw("", r"\allowbreak{}", format="latex"))
                    pieces.append(nodes.Text(part))
                last = match.end()
            pieces.append(nodes.Text(value[last:]))
            text.parent.replace(text, [p for p in pieces if not (isinstance(p, nodes.Text) and not p.astext())])


def _in(node: nodes.Node, kinds: tuple[type, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent
    return False


def separate_marks(refs: list[nodes.footnote_reference]) -> None:
    """Two note marks side by side read as one number ("12"): a superscript comma between them."""
    for ref in refs:
        index = ref.parent.index(ref)
        following = ref.parent[index + 1] if index + 1 < len(ref.parent) else None
        if isinstance(following, nodes.footnote_reference):
            ref.parent.insert(index + 1, nodes.raw("", r"\textsuperscript{,}", format="latex"))


class LaTeXCitations(SphinxPostTransform):
    """Before Sphinx's LaTeX footnote transform (600), which moves our footnotes out of tables."""

    default_priority = 590
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        app, tree = self.app, self.document
        root = tree.get("docname") or app.config.root_doc
        adopt_inlined_pages(tree)  # before the views are drawn in place: their parents must be right
        draw_views(app, tree, root)
        words_for_flags(tree)
        separate_marks(make_notes(tree, root, _quote_link(app, root), spaced=False, hoist=True))
        resolve_tree(app, root, tree)
        rewrite_links(tree, root)
        add_labels(tree)
        source_appendix(tree, app.config.tracefacts_source_pages)
        column_widths(tree)
        breakable_ids(tree)
        breakable_long_words(tree)


def copy_sty(app: Any, exception: Exception | None) -> None:
    """build-finished: ``tracefacts.sty`` beside the .tex, for ``\\usepackage{tracefacts}``."""
    if exception is None and app.builder.format == "latex":
        (Path(app.outdir) / f"{PACKAGE}.sty").write_text(STY, encoding="utf-8")


def setup_latex(app: Any) -> None:
    # only LaTeX trees hold them (made by the LaTeX post-transform)
    app.add_node(tf_label, latex=(visit_label_latex, None))
    app.add_node(tf_pageref, latex=(visit_pageref_latex, None))
    app.add_post_transform(LaTeXCitations)
    app.add_latex_package(PACKAGE)
    app.connect("build-finished", copy_sty)
