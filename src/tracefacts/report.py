"""Problems as a person reads them in a terminal (the CLI and the pytest plugin share it)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TextIO

from .model import Problem

_COLOURS = {"error": "\033[31;1m", "warning": "\033[33;1m", "dim": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"


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
        return f"{_COLOURS[style]}{text}{_RESET}" if self.enabled else text


def format_problem(problem: Problem, paint: Painter | None = None) -> str:
    paint = paint or Painter(False)
    about = " ".join(x for x in (problem.fact and f"fact {problem.fact}",
                                 problem.source and f"source {problem.source}") if x)
    head = (f"{problem.file}:{problem.line}: {paint(problem.severity, problem.severity)} "
            f"{paint('bold', problem.code)}" + (f" {paint('dim', '(' + about + ')')}" if about else ""))
    body = "\n".join("    " + line for line in problem.message.splitlines())
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


def out(text: str = "", stream: TextIO | None = None) -> None:
    print(text, file=stream or sys.stdout)
