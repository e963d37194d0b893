"""The benchmark's quick mode measures what it claims to: correctness only, no timing.

`scripts/bench.py --quick` generates a 60-fact, 6-source, 4-page handbook and its plain
twin, builds both, edits one fact and rebuilds, and runs `tracefacts check` against the
floor; then it checks 60 quotes against a 12-page PDF that WeasyPrint sets and a 300 KB
HTML page, uncached and cached, against each parser alone and against the extracted text
as a .txt source. Here we check that the generated handbooks build without a warning, that
the edit rewrote exactly the pages that show the fact, that those pages show the new
statement, that every quote checked, and that the Markdown table it prints can be read back.
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
                 "pages rewritten by that edit", "`tracefacts check` vs floor", "`check --no-cache`",
                 "second"):
        assert what in by_what, what
    for row in rows:
        assert row["N"] == "60"
        assert row["needs"] in ("n/a", "—")
        assert row["pass/fail"] in ("pass", "FAIL", "info", "—")
        for column in ("tracefacts", "plain"):
            assert re.fullmatch(r"\d+(\.\d+)? (s|MB)|\d+(\.\d+)?×|\d+|—", row[column]), row
    assert by_what["pages rewritten by that edit"]["tracefacts"] == str(len(SHOWING) + 1)
    assert by_what["pages rewritten by that edit"]["pass/fail"] == "pass"


def test_the_pdf_and_html_rows_are_there(quick):
    _, data, report = quick
    assert data["formats"]["pdf"]["pages"] == 12
    assert data["formats"]["pdf"]["quotes"] == data["formats"]["html"]["quotes"] == 60
    rows = {r["what"]: r for r in parse_table(report)}
    pdf = "`check --no-cache`, 12-page PDF vs pdfium's bare text extraction"
    cached = "second, cached `check`, 12-page PDF vs the same with its text as a .txt source"
    html = "`check --no-cache`, 0.3 MB HTML page vs lxml's bare parse and text_content()"
    for what, target in ((pdf, "≤ 1.5×"), (cached, "≤ 1.2×"), (html, "≤ 1.5×")):
        for label in (what, what + ", CPU time"):
            row = rows[label]
            assert row["target"] == target
            assert re.fullmatch(r"\d+\.\d\d×", row["ratio"]), row
            assert row["pass/fail"] in ("pass", "FAIL")
    assert "pdf rows: `report-12p-" in report


def test_every_quote_of_the_pdf_and_html_rows_checks(quick):
    """What was timed is a passing check: the kept fact bases check again without an error,
    quoting the PDF (with its page) and the page, uncached as in the timed runs."""
    _, data, _ = quick
    for fmt in ("pdf", "html"):
        root = Path(data["formats"][fmt]["folder"]) / fmt
        done = subprocess.run([sys.executable, "-m", "tracefacts.cli", "check", "--no-cache", "--today", "2026-11-23",
                               "--root", str(root)], capture_output=True, text=True, timeout=300)
        assert "60 facts, 1 source, 0 errors" in done.stdout, done.stdout[-2000:]
        assert done.returncode == 0
        assert list((root / ".tracefacts-cache").rglob("*.json")), "the cached check left nothing in its cache"
