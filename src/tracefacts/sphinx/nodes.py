"""Docutils nodes of the extension, and how they are drawn from facts.

Everything taken from the fact base or a source goes into Text nodes, which every
Sphinx writer escapes: nothing from YAML is ever raw HTML or parsed as markup. Each such
text stands alone in a ``tf_text`` element (made by ``text``), which HTML writes as
``<span dir="auto">``: bidi-isolated, so direction controls inside it end where it ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from docutils import nodes

from ..model import Fact
from .locale import N_, _, day, month, split
from .state import BuildState, date_label, source_label


def line_of(node: nodes.Node | None) -> int | None:
    """The line of ``node`` or of its nearest ancestor that has one (docutils' get_source_line
    stops at an ancestor with a source but no line)."""
    while node is not None:
        if getattr(node, "line", None):
            return node.line
        node = node.parent
    return None


GENERATED = "tf-generated"  # marks output the sourcing check must not read as prose


class citation_ref(nodes.Inline, nodes.TextElement):
    """A citation marker; becomes a link to the highlighted quote when the page is written."""


class fact_ref(nodes.Inline, nodes.TextElement):
    """A fact's statement with its attribution and citations ({fact} role)."""


class cite_group(nodes.Inline, nodes.TextElement):
    """The citation markers for an author's own sentence ({cite-fact} role)."""


class used_on(nodes.Inline, nodes.Element):
    """Placeholder: the pages that show ``fact``, filled in when the page is written."""


class tf_text(nodes.inline):
    """Text inserted from the fact base or a source, exactly as written.

    A statement holding U+202E (RIGHT-TO-LEFT OVERRIDE) reversed the rest of its sentence,
    swapped the citation markers after it and printed "single source" backwards: a
    direction control acts up to the end of its paragraph unless the text is isolated.
    HTML writes this node as ``<span dir="auto">`` (what ``<bdi>`` is: isolated, its
    direction taken from its own first strong letter, so Arabic reads right to left);
    other writers fall back to ``inline`` (Sphinx visits a node through its bases).
    Smart quotes leave it alone: the fact base's characters are shown as they are.
    """

    def __init__(self, rawsource: str = "", text: str = "", *children: nodes.Node, **attributes: Any) -> None:
        super().__init__(rawsource, text, *children, **attributes)
        self["support_smartquotes"] = False


def text(value: str, *classes: str) -> tf_text:
    """The one way a text from the fact base or a source enters a page: alone in its element."""
    return tf_text(value, value, classes=list(classes))


def holding(children: Iterable[nodes.Node], *classes: str) -> tf_text:
    """One inserted text drawn in pieces (a source line cut at its quotes), isolated as a whole."""
    return tf_text("", "", *children, classes=list(classes))


def visit_tf_text_html(translator: Any, node: tf_text) -> None:
    translator.body.append(translator.starttag(node, "span", "", dir="auto"))


def depart_tf_text_html(translator: Any, node: tf_text) -> None:
    translator.body.append("</span>")


HTML_VISITORS = {"html": (visit_tf_text_html, depart_tf_text_html)}  # for app.add_node(tf_text, **...)


# The kinds' names, untranslated (translate with ``kind_label``).
KIND_LABEL = {"reported": N_("Reported"), "recommendation": N_("Recommendation"), "opinion": N_("Opinion"),
              "vendor-claim": N_("Claim")}

# Whose statement it is, as one sentence per kind with the claimant's place in it: German
# says "Behauptung von Meta", not "Meta's claim" (the words around a name are not fixed).
_CLAIMED = {"vendor-claim": N_("%(claimant)s's claim"), "opinion": N_("Opinion — %(claimant)s"),
            "recommendation": N_("Recommendation — %(claimant)s")}
_CLAIMED_S = N_("%(claimant)s' claim")  # a name ending in s: "Jones' claim"


def kind_label(kind: str) -> str:
    return _(KIND_LABEL[kind]) if kind in KIND_LABEL else kind


