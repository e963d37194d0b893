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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .figures import Evidence, figures_of
from .model import Fact, Problem, Source
from .normalize import normalize_text


def _phrases(*groups: str) -> tuple[str, ...]:
    return tuple(p.strip() for group in groups for p in group.split("|"))


# Wording that describes a state that can change. "will" as the modal, never "goodwill"
# (whole words only); "only" as a limit ("partners only"), but not in "not only", "if only",
# "only if", which limit nothing (`_NOT_A_LIMIT`).
STATUS_PHRASES = _phrases(
    "for now|for the time being|currently|at present|at the moment|as of now|so far|to date",
    "only|not yet|yet to|still|remain|remains|remained|remaining",
    "coming|upcoming|forthcoming|eventually|soon",
    "in the coming days|in the coming weeks|in the coming months|in the coming years",
    "no timeline|no date|no release date|no timetable",
    *(f"not {w}|not been {w}" for w in ("announced", "published", "released", "disclosed", "named",
                                         "confirmed", "available", "open-sourced", "open sourced")),
    "unannounced|undisclosed|unnamed|unreleased|unpublished",
    "plan to|plans to|planned|planning to|intend to|intends to|expected|expect|expects",
    "will|won't|going to",
)
# Wording that gives a text's content to a party: "Meta says", "according to", "claims".
# Not "that said" (an aside) nor "said to be" (hearsay without a party: `_NOT_A_PARTY`).
ATTRIBUTION_PHRASES = _phrases(
    "says|said|claim|claims|claimed|claiming|hope|hopes|hoped|believe|believes|believed",
    "argue|argues|argued|insist|insists|insisted|contend|contends|assert|asserts|asserted|maintains that",
    "according to|described as|is described as|are described as|was described as|were described as",
    "tout|touts|touted|promise|promises|promised|predict|predicts|predicted|reportedly|allegedly|hedging",
    "in its view|in his view|in her view|in their view|in its words|in his words|in her words|in their words",
)
# A statement names its party with these too ("VentureBeat reports", "DevPik writes").
SAYS_WHO_PHRASES = ATTRIBUTION_PHRASES + _phrases(
    "report|reports|reported|write|writes|wrote|note|notes|noted|describe|describes|call|calls|called",
    "warn|warns|warned|state|states|stated|tell|tells|told|announce|announces|announced",
)
_POSSESSIVE_VIEW = re.compile(r"(?:'s|s') (?:view|claim|words|analysis|opinion|reading)(?![\w-])", re.IGNORECASE)


def _trie(phrases: tuple[str, ...]) -> str:
    """The phrases as one alternation factored letter by letter: at each word start the
    engine tries one branch per letter instead of every phrase (`check` runs these on every
    statement and quote; measured twice as fast as the flat alternation)."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for ch in phrase.lower():
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return pattern(root)


class _Phrases:
    """Whole-word phrases found in a text. The text is searched in lower case with a
    case-sensitive pattern (twice as fast as IGNORECASE); a text whose lower case has
    another length (a few letters expand) is searched as written, ignoring case."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        whole = rf"(?<![\w-]){_trie(phrases)}(?![\w-])"
        self.lower = re.compile(whole)
        self.any_case = re.compile(whole, re.IGNORECASE)

    def find(self, text: str) -> tuple[str, Iterator[re.Match[str]]]:
        """(the text the matches index, lower-cased when it could be, and the matches)."""
        lower = text.lower()
        if len(lower) == len(text):
            return lower, self.lower.finditer(lower)
        return text, self.any_case.finditer(text)


_STATUS_WORDS = frozenset(STATUS_PHRASES)
_ATTRIBUTION_WORDS = frozenset(ATTRIBUTION_PHRASES)
_SAYS_WHO_WORDS = frozenset(SAYS_WHO_PHRASES)
# One pass over a statement finds its status wording and whether it names a party; one over
# a quote, its status and attribution wordings (`check` reads every statement and quote).
_IN_STATEMENTS = _Phrases(STATUS_PHRASES + SAYS_WHO_PHRASES)
_IN_QUOTES = _Phrases(STATUS_PHRASES + ATTRIBUTION_PHRASES)


