"""The handbook itself is held to the same checks as the code."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from tracefacts.check import check
from tracefacts.coverage import coverage
from tracefacts.load import load

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
pytestmark = pytest.mark.slow


# The sha256 of each source document as captured (computed from the originals when the
# seeds were copied in, and recorded here rather than read from facts/sources.yaml, so that a
# re-pinned or swapped seed fails this test). No test reads outside the repository: a plain
# clone with nothing beside it must pass.
CAPTURED = {
    "000_0c00e15cd5797533.txt": "5277829a00027aa7f48bcc4231797606ae2ba7a42d33f82e014de39dbbbf9c41",
    "004_e6b734c1352a5f8a.txt": "e69609edaab3734e6236f23ee3905e38242497ec3dcfb6490942387df1c4c54d",
}


def test_seeds_are_the_captured_originals_byte_for_byte():
    seeds = ROOT / "seeds"
    assert sorted(p.name for p in seeds.iterdir()) == sorted(CAPTURED)
    for name, sha256 in CAPTURED.items():
        assert not (seeds / name).is_symlink(), name
        assert hashlib.sha256((seeds / name).read_bytes()).hexdigest() == sha256, name


def test_sources_yaml_pins_the_captured_originals():
    registered = {Path(s.file).name: s.sha256 for s in load(ROOT).sources.values()}
    assert registered == CAPTURED


def test_fact_base_has_no_errors_and_only_stale_warnings():
    result = check(ROOT)
    assert result.errors == ()
    assert {p.code for p in result.warnings} <= {"stale"}


def test_every_remaining_warning_is_justified_in_a_yaml_comment():
    # Only `stale` warnings remain (a review date passed); each review date says why it was
    # set, on the comment line right above it.
    for problem in check(ROOT).warnings:
        lines = (ROOT / problem.file).read_text(encoding="utf-8").splitlines()
        assert lines[problem.line - 1].strip().startswith("review_by:"), problem
        assert lines[problem.line - 2].strip().startswith("#"), f"{problem.file}:{problem.line}: no reason given"


def test_the_honesty_rules_hold_the_handbook_to_its_legend():
    # The handbook's legend promises: "as of" beside every changeable state, a badge for every
    # view, and "both sources" only where each source's own words carry the statement.
    result = check(ROOT)
    assert not [p for p in result.problems if p.code in ("undated-status", "unattributed-claim")]
    two_source = [h for h in result.honesty.values() if h.support]
    assert two_source and all(h.corroborated for h in two_source), [
        (fid, [(s.source, s.missing) for s in h.support]) for fid, h in result.honesty.items()
        if h.support and not h.corroborated]


def test_coverage_of_each_source_is_at_least_ninety_percent():
    for report in coverage(check(ROOT)):
        uncovered = "\n".join(f"  line {s.line}: {s.text}" for s in report.uncovered)
        assert report.share >= 0.9, f"{report.source}: {report.share:.0%} covered; uncovered:\n{uncovered}"


def test_strict_build_passes_and_every_sentence_is_sourced(real_handbook_html: Path):
    matrix = next(real_handbook_html.rglob("traceability.html"), None) or next(
        p for p in real_handbook_html.rglob("*.html") if "tf-trace-matrix" in p.read_text(encoding="utf-8"))
    text = re.sub(r"<[^>]+>", " ", matrix.read_text(encoding="utf-8"))
    assert re.search(r"Sentences sourced\s*:?\s*100%", text), "the trace matrix does not report 100% sourced"


def test_every_fact_is_shown_on_some_page(real_handbook_html: Path):
    data = json.loads((real_handbook_html / "tracefacts.json").read_text(encoding="utf-8"))
    unused = [f["id"] for f in data["facts"] if not f["pages"]]
    assert unused == [], f"facts on no page: {unused}"


def test_every_page_is_reachable_from_the_index(real_handbook_html: Path):
    pages = {p.relative_to(DOCS).with_suffix("").as_posix() for p in DOCS.rglob("*.md") if "_build" not in p.parts}
    seen, todo = set(), ["index"]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        html = (real_handbook_html / f"{page}.html").read_text(encoding="utf-8")
        toc = re.findall(r'<li class="toctree-l\d[^"]*"><a class="reference internal" href="([^"#]+)\.html"', html)
        base = Path(page).parent
        for href in toc:
            todo.append(os.path.normpath((base / href).as_posix()))
    assert pages - seen == set(), f"not reachable from the index: {sorted(pages - seen)}"
