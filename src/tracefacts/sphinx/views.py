"""The generated views, drawn when their page is written: fact-list, fact-table, timeline,
trace-matrix, fact-summary and the notes under each paragraph of a source page.

A page keeps only a placeholder (``tf_view``) with the view's description, so editing a
fact never makes Sphinx re-read a page for its views: the page is rewritten when what its
views would draw changes (``write_signature``), and HTML builders reuse every unchanged
cell's HTML (``fragments``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from docutils import nodes

from ..export import anchor_id
from ..model import KINDS, Fact
from . import nodes as tfn
from .domain import domain, get_state
from .layout import BulletList, Cell, Layout, Table, to_nodes
from .links import page_link, page_title, pages_of, quote_uri
from .locale import N_, _, month, ngettext, split
from .state import BuildState, date_label, digest, select, source_label

Spec = tuple[tuple[str, Any], ...]  # sorted (option, value) pairs; "view" names the kind


class tf_view(nodes.General, nodes.Element):
    """Placeholder for a view; ``spec`` says which one."""


def spec_of(spec: Spec) -> dict[str, Any]:
    return dict(spec)


def _split(value: str | None) -> list[str]:
    return [v for v in re.split(r"[\s,]+", value or "") if v]


def _labels(value: str | None) -> dict[str, str]:
    """``gemma-4=Google Gemma 4; glm-5.1=GLM-5.1`` → {slug: label}."""
    found = {}
    for pair in re.split(r"[;\n]", value or ""):
        if "=" in pair:
            key, label = pair.split("=", 1)
            found[key.strip()] = label.strip()
    return found


def _text(kind: str, text: str, make: type[nodes.Element] = nodes.inline) -> Cell:
    return Cell((kind, text), partial(lambda t, m: [m(t, t)], text, make))


def _fact_cell(state: BuildState, fact: Fact) -> Cell:
    return Cell(("fact", state.fingerprints[fact.id]), partial(lambda s, f: [tfn.fact_inline(s, f)], state, fact))


# --- what each view draws ----------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a view draws: the one answer used to draw it, to say which facts a page shows,
    and to decide when the page must be read again."""

    ids: tuple[str, ...]  # the facts it draws, in order
    refused: tuple[tuple[str, str], ...] = ()  # (fact asked for by :ids:, why this view cannot draw it)
    empty: str = "check its filters"  # why it draws nothing, when it does


def _table_refusal(fact: Fact, attributes: tuple[str, ...], subjects: tuple[str, ...]) -> str | None:
    if not fact.subject:
        return "it has no subject (a table's rows are subjects)"
    if subjects and fact.subject not in subjects:
        return f"its subject `{fact.subject}` is not one of the table's :subjects:"
    if not fact.attribute:
        return "it has no attribute (a table's columns are attributes)"
    if fact.attribute not in attributes:
        return f"its attribute `{fact.attribute}` is not one of the table's :attributes:"
    return None


def plan(state: BuildState, options: dict[str, Any]) -> Plan:
    """The facts the view ``options`` draws; ``options["view"]`` names its kind."""
    kind = options["view"]
    chosen = select(state, options)
    if kind == "fact-table":
        attributes, subjects = tuple(options.get("attributes", ())), tuple(options.get("subjects", ()))
        if not attributes:
            return Plan((), (), "it has no :attributes:, so no column to draw a fact in")
        reasons = {i: _table_refusal(state.facts[i], attributes, subjects) for i in chosen}
        return Plan(tuple(i for i in chosen if reasons[i] is None),
                    tuple((i, r) for i, r in reasons.items() if r is not None))
    if kind == "timeline":
        return Plan(tuple(i for i in chosen if state.facts[i].date is not None),
                    tuple((i, "it has no date") for i in chosen if state.facts[i].date is None))
    return Plan(tuple(chosen))


# --- the layouts of each view ------------------------------------------------------------------


def fact_list(state: BuildState, ids: list[str], spec: dict[str, Any]) -> Layout:
    return BulletList(("tf-fact-list", tfn.GENERATED), tuple(_fact_cell(state, state.facts[i]) for i in ids))


