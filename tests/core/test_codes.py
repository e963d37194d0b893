"""One test per problem code of DESIGN.md: the code, and the line of the offending node."""

from __future__ import annotations

import datetime as dt

import pytest
from tfcore import GOOD_FACTS, SEED_A, Found, found

# The two facts of the good handbook, split so a test can break the first and keep the second.
FACT_HEAD, _, _beta = GOOD_FACTS.partition("  - id: beta.gadget\n")
BETA = "  - id: beta.gadget\n" + _beta  # cites beta-news, so that source is used


def errors_and_warnings(result):
    return found(result.problems)


def test_the_fixture_handbook_is_clean(handbook):
    result = handbook.check()
    assert result.problems == ()
    assert sorted(result.base.facts) == ["acme.capacity", "beta.gadget"]
    assert sorted(result.base.sources) == ["acme-report", "beta-news"]


# --- yaml-syntax -------------------------------------------------------------------


def test_yaml_syntax_at_the_broken_line(make_handbook):
    hb = make_handbook(FACT_HEAD + BETA.replace("topic: beta", "topic: beta: oops"))
    result = hb.check()
    assert found(result.errors) == [Found("yaml-syntax", "facts/x.yaml", hb.line("beta: oops"))]
    # The broken file yields no facts; the other file still loads.
    assert result.base.facts == {}
    assert result.base.sources


def test_yaml_syntax_in_sources_yaml(make_handbook):
    hb = make_handbook()
    text = hb.read("facts/sources.yaml").replace('publisher: Beta', 'publisher: "Beta')
    hb.sources(text)
    result = hb.check()
    codes = {p.code for p in result.errors}
    assert "yaml-syntax" in codes
    syntax = [p for p in result.errors if p.code == "yaml-syntax"]
    assert syntax[0].file == "facts/sources.yaml"
    # An unclosed quoted string is noticed at or after the line where it opens.
    assert syntax[0].line >= hb.line('publisher: "Beta', "facts/sources.yaml")
    # Without sources, every cited source id is unknown: still reported, not a crash.
    assert "unknown-source" in codes


# --- schema ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "needle", "words"),
    [
        # missing required key: reported at the fact's first line
        (("    topic: acme\n", ""), "- id: acme.capacity", ["has no `topic`"]),
        # unknown key, with a did-you-mean
        (("        quote: ships", "        qoute: ships"), "qoute:", ["unknown key `qoute`", "did you mean `quote`"]),
        # wrong type
        (("    statement: The Acme widget has 14.3 percent more capacity.",
          "    statement: [The, Acme]"), "statement: [The", ["must be text, not a list"]),
        (("    topic: acme\n", "    topic: acme\n    tags: pricing\n"), "tags: pricing", ["must be a list"]),
        # bad id
        (("id: acme.capacity", "id: Acme_Capacity"), "Acme_Capacity", ["not a slug"]),
        # bad date
        (("    topic: acme\n", "    topic: acme\n    date: 2026-13-45\n"), "date: 2026-13-45",
         ["not a real date"]),
        (("    topic: acme\n", "    topic: acme\n    review_by: next year\n"), "review_by: next year",
         ["YYYY-MM-DD"]),
        # bad kind
        (("kind: reported", "kind: rumour"), "kind: rumour", ["`kind` 'rumour'", "must be one of"]),
        # missing claimant for vendor-claim and opinion
        (("kind: reported", "kind: vendor-claim"), "kind: vendor-claim", ["claimant"]),
        (("kind: reported", "kind: opinion"), "kind: opinion", ["claimant"]),
    ],
    ids=["missing-key", "unknown-key", "wrong-type", "tags-not-list", "bad-id", "bad-date",
         "date-not-iso", "bad-kind", "vendor-claim-no-claimant", "opinion-no-claimant"],
)
def test_schema(make_handbook, edit, needle, words):
    old, new = edit
    assert old in FACT_HEAD
    hb = make_handbook(FACT_HEAD.replace(old, new, 1) + BETA)
    result = hb.check()
    at_line = [p for p in result.errors if p.code == "schema" and p.line == hb.line(needle)]
    assert len(at_line) == 1, [str(p) for p in result.problems]
    assert at_line[0].file == "facts/x.yaml"
    for word in words:
        assert word in at_line[0].message
    # nothing but schema errors (the unknown key also leaves the quote without `quote`)
    assert {p.code for p in result.errors} == {"schema"}


