"""HTML and PDF sources in a built handbook, as a reader meets them: the citation names the
PDF's page, the source page shows the document's text (never its markup) page by page, the
exports carry the pages, and nothing of a captured page is live in the browser."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import weasyprint

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# A captured page at its worst: scripts, handlers, an iframe, a javascript: link, a hidden trap.
CAPTURED = """<!DOCTYPE html>
<html><head><title>Gadget Weekly: the Rocket</title>
<meta property="og:site_name" content="Gadget Weekly">
<script>window.__pwned = "head script"; alert(1)</script>
<style>body { background: red }</style></head>
<body onload="window.__pwned = 'onload'">
<nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<h1>The Rocket reviewed</h1>
<p>Acme's <b>Rocket</b> ships with <i>no</i> open weights &amp; a closed licence.</p>
<img src="x" onerror="window.__pwned = 'onerror'">
<iframe src="javascript:window.top.__pwned = 'iframe'"></iframe>
<p>Read <a href="javascript:window.__pwned = 'link'">the full review</a> for more.</p>
<p hidden>A hidden line that no reader sees.</p>
<ul><li>Fast on small tasks.</li><li>Slow on long ones.</li></ul>
</body></html>
"""

REPORT = """<html><head><style>
@page { size: A6; margin: 18mm 12mm; @top-center { content: "Acme Annual Report" }
        @bottom-center { content: "Page " counter(page) } }
body { font: 11pt/1.35 serif; }
</style></head><body>
<p>Introduction to the report.</p>
<p style="margin-top: 95mm">The board decided that the Rocket will remain closed for the whole of the
coming year, and that its weights will stay inside the company until a review.</p>
</body></html>"""


def _pin(root: Path) -> None:
    for name in ("review.html", "report.pdf"):
        sha = hashlib.sha256((root / "seeds" / name).read_bytes()).hexdigest()
        sources = (root / "facts/sources.yaml").read_text()
        (root / "facts/sources.yaml").write_text(sources.replace(f"PIN-{name}", sha))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("captured")
    (root / "seeds").mkdir()
    (root / "facts").mkdir()
    (root / "docs").mkdir()
    (root / "seeds/review.html").write_text(CAPTURED, encoding="utf-8")
    (root / "seeds/report.pdf").write_bytes(weasyprint.HTML(string=REPORT).write_pdf())
    (root / "facts/sources.yaml").write_text(textwrap.dedent("""\
        sources:
          - id: review
            file: seeds/review.html
            title: "Gadget Weekly: the Rocket"
            publisher: Gadget Weekly
            published: 2026-03-01
            sha256: PIN-review.html
            chrome: ["Home | News"]
          - id: report
            file: seeds/report.pdf
            title: Acme Annual Report
            publisher: Acme
            published: 2026-02-01
            sha256: PIN-report.pdf
        """))
    _pin(root)
    (root / "facts/rocket.yaml").write_text(textwrap.dedent("""\
        facts:
          - id: rocket.weights
            statement: Gadget Weekly reports that the Rocket ships with no open weights.
            kind: reported
            topic: rocket
            sources:
              - source: review
                quote: "Acme's Rocket ships with no open weights & a closed licence."
          - id: rocket.board
            statement: Acme's board decided to keep the Rocket closed for the coming year.
            kind: reported
            topic: rocket
            review_by: 2027-01-01
            sources:
              - source: report
                quote: "the Rocket will remain closed for the whole of the coming year"
        """))
    (root / "docs/conf.py").write_text('extensions = ["myst_parser", "tracefacts.sphinx"]\ntracefacts_root = ".."\n'
                                       'tracefacts_today = "2026-03-10"\nexclude_patterns = ["_build"]\n')
    (root / "docs/index.md").write_text("# Rocket\n\n{fact}`rocket.weights`\n\n{fact}`rocket.board`\n")
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", str(root / "docs"),
                          str(root / "out")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return root


def test_the_pdf_quote_is_cited_with_its_page(book: Path) -> None:
    index = (book / "out/index.html").read_text(encoding="utf-8")
    tip = re.search(r'Acme Annual Report</span> — <span[^>]*>Acme</span>, 1 February 2026'
                    r'<span class="tf-tip-page">, (p\. \d+|pp\. \d+–\d+)</span>', index)
    assert tip, index
    facts = {f["id"]: f for f in json.loads((book / "out/tracefacts.json").read_text())["facts"]}
    (quote,) = facts["rocket.board"]["quotes"]
    assert quote["page_label"] == tip.group(1)
    assert facts["rocket.weights"]["quotes"][0]["pages"] is None  # an HTML page has none
    annotations = json.loads((book / "out/annotations.jsonld").read_text())["first"]["items"]
    board = next(a for a in annotations if a["id"] == "urn:tracefacts:rocket.board:0")
    fragment = board["target"]["selector"][0]
    assert fragment["type"] == "FragmentSelector" and fragment["value"] == f"page={quote['pages'][0]}"
    assert " ".join(fragment["refinedBy"]["exact"].split()).startswith("the Rocket will remain closed")


def test_the_pdf_source_page_shows_its_text_page_by_page(book: Path) -> None:
    page = (book / "out/sources/report.html").read_text(encoding="utf-8")
    starts = re.findall(r'<p class="tf-page-start" id="report-p(\d+)">Page (\d+)</p>', page)
    assert [a for a, _ in starts] == [b for _, b in starts] and len(starts) >= 2, starts
    assert "Acme Annual Report</p>" not in page.split("tf-source-text", 1)[1]  # the running header is gone
    assert 'id="q-rocket.board"' in page


def test_the_html_source_page_shows_the_text_never_the_markup(book: Path) -> None:
    page = (book / "out/sources/review.html").read_text(encoding="utf-8")
    body = page.split("tf-source-text", 1)[1]
    for markup in ("<script>window", "onerror", "onload", "<iframe", "javascript:", "__pwned", "background: red",
                   "A hidden line"):
        assert markup not in body, markup
    assert re.search(r'class="tf-source-line tf-heading tf-h1"[^>]*>.*The Rocket reviewed', body)
    assert len(re.findall(r'class="tf-source-line tf-li"', body)) == 2
    assert re.search(r'class="tf-source-line tf-chrome"[^>]*>.*Home \| News', body)


def test_nothing_of_a_captured_page_is_live_in_the_browser(book: Path, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto((book / "out/sources/review.html").as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__pwned") is None and dialogs == []
        text = page.locator(".tf-source-text")
        assert text.locator("script, iframe, img, object, embed, a[href^='javascript']").count() == 0
        assert page.locator("[onerror], [onload]").count() == 0
        assert "Acme's Rocket ships with no open weights & a closed licence." in text.inner_text()
    finally:
        context.close()
