"""Broken and hostile inputs: each gives problems with a file and a line, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from tfcore import GOOD_FACTS, SEED_A, TODAY, Found, found

from tracefacts.check import check
from tracefacts.cli import main

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
PWNED = Path("/tmp/tracefacts-corpus-pwned")  # what the python-tag case would create


def test_the_corpus_is_there():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES)
def test_corpus_case(case):
    root = CORPUS / case
    expected = json.loads((root / "expected.json").read_text(encoding="utf-8"))
    PWNED.unlink(missing_ok=True)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = check(root, TODAY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    took = time.perf_counter() - started
    assert found(result.problems) == sorted(Found(**p) for p in expected["problems"]), expected["why"]
    assert not PWNED.exists()  # no YAML tag ran code
    # Small inputs stay small: no alias is expanded, nothing blows up (generous bounds).
    assert peak < 50 * 2**20
    assert took < 10


def test_corpus_cases_through_the_cli_give_no_traceback(capsys):
    for case in CASES:
        code = main(["check", "--root", str(CORPUS / case), "--today", "2026-05-01", "--format", "json"])
        data = json.loads(capsys.readouterr().out)
        expected = json.loads((CORPUS / case / "expected.json").read_text(encoding="utf-8"))
        has_error = any(p["severity"] == "error" for p in data["problems"])
        assert code == (1 if has_error else 0), case
        assert len(data["problems"]) == len(expected["problems"]), case


def test_alias_bomb_is_refused_quickly():
    root = CORPUS / "alias-bomb"
    text = (root / "facts/x.yaml").read_text(encoding="utf-8")
    assert text.count("*h") == 9  # 9 ** 9 "lol"s if it were expanded
    started = time.perf_counter()
    result = check(root, TODAY)
    assert time.perf_counter() - started < 5
    assert any(p.message.endswith("must be a list, not an alias (*name).") for p in result.problems)


def test_very_deep_nesting_does_not_crash_the_interpreter(tmp_path, make_handbook):
    # 100,000 nested lists used to overflow libyaml's recursive composer (a segfault):
    # run it in a child process so a regression cannot take the test run down with it.
    hb = make_handbook(GOOD_FACTS.replace("    topic: acme\n", "    topic: acme\n    tags: "
                                          + "[" * 100_000 + "]" * 100_000 + "\n"))
    exe = Path(sys.executable).with_name("tracefacts")
    done = subprocess.run([str(exe), "check", "--format", "json", "--root", str(hb.root)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr[-2000:]
    problems = json.loads(done.stdout)["problems"]
    assert [(p["code"], p["line"]) for p in problems if p["file"] == "facts/x.yaml"] == [
        ("yaml-syntax", hb.line("tags: [[["))]


# --- the file system ----------------------------------------------------------------


def point_b_at(hb, file: str) -> int:
    hb.sources(hb.read("facts/sources.yaml").replace("file: seeds/b.txt", f"file: {file}"))
    return hb.line(f"file: {file}", "facts/sources.yaml")


def test_source_that_is_a_directory(make_handbook):
    hb = make_handbook()
    (hb.root / "seeds" / "dir.txt").mkdir()
    line = point_b_at(hb, "seeds/dir.txt")
    result = hb.check()
    assert found(result.errors) == [Found("source-missing", "facts/sources.yaml", line)]
    assert "is a directory" in result.errors[0].message


def test_source_that_is_a_pipe_is_not_read(make_handbook):
    hb = make_handbook()
    os.mkfifo(hb.root / "seeds" / "pipe.txt")
    line = point_b_at(hb, "seeds/pipe.txt")
    result = hb.check()  # would block forever if it opened the pipe
    assert found(result.errors) == [Found("source-missing", "facts/sources.yaml", line)]


def test_unreadable_source(make_handbook):
    hb = make_handbook()
    path = hb.root / "seeds" / "b.txt"
    path.chmod(0)
    try:
        result = hb.check()
        readable = os.access(path, os.R_OK)  # root reads it anyway
    finally:
        path.chmod(0o644)
    if readable:
        assert result.problems == ()
    else:
        line = hb.line("file: seeds/b.txt", "facts/sources.yaml")
        assert found(result.errors) == [Found("source-missing", "facts/sources.yaml", line)]
        assert "cannot be read" in result.errors[0].message


def test_symlink_loop(make_handbook):
    hb = make_handbook()
    os.symlink("loop.txt", hb.root / "seeds" / "loop.txt")
    line = point_b_at(hb, "seeds/loop.txt")
    result = hb.check()  # used to raise RuntimeError("Symlink loop") from Path.resolve
    assert found(result.errors) == [Found("source-missing", "facts/sources.yaml", line)]


def test_symlink_pointing_out_of_seeds(make_handbook, tmp_path):
    hb = make_handbook()
    outside = tmp_path / "outside.txt"
    outside.write_text("Beta Corp announced a brand new gadget on Monday.\n", encoding="utf-8")
    os.symlink(outside, hb.root / "seeds" / "link.txt")
    line = point_b_at(hb, "seeds/link.txt")
    result = hb.check()
    assert found(result.errors) == [Found("source-outside-root", "facts/sources.yaml", line)]
    assert "is a symbolic link pointing out of seeds/" in result.errors[0].message


def test_symlink_inside_seeds_is_not_followed_either(make_handbook):
    # No link is followed (test_confinement.py): the file read is the one `file:` names.
    hb = make_handbook()
    os.symlink("b.txt", hb.root / "seeds" / "alias.txt")
    line = point_b_at(hb, "seeds/alias.txt")
    result = hb.check()
    assert found(result.errors) == [Found("source-missing", "facts/sources.yaml", line)]
    assert "seeds/alias.txt is a symbolic link (to b.txt)" in result.errors[0].message
    assert "copy the file into seeds/ instead" in result.errors[0].message


def test_dangling_symlink_is_missing(make_handbook):
    hb = make_handbook()
    os.symlink("nowhere.txt", hb.root / "seeds" / "dangling.txt")
    line = point_b_at(hb, "seeds/dangling.txt")
    assert found(hb.check().errors) == [Found("source-missing", "facts/sources.yaml", line)]


def test_a_fact_file_that_cannot_be_read(make_handbook):
    hb = make_handbook()
    (hb.root / "facts" / "folder.yaml").mkdir()
    os.symlink("gone.yaml", hb.root / "facts" / "dangling.yaml")
    result = hb.check()
    assert found(result.errors) == [Found("yaml-syntax", "facts/dangling.yaml", 1),
                                    Found("yaml-syntax", "facts/folder.yaml", 1)]


def test_sources_yaml_missing_is_a_problem_not_a_crash(make_handbook):
    hb = make_handbook()
    (hb.root / "facts" / "sources.yaml").unlink()
    result = check(hb.root, TODAY)
    assert Found("yaml-syntax", "facts/sources.yaml", 1) in found(result.errors)


# --- big inputs ---------------------------------------------------------------------


def test_a_20_mb_source(make_handbook, capsys):
    paragraph = "Report {n:06d}: the Acme widget shipped {n:06d} units, with 14.3 percent more capacity.\n\n"
    count = 20_000_000 // len(paragraph.format(n=0)) + 1
    big = "".join(paragraph.format(n=n) for n in range(count))
    assert len(big) >= 20_000_000
    last = f"{count - 1:06d}"
    facts = GOOD_FACTS + f"""\
  - id: acme.last
    statement: Report {last} counts {last} units.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: "Report {last}: the Acme widget shipped {last} units"
  - id: acme.missing
    statement: A report that is not there.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: "Report {count:06d}: the Acme widget shipped"