def test_unknown_key_also_reports_the_missing_quote(make_handbook):
    hb = make_handbook(FACT_HEAD.replace("        quote: ships", "        qoute: ships") + BETA)
    result = hb.check()
    assert found(result.errors) == [
        Found("schema", "facts/x.yaml", hb.line("- source: acme-report")),  # no `quote`
        Found("schema", "facts/x.yaml", hb.line("qoute:")),  # unknown key
    ]


def test_schema_in_sources_yaml(make_handbook):
    hb = make_handbook()
    text = hb.read("facts/sources.yaml")
    text = text.replace("publisher: Beta\n", "publisher: Beta\n    edition: 2\n")
    text = text.replace("id: acme-report", "id: Acme Report")
    text = text.replace("published: 2026-04-09", "published: 2026-02-30")
    hb.sources(text)
    result = hb.check()
    src = "facts/sources.yaml"
    assert Found("schema", src, hb.line("edition: 2", src)) in found(result.errors)
    assert Found("schema", src, hb.line("id: Acme Report", src)) in found(result.errors)
    assert Found("schema", src, hb.line("published: 2026-02-30", src)) in found(result.errors)
    assert {p.code for p in result.errors} == {"schema", "unknown-source"}


# --- duplicate-key, duplicate-id -----------------------------------------------------


def test_duplicate_key_at_the_second_key(make_handbook):
    facts = FACT_HEAD.replace("    kind: reported\n", "    kind: reported\n    statement: Said again.\n")
    hb = make_handbook(facts + BETA)
    result = hb.check()
    assert found(result.errors) == [Found("duplicate-key", "facts/x.yaml", hb.line("Said again."))]
    # the first one is kept, not (as PyYAML would) the last
    assert result.base.facts["acme.capacity"].statement.startswith("The Acme widget")


def test_duplicate_fact_id_in_one_file_and_across_files(make_handbook):
    hb = make_handbook(FACT_HEAD + BETA + FACT_HEAD.split("facts:\n", 1)[1])
    hb.facts(FACT_HEAD, name="y.yaml")
    result = hb.check()
    assert found(result.errors) == [
        Found("duplicate-id", "facts/x.yaml", hb.line("- id: acme.capacity", nth=2)),
        Found("duplicate-id", "facts/y.yaml", hb.line("- id: acme.capacity", "facts/y.yaml")),
    ]
    message = next(p.message for p in result.errors if p.file == "facts/y.yaml")
    assert "facts/x.yaml line 2" in message


def test_a_reused_id_is_reported_even_when_one_entry_has_schema_errors(make_handbook):
    """One run reports every problem: fixing the missing `kind` must not reveal a duplicate later."""
    broken = FACT_HEAD.split("facts:\n", 1)[1].replace("    kind: reported\n", "")
    hb = make_handbook(FACT_HEAD + BETA + broken)
    result = hb.check()
    second = hb.line("- id: acme.capacity", nth=2)
    assert Found("duplicate-id", "facts/x.yaml", second) in found(result.errors)
    assert Found("schema", "facts/x.yaml", second) in found(result.errors)
    # the well-formed first entry still loads
    assert result.base.facts["acme.capacity"].kind == "reported"


