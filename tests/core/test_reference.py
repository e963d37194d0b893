"""REFERENCE.md against the code, both ways: what the code has is documented, nothing documented is gone.

Everything is read from the code itself (the loader's key sets and required keys, every
problem code a call site raises, the argparse parser, the pytest plugin's options, the
Sphinx extension's setup), so a key, code, verb, flag, option or setting added to the code
fails here until REFERENCE.md documents it, and the message says where to add it.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tracefacts import cli, load, pytest_plugin
from tracefacts.ci_report import RULES
from tracefacts.safeio import parse_size
from tracefacts.sphinx import _SETTINGS
from tracefacts.sphinx import setup as sphinx_setup

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "tracefacts"
REFERENCE = ROOT / "REFERENCE.md"

CODE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")
SEVERITIES = {"error", "warning"}
# The functions whose first text argument is a problem code (Problem(code, severity, …),
# reader.problem(code, …), _problem(source, code, …), FormatProblem(code, …), honesty's
# warn(code, …), the extension's report(env, code, …)); any call's code= or subtype=.
CODE_MAKERS = {"Problem", "problem", "_problem", "FormatProblem", "warn", "report"}


# --- reading REFERENCE.md ------------------------------------------------------------------


def section(title: str, level: int = 2, text: str | None = None) -> str:
    """The body under the heading ``title`` (up to the next heading of that level or higher)."""
    text = REFERENCE.read_text(encoding="utf-8") if text is None else text
    lines = text.splitlines()
    head = "#" * level + " " + title
    assert head in lines, f"REFERENCE.md has no heading {head!r}"
    start = lines.index(head) + 1
    end = next((i for i in range(start, len(lines))
                if re.match(rf"#{{1,{level}}} ", lines[i])), len(lines))
    return "\n".join(lines[start:end])


def subsections(body: str, level: int = 3) -> dict[str, str]:
    """``### title`` → its body, within one section."""
    found: dict[str, str] = {}
    for title in re.findall(rf"^{'#' * level} (.+)$", body, re.M):
        found[title] = section(title, level, body)
    return found


def rows(body: str) -> list[list[str]]:
    """The rows of the tables in ``body`` whose first cell holds code (`…`): header rows hold none."""
    out = []
    for line in body.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if cells and "`" in cells[0]:
            out.append(cells)
    return out


def spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def first_column(body: str) -> list[str]:
    return [s for cells in rows(body) for s in spans(cells[0])]


def missing_and_gone(what: str, in_code: set[str], documented: set[str] | list[str], where: str) -> list[str]:
    documented = list(documented)
    twice = sorted({d for d in documented if documented.count(d) > 1})
    return ([f"{what} `{name}` is in the code but not documented (add it under {where})"
             for name in sorted(in_code - set(documented))]
            + [f"{what} `{name}` is documented under {where} but the code has no such thing (remove it)"
               for name in sorted(set(documented) - in_code)]
            + [f"{what} `{name}` is documented twice under {where}" for name in twice])


def fail_if(problems: list[str]) -> None:
    if problems:
        pytest.fail("REFERENCE.md and the code disagree:\n  " + "\n  ".join(problems), pytrace=False)


# --- reading the code ------------------------------------------------------------------------


def required_keys_in_load() -> dict[str, set[str]]:
    """Per parsing function of load.py: the keys it reads with ``required=True``."""
    tree = ast.parse((SRC / "load.py").read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        for call in ast.walk(fn):
            if isinstance(call, ast.Call) and any(
                    k.arg == "required" and isinstance(k.value, ast.Constant) and k.value.value is True
                    for k in call.keywords):
                keys = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                found.setdefault(fn.name, set()).update(keys[:1])
    return found


def codes_in_source() -> dict[str, set[str]]:
    """Every problem code some call site in src/tracefacts raises → the files raising it."""
    found: dict[str, set[str]] = {}

    def note(value: object, path: Path) -> None:
        if isinstance(value, str) and CODE.match(value) and value not in SEVERITIES:
            found.setdefault(value, set()).add(path.relative_to(SRC).as_posix())

    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name in CODE_MAKERS:
                    texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                    if texts:
                        note(texts[0], path)
                for kw in node.keywords:
                    if kw.arg in ("code", "subtype") and isinstance(kw.value, ast.Constant):
                        note(kw.value.value, path)
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code"
                                                      for t in node.targets):
                # code = "source-outside-root" if refused.outside else "source-missing"
                for value in ast.walk(node.value):
                    if isinstance(value, ast.Constant):
                        note(value.value, path)
    return found


