"""Docutils nodes of the extension, and how they are drawn from facts.

Everything taken from the fact base or a source goes into Text nodes, which every
Sphinx writer escapes: nothing from YAML is ever raw HTML or parsed as markup.
"""

from __future__ import annotations

from docutils import nodes

from ..model import Fact
from .state import BuildState, date_label, source_label

GENERATED = "tf-generated"  # marks output the sourcing check must not read as prose


class citation_ref(nodes.Inline, nodes.TextElement):
    """A citation marker; becomes a link to the highlighted quote when the page is written."""


class fact_ref(nodes.Inline, nodes.TextElement):
    """A fact's statement with its attribution and citations ({fact} role)."""


class cite_group(nodes.Inline, nodes.TextElement):
    """The citation markers for an author's own sentence ({cite-fact} role)."""


class used_on(nodes.Inline, nodes.Element):
    """Placeholder: the pages that show ``fact``, filled in when the page is written."""


KIND_LABEL = {"reported": "Reported", "recommendation": "Recommendation", "opinion": "Opinion",
              "vendor-claim": "Claim"}


def attribution(fact: Fact) -> str | None:
    """The visible words that say whose statement this is ("Meta's claim")."""
    who = fact.claimant
    if fact.kind == "vendor-claim":
        return f"{who}'s claim" if who and not who.endswith("s") else f"{who}' claim"
    if fact.kind == "opinion":
        return f"Opinion — {who}" if who else "Opinion"
    if fact.kind == "recommendation":
        return f"Recommendation — {who}" if who else "Recommendation"
    return None


def badge(fact: Fact) -> nodes.inline | None:
    label = attribution(fact)
    if label is None:
        return None
    return nodes.inline(label, label, classes=["tf-badge", f"tf-badge-{fact.kind}", "sd-badge"])


def stale_flag(state: BuildState, fact: Fact) -> nodes.inline | None:
    if not fact.is_stale(state.result.today):
        return None
    text = f"as of {state.newest_source_date(fact)} — may be out of date"
    return nodes.inline(text, text, classes=["tf-stale", "sd-badge"])


def citations(state: BuildState, fact: Fact) -> nodes.inline:
    """One marker per source, its tip holding every quote taken from it; the group says
    whether the fact is corroborated by more than one source."""
    count = len(fact.source_ids)
    group = nodes.inline(classes=["tf-cites", "tf-single" if count == 1 else "tf-corroborated"])
    for source_id in fact.source_ids:
        source = state.sources.get(source_id)
        if source is None:
            continue
        indexes = [i for i, q in enumerate(fact.sources) if q.source == source_id]
        found = [i for i in indexes if (fact.id, i) in state.result.anchors]
        ref = citation_ref(classes=["tf-cite", f"tf-cite-{fact.kind}"], fact=fact.id,
                           index=found[0] if found else indexes[0], source=source.id)
        ref += nodes.inline(source_label(source), source_label(source), classes=["tf-marker"])
        tip = nodes.inline(classes=["tf-tip"])
        tip["support_smartquotes"] = False  # a quote is verbatim: no typographic rewriting
        for i in indexes:
            quote = fact.sources[i].quote
            tip += nodes.inline(quote, quote, classes=["tf-tip-quote"])
        where = nodes.inline(classes=["tf-tip-source"])
        where += nodes.inline(source.title, source.title, classes=["tf-tip-title"])
        rest = f" — {source.publisher}, {date_label(source)}"
        where += nodes.Text(rest)
        tip += where
        ref += tip
        group += ref
    if count == 1:
        note = "single source"
        group += nodes.inline(note, note, classes=["tf-single-note"])
    return group


def fact_content(state: BuildState, fact: Fact) -> list[nodes.Node]:
    parts: list[nodes.Node] = []
    if (b := badge(fact)) is not None:
        parts += [b, nodes.Text(" ")]
    parts.append(nodes.inline(fact.statement, fact.statement, classes=["tf-statement"]))
    if (s := stale_flag(state, fact)) is not None:
        parts += [nodes.Text(" "), s]
    parts += [nodes.Text(" "), citations(state, fact)]
    return parts


def fact_inline(state: BuildState, fact: Fact) -> fact_ref:
    node = fact_ref(classes=["tf-fact", f"tf-kind-{fact.kind}"], fact=fact.id)
    node["support_smartquotes"] = False  # the fact base's characters, as written
    node.extend(fact_content(state, fact))
    return node
