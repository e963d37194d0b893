"""The page syntax: {fact} and {cite-fact} roles; fact-list, fact-table, timeline,
trace-matrix, editorial, fact-summary and tracefacts-source directives."""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective, SphinxRole

from . import nodes as tfn
from .domain import domain, get_state, report
from .locale import N_, _, split
from .views import Spec, plan, tf_view


def _split(value: str | None) -> list[str]:
    return [v for v in re.split(r"[\s,]+", value or "") if v]


def unknown_fact(env: Any, fact_id: str, location: Any) -> None:
    known = get_state(env).facts
    import difflib

    hint = difflib.get_close_matches(fact_id, list(known), n=1)
    report(env, "unknown-fact", f"`{fact_id}` is not a fact of the fact base"
           + (f"; did you mean `{hint[0]}`?" if hint else ""), location)
    domain(env).note_unknown(env.docname, fact_id)


class FactRole(SphinxRole):
    """``{fact}`ID``` — the statement, attributed, with its citation."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        state = get_state(self.env)
        fact = state.facts.get(self.text.strip())
        if fact is None:
            unknown_fact(self.env, self.text.strip(), self.get_location())
            return [nodes.inline(self.rawtext, self.text, classes=["tf-unknown"])], []
        domain(self.env).note_shown(self.env.docname, fact.id, self.lineno, state.fingerprints[fact.id])
        return [tfn.fact_inline(state, fact)], []


class CiteFactRole(SphinxRole):
    """``{cite-fact}`ID,ID``` — citations for the author's own sentence."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        state = get_state(self.env)
        group = tfn.cite_group(classes=["tf-cite-group"], facts=[])
        group["support_smartquotes"] = False
        for fact_id in _split(self.text):
            fact = state.facts.get(fact_id)
            if fact is None:
                unknown_fact(self.env, fact_id, self.get_location())
                continue
            dom = domain(self.env)
            # Attribution and age are said once per page: a fact already shown above
            # (by {fact} or an earlier citation) gets only its markers here.
            seen = fact.id in dom.data["shows"].get(self.env.docname, {})
            dom.note_shown(self.env.docname, fact.id, self.lineno, state.fingerprints[fact.id])
            group["facts"].append(fact.id)
            if not seen and (b := tfn.badge(fact)) is not None:
                group += [nodes.Text(" "), b]
            if not seen and (s := tfn.age_flag(state, fact)) is not None:
                group += [nodes.Text(" "), s]
            group += [nodes.Text(" "), tfn.citations(state, fact)]
        if not group["facts"]:
            # Nothing real is cited: the sentence must not count as sourced.
            if not _split(self.text):
                unknown_fact(self.env, "(none given)", self.get_location())
            return [nodes.inline(self.rawtext, self.rawtext, classes=["tf-unknown"])], []
        return [group], []


FILTERS = {
    "topic": directives.unchanged, "kind": directives.unchanged, "tags": directives.unchanged,
    "subject": directives.unchanged, "ids": directives.unchanged, "source": directives.unchanged,
}


