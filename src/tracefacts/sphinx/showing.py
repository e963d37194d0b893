"""A fact counts as shown on a page only where the page, as this builder writes it, draws it.

Roles and views note the facts they show while the page is read; but a page holds content
that a builder never writes: an ``only`` block whose tags do not match (```{only} latex```
in an HTML build), an ``ifconfig`` block whose expression is false, a substitution
definition. Sphinx removes those when the page is written, long after the trace matrix was
told "shown on". So once a page is read, what it shows is recomputed from its doctree: the
fact roles, citation groups and views that this builder will write, each condition judged
as Sphinx will judge it (sphinx.util.nodes.process_only_nodes, sphinx.ext.ifconfig).

The verdicts are kept with the page: a later build whose tags or config judge one of them
otherwise (another builder on the same doctrees, ``-t``) reads the page again.

Content that is written but hidden by a style (a ``{container}`` with a class that a theme
hides) is still drawn into the page, so it counts as shown: tracefacts cannot know a theme's CSS.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from docutils import nodes
from sphinx import addnodes

from . import nodes as tfn
from .domain import domain
from .views import tf_view

Condition = tuple[str, str]  # ("only", tag expression) or ("ifconfig", Python expression)
_FACT_NODES = (tfn.fact_ref, tfn.cite_group, tf_view)


def _ifconfig_class() -> type | None:
    try:
        from sphinx.ext.ifconfig import ifconfig
    except ImportError:  # pragma: no cover - part of Sphinx
        return None
    return ifconfig


_IFCONFIG = _ifconfig_class()


def _condition(node: nodes.Node) -> Condition | None:
    if isinstance(node, addnodes.only):
        return ("only", node["expr"])
    if _IFCONFIG is not None and isinstance(node, _IFCONFIG):
        return ("ifconfig", node["expr"])
    return None


def holds(app: Any, condition: Condition) -> bool:
    """Whether this builder writes the content under ``condition``, decided as Sphinx decides."""
    kind, expr = condition
    if kind == "only":
        try:
            return bool(app.builder.tags.eval_condition(expr))
        except Exception:  # Sphinx keeps the content of an expression it cannot read (and warns)
            return True
    namespace = {confval.name: confval.value for confval in app.config}
    namespace.update(app.config.__dict__.copy())
    namespace["builder"] = app.builder.name
    try:
        # The same expression sphinx.ext.ifconfig evaluates when it writes the page.
        return bool(eval(expr, namespace))  # noqa: S307
    except Exception:  # ifconfig writes an error message instead of the content
        return False


def _written(app: Any, tree: nodes.Node, verdicts: dict[Condition, bool]) -> Iterator[nodes.Element]:
    """The fact roles, citation groups and views this builder writes, in reading order."""
    stack: list[nodes.Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _FACT_NODES):
            yield node  # nothing inside one holds another
            continue
        if not isinstance(node, nodes.Element) or isinstance(node, nodes.substitution_definition):
            continue  # text; or a definition, drawn only where a reference copies it
        condition = _condition(node)
        if condition is not None:
            if condition not in verdicts:
                verdicts[condition] = holds(app, condition)
            if not verdicts[condition]:
                continue
        stack.extend(reversed(node.children))


def note_what_is_drawn(app: Any, doctree: nodes.document) -> None:
    """doctree-read: the page's ``shows`` becomes what this builder will draw of it."""
    env = app.env
    docname = env.docname
    dom = domain(env)
    noted = dom.data["shows"].get(docname)
    if not noted:
        return  # no role or view noted a fact: nothing to take back, no walk
    drawn_by = {spec: drawn.ids for spec, drawn in dom.data["views"].get(docname, ())}  # views that show
    verdicts: dict[Condition, bool] = {}
    shows: dict[str, int] = {}
    for node in _written(app, doctree, verdicts):
        if isinstance(node, tf_view):
            ids = drawn_by.get(node["spec"], ())
        elif isinstance(node, tfn.cite_group):
            ids = node["facts"]
        else:
            ids = (node["fact"],)
        for fact_id in ids:
            if fact_id not in shows:
                shows[fact_id] = noted.get(fact_id, node.line or 0)  # the line the role or view noted
    if shows:
        dom.data["shows"][docname] = shows
    else:
        del dom.data["shows"][docname]
    if verdicts:
        dom.data["conditions"][docname] = verdicts


def outdated_by_conditions(app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]) -> set[str]:
    """Pages whose ``only``/``ifconfig`` blocks this build judges otherwise are read again."""
    outdated = set()
    cache: dict[Condition, bool] = {}
    for doc, verdicts in domain(env).data["conditions"].items():
        for condition, verdict in verdicts.items():
            if condition not in cache:
                cache[condition] = holds(app, condition)
            if cache[condition] != verdict:
                outdated.add(doc)
                break
    return outdated - removed
