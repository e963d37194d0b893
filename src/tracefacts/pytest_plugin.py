"""pytest plugin: every fact and every source of the handbook becomes a test item.

Opt in with ``--tracefacts`` or ``tracefacts = true`` in the ini file. Items are named
by id, so ``pytest -k llama`` runs the Llama facts; a failing item shows its problems
exactly as ``tracefacts check`` prints them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from .check import CheckResult, check, failing
from .load import SOURCES_FILE, find_root
from .model import Problem
from .report import format_problems

_RESULT = pytest.StashKey[CheckResult]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tracefacts")
    group.addoption("--tracefacts", action="store_true", help="check the fact base: one item per fact and source")
    group.addoption("--tracefacts-root", default=None, help="handbook folder (default: found from rootdir)")
    group.addoption("--tracefacts-today", default=None, help="judge staleness as of YYYY-MM-DD")
    parser.addini("tracefacts", type="bool", default=False, help="check the fact base (like --tracefacts)")
    parser.addini("tracefacts_root", default="", help="handbook folder, relative to rootdir")
    parser.addini("tracefacts_strict", type="bool", default=False, help="warnings (but stale) fail items too")


class ProblemsFound(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class TracefactsItem(pytest.Item):
    def __init__(self, *, problems: list[Problem], line: int, strict: bool, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.problems = problems
        self.line = line
        self.strict = strict
        self.add_marker("tracefacts")

    def runtest(self) -> None:
        bad = failing(self.problems, self.strict)
        if bad:
            raise ProblemsFound(bad)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: object = None) -> str:
        if isinstance(excinfo.value, ProblemsFound):
            return format_problems(excinfo.value.problems)
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line - 1, f"tracefacts: {self.name}"


class FactFile(pytest.File):
    """One YAML file of the fact base; its items are the facts (or sources) it defines."""

    def collect(self):  # type: ignore[no-untyped-def]
        result: CheckResult = self.config.stash[_RESULT]
        strict = bool(self.config.getini("tracefacts_strict"))
        rel = self.path.relative_to(result.base.root).as_posix()
        by_fact: dict[str, list[Problem]] = defaultdict(list)
        by_source: dict[str, list[Problem]] = defaultdict(list)
        loose: list[Problem] = []
        for p in result.problems:
            # A fact or source the loader dropped (bad kind, no file…) has no item of its
            # own: its problems go to the file's item, or they would be lost.
            if p.fact and p.fact in result.base.facts:
                by_fact[p.fact].append(p)
            elif p.source and p.file == rel and p.source in result.base.sources:
                by_source[p.source].append(p)
            elif p.file == rel:
                loose.append(p)
        if loose or rel != SOURCES_FILE and not any(f.origin == rel for f in result.base.facts.values()):
            yield TracefactsItem.from_parent(self, name="file", problems=loose,
                                             line=min((p.line for p in loose), default=1), strict=strict)
        if rel == SOURCES_FILE:
            for source in result.base.sources.values():
                yield TracefactsItem.from_parent(self, name=source.id, problems=by_source[source.id],
                                                 line=source.line, strict=strict)
        else:
            for fact in result.base.facts.values():
                if fact.origin == rel:
                    yield TracefactsItem.from_parent(self, name=fact.id, problems=by_fact[fact.id],
                                                     line=fact.line, strict=strict)


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("--tracefacts") or config.getini("tracefacts"))


def _root(config: pytest.Config) -> Path | None:
    given = config.getoption("--tracefacts-root") or config.getini("tracefacts_root")
    if given:
        return (config.rootpath / given).resolve()
    return find_root(config.rootpath)


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselect, so they apply to our items too
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    if not _enabled(config):
        return
    root = _root(config)
    if root is None or not (root / SOURCES_FILE).is_file():
        raise pytest.UsageError(f"--tracefacts: no {SOURCES_FILE} found from {config.rootpath}")
    today_text = config.getoption("--tracefacts-today")
    today = dt.date.fromisoformat(today_text) if today_text else None
    result = check(root, today)
    config.stash[_RESULT] = result
    files = [root / SOURCES_FILE, *(root / f for f in result.base.files)]
    collected: list[pytest.Item] = []
    for path in files:
        collected.extend(FactFile.from_parent(session, path=path).collect())
    items[:0] = collected


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tracefacts: an item of the fact base check (one fact or source)")
