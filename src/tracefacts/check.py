"""Check a loaded fact base: every quote in its source, every figure in its quotes."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .anchor import CONTEXT_CHARS, MIN_WORDS, match_quote, near_miss_too_costly, nearest_passage
from .figures import Evidence, figures_of
from .gcpause import gc_paused
from .honesty import FactHonesty, honesty_of
from .load import load
from .model import Anchor, Fact, FactBase, Problem, QuoteRef, Source, Span
from .normalize import normalize_text
from .safeio import DEFAULT_MAX_FILE_SIZE, open_root
from .sources import Extractor, Normalizer, SourceText, read_source


@dataclass(frozen=True)
class CheckResult:
    base: FactBase
    problems: tuple[Problem, ...]
    anchors: dict[tuple[str, int], Anchor]  # (fact id, quote index) -> where it stands
    texts: dict[str, SourceText]
    today: dt.date
    honesty: dict[str, FactHonesty] = field(default_factory=dict)  # fact id -> age, support per source

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    def ok(self, strict: bool = False) -> bool:
        return not failing(self.problems, strict)

    def anchors_of(self, fact_id: str) -> list[Anchor]:
        fact = self.base.facts[fact_id]
        return [self.anchors[(fact_id, i)] for i in range(len(fact.sources)) if (fact_id, i) in self.anchors]


# `stale` says the calendar moved on, not that the fact base is wrong: a strict run
# counts it only when asked (`fail_stale`), so the same commit gives the same verdict.
def failing(problems: tuple[Problem, ...] | list[Problem], strict: bool, fail_stale: bool = False) -> list[Problem]:
    return [p for p in problems
            if p.severity == "error" or (strict and (p.code != "stale" or fail_stale))]


def _anchor(fact: Fact, index: int, text: SourceText, spans: tuple[tuple[int, int], ...]) -> Anchor:
    ns = text.normalized
    parts = tuple(Span(*ns.to_source(a, b)) for a, b in spans)
    start, end = parts[0].start, parts[-1].end
    return Anchor(
        fact=fact.id, source=text.source.id, index=index, parts=parts,
        exact=ns.text[start:end],
        prefix=ns.text[max(0, start - CONTEXT_CHARS):start],
        suffix=ns.text[end:end + CONTEXT_CHARS],
        line=ns.line_of(start),
    )


_SENTENCE_LOOKAROUND = 400  # characters: a sentence longer than this is cut there


def _sentence_around(text: str, start: int, end: int) -> tuple[str, str]:
    """What stands around a quote in its sentence (normalised): (the sentence's words before
    it, those after it) — where "Meta says" or "For now," stands when a quote leaves it out.
    Within the paragraph; a sentence longer than 400 characters is cut there."""
    low = max(0, start - _SENTENCE_LOOKAROUND)
    head = text[low:start]
    cut = max(head.rfind(". "), head.rfind("! "), head.rfind("? "), head.rfind("\n"))
    before = head[cut + 1:] if cut != -1 else head
    if end and text[end - 1] in ".!?":
        return normalize_text(before), ""  # the quote ends its sentence
    tail = text[end:end + _SENTENCE_LOOKAROUND]
    stops = [i for i in (tail.find(". "), tail.find("! "), tail.find("? "), tail.find("\n")) if i != -1]
    return normalize_text(before), normalize_text(tail[:min(stops) + 1] if stops else tail)


def _where_else(quote: QuoteRef, texts: Mapping[str, SourceText]) -> list[str]:
    found = []
    for sid, other in texts.items():
        if sid == quote.source:
            continue
        result = match_quote(other.normalized, quote.quote)
        if result.occurrences:
            first = result.occurrences[0][0][0]
            found.append(f"`{sid}` (line {other.normalized.line_of(other.normalized.origin[first])})")
    return found


def _not_found_message(quote: QuoteRef, text: SourceText, texts: Mapping[str, SourceText]) -> str:
    elsewhere = _where_else(quote, texts)
    head = f"the quote {quote.quote!r} is not in `{quote.source}` ({text.source.file})"
    if "..." in quote.quote or "\u2026" in quote.quote:  # the usual way to elide is not the checker's
        head += "; to leave words out, write ` [\u2026] ` (space, bracketed ellipsis, space), not `...`"
    if elsewhere:
        return f"{head}, but it is in {', '.join(elsewhere)}: correct `source:`."
    near = nearest_passage(text.normalized, quote.quote)
    if near is None:
        if near_miss_too_costly(text.normalized, quote.quote):
            return f"{head}; the source is too large to search for a near match: use `tracefacts find`."
        return f"{head}, and nothing in it comes close; copy the quote from the source (`tracefacts find`)."
    return (f"{head}. Nearest passage, line {near.line} (differences in brackets):\n"
            f"    source: {near.source_text}\n    quote:  {near.quote_text}")


@dataclass(frozen=True)
class FactCheck:
    """What checking one fact's quotes and figures found (staleness, which depends on the day, apart)."""

    problems: tuple[Problem, ...]
    anchors: tuple[Anchor, ...]  # one per quote found (`combine` reads from them where quotes matched)
    # A message names other sources (a did-you-mean, or where else a quote stands): the
    # result then depends on every source, not only on those the fact cites (memo keys).
    consulted_all: bool
    honesty: FactHonesty  # its status wording, as-of date and support per source


