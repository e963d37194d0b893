"""pytest plugin: the fact base as test items, collected the way pytest collects files.

Opt in with ``--tracefacts`` or ``tracefacts = true`` in the ini file. Each fact file
``facts/*.yaml`` becomes a pytest File whose items are its facts, and ``facts/sources.yaml``
one whose items are its sources: the printed node id ``facts/x.yaml::acme.prices`` runs that
fact, ``pytest facts/`` the whole fact base, ``-k llama`` the Llama facts, and a test file
named alone runs no fact. When no path is named, the fact files join pytest's default
(``testpaths`` or the current folder), so a plain ``pytest`` checks the facts too: the files
themselves (a test someone left in facts/ does not join).

The check runs once per session, when the first fact file is collected. A failing item
shows its problems exactly as ``tracefacts check`` prints them.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections import defaultdict
from collections.abc import Iterator, Set
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from .check import CheckResult, check, failing
from .formats.cache import cli_cache
from .load import FACTS, ISO_DATE, SOURCES_FILE, fact_files, find_root
from .model import Problem
from .report import format_problems, shown_line
from .safeio import DEFAULT_MAX_FILE_SIZE, Refused, format_size, list_confined, parse_size

# Fact and source ids are slugs, which have no "_": no id can take these two item names.
WHOLE_FILE = "whole_file"  # a file's problems that belong to none of its facts or sources
OTHER_FILES = "other_files"  # problems of files pytest never collects (a FIFO, a link to a device…)


@dataclass(frozen=True)
class Settings:
    """What the command line and the ini file say, checked once at the start of the session."""

    root: Path
    today: dt.date | None
    strict: bool
    max_file_size: int  # bytes: no fact file or source larger is read
    facts_dir: str  # real path of root/facts: what a collected file's folder is compared with
    names: frozenset[str]  # the names in facts/ that the loader reads and pytest may print

    def claims(self, path: Path) -> bool:
        return path.name in self.names and os.path.realpath(path.parent) == self.facts_dir


@dataclass(frozen=True)
class ItemPlan:
    """One item: its name, where it stands (file relative to the root, line) and its problems."""

    name: str
    rel: str
    line: int
    problems: tuple[Problem, ...]


_SETTINGS = pytest.StashKey[Settings]()
_PLAN = pytest.StashKey[dict[str, tuple[ItemPlan, ...]]]()
_DEFAULT = pytest.StashKey[tuple[str, ...]]()  # real paths pytest collects by default, when we add facts/


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tracefacts")
    group.addoption("--tracefacts", action="store_true", help="check the fact base: one item per fact and source")
    group.addoption("--tracefacts-root", default=None,
                    help="handbook folder, relative to the current folder (default: found from rootdir)")
    group.addoption("--tracefacts-today", default=None, help="judge staleness as of YYYY-MM-DD")
    group.addoption("--tracefacts-max-file-size", default=None, metavar="SIZE",
                    help=f"read no fact file or source larger than SIZE, e.g. 256M "
                         f"(default {format_size(DEFAULT_MAX_FILE_SIZE)})")
    parser.addini("tracefacts", type="bool", default=False, help="check the fact base (like --tracefacts)")
    parser.addini("tracefacts_root", default="", help="handbook folder, relative to the ini file")
    parser.addini("tracefacts_today", default="", help="judge staleness as of YYYY-MM-DD (like --tracefacts-today)")
    parser.addini("tracefacts_strict", type="bool", default=False, help="warnings (but stale) fail items too")
    parser.addini("tracefacts_max_file_size", default="", help="like --tracefacts-max-file-size")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tracefacts: an item of the fact base check (one fact or source)")


def _said(text: object) -> str:
    """A value or a path inside one line of a message, as ``tracefacts check`` shows a file name."""
    return shown_line(str(text))


def _printable(name: str) -> bool:
    """pytest prints a collected file's name as it is (node ids, progress, summaries)."""
    return _said(name) == name


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("--tracefacts") or config.getini("tracefacts"))


