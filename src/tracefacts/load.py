"""Read ``facts/sources.yaml`` and every other ``facts/*.yaml`` into a FactBase.

Every departure from the schema of DESIGN.md becomes a Problem located at the node
that causes it; loading never stops at the first one and never raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .formats.base import FORMATS
from .gcpause import gc_paused
from .model import KINDS, KINDS_NEEDING_CLAIMANT, Fact, FactBase, Problem, QuoteRef, Source
from .safeio import DEFAULT_MAX_FILE_SIZE, LIMIT_HINT, Refused, list_confined, open_root, read_confined
from .yamlnodes import (
    NULL_TAG,
    STR_TAG,
    Map,
    Node,
    Scalar,
    Seq,
    YamlError,
    parse,
    walk_mapping,
)

FACTS = "facts"
SOURCES_FILE = "facts/sources.yaml"
SLUG = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*\Z")
SHA256 = re.compile(r"[0-9a-f]{64}\Z")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
ISO_MONTH = re.compile(r"\d{4}-\d{2}\Z")

SOURCE_KEYS = {"id", "file", "title", "publisher", "published", "sha256", "notes", "chrome", "text_undated",
               "format", "url", "retrieved", "short"}
SOURCE_REQUIRED = ("id", "file", "title", "publisher", "published")
FACT_KEYS = {
    "id", "statement", "kind", "claimant", "topic", "tags", "date", "review_by",
    "subject", "attribute", "value", "sources",
}
FACT_REQUIRED = ("id", "statement", "kind", "topic")
QUOTE_KEYS = {"source", "quote", "prefix", "suffix"}


def find_root(start: str | os.PathLike[str]) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``facts/sources.yaml``."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / SOURCES_FILE).is_file():
            return folder
    return None


def fact_files(root: Path, *, root_fd: int | None = None) -> list[Path]:
    """The fact files in ``root/facts`` (every ``*.yaml`` but sources.yaml and hidden ones).

    Listed without following a link: a ``facts`` that is a link lists nothing here, and
    reading ``facts/sources.yaml`` through it reports why.
    """
    names = list_confined(root, FACTS, root_fd=root_fd)
    if isinstance(names, Refused):
        return []
    return sorted(root / FACTS / name for name in names
                  if name.endswith(".yaml") and name != "sources.yaml" and not name.startswith("."))


@dataclass
class _Reader:
    """Collects problems while interpreting the nodes of one file."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, code: str, line: int, message: str, *, fact: str | None = None,
                source: str | None = None, severity: str = "error") -> None:
        self.problems.append(Problem(code, severity, self.file, line, message, fact, source))  # type: ignore[arg-type]

    def mapping(self, node: Node, what: str, allowed: set[str], *, fact: str | None = None,
                source: str | None = None) -> dict[str, tuple[Scalar, Node]] | None:
        if not isinstance(node, Map):
            self.problem("schema", node.line, f"{what} must be a mapping of keys, not {node.kind}",
                         fact=fact, source=source)
            return None

        def duplicate(key: Scalar) -> None:
            self.problem("duplicate-key", key.line,
                         f"`{key.value}` is given twice in {what}; YAML would keep only the last one. "
                         "Remove one of them.", fact=fact, source=source)

        entries = walk_mapping(node, duplicate)
        for name, (key, _) in entries.items():
            if name not in allowed:
                hint = _closest(name, allowed)
                self.problem("schema", key.line,
                             f"unknown key `{name}` in {what}"
                             + (f"; did you mean `{hint}`?" if hint else "")
                             + f" Allowed: {', '.join(sorted(allowed))}.", fact=fact, source=source)
        return entries

    def text(self, entries: dict[str, tuple[Scalar, Node]], key: str, what: str, *,
             required: bool, code: str = "schema", fact: str | None = None,
             source: str | None = None, owner_line: int = 0) -> tuple[str | None, int]:
        if key not in entries:
            if required:
                self.problem(code, owner_line, f"{what} has no `{key}`; add it.", fact=fact, source=source)
            return None, owner_line
        k, node = entries[key]
        if isinstance(node, Scalar) and node.tag == STR_TAG and node.value.strip():
            return node.value, node.line
        if isinstance(node, Scalar) and node.tag == NULL_TAG or (
            isinstance(node, Scalar) and node.tag == STR_TAG
        ):
            if required:
                self.problem(code, k.line, f"`{key}` of {what} is empty; give it a value.",
                             fact=fact, source=source)
            return None, k.line
        self.problem("schema", node.line,
                     f"`{key}` of {what} must be text, not {node.kind}; put it in quotes if it is meant as text.",
                     fact=fact, source=source)
        return None, node.line

    def slug(self, entries: dict[str, tuple[Scalar, Node]], key: str, what: str, *,
             required: bool, owner_line: int, fact: str | None = None) -> tuple[str | None, int]:
        value, line = self.text(entries, key, what, required=required, owner_line=owner_line, fact=fact)
        if value is not None and not SLUG.match(value):
            self.problem("schema", line,
                         f"`{key}` {value!r} of {what} is not a slug: use lower-case letters and digits "
                         "separated by single `.` or `-` (e.g. `muse-spark.closed-weights`).", fact=fact)
            return None, line
        return value, line

    def date(self, entries: dict[str, tuple[Scalar, Node]], key: str, what: str, *,
             required: bool, owner_line: int, fact: str | None = None,
             source: str | None = None) -> tuple[dt.date | None, int]:
        if key not in entries:
            if required:
                self.problem("schema", owner_line, f"{what} has no `{key}`; add it as YYYY-MM-DD.",
                             fact=fact, source=source)
            return None, owner_line
        _, node = entries[key]
        if isinstance(node, Scalar) and ISO_DATE.match(node.value.strip()):
            try:
                return dt.date.fromisoformat(node.value.strip()), node.line
            except ValueError as exc:
                self.problem("schema", node.line, f"`{key}` {node.value} of {what} is not a real date ({exc}).",
                             fact=fact, source=source)
                return None, node.line
        shown = node.value if isinstance(node, Scalar) else node.kind
        self.problem("schema", node.line, f"`{key}` of {what} must be a date written YYYY-MM-DD, not {shown!r}.",
                     fact=fact, source=source)
        return None, node.line

    def flag(self, entries: dict[str, tuple[Scalar, Node]], key: str, what: str, *,
             source: str | None = None) -> bool:
        """An optional true/false key (false when absent)."""
        if key not in entries:
            return False
        _, node = entries[key]
        if isinstance(node, Scalar) and node.tag == "tag:yaml.org,2002:bool":
            return node.value.strip().lower() in ("true", "yes", "on")
        shown = node.value if isinstance(node, Scalar) else node.kind
        self.problem("schema", node.line, f"`{key}` of {what} must be true or false, not {shown!r}.",
                     source=source)
        return False

    def text_list(self, entries: dict[str, tuple[Scalar, Node]], key: str, what: str, *,
                  fact: str | None = None, source: str | None = None,
                  check: Callable[[str], bool] | None = None, item_hint: str = "") -> tuple[str, ...]:
        if key not in entries:
            return ()
        _, node = entries[key]
        if not isinstance(node, Seq):
            self.problem("schema", node.line, f"`{key}` of {what} must be a list, not {node.kind}.",
                         fact=fact, source=source)
            return ()
        items = []
        for item in node.items:
            if isinstance(item, Scalar) and item.tag == STR_TAG and item.value:
                if check is not None and not check(item.value):
                    self.problem("schema", item.line, f"{item.value!r} in `{key}` of {what} {item_hint}",
                                 fact=fact, source=source)
                    continue
                items.append(item.value)
            else:
                self.problem("schema", item.line,
                             f"every entry of `{key}` of {what} must be text, not {item.kind}.",
                             fact=fact, source=source)
        return tuple(items)


