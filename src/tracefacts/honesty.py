"""What a machine can see of a fact's honesty: its age, whose view it is, and how far each
source agrees.

- **Status** (`undated-status`): a statement or quote that describes a state that can
  change ("for now", "only", "still", "will", "not yet announced") is true as of its
  sources' date, not for ever. Such a fact needs ``review_by`` (when to check again), and it
  always shows its as-of date.
- **Attribution** (`unattributed-claim`): a ``reported`` fact whose quote puts its content
  in someone's mouth ("Meta says", "according to", "claims", "hopes") while the statement
  reads as plain fact passes a party's view off as established.
- **Support per source**: a fact that cites several sources is corroborated only when two
  or more of them each carry, in their own quotes, every figure (number, month, day) and
  every proper name of the statement. A source whose quotes carry less is partial support.

The rules are word lists, not understanding: they find the wording that makes a careful
reader ask, and a fact is fixed by answering (a review date, a claimant, a second fact).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .figures import evidence_figures, figures_of
from .model import Fact, Problem, Source
from .normalize import normalize_text

# Wording that describes a state that can change. "only" is read as a limit ("partners
# only", "only through"), except in the fixed phrases where it limits nothing ("not only",
# "if only", "only if"); "will" as the modal, never "goodwill" (whole words only).
_STATUS = re.compile(
    r"(?<![\w-])(?:"
    r"for now|for the time being|currently|at present|at the moment|as of now|so far|to date"
    r"|(?<!not )(?<!if )only(?! if\b)|not yet|yet to|still|remains?|remained|remaining"
    r"|(?:up)?coming|forthcoming|eventually|soon|in the coming (?:days|weeks|months|years)"
    r"|no (?:timeline|date|release date|timetable)"
    r"|not (?:been )?(?:announced|published|released|disclosed|named|confirmed|available|open[- ]sourced)"
    r"|unannounced|undisclosed|unnamed|unreleased|unpublished"
    r"|plans? to|planned|planning to|intends? to|expected|expects?|will|won't|going to"
    r")(?![\w-])",
    re.IGNORECASE)

# Wording that gives a text's content to a party: "Meta says", "according to", "claims".
# "that said" (an aside) and "said to be" (hearsay without a party) are not attributions.
_ATTRIBUTES = (
    r"says|(?<!that )said(?! to be)|claims?|claimed|claiming|hopes?|hoped|believes?|believed"
    r"|argues?|argued|insists?|insisted|contends?|asserts?|asserted|maintains that"
    r"|according to|(?:is |are |was |were )?described as|touts?|touted|promises?|promised"
    r"|predicts?|predicted|reportedly|allegedly|hedging|in (?:its|his|her|their) (?:view|words)"
)
_ATTRIBUTION = re.compile(rf"(?<![\w-])(?:{_ATTRIBUTES})(?![\w-])", re.IGNORECASE)
# A statement names its party with these too ("VentureBeat reports", "DevPik writes").
_SAYS_WHO = re.compile(
    rf"(?<![\w-])(?:{_ATTRIBUTES}|reports?|reported|writes?|wrote|notes?|noted|describes?|calls?|called"
    r"|warns?|warned|states?|stated|tells?|told|announced?|(?:'s|s') (?:view|claim|words|analysis|opinion))"
    r"(?![\w-])",
    re.IGNORECASE)

_WORD = re.compile(r"[^\W\d_][^\W_]*")  # letters, then letters or digits: "Meta", "GPT", "4o" is not one
# Words that open a sentence before a name ("The API", "For Meta") without being part of it.
_OPENING_WORDS = frozenset(
    "a an the this that these those its their our his her my your for in on at by if when as but and or "
    "with from to of under after before while since both each every all no some many most why how what "
    "which who where there here it".split())
_SENTENCE_END = ".!?:"
_OPENERS = "\"'([“‘«"


@dataclass(frozen=True)
class SourceSupport:
    """How much of a statement one cited source's own quotes carry."""

    source: str
    missing: tuple[str, ...]  # figures and names of the statement its quotes do not carry

    @property
    def full(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class FactHonesty:
    """What the honesty rules found in one fact (the problems apart)."""

    status: str | None  # the first wording of a changeable state, as written, or None
    as_of: dt.date | None  # shown beside the fact: set for a status fact or one with review_by
    support: tuple[SourceSupport, ...]  # one per cited source, when it cites two or more

    @property
    def corroborated(self) -> bool:
        """Two or more sources each carry the whole statement."""
        return sum(s.full for s in self.support) >= 2

    def partial(self, source_id: str) -> SourceSupport | None:
        """The support of ``source_id`` when it carries only part of the statement."""
        return next((s for s in self.support if s.source == source_id and not s.full), None)


def status_wording(text: str) -> str | None:
    """The first wording of ``text`` that describes a state that can change, or None."""
    match = _STATUS.search(normalize_text(text))
    return match.group() if match else None


def attribution_wording(text: str) -> str | None:
    """The first wording of ``text`` that gives its content to a party, or None."""
    match = _ATTRIBUTION.search(normalize_text(text))
    return match.group() if match else None


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip().rstrip(_OPENERS).rstrip()
    return not before or before[-1] in _SENTENCE_END


def _capitalised(word: str) -> bool:
    return word[0].isupper() or any(c.isupper() for c in word[1:])


def _mid_sentence_names(text: str) -> set[str]:
    return {m.group() for m in _WORD.finditer(text)
            if _capitalised(m.group()) and not _starts_sentence(text, m.start())}


def names_of(statement: str, quotes: list[str]) -> list[str]:
    """The proper names of ``statement``: its capitalised words ("Muse", "Spark", "Meta",
    "API"). A word that opens a sentence is a name when a quote writes it capitalised
    mid-sentence ("Meta launched …"), or when it is the first word of a name of several
    ("Rocket One ships", "Muse Spark is"); not "For now, …" or "The API …"."""
    norm = normalize_text(statement)
    words = list(_WORD.finditer(norm))
    names: list[str] = []
    mid_in_quotes: set[str] | None = None
    for i, m in enumerate(words):
        word = m.group()
        if not _capitalised(word) or word in names:
            continue
        if _starts_sentence(norm, m.start()):
            if mid_in_quotes is None:
                mid_in_quotes = set().union(*(_mid_sentence_names(normalize_text(q)) for q in quotes))
            after = words[i + 1] if i + 1 < len(words) else None
            first_of_several = (after is not None and _capitalised(after.group())
                                and norm[m.end():after.start()] == " " and word.lower() not in _OPENING_WORDS)
            if word not in mid_in_quotes and not first_of_several:
                continue
        names.append(word)
    return names


def _carries_name(text: str, name: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])", text) is not None


