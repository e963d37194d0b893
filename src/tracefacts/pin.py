"""`tracefacts pin`: write each source's sha256 into sources.yaml, touching only that line."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .atomic import locked, write_atomic
from .check import check_base
from .load import SOURCES_FILE, load

QUOTE_FAILURES = {"quote-not-found", "quote-too-short"}
# [ \t], not \s: `\s*` after an empty `sha256:` ate the newline and the digest landed
# on a line of its own, breaking the YAML.
_SHA_LINE = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)?sha256[ \t]*:[ \t]*)(?P<value>[\"']?[^\s#\"']*[\"']?)(?P<rest>.*)$")
_FILE_LINE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)file\s*:")


@dataclass(frozen=True)
class PinOutcome:
    source: str
    status: str  # pinned | unchanged | refused
    message: str


def _set_sha(lines: list[str], line: int | None, file_line: int, digest: str) -> bool:
    if line is not None:
        match = _SHA_LINE.match(lines[line - 1])
        if match is None:
            return False
        lead, rest = match["lead"], match["rest"]
        lead += "" if lead[-1] in " \t" else " "  # `sha256:` with nothing after it
        rest = " " + rest if rest.startswith("#") else rest  # `sha256: # …`: keep it a comment
        lines[line - 1] = f"{lead}{digest}{rest}"
        if not lines[line - 1].endswith("\n"):
            lines[line - 1] += "\n"
        return True
    match = _FILE_LINE.match(lines[file_line - 1])
    if match is None:
        return False
    indent = " " * len(match["lead"])
    ending = "\r\n" if lines[file_line - 1].endswith("\r\n") else "\n"
    lines.insert(file_line, f"{indent}sha256: {digest}{ending}")
    return True


def pin(root: Path, ids: list[str], *, force: bool = False, today: dt.date | None = None) -> list[PinOutcome]:
    path = root / SOURCES_FILE
    with locked(path):
        base = load(root)
        result = check_base(base, today)
        broken = [p for p in result.problems if p.file == SOURCES_FILE and p.code in ("yaml-syntax", "duplicate-key")]
        if broken:
            return [PinOutcome(i or "*", "refused", f"{SOURCES_FILE} line {broken[0].line}: {broken[0].message}")
                    for i in (ids or [""])]
        outcomes = []
        raw = path.read_bytes()  # not read_text: universal newlines would turn CRLF into LF
        lines = raw.decode("utf-8-sig").splitlines(keepends=True)
        had_bom = raw.startswith(b"\xef\xbb\xbf")
        changed = False
        # Inserted lines shift the ones below: edit from the bottom of the file up.
        selected = [base.sources[i] for i in (ids or list(base.sources))]
        for source in sorted(selected, key=lambda s: s.line, reverse=True):
            text = result.texts.get(source.id)
            if text is None:
                reason = next((p.message for p in result.problems if p.source == source.id
                               and p.code.startswith("source-") and p.code != "source-hash-mismatch"), "unreadable")
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
            if not _set_sha(lines, source.sha256_line, source.file_line, text.sha256):
                outcomes.append(PinOutcome(source.id, "refused",
                                           "could not find its `sha256:` line to edit; write it by hand."))
                continue
            changed = True
            outcomes.append(PinOutcome(source.id, "pinned", text.sha256))
        if changed:
            data = "".join(lines).encode("utf-8")
            write_atomic(path, (b"\xef\xbb\xbf" if had_bom else b"") + data)
        return sorted(outcomes, key=lambda o: o.source)