def _closest(name: str, allowed: set[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.6)
    return match[0] if match else None


def _top_list(data: bytes, rel: str, reader: _Reader, top_key: str) -> Seq | None:
    parsed = parse(data)
    if isinstance(parsed, YamlError):
        reader.problem("yaml-syntax", parsed.line, parsed.message)
        return None
    if parsed is None:
        reader.problem("schema", 1, f"the file is empty; it must hold `{top_key}:` with a list.")
        return None
    entries = reader.mapping(parsed, f"the top of {rel}", {top_key})
    if entries is None:
        return None
    if top_key not in entries:
        reader.problem("schema", parsed.line, f"the file must hold `{top_key}:` with a list.")
        return None
    _, seq = entries[top_key]
    if not isinstance(seq, Seq):
        reader.problem("schema", seq.line, f"`{top_key}` must be a list (entries starting with `- `), not {seq.kind}.")
        return None
    return seq


@dataclass(frozen=True)
class SourcesFile:
    """What ``facts/sources.yaml`` says: the sources it registers and the problems in it."""

    sources: dict[str, Source]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Candidate:
    """A fact entry of one file with a valid id, before ids are compared across files.

    ``fact`` is None when the entry has schema errors: it is not loaded, but its id is
    still taken, so a second entry with that id is reported in the same run.
    """

    fact: Fact | None
    id: str
    id_line: int
    line: int  # where the entry starts


@dataclass(frozen=True)
class FactFile:
    """What one fact file says on its own, in file order.

    Problems and candidates are kept interleaved so that a `duplicate-id` found when the
    files are merged takes the place it had when files were read one after another.
    """

    rel: str
    items: tuple[Problem | Candidate, ...]


def parse_sources_file(data: bytes) -> SourcesFile:
    """Parse the bytes of ``facts/sources.yaml``; depends on nothing else (memoisable)."""
    reader = _Reader(SOURCES_FILE)
    return SourcesFile(_parse_sources(data, reader), tuple(reader.problems))


def _parse_sources(data: bytes, reader: _Reader) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    seq = _top_list(data, SOURCES_FILE, reader, "sources")
    if seq is None:
        return sources
    for node in seq.items:
        entries = reader.mapping(node, "a source", SOURCE_KEYS)
        if entries is None:
            continue
        sid, id_line = reader.slug(entries, "id", "a source", required=True, owner_line=node.line)
        what = f"source `{sid}`" if sid else "a source"
        file, file_line = reader.text(entries, "file", what, required=True, owner_line=node.line, source=sid)
        title, _ = reader.text(entries, "title", what, required=True, owner_line=node.line, source=sid)
        publisher, _ = reader.text(entries, "publisher", what, required=True, owner_line=node.line, source=sid)
        published, _ = reader.date(entries, "published", what, required=True, owner_line=node.line, source=sid)
        notes, _ = reader.text(entries, "notes", what, required=False, source=sid)
        sha, sha_line = reader.text(entries, "sha256", what, required=True, code="source-unpinned",
                                    owner_line=node.line, source=sid)
        if sha is not None and not SHA256.match(sha):
            reader.problem("schema", sha_line, f"`sha256` of {what} must be 64 lower-case hex digits; "
                           "run `tracefacts pin` to write it.", source=sid)
            sha = None
        chrome = reader.text_list(entries, "chrome", what, source=sid)
        text_undated = reader.flag(entries, "text_undated", what, source=sid)
        fmt, fmt_line = reader.text(entries, "format", what, required=False, source=sid)
        if fmt is not None and fmt.strip().lower() in FORMATS:
            fmt = fmt.strip().lower()
        elif fmt is not None:
            reader.problem("source-unsupported", fmt_line, f"`format` {fmt!r} of {what} is not one tracefacts reads: "
                           f"write one of {', '.join(FORMATS)} (or leave it out: the file's extension decides); "
                           "convert a document in another format to one of them", source=sid)
            fmt = None
        url, _ = reader.text(entries, "url", what, required=False, source=sid)
        retrieved, _ = reader.date(entries, "retrieved", what, required=False, owner_line=node.line, source=sid)
        short, _ = reader.text(entries, "short", what, required=False, source=sid)
        if sid is None or file is None:
            continue
        if sid in sources:
            reader.problem("duplicate-id", id_line,
                           f"source id `{sid}` is already used at line {sources[sid].line}; ids must be unique.",
                           source=sid)
            continue
        sources[sid] = Source(
            id=sid, file=file, title=title or "", publisher=publisher or "", published=published,
            sha256=sha, notes=notes, chrome=chrome, origin=SOURCES_FILE, line=node.line,
            file_line=file_line, sha256_line=sha_line if "sha256" in entries else None,
            text_undated=text_undated, format=fmt, url=url, retrieved=retrieved, short=short,
        )
    return sources


def parse_fact_file(rel: str, data: bytes) -> FactFile:
    """Parse the bytes of one fact file; depends on nothing but ``rel`` and ``data`` (memoisable)."""
    reader = _Reader(rel)
    items: list[Problem | Candidate] = []
    seq = _top_list(data, rel, reader, "facts")
    for node in seq.items if seq is not None else ():
        candidate = _parse_fact(node, reader)
        items.extend(reader.problems)
        reader.problems.clear()
        if candidate is not None:
            items.append(candidate)
    items.extend(reader.problems)
    return FactFile(rel, tuple(items))


def _parse_fact(node: Node, reader: _Reader) -> Candidate | None:
    entries = reader.mapping(node, "a fact", FACT_KEYS)
    if entries is None:
        return None
    fid, id_line = reader.slug(entries, "id", "a fact", required=True, owner_line=node.line)
    what = f"fact `{fid}`" if fid else "a fact"
    statement, statement_line = reader.text(entries, "statement", what, required=True,
                                            owner_line=node.line, fact=fid)
    kind, kind_line = reader.text(entries, "kind", what, required=True, owner_line=node.line, fact=fid)
    if kind is not None and kind not in KINDS:
        reader.problem("schema", kind_line, f"`kind` {kind!r} of {what} must be one of {', '.join(KINDS)}.",
                       fact=fid)
        kind = None
    claimant, claimant_line = reader.text(entries, "claimant", what, required=False, fact=fid)
    if kind in KINDS_NEEDING_CLAIMANT and claimant is None:
        reader.problem("schema", kind_line,
                       f"{what} is {'an' if kind[:1] in 'aeiou' else 'a'} {kind}: "
                       "say whose with `claimant:` (e.g. `claimant: Meta`).", fact=fid)
    topic, _ = reader.slug(entries, "topic", what, required=True, owner_line=node.line, fact=fid)
    tags = reader.text_list(entries, "tags", what, fact=fid, check=lambda t: bool(SLUG.match(t)),
                            item_hint="is not a slug (lower-case words joined by `-`).")
    date, precision = _event_date(entries, reader, what, fid, node.line)
    review_by, review_line = reader.date(entries, "review_by", what, required=False,
                                         owner_line=node.line, fact=fid)
    subject, _ = reader.slug(entries, "subject", what, required=False, owner_line=node.line, fact=fid)
    attribute, _ = reader.slug(entries, "attribute", what, required=False, owner_line=node.line, fact=fid)
    value, value_line = reader.text(entries, "value", what, required=False, fact=fid)
    quotes = _load_quotes(entries, what, fid, node.line, reader)
    if fid is None:
        return None
    if statement is None or kind is None or topic is None:
        return Candidate(None, fid, id_line, node.line)
    return Candidate(Fact(
        id=fid, statement=statement, kind=kind, topic=topic, sources=quotes, origin=reader.file,
        line=node.line, statement_line=statement_line, claimant=claimant, tags=tags, date=date,
        date_precision=precision,
        review_by=review_by, review_by_line=_line_of(entries, "review_by"),  # given, even if not a date
        subject=subject, attribute=attribute, value=value,
        claimant_line=claimant_line if claimant is not None else None,
        date_line=_line_of(entries, "date") if date is not None else None,
        value_line=value_line if value is not None else None,
    ), fid, id_line, node.line)


def _line_of(entries: dict[str, tuple[Scalar, Node]], key: str) -> int | None:
    return entries[key][1].line if key in entries else None


def _event_date(entries: dict[str, tuple[Scalar, Node]], reader: _Reader, what: str, fid: str | None,
                owner_line: int) -> tuple[dt.date | None, str]:
    """An event date may be a day (2026-04-08) or, when the source gives no day, a month (2025-04)."""
    node = entries.get("date", (None, None))[1]
    if isinstance(node, Scalar) and ISO_MONTH.match(node.value.strip()):
        try:
            return dt.date.fromisoformat(node.value.strip() + "-01"), "month"
        except ValueError:
            reader.problem("schema", node.line, f"`date` {node.value} of {what} is not a real month.", fact=fid)
            return None, "day"
    day, _ = reader.date(entries, "date", what, required=False, owner_line=owner_line, fact=fid)
    return day, "day"


def _load_quotes(entries: dict[str, tuple[Scalar, Node]], what: str, fid: str | None, owner_line: int,
                 reader: _Reader) -> tuple[QuoteRef, ...]:
    if "sources" not in entries:
        reader.problem("no-source", owner_line, f"{what} cites no source: add `sources:` with a quote.", fact=fid)
        return ()
    key, seq = entries["sources"]
    if isinstance(seq, Scalar) and seq.tag == NULL_TAG or isinstance(seq, Seq) and not seq.items:
        reader.problem("no-source", key.line, f"{what} cites no source: `sources:` is empty.", fact=fid)
        return ()
    if not isinstance(seq, Seq):
        reader.problem("schema", seq.line, f"`sources` of {what} must be a list of `- source: … quote: …`, "
                       f"not {seq.kind}.", fact=fid)
        return ()
    quotes = []
    for item in seq.items:
        q = reader.mapping(item, f"a quote of {what}", QUOTE_KEYS, fact=fid)
        if q is None:
            continue
        sid, sid_line = reader.text(q, "source", f"a quote of {what}", required=True, owner_line=item.line, fact=fid)
        quote, quote_line = reader.text(q, "quote", f"a quote of {what}", required=True,
                                        owner_line=item.line, fact=fid)
        prefix, _ = reader.text(q, "prefix", f"a quote of {what}", required=False, fact=fid)
        suffix, _ = reader.text(q, "suffix", f"a quote of {what}", required=False, fact=fid)
        if sid is None or quote is None:
            continue
        quotes.append(QuoteRef(sid, quote, prefix, suffix, quote_line, sid_line))
    return tuple(quotes)


def _refused(rel: str, refused: Refused, root: Path) -> Problem:
    if refused.kind == "missing" and refused.where == rel:
        message = f"{rel} does not exist under {root}."
    else:
        message = f"{rel} {refused.describe(rel)}."
    if refused.kind in ("link", "link-out"):
        message += f" tracefacts never follows a link to read a fact file: put the file itself in {FACTS}/."
    elif refused.kind == "too-large":
        message += f" {LIMIT_HINT}"
    return Problem("yaml-syntax", "error", rel, 1, message)


def read_sources_file(root: Path, parse_sources: Callable[[bytes], SourcesFile] = parse_sources_file, *,
                      max_file_size: int = DEFAULT_MAX_FILE_SIZE, root_fd: int | None = None) -> SourcesFile:
    """``root`` is a resolved path; ``root_fd`` an open descriptor of it (``safeio.open_root``)."""
    data = read_confined(root, SOURCES_FILE, within=FACTS, limit=max_file_size, root_fd=root_fd)
    if isinstance(data, Refused):
        return SourcesFile({}, (_refused(SOURCES_FILE, data, root),))
    return parse_sources(data)


def read_fact_file(root: Path, rel: str, parse_facts: Callable[[str, bytes], FactFile] = parse_fact_file, *,
                   max_file_size: int = DEFAULT_MAX_FILE_SIZE, root_fd: int | None = None) -> FactFile:
    """The fact file ``rel`` (e.g. ``facts/x.yaml``) of ``root``, read as ``safeio`` reads every file."""
    data = read_confined(root, rel, within=FACTS, limit=max_file_size, root_fd=root_fd)
    if isinstance(data, Refused):
        return FactFile(rel, (_refused(rel, data, root),))
    return parse_facts(rel, data)


def merge(root: Path, sources: SourcesFile, files: list[FactFile]) -> FactBase:
    """The fact base the files make together: the first entry with an id takes it, later ones
    are reported (even when the first has schema errors and is not loaded)."""
    problems: list[Problem] = list(sources.problems)
    facts: dict[str, Fact] = {}
    taken: dict[str, tuple[str, int]] = {}  # id -> (file, line) of the entry that took it
    for file in files:
        for item in file.items:
            if isinstance(item, Problem):
                problems.append(item)
            elif item.id in taken:
                origin, line = taken[item.id]
                problems.append(Problem(
                    "duplicate-id", "error", file.rel, item.id_line,
                    f"fact id `{item.id}` is already used in {origin} line {line}; ids must be unique.", item.id))
            else:
                taken[item.id] = (file.rel, item.line)
                if item.fact is not None:
                    facts[item.id] = item.fact
    return FactBase(str(root), sources.sources, facts, tuple(f.rel for f in files), tuple(problems))


def load(root: str | os.PathLike[str], *,
         parse_sources: Callable[[bytes], SourcesFile] = parse_sources_file,
         parse_facts: Callable[[str, bytes], FactFile] = parse_fact_file,
         max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> FactBase:
    """Load the fact base under ``root``; problems are collected, never raised.

    ``parse_sources`` and ``parse_facts`` turn one file's bytes into its content; a
    memo (``tracefacts.memo``) passes versions that remember earlier results. No file
    larger than ``max_file_size`` bytes is read (``safeio``).
    """
    root_path = Path(root).resolve()
    try:
        root_fd = open_root(root_path)
    except OSError as exc:
        problem = Problem("yaml-syntax", "error", SOURCES_FILE, 1,
                          f"the handbook folder {root_path} cannot be opened: {exc.strerror or exc}.")
        return merge(root_path, SourcesFile({}, (problem,)), [])
    try:
        with gc_paused():  # every object made here is kept
            sources = read_sources_file(root_path, parse_sources, max_file_size=max_file_size, root_fd=root_fd)
            files = [read_fact_file(root_path, path.relative_to(root_path).as_posix(), parse_facts,
                                    max_file_size=max_file_size, root_fd=root_fd)
                     for path in fact_files(root_path, root_fd=root_fd)]
            return merge(root_path, sources, files)
    finally:
        os.close(root_fd)


__all__ = [
    "load", "find_root", "fact_files", "SOURCES_FILE", "Candidate", "FactFile", "SourcesFile",
    "parse_fact_file", "parse_sources_file", "read_fact_file", "read_sources_file", "merge",
]
