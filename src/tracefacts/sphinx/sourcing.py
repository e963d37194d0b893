"""Every sentence of a page carries a fact, or stands in an `editorial` block.

Run on each doctree as it is read: prose is cut into sentences; a sentence is sourced
when it holds a {fact} or {cite-fact}. A {cite-fact} sentence must also hold no figure
that the cited facts' quotes do not contain (the Figures rule of DESIGN.md).
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.util import logging

from ..figures import missing_figures
from . import nodes as tfn
from .directives import domain, get_state

logger = logging.getLogger(__name__)

FACT_MARK, CITE_MARK = "\ue000", "\ue001"
_SPLIT = re.compile(r"(?<=[.!?\ue000\ue001])[\"'”’)]*\s+")
# Headings of every kind are not claims: titles, captions, rubrics, table header cells.
SKIP = (nodes.title, nodes.caption, nodes.literal_block, nodes.comment, nodes.raw, nodes.target,
        nodes.substitution_definition, nodes.rubric, nodes.field_name, nodes.system_message, nodes.thead)
EXEMPT_CLASSES = {"tf-editorial", tfn.GENERATED, "toctree-wrapper"}


def _exempt(node: nodes.Node) -> bool:
    while node is not None:
        if isinstance(node, SKIP) or isinstance(node, nodes.Element) and EXEMPT_CLASSES & set(node["classes"]):
            return True
        node = node.parent
    return False


def _flatten(node: nodes.Node, out: list[str], cites: list[list[str]]) -> None:
    for child in node.children:
        if isinstance(child, tfn.fact_ref):
            out.append(FACT_MARK)
        elif isinstance(child, tfn.cite_group):
            out.append(CITE_MARK)
            cites.append(list(child["facts"]))
        elif isinstance(child, nodes.Text):
            out.append(child.astext())
        elif isinstance(child, (nodes.footnote_reference, nodes.citation_reference)):
            continue
        elif isinstance(child, nodes.Element):
            _flatten(child, out, cites)


def sentences_of(paragraph: nodes.paragraph) -> list[tuple[str, list[str]]]:
    """(sentence, ids cited in it by {cite-fact}) for each sentence of a paragraph."""
    parts: list[str] = []
    cites: list[list[str]] = []
    _flatten(paragraph, parts, cites)
    text = "".join(parts)
    found: list[tuple[str, list[str]]] = []
    cite_iter = iter(cites)
    for piece in _SPLIT.split(text):
        ids = [i for _ in range(piece.count(CITE_MARK)) for i in next(cite_iter, [])]
        words = piece.replace(FACT_MARK, "").replace(CITE_MARK, "")
        if not re.search(r"\w", words) and found:
            # a marker after the full stop belongs to the sentence before it
            prev, prev_ids = found[-1]
            found[-1] = (prev + piece, prev_ids + ids)
            continue
        if piece.strip():
            found.append((piece, ids))
    return found


def check_sourcing(app: Any, doctree: nodes.document) -> None:
    env = app.env
    state = get_state(env)
    total = sourced = 0
    for para in doctree.findall(nodes.paragraph):
        if _exempt(para):
            continue
        line = para.line or (para.parent.line if para.parent is not None else None)
        for sentence, cited in sentences_of(para):
            words = sentence.replace(FACT_MARK, "").replace(CITE_MARK, "")
            if not re.search(r"\w", words) and FACT_MARK not in sentence:
                continue
            total += 1
            if FACT_MARK in sentence or CITE_MARK in sentence:
                sourced += 1
            else:
                shown = " ".join(words.split())
                logger.warning("unsourced-sentence: %r carries no fact; cite one with {cite-fact}, "
                               "show one with {fact}, or move it into an editorial block",
                               shown[:160], location=(env.docname, line), type="tracefacts",
                               subtype="unsourced-sentence")
            if cited:
                facts = [state.facts[i] for i in cited if i in state.facts]
                quotes = [q.quote for f in facts for q in f.sources]
                dates = [state.sources[s].published for f in facts for s in f.source_ids if s in state.sources]
                missing = missing_figures(words, quotes, dates)
                if missing:
                    logger.warning("figure-not-in-quote: the sentence %r says %s, which no quote of %s contains",
                                   " ".join(words.split())[:160], ", ".join(repr(m) for m in missing),
                                   ", ".join(cited), location=(env.docname, line), type="tracefacts",
                                   subtype="figure-not-in-quote")
    domain(env).note_sentences(env.docname, total, sourced)