class _FactView(SphinxDirective):
    """Shared by the views: filter facts, record what the page shows; drawn when written."""

    has_content = False
    option_spec = dict(FILTERS)
    dated = False
    table_keys: tuple[str, ...] = ()  # fact-table: only facts with one of these subjects/attributes are shown
    shows = True  # the matrix draws facts but is not a reading page: it does not "show" them
    text_options: tuple[str, ...] = ()

    def spec(self) -> Spec:
        spec: dict[str, Any] = {k: tuple(_split(self.options.get(k)))
                                for k in ("topic", "kind", "tags", "subject", "ids", *self.table_keys)}
        spec["source"] = self.options.get("source", "").strip()
        spec["dated"] = self.dated
        spec.update({k: self.options.get(k, "") for k in self.text_options})
        return tuple(sorted(spec.items()))

    def run(self) -> list[nodes.Node]:
        state = get_state(self.env)
        spec = self.spec()
        for fact_id in dict(spec)["ids"]:
            if fact_id not in state.facts:
                unknown_fact(self.env, fact_id, self.get_location())
        view = (("view", self.name), *spec)
        drawn = plan(state, dict(view))
        dom = domain(self.env)
        if self.shows:
            # Only what a reader will see counts as shown: the facts the view draws.
            dom.note_view(self.env.docname, view, drawn)
            for fact_id in drawn.ids:
                dom.note_shown(self.env.docname, fact_id, self.lineno)
            for fact_id, why in drawn.refused:
                report(self.env, "fact-not-drawn", f"this {self.name} cannot draw `{fact_id}`: {why}; "
                       "remove it from :ids: or give the fact what the view needs", self.get_location())
            if not drawn.ids:
                report(self.env, "empty-view", f"this {self.name} shows no fact: {drawn.empty}",
                       self.get_location())
        dom.note_drawn(self.env.docname, view)
        node = tf_view(spec=view)
        self.set_source_info(node)  # its labels are checked where it stands
        return [node]


class FactList(_FactView):
    pass


class FactTable(_FactView):
    """Subjects × attributes; every filled cell carries its citation, an empty one says so."""

    option_spec = {**FILTERS, "attributes": directives.unchanged_required,
                   "labels": directives.unchanged, "attribute-labels": directives.unchanged,
                   "subjects": directives.unchanged}
    table_keys = ("attributes", "subjects")
    text_options = ("labels", "attribute-labels")


class Timeline(_FactView):
    dated = True


class TraceMatrix(_FactView):
    """Every fact (or, with filters, a chapter's facts): kind, quotes, pages that show it.

    The totals always cover the whole handbook. A large handbook can split its matrix by
    topic, so that editing one fact rewrites a small matrix page, not one of every fact.
    """

    shows = False


class tf_editorial(nodes.admonition):
    """An editorial block: the one author text exempt from the sourcing check.

    A node type of its own, not a class name: markup can set any class (``:class:``,
    ``{.x}``), but only the `editorial` directive makes this node, and always with its label
    as the title. Writers draw it as the admonition it derives from (Sphinx dispatches
    ``visit_`` along the node's bases).
    """


class tf_source_page(nodes.container):
    """The text of a source on its generated page: evidence, not the author's prose."""


class Editorial(SphinxDirective):
    """Our own analysis: visibly labelled, and exempt from the sourcing check."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        node = tf_editorial(classes=["tf-editorial", "admonition"])
        # The title holds only the author's words (a translator's message, gettext's msgid);
        # our label is put around them after translation, by EditorialLabel.
        words = self.arguments[0] if self.arguments else ""
        title = nodes.title(words, words)
        self.set_source_info(title)
        node += title
        self.set_source_info(node)
        node.extend(self.parse_content_to_nodes())
        return [node]


class EditorialLabel(SphinxTransform):
    """"Editorial — our analysis, not from the sources: <the author's title>", in the build's
    language, put around the title once Sphinx has translated the author's words (Locale,
    priority 20): the label never enters the author's message catalogue."""

    default_priority = 30

    def apply(self, **kwargs: object) -> None:
        for box in self.document.findall(tf_editorial):
            title = box[0] if box.children and isinstance(box[0], nodes.title) else None
            if title is None or title.get("tf_labelled"):
                continue
            title["tf_labelled"] = True
            if not title.children:
                title += nodes.Text(_("Editorial — our analysis, not from the sources"))
                continue
            before, after = split(N_("Editorial — our analysis, not from the sources: %(title)s"), "title")
            title.insert(0, nodes.Text(before))
            if after:
                title += nodes.Text(after)


class FactSummary(SphinxDirective):
    """How much the handbook rests on: facts, sources, single-source facts, newest source."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        view = (("view", "fact-summary"),)
        domain(self.env).note_drawn(self.env.docname, view)
        return [tf_view(spec=view)]