def _table_cell_nodes(state: BuildState, facts: list[Fact]) -> list[nodes.Node]:
    cell: list[nodes.Node] = []
    for fact in facts:
        if cell:
            cell.append(nodes.Text("; "))
        node = tfn.fact_ref(classes=["tf-fact", "tf-cell", f"tf-kind-{fact.kind}"], fact=fact.id)
        if (b := tfn.badge(fact)) is not None:
            node += [b, nodes.Text(" ")]
        value = fact.value or fact.statement
        node += tfn.text(value, "tf-value")
        if (s := tfn.age_flag(state, fact)) is not None:
            node += [nodes.Text(" "), s]
        node += [nodes.Text(" "), tfn.citations(state, fact)]
        cell.append(node)
    if not cell:
        note = _("not stated in the sources")
        cell = [nodes.inline("—", "—", classes=["tf-empty"]), nodes.Text(" "),
                nodes.inline(note, note, classes=["tf-empty-note"])]
    return cell


def fact_table(state: BuildState, ids: list[str], spec: dict[str, Any]) -> Layout | None:
    """Subjects × attributes; every filled cell carries its citation, an empty one says so.

    ``ids`` are the facts ``plan`` lets it draw: each has a subject row and an attribute column.
    """
    facts = [state.facts[i] for i in ids]
    attributes = spec["attributes"]
    subjects = spec["subjects"] or list(dict.fromkeys(f.subject for f in facts if f.subject))
    if not attributes or not subjects:
        return None  # no row or no column: nothing a reader could see
    labels, attr_labels = _labels(spec["labels"]), _labels(spec["attribute-labels"])
    by_cell: dict[tuple[str | None, str | None], list[Fact]] = {}
    for fact in facts:
        by_cell.setdefault((fact.subject, fact.attribute), []).append(fact)
    rows = []
    for subject in subjects:
        cells = [_text("subject", labels.get(subject, subject), nodes.strong)]
        for attribute in attributes:
            here = by_cell.get((subject, attribute), [])
            key = ("cell", tuple(state.fingerprints[f.id] for f in here))
            cells.append(Cell(key, partial(_table_cell_nodes, state, here)))
        rows.append(tuple(cells))
    headers = ("", *(attr_labels.get(a, a.capitalize()) for a in attributes))
    return Table(headers, ("tf-table", tfn.GENERATED, "tf-fact-table"), tuple(rows), scroll=True)


def timeline(state: BuildState, ids: list[str], spec: dict[str, Any]) -> Layout:
    rows = []
    for fact in (state.facts[i] for i in ids):
        cited = tuple(state.sources[i] for i in fact.source_ids if i in state.sources)
        said = ", ".join(f"{s.publisher} ({date_label(s)})" for s in cited)
        rows.append((_text("when", tfn.fact_date(fact), nodes.strong), _fact_cell(state, fact),
                     Cell(("said", said), partial(tfn.publishers, cited))))
    return Table((_("When"), _("What happened"), _("Reported by")), ("tf-table", tfn.GENERATED, "tf-timeline"),
                 tuple(rows), (2, 6, 3), scroll=True)


def _quote_nodes(app: Any, docname: str, state: BuildState, fact: Fact) -> list[nodes.Node]:

    out: list[nodes.Node] = []
    honesty = state.result.honesty.get(fact.id)
    for index, quote in enumerate(fact.sources):
        source = state.sources.get(quote.source)
        anchor = state.result.anchors.get((fact.id, index))
        label = source_label(source) if source else quote.source
        if out:
            out.append(nodes.Text(" · "))
        out.append(nodes.strong(label, "", tfn.text(label)))
        partial = honesty.partial(quote.source) if honesty is not None else None
        if partial is not None and quote.source not in [q.source for q in fact.sources[:index]]:
            before, after = split(N_("(partial: does not say %(missing)s)"), "missing")
            out += [nodes.Text(" "), *tfn.words_around(before, tfn.text(partial.missing_label, "tf-missing"), after)]
        out.append(nodes.Text(": "))
        uri = quote_uri(app, docname, quote.source, anchor_id(anchor) if anchor else None)
        text = [nodes.Text("“"), tfn.text(quote.quote), nodes.Text("”")]
        quoted = (nodes.reference("", "", *text, refuri=uri, internal=True, classes=["tf-matrix-quote"])
                  if uri else nodes.inline("", "", *text))
        quoted["support_smartquotes"] = False  # verbatim
        out.append(quoted)
        on = tfn.pages_words(state, fact, [index])
        if on:
            out.append(nodes.Text(f" ({on})"))
    return out