def test_an_id_taken_by_a_malformed_entry_is_still_taken(make_handbook):
    broken = FACT_HEAD.replace("    kind: reported\n", "")
    hb = make_handbook(broken + BETA + FACT_HEAD.split("facts:\n", 1)[1])
    result = hb.check()
    assert Found("duplicate-id", "facts/x.yaml", hb.line("- id: acme.capacity", nth=2)) in found(result.errors)
    assert "acme.capacity" not in result.base.facts


def test_duplicate_source_id(make_handbook):
    hb = make_handbook()
    text = hb.read("facts/sources.yaml").replace("id: beta-news", "id: acme-report")
    hb.sources(text)
    result = hb.check()
    src = "facts/sources.yaml"
    assert Found("duplicate-id", src, hb.line("- id: acme-report", src, nth=2)) in found(result.errors)
    assert [p.code for p in result.errors if p.file == src] == ["duplicate-id"]


# --- no-source, unknown-source -------------------------------------------------------


def test_no_source_when_the_key_is_missing(make_handbook):
    facts = FACT_HEAD.split("    sources:\n")[0].replace("14.3 percent more", "more")
    hb = make_handbook(facts + BETA)
    result = hb.check()
    assert found(result.errors) == [Found("no-source", "facts/x.yaml", hb.line("- id: acme.capacity"))]


def test_no_source_when_the_list_is_empty(make_handbook):
    facts = FACT_HEAD.split("    sources:\n")[0].replace("14.3 percent more", "more") + "    sources: []\n"
    hb = make_handbook(facts + BETA)
    result = hb.check()
    assert found(result.errors) == [Found("no-source", "facts/x.yaml", hb.line("sources: []"))]


def test_unknown_source_with_a_suggestion(make_handbook):
    hb = make_handbook(FACT_HEAD.replace("source: acme-report", "source: acme-reprot") + BETA)
    result = hb.check()
    assert Found("unknown-source", "facts/x.yaml", hb.line("acme-reprot")) in found(result.errors)
    problem = next(p for p in result.errors if p.code == "unknown-source")
    assert "did you mean `acme-report`" in problem.message
    assert problem.fact == "acme.capacity" and problem.source == "acme-reprot"


# --- sources ------------------------------------------------------------------------


def test_source_missing(make_handbook):
    hb = make_handbook()
    hb.sources(hb.read("facts/sources.yaml").replace("seeds/b.txt", "seeds/gone.txt"))
    result = hb.check()
    src = "facts/sources.yaml"
    assert found(result.errors) == [Found("source-missing", src, hb.line("seeds/gone.txt", src))]


@pytest.mark.parametrize("path", ["../b.txt", "seeds/../facts/x.yaml", "/etc/hostname", "facts/x.yaml"])
def test_source_outside_root(make_handbook, path):
    hb = make_handbook()
    (hb.root / "b.txt").write_text("Beta Corp announced a brand new gadget\n")
    hb.sources(hb.read("facts/sources.yaml").replace("seeds/b.txt", path))
    result = hb.check()
    src = "facts/sources.yaml"
    assert found(result.errors) == [Found("source-outside-root", src, hb.line(f"file: {path}", src))]


def test_source_not_utf8(make_handbook):
    latin1 = "Beta Corp announced a brand new gadget.\nCaf\xe9 au lait.\n".encode("latin-1")
    hb = make_handbook(seed_b=latin1)
    result = hb.check()
    src = "facts/sources.yaml"
    assert found(result.errors) == [Found("source-not-utf8", src, hb.line("seeds/b.txt", src))]
    assert "line 2" in result.errors[0].message  # where in the source the bad byte is


def test_source_unpinned(make_handbook):
    hb = make_handbook()
    text = hb.read("facts/sources.yaml")
    lines = [line for line in text.splitlines(keepends=True) if hb.sha("b.txt") not in line]
    hb.sources("".join(lines))
    result = hb.check()
    src = "facts/sources.yaml"
    assert found(result.errors) == [Found("source-unpinned", src, hb.line("- id: beta-news", src))]


