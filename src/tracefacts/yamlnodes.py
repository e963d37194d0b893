"""Safe YAML reading that keeps every value's line and never builds objects.

We compose the YAML into a node graph (libyaml when available) and interpret the
nodes ourselves: no constructor runs, so tags such as ``!!python/object`` cannot
execute code, aliases are never expanded (no "billion laughs"), and a key given twice
in one mapping is seen rather than silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import yaml

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


@dataclass(frozen=True)
class Scalar:
    value: str
    tag: str
    line: int

    @property
    def kind(self) -> str:
        return STANDARD_SCALAR_TAGS.get(self.tag, f"a value tagged {self.tag}")


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]
    line: int
    kind: str = "a list"


@dataclass(frozen=True)
class Map:
    entries: tuple[tuple[Scalar, Node], ...]  # in document order, duplicates kept
    line: int
    kind: str = "a mapping"


@dataclass(frozen=True)
class Alias:
    line: int
    kind: str = "an alias (*name)"


Node = Scalar | Seq | Map | Alias


def parse(data: bytes) -> Node | None | YamlError:
    """Parse one YAML document into plain nodes; ``None`` for an empty document."""
    if len(data) > MAX_YAML_BYTES:
        return YamlError(1, f"the file is larger than {MAX_YAML_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return YamlError(line, f"the file is not UTF-8 (byte {exc.start}: {exc.reason})")
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        hint = " (YAML does not allow tabs for indentation)" if "\t" in what or "tab" in what else ""
        return YamlError(line, f"{what}{hint}")
    except yaml.YAMLError as exc:
        return YamlError(1, str(exc).splitlines()[0])
    if root is None:
        return None
    return _convert(root, set())


def _convert(node: yaml.Node, seen: set[int]) -> Node:
    line = node.start_mark.line + 1
    # A node met twice is an alias: we refuse to expand it (this also ends cycles).
    if id(node) in seen:
        return Alias(line)
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return Scalar(node.value, node.tag, line)
    if isinstance(node, yaml.SequenceNode):
        return Seq(tuple(_convert(item, seen) for item in node.value), line)
    entries = []
    for key, value in node.value:
        key_node = _convert(key, seen)
        if not isinstance(key_node, Scalar):
            key_node = Scalar("<complex key>", "?", line)
        entries.append((key_node, _convert(value, seen)))
    return Map(tuple(entries), line)


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