def support_of(fact: Fact, sources: Mapping[str, Source]) -> tuple[SourceSupport, ...]:
    """Per cited source, what of the statement its own quotes do not carry; () for one source."""
    if len(fact.source_ids) < 2:
        return ()  # one source: the figures rule already holds its quotes to the statement
    figures = figures_of(fact.statement)
    names = names_of(fact.statement, [q.quote for q in fact.sources])
    out = []
    for source_id in fact.source_ids:
        quotes = [q.quote for q in fact.sources if q.source == source_id]
        source = sources.get(source_id)
        evidence = evidence_figures(quotes, [source.published if source else None]) if figures else set()
        said = " ".join(normalize_text(q) for q in quotes)
        missing = [f for f in figures if f not in evidence] + [n for n in names if not _carries_name(said, n)]
        out.append(SourceSupport(source_id, tuple(missing)))
    return tuple(out)


def _as_of(fact: Fact, sources: Mapping[str, Source]) -> dt.date | None:
    dates = [sources[s].published for s in fact.source_ids if s in sources]
    return max((d for d in dates if d is not None), default=None)


def honesty_of(fact: Fact, sources: Mapping[str, Source]) -> tuple[FactHonesty, list[Problem]]:
    """What the rules find in ``fact``, and its `undated-status` and `unattributed-claim` problems.
    Reads of ``sources`` only the entries the fact cites, and of those only ``published``."""
    problems: list[Problem] = []

    def warn(code: str, line: int, message: str, source: str | None = None) -> None:
        problems.append(Problem(code, "warning", fact.origin, line, message, fact.id, source))

    # A fact with an event date happened on that day; its quotes' "will" is the source's
    # future at the time, not a status the fact states. Its statement is still read.
    status, line, where = status_wording(fact.statement), fact.statement_line, "the statement"
    if status is None and fact.date is None:
        for quote in fact.sources:
            if (status := status_wording(quote.quote)) is not None:
                line, where = quote.line, f"its quote from `{quote.source}`"
                break
    as_of = _as_of(fact, sources) if status is not None or fact.review_by is not None else None
    if status is not None and fact.review_by is None:
        when = f"as of {as_of.day} {as_of.strftime('%B %Y')}" if as_of else "with its sources' date"
        warn("undated-status", line,
             f"{where} says {status!r}, a state that can change, and the fact has no `review_by`: add "
             f"`review_by: YYYY-MM-DD` (when to check the sources again). It is shown {when}; "
             "past its review date it is flagged as possibly out of date.")

    if fact.kind == "reported" and _SAYS_WHO.search(normalize_text(fact.statement)) is None:
        for quote in fact.sources:
            if (said := attribution_wording(quote.quote)) is not None:
                warn("unattributed-claim", quote.line,
                     f"its quote from `{quote.source}` gives this to a party ({said!r}), but the statement "
                     "reads as established fact: make it `kind: vendor-claim` or `kind: opinion` with "
                     "`claimant:`, or say in the statement who says it.", quote.source)
                break
    return FactHonesty(status, as_of, support_of(fact, sources)), problems