def test_source_hash_mismatch_names_broken_and_intact_facts(make_handbook):
    facts = FACT_HEAD + """\
  - id: acme.prices
    statement: Acme says its prices range from 115 to 135 dollars.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: Prices range from 115 to 135 dollars per unit
""" + BETA
    hb = make_handbook(facts)
    assert hb.check().problems == ()
    hb.seed("a.txt", SEED_A.replace("115 to 135", "125 to 145"))
    result = hb.check()
    src = "facts/sources.yaml"
    sha_line = hb.line("sha256:", src)  # the first source's sha256 line
    assert found(result.errors) == sorted([
        Found("quote-not-found", "facts/x.yaml", hb.line("quote: Prices range")),
        Found("source-hash-mismatch", src, sha_line),
    ])
    message = next(p.message for p in result.errors if p.code == "source-hash-mismatch")
    broken, _, still = message.partition("still match")
    assert "acme.prices" in broken and "acme.capacity" not in broken
    assert "acme.capacity" in still and "acme.prices" not in still


# --- quotes ------------------------------------------------------------------------


def test_quote_not_found_names_the_source_that_has_it(make_handbook):
    hb = make_handbook(FACT_HEAD + BETA.replace("source: beta-news", "source: acme-report"))
    result = hb.check()
    assert found(result.errors) == [Found("quote-not-found", "facts/x.yaml",
                                          hb.line("quote: Beta Corp announced"))]
    message = result.errors[0].message
    assert "`beta-news` (line 3)" in message  # SEED_B line 3 holds the sentence


def test_quote_not_found_shows_the_nearest_passage(make_handbook):
    hb = make_handbook(FACT_HEAD.replace("14.3", "14.8") + BETA)  # statement and quote
    result = hb.check()
    assert found(result.errors) == [Found("quote-not-found", "facts/x.yaml", hb.line("quote: ships"))]
    message = result.errors[0].message
    assert "line 3" in message  # the line of SEED_A with the passage
    source_line = next(line for line in message.splitlines() if line.strip().startswith("source:"))
    quote_line = next(line for line in message.splitlines() if line.strip().startswith("quote:"))
    assert "14.[3]" in source_line and "14.[8]" in quote_line
    # Only the differing character is marked.
    assert source_line.count("[") == 1 and quote_line.count("[") == 1


def test_quote_not_found_with_nothing_close(make_handbook):
    hb = make_handbook(FACT_HEAD.replace("ships in March with 14.3 percent more capacity",
                                         "zebras quietly graze") + BETA)
    result = hb.check()
    assert found(result.errors, ["quote-not-found"]) == [
        Found("quote-not-found", "facts/x.yaml", hb.line("zebras quietly graze"))]
    message = next(p.message for p in result.errors if p.code == "quote-not-found")
    assert "nothing in it comes close" in message and "tracefacts find" in message


def test_quote_too_short(make_handbook):
    hb = make_handbook(FACT_HEAD.replace("ships in March with 14.3 percent more capacity", "14.3 percent")
                       + BETA)
    result = hb.check()
    assert found(result.errors) == [Found("quote-too-short", "facts/x.yaml", hb.line("quote: 14.3 percent"))]


AMBIGUOUS = BETA.replace("  - id: beta.gadget", "  - id: acme.pricey").replace(
    "Beta says it has a new gadget.", "Critics say the widget is too expensive.").replace(
    "kind: vendor-claim\n    claimant: Beta Corp", "kind: reported").replace(
    "topic: beta", "topic: acme").replace("source: beta-news", "source: acme-report").replace(
    "quote: Beta Corp announced a brand new gadget", "quote: the widget is too expensive for small teams")


def test_quote_ambiguous_is_a_warning_at_the_quote(make_handbook):
    hb = make_handbook(FACT_HEAD + BETA + AMBIGUOUS)
    result = hb.check()
    assert result.errors == ()
    assert found(result.warnings) == [Found("quote-ambiguous", "facts/x.yaml", hb.line("too expensive for"))]
    assert "lines 6" in result.warnings[0].message  # both occurrences stand on line 6 of SEED_A


