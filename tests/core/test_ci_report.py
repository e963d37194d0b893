"""`tracefacts check --format github|sarif`: what GitHub Actions and a SARIF reader get."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from tfcore import GOOD_FACTS, REPO

import tracefacts
from tracefacts.ci_report import RULES
from tracefacts.cli import main

TODAY = ["--today", "2026-05-01"]
SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.schema.json"

# One error (a quote changed: 14.3 → 14.8), one warning (a quote standing twice in SEED_A)
# and one stale fact (review_by passed: a notice, since --strict does not count it).
MIXED_FACTS = GOOD_FACTS.replace("14.3", "14.8") + """\
  - id: acme.critics
    statement: Critics find the widget too expensive for small teams.
    kind: opinion
    claimant: Critics
    topic: acme
    sources:
      - source: acme-report
        quote: the widget is too expensive for small teams
  - id: beta.autumn
    statement: Beta plans shipping for the autumn.
    kind: vendor-claim
    claimant: Beta Corp
    topic: beta
    review_by: 2026-04-30
    sources:
      - source: beta-news
        quote: with shipping planned for the autumn
"""


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands of ``out`` as (kind, properties, message), as the runner splits them."""
    found = []
    for line in out.splitlines():
        match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
        if match:
            props = dict(item.split("=", 1) for item in match.group(2).split(","))
            found.append((match.group(1), props, match.group(3)))
    return found


# --- github -------------------------------------------------------------------------------


def test_github_one_annotation_per_problem_at_its_file_and_line(capsys, make_handbook, monkeypatch):
    hb = make_handbook(MIXED_FACTS)
    monkeypatch.chdir(hb.root)
    code, out, _ = run(capsys, "check", "--format", "github", *TODAY)
    assert code == 1  # as --format text: an error fails
    got = sorted((kind, props["file"], int(props["line"]), props["title"]) for kind, props, _ in commands(out))
    assert got == sorted([
        ("error", "facts/x.yaml", hb.line("quote: ships"), "quote-not-found"),
        ("warning", "facts/x.yaml", hb.line("quote: the widget is too expensive"), "quote-ambiguous"),
        ("notice", "facts/x.yaml", hb.line("review_by: 2026-04-30"), "stale"),
    ])
    [message] = [m for kind, _, m in commands(out) if kind == "error"]
    # the fact and source first, then the message; its lines joined by %0A, never a new log line
    assert message.startswith("(fact acme.capacity, source acme-report) the quote ")
    assert "%0A" in message and "14.[3] percent" in message
    assert out.splitlines()[-1] == "tracefacts: 4 facts, 2 sources, 1 error, 2 warnings: FAILED"


def test_github_paths_are_relative_to_the_working_directory(capsys, make_handbook, monkeypatch):
    hb = make_handbook(GOOD_FACTS.replace("14.3", "14.8"), name="handbook")
    monkeypatch.chdir(hb.root.parent)  # the checkout; the handbook is a folder of it
    _, out, _ = run(capsys, "check", "--root", "handbook", "--format", "github", *TODAY)
    [(_, props, _)] = commands(out)
    assert props["file"] == "handbook/facts/x.yaml"


def test_github_exit_code_follows_strict_and_fail_stale(capsys, make_handbook, monkeypatch):
    hb = make_handbook(MIXED_FACTS.replace("14.8", "14.3"))  # warnings and a stale fact, no error
    monkeypatch.chdir(hb.root)
    assert run(capsys, "check", "--format", "github", *TODAY)[0] == 0
    assert run(capsys, "check", "--format", "github", "--strict", *TODAY)[0] == 1
    hb2 = make_handbook(MIXED_FACTS.replace("14.8", "14.3").replace(
        "        quote: the widget is too expensive for small teams",
        "        quote: the widget is too expensive for small teams in its first year"))  # stale only
    monkeypatch.chdir(hb2.root)
    code, out, _ = run(capsys, "check", "--format", "github", "--strict", *TODAY)
    assert code == 0 and [k for k, _, _ in commands(out)] == ["notice"]
    code, out, _ = run(capsys, "check", "--format", "github", "--strict", "--fail-stale", *TODAY)
    assert code == 1 and [k for k, _, _ in commands(out)] == ["warning"]  # it fails the step now


def test_github_escapes_data_in_messages_and_properties(capsys, make_handbook, monkeypatch):
    # a fact file whose name has a comma, a colon, ESC and BEL; a quote with % and `::`
    hb = make_handbook(None)
    hb.facts(GOOD_FACTS.replace("quote: ships in March with 14.3 percent more capacity",
                                'quote: "100% sure \\e[2J \\u202e ::add-mask::x"'), name="a,b:c\x1b]0;t\x07.yaml")
    monkeypatch.chdir(hb.root)
    code, out, _ = run(capsys, "check", "--format", "github", *TODAY)
    assert code == 1
    [(props, message)] = [(p, m) for _, p, m in commands(out) if p["title"] == "quote-not-found"]
    assert props["file"] == "facts/a%2Cb%3Ac\\x1b]0;t\\x07.yaml"
    assert "100%25 sure \\x1b[2J \\u202e ::add-mask::x" in message
    assert "\x1b" not in out and "\u202e" not in out
    # every line of the log is one of ours: no data line can pass for a workflow command
    for line in out.splitlines():
        assert line.startswith(("::error ", "tracefacts: ")), line


