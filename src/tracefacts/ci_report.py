"""Problems for CI: GitHub Actions workflow commands, a job-summary table, and SARIF 2.1.0.

Pure: problems in, text out (the CLI prints it and writes the summary file). Every text from
the fact base or a source reaches the CI log through ``shown`` first, as it reaches a
terminal, and then through the escaping the platform asks for: a newline in a message must
never start a line of the log, where the runner would read it as a command of its own
(``::add-mask::``, ``::stop-commands::``), and the runner reads commands after leading blanks
too, so indenting is no protection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from . import __version__
from .model import Problem
from .report import json_text, plural, shown

# The project's page, as `tracefacts add` names it in its User-Agent.
INFORMATION_URI = "https://pypi.org/project/tracefacts/"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

# GitHub shows at most this many annotations of each kind (error, warning, notice) per step,
# and 50 per job: the rest are dropped without a word, so we count them ourselves.
ANNOTATIONS_PER_KIND = 10
# A step summary may take 1 MiB; past it GitHub drops the whole summary. Room is left for the
# lines after the table.
SUMMARY_BUDGET = 1_000_000


@dataclass(frozen=True)
class Rule:
    """One code the checker can raise: its severity, what is wrong and the fix."""

    code: str
    severity: Literal["error", "warning"]
    short: str
    help: str


# Every code of `tracefacts check` (README's table; a test keeps it equal to the codes the
# core raises). A SARIF run names each one as a rule, whether or not it occurred.
RULES: tuple[Rule, ...] = (
    Rule("yaml-syntax", "error", "A fact file or sources.yaml is not valid YAML.",
         "Fix the YAML at the line the parser names."),
    Rule("schema", "error", "A key is missing, unknown or of the wrong type.",
         "Add, rename or retype the key as the message says (it names the expected type)."),
    Rule("duplicate-key", "error", "A key is given twice in one mapping.", "Keep one of the two."),
    Rule("duplicate-id", "error", "Two facts or two sources share an id.", "Rename one of them."),
    Rule("no-source", "error", "A fact has no `sources` entry.", "Quote at least one source."),
    Rule("unknown-source", "error", "A quote names a source that sources.yaml does not register.",
         "Correct the id (a did-you-mean is given) or register the source."),
    Rule("source-missing", "error", "A registered source file does not exist.",
         "Copy the file into seeds/ or correct `file:`."),
    Rule("source-outside-root", "error", "A source path, or a folder on its way, leads out of the handbook.",
         "Keep a copy of the document in seeds/ and register that."),
    Rule("source-not-utf8", "error", "A text source is not UTF-8.", "Convert it, e.g. with iconv."),
    Rule("source-unsupported", "error", "A source has a `format:` tracefacts does not read.",
         "Convert the document to text, HTML or PDF."),
    Rule("source-unreadable", "error",
         "An HTML or PDF source cannot be read: malformed, encrypted, too many pages, too slow or too large.",
         "Capture or export the document again; the message gives the library's reason."),
    Rule("source-no-text", "error", "A PDF with no text layer, or a page with no text.",
         "OCR it (e.g. `ocrmypdf in.pdf out.pdf`), register the result and pin it."),
    Rule("source-too-large", "error", "A source is over the size limit.",
         "Raise the limit with --max-file-size, or cut the document down."),
    Rule("source-unpinned", "error", "A source has no `sha256`.", "Run `tracefacts pin`."),
    Rule("source-hash-mismatch", "error", "A source changed since it was pinned.",
         "Check the quotes named in the message against the new text, then run `tracefacts pin`."),
    Rule("quote-not-found", "error", "A quote is not in its source.",
         "Quote the source's words exactly: the nearest passage is shown with the differences bracketed."),
    Rule("quote-too-short", "error", "A quote, or an elided part of one, has fewer than 3 words.",
         "Quote more of the source."),
    Rule("quote-ambiguous", "warning", "A quote stands more than once in its source.",
         "Add `prefix:` or `suffix:` to say which occurrence is meant."),
    Rule("figure-not-in-quote", "error",
         "A number, month or day of the statement, `value`, `claimant` or `date` is in no quote.",
         "Quote the words that give it, or correct the statement."),
    Rule("undated-status", "warning", "The fact describes a state that can change and has no `review_by`.",
         "Add `review_by:` with the date to check the sources again."),
    Rule("unattributed-claim", "warning",
         "A `reported` fact whose quote gives its content to a party, while the statement names no one.",
         "Make it `vendor-claim` or `opinion` with `claimant:`, or say in the statement who says it."),
    Rule("stale", "warning", "The fact's `review_by` date has passed.",
         "Check the sources again, then update the fact and its `review_by`."),
    Rule("unused-source", "warning", "A registered source is cited by no fact.",
         "Quote it in a fact, or remove it from sources.yaml."),
)
RULE_INDEX = {rule.code: i for i, rule in enumerate(RULES)}

Level = Literal["error", "warning", "notice"]


def level(problem: Problem, fail_stale: bool = False) -> Level:
    """Errors are errors and warnings warnings; `stale` is a notice, since it fails no check
    unless ``--fail-stale`` makes it count (then it is a warning like the others)."""
    if problem.severity == "error":
        return "error"
    return "notice" if problem.code == "stale" and not fail_stale else "warning"


def about(problem: Problem) -> str:
    """``fact X, source Y``, or '' (the context the text report puts on its head line)."""
    return ", ".join(x for x in (problem.fact and f"fact {problem.fact}",
                                 problem.source and f"source {problem.source}") if x)


def _message(problem: Problem) -> str:
    context = about(problem)
    return f"({context}) {problem.message}" if context else problem.message


# --- GitHub Actions -----------------------------------------------------------------------


def command_data(text: str) -> str:
    """A workflow command's message: visible control characters, then GitHub's escapes
    (a newline becomes %0A, which the annotation shows as a line break)."""
    return shown(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """A workflow command's property value: as ``command_data``, and `:` and `,` too."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem, path: str, kind: Level) -> str:
    """``::error file=…,line=…,title=<code>::<message>`` for one problem at ``path``."""
    return (f"::{kind} file={command_property(path)},line={max(problem.line, 1)},"
            f"title={command_property(problem.code)}::{command_data(_message(problem))}")


