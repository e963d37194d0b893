"""The real handbook (docs/) as a reader sees it in Chromium: its tables are the widest
content we publish, and the fixture handbook's are too small to show how they fit."""

from __future__ import annotations

from pathlib import Path

# Tables whose content is wider than their box scroll inside it (.tf-table-scroll): on a
# desktop screen a reader would see a column cut off and may never find the rest.
CUT_TABLES_JS = """() => [...document.querySelectorAll('.tf-table-scroll, .table-wrapper')]
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => `${box.querySelector('th, td')?.closest('table')?.className}: `
        + `${box.scrollWidth}px of content in a ${box.clientWidth}px box`)"""


def test_every_table_fits_a_desktop_page(real_handbook_html: Path, real_handbook_site: str, open_tab) -> None:  # type: ignore[no-untyped-def]
    pages = sorted(p.name for p in real_handbook_html.glob("*.html") if p.name not in ("genindex.html", "search.html"))
    assert "alternatives.html" in pages  # the five-column comparison table
    tab = open_tab(viewport={"width": 1280, "height": 900})
    cut = {}
    for page in pages:
        tab.page.goto(f"{real_handbook_site}/{page}")
        found = tab.page.evaluate(CUT_TABLES_JS)
        if found:
            cut[page] = found
    assert not cut, f"tables cut off at 1280px (the reader must scroll inside them): {cut}"
    assert not tab.errors, tab.errors
