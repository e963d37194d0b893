"""The Figures rule on every field a reader sees, and what a source's date can support.

Sources of the fixture: acme-report (seeds/a.txt, published 2026-04-25) and beta-news
(seeds/b.txt, published 2026-04-09). Expected lines come from the YAML each test writes.
"""

from __future__ import annotations

import json

import pytest
from tfcore import SEED_A, Found, found

from tracefacts.cli import main
from tracefacts.figures import figures_of

X = "facts/x.yaml"
BETA = """\
  - id: beta.gadget
    statement: Beta says it has a new gadget.
    kind: vendor-claim
    claimant: Beta Corp
    topic: beta
    sources:
      - source: beta-news
        quote: Beta Corp announced a brand new gadget
"""


def acme(*, statement: str = "The Acme widget has 14.3 percent more capacity.", extra: str = "",
         quote: str = "ships in March with 14.3 percent more capacity", source: str = "acme-report") -> str:
    """One fact about Acme (``extra`` are more fields, each ending in a newline), and Beta's."""
    return ("facts:\n"
            "  - id: acme.capacity\n"
            f"    statement: {statement}\n"
            "    kind: reported\n"
            "    topic: acme\n"
            f"{extra}"
            "    sources:\n"
            f"      - source: {source}\n"
            f"        quote: {quote}\n" + BETA)


def figure_problems(result):
    assert [p.code for p in result.errors if p.code != "figure-not-in-quote"] == []
    return [p for p in result.problems if p.code == "figure-not-in-quote"]


# --- finding 2: value, claimant and date are checked like the statement ------------------


def test_a_value_with_a_figure_no_quote_gives_is_an_error_at_its_line(make_handbook):
    hb = make_handbook(acme(extra="    subject: widget\n    attribute: loss\n"
                                  "    value: Lost Acme 999 billion dollars\n"))
    problems = figure_problems(hb.check())
    assert found(problems) == [Found("figure-not-in-quote", X, hb.line("value: Lost Acme"))]
    message = problems[0].message
    assert "`value`" in message and "'999'" in message and "correct `value`" in message
    assert problems[0].severity == "error"


def test_a_value_whose_figures_stand_in_a_quote_passes(make_handbook):
    hb = make_handbook(acme(extra="    subject: widget\n    attribute: capacity\n"
                                  "    value: 14.3 percent more, from March\n"))
    assert hb.check().problems == ()


def test_a_claimant_with_a_figure_no_quote_gives_is_an_error_at_its_line(make_handbook):
    hb = make_handbook(acme(statement="Acme says the widget has 14.3 percent more capacity.",
                            extra="    claimant: Acme, which lost 999 billion dollars\n")
                       .replace("kind: reported\n    topic: acme", "kind: vendor-claim\n    topic: acme", 1))
    problems = figure_problems(hb.check())
    assert found(problems) == [Found("figure-not-in-quote", X, hb.line("claimant: Acme, which"))]
    assert "`claimant`" in problems[0].message and "'999'" in problems[0].message


@pytest.mark.parametrize("date", ["2031-12-25", "2031-12"])
def test_an_event_date_no_quote_or_source_date_gives_is_an_error_at_its_line(make_handbook, date):
    hb = make_handbook(acme(extra=f"    date: {date}\n"))
    problems = figure_problems(hb.check())
    assert found(problems) == [Found("figure-not-in-quote", X, hb.line(f"date: {date}"))]
    message = problems[0].message
    assert "`date`" in message and "'2031'" in message and "correct `date`" in message
    assert ("'25 December'" if date == "2031-12-25" else "'December'") in message


@pytest.mark.parametrize(("date", "missing"), [
    ("2026-04-25", []),           # the cited source's published date itself
    ("2026-04", []),              # its month and year
    ("2026-03", []),              # March in the quote, 2026 in the source's date
    ("2026-03-14", ["14 March"]),  # `14.3` next to March is no day: the day stands nowhere
    ("2026-04-24", ["24 April"]),  # the day before the source's date: a different day
    ("2025-03", ["2025"]),
])
def test_an_event_date_needs_its_year_month_and_day(make_handbook, date, missing):
    hb = make_handbook(acme(extra=f"    date: {date}\n"))
    problems = figure_problems(hb.check())
    if not missing:
        assert problems == []
        return
    assert found(problems) == [Found("figure-not-in-quote", X, hb.line(f"date: {date}"))]
    said = problems[0].message.split(", which")[0]
    assert [m for m in missing if repr(m) not in said] == []


def test_a_day_named_with_its_month_in_a_quote_supports_an_event_date(make_handbook):
    seed = SEED_A + "Acme reported on 14 March 2031 that the widget was delayed by a month.\n"
    hb = make_handbook(acme(statement="Acme reported that the widget was delayed.", extra="    date: 2031-03-14\n",
                            quote="Acme reported on 14 March 2031 that the widget was delayed"),
                       seed_a=seed)
    assert figure_problems(hb.check()) == []


