"""What the adapters show and number: the pytest plugin's output for hostile names and
settings, what joins pytest's collection, and the lines of fact files holding U+2028 & co.

Every assertion reads what a user sees: pytest's own output (an inner pytest, pytester) or
the `tracefacts` command's; expected lines are counted by hand in the text the test wrote.
"""

from __future__ import annotations

import json

import pytest
from tfcore import GOOD_FACTS, SEED_A, SEED_B, Handbook

from tracefacts.cli import main

# A file name that would retitle the terminal (OSC … BEL) and clear it (CSI 2J).
EVIL = "a\x1b]0;PWNED\x07\x1b[2Jb"
EVIL_SHOWN = "a\\x1b]0;PWNED\\x07\\x1b[2Jb"  # written by hand: each control as \xNN
EVIL_PATTERN = EVIL_SHOWN.replace("[", "[[]")  # for fnmatch_lines, where [ opens a set


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def everything(result: pytest.RunResult) -> str:
    return result.stdout.str() + result.stderr.str()


def assert_no_raw_controls(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text, text


@pytest.fixture
def book(pytester) -> Handbook:
    hb = Handbook(pytester.path)
    hb.seed("a.txt", SEED_A)
    hb.seed("b.txt", SEED_B)
    hb.sources()
    hb.facts(GOOD_FACTS)
    return hb


# -- finding 5: the fact-file name in pytest's output -----------------------------------------

STALE_FACT = """\
facts:
  - id: gamma.stale
    statement: The Acme widget has 14.3 percent more capacity.
    kind: reported
    topic: acme
    review_by: 2026-03-01
    sources:
      - source: acme-report
        quote: ships in March with 14.3 percent more capacity
"""


def test_a_warning_of_a_fact_file_with_escape_codes_in_its_name_is_escaped_and_located_once(pytester, book):
    # The stale fact (a warning, line 6) lives in a file pytest would print raw: the file is no
    # item of its own, pytest says why, and the warning names the file escaped, once.
    book.facts(STALE_FACT, name=f"{EVIL}.yaml")
    result = run(pytester, "--tracefacts", "--tracefacts-today", "2026-05-01", "-rA")
    out = everything(result)
    assert_no_raw_controls(out)
    # 2 sources, 2 facts of x.yaml, and other_files (the stale warning's item); the notice and the warning
    result.assert_outcomes(passed=5, warnings=2)
    result.stdout.fnmatch_lines([
        f"  <facts/{EVIL_PATTERN}.yaml>:1: TracefactsSkipped: this fact file is not collected as a file of its "
        "own*rename the file.",
    ])
    result.stdout.fnmatch_lines([
        "facts/sources.yaml::other_files",
        f"  <facts/{EVIL_PATTERN}.yaml>:6: TracefactsWarning: warning stale (fact gamma.stale)",
        "      review_by 2026-03-01 has passed*",
    ])
    # the location is pytest's, before the text; the text does not say it a second time
    assert f"{EVIL_SHOWN}.yaml:6: warning stale" not in out, out


def test_a_failing_fact_in_a_file_with_escape_codes_in_its_name_fails_other_files(pytester, book):
    book.facts(STALE_FACT.replace("14.3 percent more capacity\n", "14.9 percent more capacity\n"),
               name=f"{EVIL}.yaml")
    result = run(pytester, "--tracefacts", "--tracefacts-today", "2026-02-01", "-v")
    assert_no_raw_controls(everything(result))
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["facts/sources.yaml::other_files FAILED*"])
    result.stdout.fnmatch_lines([f"facts/{EVIL_PATTERN}.yaml:9: error quote-not-found (fact gamma.stale*"])


# -- finding 6: settings echoed in usage errors ------------------------------------------------

