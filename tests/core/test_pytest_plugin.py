"""The pytest plugin, run in an inner pytest (pytester) on small handbooks.

Every assertion reads what pytest itself prints (or writes: a JUnit file), the way a user
sees it; expected node ids, counts and lines come from the handbook the test wrote.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from tfcore import GOOD_FACTS, SEED_A, SEED_B, Handbook

import tracefacts.pytest_plugin as plugin

BAD_FACT = """\
  - id: acme.prices
    statement: Acme says its prices range from 115 to 135 dollars.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: Prices range from 115 to 136 dollars
"""
# The fixture's items, in file order: two sources, then the facts of x.yaml (the last fails).
NODE_IDS = [
    "facts/sources.yaml::acme-report",
    "facts/sources.yaml::beta-news",
    "facts/x.yaml::acme.capacity",
    "facts/x.yaml::beta.gadget",
    "facts/x.yaml::acme.prices",
]
PLAIN_TEST = "def test_plain():\n    pass\n"


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", *args)


@pytest.fixture
def book(pytester) -> Handbook:
    hb = Handbook(pytester.path)
    hb.seed("a.txt", SEED_A)
    hb.seed("b.txt", SEED_B)
    hb.sources()
    hb.facts(GOOD_FACTS + BAD_FACT)
    return hb


def test_one_item_per_fact_and_source_named_by_id(pytester, book):
    result = run(pytester, "--tracefacts", "-v")
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


# -- selection, the way pytest selects files and tests --------------------------------------

def test_every_printed_node_id_selects_its_item(pytester, book):
    listed = run(pytester, "--tracefacts", "--collect-only", "-q")
    assert [line for line in listed.stdout.lines if "::" in line] == NODE_IDS
    for node_id in NODE_IDS:
        result = run(pytester, "--tracefacts", "-v", node_id)
        outcome = "FAILED" if node_id.endswith("acme.prices") else "PASSED"
        result.stdout.fnmatch_lines(["*collected 1 item", f"{node_id} {outcome}*"])
        assert sum(result.parseoutcomes().get(k, 0) for k in ("passed", "failed")) == 1, node_id


@pytest.mark.parametrize(("path", "outcomes"), [
    ("facts", {"passed": 4, "failed": 1}),
    ("facts/x.yaml", {"passed": 2, "failed": 1}),
    ("facts/sources.yaml", {"passed": 2}),
])
def test_a_path_selects_the_items_of_the_files_under_it(pytester, book, path, outcomes):
    result = run(pytester, "--tracefacts", "-v", path)
    result.assert_outcomes(**outcomes)
    shown = [node for node in NODE_IDS if node in result.stdout.str()]
    assert shown == [node for node in NODE_IDS if node.startswith(path)]


def test_k_selects_facts_by_id(pytester, book):
    result = run(pytester, "--tracefacts", "-v", "-k", "acme and prices")
    result.assert_outcomes(failed=1, deselected=4)
    result = run(pytester, "--tracefacts", "-v", "-k", "capacity")
    result.assert_outcomes(passed=1, deselected=4)
    result.stdout.fnmatch_lines(["facts/x.yaml::acme.capacity PASSED*"])


def test_a_test_file_named_alone_runs_no_fact_item(pytester, book):
    pytester.makepyfile(test_plain=PLAIN_TEST)
    result = run(pytester, "--tracefacts", "-v", "test_plain.py")
    result.stdout.fnmatch_lines(["*collected 1 item", "test_plain.py::test_plain PASSED*"])
    result.assert_outcomes(passed=1)
    assert "facts/" not in result.stdout.str()
    # named beside it, a fact file joins
    result = run(pytester, "--tracefacts", "test_plain.py", "facts/x.yaml")
    result.assert_outcomes(passed=3, failed=1)


def test_the_counts_pytest_prints_are_the_items_it_runs(pytester, book):
    pytester.makepyfile(test_plain=PLAIN_TEST)
    result = run(pytester, "--tracefacts")
    result.stdout.fnmatch_lines(["collected 6 items"])
    result.assert_outcomes(passed=5, failed=1)
    result = run(pytester, "--tracefacts", "--collect-only")
    result.stdout.fnmatch_lines(["collected 6 items", "*= 6 tests collected in *"])
    result = run(pytester, "--tracefacts", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["6 tests collected in *"])


def test_with_no_path_named_the_facts_join_testpaths(pytester, book):
    # testpaths leaves facts/ out (this project's own setting): a plain `pytest` still checks
    # the facts, a named folder runs only what is in it.
    pytester.makeini("[pytest]\ntestpaths = tests\ntracefacts = true\n")
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_plain.py").write_text(PLAIN_TEST)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["*tests/test_plain.py::test_plain PASSED*"])
    result.stdout.fnmatch_lines(["facts/x.yaml::acme.prices FAILED*"])
    run(pytester, "tests").assert_outcomes(passed=1)


def test_a_handbook_outside_the_rootdir_named_in_the_ini_is_checked(pytester, monkeypatch):
    hb = Handbook(pytester.path / "handbook")
    hb.seed("a.txt", SEED_A)
    hb.seed("b.txt", SEED_B)
    hb.sources()
    hb.facts(GOOD_FACTS + BAD_FACT)
    project = pytester.mkdir("project")
    (project / "pytest.ini").write_text("[pytest]\ntracefacts = true\ntracefacts_root = ../handbook\n")
    (project / "test_plain.py").write_text(PLAIN_TEST)
    monkeypatch.chdir(project)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=5, failed=1)
    # pytest names an item outside its rootdir from the folder it was collected from
    result.stdout.fnmatch_lines(["x.yaml::acme.prices FAILED*"])
    run(pytester, "test_plain.py").assert_outcomes(passed=1)


def test_the_check_runs_once_per_session(pytester, book, monkeypatch):
    book.facts(GOOD_FACTS.replace("acme.capacity", "acme.volume").replace("beta.gadget", "beta.widget"),
               name="y.yaml")
    calls = []
    real = plugin.check

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(plugin, "check", counted)
    run(pytester, "--tracefacts").assert_outcomes(passed=6, failed=1)
    assert len(calls) == 1
    pytester.makepyfile(test_plain=PLAIN_TEST)
    run(pytester, "--tracefacts", "test_plain.py").assert_outcomes(passed=1)
    assert len(calls) == 1  # no fact file collected, no check


# -- what a failing item shows, and where ---------------------------------------------------

def test_a_failing_item_is_located_at_its_fact_or_source(pytester, book):
    # JUnit (xunit1) carries each item's location: pytest's reportinfo, lines counted from 0.
    run(pytester, "--tracefacts", "--junitxml=out.xml", "-o", "junit_family=xunit1")
    cases = {case.get("name"): case for case in ET.parse(pytester.path / "out.xml").iter("testcase")}
    assert cases["acme.prices"].get("file") == "facts/x.yaml"
    assert int(cases["acme.prices"].get("line")) + 1 == book.line("id: acme.prices")
    assert cases["acme.prices"].find("failure") is not None
    assert cases["beta-news"].get("file") == "facts/sources.yaml"
    assert int(cases["beta-news"].get("line")) + 1 == book.line("id: beta-news", "facts/sources.yaml")


def test_a_fact_the_loader_dropped_still_fails_the_file(pytester, book):
    # A fact with a bad kind is not loaded, so it has no item of its own; its problem
    # must still fail something (it used to vanish and the run passed).
    book.facts(GOOD_FACTS + BAD_FACT.replace("kind: reported", "kind: rumour"))
    result = run(pytester, "--tracefacts", "-v")
    result.assert_outcomes(passed=4, failed=1)
    line = book.line("kind: rumour")
    result.stdout.fnmatch_lines([
        "facts/x.yaml::whole_file FAILED*",
        f"facts/x.yaml:{line}: error schema (fact acme.prices)",
    ])


def test_a_source_the_loader_dropped_still_fails(pytester, book):
    text = book.read("facts/sources.yaml").replace("    file: seeds/b.txt\n", "")
    book.sources(text)
    result = run(pytester, "--tracefacts", "-v")
    out = result.stdout.str()
    assert "facts/sources.yaml::whole_file FAILED" in out
    assert "error schema (source beta-news)" in out


def test_a_file_that_does_not_parse_fails_its_own_item(pytester, book):
    book.write("facts/y.yaml", "facts:\n  - id: [unclosed\n")
    result = run(pytester, "--tracefacts", "-v", "facts/y.yaml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["facts/y.yaml::whole_file FAILED*", "facts/y.yaml:*: error yaml-syntax*"])


def test_a_duplicate_id_fails_the_file_that_repeats_it(pytester, book):
    # the fact that took the id passes; the file that repeats it fails, even run alone
    book.facts(GOOD_FACTS.split("  - id: beta.gadget")[0], name="y.yaml")
    line = book.line("id: acme.capacity", "facts/y.yaml")
    result = run(pytester, "--tracefacts", "-v")
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(["facts/x.yaml::acme.capacity PASSED*"])
    result = run(pytester, "--tracefacts", "-v", "facts/y.yaml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "facts/y.yaml::whole_file FAILED*",
        f"facts/y.yaml:{line}: error duplicate-id (fact acme.capacity)",
    ])


def test_a_fact_file_pytest_cannot_collect_still_fails_an_item(pytester, book):
    # A dangling link is no file for pytest's folder walk; the loader reports it, and that
    # problem fails an item beside the sources instead of vanishing.
    (pytester.path / "facts" / "gone.yaml").symlink_to(pytester.path / "nowhere.yaml")
    result = run(pytester, "--tracefacts", "-v")
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(["facts/sources.yaml::other_files FAILED*", "facts/gone.yaml:*: error *"])


# -- switches and settings ------------------------------------------------------------------

def test_nothing_is_collected_without_the_option(pytester, book):
    pytester.makepyfile(test_plain=PLAIN_TEST)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=1)
    assert "facts/x.yaml" not in result.stdout.str()
    assert "acme" not in result.stdout.str()


def test_ini_switch_turns_it_on(pytester, book):
    pytester.makeini("[pytest]\ntracefacts = true\n")
    result = run(pytester)
    result.assert_outcomes(passed=4, failed=1)


def test_warnings_pass_unless_strict_and_stale_judged_by_today(pytester, book):
    book.facts(GOOD_FACTS.replace("    topic: acme\n", "    topic: acme\n    review_by: 2026-03-01\n")
               .split("  - id: beta.gadget")[0])  # beta-news unused: a warning
    args = ("--tracefacts", "--tracefacts-today", "2026-05-01")
    run(pytester, *args).assert_outcomes(passed=3)
    pytester.makeini("[pytest]\ntracefacts_strict = true\n")
    result = run(pytester, *args, "-v")
    # strict: the unused source fails; the stale fact still passes (the calendar is not a defect)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["facts/sources.yaml::beta-news FAILED*"])


def test_what_does_not_fail_is_a_pytest_warning_judged_by_today(pytester, book):
    # review_by 2026-03-01: stale on 2026-05-01, not on 2026-02-01; stale never fails an item,
    # pytest's warnings summary says it. The ini names the date; the option overrides it.
    book.facts(GOOD_FACTS.replace("    topic: acme\n", "    topic: acme\n    review_by: 2026-03-01\n"))
    line = book.line("review_by: 2026-03-01")
    pytester.makeini("[pytest]\ntracefacts_today = 2026-05-01\n")
    result = run(pytester, "--tracefacts", "facts/x.yaml")
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines([
        "*warnings summary*",
        "facts/x.yaml::acme.capacity",
        f"*<facts/x.yaml>:{line}: TracefactsWarning: warning stale (fact acme.capacity)",
        "*today is 2026-05-01*",
    ])
    assert "review_by: 2026-03-01" not in result.stdout.str()  # the YAML line itself, raw: never printed
    pytester.makeini("[pytest]\ntracefacts_today = 2026-02-01\n")
    result = run(pytester, "--tracefacts", "facts/x.yaml")
    result.assert_outcomes(passed=2)
    assert "stale" not in result.stdout.str()
    result = run(pytester, "--tracefacts", "facts/x.yaml", "--tracefacts-today", "2026-03-02")
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(["*today is 2026-03-02*"])
    # -W error turns the warning into a failure that shows the problem, not a traceback
    result = run(pytester, "--tracefacts", "facts/x.yaml", "--tracefacts-today", "2026-03-02",
                 "-W", "error::tracefacts.pytest_plugin.TracefactsWarning")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"facts/x.yaml:{line}: warning stale (fact acme.capacity)"])
    assert "Traceback" not in result.stdout.str() and "pytest_plugin.py" not in result.stdout.str()


@pytest.mark.parametrize(("args", "ini", "message"), [
    (["--tracefacts-today=2026-13-45"], "",
     "ERROR: --tracefacts-today 2026-13-45 is not a date written YYYY-MM-DD"),
    (["--tracefacts-today", "20260501"], "",
     "ERROR: --tracefacts-today 20260501 is not a date written YYYY-MM-DD"),
    ([], "tracefacts_today = 2026-02-30\n",
     "ERROR: tracefacts_today = 2026-02-30 (in *tox.ini) is not a date written YYYY-MM-DD"),
    (["--tracefacts-root", "nowhere"], "",
     "ERROR: --tracefacts-root nowhere: no such folder*"),
    (["--tracefacts-root", "seeds"], "",
     "ERROR: --tracefacts-root seeds: no facts/sources.yaml found in *seeds"),
])
def test_a_bad_setting_is_a_usage_error_not_an_internal_error(pytester, book, args, ini, message):
    pytester.makeini("[pytest]\n" + ini)
    result = run(pytester, "--tracefacts", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_the_file_size_limit_is_a_setting(pytester, book):
    # x.yaml grows past 2 KiB: refused under that limit, by option or ini, read under the default
    book.facts("# " + "padding " * 300 + "\n" + GOOD_FACTS)
    result = run(pytester, "--tracefacts", "-v", "--tracefacts-max-file-size", "2K", "facts/x.yaml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["facts/x.yaml::whole_file FAILED*", "facts/x.yaml:1: error *",
                                 "*larger than the limit of 2 KiB*"])
    pytester.makeini("[pytest]\ntracefacts_max_file_size = 2K\n")
    run(pytester, "--tracefacts", "facts/x.yaml").assert_outcomes(failed=1)
    pytester.makeini("[pytest]\n")
    run(pytester, "--tracefacts", "facts/x.yaml").assert_outcomes(passed=2)
    result = run(pytester, "--tracefacts", "--tracefacts-max-file-size", "lots")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --tracefacts-max-file-size lots: 'lots' is not a size*"])


def test_usage_error_when_there_is_no_handbook(pytester):
    result = run(pytester, "--tracefacts")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no facts/sources.yaml found*--tracefacts-root*"])


def test_help_needs_no_handbook(pytester):
    # the option may be on in a project's addopts: --help must still work anywhere
    result = run(pytester, "--tracefacts", "--help")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*--tracefacts-today*"])


def test_root_option_points_at_a_handbook_elsewhere(pytester):
    hb = Handbook(pytester.path / "handbook")
    hb.seed("a.txt", SEED_A)
    hb.seed("b.txt", SEED_B)
    hb.sources()
    hb.facts(GOOD_FACTS)
    result = run(pytester, "--tracefacts", "--tracefacts-root", "handbook", "-v")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["handbook/facts/x.yaml::acme.capacity PASSED*"])


def test_every_problem_lands_in_exactly_one_item(book):
    # the routing behind the items: nothing lost, nothing shown twice, whatever is broken
    book.facts(GOOD_FACTS + BAD_FACT.replace("kind: reported", "kind: rumour"))  # dropped fact
    book.facts(GOOD_FACTS.split("  - id: beta.gadget")[0], name="y.yaml")  # duplicate id
    book.write("facts/z.yaml", "facts: [\n")  # YAML syntax
    (book.root / "facts" / "gone.yaml").symlink_to(book.root / "nowhere.yaml")  # collected by no one
    result = book.check()
    collected = {"facts/sources.yaml", "facts/x.yaml", "facts/y.yaml", "facts/z.yaml"}
    plans = plugin.plan_items(result, collected)
    placed = [p for items in plans.values() for item in items for p in item.problems]
    assert sorted(placed, key=repr) == sorted(result.problems, key=repr)
    assert {"duplicate-id", "schema", "yaml-syntax"} <= {p.code for p in placed}
    assert any(p.file == "facts/gone.yaml" for p in plans["facts/sources.yaml"][-1].problems)