def read_texts(base: FactBase, normalize: Normalizer | None = None, *, max_file_size: int = DEFAULT_MAX_FILE_SIZE,
               extractor: Extractor | None = None) -> tuple[dict[str, SourceText], list[Problem]]:
    """Every registered source that can be read, and a problem for each that cannot."""
    texts: dict[str, SourceText] = {}
    problems: list[Problem] = []
    root = Path(base.root)
    try:
        root_fd = open_root(root)
    except OSError:
        root_fd = None  # each read then reports why the root cannot be opened
    try:
        for source in base.sources.values():
            read = read_source(root, source, normalize, max_file_size=max_file_size, root_fd=root_fd,
                               extractor=extractor)
            if isinstance(read, Problem):
                problems.append(read)
            else:
                texts[source.id] = read
    finally:
        if root_fd is not None:
            os.close(root_fd)
    return texts, problems


def check_fact(fact: Fact, sources: Mapping[str, Source], texts: Mapping[str, SourceText]) -> FactCheck:
    """Check one fact. Of ``sources`` and ``texts`` it reads only the entries of the sources it
    cites, unless ``consulted_all`` says otherwise; of a source, only its id, ``file``,
    ``published`` and ``text_undated``; of a text, only what its bytes (``sha256``) determine."""
    problems: list[Problem] = []
    anchors: list[Anchor] = []
    consulted_all = False
    evidence = Evidence(fact, sources)

    def problem(code: str, line: int, message: str, source: str | None = None,
                severity: str = "error") -> None:
        problems.append(Problem(code, severity, fact.origin, line, message, fact.id, source))  # type: ignore[arg-type]

    for index, quote in enumerate(fact.sources):
        if quote.source not in sources:
            consulted_all = True
            hint = difflib.get_close_matches(quote.source, list(sources), n=1)
            problem("unknown-source", quote.source_line,
                    f"`{quote.source}` is not a source of facts/sources.yaml"
                    + (f"; did you mean `{hint[0]}`?" if hint else "; register it there first."),
                    quote.source)
            continue
        text = texts.get(quote.source)
        if text is None:
            continue  # the source itself is already reported
        result = match_quote(text.normalized, quote.quote, quote.prefix, quote.suffix)
        if result.status == "too-short":
            problem("quote-too-short", quote.line,
                    f"{result.short_part!r} has fewer than {MIN_WORDS} words; quote more of the sentence "
                    "so the evidence is unambiguous.", quote.source)
        elif result.status == "not-found":
            consulted_all = True
            problem("quote-not-found", quote.line, _not_found_message(quote, text, texts), quote.source)
        elif result.status == "context-mismatch":
            problem("quote-not-found", quote.line,
                    f"the quote occurs {result.unfiltered} time(s) in `{quote.source}`, but never with "
                    "the given prefix/suffix next to it; correct them (`tracefacts find` prints them).",
                    quote.source)
        else:
            anchors.append(_anchor(fact, index, text, result.occurrences[0]))
            if result.status == "ambiguous":
                lines = sorted({text.normalized.line_of(text.normalized.origin[o[0][0]])
                                for o in result.occurrences})
                problem("quote-ambiguous", quote.line,
                        f"the quote occurs {len(result.occurrences)} times in `{quote.source}` "
                        f"(lines {', '.join(map(str, lines))}); add `prefix:` or `suffix:` to pick one. "
                        "The first is used.", quote.source, severity="warning")

    statement_figures: list[str] = []
    if fact.sources:
        for field, line, said, fix in _shown_fields(fact):
            figures = figures_of(said)
            if said is fact.statement:
                statement_figures = figures
            if not figures:
                continue
            known = evidence.everything()
            if missing := [f for f in figures if f not in known]:
                problem("figure-not-in-quote", line,
                        f"{field} says {', '.join(repr(m) for m in missing)}, which none of its quotes "
                        f"(nor a cited source's date) contains: quote the passage that says it, or {fix}.")
    found = {anchor.index: anchor for anchor in anchors}

    def around(index: int) -> tuple[str, str]:
        anchor = found.get(index)
        if anchor is None:
            return "", ""
        return _sentence_around(texts[anchor.source].normalized.text, anchor.start, anchor.end)

    honesty, honesty_problems = honesty_of(fact, sources, statement_figures, evidence, around)
    problems += honesty_problems
    return FactCheck(tuple(problems), tuple(anchors), consulted_all, honesty)


