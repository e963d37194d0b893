"""The sourcing rule, applied to every text a reader sees on a page as it is read.

- A sentence is sourced by a citation inside it: a {cite-fact}.
- A {fact} role is a sentence of its own. The words beside it, in the same sentence of the
  page, form a sentence of their own, which needs its own citation.
- Every figure (number or English month name) of a sentence must stand in a quote of a fact
  cited in it, or in the published date of one of those facts' sources.
- Headings need no citation, but every figure of a heading must stand in a quote (or a
  source's date) of a fact shown in what it heads. Headings are the titles of sections,
  admonitions, tables, code blocks, topics and sphinx-design cards, tabs and dropdowns;
  rubrics; table header cells; field names.

The page is walked, not searched for a few node types: every run of text (a paragraph, a
list item, a table cell, a definition term, a caption, a line block…) is read. So is what
raw output shows (the text of raw HTML or LaTeX) and the words written as text in math
(``\\text{…}``): raw output and math cannot carry a citation. Toctree captions and entry
titles, and a contents list's title, are headings. Not read: code, what Sphinx generates (a
contents list copies the section titles, read where they stand), the generated views and
source texts, and `editorial` blocks. Only node types the extension makes are exempt, never
a class name: markup can give any element any class.

A fact-table's row and column labels are headings of the table: their figures must stand
in a quote of a fact it draws, and a label for a row or column it does not draw is a typo.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from docutils import nodes
from docutils.transforms.parts import ContentsFilter
from sphinx import addnodes
from sphinx.errors import FiletypeNotFoundError
from sphinx.util import get_filetype
from sphinx.util.matching import Matcher

from ..figures import evidence_figures, figures_of, missing_figures
from . import nodes as tfn
from .directives import tf_editorial, tf_source_page
from .domain import domain, get_state, report
from .views import _labels, plan, tf_view
from .visible import latex_text, math_prose, raw_text

FACT_MARK, CITE_MARK = "\ue000", "\ue001"
# A sentence ends at . ! ? or a citation, before white space; a {fact} role ends one on both sides.
_SPLIT = re.compile(r"(?<=[.!?\ue001])[\"'”’)]*\s+")
_WORD = re.compile(r"\w")
# Not read as prose: code, invisible and generated furniture, the views, the source texts and
# editorial blocks. Node types only: no markup can make one of these around its own words.
SKIP = (nodes.literal_block, nodes.doctest_block, nodes.Invisible,
        nodes.system_message, nodes.label, nodes.generated, nodes.image, nodes.footnote_reference,
        nodes.citation_reference, tf_view, tfn.used_on, tf_editorial, tf_source_page)
HEADINGS = (nodes.title, nodes.subtitle, nodes.rubric, nodes.field_name, nodes.thead)
HEADING_CLASSES = {"sd-card-title"}  # sphinx-design: a card's title is a container


@dataclass
class Sentence:
    text: str  # with FACT_MARK / CITE_MARK where roles stand
    cited: list[str] = field(default_factory=list)  # fact ids cited in it by {cite-fact}

    @property
    def words(self) -> str:
        return " ".join(self.text.replace(FACT_MARK, " ").replace(CITE_MARK, " ").split())

    @property
    def is_fact(self) -> bool:
        return FACT_MARK in self.text


@dataclass(frozen=True)
class Block:
    """A run of text as a reader meets it; ``heading``: the element it heads, if it is a heading."""

    parts: tuple[nodes.Node, ...]
    parent: nodes.Element
    heading: nodes.Element | None


def _skipped(node: nodes.Node) -> bool:
    return isinstance(node, SKIP) or _copies_a_heading(node)


def _copies_a_heading(node: nodes.Node) -> bool:
    """A link to a section of this page that says the section's title (a contents list's
    entries): those words are read where they stand, under the title's own rule."""
    if not isinstance(node, nodes.reference) or not node.get("refid") or node.document is None:
        return False
    section = node.document.ids.get(node["refid"])
    if not isinstance(section, nodes.section) or not section.children or not isinstance(section[0], nodes.title):
        return False
    copy = ContentsFilter(node.document)
    section[0].walkabout(copy)  # the title as a contents list shows it (images, footnotes dropped)
    said = " ".join(node.astext().split())
    return said in {" ".join(section[0].astext().split()),
                    " ".join("".join(n.astext() for n in copy.get_entry_text()).split())}