@pytest.mark.parametrize(("args", "ini", "message"), [
    (["--tracefacts-today", EVIL], "", f"ERROR: --tracefacts-today {EVIL_PATTERN} is not a date*"),
    ([], f"tracefacts_today = {EVIL}\n", f"ERROR: tracefacts_today = {EVIL_PATTERN} (in *) is not a date*"),
    (["--tracefacts-root", EVIL], "", f"ERROR: --tracefacts-root {EVIL_PATTERN}: no such folder (*{EVIL_PATTERN})"),
    ([], f"tracefacts_root = {EVIL}\n", f"ERROR: tracefacts_root = {EVIL_PATTERN} (in *): no such folder*"),
    (["--tracefacts-max-file-size", EVIL], "", f"ERROR: --tracefacts-max-file-size {EVIL_PATTERN}: *not a size*"),
    ([], f"tracefacts_max_file_size = {EVIL}\n", f"ERROR: tracefacts_max_file_size = {EVIL_PATTERN} (in *): *"),
    (["--tracefacts-today", "a\nERROR: forged"], "", "ERROR: --tracefacts-today a\\x0aERROR: forged is not a date*"),
])
def test_a_setting_echoed_in_a_usage_error_is_escaped(pytester, book, args, ini, message):
    pytester.makeini("[pytest]\n" + ini)
    result = run(pytester, "--tracefacts", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert_no_raw_controls(everything(result))
    result.stderr.fnmatch_lines([message])
    assert not any(line.startswith("ERROR: forged") for line in result.stderr.lines)


# -- finding 13: what joins pytest's collection ------------------------------------------------

EVIL_TEST = "def test_evil():\n    raise SystemExit('test_evil ran')\n"
PLAIN_TEST = "def test_plain():\n    pass\n"


def test_a_test_file_inside_facts_does_not_join_a_plain_run(pytester, book):
    pytester.makeini("[pytest]\ntestpaths = tests\ntracefacts = true\n")
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_plain.py").write_text(PLAIN_TEST)
    (pytester.path / "facts" / "test_evil.py").write_text(EVIL_TEST)
    (pytester.path / "facts" / "deeper").mkdir()
    (pytester.path / "facts" / "deeper" / "test_deeper.py").write_text(EVIL_TEST)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=5)  # 2 sources, 2 facts, test_plain
    assert "test_evil" not in result.stdout.str() and "test_deeper" not in result.stdout.str()
    result.stdout.fnmatch_lines(["facts/x.yaml::acme.capacity PASSED*", "tests/test_plain.py::test_plain PASSED*"])


def test_a_test_file_in_facts_still_runs_where_pytest_would_run_it_anyway(pytester, book):
    # No testpaths: pytest's own default (the current folder) holds facts/, so its tests are pytest's.
    pytester.makeini("[pytest]\ntracefacts = true\n")
    (pytester.path / "facts" / "test_mine.py").write_text(PLAIN_TEST)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(["facts/test_mine.py::test_plain PASSED*"])


def test_a_facts_link_to_an_outside_folder_runs_none_of_its_tests(pytester, book):
    outside = pytester.mkdir("outside")
    for path in sorted((pytester.path / "facts").iterdir()):
        path.rename(outside / path.name)
    (pytester.path / "facts").rmdir()
    (outside / "test_evil.py").write_text(EVIL_TEST)
    (outside / "conftest.py").write_text("raise SystemExit('conftest of the outside folder imported')\n")
    (pytester.path / "facts").symlink_to(outside)
    pytester.makeini("[pytest]\ntestpaths = tests\ntracefacts = true\n")
    pytester.mkdir("tests")
    (pytester.path / "tests" / "test_plain.py").write_text(PLAIN_TEST)
    result = run(pytester, "-v")
    out = everything(result)
    assert "test_evil" not in out and "conftest of the outside folder" not in out, out
    # a clean stop that says why, not a green run with no fact checked
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --tracefacts: facts/ in * is a symbolic link*make it one"])


# -- finding 7: lines in fact files and sources.yaml, as every output numbers them ------------