def github_lines(problems: Sequence[Problem], paths: Sequence[str], *, fail_stale: bool = False,
                 cap: int = ANNOTATIONS_PER_KIND) -> list[str]:
    """Workflow commands for the first ``cap`` problems of each kind, then one plain line
    counting those GitHub would not have shown (none when every problem got its annotation).
    ``paths[i]`` is where ``problems[i]`` stands, relative to the working directory."""
    lines: list[str] = []
    made: dict[Level, int] = {"error": 0, "warning": 0, "notice": 0}
    total: dict[Level, int] = {"error": 0, "warning": 0, "notice": 0}
    for problem, path in zip(problems, paths, strict=True):
        kind = level(problem, fail_stale)
        total[kind] += 1
        if made[kind] < cap:
            made[kind] += 1
            lines.append(annotation(problem, path, kind))
    left = {kind: total[kind] - made[kind] for kind in total}
    if any(left.values()):
        counted = ", ".join(f"{made[k]} of {plural(total[k], k)}" for k in total if left[k])
        lines.append(f"tracefacts: annotated {counted} (GitHub shows {cap} of each kind per step); "
                     "every problem is in the job summary and in `tracefacts check --format text`")
    return lines


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def _cell(text: str) -> str:
    """Text in a markdown table cell, shown as written: HTML and markdown syntax from the
    data escaped (a quoted `<img>` or `[link](…)` is printed, never rendered), line breaks
    kept as <br>, since a newline would end the table row."""
    text = shown(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return "<br>".join(text.replace("\r\n", "\n").split("\n"))


def step_summary(problems: Sequence[Problem], paths: Sequence[str], verdict: str, *,
                 fail_stale: bool = False, budget: int = SUMMARY_BUDGET) -> str:
    """A markdown job summary: the verdict line and a table of every problem (rows past
    ``budget`` characters are counted, not listed: GitHub refuses a summary over 1 MiB)."""
    head = f"### tracefacts check\n\n{_cell(verdict)}\n"
    if not problems:
        return head
    rows = ["| level | code | where | fact | source | message |", "|---|---|---|---|---|---|"]
    size = len(head) + sum(len(r) + 1 for r in rows)
    listed = 0
    for problem, path in zip(problems, paths, strict=True):
        row = (f"| {level(problem, fail_stale)} | `{problem.code}` | {_cell(f'{path}:{problem.line}')} "
               f"| {_cell(problem.fact or '')} | {_cell(problem.source or '')} | {_cell(problem.message)} |")
        if size + len(row) + 1 > budget:
            break
        rows.append(row)
        size += len(row) + 1
        listed += 1
    tail = ""
    if listed < len(problems):
        tail = (f"\n{len(problems) - listed} more not listed here (the summary would be too large): "
                "run `tracefacts check` to see them all.\n")
    return head + "\n" + "\n".join(rows) + "\n" + tail


# --- SARIF 2.1.0 --------------------------------------------------------------------------


_SARIF_LEVEL = {"error": "error", "warning": "warning", "notice": "note"}


def _uri(path: str) -> str:
    """A relative path as a URI reference: spaces, `%`, `#`, `?` and the like percent-encoded."""
    return quote(path, safe="/")


def sarif_log(problems: Iterable[Problem], paths: Iterable[str], *, fail_stale: bool = False,
              base: Path | None = None) -> dict[str, Any]:
    """One SARIF run: the tool with a rule per code, and one result per problem located at
    its file (relative to %SRCROOT%, the checkout) and line."""
    rules = [{
        "id": rule.code,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": f"{rule.short} {rule.help}"},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": "note" if rule.code == "stale" and not fail_stale else rule.severity},
    } for rule in RULES]
    results = []
    for problem, path in zip(problems, paths, strict=True):
        result: dict[str, Any] = {
            "ruleId": problem.code,
            "level": _SARIF_LEVEL[level(problem, fail_stale)],
            "message": {"text": _message(problem)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": max(problem.line, 1)},  # SARIF lines start at 1
            }}],
        }
        if problem.code in RULE_INDEX:
            result["ruleIndex"] = RULE_INDEX[problem.code]
        properties = {k: v for k, v in (("fact", problem.fact), ("source", problem.source)) if v}
        if properties:
            result["properties"] = properties
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "tracefacts", "version": __version__,
                                "informationUri": INFORMATION_URI, "rules": rules}},
            "results": results,
            "columnKind": "unicodeCodePoints",
            # where %SRCROOT% is on the machine that ran the check (code scanning maps it to the checkout)
            **({"originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri() + "/"}}} if base is not None else {}),
        }],
    }


def sarif_text(problems: Sequence[Problem], paths: Sequence[str], *, fail_stale: bool = False,
               base: Path | None = None) -> str:
    """The SARIF log as JSON: exact data, with no control character a terminal would act on."""
    return json_text(sarif_log(problems, paths, fail_stale=fail_stale, base=base))