class Recorder:
    """Stands in for a Sphinx app or a pytest parser: records every call made on it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return self  # getgroup() returns the group options are added to

        return record

    def named(self, method: str) -> list[tuple[Any, ...]]:
        return [args for name, args, _ in self.calls if name == method]


def cli_verbs() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    top = cli.parser()
    (sub,) = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    return top, dict(sub.choices)


def flags(p: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Every option string (short and long) and every positional's shown name → its action."""
    out: dict[str, argparse.Action] = {}
    for action in p._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        if action.option_strings:
            out.update(dict.fromkeys(action.option_strings, action))
        else:
            out[action.metavar if isinstance(action.metavar, str) else action.dest.upper()] = action
    return out


def documented_flags(body: str) -> list[str]:
    """`-o FILE`, `--output FILE` → -o, --output; `PATH|URL` → PATH|URL."""
    return [s.split()[0] for cells in rows(body) for s in spans(cells[0])]


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize(("title", "keys", "function"), [
    ("Source keys", load.SOURCE_KEYS, "_parse_sources"),
    ("Fact keys", load.FACT_KEYS, "_parse_fact"),
    ("Quote keys", load.QUOTE_KEYS, "_load_quotes"),
])
def test_every_key_with_type_requiredness_and_example(title: str, keys: set[str], function: str) -> None:
    body = section(title, 3 if title == "Quote keys" else 2)
    if title == "Fact keys":  # its Quote keys subsection is another table
        body = body.split("### Quote keys")[0]
    table = rows(body)
    problems = missing_and_gone("key", set(keys), [spans(r[0])[0] for r in table], f"'{title}'")
    required = required_keys_in_load()[function]
    if function == "_parse_fact":
        required = required | {"sources"}  # its absence is `no-source` (load._load_quotes), not a read
    for cells in table:
        key = spans(cells[0])[0]
        if len(cells) != 5 or not all(cells[1:]):
            problems.append(f"key `{key}` under '{title}' needs type, required/optional, example and meaning")
            continue
        says_required = cells[2].startswith("required") and not cells[2].startswith("required for")
        if key in keys and says_required != (key in required):
            problems.append(f"key `{key}` under '{title}' is said {'required' if says_required else 'optional'}, "
                            f"but the loader reads it as {'required' if key in required else 'optional'}")
        if "`" not in cells[3] and "see" not in cells[3]:
            problems.append(f"key `{key}` under '{title}' has no example in code (`…`)")
    fail_if(problems)


def test_every_problem_code_with_cause_and_fix() -> None:
    in_code = codes_in_source()
    body = section("Problem codes")
    checker, build = section("The checker", 3, body), section("The Sphinx build", 3, body)
    problems = missing_and_gone("problem code", set(in_code), first_column(checker) + [
        c for c in first_column(build) if c not in first_column(checker)], "'## Problem codes'")
    core = {c for c, files in in_code.items() if any(not f.startswith(("sphinx/", "pdf/")) for f in files)}
    problems += [f"problem code `{c}` is raised by the checker ({', '.join(sorted(in_code[c]))}) "
                 "but is not in the table under '### The checker'" for c in sorted(core - set(first_column(checker)))]
    for cells in rows(checker) + rows(build):
        if len(cells) != 4 or cells[1] not in SEVERITIES or not cells[2] or not cells[3]:
            problems.append(f"problem code `{spans(cells[0])[0]}` needs severity (error|warning), cause and fix")
    fail_if(problems)


def test_the_code_scan_finds_codes_from_every_kind_of_call_site() -> None:
    # The scan must see through each way code is raised, or a missing row would go unnoticed.
    found = codes_in_source()
    assert {"yaml-syntax", "schema", "duplicate-key"} <= set(found)          # reader.problem / Problem
    assert {"source-missing", "source-outside-root", "source-too-large"} <= set(found)  # _problem, code = …
    assert "source-unpinned" in found                                          # code=
    assert {"source-not-utf8", "source-no-text"} <= set(found)                 # FormatProblem
    assert {"undated-status", "unattributed-claim"} <= set(found)              # warn
    assert {"unknown-fact", "unsourced-sentence"} <= set(found)                # report(env, …)
    assert {"encoding", "export", "source-pages"} <= set(found)                # subtype=
    assert not {"error", "warning"} & set(found)


def test_the_checker_table_equals_ci_reports_rules() -> None:
    """ci_report.RULES (the SARIF rules, one per checker code) and the checker's table agree, severity too."""
    table = {spans(cells[0])[0]: cells[1] for cells in rows(section("The checker", 3, section("Problem codes")))}
    rules = {rule.code: rule.severity for rule in RULES}
    problems = missing_and_gone("checker code of ci_report.RULES", set(rules), list(table), "'### The checker'")
    problems += [f"problem code `{c}` is a {rules[c]} in ci_report.RULES but a {table[c]} in REFERENCE.md"
                 for c in sorted(set(rules) & set(table)) if rules[c] != table[c]]
    fail_if(problems)