@pytest.mark.parametrize(("key", "value", "second"), [
    ("prefix", "One analyst wrote that", True),
    ("prefix", "Critics say", False),
    ("suffix", "in its first year", True),
    ("suffix", ". One analyst", False),
])
def test_prefix_or_suffix_picks_one_occurrence(make_handbook, key, value, second):
    facts = FACT_HEAD + BETA + AMBIGUOUS + f"        {key}: {value}\n"
    hb = make_handbook(facts)
    result = hb.check()
    assert result.problems == ()
    anchor = result.anchors[("acme.pricey", 0)]
    text = result.texts["acme-report"].text
    first = text.index("the widget is too expensive")
    expected = text.index("widget is too expensive", first + 10) - 4 if second else first
    assert anchor.start == expected
    assert text[anchor.start:anchor.end] == "the widget is too expensive for small teams"


def test_prefix_that_matches_no_occurrence(make_handbook):
    hb = make_handbook(FACT_HEAD + BETA + AMBIGUOUS + "        prefix: Nobody said\n")
    result = hb.check()
    assert found(result.errors) == [Found("quote-not-found", "facts/x.yaml", hb.line("too expensive for"))]
    assert "prefix/suffix" in result.errors[0].message


# --- figure-not-in-quote -------------------------------------------------------------


def figure_fact(statement: str, quote: str) -> str:
    return FACT_HEAD.replace("The Acme widget has 14.3 percent more capacity.", statement).replace(
        "ships in March with 14.3 percent more capacity", quote) + BETA


@pytest.mark.parametrize(("statement", "quote", "missing"), [
    ("Capacity grew 14.8 percent.", "ships in March with 14.3 percent more capacity", ["14.8"]),
    ("Capacity grew 14 percent.", "ships in March with 14.3 percent more capacity", ["14"]),
    ("Capacity grew 3 percent.", "ships in March with 14.3 percent more capacity", ["3"]),
    ("Units cost 115-135 dollars.", "Prices range from 115 to 135 dollars", []),
    ("Units cost 115-136 dollars.", "Prices range from 115 to 135 dollars", ["136"]),
    ("Units cost 105-135 dollars.", "Prices range from 115 to 135 dollars", ["105"]),
    ("It ships in March.", "ships in March with 14.3 percent more capacity", []),
    ("It ships in June.", "ships in March with 14.3 percent more capacity", ["June"]),
    # the cited source's `published` date counts as evidence (2026-04-25)
    ("In April 2026 Acme said it ships in March.", "ships in March with 14.3 percent more capacity", []),
    ("In May 2026 Acme said so.", "ships in March with 14.3 percent more capacity", ["May"]),
    ("In April 2025 Acme said so.", "ships in March with 14.3 percent more capacity", ["2025"]),
])
def test_figure_not_in_quote(make_handbook, statement, quote, missing):
    hb = make_handbook(figure_fact(statement, quote))
    result = hb.check()
    figures = [p for p in result.errors if p.code == "figure-not-in-quote"]
    assert [p.code for p in result.errors if p.code != "figure-not-in-quote"] == []
    if not missing:
        assert figures == []
        return
    assert found(figures) == [Found("figure-not-in-quote", "facts/x.yaml", hb.line(f"statement: {statement}"))]
    said = figures[0].message.split(", which")[0]
    for figure in missing:
        assert repr(figure) in said
    # the figures that are supported are not blamed
    for ok in ("'115'", "'135'", "'March'", "'2026'"):
        if ok.strip("'") in statement and ok.strip("'") not in missing:
            assert ok not in said


def test_figure_from_another_source_of_the_same_fact_counts(make_handbook):
    facts = FACT_HEAD.replace("The Acme widget has 14.3 percent more capacity.",
                              "Acme ships in March; Beta announced on 9 April.") + \
        "      - source: beta-news\n        quote: announced a brand new gadget\n" + BETA
    hb = make_handbook(facts)
    result = hb.check()
    assert result.errors == ()


