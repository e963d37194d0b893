"""Small helpers over the ElementTree of the page WeasyPrint parsed (html5lib's tree, where
a comment is a node whose tag is not a string)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as ET


def class_set(el: ET.Element) -> set[str]:
    return set((el.get("class") or "").split())


def add_class(el: ET.Element, *names: str) -> None:
    el.set("class", " ".join([*(el.get("class") or "").split(), *names]).strip())


def is_element(node: Any) -> bool:
    return isinstance(node.tag, str)


def text_of(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def element(tag: str, text: str | None = None, cls: str | None = None, **attrs: str) -> ET.Element:
    el = ET.Element(tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
    if cls:
        el.set("class", cls)
    if text is not None:
        el.text = text
    return el


def find_class(root: ET.Element, name: str) -> Iterable[ET.Element]:
    return (el for el in root.iter() if is_element(el) and name in class_set(el))


def parent_map(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def heading_of(section: ET.Element) -> ET.Element | None:
    for child in section:
        if is_element(child) and re.fullmatch(r"h[1-6]", child.tag):
            return child
    return None


def drop(el: ET.Element, parents: dict[ET.Element, ET.Element]) -> None:
    """Take ``el`` out of its parent, keeping the text that follows it."""
    parent = parents.get(el)
    if parent is None:
        return
    if el.tail:
        index = list(parent).index(el)
        if index:
            prev = parent[index - 1]
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