def _kind_nodes(state: BuildState, fact: Fact) -> list[nodes.Node]:
    out: list[nodes.Node] = tfn.attribution_nodes(fact, tfn.kind_label("reported"))
    if (flag := tfn.age_flag(state, fact)) is not None:
        out += [nodes.Text(" "), flag]
    return out


def _pages_nodes(app: Any, docname: str, pages: tuple[str, ...]) -> list[nodes.Node]:

    out: list[nodes.Node] = []
    for i, page in enumerate(pages):
        if i:
            out.append(nodes.Text(", "))
        out.append(page_link(app, docname, page))
    none = _("none")
    return out or [nodes.emphasis(none, none)]


def _id_nodes(fact: Fact) -> list[nodes.Node]:
    return [nodes.literal(fact.id, fact.id), nodes.Text(" "), tfn.text(fact.statement)]


def matrix(app: Any, docname: str, state: BuildState, ids: list[str]) -> Layout:

    rows = []
    titles: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}  # most facts share their pages
    for fact in (state.facts[i] for i in ids):
        fp = state.fingerprints[fact.id]
        pages = tuple(pages_of(app, fact.id))
        if pages not in titles:
            titles[pages] = tuple((p, page_title(app, p)) for p in pages)
        rows.append((
            Cell(("id-statement", fp), partial(_id_nodes, fact)),
            Cell(("kind", fp), partial(_kind_nodes, state, fact)),
            Cell(("quotes", fp), partial(_quote_nodes, app, docname, state, fact)),
            Cell(("pages", titles[pages]), partial(_pages_nodes, app, docname, pages)),
        ))
    return Table((_("Fact"), _("Kind"), _("Sources and quotes"), _("Shown on")),
                 ("tf-table", tfn.GENERATED, "tf-trace-matrix"), tuple(rows), (5, 2, 6, 2), scroll=True)


def _fields(items: list[tuple[str, str]], classes: list[str]) -> nodes.field_list:
    fields = nodes.field_list(classes=classes)
    for name, value in items:
        fields += nodes.field("", nodes.field_name(name, name), nodes.field_body("", nodes.paragraph(value, value)))
    return fields


def matrix_summary(app: Any, state: BuildState) -> list[tuple[str, str]]:
    """The totals above every matrix: always the whole handbook."""

    dom = domain(app.env)
    pages = sorted({doc for doc, shown in dom.data["shows"].items() if shown})
    total = sum(t for t, _ in dom.data["sentences"].values())
    sourced = sum(s for _, s in dom.data["sentences"].values())
    unused = [f for f in state.facts if not pages_of(app, f)]
    share = f"{sourced / total:.0%}" if total else _("n/a")
    corroborated = sum(h.corroborated for h in state.result.honesty.values())
    return [
        (_("Facts"), str(len(state.facts))), (_("Sources"), str(len(state.sources))),
        (_("Corroborated facts"), _("%(count)d (two or more sources each carry the whole statement)")
         % {"count": corroborated}),
        (_("Pages showing facts"), str(len(pages))),
        (_("Sentences sourced"), _("%(share)s (%(sourced)d of %(total)d sentences outside editorial blocks)")
         % {"share": share, "sourced": sourced, "total": total}),
        (_("Facts on no page"), str(len(unused)) + (f": {', '.join(unused)}" if unused else "")),
    ]