def check_json(root) -> dict:
    import contextlib
    import io
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main(["check", "--root", str(root), "--today", "2026-05-01", "--format", "json"])
    return json.loads(buffer.getvalue())


def export_json(root) -> dict:
    import contextlib
    import io
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main(["export", "--root", str(root), "--today", "2026-05-01"])
    return json.loads(buffer.getvalue())


SEPARATOR_FACTS = (
    "facts:\n"                                                                 # 1
    "  - id: acme.capacity\n"                                                  # 2
    '    statement: "The Acme\u2028widget\u0085has 14.3 percent more."\n'     # 3: U+2028, U+0085 inside
    "    kind: reported\n"                                                     # 4
    "    topic: acme\n"                                                        # 5
    "    sources:\n"                                                           # 6
    "      - source: acme-report\n"                                            # 7
    "        quote: ships in March with 14.9 percent more capacity\n"          # 8: not in the source
    "  - id: beta.gadget\n"                                                    # 9
    "    statement: Beta says it has a new gadget.\n"                          # 10
    "    kind: vendor-claim\n"                                                 # 11
    "    claimant: Beta Corp\n"                                                # 12
    "    topic: beta\n"                                                        # 13
    "    sources:\n"                                                           # 14
    "      - source: beta-news\n"                                              # 15
    "        quote: Beta Corp announced a brand new gadget\n"                  # 16
)


def test_u2028_and_nel_inside_a_value_do_not_shift_the_lines_after_it(make_handbook):
    hb = make_handbook(None)
    hb.write("facts/x.yaml", SEPARATOR_FACTS)
    report = check_json(hb.root)
    lines = {(p["code"], p["fact"]): p["line"] for p in report["problems"]}
    assert lines[("quote-not-found", "acme.capacity")] == 8
    facts = {f["id"]: f["line"] for f in export_json(hb.root)["facts"]}
    assert facts == {"acme.capacity": 2, "beta.gadget": 9}


def test_a_u2029_in_a_source_title_does_not_shift_sources_yaml(make_handbook):
    # SOURCES_TEMPLATE: `- id: beta-news` is line 9; a title with U+2029 stands above it.
    hb = make_handbook(GOOD_FACTS.split("  - id: beta.gadget")[0])  # beta-news unused: a warning
    text = hb.read("facts/sources.yaml").replace('"Acme Widget Report"', '"Acme\u2029Widget Report"')
    hb.write("facts/sources.yaml", text)
    report = check_json(hb.root)
    assert [(p["code"], p["line"]) for p in report["problems"]] == [("unused-source", 9)]


def test_a_u2028_in_a_comment_gives_the_syntax_error_at_the_line_the_parser_stops(make_handbook):
    # YAML 1.1 ends the comment at U+2028, so `more` starts a value on line 1 and the parser
    # stops at the colon of line 2: line 2 as the project counts lines (libyaml says line 3).
    hb = make_handbook(None)
    hb.write("facts/x.yaml", "# a note\u2028more\nfacts:\n  - id: acme.capacity\n")
    report = check_json(hb.root)
    assert [(p["code"], p["file"], p["line"]) for p in report["problems"]
            if p["file"] == "facts/x.yaml"] == [("yaml-syntax", "facts/x.yaml", 2)]


def test_a_file_that_is_not_utf8_is_located_with_lone_cr_lines_and_a_bom(make_handbook):
    # BOM (3 bytes), `facts:` CR (7), `  - id: a` CR (10), two spaces: the bad byte is on line 3, byte 22.
    hb = make_handbook(None)
    hb.write("facts/x.yaml", b"\xef\xbb\xbf" + b"facts:\r  - id: a\r  \xff\r")
    report = check_json(hb.root)
    (problem,) = [p for p in report["problems"] if p["file"] == "facts/x.yaml"]
    assert problem["line"] == 3
    assert "byte 22" in problem["message"]
