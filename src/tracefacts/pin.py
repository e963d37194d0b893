"""`tracefacts pin`: write each source's sha256 into sources.yaml, touching only that value.

The value is edited where the YAML parser says it stands, whatever its style (plain,
quoted, a block scalar, with a tag or an anchor), and a missing ``sha256:`` is added as
the next key of the source's own mapping. Before the file is replaced, the edited text
is read back with the project's loader: it must register the same sources, in the same
order, with every field as before but the new hashes, and no new problem. An edit that
does not read back so is not made: that source is refused, and the file stays as it
was for it, comments and formatting included.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .atomic import locked, write_confined
from .check import check_base
from .load import FACTS, SOURCES_FILE, SourcesFile, load, parse_sources_file
from .model import Source
from .safeio import DEFAULT_MAX_FILE_SIZE, Refused, read_confined

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is in the wheels we install
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

QUOTE_FAILURES = {"quote-not-found", "quote-too-short"}
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class PinOutcome:
    source: str
    status: str  # pinned | unchanged | refused
    message: str


@dataclass
class _Node:
    """A YAML node and where it stands in the text (character offsets, as the parser gives them)."""

    kind: str  # map | seq | scalar | alias
    start: int
    end: int = -1
    value: str = ""
    flow: bool = False
    children: list[_Node] = dataclasses.field(default_factory=list)

    def content_end(self, text: str) -> int:
        """Where the node's own characters end: a block scalar's span runs on over the blank lines after it."""
        return self.start + len(text[self.start:self.end].rstrip())

    def pairs(self) -> list[tuple[_Node, _Node]]:
        return list(zip(self.children[::2], self.children[1::2], strict=True))

    def get(self, key: str) -> tuple[_Node, _Node] | None:
        """The first entry with the key (a key given twice is refused before pin edits anything)."""
        return next(((k, v) for k, v in self.pairs() if k.kind == "scalar" and k.value == key), None)


def _tree(text: str) -> _Node | None:
    """The document's nodes with their offsets; built without recursion (nesting may be deep)."""
    stack: list[_Node] = []
    top: _Node | None = None
    for event in yaml.parse(text, Loader=_Loader):
        node: _Node | None = None
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            node = _Node("map" if isinstance(event, yaml.MappingStartEvent) else "seq", event.start_mark.index,
                         flow=bool(event.flow_style))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop().end = event.end_mark.index
            continue
        elif isinstance(event, yaml.ScalarEvent):
            node = _Node("scalar", event.start_mark.index, event.end_mark.index, event.value)
        elif isinstance(event, yaml.AliasEvent):
            node = _Node("alias", event.start_mark.index, event.end_mark.index)
        if node is None:
            continue
        if stack:
            stack[-1].children.append(node)
        elif top is None:
            top = node
        if node.kind in ("map", "seq"):
            stack.append(node)
    return top


def _source_maps(text: str) -> dict[str, _Node]:
    """The mapping of each source id in the text (the first one with that id, as the loader keeps)."""
    top = _tree(text)
    entry = top.get("sources") if top is not None and top.kind == "map" else None
    found: dict[str, _Node] = {}
    if entry is None or entry[1].kind != "seq":
        return found
    for item in entry[1].children:
        sid = item.get("id") if item.kind == "map" else None
        if sid is not None and sid[1].kind == "scalar":
            found.setdefault(sid[1].value, item)
    return found


Edit = tuple[int, int, str]  # replace text[start:end] with the string


def _edit(text: str, mapping: _Node, digest: str) -> Edit | str:
    """The edit that gives the source ``mapping`` the sha256 ``digest``, or why there is none."""
    sha = mapping.get("sha256")
    if sha is not None:
        value = sha[1]
        if value.kind != "scalar":
            return "its `sha256:` is not a single value"
        if value.end > value.start:  # any style, tag and anchor included: all of it gives way to the digest
            return value.start, value.content_end(text), digest
        # `sha256:` with nothing after it: the digest goes after the spaces that follow, before a comment
        at = value.start
        while at < len(text) and text[at] in " \t":
            at += 1
        return at, at, ("" if at > value.start else " ") + digest + (" " if text.startswith("#", at) else "")
    file = mapping.get("file")
    if file is None:
        return "it has no `file:` to put `sha256:` next to"
    key, value = file
    end = value.content_end(text)
    if mapping.flow:  # {id: x, file: seeds/x.txt}
        return end, end, f", sha256: {digest}"
    # A new key of the same mapping, on the line after the value (which may span lines),
    # indented like `file:`.
    line_start = max(text.rfind("\n", 0, key.start), text.rfind("\r", 0, key.start)) + 1
    indent = " " * (key.start - line_start)
    match = _LINE_END.search(text, end)
    if match is None:
        return len(text), len(text), f"\n{indent}sha256: {digest}\n"
    return match.end(), match.end(), f"{indent}sha256: {digest}{match.group()}"


def _apply(text: str, edits: list[Edit]) -> str:
    for start, end, new in sorted(edits, reverse=True):  # from the end: offsets before stay valid
        text = text[:start] + new + text[end:]
    return text


def _fields(source: Source) -> tuple[object, ...]:
    """What a source says (its line numbers may shift when a line is added above it)."""
    return (source.id, source.file, source.title, source.publisher, source.published, source.sha256,
            source.notes, source.chrome, source.text_undated, source.format, source.url, source.retrieved)