def test_github_caps_annotations_per_kind_and_counts_the_rest(capsys, make_handbook, monkeypatch, tmp_path):
    facts = ["facts:"]
    for i in range(13):  # 13 errors: a quote not in the source
        facts += [f"  - id: bad.q{i}", f"    statement: Fact {i}.", "    kind: reported", "    topic: t",
                  "    sources:", "      - source: acme-report", f"        quote: words that are nowhere {i}"]
    for i in range(12):  # 12 warnings: a quote that stands twice
        facts += [f"  - id: twice.q{i}", "    statement: It is too expensive.", "    kind: opinion",
                  "    claimant: Critics", "    topic: t", "    sources:", "      - source: acme-report",
                  "        quote: the widget is too expensive for small teams"]
    facts += ["  - id: beta.uses", "    statement: Beta has a gadget.", "    kind: vendor-claim",
              "    claimant: Beta Corp", "    topic: t", "    sources:", "      - source: beta-news",
              "        quote: Beta Corp announced a brand new gadget"]
    hb = make_handbook("\n".join(facts) + "\n")
    monkeypatch.chdir(hb.root)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run(capsys, "check", "--format", "github", *TODAY)
    assert code == 1
    kinds = [k for k, _, _ in commands(out)]
    assert (kinds.count("error"), kinds.count("warning")) == (10, 10)
    assert "tracefacts: annotated 10 of 13 errors, 10 of 12 warnings (GitHub shows 10 of each kind per step)" in out
    table = summary.read_text(encoding="utf-8")
    assert table.startswith("earlier step\n### tracefacts check\n")  # appended, not replaced
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == 25
    assert sum("`quote-not-found`" in r for r in rows) == 13
    assert sum("`quote-ambiguous`" in r for r in rows) == 12


def test_step_summary_shows_markup_from_the_data_as_text(capsys, make_handbook, monkeypatch, tmp_path):
    hb = make_handbook(None)
    hb.facts(GOOD_FACTS.replace("quote: ships in March with 14.3 percent more capacity",
                                'quote: "<img src=x> [a](http://e.x) | pipe"'))
    monkeypatch.chdir(hb.root)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run(capsys, "check", "--format", "github", *TODAY)
    [row] = [line for line in summary.read_text(encoding="utf-8").splitlines() if "`quote-not-found`" in line]
    assert "<img" not in row and "&lt;img src=x&gt;" in row
    assert "\\[a\\]\\(http://e.x\\)" in row and "\\| pipe" in row
    assert row.count(" | ") == 5  # six cells: the data's `|` is escaped, the row stays one row


def test_an_unwritable_step_summary_is_said_not_raised(capsys, make_handbook, monkeypatch, tmp_path):
    hb = make_handbook(GOOD_FACTS)
    monkeypatch.chdir(hb.root)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no-such-dir" / "summary.md"))
    code, out, err = run(capsys, "check", "--format", "github", *TODAY)
    assert code == 0
    assert "could not write the job summary to" in err and "no-such-dir" in err