def _date(where: str, text: str) -> dt.date:
    # fromisoformat alone also takes 20260501 and week dates; the message promises YYYY-MM-DD.
    try:
        if ISO_DATE.match(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise pytest.UsageError(f"{where} is not a date written YYYY-MM-DD")


def _today(config: pytest.Config) -> dt.date | None:
    if given := config.getoption("--tracefacts-today"):
        return _date(f"--tracefacts-today {_said(given)}", given)
    if given := config.getini("tracefacts_today"):
        return _date(f"tracefacts_today = {_said(given)} (in {_said(config.inipath)})", given)
    return None


def _max_file_size(config: pytest.Config) -> int:
    if given := config.getoption("--tracefacts-max-file-size"):
        where = f"--tracefacts-max-file-size {_said(given)}"
    elif given := config.getini("tracefacts_max_file_size"):
        where = f"tracefacts_max_file_size = {_said(given)} (in {_said(config.inipath)})"
    else:
        return DEFAULT_MAX_FILE_SIZE
    try:
        return parse_size(given)
    except ValueError as exc:
        raise pytest.UsageError(f"{where}: {_said(exc)}") from None


def _root(config: pytest.Config) -> Path:
    if given := config.getoption("--tracefacts-root"):
        where, folder = f"--tracefacts-root {_said(given)}", config.invocation_params.dir / given
    elif given := config.getini("tracefacts_root"):
        base = config.inipath.parent if config.inipath else config.rootpath
        where, folder = f"tracefacts_root = {_said(given)} (in {_said(config.inipath)})", base / given
    else:
        found = find_root(config.rootpath)
        if found is None:
            raise pytest.UsageError(
                f"--tracefacts: no {SOURCES_FILE} found from {_said(config.rootpath)} or a folder above it; "
                "name the handbook folder with --tracefacts-root or the tracefacts_root ini option")
        return found
    if not folder.is_dir():
        raise pytest.UsageError(f"{where}: no such folder ({_said(folder)})")
    if not (folder / SOURCES_FILE).is_file():
        raise pytest.UsageError(f"{where}: no {SOURCES_FILE} found in {_said(folder)}")
    # Not resolved: node ids are paths relative to pytest's rootdir, spelled as pytest spells it.
    return Path(os.path.abspath(folder))


def _notice(config: pytest.Config, where: str, warning: Warning) -> None:
    """A warning of the session in pytest's warnings summary, located at ``<where>`` (escaped),
    as ``config.issue_config_time_warning`` records one, but not at this module's line."""
    message = warnings.WarningMessage(warning, type(warning), f"<{where}>", 1)
    config.hook.pytest_warning_recorded.call_historic(
        kwargs={"warning_message": message, "when": "config", "nodeid": "", "location": None})


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    # Here rather than in pytest_configure: `pytest --help` configures too, and must not fail.
    config = session.config
    if not _enabled(config):
        return
    root = _root(config)
    real = Path(os.path.realpath(root))
    # Listed as the loader lists it: a `facts` that is a link lists nothing (the check says why).
    listed = list_confined(real, FACTS)
    loaded = [Path(SOURCES_FILE).name, *(p.name for p in fact_files(real))]
    # A file whose name holds a control character is not an item of its own: pytest would print
    # its name raw. Its facts are still checked; their problems fail the `other_files` item.
    for name in loaded:
        if not _printable(name):
            _notice(config, f"{FACTS}/{_said(name)}", TracefactsSkipped(
                "this fact file is not collected as a file of its own: its name holds characters a terminal "
                "acts on, which pytest would print as they are. Its facts are still checked (their problems "
                f"fail {SOURCES_FILE}::{OTHER_FILES}); rename the file."))
    names = frozenset(name for name in loaded if _printable(name))
    config.stash[_SETTINGS] = Settings(
        root=root, today=_today(config), strict=bool(config.getini("tracefacts_strict")),
        max_file_size=_max_file_size(config), facts_dir=os.path.realpath(root / FACTS), names=names)
    # No path named: pytest collects its default (testpaths, or the current folder) and the
    # fact files join it, first (a fact check is quick), wherever the handbook is: the folder
    # is named (so node ids are the ones pytest gives its files) and pytest_ignore_collect
    # keeps out whatever else it holds that the default would not collect (a test_*.py left
    # in facts/ is no fact). A named path is the whole choice. (Overlaps, e.g. a current
    # folder holding facts/, pytest collects once.)
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        if isinstance(listed, Refused):
            # Through a link, pytest would collect (and import the conftest.py of) a folder
            # elsewhere, and nothing the check reads: stop, with the reason, rather than pass.
            raise pytest.UsageError(
                f"--tracefacts: {FACTS}/ in {_said(root)} {_said(listed.describe(FACTS))}; tracefacts reads "
                f"fact files only from a folder {FACTS}/ of the handbook itself: make it one")
        here = config.invocation_params.dir
        config.stash[_DEFAULT] = tuple(os.path.realpath(here / arg) for arg in config.args)
        config.args.insert(0, str(root / FACTS))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """What the fact folder, named by us, holds besides fact files: not collected, unless pytest's
    own default (the paths in ``_DEFAULT``) would have collected it anyway."""
    settings = config.stash.get(_SETTINGS, None)
    default = config.stash.get(_DEFAULT, None)
    if settings is None or default is None:
        return None
    real = os.path.realpath(collection_path)
    if not real.startswith(settings.facts_dir + os.sep) or settings.claims(collection_path):
        return None
    if any(real == path or real.startswith(path + os.sep) for path in default):
        return None
    return True


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> FactFile | None:
    settings = parent.config.stash.get(_SETTINGS, None)
    if settings is None or not settings.claims(file_path):
        return None
    return FactFile.from_parent(parent, path=file_path)


def plan_items(result: CheckResult, collected: Set[str]) -> dict[str, tuple[ItemPlan, ...]]:
    """The items of each fact file (by path relative to the root) and the problems each fails with.

    Every problem lands in exactly one item: for a file pytest never collects (not in
    ``collected``: a FIFO, a name pytest would print raw…), an ``other_files`` item beside the
    sources; else its fact's or its source's where that fact or source stands in the problem's
    file; else its file's ``whole_file`` item (YAML syntax, a schema problem above the
    entries, an entry the loader dropped, a duplicate id). A file with nothing else to show
    still has its ``whole_file`` item.
    """
    base = result.base
    owned: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in result.problems:
        if p.file not in collected:
            owned[SOURCES_FILE, OTHER_FILES].append(p)
        elif p.fact in base.facts and base.facts[p.fact].origin == p.file:
            owned[p.file, p.fact].append(p)
        elif p.source in base.sources and base.sources[p.source].origin == p.file:
            owned[p.file, p.source].append(p)
        else:
            owned[p.file, WHOLE_FILE].append(p)

    entries: dict[str, list[tuple[str, int]]] = defaultdict(list)  # file -> (id, line) in file order
    for source in base.sources.values():
        entries[source.origin].append((source.id, source.line))
    for fact in base.facts.values():
        entries[fact.origin].append((fact.id, fact.line))

    plans: dict[str, tuple[ItemPlan, ...]] = {}
    for rel in (SOURCES_FILE, *base.files):
        items: list[ItemPlan] = []
        loose = owned.get((rel, WHOLE_FILE), [])
        if loose or not entries[rel]:
            items.append(ItemPlan(WHOLE_FILE, rel, min((p.line for p in loose), default=1), tuple(loose)))
        items += [ItemPlan(name, rel, line, tuple(owned.get((rel, name), ()))) for name, line in entries[rel]]
        if rel == SOURCES_FILE and (orphans := owned.get((rel, OTHER_FILES))):
            items.append(ItemPlan(OTHER_FILES, orphans[0].file, orphans[0].line, tuple(orphans)))
        plans[rel] = tuple(items)
    return plans


def _plan(config: pytest.Config) -> dict[str, tuple[ItemPlan, ...]]:
    """The check, run once per session whichever fact file is collected first."""
    if _PLAN not in config.stash:
        settings = config.stash[_SETTINGS]
        result = check(settings.root, settings.today, max_file_size=settings.max_file_size,
                       extractor=cli_cache(settings.root))  # HTML and PDF sources read once, as the CLI does
        collected = {rel for rel in (SOURCES_FILE, *result.base.files)
                     if Path(rel).name in settings.names and (settings.root / rel).is_file()}
        config.stash[_PLAN] = plan_items(result, collected)
    return config.stash[_PLAN]


class TracefactsWarning(UserWarning):
    """A problem of the fact base that does not fail its item (a warning, or stale)."""

    def __init__(self, problem: Problem) -> None:
        # pytest puts file:line before the text of a warning already: the problem as `tracefacts
        # check` prints it, formatted without its file, whatever escaping that file name needs.
        text = format_problems([replace(problem, file="")]).removeprefix(f":{problem.line}: ")
        super().__init__(text)
        self.problem = problem


class TracefactsSkipped(UserWarning):
    """A fact file that is no item of its own (its name would reach the terminal raw)."""


class ProblemsFound(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class FactFile(pytest.File):
    """One YAML file of the fact base; its items are the facts (or sources) it defines."""

    def collect(self) -> Iterator[TracefactsItem]:
        settings = self.config.stash[_SETTINGS]
        rel = f"facts/{self.path.name}"  # as the loader names it (settings.claims checked the folder)
        for plan in _plan(self.config).get(rel, ()):
            yield TracefactsItem.from_parent(self, name=plan.name, plan=plan, settings=settings)


class TracefactsItem(pytest.Item):
    def __init__(self, *, plan: ItemPlan, settings: Settings, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.plan = plan
        self.settings = settings
        self.add_marker("tracefacts")

    def runtest(self) -> None:
        bad = failing(self.plan.problems, self.settings.strict)
        # What does not fail the item is still said, as pytest says it: in the warnings
        # summary (and `-W error::tracefacts.pytest_plugin.TracefactsWarning` makes it fail).
        # The file is named in <>: pytest would print the raw line of a file it can open, and
        # only escaped text of the fact base reaches the terminal (format_problems, _said).
        for p in self.plan.problems:
            if p not in bad:
                warnings.warn_explicit(TracefactsWarning(p), TracefactsWarning, f"<{_said(p.file)}>", p.line)
        if bad:
            raise ProblemsFound(bad)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: object = None) -> str:
        if isinstance(excinfo.value, ProblemsFound):
            return format_problems(excinfo.value.problems)
        if isinstance(excinfo.value, TracefactsWarning):  # -W error: the problem, not our frame
            return format_problems([excinfo.value.problem])
        return super().repr_failure(excinfo)  # type: ignore[return-value]

    def reportinfo(self) -> tuple[Path, int, str]:
        # pytest counts lines from 0 here (it adds 1 where it prints one).
        return self.settings.root / self.plan.rel, self.plan.line - 1, f"tracefacts: {self.name}"
