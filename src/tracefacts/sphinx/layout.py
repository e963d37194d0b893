"""The shape of a generated view (a table or a list of cells), apart from its content.

A view is laid out as cells, each with a ``key`` naming everything its content depends
on. Any builder can turn the layout into docutils nodes; HTML builders can instead reuse
the HTML of every cell and of the frame from the previous build (see ``fragments``), so a
one-fact edit re-renders one cell, not a table of thousands.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import NamedTuple

from docutils import nodes

CellNodes = Callable[[], list[nodes.Node]]


class Cell(NamedTuple):
    """Inline content: ``build`` makes its nodes; ``key`` changes whenever they would (on the same page).

    A named tuple, not a dataclass: a matrix makes four per fact, and this is the cheapest to make.
    """

    key: Hashable
    build: CellNodes


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    classes: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[int, ...] | None = None
    scroll: bool = False  # in its own scroll box (themes wrap tables only before views are drawn)

    def shape(self) -> Hashable:
        return ("table", self.headers, self.classes, self.widths, self.scroll,
                tuple(len(row) for row in self.rows))

    def cells(self) -> list[Cell]:
        return [cell for row in self.rows for cell in row]


@dataclass(frozen=True)
class BulletList:
    classes: tuple[str, ...]
    items: tuple[Cell, ...]

    def shape(self) -> Hashable:
        return ("list", self.classes, len(self.items))

    def cells(self) -> list[Cell]:
        return list(self.items)


Layout = Table | BulletList


def frame(layout: Layout, content: Callable[[int, Cell], list[nodes.Node]]) -> nodes.Element:
    """The layout as nodes, the n-th cell (in reading order) filled by ``content(n, cell)``."""
    counter = iter(range(len(layout.cells()) + 1))
    if isinstance(layout, BulletList):
        items = nodes.bullet_list(classes=list(layout.classes))
        items["support_smartquotes"] = False
        for cell in layout.items:
            para = nodes.paragraph()
            para.extend(content(next(counter), cell))
            items += nodes.list_item("", para)
        return items
    table = nodes.table(classes=list(layout.classes) + (["colwidths-given"] if layout.widths else []))
    table["support_smartquotes"] = False
    group = nodes.tgroup(cols=len(layout.headers))
    table += group
    for width in layout.widths or [1] * len(layout.headers):
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    row = nodes.row()
    for header in layout.headers:
        row += nodes.entry("", nodes.paragraph(header, header))
    head += row
    group += head
    body = nodes.tbody()
    for cells in layout.rows:
        row = nodes.row()
        for cell in cells:
            para = nodes.paragraph()
            para.extend(content(next(counter), cell))
            row += nodes.entry("", para)
        body += row
    group += body
    if layout.scroll:
        return nodes.container("", table, classes=["tf-table-scroll"])
    return table


def to_nodes(layout: Layout) -> nodes.Element:
    return frame(layout, lambda _, cell: cell.build())


class slot(nodes.Inline, nodes.Element):
    """Where a cell's HTML goes in a frame rendered once for every layout of its shape."""


def blank_frame(layout: Layout) -> nodes.Element:
    return frame(layout, lambda n, _: [slot(index=n)])