"""
    hb = make_handbook(facts, seed_a=big + SEED_A)
    started = time.perf_counter()
    result = hb.check()
    took = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n    20 MB source: checked in {took:.1f} s")
    assert found(result.problems) == [Found("quote-not-found", "facts/x.yaml", hb.line(f"Report {count:06d}:"))]
    anchor = result.anchors[("acme.last", 0)]
    text = result.texts["acme-report"].text
    assert text[anchor.start:anchor.end] == f"Report {last}: the Acme widget shipped {last} units"
    assert anchor.line == 2 * (count - 1) + 1
    assert result.anchors[("acme.capacity", 0)].start > len(big)  # SEED_A comes after the bulk


def test_50000_facts_in_one_file(make_handbook, capsys):
    entry = """\
  - id: bulk.n{n}
    statement: {statement}
    kind: reported
    topic: bulk
    sources:
      - source: acme-report
        quote: ships in March with 14.3 percent
"""
    count = 50_000
    bad = count - 7  # one fact says a figure its quote does not
    facts = GOOD_FACTS + "".join(
        entry.format(n=n, statement="Acme ships more." if n != bad else "Acme ships 14.8 percent more.")
        for n in range(count))
    hb = make_handbook(facts)
    started = time.perf_counter()
    result = hb.check()
    took = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n    50,000 facts: checked in {took:.1f} s")
    assert len(result.base.facts) == count + 2
    assert found(result.problems) == [
        Found("figure-not-in-quote", "facts/x.yaml", hb.line("Acme ships 14.8 percent more."))]
    # GOOD_FACTS has 16 lines, each bulk fact 7: the statement of fact n is line 16 + 7n + 2
    assert result.problems[0].line == 16 + 7 * bad + 2
    assert result.problems[0].fact == f"bulk.n{bad}"


def test_find_of_a_common_phrase_in_a_large_source_stays_fast(make_handbook, capsys):
    # `find` used to copy the text before every occurrence: minutes for this input.
    bulk = "".join(f"The widget number {i} is new. " for i in range(60_000))
    hb = make_handbook(seed_a=bulk + "\n\n" + SEED_A)
    started = time.perf_counter()
    code = main(["find", "The widget number", "--root", str(hb.root), "--format", "json"])
    took = time.perf_counter() - started
    hits = json.loads(capsys.readouterr().out)
    with capsys.disabled():
        print(f"\n    find with 60,000 occurrences: {took:.1f} s")
    assert code == 0 and len(hits) == 60_000
    assert hits[12_345]["exact"] == "The widget number"
