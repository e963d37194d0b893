"""What a machine can see of a fact's honesty: its age, whose view it is, and how far each
source agrees.

- **Status** (`undated-status`): a statement or quote that describes a state that can
  change ("for now", "only", "still", "will", "not yet announced") is true as of its
  sources' date, not for ever. Such a fact needs ``review_by`` (when to check again), and it
  always shows its as-of date.
- **Attribution** (`unattributed-claim`): a ``reported`` fact whose quote, or the source
  sentence it is cut from, puts its content in someone's mouth ("Meta says", "according
  to", "claims", "hopes") while the statement reads as plain fact passes a party's view off
  as established.
- **Support per source**: a fact that cites several sources is corroborated only when two
  or more of them each carry, in their own quotes (and their own date, for a year or a
  month), every figure and every proper name of the statement. A source whose quotes carry
  less is partial support.

The rules are word lists, not understanding: they find the wording that makes a careful
reader ask, and a fact is fixed by answering (a review date, a claimant, a second fact).
Their known gaps are listed in the tests (`tests/core/test_honesty.py`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .figures import MONTHS, Evidence, figures_of
from .model import Fact, Problem, Source, day_label
from .normalize import normalize_text


def _phrases(*groups: str) -> tuple[str, ...]:
    return tuple(p.strip() for group in groups for p in group.split("|"))


_PARTICIPLES = ("announced", "published", "released", "disclosed", "named", "confirmed", "available",
                "open-sourced", "open sourced", "shipped", "launched", "decided", "finalised", "finalized")
# Wording that describes a state that can change. "will" as the modal, never "goodwill"
# (whole words only); "only" as a limit ("partners only", and "invite-only" below), but not
# in "not only", "if only", "only if", which limit nothing (`_not_a_limit`).
STATUS_PHRASES = _phrases(
    "for now|for the time being|for the moment|currently|at present|at the moment|as of now|so far|to date",
    "only|not yet|yet to|still|remain|remains|remained|remaining|no longer|limited to|pending|tba|tbd",
    "coming|upcoming|forthcoming|eventually|soon|set to|in beta|in preview|in private preview",
    "in the coming days|in the coming weeks|in the coming months|in the coming years",
    "no timeline|no date|no release date|no timetable",
    *(f"{neg} {w}|{neg} been {w}|{neg} yet {w}|{neg} yet been {w}"
      for neg in ("not", "isn't", "aren't", "wasn't", "hasn't", "haven't") for w in _PARTICIPLES),
    "unannounced|undisclosed|unnamed|unreleased|unpublished",
    "plan to|plans to|planned|planning to|intend to|intends to|expected|expect|expects",
    "will|won't|going to",
)
# Wording that gives a text's content to a party: "Meta says", "according to", "claims".
# Not "that said" (an aside) nor "said to be" (hearsay without a party: `_not_a_party`).
# "announced" and "confirmed" are left out: they report an event as often as a view.
ATTRIBUTION_PHRASES = _phrases(
    "say|says|said|claim|claims|claimed|claiming|hope|hopes|hoped|believe|believes|believed",
    "argue|argues|argued|insist|insists|insisted|contend|contends|assert|asserts|asserted|maintains that",
    "according to|described as|is described as|are described as|was described as|were described as",
    "describes it as|describe it as|calls it|called it|call it",
    "tout|touts|touted|promise|promises|promised|predict|predicts|predicted|reportedly|allegedly|hedging",
    "stated|states that|told|wrote|writes that",
    "in its view|in his view|in her view|in their view|in its words|in his words|in her words|in their words",
)
# A statement names whose words it gives with those, or with a reporting verb that a name
# or a source stands right before ("DevPik reports", "the feed item notes") or that "that"
# follows ("reports that"): `_SAYS_WHO`. "No problems have been reported" names no one.
_REPORTING = ("reports?|reported|writes|wrote|notes|noted|describes|described|calls|called|warns|warned"
              "|states|stated|tells|told|announces|announced|adds|added|lists|listed|names|named|asks|asked"
              "|reads|sees|counts|puts|frames|framed|relays|relayed|quotes|quoted|cites|cited")
_SAYS_WHO = re.compile(
    rf"(?:\b[A-Z][\w.-]*|\b(?:item|post|page|source|sources|company|blog|article|author|persona|feed|site))"
    rf"(?:'s)? (?:{_REPORTING})\b"
    rf"|\b(?:{_REPORTING}) that\b"
    r"|(?:'s|s') (?:view|claim|words|analysis|opinion|reading|account)\b")


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
    another length (a few letters expand) is searched as written, ignoring case. "only"
    is also found at the end of a hyphenated word ("invite-only", "US-only")."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        whole = rf"(?<![\w-]){_trie(phrases)}(?![\w-])|(?<=\w-)only(?![\w-])"
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
# One pass over a text finds its status wording and its attribution wording.
_WORDINGS = _Phrases(STATUS_PHRASES + ATTRIBUTION_PHRASES)


def _not_a_limit(text: str, match: re.Match[str]) -> bool:
    """"not only", "if only", "only if": an "only" that limits nothing."""
    before = text[max(0, match.start() - 4):match.start()].lower()
    return before.endswith(("not ", "if ")) or text[match.end():match.end() + 3].lower() == " if"


def _not_a_party(text: str, match: re.Match[str]) -> bool:
    """"that said" (an aside), "said to be" (hearsay without a party)."""
    return (text[max(0, match.start() - 5):match.start()].lower() == "that "
            or text[match.end():match.end() + 6].lower() == " to be")


def _scan(text: str, want_party: bool = True) -> tuple[str | None, str | None]:
    """The first status wording of ``text``, and its first attribution wording (each as
    written). A wording written capitalised in mid-sentence is a name ("The Will of the
    People", "Coming Soon"), not the word."""
    status = party = None
    searched, matches = _WORDINGS.find(text)
    for match in matches:
        at = match.start()
        word = text[at:match.end()]
        if word[0].isupper() and not word.isupper() and not _starts_sentence(text, at):
            continue  # Title Case in mid-sentence: a name; all capitals are the word, shouted
        lower = match.group().lower()
        if status is None and lower in _STATUS_WORDS and not (lower == "only" and _not_a_limit(searched, match)):
            status = word
        if party is None and lower in _ATTRIBUTION_WORDS and not (lower == "said" and _not_a_party(searched, match)):
            party = word
        if status is not None and (party is not None or not want_party):
            break
    return status, party


def status_wording(text: str) -> str | None:
    """The first wording of ``text`` that describes a state that can change, or None."""
    return _scan(normalize_text(text), want_party=False)[0]


def attribution_wording(text: str) -> str | None:
    """The first wording of ``text`` that gives its content to a party, or None."""
    return _scan(normalize_text(text))[1]


_WORD_AHEAD = re.compile(r"\w[\w'-]*")


def _first_words(text: str, count: int) -> str:
    """``text`` up to the end of its ``count``-th word (", for now. Next…" → ", for now")."""
    words = list(itertools.islice(_WORD_AHEAD.finditer(text), count))
    return text[:words[-1].end()] if words else ""


_SENTENCE_END = ".!?:"
_OPENERS = "\"'([“‘«"


def _starts_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` opens a sentence: only white space and opening quotes or
    brackets stand between it and the text's start or a sentence's end."""
    i = at - 1
    while i >= 0 and (text[i].isspace() or text[i] in _OPENERS):
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


# --- names ------------------------------------------------------------------------------

# A token: letters and digits, joined by "-" or "." ("GPT-4o", "GLM-5.1", "U.S").
_TOKEN = re.compile(r"[^\W_]+(?:[-.][^\W_]+)*")
_PIECE = re.compile(r"[^\W_]+")
_MONTH_WORDS = frozenset([m.lower() for m in MONTHS] + ["jan", "feb", "mar", "apr", "jun", "jul", "aug",
                                                         "sep", "sept", "oct", "nov", "dec"])
# Capitalised words that open a sentence without being a name ("The API", "Today Meta …").
_OPENING_WORDS = frozenset("""
a an the this that these those its it their our his her my your we they he she you i
for in on at by if when as but and or nor so yet with without from to of into onto over under
after before while since until unless once because although though however meanwhile
today yesterday tomorrow now then also still instead overall unlike despite like besides
beyond within across among amid against along around through throughout toward towards upon
above below near per via both each every all no not some many most much more several few other
another such same any either neither one two three four five first second third last next
why how what which who whom whose where there here only even just according following including
given based asked is are was were be been has have had do does did can could may might must
shall should will would let
""".split())


def _is_name_word(word: str) -> bool:
    return len(word) > 1 and word != word.lower() and word.lower() not in _MONTH_WORDS


def _named(norm: str) -> list[tuple[str, bool]]:
    """The proper names of a statement, each with whether it opens a sentence there."""
    names: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for m in _TOKEN.finditer(norm):
        token = m.group()
        if token == token.lower():
            continue  # no capital: no name in it ("open-weight", "2026")
        if "-" in token or "." in token:
            if any(c.isdigit() for c in token):
                candidates = [(token, m.start(), True)]  # "GPT-4o" is one name: "GPT-4" is another
            else:
                candidates = [(p.group(), m.start() + p.start(), False) for p in _PIECE.finditer(token)]
        else:
            candidates = [(token, m.start(), any(c.isdigit() for c in token))]
        for word, at, whole in candidates:
            if not (whole or _is_name_word(word)) or word in seen:
                continue
            initial = _starts_sentence(norm, at)
            if initial and word.lower() in _OPENING_WORDS:
                continue
            seen.add(word)
            names.append((word, initial))
    return names


def names_of(statement: str) -> list[str]:
    """The proper names of ``statement``: its capitalised words ("Muse", "Spark", "Meta",
    "API"), and a name with a digit as one ("GPT-4o"). Months are figures, not names; a
    one-letter word is not a name; a word that opens a sentence is one unless it is an
    ordinary opening word ("The", "For", "Today", "Unlike")."""
    return [name for name, _ in _named(normalize_text(statement))]


class _Said:
    """The words of one source's quotes, as a name is looked for in them: as written; in
    lower case where the quote writes them in capitals ("ROCKET ONE"); and in lower case
    altogether, for a name that is capitalised only because it opens the statement."""

    __slots__ = ("exact", "_lowered", "_shouted")

    def __init__(self, quotes: Sequence[str]) -> None:
        words: set[str] = set()
        for quote in quotes:
            for token in _TOKEN.findall(quote):
                words.add(token)
                if "-" in token or "." in token:
                    words.update(_PIECE.findall(token))
        self.exact = words
        self._lowered: set[str] | None = None  # made when a name is not found as written
        self._shouted: set[str] = set()

    def carries(self, name: str, initial: bool) -> bool:
        if name in self.exact:
            return True
        if self._lowered is None:
            self._lowered = {w.lower() for w in self.exact}
            self._shouted = {w.lower() for w in self.exact if w.isupper()}
        lower = name.lower()
        return lower in self._shouted or initial and lower in self._lowered


# --- the result ----------------------------------------------------------------------------


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


def as_of_label(day: dt.date | None, bound: bool) -> str:
    """"9 April 2026", "no later than 25 April 2026" (a source whose text is undated), or
    "an unknown date"."""
    if day is None:
        return "an unknown date"
    return f"no later than {day_label(day)}" if bound else day_label(day)


@dataclass(frozen=True)
class FactHonesty:
    """What the honesty rules found in one fact (the problems apart)."""

    status: str | None  # the first wording of a changeable state, as written, or None
    dated: bool  # shown with an as-of date: a statement of a changeable state, or one with review_by
    as_of: dt.date | None  # that date: its newest cited source's (None when no cited source has one)
    support: tuple[SourceSupport, ...]  # one per cited source, when it cites two or more
    as_of_bound: bool = False  # that source's text has no date of its own: the date is an upper bound

    @property
    def as_of_label(self) -> str:
        return as_of_label(self.as_of, self.as_of_bound)

    @property
    def corroborated(self) -> bool:
        """Two or more sources each carry the whole statement."""
        return sum(s.full for s in self.support) >= 2

    def partial(self, source_id: str) -> SourceSupport | None:
        """The support of ``source_id`` when it carries only part of the statement."""
        return next((s for s in self.support if s.source == source_id and not s.full), None)


def _support(fact: Fact, norm: str, quotes: Sequence[str], figures: list[str], evidence: Evidence,
             sources: Mapping[str, Source]) -> tuple[SourceSupport, ...]:
    if len(fact.source_ids) < 2:
        return ()  # one source: the figures rule already holds its quotes to the statement
    names = _named(norm)
    out = []
    for source_id in fact.source_ids:
        if source_id not in sources:
            out.append(SourceSupport(source_id, ("(an unregistered source)",)))
            continue
        said_figures = evidence.of_source(source_id) if figures else set()
        said = _Said([quotes[i] for i, q in enumerate(fact.sources) if q.source == source_id])
        missing = [f for f in figures if f not in said_figures] + \
            [name for name, initial in names if not said.carries(name, initial)]
        out.append(SourceSupport(source_id, tuple(missing)))
    return tuple(out)


def support_of(fact: Fact, sources: Mapping[str, Source]) -> tuple[SourceSupport, ...]:
    """Per cited source, what of the statement its own quotes do not carry; () for one source."""
    return _support(fact, normalize_text(fact.statement), [normalize_text(q.quote) for q in fact.sources],
                    figures_of(fact.statement), Evidence(fact, sources), sources)


def _newest(fact: Fact, sources: Mapping[str, Source]) -> Source | None:
    """The newest dated source the fact cites; of two on one day, one whose text is dated."""
    cited = [sources[s] for s in fact.source_ids if s in sources and sources[s].published is not None]
    return max(cited, key=lambda s: (s.published, not s.text_undated), default=None)


@dataclass(frozen=True)
class _Found:
    """A wording found for a quote: in its own words, or in the sentence it is cut from."""

    wording: str
    index: int  # of the quote in the fact's `sources`
    itself: bool

    def where(self, fact: Fact) -> str:
        source = fact.sources[self.index].source
        return f"its quote from `{source}`" if self.itself else \
            f"the sentence its quote from `{source}` stands in"


def _in_quotes(quotes: Sequence[str], around: Callable[[int], tuple[str, str]] | None,
               want_status: bool, want_party: bool) -> tuple[_Found | None, _Found | None]:
    """The first status wording and the first party wording of the quotes, each looked for in
    the quote's own words, then in the words of its sentence that the quote leaves out:
    "Meta says" or "For now," before it, "…, the company claims" after it — a status after it
    only in the next two words ("…, for now.", not the sentence's next clause)."""
    status = party = None
    for index, said in enumerate(quotes):
        need_status, need_party = want_status and status is None, want_party and party is None
        if not (need_status or need_party):
            break
        own_status, own_party = _scan(said, want_party=need_party)
        if need_status and own_status is not None:
            status, need_status = _Found(own_status, index, True), False
        if need_party and own_party is not None:
            party, need_party = _Found(own_party, index, True), False
        before, after = around(index) if around is not None and (need_status or need_party) else ("", "")
        if not (before or after):
            continue
        if need_status and (found := _scan(f"{before} {_first_words(after, 2)}", want_party=False)[0]):
            status = _Found(found, index, False)
        if need_party and (found := _scan(before)[1] or _scan(after)[1]):
            party = _Found(found, index, False)
    return status, party


def honesty_of(fact: Fact, sources: Mapping[str, Source], figures: list[str] | None = None,
               evidence: Evidence | None = None,
               around: Callable[[int], tuple[str, str]] | None = None) -> tuple[FactHonesty, list[Problem]]:
    """What the rules find in ``fact``, and its `undated-status` and `unattributed-claim` problems.
    Reads of ``sources`` only the entries the fact cites, and of those only ``published`` and
    ``text_undated``.
    ``figures`` (of the statement) and ``evidence``: when the caller has worked them out;
    ``around(i)``: for the ``i``-th quote, (the words of its source sentence before it, those
    after it), ("", "") when it was not found: where a status or a party it leaves out stands."""
    problems: list[Problem] = []

    def warn(code: str, line: int, message: str, source: str | None = None) -> None:
        problems.append(Problem(code, "warning", fact.origin, line, message, fact.id, source))

    norm = normalize_text(fact.statement)
    reported = fact.kind == "reported"
    status, party = _scan(norm, want_party=reported)
    line, where = fact.statement_line, "the statement"
    # A fact with an event date happened on that day; its quotes' "will" is the source's
    # future at the time, not a status the fact states. Its statement is still read.
    read_quotes = status is None and fact.date is None
    read_parties = reported and party is None and _SAYS_WHO.search(norm) is None
    several = len(fact.source_ids) > 1
    quotes = [normalize_text(q.quote) for q in fact.sources] if read_quotes or several or read_parties else []
    quote_status, attributed = _in_quotes(quotes, around, read_quotes, read_parties)
    if quote_status is not None:
        status, line, where = quote_status.wording, fact.sources[quote_status.index].line, \
            quote_status.where(fact)
    dated = status is not None or fact.review_by is not None
    newest = _newest(fact, sources) if dated else None
    as_of = newest.published if newest is not None else None
    bound = newest is not None and newest.text_undated
    if status is not None and fact.review_by is None and fact.review_by_line is None:
        when = (f"It is shown as of {as_of_label(as_of, bound)}" if as_of
                else "No cited source has a `published` date, so no as-of date can be shown")
        warn("undated-status", line,
             f"{where} says {status!r}, a state that can change, and the fact has no `review_by`: add "
             f"`review_by: YYYY-MM-DD` (when to check the sources again). {when}; "
             "past its review date it is flagged as possibly out of date.")

    if attributed is not None:
        quote = fact.sources[attributed.index]
        warn("unattributed-claim", quote.line,
             f"{attributed.where(fact)} gives this to a party ({attributed.wording!r}), but the statement "
             "reads as established fact: "
             "make it `kind: vendor-claim` or `kind: opinion` with `claimant:`, or say in the statement "
             "who says it.", quote.source)
    if figures is None:
        figures = figures_of(fact.statement)
    support = _support(fact, norm, quotes, figures, evidence or Evidence(fact, sources), sources) \
        if several else ()
    return FactHonesty(status, dated, as_of, support, bound), problems