def _shown_fields(fact: Fact) -> list[tuple[str, int, str, str]]:
    """(what it is, its line, its text, how to correct it) for every field a reader sees:
    the statement everywhere, the value in fact tables, the claimant in the badge, the
    event date in timelines and cards (its label, as shown: `25 December 2031`)."""
    fields = [("the statement", fact.statement_line, fact.statement, "correct the statement")]
    if fact.value is not None:
        fields.append(("`value` (shown in fact tables)", fact.value_line or fact.line, fact.value,
                       "correct `value`"))
    if fact.claimant is not None:
        fields.append(("`claimant` (shown in the badge)", fact.claimant_line or fact.line, fact.claimant,
                       "name the claimant without figures the quotes do not give"))
    if fact.date is not None:
        fields.append((f"`date` ({fact.date_label}, shown in timelines)", fact.date_line or fact.line,
                       fact.date_label, "correct `date` (a month, YYYY-MM, when the sources give no day)"))
    return fields


def stale_problem(fact: Fact, today: dt.date) -> Problem | None:
    if not fact.is_stale(today):
        return None
    return Problem("stale", "warning", fact.origin, fact.review_by_line or fact.line,
                   f"review_by {fact.review_by.isoformat()} has passed (today is {today.isoformat()}): "  # type: ignore[union-attr]
                   "check the sources again, then move review_by or change the fact.", fact.id)


def combine(base: FactBase, today: dt.date, texts: dict[str, SourceText], read_problems: list[Problem],
            checks: Iterable[FactCheck]) -> CheckResult:
    """The result of the whole base from each fact's check (``checks``, in the order of ``base.facts``)."""
    problems: list[Problem] = [*base.problems, *read_problems]
    anchors: dict[tuple[str, int], Anchor] = {}
    honesty: dict[str, FactHonesty] = {}
    cited: set[str] = set()
    # per source: facts whose quotes match, and those that do not (for hash mismatches)
    matching: dict[str, set[str]] = defaultdict(set)
    failing_facts: dict[str, set[str]] = defaultdict(set)
    for fact, checked in zip(base.facts.values(), checks, strict=True):
        problems.extend(checked.problems)
        honesty.setdefault(fact.id, checked.honesty)
        stale = stale_problem(fact, today)
        if stale is not None:
            problems.append(stale)
        cited.update(q.source for q in fact.sources)  # those not registered are left out below
        for anchor in checked.anchors:
            anchors[(fact.id, anchor.index)] = anchor
            matching[anchor.source].add(fact.id)
        for problem in checked.problems:
            if problem.code == "quote-not-found":  # not found, or not with its prefix/suffix
                failing_facts[problem.source].add(fact.id)  # type: ignore[index]

    for source in base.sources.values():
        text = texts.get(source.id)
        if text is not None and source.sha256 is not None and text.sha256 != source.sha256:
            problems.append(Problem(
                "source-hash-mismatch", "error", source.origin, source.sha256_line or source.line,
                _mismatch_message(source, text, sorted(failing_facts[source.id]), sorted(matching[source.id])),
                source=source.id))
        if source.id not in cited:
            problems.append(Problem("unused-source", "warning", source.origin, source.line,
                                    f"no fact cites source `{source.id}`; cite it or remove it.",
                                    source=source.id))
    problems.sort(key=lambda p: (p.file, p.line, p.code))
    return CheckResult(base, tuple(problems), anchors, texts, today, honesty)


def check_base(base: FactBase, today: dt.date | None = None, *,
               max_file_size: int = DEFAULT_MAX_FILE_SIZE, extractor: Extractor | None = None) -> CheckResult:
    with gc_paused():  # anchors and problems for every fact: all kept
        texts, read_problems = read_texts(base, max_file_size=max_file_size, extractor=extractor)
        checks = (check_fact(fact, base.sources, texts) for fact in base.facts.values())
        return combine(base, today or dt.date.today(), texts, read_problems, checks)


def _mismatch_message(source: Source, text: SourceText, broken: list[str], still: list[str]) -> str:
    msg = (f"{source.file} has changed since it was pinned (sha256 {text.sha256[:12]}…, pinned "
           f"{(source.sha256 or '')[:12]}…). ")
    msg += (f"Quotes that no longer match: {', '.join(broken)}. " if broken
            else "Every quote still matches. ")
    if still:
        msg += f"Facts whose quotes still match: {', '.join(still)}. "
    return msg + "Restore the file, or review the change and run `tracefacts pin " + source.id + "`."


def check(root: str | Path, today: dt.date | None = None, *,
          max_file_size: int = DEFAULT_MAX_FILE_SIZE, extractor: Extractor | None = None) -> CheckResult:
    """Load and check the fact base under ``root``; no file larger than ``max_file_size`` bytes is read.
    ``extractor``: how HTML and PDF sources are read (a cache: ``formats.cache``); default, afresh."""
    return check_base(load(root, max_file_size=max_file_size), today, max_file_size=max_file_size,
                      extractor=extractor)


__all__ = ["check", "check_base", "CheckResult", "FactCheck", "check_fact", "combine", "failing",
           "normalize_text", "read_texts", "stale_problem"]
