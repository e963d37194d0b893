"""Safe YAML reading that keeps every value's line and never builds objects.

We build plain nodes from libyaml's event stream and interpret them
ourselves: no constructor runs, so tags such as ``!!python/object`` cannot
execute code, aliases are never expanded (no "billion laughs"), and a key given twice
in one mapping is seen rather than silently dropped.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import yaml

from .normalize import line_number, line_starts

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is in the wheels we install
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_YAML_BYTES = 64 * 1024 * 1024
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
STANDARD_SCALAR_TAGS = {
    STR_TAG: "text",
    NULL_TAG: "null",
    "tag:yaml.org,2002:int": "an integer",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:timestamp": "a date",
}


@dataclass(frozen=True)
class YamlError:
    """The file could not be read as YAML: where, and why."""

    line: int
    message: str


# Nodes are named tuples: immutable like frozen dataclasses, and several times cheaper
# to create, which matters for a fact base of tens of thousands of values.
class Scalar(NamedTuple):
    value: str
    tag: str
    line: int

    @property
    def kind(self) -> str:
        return STANDARD_SCALAR_TAGS.get(self.tag, f"a value tagged {self.tag}")


class Seq(NamedTuple):
    items: tuple[Node, ...]
    line: int
    kind: str = "a list"


class Map(NamedTuple):
    entries: tuple[tuple[Scalar, Node], ...]  # in document order, duplicates kept
    line: int
    kind: str = "a mapping"


class Alias(NamedTuple):
    line: int
    kind: str = "an alias (*name)"


Node = Scalar | Seq | Map | Alias


def parse(data: bytes) -> Node | None | YamlError:
    """Parse one YAML document into plain nodes; ``None`` for an empty document."""
    if len(data) > MAX_YAML_BYTES:
        return YamlError(1, f"the file is larger than {MAX_YAML_BYTES // 2**20} MiB")
    # The BOM taken off here, not by "utf-8-sig", whose error offsets do not count it.
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        # the bytes before the first bad one decode: number their lines as every output does
        line = len(line_starts(data[bom: bom + exc.start].decode("utf-8")))
        return YamlError(line, f"the file is not UTF-8 (byte {bom + exc.start}: {exc.reason})")
    lines = _Lines(text)
    try:
        return _build(text, lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = lines.of(mark) if mark is not None else 1
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        hint = " (YAML does not allow tabs for indentation)" if "\t" in what or "tab" in what else ""
        return YamlError(line, f"{what}{hint}")
    except yaml.YAMLError as exc:
        return YamlError(1, str(exc).splitlines()[0])


class _Lines:
    """The project's line of a libyaml mark (normalize.LINE_END: LF, CRLF, a lone CR).

    libyaml follows YAML 1.1 and also ends a line at U+0085, U+2028 and U+2029, so its
    ``mark.line`` counts one line too many after each; its ``mark.index`` is the offset in
    characters (code points) of the decoded text, which we number as every other output does.
    Without those three characters both agree, and the cheaper ``mark.line`` is used.
    """

    def __init__(self, text: str) -> None:
        extra = "\u0085" in text or "\u2028" in text or "\u2029" in text
        self.starts = line_starts(text) if extra else None

    def of(self, mark: yaml.Mark) -> int:
        return mark.line + 1 if self.starts is None else line_number(self.starts, mark.index)


MAX_DEPTH = 100  # a fact base nests 5 levels; libyaml's composer recurses (and crashes) on deep input


_new = tuple.__new__  # a node straight from its fields: NamedTuple's own __new__ is a Python call
_SCALAR, _ALIAS, _DOCUMENT = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent
_MAP_START, _SEQ_START = yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAP_END, _SEQ_END = yaml.MappingEndEvent, yaml.SequenceEndEvent
_MAP_KIND, _SEQ_KIND = Map._field_defaults["kind"], Seq._field_defaults["kind"]


def _build(text: str, lines: _Lines) -> Node | None | YamlError:
    """Our nodes straight from libyaml's events: one pass, no recursion, no node graph.

    Composing with ``yaml.compose`` recursed in C and in Python (deeply nested input
    crashed the interpreter) and was three times slower on a large fact base. The loop
    is the cost of reading a fact file (`check` at 10,000 facts is measured against
    libyaml alone): a line is computed only for the events that keep one.
    """
    loader = _Loader(text)
    starts = lines.starts
    stack: list[tuple[bool, list[Node], int]] = []  # (is a mapping, children, line)
    children: list[Node] | None = None  # the open collection's, None at the top
    anchors: set[str] = set()
    root: Node | None = None
    documents = 0
    # Plain scalars whose first character starts no implicit type (int, bool, date…)
    # are text: skip the resolver's regexes for them.
    typed_starts = frozenset(k for k in loader.yaml_implicit_resolvers if k is not None)
    get_event = loader.get_event
    try:
        while (event := get_event()) is not None:
            cls = event.__class__
            if cls is _SCALAR:
                mark = event.start_mark
                line = mark.line + 1 if starts is None else line_number(starts, mark.index)
                if event.anchor is not None:
                    if event.anchor in anchors:
                        return YamlError(line, "found duplicate anchor; first occurrence second occurrence")
                    anchors.add(event.anchor)
                tag, value = event.tag, event.value
                if tag is None or tag == "!":
                    if not event.implicit[0] or (value and value[0] not in typed_starts):
                        tag = STR_TAG
                    else:
                        tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
                node: Node = _new(Scalar, (value, tag, line))
            elif cls is _MAP_START or cls is _SEQ_START:
                mark = event.start_mark
                line = mark.line + 1 if starts is None else line_number(starts, mark.index)
                if event.anchor is not None:
                    if event.anchor in anchors:
                        return YamlError(line, "found duplicate anchor; first occurrence second occurrence")
                    anchors.add(event.anchor)
                if len(stack) >= MAX_DEPTH:
                    return YamlError(line, f"the data is nested more than {MAX_DEPTH} levels deep")
                children = []
                stack.append((cls is _MAP_START, children, line))
                continue
            elif cls is _MAP_END or cls is _SEQ_END:
                is_map, items, start = stack.pop()
                children = stack[-1][1] if stack else None
                if is_map:
                    keys = [k if k.__class__ is Scalar else Scalar("<complex key>", "?", k.line)
                            for k in items[0::2]]
                    node = _new(Map, (tuple(zip(keys, items[1::2], strict=True)), start, _MAP_KIND))
                else:
                    node = _new(Seq, (tuple(items), start, _SEQ_KIND))
            elif cls is _ALIAS:
                mark = event.start_mark
                line = mark.line + 1 if starts is None else line_number(starts, mark.index)
                if event.anchor not in anchors:
                    return YamlError(line, "found undefined alias")
                node = Alias(line)  # never expanded: no "billion laughs", no cycles
            elif cls is _DOCUMENT:
                documents += 1
                anchors.clear()
                if documents > 1:
                    mark = event.start_mark
                    line = mark.line + 1 if starts is None else line_number(starts, mark.index)
                    return YamlError(line, "expected a single document in the stream but found another document")
                continue
            else:
                continue
            if children is not None:
                children.append(node)
            else:
                root = node
    finally:
        loader.dispose()
    return root


def walk_mapping(
    node: Map,
    on_duplicate: Callable[[Scalar], None],
) -> dict[str, tuple[Scalar, Node]]:
    """The entries of a mapping by key; a repeated key is reported, the first one kept."""
    found: dict[str, tuple[Scalar, Node]] = {}
    for key, value in node.entries:
        if key.value in found:
            on_duplicate(key)
            continue
        found[key.value] = (key, value)
    return found
