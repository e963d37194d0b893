"""The real handbook (docs/) as a reader sees it in Chromium: its tables are the widest
content we publish, and the fixture handbook's are too small to show how they fit."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from conftest import Tab, _Quiet

DOCS = Path(__file__).resolve().parents[2] / "docs"

# Tables whose content is wider than their box scroll inside it (.tf-table-scroll): on a
# desktop screen a reader would see a column cut off and may never find the rest.
CUT_TABLES_JS = """() => [...document.querySelectorAll('.tf-table-scroll, .table-wrapper')]
    .filter(box => box.scrollWidth > box.clientWidth + 1)
    .map(box => `${box.querySelector('th, td')?.closest('table')?.className}: `
        + `${box.scrollWidth}px of content in a ${box.clientWidth}px box`)"""


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    out = tmp_path_factory.mktemp("real-handbook")
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(out / ".doctrees"),
                          str(DOCS), str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = sorted(p.relative_to(out).as_posix() for p in out.glob("*.html")
                   if p.name not in ("genindex.html", "search.html"))
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


def test_every_table_fits_a_desktop_page(real_site, open_tab) -> None:  # type: ignore[no-untyped-def]
    base, pages = real_site
    tab: Tab = open_tab(viewport={"width": 1280, "height": 900})
    assert "alternatives.html" in pages  # the five-column comparison table
    cut = {}
    for page in pages:
        tab.page.goto(f"{base}/{page}")
        found = tab.page.evaluate(CUT_TABLES_JS)
        if found:
            cut[page] = found
    assert not cut, f"tables cut off at 1280px (the reader must scroll inside them): {cut}"
    assert not tab.errors, tab.errors