def _not_a_limit(text: str, match: re.Match[str]) -> bool:
    """"not only", "if only", "only if": an "only" that limits nothing."""
    before = text[max(0, match.start() - 4):match.start()].lower()
    return before.endswith(("not ", "if ")) or text[match.end():match.end() + 3].lower() == " if"


def _not_a_party(text: str, match: re.Match[str]) -> bool:
    """"that said" (an aside), "said to be" (hearsay without a party)."""
    return (text[max(0, match.start() - 5):match.start()].lower() == "that "
            or text[match.end():match.end() + 6].lower() == " to be")


def _scan(phrases: _Phrases, text: str, second: frozenset[str],
          want_second: bool = True) -> tuple[str | None, str | None]:
    """The first status wording of ``text``, and the first of its wordings in ``second``
    (each as written in ``text``)."""
    status = other = None
    searched, matches = phrases.find(text)
    for match in matches:
        lower = match.group().lower()
        if status is None and lower in _STATUS_WORDS and not (lower == "only" and _not_a_limit(searched, match)):
            status = text[match.start():match.end()]
        if other is None and lower in second and not (lower == "said" and _not_a_party(searched, match)):
            other = text[match.start():match.end()]
        if status is not None and (other is not None or not want_second):
            break
    return status, other


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

    @property
    def missing_label(self) -> str:
        """What it lacks as a reader reads it: “Rocket”, “One”."""
        return ", ".join(f"“{m}”" for m in self.missing)


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
    return _scan(_IN_QUOTES, normalize_text(text), _ATTRIBUTION_WORDS, want_second=False)[0]


def attribution_wording(text: str) -> str | None:
    """The first wording of ``text`` that gives its content to a party, or None."""
    return _scan(_IN_QUOTES, normalize_text(text), _ATTRIBUTION_WORDS)[1]


def _starts_sentence(text: str, at: int) -> bool:
    # a few characters back suffice (white space and opening quotes); the slice stays short
    window = text[max(0, at - 12):at].rstrip().rstrip(_OPENERS).rstrip()
    if not window:
        return at <= 12 or _starts_sentence(text[:at - 12].rstrip(), at - 12) if at > 12 else True
    return window[-1] in _SENTENCE_END


def _capitalised(word: str) -> bool:
    return word != word.lower()