def test_every_verb_and_flag_of_the_command_line() -> None:
    top, verbs = cli_verbs()
    body = section("Command line")
    parts = subsections(body)
    documented_verbs = [m.group(1) for t in parts if (m := re.fullmatch(r"`tracefacts (\S+)`", t))]
    problems = missing_and_gone("verb", set(verbs), documented_verbs, "'## Command line' as ### `tracefacts VERB`")
    intro = body.split("\n### ")[0]
    problems += [f"top-level flag `{f}` of `tracefacts` is not documented in the text under '## Command line'"
                 for f in sorted(flags(top)) if not any(f in s.split() for s in spans(intro))]
    for verb, p in sorted(verbs.items()):
        title = f"`tracefacts {verb}`"
        if title not in parts:
            continue
        in_code = flags(p)
        problems += missing_and_gone(f"flag of `tracefacts {verb}`", set(in_code), documented_flags(parts[title]),
                                     f"'### {title}'")
        for cells in rows(parts[title]):
            action = in_code.get(spans(cells[0])[0].split()[0])
            for choice in (action.choices or ()) if action else ():
                if f"`{choice}`" not in cells[1]:
                    shown = action.option_strings[-1] if action.option_strings else spans(cells[0])[0]
                    problems.append(f"`tracefacts {verb} {shown}` may be `{choice}`, "
                                    f"which its row under '### {title}' does not name")
    fail_if(problems)


def test_every_flag_and_ini_setting_of_the_pytest_plugin() -> None:
    parser = Recorder()
    pytest_plugin.pytest_addoption(parser)  # type: ignore[arg-type]
    options = {name for args in parser.named("addoption") for name in args if name.startswith("-")}
    inis = {args[0] for args in parser.named("addini")}
    documented = first_column(section("pytest plugin"))
    fail_if(missing_and_gone("pytest flag", options, [d.split()[0] for d in documented if d.startswith("-")],
                             "'## pytest plugin'")
            + missing_and_gone("pytest ini setting", inis, [d for d in documented if not d.startswith("-")],
                               "'## pytest plugin'"))


def test_every_role_and_directive_with_its_options() -> None:
    app = Recorder()
    sphinx_setup(app)
    roles = {args[0] for args in app.named("add_role")}
    directives = {args[0]: args[1] for args in app.named("add_directive")}
    parts = subsections(section("Roles and directives"))
    documented = {m.group(1): m.group(2) for t in parts if (m := re.fullmatch(r"`(\S+)` \((role|directive)\)", t))}
    problems = missing_and_gone("role", roles, [n for n, k in documented.items() if k == "role"],
                                "'## Roles and directives' as ### `name` (role)")
    problems += missing_and_gone("directive", set(directives), [n for n, k in documented.items() if k == "directive"],
                                 "'## Roles and directives' as ### `name` (directive)")
    for name, cls in sorted(directives.items()):
        body = parts.get(f"`{name}` (directive)")
        if body is None:
            continue
        options = set(cls.option_spec or {})
        shown = [s.strip(":") for s in first_column(body)]
        problems += missing_and_gone(f"option of `{name}`", options, shown, f"'### `{name}` (directive)'")
        if not options and "No options" not in body:
            problems.append(f"directive `{name}` takes no option: say 'No options.' under its heading")
    fail_if(problems)


def test_every_sphinx_setting_with_its_default() -> None:
    app = Recorder()
    sphinx_setup(app)
    registered = {args[0]: args[1] for args in app.named("add_config_value")}
    checked = {name: default for name, default, _, _ in _SETTINGS}
    table = rows(section("Sphinx settings"))
    problems = missing_and_gone("setting", set(registered), [spans(r[0])[0] for r in table], "'## Sphinx settings'")
    problems += [f"setting `{n}` is registered but its type is not checked in _SETTINGS (or the other way round)"
                 for n in sorted(set(registered) ^ set(checked))]
    for cells in table:
        name = spans(cells[0])[0]
        if name not in registered:
            continue
        default = registered[name]
        said = spans(cells[2])[0] if len(cells) == 4 and spans(cells[2]) else None
        if isinstance(default, int) and not isinstance(default, bool):  # a size, documented as one writes it
            right = said is not None and said.startswith('"') and parse_size(json.loads(said)) == default
        else:
            right = said == (json.dumps(default) if isinstance(default, str | list) else repr(default))
        if not right:
            problems.append(f"setting `{name}` defaults to {default!r}; its row under '## Sphinx settings' says "
                            f"{said or 'nothing'}")
    fail_if(problems)


def test_the_reference_ships_with_the_sdist_and_readme_points_to_it() -> None:
    assert "include REFERENCE.md" in (ROOT / "MANIFEST.in").read_text().splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "REFERENCE.md" in readme
    assert "DESIGN" not in readme, "README still points at a design file that ships nowhere"