def _is_heading(node: nodes.Node) -> bool:
    return isinstance(node, HEADINGS) or (isinstance(node, nodes.Element)
                                          and bool(HEADING_CLASSES & set(node["classes"])))


def _enclosing(node: nodes.Element, kind: type[nodes.Element] | tuple[type[nodes.Element], ...]) -> nodes.Element:
    found: nodes.Element | None = node.parent
    while found is not None and not isinstance(found, kind):
        found = found.parent
    return found or node.parent


def _headed(node: nodes.Element) -> nodes.Element:
    """What a heading heads: its section, admonition, card…; a header cell heads its table;
    a contents list's title heads what the list lists, the section it stands in."""
    if isinstance(node, nodes.thead):
        return _enclosing(node, nodes.table)
    if isinstance(node, nodes.title) and isinstance(node.parent, nodes.topic) and "contents" in node.parent["classes"]:
        return _enclosing(node.parent, (nodes.section, nodes.document))
    return node.parent


def _inline(node: nodes.Node) -> bool:
    # the lines of a line block are read together: a sentence may run across them
    return isinstance(node, (nodes.Text, nodes.Inline, nodes.line))


def blocks(node: nodes.Element, heading: nodes.Element | None = None) -> Iterator[Block]:
    """Every run of text under ``node`` a reader sees, outside the skipped kinds."""
    run: list[nodes.Node] = []
    for child in node.children:
        if _skipped(child):
            continue
        if isinstance(child, addnodes.toctree):
            # its caption and the titles written for its entries are headings of the section it stands in
            scope = _enclosing(child, (nodes.section, nodes.document))
            titles = [child.get("caption")] + [title for title, _ in child.get("entries", ())]
            for title in titles:
                if title:
                    yield Block((nodes.Text(title),), child, scope)
            continue
        if isinstance(child, nodes.math_block):  # its \text{…} words: a sentence run of their own
            if run:
                yield Block(tuple(run), node, heading)
                run = []
            yield Block((child,), child, heading)
            continue
        if _inline(child):
            run.append(child)
            continue
        if run:
            yield Block(tuple(run), node, heading)
            run = []
        yield from blocks(child, _headed(child) if _is_heading(child) else heading)
    if run:
        yield Block(tuple(run), node, heading)


def _flatten(parts: tuple[nodes.Node, ...] | list[nodes.Node], out: list[str], cites: list[list[str]]) -> None:
    for child in parts:
        if _skipped(child):
            continue
        if isinstance(child, tfn.fact_ref):
            out.append(FACT_MARK)
        elif isinstance(child, tfn.cite_group):
            out.append(CITE_MARK)
            cites.append(list(child["facts"]))
        elif isinstance(child, nodes.raw):  # shown as written: what a reader sees of it is prose
            out.append(raw_text(child.get("format", ""), child.astext()))
        elif isinstance(child, nodes.math):  # inline: its figures are the sentence's figures
            out.append(latex_text(child.astext()))
        elif isinstance(child, nodes.math_block):  # a formula is no sentence; the words set as text are
            out.append(math_prose(child.astext()))
        elif isinstance(child, nodes.Text):
            out.append(child.astext())
        elif isinstance(child, nodes.Element):
            _flatten(child.children, out, cites)
            if isinstance(child, nodes.line):
                out.append("\n")


def split_sentences(text: str, cites: list[list[str]]) -> list[Sentence]:
    """The sentences of ``text``; the n-th CITE_MARK cites ``cites[n]``."""
    pieces = [p for piece in _SPLIT.split(text) for p in re.split(f"({FACT_MARK})", piece) if p]
    found: list[Sentence] = []
    cite_iter = iter(cites)
    for piece in pieces:
        ids = [i for _ in range(piece.count(CITE_MARK)) for i in next(cite_iter, [])]
        if piece != FACT_MARK and not _WORD.search(piece.replace(CITE_MARK, "")) and found:
            # punctuation, or a citation after the full stop: it belongs to the sentence before
            found[-1].text += piece
            found[-1].cited += ids
            continue
        if piece.strip():
            found.append(Sentence(piece, ids))
    return found


def sentences_of(element: nodes.Element) -> list[Sentence]:
    parts: list[str] = []
    cites: list[list[str]] = []
    _flatten(element.children, parts, cites)
    return split_sentences("".join(parts), cites)



