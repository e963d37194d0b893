"""The page syntax: {fact} and {cite-fact} roles; fact-list, fact-table, timeline,
trace-matrix, editorial, fact-summary and tracefacts-source directives."""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

from ..model import Fact
from ..report import plural
from . import nodes as tfn
from .state import BuildState, date_label, select

logger = logging.getLogger(__name__)


STATES: dict[int, BuildState] = {}  # id(env) -> the checked fact base of the running build


def get_state(env: Any) -> BuildState:
    return STATES[id(env)]


def domain(env: Any) -> Any:
    return env.get_domain("tf")


def _split(value: str | None) -> list[str]:
    return [v for v in re.split(r"[\s,]+", value or "") if v]


def unknown_fact(env: Any, fact_id: str, location: Any) -> None:
    known = get_state(env).facts
    import difflib

    hint = difflib.get_close_matches(fact_id, list(known), n=1)
    logger.warning("unknown-fact: `%s` is not a fact of the fact base%s", fact_id,
                   f"; did you mean `{hint[0]}`?" if hint else "", location=location,
                   type="tracefacts", subtype="unknown-fact")


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
            if not seen and (s := tfn.stale_flag(state, fact)) is not None:
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
    """Shared by the views: filter facts, and record what the page shows for rebuilds."""

    has_content = False
    option_spec = dict(FILTERS)
    dated = False
    table_keys: tuple[str, ...] = ()  # fact-table: only facts with one of these subjects/attributes are shown

    def spec(self) -> tuple[tuple[str, Any], ...]:
        spec: dict[str, Any] = {k: tuple(_split(self.options.get(k)))
                                for k in ("topic", "kind", "tags", "subject", "ids", *self.table_keys)}
        spec["source"] = self.options.get("source", "").strip()
        spec["dated"] = self.dated
        return tuple(sorted(spec.items()))

    def chosen(self) -> list[Fact]:
        state = get_state(self.env)
        spec = self.spec()
        for fact_id in dict(spec)["ids"]:
            if fact_id not in state.facts:
                unknown_fact(self.env, fact_id, self.get_location())
        ids = select(state, dict(spec))
        dom = domain(self.env)
        dom.note_view(self.env.docname, spec, tuple(ids))
        for fact_id in ids:
            dom.note_shown(self.env.docname, fact_id, self.lineno, state.fingerprints[fact_id])
        if not ids:
            logger.warning("this %s shows no fact: check its filters", self.name,
                           location=self.get_location(), type="tracefacts", subtype="empty-view")
        return [state.facts[i] for i in ids]


class FactList(_FactView):
    def run(self) -> list[nodes.Node]:
        state = get_state(self.env)
        items = nodes.bullet_list(classes=["tf-fact-list", tfn.GENERATED])
        items["support_smartquotes"] = False
        for fact in self.chosen():
            para = nodes.paragraph()
            para += tfn.fact_inline(state, fact)
            items += nodes.list_item("", para)
        return [items]


def _table(headers: list[str], rows: list[list[list[nodes.Node]]], classes: list[str],
           widths: list[int] | None = None) -> nodes.table:
    table = nodes.table(classes=["tf-table", tfn.GENERATED, *classes]
                        + (["colwidths-given"] if widths else []))
    table["support_smartquotes"] = False
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths or [1] * len(headers):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    row = nodes.row()
    for header in headers:
        row += nodes.entry("", nodes.paragraph(header, header))
    head += row
    group += head
    body = nodes.tbody()
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            para = nodes.paragraph()
            para.extend(cell)
            row += nodes.entry("", para)
        body += row
    group += body
    return table


def _labels(value: str | None) -> dict[str, str]:
    """``gemma-4=Google Gemma 4; glm-5.1=GLM-5.1`` → {slug: label}."""
    found = {}
    for pair in re.split(r"[;\n]", value or ""):
        if "=" in pair:
            key, label = pair.split("=", 1)
            found[key.strip()] = label.strip()
    return found