def _attribution_parts(fact: Fact) -> tuple[str, str | None, str] | None:
    """(words before the claimant, the claimant, words after), or None for plain reporting."""
    who = fact.claimant
    if fact.kind not in _CLAIMED:
        return None
    if not who:
        return kind_label(fact.kind), None, ""
    template = _CLAIMED_S if fact.kind == "vendor-claim" and who.endswith("s") else _CLAIMED[fact.kind]
    before, after = split(template, "claimant")
    return before, who, after


def attribution(fact: Fact) -> str | None:
    """The visible words that say whose statement this is ("Meta's claim")."""
    parts = _attribution_parts(fact)
    return None if parts is None else f"{parts[0]}{parts[1] or ''}{parts[2]}"


def attribution_nodes(fact: Fact, default: str = "") -> list[nodes.Node]:
    """``attribution`` as nodes: the claimant (fact-base text) isolated from our words around it."""
    parts = _attribution_parts(fact)
    if parts is None:
        return [nodes.Text(default)] if default else []
    before, who, after = parts
    out: list[nodes.Node] = [nodes.Text(before)] if before else []
    if who:
        out.append(text(who, "tf-claimant"))
    if after:
        out.append(nodes.Text(after))
    return out


def badge(fact: Fact) -> nodes.inline | None:
    label = attribution(fact)
    if label is None:
        return None
    return nodes.inline(label, "", *attribution_nodes(fact), classes=["tf-badge", f"tf-badge-{fact.kind}", "sd-badge"])


def publishers(sources: Iterable[Any]) -> list[nodes.Node]:
    """"Alpha News (4 March 2026), Beta (9 April 2026)": each publisher isolated."""
    out: list[nodes.Node] = []
    for source in sources:
        if out:
            out.append(nodes.Text(", "))
        out += [text(source.publisher, "tf-publisher"), nodes.Text(f" ({date_label(source)})")]
    return out


def fact_date(fact: Fact) -> str:
    """When the event of ``fact`` happened, as a timeline shows it: a day, or a month."""
    if fact.date is None:
        return ""
    return month(fact.date) if fact.date_precision == "month" else day(fact.date)


def as_of(date: dt.date | None, bound: bool, stale: bool) -> str:
    """"as of 9 April 2026", "as of no later than 9 April 2026" (a source whose text is
    undated), each with "— may be out of date" once the fact's review date has passed."""
    if date is None:
        return _("as of an unknown date — may be out of date") if stale else _("as of an unknown date")
    when = day(date)
    if bound:
        label = _("as of no later than %(date)s — may be out of date") if stale else _("as of no later than %(date)s")
    else:
        label = _("as of %(date)s — may be out of date") if stale else _("as of %(date)s")
    return label % {"date": when}


def age_flag(state: BuildState, fact: Fact) -> nodes.inline | None:
    """"as of 9 April 2026" beside a statement of a state that can change (or one with a review
    date), and "— may be out of date" once its review date has passed."""
    honesty = state.result.honesty.get(fact.id)
    stale = fact.is_stale(state.result.today)
    if not stale and (honesty is None or not honesty.dated):
        return None
    label = as_of(honesty.as_of, honesty.as_of_bound, stale) if honesty is not None else as_of(None, False, stale)
    return nodes.inline(label, label, classes=["tf-stale" if stale else "tf-as-of", "sd-badge"])


def support_note(count: int, full: int) -> str | None:
    """The words after a fact's markers: how many sources carry the whole statement."""
    if count == 1:
        return _("single source")
    if full >= 2:
        return None  # corroborated: the solid markers say it
    return _("single source in full") if full == 1 else _("no source in full")