# --- stale, unused-source -------------------------------------------------------------


def test_stale_after_review_by(make_handbook):
    facts = FACT_HEAD.replace("    topic: acme\n", "    topic: acme\n    review_by: 2026-06-01\n") + BETA
    hb = make_handbook(facts)
    assert hb.check(today=dt.date(2026, 6, 1)).problems == ()  # on the day itself: not yet
    result = hb.check(today=dt.date(2026, 6, 2))
    assert result.errors == ()
    assert found(result.warnings) == [Found("stale", "facts/x.yaml", hb.line("review_by: 2026-06-01"))]
    assert "2026-06-02" in result.warnings[0].message


def test_unused_source(make_handbook):
    hb = make_handbook(FACT_HEAD)
    result = hb.check()
    src = "facts/sources.yaml"
    assert result.errors == ()
    assert found(result.warnings) == [Found("unused-source", src, hb.line("- id: beta-news", src))]


# --- everything at once --------------------------------------------------------------


def test_one_run_reports_every_problem(make_handbook):
    facts = """\
facts:
  - id: acme.capacity
    statement: The Acme widget has 14.8 percent more capacity.
    kind: reported
    topic: acme
    review_by: 2026-01-01
    sources:
      - source: acme-report
        quote: ships in March with 14.8 percent more capacity
  - id: Bad_Id
    statement: An id that is not a slug.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: the company said
  - id: acme.short
    statement: Too short.
    kind: reported
    kind: opinion
    topic: acme
    sources:
      - source: acme-report
        quote: Acme widget
  - id: acme.nowhere
    statement: Cites nothing.
    kind: reported
    topic: acme
  - id: acme.typo
    statement: Cites a missing source.
    kind: reported
    topic: acme
    sources:
      - source: acme-reprot
        quote: The Acme widget ships
  - id: acme.rumour
    statement: Has a bad kind and a typo.
    kind: rumour
    topic: acme
    sources:
      - source: acme-report
        qoute: The Acme widget ships
  - id: acme.capacity
    statement: Again.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: The Acme widget ships
  - id: acme.pricey
    statement: Critics say the widget is too expensive in 2031.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: the widget is too expensive for small teams
"""
    hb = make_handbook(facts)
    result = hb.check()
    x, src = "facts/x.yaml", "facts/sources.yaml"
    expected = sorted([
        Found("quote-not-found", x, hb.line("quote: ships in March with 14.8")),
        Found("stale", x, hb.line("review_by: 2026-01-01")),
        Found("schema", x, hb.line("id: Bad_Id")),
        Found("duplicate-key", x, hb.line("kind: opinion")),
        Found("quote-too-short", x, hb.line("quote: Acme widget")),
        Found("no-source", x, hb.line("- id: acme.nowhere")),
        Found("schema", x, hb.line("kind: rumour")),
        Found("unknown-source", x, hb.line("acme-reprot")),
        Found("schema", x, hb.line("- source: acme-report", nth=4)),  # no `quote`
        Found("schema", x, hb.line("qoute:")),
        Found("duplicate-id", x, hb.line("- id: acme.capacity", nth=2)),
        Found("quote-ambiguous", x, hb.line("quote: the widget is too expensive")),
        Found("figure-not-in-quote", x, hb.line("in 2031")),
        Found("unused-source", src, hb.line("- id: beta-news", src)),
    ])
    assert found(result.problems) == expected
    assert len({p.code for p in result.problems}) == 11


def test_problems_carry_fact_and_source(make_handbook):
    hb = make_handbook(GOOD_FACTS.replace("with 14.3 percent", "with 14.8 percent"))
    problem = next(p for p in hb.check().problems if p.code == "quote-not-found")
    assert (problem.fact, problem.source, problem.severity) == ("acme.capacity", "acme-report", "error")
