"""The pytest plugin, run in an inner pytest (pytester) on small handbooks."""

from __future__ import annotations

import pytest
from tfcore import GOOD_FACTS, SEED_A, SEED_B, Handbook

BAD_FACT = """\
  - id: acme.prices
    statement: Acme prices range from 115 to 135 dollars.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: Prices range from 115 to 136 dollars
"""


@pytest.fixture
def book(pytester) -> Handbook:
    hb = Handbook(pytester.path)
    hb.seed("a.txt", SEED_A)
    hb.seed("b.txt", SEED_B)
    hb.sources()
    hb.facts(GOOD_FACTS + BAD_FACT)
    return hb


def test_one_item_per_fact_and_source_named_by_id(pytester, book):
    result = pytester.runpytest("--tracefacts", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines([
        "facts/sources.yaml::acme-report PASSED*",
        "facts/sources.yaml::beta-news PASSED*",
        "facts/x.yaml::acme.capacity PASSED*",
        "facts/x.yaml::beta.gadget PASSED*",
        "facts/x.yaml::acme.prices FAILED*",
    ])
    # the failure reads like `tracefacts check`: file:line, severity, code, and the message
    line = book.line("Prices range from 115 to 136")
    result.stdout.fnmatch_lines([
        "*_ tracefacts: acme.prices _*",
        f"facts/x.yaml:{line}: error quote-not-found (fact acme.prices source acme-report)",
        "*Nearest passage*",
    ])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_k_selects_facts_by_id(pytester, book):
    result = pytester.runpytest("--tracefacts", "-v", "-k", "acme and prices", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, deselected=4)
    result = pytester.runpytest("--tracefacts", "-v", "-k", "capacity", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, deselected=4)
    result.stdout.fnmatch_lines(["facts/x.yaml::acme.capacity PASSED*"])


def test_nothing_is_collected_without_the_option(pytester, book):
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "facts/x.yaml" not in result.stdout.str()
    assert "acme" not in result.stdout.str()


def test_ini_switch_turns_it_on(pytester, book):
    pytester.makeini("[pytest]\ntracefacts = true\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=1)


def test_a_fact_the_loader_dropped_still_fails_the_file(pytester, book):
    # A fact with a bad kind is not loaded, so it has no item of its own; its problem
    # must still fail something (it used to vanish and the run passed).
    book.facts(GOOD_FACTS + BAD_FACT.replace("kind: reported", "kind: rumour"))
    result = pytester.runpytest("--tracefacts", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, failed=1)
    line = book.line("kind: rumour")
    result.stdout.fnmatch_lines([
        "facts/x.yaml::file FAILED*",
        f"facts/x.yaml:{line}: error schema (fact acme.prices)",
    ])


def test_a_source_the_loader_dropped_still_fails(pytester, book):
    text = book.read("facts/sources.yaml").replace("    file: seeds/b.txt\n", "")
    book.sources(text)
    result = pytester.runpytest("--tracefacts", "-v", "-p", "no:cacheprovider")
    out = result.stdout.str()
    assert "facts/sources.yaml::file FAILED" in out
    assert "error schema (source beta-news)" in out


def test_warnings_pass_unless_strict_and_stale_judged_by_today(pytester, book):
    book.facts(GOOD_FACTS.replace("    topic: acme\n", "    topic: acme\n    review_by: 2026-03-01\n")
               .split("  - id: beta.gadget")[0])  # beta-news unused: a warning
    args = ("--tracefacts", "-p", "no:cacheprovider", "--tracefacts-today", "2026-05-01")
    pytester.runpytest(*args).assert_outcomes(passed=3)
    pytester.makeini("[pytest]\ntracefacts_strict = true\n")
    result = pytester.runpytest(*args, "-v")
    # strict: the unused source fails; the stale fact still passes (the calendar is not a defect)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["facts/sources.yaml::beta-news FAILED*"])


def test_usage_error_when_there_is_no_handbook(pytester):
    result = pytester.runpytest("--tracefacts", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no facts/sources.yaml found*"])


def test_root_option_points_at_a_handbook_elsewhere(pytester):
    hb = Handbook(pytester.path / "handbook")
    hb.seed("a.txt", SEED_A)
    hb.seed("b.txt", SEED_B)
    hb.sources()
    hb.facts(GOOD_FACTS)
    result = pytester.runpytest("--tracefacts", "--tracefacts-root", "handbook", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["handbook/facts/x.yaml::acme.capacity PASSED*"])