def fact_summary(state: BuildState) -> list[tuple[str, str]]:
    """How much the handbook rests on: facts, sources, single-source facts, newest source."""
    facts = list(state.facts.values())
    honesty = state.result.honesty
    single = sum(not (f.id in honesty and honesty[f.id].corroborated) for f in facts)
    dated = sum(f.id in honesty and honesty[f.id].dated for f in facts)
    published = [s for s in state.sources.values() if s.published]
    newest = max(published, key=lambda s: s.published) if published else None
    stale = sum(f.is_stale(state.result.today) for f in facts)
    by_kind = {k: sum(f.kind == k for f in facts) for k in KINDS}
    counts = {
        "total": len(facts), "reported": by_kind["reported"],
        "claims": ngettext("%(count)d vendor claim", "%(count)d vendor claims", by_kind["vendor-claim"])
        % {"count": by_kind["vendor-claim"]},
        "opinions": ngettext("%(count)d opinion", "%(count)d opinions", by_kind["opinion"])
        % {"count": by_kind["opinion"]},
        "recommendations": ngettext("%(count)d recommendation", "%(count)d recommendations",
                                    by_kind["recommendation"]) % {"count": by_kind["recommendation"]},
    }
    return [
        (_("As of"), _("%(month)s (newest source: %(date)s)") % {"month": month(newest.published),
                                                                 "date": date_label(newest)}
         if newest and newest.published else _("no dated source")),
        (_("Facts"), _("%(total)d: %(reported)d reported, %(claims)s, %(opinions)s, %(recommendations)s") % counts),
        (_("Sources"), str(len(state.sources))),
        (_("Single-source facts"), _("%(single)d of %(total)d (not carried in full by two sources)")
         % {"single": single, "total": len(facts)}),
        (_("Shown with an as-of date"), _("%(count)d (a state that can change, or a review date)") % {"count": dated}),
        (_("Past their review date"), _("%(count)d (flagged “may be out of date”)") % {"count": stale}),
    ]


def support(state: BuildState, ids: list[str]) -> nodes.Node:
    """Under a paragraph of a source page: the facts quoting it, and the pages showing them."""
    box = nodes.bullet_list(classes=["tf-support"])
    for anchor_id_, fact_id in ids:
        fact = state.facts[fact_id]
        para = nodes.paragraph()
        para += nodes.reference("", "¶", refid=anchor_id_, classes=["tf-support-link"])
        para += nodes.Text(" ")
        if (b := tfn.badge(fact)) is not None:
            para += [b, nodes.Text(" ")]
        para += tfn.text(fact.statement, "tf-statement")
        if (flag := tfn.age_flag(state, fact)) is not None:
            para += [nodes.Text(" "), flag]
        para += nodes.Text(" ")
        para += nodes.literal(fact.id, fact.id, classes=["tf-fact-id"])
        para += tfn.used_on(fact=fact.id)
        box += nodes.list_item("", para)
    return box


LAYOUTS = {"fact-list": fact_list, "fact-table": fact_table, "timeline": timeline}


def draw(app: Any, docname: str, spec: Spec, render: Any) -> list[nodes.Node]:
    """The nodes standing for a view on this page; ``render(layout)`` may give a faster equivalent."""

    state = get_state(app.env)
    options = spec_of(spec)
    kind = options["view"]
    if kind == "fact-summary":
        box = nodes.container(classes=["tf-summary", tfn.GENERATED])
        box += _fields(fact_summary(state), [])
        return [box]
    if kind == "support":
        return [support(state, [tuple(pair) for pair in options["anchors"]])]
    ids = list(plan(state, options).ids)
    if kind == "trace-matrix":
        layout = matrix(app, docname, state, ids)
        return [_fields(matrix_summary(app, state), ["tf-matrix-summary"]), render(layout) or to_nodes(layout)]
    drawn = LAYOUTS[kind](state, ids, options)
    return [] if drawn is None else [render(drawn) or to_nodes(drawn)]


def write_signature(app: Any, state: BuildState, spec: Spec, usage: str) -> str:
    """Changes whenever ``draw`` would draw something else (the page is then rewritten)."""
    options = spec_of(spec)
    kind = options["view"]
    if kind == "fact-summary":
        return digest(fact_summary(state))
    if kind == "support":
        return digest([[state.fingerprints.get(f) for _, f in options["anchors"]], usage])
    ids = plan(state, options).ids
    drawn = [ids, [state.fingerprints[i] for i in ids]]
    if kind == "trace-matrix":
        drawn += [usage, len(state.facts), len(state.sources)]
    return digest(drawn)