class _Evidence:
    """The quotes and source dates of the facts shown under a heading, found once per heading."""

    def __init__(self, app: Any, docname: str) -> None:
        self.app, self.docname = app, docname
        self.state = get_state(app.env)
        self.found: dict[int, tuple[list[str], bool]] = {}  # id(scope) -> (facts shown, holds a source text)

    def _walk(self, node: nodes.Element, ids: dict[str, None]) -> bool:
        """Add the facts shown under ``node`` to ``ids``; True if it holds a source's text."""
        source_page = isinstance(node, tf_source_page)
        for child in node.children:
            if isinstance(child, tfn.fact_ref):  # its content holds no other fact: not descended
                ids[child["fact"]] = None
            elif isinstance(child, tfn.cite_group):
                ids.update(dict.fromkeys(child["facts"]))
            elif isinstance(child, tf_view):
                options = dict(child["spec"])
                if options["view"] in ("fact-list", "fact-table", "timeline"):
                    ids.update(dict.fromkeys(plan(self.state, options).ids))
            elif isinstance(child, nodes.Element):
                source_page = self._walk(child, ids) or source_page
        return source_page

    def support(self, scope: nodes.Element, figures: list[str]) -> tuple[list[str], list[str]]:
        """(figures no fact shown under ``scope`` supports, facts consulted to find that out).

        Facts are read in page order until every figure is found: the verdict rests on those
        facts only, so only their edits need the page read again.
        """
        if id(scope) not in self.found:
            ids: dict[str, None] = {}
            if isinstance(scope, tf_view):  # a view's labels head what it draws
                ids.update(dict.fromkeys(plan(self.state, dict(scope["spec"])).ids))
            source_page = self._walk(scope, ids)
            self.found[id(scope)] = ([i for i in ids if i in self.state.facts], source_page)
        facts, source_page = self.found[id(scope)]
        state = self.state
        needed = set(figures)
        consulted = []
        for fact_id in facts:
            if not needed:
                break
            consulted.append(fact_id)
            fact = state.facts[fact_id]
            needed -= evidence_figures([q.quote for q in fact.sources],
                                       [state.sources[s].published for s in fact.source_ids if s in state.sources])
        if needed and source_page:
            # a source's own page is headed by the source's title
            shown = [state.sources[s] for s in domain(self.app.env).data["sources"].get(self.docname, {})
                     if s in state.sources]
            needed -= evidence_figures([s.title for s in shown], [s.published for s in shown])
        return [f for f in figures if f in needed], consulted


def _shown(text: str) -> str:
    return " ".join(text.split())[:160]


def _exempt(node: nodes.Node) -> bool:
    while node is not None:
        if isinstance(node, (tf_editorial, tf_source_page)):
            return True
        node = node.parent
    return False


def _check_table_labels(app: Any, view: tf_view, evidence: _Evidence) -> None:
    """A fact-table's :labels: and :attribute-labels: are its row and column headings."""
    env, state = app.env, evidence.state
    options = dict(view["spec"])
    drawn = plan(state, options).ids
    if not drawn:
        return  # no table is drawn: `empty-view` says so
    subjects = list(options["subjects"]) or list(dict.fromkeys(state.facts[i].subject for i in drawn))
    attributes = list(options["attributes"])
    location = (env.docname, tfn.line_of(view))
    for option, shown, what in (("labels", subjects, "subject"), ("attribute-labels", attributes, "attribute")):
        for key, label in _labels(options.get(option, "")).items():
            if key not in shown:
                report(env, "unused-label",
                       f"this fact-table's :{option}: names the {what} `{key}`, which it has no "
                       f"{'row' if what == 'subject' else 'column'} for (it draws {', '.join(shown) or 'none'}); "
                       "check the spelling, or remove the label", location)
                continue
            figures = figures_of(label)
            if not figures:
                continue
            missing, consulted = evidence.support(view, figures)
            for fact_id in consulted:  # the verdict rests on these facts: re-read the page when one changes
                domain(env).note_checked(env.docname, fact_id, state.fingerprints[fact_id])
            if missing:
                report(env, "figure-not-in-quote",
                       f"the label {_shown(label)!r} (:{option}: of a fact-table) says "
                       f"{', '.join(repr(m) for m in missing)}, which no quote of a fact the table draws contains "
                       "(nor the date of its sources); take the figure out of the label", location)


_TRUE, _FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}
SWITCH = "tracefacts-sourced"  # the page's own say, in its metadata (front matter / field list)