def test_check_strict_fails_on_a_value_claimant_and_date_without_evidence(make_handbook, capsys):
    facts = acme(extra="    date: 2031-12-25\n    subject: widget\n    attribute: loss\n"
                       "    value: Lost Acme 999 billion dollars\n")
    hb = make_handbook(facts)
    assert main(["check", "--strict", "--root", str(hb.root), "--format", "json", "--today", "2026-05-01"]) == 1
    report = json.loads(capsys.readouterr().out)
    shown = sorted((p["code"], p["line"]) for p in report["problems"])
    assert shown == [("figure-not-in-quote", hb.line("date: 2031-12-25")),
                     ("figure-not-in-quote", hb.line("value: Lost Acme"))]


# --- finding 7: a source's date supports a year, a month, a day with its month -------------


@pytest.mark.parametrize(("statement", "missing"), [
    # beta-news was published 2026-04-09: 9 and 4 are its day and month numbers, not counts
    ("Acme fired 4 CEOs and lost 9 billion dollars in 2026.", ["4", "9"]),
    ("Acme hired 04 people.", ["04"]),
    ("Beta announced it on 9 April 2026.", []),
    ("Beta announced it on April 9th, 2026.", []),
    ("Beta announced it on the 9th of Apr. 2026.", []),
    ("Beta announced it in April 2026.", []),
    ("Beta announced it on 2026-04-09.", []),
    ("Beta announced it on 9 March 2026.", ["9 March"]),
    ("Beta announced it on 10 April.", ["10 April"]),
])
def test_a_source_date_supports_no_bare_number(make_handbook, statement, missing):
    facts = acme(statement=statement, quote="Beta Corp announced a brand new gadget", source="beta-news")
    hb = make_handbook(facts)
    problems = figure_problems(hb.check())
    if not missing:
        assert problems == []
        return
    assert found(problems) == [Found("figure-not-in-quote", X, hb.line(f"statement: {statement}"))]
    said = problems[0].message.split(", which")[0]
    for figure in missing:
        assert repr(figure) in said
    assert "'2026'" not in said  # the year is the date's


# --- finding 12: month names in any spelling ---------------------------------------------


@pytest.mark.parametrize(("statement", "missing"), [
    ("It ships in december.", ["December"]),
    ("It ships in Dec.", ["December"]),
    ("It ships in Sept.", ["September"]),
    ("It ships in Sep 2026.", ["September"]),
    ("It ships on Jan. 5.", ["5 January"]),
    ("It ships in jan 2027.", ["January", "2027"]),
    ("It ships in Mar.", []),      # the quote says March
    ("It ships in Mar. 2026.", []),
    ("It SHIPS IN MARCH.", []),
    ("Acme may ship it in a month.", []),  # `may` the verb: no figure
])
def test_month_abbreviations_and_lowercase_are_figures(make_handbook, statement, missing):
    hb = make_handbook(acme(statement=statement))
    problems = figure_problems(hb.check())
    if not missing:
        assert problems == []
        return
    assert found(problems) == [Found("figure-not-in-quote", X, hb.line(f"statement: {statement}"))]
    said = problems[0].message.split(", which")[0]
    assert [m for m in missing if repr(m) not in said] == []


def test_a_quote_with_an_abbreviated_month_supports_the_full_name(make_handbook):
    seed = SEED_A + "Shipping starts Sept. 5 in Europe, the company added later that week.\n"
    hb = make_handbook(acme(statement="Shipping starts on 5 September in Europe.",
                            quote="Shipping starts Sept. 5 in Europe"), seed_a=seed)
    assert figure_problems(hb.check()) == []


@pytest.mark.parametrize(("text", "figures"), [
    ("4 March 2026", ["4 March", "2026"]),
    ("March 4, 2026", ["4 March", "2026"]),
    ("the 4th of Mar. 2026", ["4 March", "2026"]),
    ("March 2026", ["March", "2026"]),
    ("14.3 percent in March", ["14.3", "March"]),
    ("Sept. and sep. and DECEMBER", ["September", "December"]),
    ("you may march on; Jan said so; a 5% APR", ["5"]),
    ("May 2026, APR 2026, jan 2027", ["May", "2026", "April", "January", "2027"]),
    ("the Mayor decided to augment", []),
    ("Llama 5 may never ship; troops march 3 miles", ["5", "3"]),  # the handbook's own heading
])
def test_figures_of_reads_months_and_days(text, figures):
    assert figures_of(text) == figures


SPELLINGS = {"January": ["january", "jan"], "February": ["february", "feb"], "March": ["march", "mar"],
             "April": ["april", "apr"], "May": ["may"], "June": ["june", "jun"], "July": ["july", "jul"],
             "August": ["august", "aug"], "September": ["september", "sept", "sep"],
             "October": ["october", "oct"], "November": ["november", "nov"], "December": ["december", "dec"]}


@pytest.mark.parametrize(("month", "spelling"), [(m, s) for m, spellings in SPELLINGS.items() for s in spellings])
def test_every_spelling_of_every_month_is_read_beside_a_day(month, spelling):
    for written in {spelling.capitalize(), spelling.upper(), spelling.capitalize() + ".", spelling}:
        if written in ("may", "march"):  # lower case: the verbs, never a month
            assert figures_of(f"on 5 {written} 2026") == ["5", "2026"]
            continue
        assert figures_of(f"on 5 {written} 2026") == [f"5 {month}", "2026"], written
        assert figures_of(f"on {written} 5, 2026") == [f"5 {month}", "2026"], written