def citations(state: BuildState, fact: Fact) -> nodes.inline:
    """One marker per source, its tip holding every quote taken from it; the group says
    whether the fact is corroborated: two or more sources whose own quotes each carry every
    figure and name of the statement. A source that carries only part is marked "partial"."""
    honesty = state.result.honesty.get(fact.id)
    count = len(fact.source_ids)
    corroborated = honesty is not None and honesty.corroborated
    group = nodes.inline(classes=["tf-cites", "tf-corroborated" if corroborated else "tf-single"])
    for source_id in fact.source_ids:
        source = state.sources.get(source_id)
        if source is None:
            continue
        partial = honesty.partial(source_id) if honesty is not None else None
        indexes = [i for i, q in enumerate(fact.sources) if q.source == source_id]
        found = [i for i in indexes if (fact.id, i) in state.result.anchors]
        classes = ["tf-cite", f"tf-cite-{fact.kind}"] + (["tf-partial"] if partial else [])
        ref = citation_ref(classes=classes, fact=fact.id, index=found[0] if found else indexes[0], source=source.id)
        ref += text(source_label(source), "tf-marker")
        if partial:
            note = " " + _("partial")
            ref += nodes.inline(note, note, classes=["tf-partial-note"])
        tip = nodes.inline(classes=["tf-tip"])
        tip["support_smartquotes"] = False  # a quote is verbatim: no typographic rewriting
        for i in indexes:
            tip += text(fact.sources[i].quote, "tf-tip-quote")
        if partial:
            before, after = split(N_("Partial support: these words do not say %(missing)s."), "missing")
            tip += nodes.inline("", "", *words_around(before, text(partial.missing_label, "tf-tip-missing"), after),
                                classes=["tf-tip-partial"])
        where = nodes.inline(classes=["tf-tip-source"])
        where += [text(source.title, "tf-tip-title"), nodes.Text(" — "), text(source.publisher, "tf-publisher"),
                  nodes.Text(f", {date_label(source)}")]
        on = pages_words(state, fact, indexes)
        if on:
            where += nodes.inline(", " + on, ", " + on, classes=["tf-tip-page"])
        tip += where
        ref += tip
        group += ref
    full = count if honesty is None or count == 1 else sum(s.full for s in honesty.support)
    if (note := support_note(count, full)) is not None:
        group += nodes.inline(note, note, classes=["tf-single-note"])
    return group


def page_words(pages: tuple[int, int] | None) -> str | None:
    """"p. 12" or "pp. 3–4" (a PDF source), in the build's language."""
    if pages is None:
        return None
    first, last = pages
    return _("p. %(page)s") % {"page": first} if first == last else \
        _("pp. %(first)s–%(last)s") % {"first": first, "last": last}


def pages_words(state: BuildState, fact: Fact, indexes: list[int]) -> str | None:
    """The pages of a fact's quotes from one source, in order: "p. 3, pp. 7–8"."""
    said: list[str] = []
    for i in indexes:
        anchor = state.result.anchors.get((fact.id, i))
        read = state.result.texts.get(anchor.source) if anchor is not None else None
        words = page_words(read.pages_of(anchor.start, anchor.end)) if read is not None and anchor else None
        if words and words not in said:
            said.append(words)
    return ", ".join(said) or None


def words_around(before: str, inserted: nodes.Node, after: str) -> list[nodes.Node]:
    """A translated sentence with an inserted node in the place of its placeholder."""
    return [*([nodes.Text(before)] if before else []), inserted, *([nodes.Text(after)] if after else [])]


def used_on_nodes(links: list[nodes.Node]) -> list[nodes.Node]:
    """After a fact on a source page: " — shown on A, B", or " — not shown on any page"."""
    if not links:
        return [nodes.Text(" " + _("— not shown on any page"))]
    listed: list[nodes.Node] = []
    for i, link in enumerate(links):
        if i:
            listed.append(nodes.Text(", "))
        listed.append(link)
    before, after = split(N_("— shown on %(pages)s"), "pages")
    return [nodes.Text(" " + before), *listed, *([nodes.Text(after)] if after else [])]


def fact_content(state: BuildState, fact: Fact) -> list[nodes.Node]:
    parts: list[nodes.Node] = []
    if (b := badge(fact)) is not None:
        parts += [b, nodes.Text(" ")]
    parts.append(text(fact.statement, "tf-statement"))
    if (s := age_flag(state, fact)) is not None:
        parts += [nodes.Text(" "), s]
    parts += [nodes.Text(" "), citations(state, fact)]
    return parts


def fact_inline(state: BuildState, fact: Fact) -> fact_ref:
    node = fact_ref(classes=["tf-fact", f"tf-kind-{fact.kind}"], fact=fact.id)
    node["support_smartquotes"] = False  # the fact base's characters, as written
    node.extend(fact_content(state, fact))
    return node
