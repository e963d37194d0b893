"""Problems as a person reads them in a terminal (the CLI and the pytest plugin share it).

Text from a source or the fact base reaches the terminal only through ``shown``: a source
holding ``ESC]0;…BEL`` would retitle the terminal, ``ESC[2J`` clear it, U+202E reverse
what follows. ``out`` prints through it; what is formatted here (problems, painted words)
escapes its pieces before adding colour, the one escape sequence we write ourselves.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from .model import Problem

_COLOURS = {"error": "\033[31;1m", "warning": "\033[33;1m", "dim": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"

# C0 controls but tab and newline, DEL, C1 controls (U+009B is a CSI to an 8-bit terminal),
# the bidi controls (U+061C, U+200E/F, U+202A-E, U+2066-9) and the line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` as a terminal may print it: every character that could move the cursor, recolour,
    retitle or reorder the screen becomes visible (ESC → ``\\x1b``, U+202E → ``\\u202e``)."""
    return _UNSAFE.sub(_escape, text)


def shown_line(text: str) -> str:
    """``shown``, and a line feed too becomes visible (``\\x0a``): for what must stay on one line
    (a file name, an id, a one-line report), where a newline from the data would start a forged
    line of output."""
    return _UNSAFE.sub(_escape, text).replace("\n", "\\x0a")


def shown_lines(text: str, indent: str) -> str:
    """``text`` through ``shown`` with every line indented, its own first line included: a line
    break that comes from the data (a passage spanning two source lines) never starts a line
    at column 0, where it could pass for a line of the report."""
    return "\n".join(indent + line for line in shown(text).splitlines())  # after shown, only \n breaks a line


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(data: Any) -> str:
    """JSON for standard output or a file: exact data (a reader decodes every ``\\uXXXX``), yet
    with no control character that a terminal would act on. json.dumps escapes C0 controls
    but writes DEL, C1 and bidi controls as they are; they can stand only inside strings."""
    return _UNSAFE.sub(_json_escape, json.dumps(data, indent=2, ensure_ascii=False))


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


class Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, style: str, text: str) -> str:
        text = shown_line(text)  # a painted word is one word of a line
        return f"{_COLOURS[style]}{text}{_RESET}" if self.enabled else text


def format_problem(problem: Problem, paint: Painter | None = None) -> str:
    """The problem for a terminal: its file, message, fact and source escaped (``shown``)."""
    paint = paint or Painter(False)
    about = " ".join(x for x in (problem.fact and f"fact {problem.fact}",
                                 problem.source and f"source {problem.source}") if x)
    head = (f"{shown_line(problem.file)}:{problem.line}: {paint(problem.severity, problem.severity)} "
            f"{paint('bold', problem.code)}" + (f" {paint('dim', '(' + about + ')')}" if about else ""))
    body = shown_lines(problem.message, "    ")
    return f"{head}\n{body}"


def format_problems(problems: Iterable[Problem], paint: Painter | None = None) -> str:
    return "\n".join(format_problem(p, paint) for p in problems)


def plural(n: int, word: str) -> str:
    """`1 fact`, `2 facts`."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(facts: int, sources: int, problems: Iterable[Problem]) -> str:
    problems = list(problems)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    return (f"{plural(facts, 'fact')}, {plural(sources, 'source')}, "
            f"{plural(errors, 'error')}, {plural(warnings, 'warning')}")


def out(text: str = "", stream: TextIO | None = None, *, escaped: bool = False) -> None:
    """Print a line for a person: through ``shown``, unless it was composed of escaped pieces
    (``escaped=True``: ``format_problems`` and painted words, whose colour codes must stay)."""
    print(text if escaped else shown(text), file=stream or sys.stdout)
