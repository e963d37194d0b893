"""Characters no font draws, or that a reader would not see, made visible on paper."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from .tree import is_element


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀…␟, the Unicode control pictures
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


# Control characters (but tab and newline, which HTML lays out as spaces), private-use
# characters and non-characters: no font draws them, so WeasyPrint would print a .notdef
# box (which fails the build), and a control would be invisible. A source may hold any.
_NONCHARACTERS = "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\uf8ff\ufdd0-\ufdef\U000f0000-\U0010fffd"
                        f"{_NONCHARACTERS}]")


def show_invisible(root: ET.Element) -> None:
    """Every control character in the page's text is shown as its picture (ESC → ␛, BEL → ␇);
    C1 controls, private-use characters and non-characters as their code (\\x85, \\ue000)."""
    for el in root.iter():
        if not is_element(el):
            continue
        if el.text:
            el.text = _INVISIBLE.sub(_visible, el.text)
        if el.tail:
            el.tail = _INVISIBLE.sub(_visible, el.tail)
