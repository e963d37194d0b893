"""The benchmark's quick mode measures what it claims to: correctness only, no timing.

`scripts/bench.py --quick` generates a 60-fact, 6-source, 4-page handbook and its plain
twin, builds both, edits one fact and rebuilds, and runs `tracefacts check` against the
floor. Here we check that the generated handbooks build without a warning, that the edit
rewrote exactly the pages that show the fact, that those pages show the new statement,
and that the Markdown table it prints can be read back.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "scripts" / "bench.py"
COLUMNS = ["N", "what", "tracefacts", "plain", "needs", "ratio", "target", "pass/fail"]

# The quick handbook is deterministic: fact i stands on page i // 15 + 1, quotes source
# i % 6, and is a recommendation when i % 10 == 9. The edited fact is the first
# recommendation shown with {fact} on the middle page: p03.f00039, from src-0003.
EDITED = "p03.f00039"
SHOWING = {"page-03.html", "tables.html", "matrix.html", "sources/src-0003.html"}
TOCTREE_PARENT = "index.html"  # Sphinx rewrites the page whose toctree holds a rewritten page


def parse_table(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip().strip("|").split("|")]
    assert header == COLUMNS
    assert set(lines[1].replace("|", "").strip()) == {"-"}
    rows = []
    for line in lines[2:]:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        assert len(cells) == len(COLUMNS), line
        rows.append(dict(zip(COLUMNS, cells, strict=True)))
    return rows


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict, str]:
    tmp = tmp_path_factory.mktemp("bench")
    report, data = tmp / "bench.md", tmp / "bench.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--no-needs", "--python", sys.executable, "--keep",
         "--workdir", str(tmp / "work"), "--output", str(report), "--json", str(data)],
        capture_output=True, text=True, timeout=900, cwd=REPO)
    assert data.exists(), result.stderr
    return result, json.loads(data.read_text(encoding="utf-8")), report.read_text(encoding="utf-8")


def test_it_runs_without_a_problem(quick):
    result, data, _ = quick
    assert data["problems"] == [], "\n".join(data["problems"])
    assert result.returncode == 0, result.stderr


def test_every_build_is_clean(quick):
    _, data, _ = quick
    builds = data["builds"]
    assert {(b["variant"], b["what"]) for b in builds} >= {
        ("tracefacts", "full build -j 1"), ("plain", "full build -j 1"),
        ("tracefacts", "full build -j 2"), ("plain", "full build -j 2"),
        ("tracefacts", "incremental build"), ("plain", "incremental build")}
    for build in builds:
        assert build["returncode"] == 0, build
        assert build["warnings"] == [], build


def test_the_edit_rewrites_exactly_the_pages_that_show_the_fact(quick):
    _, data, _ = quick
    (run,) = data["rewrites"]["60|tracefacts"]["runs"]
    assert run["fact"] == EDITED
    assert set(run["rewritten"]) == SHOWING | {TOCTREE_PARENT}
    (plain,) = data["rewrites"]["60|plain"]["runs"]
    assert set(plain["rewritten"]) == {"page-03.html", TOCTREE_PARENT}


def test_the_rebuilt_pages_show_the_new_statement(quick):
    _, data, _ = quick
    (run,) = data["rewrites"]["60|tracefacts"]["runs"]
    out = Path(run["out"])
    for page in SHOWING:
        html = (out / page).read_text(encoding="utf-8")
        assert run["statement"] in html, f"{page} is stale"
    assert run["stale_pages"] == []


def test_the_table_parses(quick):
    result, _, report = quick
    rows = parse_table(report)
    assert rows == parse_table(result.stdout)
    by_what = {r["what"].split(" (")[0].split(",")[0]: r for r in rows}
    for what in ("full build -j 1", "full build -j 2", "peak memory -j 1", "incremental",
                 "pages rewritten by that edit", "`tracefacts check` vs floor"):
        assert what in by_what, what
    for row in rows:
        assert row["N"] == "60"
        assert row["needs"] in ("n/a", "—")
        assert row["pass/fail"] in ("pass", "FAIL", "info", "—")
        for column in ("tracefacts", "plain"):
            assert re.fullmatch(r"\d+(\.\d+)? (s|MB)|\d+(\.\d+)?×|\d+|—", row[column]), row
    assert by_what["pages rewritten by that edit"]["tracefacts"] == str(len(SHOWING) + 1)
    assert by_what["pages rewritten by that edit"]["pass/fail"] == "pass"