class FactTable(_FactView):
    """Subjects × attributes; every filled cell carries its citation, an empty one says so."""

    option_spec = {**FILTERS, "attributes": directives.unchanged_required,
                   "labels": directives.unchanged, "attribute-labels": directives.unchanged,
                   "subjects": directives.unchanged}
    table_keys = ("attributes", "subjects")

    def run(self) -> list[nodes.Node]:
        state = get_state(self.env)
        facts = self.chosen()
        attributes = _split(self.options.get("attributes"))
        subjects = _split(self.options.get("subjects")) or list(dict.fromkeys(f.subject for f in facts))
        labels, attr_labels = _labels(self.options.get("labels")), _labels(self.options.get("attribute-labels"))
        by_cell: dict[tuple[str | None, str | None], list[Fact]] = {}
        for fact in facts:
            by_cell.setdefault((fact.subject, fact.attribute), []).append(fact)
        rows = []
        for subject in subjects:
            cells: list[list[nodes.Node]] = [[nodes.strong(text=labels.get(subject, subject))]]
            for attribute in attributes:
                here = by_cell.get((subject, attribute), [])
                cell: list[nodes.Node] = []
                for fact in here:
                    if cell:
                        cell.append(nodes.Text("; "))
                    node = tfn.fact_ref(classes=["tf-fact", "tf-cell", f"tf-kind-{fact.kind}"], fact=fact.id)
                    if (b := tfn.badge(fact)) is not None:
                        node += [b, nodes.Text(" ")]
                    value = fact.value or fact.statement
                    node += nodes.inline(value, value, classes=["tf-value"])
                    if (s := tfn.stale_flag(state, fact)) is not None:
                        node += [nodes.Text(" "), s]
                    node += [nodes.Text(" "), tfn.citations(state, fact)]
                    cell.append(node)
                if not cell:
                    cell = [nodes.inline("—", "—", classes=["tf-empty"]), nodes.Text(" "),
                            nodes.inline("not stated in the sources", "not stated in the sources",
                                         classes=["tf-empty-note"])]
                cells.append(cell)
            rows.append(cells)
        headers = [""] + [attr_labels.get(a, a.capitalize()) for a in attributes]
        return [_table(headers, rows, ["tf-fact-table"])]


class Timeline(_FactView):
    dated = True

    def run(self) -> list[nodes.Node]:
        state = get_state(self.env)
        rows = []
        for fact in self.chosen():
            when = nodes.strong(text=fact.date_label)
            said = ", ".join(f"{s.publisher} ({date_label(s)})"
                             for s in (state.sources[i] for i in fact.source_ids if i in state.sources))
            rows.append([[when], [tfn.fact_inline(state, fact)], [nodes.Text(said)]])
        return [_table(["When", "What happened", "Reported by"], rows, ["tf-timeline"], [2, 6, 3])]


def note_whole_base(directive: SphinxDirective) -> BuildState:
    """A view of every fact: the page is rebuilt when any fact changes, or one is added."""
    state = get_state(directive.env)
    dom = domain(directive.env)
    for fact_id in state.facts:
        dom.note_rendered(directive.env.docname, fact_id, state.fingerprints[fact_id])
    dom.note_view(directive.env.docname, (), tuple(state.facts))  # no filter: every fact
    return state


class TraceMatrix(_FactView):
    """Every fact (or, with filters, a chapter's facts): kind, quotes, pages that show it.

    The totals always cover the whole handbook. A large handbook can split its matrix by
    topic, so that editing one fact rewrites a small matrix page, not one of every fact.
    """

    def run(self) -> list[nodes.Node]:
        dom = domain(self.env)
        dom.note_cross(self.env.docname)
        if not any(self.options.get(k) for k in FILTERS):
            note_whole_base(self)
            return [tfn.trace_matrix(classes=[tfn.GENERATED], facts=None)]
        state = get_state(self.env)
        spec = self.spec()
        ids = select(state, dict(spec))
        dom.note_view(self.env.docname, spec, tuple(ids))
        for fact_id in ids:  # drawn here, but not "shown": the matrix is not a reading page
            dom.note_rendered(self.env.docname, fact_id, state.fingerprints[fact_id])
        return [tfn.trace_matrix(classes=[tfn.GENERATED], facts=ids)]


class Editorial(SphinxDirective):
    """Our own analysis: visibly labelled, and exempt from the sourcing check."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        title = "Editorial — our analysis, not from the sources"
        if self.arguments:
            title += f": {self.arguments[0]}"
        node = nodes.admonition(classes=["tf-editorial", "admonition"])
        node += nodes.title(title, title)
        self.set_source_info(node)
        node.extend(self.parse_content_to_nodes())
        return [node]


class FactSummary(SphinxDirective):
    """How much the handbook rests on: facts, sources, single-source facts, newest source."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        state = note_whole_base(self)
        facts = list(state.facts.values())
        single = sum(len(f.source_ids) == 1 for f in facts)
        dated = [s for s in state.sources.values() if s.published]
        newest = max(dated, key=lambda s: s.published) if dated else None
        stale = sum(f.is_stale(state.result.today) for f in facts)
        by_kind = {k: sum(f.kind == k for f in facts) for k in tfn.KIND_LABEL}
        items = [
            ("As of", f"{newest.published.strftime('%B %Y')} (newest source: {date_label(newest)})"
             if newest and newest.published else "no dated source"),
            ("Facts", f"{len(facts)}: {by_kind['reported']} reported, "
                      f"{plural(by_kind['vendor-claim'], 'vendor claim')}, {plural(by_kind['opinion'], 'opinion')}, "
                      f"{plural(by_kind['recommendation'], 'recommendation')}"),
            ("Sources", str(len(state.sources))),
            ("Single-source facts", f"{single} of {len(facts)}"),
            ("Past their review date", f"{stale} (flagged “may be out of date”)"),
        ]
        box = nodes.container(classes=["tf-summary", tfn.GENERATED])
        fields = nodes.field_list()
        for name, value in items:
            fields += nodes.field("", nodes.field_name(name, name), nodes.field_body("", nodes.paragraph(value, value)))
        box += fields
        return [box]
