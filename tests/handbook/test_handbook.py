"""The handbook itself is held to the same checks as the code."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tracefacts.check import check
from tracefacts.coverage import coverage

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
pytestmark = pytest.mark.slow


def test_seeds_are_the_shared_originals_byte_for_byte():
    shared = ROOT.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.fail(f"{shared} is missing: the handbook is checked against the shared originals")
    names = sorted(p.name for p in shared.iterdir())
    assert names == sorted(p.name for p in (ROOT / "seeds").iterdir())
    for name in names:
        assert (ROOT / "seeds" / name).read_bytes() == (shared / name).read_bytes(), name


def test_fact_base_has_no_errors_and_only_stale_warnings():
    result = check(ROOT)
    assert result.errors == ()
    assert {p.code for p in result.warnings} <= {"stale"}


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