def is_sourced(app: Any, docname: str) -> bool:
    """Whether the every-sentence rule applies to a page: its metadata ``tracefacts-sourced``
    if it says so, else whether its name matches a glob of ``tracefacts_sourced_pages``."""
    value = app.env.metadata.get(docname, {}).get(SWITCH)
    if value is not None:
        word = str(value).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        report(app.env, "config", f"{SWITCH}: {_shown(str(value))!r} is neither true nor false; write "
               f"{SWITCH}: true (every sentence must be sourced) or false; the page is checked meanwhile",
               (docname, 1))
        return True
    return bool(_sourced_matcher(app)(docname))


def _sourced_matcher(app: Any) -> Matcher:
    """The globs compiled once per build (the read phase asks it of every page)."""
    dom = domain(app.env)
    globs = tuple(sourced_globs(app))
    if dom.sourced_matcher is None or dom.sourced_matcher[0] != globs:
        dom.sourced_matcher = (globs, Matcher(list(globs)))
    return dom.sourced_matcher[1]


def sourced_globs(app: Any) -> list[str]:
    value = app.config.tracefacts_sourced_pages
    return [value] if isinstance(value, str) else list(value)


def _hint(app: Any, docname: str) -> str:
    """How to fix an unsourced sentence, in the syntax of the page it is on (once per page)."""
    if page_syntax_of(app, docname) == "markdown":
        cite, show, editorial = "{cite-fact}`id`", "{fact}`id`", "```{editorial}``` block"
    else:
        cite, show, editorial = ":cite-fact:`id`", ":fact:`id`", "``.. editorial::`` block"
    return (f"cite one with {cite}, show one with {show} (a fact is a sentence of its own: the words beside "
            f"it need their own citation), or move it into an {editorial}")


def page_syntax_of(app: Any, docname: str) -> str:
    """The filetype of a page ("restructuredtext", "markdown", ...), from its file's suffix."""
    try:
        return get_filetype(app.config.source_suffix, app.env.doc2path(docname))
    except FiletypeNotFoundError:  # a page Sphinx reads some other way
        return "restructuredtext"


def check_sourcing(app: Any, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    if not is_sourced(app, docname):
        return  # facts and citations still work here; the page is not held to the rule
    state = get_state(env)
    dom = domain(env)
    evidence = _Evidence(app, docname)
    hint = ""  # made at the page's first unsourced sentence
    total = sourced = 0
    for block in blocks(doctree):
        parts: list[str] = []
        cites: list[list[str]] = []
        _flatten(block.parts, parts, cites)
        text = "".join(parts)
        first = block.parts[0]
        # a raw block stands at its own line; a run of text, at its paragraph's
        location = (docname, first.line if isinstance(first, nodes.raw) and first.line
                    else tfn.line_of(block.parent))
        if block.heading is not None:
            words = " ".join(text.replace(FACT_MARK, " ").replace(CITE_MARK, " ").split())
            figures = figures_of(words)
            if not figures:
                continue
            missing, consulted = evidence.support(block.heading, figures)
            for fact_id in consulted:  # the verdict rests on these facts: re-read the page when one changes
                dom.note_checked(docname, fact_id, state.fingerprints[fact_id])
            if missing:
                report(env, "figure-not-in-quote",
                       f"the heading {_shown(words)!r} says {', '.join(repr(m) for m in missing)}, which no quote "
                       "of a fact shown under it contains (nor the date of its sources); show a fact that states "
                       "it, or take the figure out of the heading", location)
            continue
        for sentence in split_sentences(text, cites):
            words = sentence.words
            if not _WORD.search(words) and not sentence.is_fact:
                continue
            total += 1
            if sentence.is_fact or sentence.cited:
                sourced += 1
            else:
                hint = hint or _hint(app, docname)
                report(env, "unsourced-sentence", f"{_shown(words)!r} carries no fact; {hint}", location)
            if sentence.cited:
                facts = [state.facts[i] for i in sentence.cited if i in state.facts]
                quotes = [q.quote for f in facts for q in f.sources]
                dates = [state.sources[s].published for f in facts for s in f.source_ids if s in state.sources]
                missing = missing_figures(words, quotes, dates)
                if missing:
                    report(env, "figure-not-in-quote",
                           f"the sentence {_shown(words)!r} says {', '.join(repr(m) for m in missing)}, which no "
                           f"quote of {', '.join(sentence.cited)} contains", location)
    for view in doctree.findall(tf_view):
        if dict(view["spec"])["view"] == "fact-table" and not _exempt(view):
            _check_table_labels(app, view, evidence)
    dom.note_sentences(docname, total, sourced)