def _misread(old: SourcesFile, new: SourcesFile, digests: dict[str, str]) -> tuple[set[str], str | None]:
    """The sources whose edit does not read back as intended, and a change no edit explains."""
    bad = {sid for sid, source in old.sources.items()
           if sid not in new.sources
           or _fields(new.sources[sid]) != _fields(dataclasses.replace(source, sha256=digests.get(sid, source.sha256)))}
    if set(new.sources) - set(old.sources) or [s for s in new.sources if s in old.sources] != list(old.sources):
        return bad, "the edited file would register other sources, or in another order"
    added = collections.Counter((p.code, p.source) for p in new.problems)
    added.subtract((p.code, p.source) for p in old.problems)
    for (code, sid), count in added.items():
        if count > 0:
            if sid not in digests:
                return bad, f"the edited file would have a new problem ({code})"
            bad.add(sid)
    return bad, None


def _edited(raw: bytes, old: SourcesFile, digests: dict[str, str]) -> tuple[bytes | None, dict[str, str]]:
    """The new bytes of sources.yaml for the sources it can pin safely, and why each other one is refused."""
    had_bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")  # bytes, not read_text: universal newlines would turn CRLF into LF
    try:
        maps = _source_maps(text)
    except yaml.YAMLError as exc:  # the loader read it: not expected, but then nothing is edited
        return None, dict.fromkeys(digests, f"it cannot be parsed ({exc})")
    edits: dict[str, Edit] = {}
    refused: dict[str, str] = {}
    for sid, digest in digests.items():
        edit = _edit(text, maps[sid], digest) if sid in maps else "its entry was not found"
        if isinstance(edit, str):
            refused[sid] = edit
        else:
            edits[sid] = edit
    while edits:
        data = (b"\xef\xbb\xbf" if had_bom else b"") + _apply(text, list(edits.values())).encode("utf-8")
        bad, unexplained = _misread(old, parse_sources_file(data), {sid: digests[sid] for sid in edits})
        if unexplained is not None:
            refused.update((sid, unexplained) for sid in edits)
            break
        bad &= edits.keys()
        if not bad:
            return data, refused
        for sid in bad:  # try again without them: edits of other sources do not depend on theirs
            refused[sid] = "the edited entry would not read back with only its sha256 changed"
            del edits[sid]
    return None, refused


def pin(root: Path, ids: list[str], *, force: bool = False, today: dt.date | None = None,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> list[PinOutcome]:
    # Locked, read and written as every read is: from the root, following no link.
    with locked(root, SOURCES_FILE, within=FACTS):
        base = load(root, max_file_size=max_file_size)
        result = check_base(base, today, max_file_size=max_file_size)
        broken = [p for p in result.problems if p.file == SOURCES_FILE and p.code in ("yaml-syntax", "duplicate-key")]
        if broken:
            return [PinOutcome(i or "*", "refused", f"{SOURCES_FILE} line {broken[0].line}: {broken[0].message}")
                    for i in (ids or [""])]
        raw = read_confined(root, SOURCES_FILE, within=FACTS, limit=max_file_size)
        old = parse_sources_file(raw) if isinstance(raw, bytes) else None
        if not isinstance(raw, bytes) or old is None or old.sources != base.sources:
            why = raw.describe(SOURCES_FILE) if isinstance(raw, Refused) else "changed while it was being pinned"
            return [PinOutcome(i or "*", "refused", f"{SOURCES_FILE} {why}; run pin again.") for i in (ids or [""])]
        outcomes = []
        digests: dict[str, str] = {}
        for source in (base.sources[i] for i in (ids or list(base.sources))):
            text = result.texts.get(source.id)
            if text is None:
                # the reading problem, not "has no sha256" (source-unpinned): adding it is pin's job
                reason = next((f"cannot read it: {p.message} ({p.code})" for p in result.problems
                               if p.source == source.id and p.code.startswith("source-")
                               and p.code not in ("source-hash-mismatch", "source-unpinned")), "cannot read it")
                outcomes.append(PinOutcome(source.id, "refused", reason))
                continue
            failures = [p for p in result.problems if p.source == source.id and p.code in QUOTE_FAILURES]
            if failures and not force:
                facts = ", ".join(sorted({p.fact or "?" for p in failures}))
                outcomes.append(PinOutcome(
                    source.id, "refused",
                    f"{len(failures)} quote(s) do not match it ({facts}); fix them, or pin anyway with --force."))
                continue
            if text.sha256 == source.sha256:
                outcomes.append(PinOutcome(source.id, "unchanged", text.sha256))
                continue
            digests[source.id] = text.sha256
        data, refused = _edited(raw, old, digests)
        for sid, digest in digests.items():
            if sid in refused:
                outcomes.append(PinOutcome(
                    sid, "refused", f"{SOURCES_FILE} cannot be edited safely there: {refused[sid]}. Nothing was "
                                    f"written for it; give it `sha256: {digest}` by hand."))
            else:
                outcomes.append(PinOutcome(sid, "pinned", digest))
        if data is not None:
            write_confined(root, SOURCES_FILE, data, within=FACTS)
        return sorted(outcomes, key=lambda o: o.source)