def _mid_sentence(word: str, texts: list[str]) -> bool:
    """Whether some text writes ``word`` (whole) where no sentence starts."""
    for text in texts:
        at = text.find(word)
        while at != -1:
            end = at + len(word)
            whole = (at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_")) \
                and (end == len(text) or not (text[end].isalnum() or text[end] == "_"))
            if whole and not _starts_sentence(text, at):
                return True
            at = text.find(word, end)
    return False


def _names(norm: str, quotes: list[str]) -> list[str]:
    words = list(_WORD.finditer(norm))
    names: list[str] = []
    for i, m in enumerate(words):
        word = m.group()
        if not _capitalised(word) or word in names:
            continue
        if _starts_sentence(norm, m.start()):
            after = words[i + 1] if i + 1 < len(words) else None
            first_of_several = (after is not None and _capitalised(after.group())
                                and norm[m.end():after.start()] == " " and word.lower() not in _OPENING_WORDS)
            if not first_of_several and not _mid_sentence(word, quotes):
                continue
        names.append(word)
    return names


def names_of(statement: str, quotes: list[str]) -> list[str]:
    """The proper names of ``statement``: its capitalised words ("Muse", "Spark", "Meta",
    "API"). A word that opens a sentence is a name when a quote writes it capitalised
    mid-sentence ("Meta launched …"), or when it is the first word of a name of several
    ("Rocket One ships", "Muse Spark is"); not "For now, …" or "The API …"."""
    return _names(normalize_text(statement), [normalize_text(q) for q in quotes])


def _support(fact: Fact, norm: str, quotes: list[str], figures: list[str],
             evidence: Evidence) -> tuple[SourceSupport, ...]:
    if len(fact.source_ids) < 2:
        return ()  # one source: the figures rule already holds its quotes to the statement
    names = _names(norm, quotes)
    out = []
    for source_id in fact.source_ids:
        own = [i for i, q in enumerate(fact.sources) if q.source == source_id]
        said_figures = evidence.of_source(source_id) if figures else set()
        # a name is a whole word (`_WORD`), so a set of the words said finds it
        said = set().union(*(_WORD.findall(quotes[i]) for i in own)) if names else set()
        missing = [f for f in figures if f not in said_figures] + [n for n in names if n not in said]
        out.append(SourceSupport(source_id, tuple(missing)))
    return tuple(out)


def _evidence(fact: Fact, sources: Mapping[str, Source]) -> Evidence:
    return Evidence(fact, {s: sources[s].published for s in fact.source_ids if s in sources})


def support_of(fact: Fact, sources: Mapping[str, Source]) -> tuple[SourceSupport, ...]:
    """Per cited source, what of the statement its own quotes do not carry; () for one source."""
    return _support(fact, normalize_text(fact.statement), [normalize_text(q.quote) for q in fact.sources],
                    figures_of(fact.statement), _evidence(fact, sources))


def _as_of(fact: Fact, sources: Mapping[str, Source]) -> dt.date | None:
    dates = [sources[s].published for s in fact.source_ids if s in sources]
    return max((d for d in dates if d is not None), default=None)


def honesty_of(fact: Fact, sources: Mapping[str, Source], figures: list[str] | None = None,
               evidence: Evidence | None = None) -> tuple[FactHonesty, list[Problem]]:
    """What the rules find in ``fact``, and its `undated-status` and `unattributed-claim` problems.
    Reads of ``sources`` only the entries the fact cites, and of those only ``published``.
    ``figures`` (of the statement) and ``evidence``: when the caller has worked them out."""
    problems: list[Problem] = []

    def warn(code: str, line: int, message: str, source: str | None = None) -> None:
        problems.append(Problem(code, "warning", fact.origin, line, message, fact.id, source))

    norm = normalize_text(fact.statement)
    reported = fact.kind == "reported"
    status, party = _scan(_IN_STATEMENTS, norm, _SAYS_WHO_WORDS, want_second=reported)
    says_who = party is not None or (reported and _POSSESSIVE_VIEW.search(norm) is not None)
    line, where = fact.statement_line, "the statement"
    # A fact with an event date happened on that day; its quotes' "will" is the source's
    # future at the time, not a status the fact states. Its statement is still read.
    read_quotes = status is None and fact.date is None
    attributed: tuple[int, str] | None = None  # (quote index, wording) of the first attribution
    several = len(fact.source_ids) > 1
    read_parties = reported and not says_who
    quotes = [normalize_text(q.quote) for q in fact.sources] if read_quotes or several or read_parties else []
    if read_quotes or read_parties:
        for index, said in enumerate(quotes):
            quote_status, quote_party = _scan(_IN_QUOTES, said, _ATTRIBUTION_WORDS,
                                              want_second=reported and not says_who and attributed is None)
            if read_quotes and status is None and quote_status is not None:
                status, line, where = quote_status, fact.sources[index].line, \
                    f"its quote from `{fact.sources[index].source}`"
            if attributed is None and quote_party is not None and reported and not says_who:
                attributed = (index, quote_party)
    as_of = _as_of(fact, sources) if status is not None or fact.review_by is not None else None
    if status is not None and fact.review_by is None:
        when = f"as of {as_of.day} {as_of.strftime('%B %Y')}" if as_of else "with its sources' date"
        warn("undated-status", line,
             f"{where} says {status!r}, a state that can change, and the fact has no `review_by`: add "
             f"`review_by: YYYY-MM-DD` (when to check the sources again). It is shown {when}; "
             "past its review date it is flagged as possibly out of date.")

    if attributed is not None:
        quote = fact.sources[attributed[0]]
        warn("unattributed-claim", quote.line,
             f"its quote from `{quote.source}` gives this to a party ({attributed[1]!r}), but the statement "
             "reads as established fact: make it `kind: vendor-claim` or `kind: opinion` with "
             "`claimant:`, or say in the statement who says it.", quote.source)
    if figures is None:
        figures = figures_of(fact.statement)
    support = _support(fact, norm, quotes, figures, evidence or _evidence(fact, sources)) if several else ()
    return FactHonesty(status, as_of, support), problems