# --- sarif --------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_official_schema(capsys, make_handbook, monkeypatch):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    hb = make_handbook(MIXED_FACTS, name="hb dir")
    monkeypatch.chdir(hb.root.parent)
    code, out, _ = run(capsys, "check", "--root", "hb dir", "--format", "sarif", *TODAY)
    assert code == 1
    log = json.loads(out)
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(log)] == []

    [run_] = log["runs"]
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("tracefacts", tracefacts.__version__)
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in driver["rules"])

    got = sorted((r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                  r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
                  r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run_["results"])
    assert got == sorted([
        ("quote-not-found", "error", "hb%20dir/facts/x.yaml", "%SRCROOT%", hb.line("quote: ships")),
        ("quote-ambiguous", "warning", "hb%20dir/facts/x.yaml", "%SRCROOT%",
         hb.line("quote: the widget is too expensive")),
        ("stale", "note", "hb%20dir/facts/x.yaml", "%SRCROOT%", hb.line("review_by: 2026-04-30")),
    ])
    for result in run_["results"]:  # each result points at its rule
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    [error] = [r for r in run_["results"] if r["level"] == "error"]
    assert "14.[3] percent" in error["message"]["text"]
    assert error["properties"] == {"fact": "acme.capacity", "source": "acme-report"}


def test_sarif_of_a_clean_handbook_has_every_rule_and_no_result(capsys, handbook, monkeypatch):
    monkeypatch.chdir(handbook.root)
    code, out, _ = run(capsys, "check", "--format", "sarif", *TODAY)
    assert code == 0
    [run_] = json.loads(out)["runs"]
    assert run_["results"] == []
    assert len(run_["tool"]["driver"]["rules"]) == len(RULES)


# --- the rule table against the code -----------------------------------------------------


def _strings(node: ast.AST) -> set[str]:
    """The string constants ``node`` can evaluate to: a literal, either arm of ``a if c else b``,
    the items of a tuple, set or list."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    if isinstance(node, ast.Tuple | ast.Set | ast.List):
        return set().union(*(_strings(e) for e in node.elts))
    return set()


def _raised_codes() -> set[str]:
    """Every code string the core gives where a problem is made (Problem, FormatProblem, or any
    helper with a parameter `code`), assigns to a variable `code`, or compares with a `.code`."""
    files = sorted((REPO / "src" / "tracefacts").glob("*.py")) + sorted(
        (REPO / "src" / "tracefacts" / "formats").glob("*.py"))
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in files]
    makers = {"Problem": 0, "FormatProblem": 0}  # callable name → position of its `code` argument
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.args]
                if "code" in names:
                    makers[node.name] = names.index("code") - (names[:1] == ["self"])
    codes: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in makers:
                    at = makers[name]
                    args = [*node.args[at:at + 1], *(k.value for k in node.keywords if k.arg == "code")]
                    codes |= set().union(set(), *(_strings(a) for a in args))
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code"
                                                      for t in node.targets):
                codes |= _strings(node.value)
            elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "code":
                codes |= set().union(set(), *(_strings(c) for c in node.comparators))
    return codes


def test_every_code_the_core_raises_has_a_rule_and_every_rule_is_raised():
    raised = _raised_codes()
    assert "quote-not-found" in raised and "source-no-text" in raised  # the scan does find them
    rules = {r.code for r in RULES}
    assert raised - rules == set(), "codes without a SARIF rule in ci_report.RULES"
    assert rules - raised == set(), "rules for codes the core no longer raises"
    assert len(rules) == len(RULES)


# --- pre-commit -----------------------------------------------------------------------------


def _git(cwd: Path, *argv: str) -> None:
    subprocess.run(["git", *argv], cwd=cwd, check=True, capture_output=True)


@pytest.mark.slow
def test_pre_commit_hook_through_try_repo(make_handbook, tmp_path):
    """pre-commit's own `try-repo` installs this repository into an environment of its own (from
    the working tree, pip fetching the dependencies) and runs the hook in another repository."""
    hb = make_handbook(GOOD_FACTS, name="user-repo")
    hb.write("docs/index.md", "# Notes\n")
    _git(hb.root, "init", "-q")
    _git(hb.root, "-c", "user.name=t", "-c", "user.email=t@e.x", "add", ".")
    _git(hb.root, "-c", "user.name=t", "-c", "user.email=t@e.x", "commit", "-q", "-m", "handbook")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    env.pop("GITHUB_STEP_SUMMARY", None)

    def try_repo(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "tracefacts-check",
                               "--color", "never", *argv], cwd=hb.root, env=env, text=True,
                              capture_output=True, timeout=900)

    clean = try_repo("--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"^tracefacts check\.+Passed$", clean.stdout, re.M), clean.stdout

    hb.facts(GOOD_FACTS.replace("14.3", "14.8"))  # a quote no longer in its source
    broken = try_repo("--files", "facts/x.yaml")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert re.search(r"^tracefacts check\.+Failed$", broken.stdout, re.M)
    assert "- hook id: tracefacts-check" in broken.stdout
    line = hb.line("quote: ships")
    assert f"facts/x.yaml:{line}: error quote-not-found (fact acme.capacity source acme-report)" in broken.stdout

    # `files: ^(facts/|seeds/)`: a change elsewhere does not run the check at all
    elsewhere = try_repo("--files", "docs/index.md")
    assert elsewhere.returncode == 0, elsewhere.stdout + elsewhere.stderr
    assert re.search(r"^tracefacts check\.+\(no files to check\)Skipped$", elsewhere.stdout, re.M), elsewhere.stdout


def test_run_from_below_the_handbook_the_locations_stay_relative(tmp_path, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    # (attack on issue 16, F3) from docs/, SARIF gave an absolute uri under %SRCROOT%
    import json as _json

    from tracefacts.cli import main

    checkout = tmp_path / "repo"
    assert main(["init", str(checkout / "book")]) == 0
    (checkout / ".git").mkdir()
    facts = checkout / "book/facts/example.yaml"
    facts.write_text(facts.read_text().replace("kind: reported", "kind: reportd", 1))
    monkeypatch.chdir(checkout / "book/docs")
    capsys.readouterr()
    main(["check", "--format", "sarif"])
    run = _json.loads(capsys.readouterr().out)["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"book/facts/example.yaml"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == checkout.resolve().as_uri() + "/"
    main(["check", "--format", "github"])
    assert "file=book/facts/example.yaml," in capsys.readouterr().out
