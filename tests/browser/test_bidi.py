"""Direction controls in the fact base cannot take over the page (issue 12, section 8).

A statement holding U+202E (RIGHT-TO-LEFT OVERRIDE) used to reverse the rest of its
sentence in the reader's browser: the citation markers swapped places and "single source"
read "ecruos elgnis". Every text the fact base or a source inserts must stand alone in a
bidi-isolated element, so that a control inside it ends where it ends.

The fixture handbook below puts U+202E into every kind of inserted text (statement,
value, claimant, quote, source title, publisher, notes, a line of a source) and shows
them with every view. The checks use Chromium's own layout: the x position of each
character, read with Range.getClientRects().
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

if TYPE_CHECKING:
    from conftest import Tab

pytestmark = pytest.mark.browser

RLO = "\u202e"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

SEED = textwrap.dedent(f"""\
    Widget Gazette

    Acme shipped the first widget on a quiet Tuesday morning.

    Acme shipped the second widget without any announcement at all.

    Critics say the widget costs far too much for small teams.

    The widget line holds a reversed {RLO}override in the middle of the text.
    """)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


TITLE = f"Widget {RLO}Gazette today"
PUBLISHER = f"Gazette{RLO} Press"
NOTES = f"Captured {RLO}for the tests."
STATEMENT = f"Acme shipped the first widget {RLO}on a quiet Tuesday."
VALUE = f"first {RLO}shipped"
CLAIMANT = f"Critics {RLO}of Acme"

FACTS = textwrap.dedent(f"""\
    facts:
      - id: x.evil
        statement: {_q(STATEMENT)}
        kind: reported
        topic: widgets
        subject: widget
        attribute: launch
        value: {_q(VALUE)}
        date: 2026-03-04  # the source's own date: the Figures rule asks an event date for evidence
        sources:
          - source: gazette
            quote: "Acme shipped the first widget on a quiet Tuesday morning"
      - id: x.plain
        statement: Acme shipped the second widget without fanfare.
        kind: reported
        topic: widgets
        sources:
          - source: gazette
            quote: "Acme shipped the second widget without any announcement"
      - id: x.critics
        statement: The widget costs too much for small teams.
        kind: opinion
        claimant: {_q(CLAIMANT)}
        topic: widgets
        sources:
          - source: gazette
            quote: "Critics say the widget costs far too much for small teams"
      - id: x.line
        statement: The widget line holds a reversed override.
        kind: reported
        topic: widgets
        sources:
          - source: gazette
            quote: "The widget line holds a reversed"
    """)

PAGES = {
    "index.md": """\
        # Bidi handbook

        ```{toctree}
        :maxdepth: 1

        facts
        table
        matrix
        ```

        ```{toctree}
        :maxdepth: 1
        :glob:

        sources/*
        ```
        """,
    "facts.md": """\
        # Facts

        {fact}`x.evil` Acme shipped the second widget without fanfare. {cite-fact}`x.plain`

        {fact}`x.critics`

        {fact}`x.line`
        """,
    "table.md": """\
        # Table

        ```{fact-table}
        :subject: widget
        :attributes: launch
        ```

        ```{timeline}
        ```
        """,
    "matrix.md": """\
        # Matrix

        ```{trace-matrix}
        ```
        """,
}

CONF = textwrap.dedent("""\
    project = "Bidi handbook"
    extensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]
    source_suffix = {".md": "markdown"}
    exclude_patterns = ["_build"]
    html_theme = "furo"
    tracefacts_root = ".."
    tracefacts_today = "2026-05-01"
    """)


@dataclass(frozen=True)
class Site:
    html: Path
    inserted: frozenset[str]  # every text from the fact base or the source that holds a direction control

    def url(self, page: str) -> str:
        return (self.html / page).as_uri()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("bidi")
    for folder in ("seeds", "facts", "docs"):
        (root / folder).mkdir()
    (root / "seeds" / "gazette.txt").write_text(SEED, encoding="utf-8")
    sha = hashlib.sha256(SEED.encode("utf-8")).hexdigest()
    (root / "facts" / "sources.yaml").write_text(textwrap.dedent(f"""\
        sources:
          - id: gazette
            file: seeds/gazette.txt
            title: {_q(TITLE)}
            publisher: {_q(PUBLISHER)}
            published: 2026-03-04
            sha256: {sha}
            notes: {_q(NOTES)}
        """), encoding="utf-8")
    (root / "facts" / "x.yaml").write_text(FACTS, encoding="utf-8")
    (root / "docs" / "conf.py").write_text(CONF, encoding="utf-8")
    for name, text in PAGES.items():
        (root / "docs" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    out = root / "docs" / "_build" / "html"
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
                          str(root / "docs"), str(out)], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, f"sphinx-build -W failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    facts = yaml.safe_load(FACTS)["facts"]
    marker = PUBLISHER.split()[0]  # a citation marker shows the publisher's first word
    texts = {TITLE, PUBLISHER, marker, NOTES, *SEED.splitlines(), *(q["quote"] for f in facts for q in f["sources"]),
             *(f[k] for f in facts for k in ("statement", "value", "claimant") if k in f)}
    yield Site(out, frozenset(t for t in texts if any(c in t for c in BIDI_CONTROLS)))


# Every visible text node of the page's article, with the left edge and line of each of its
# characters as Chromium laid them out. `isolate` is the text of the nearest bidi-isolating
# element inside the article (<bdi>, or any element with a dir attribute), or null; `ours`:
# whether an element of the extension (class tf-…) holds it.
LAYOUT_JS = """() => {
  const article = document.querySelector("article[role=main]") || document.body;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim()) continue;
    const iso = node.parentElement.closest("bdi, [dir]");
    const chars = [];
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const r = range.getClientRects()[0];
      chars.push(r && r.width > 0 ? [r.left, r.top, r.height] : null);
    }
    found.push({text: node.data, chars, ours: !!node.parentElement.closest("[class*=tf-]"),
                isolate: iso && article.contains(iso) && iso !== article ? iso.textContent : null});
  }
  return found;
}"""


def out_of_order(node: dict) -> list[str]:
    """Neighbouring characters on one line whose left edges go right to left."""
    wrong = []
    chars = [(c, box) for c, box in zip(node["text"], node["chars"], strict=True) if box and not c.isspace()]
    for (a, box_a), (b, box_b) in zip(chars, chars[1:], strict=False):
        same_line = abs(box_a[1] - box_b[1]) < box_a[2] / 2
        if same_line and box_b[0] < box_a[0] - 0.5:
            wrong.append(f"{a!r} at x={box_a[0]:.0f} then {b!r} at x={box_b[0]:.0f}")
    return wrong


def layout(tab: Tab, site: Site, page: str) -> list[dict]:
    response = tab.page.goto(site.url(page))
    assert response is None or response.ok
    # every tip shown at once, so that the quotes, titles and publishers in them are laid out too
    tab.page.add_style_tag(content=".tf-tip { display: block !important; position: static !important; }")
    return tab.page.evaluate(LAYOUT_JS)


@pytest.mark.parametrize("page", ["facts.html", "table.html", "matrix.html", "sources/gazette.html"])
def test_text_around_an_inserted_direction_control_keeps_its_order(tab: Tab, site: Site, page: str) -> None:
    """Any text of the page outside an inserted text reads left to right, in order: our own
    words ("single source", " — "), the author's sentence and the other inserted texts."""
    nodes = layout(tab, site, page)
    assert any(RLO in n["text"] for n in nodes), f"{page} shows none of the texts holding U+202E"
    reversed_ = {}
    for node in nodes:
        if any(c in node["text"] for c in BIDI_CONTROLS):
            continue  # the inserted text itself: its own control may reorder it, inside its element
        if node["isolate"] is not None and any(c in node["isolate"] for c in BIDI_CONTROLS):
            continue  # a piece of an inserted text holding a control (a quote within a source line)
        if wrong := out_of_order(node):
            reversed_[node["text"]] = wrong[:2]
    assert not reversed_, f"{page}: text laid out backwards after an inserted U+202E: {reversed_}"


@pytest.mark.parametrize("page", ["facts.html", "table.html", "matrix.html", "sources/gazette.html"])
def test_every_inserted_text_stands_alone_in_an_isolating_element(tab: Tab, site: Site, page: str) -> None:
    """Each text from the fact base or the source that holds a control is exactly the text of
    its own bidi-isolating element, whatever view shows it."""
    nodes = layout(tab, site, page)
    # a text outside any element of the extension is Sphinx's (the page heading): not ours to draw
    shown = [n for n in nodes if RLO in n["text"] and n["ours"]]
    assert shown, f"{page} shows none of the texts holding U+202E"
    loose = [n["text"] for n in shown if n["isolate"] not in site.inserted]
    assert not loose, f"{page}: inserted text not alone in a bidi-isolated element: {loose}"


def test_the_sentence_after_a_reversed_statement_reads_in_order(tab: Tab, site: Site, shots: Path) -> None:
    """The case of the issue: the markers keep their order, the note reads "single source",
    and the author's next sentence starts to the right of the fact's citation."""
    tab.page.goto(site.url("facts.html"))
    para = tab.page.locator("p", has=tab.page.locator(".tf-statement", has_text="first widget"))
    para.screenshot(path=str(shots / "bidi-sentence.png"))
    # [left, top, bottom] of: the statement, each marker, the first and last letter of the
    # first "single source" note, the first letter of the author's next sentence
    boxes = para.evaluate("""p => {
      const box = r => [r.left, r.top, r.bottom];
      const letter = (node, i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                                    return box(r.getBoundingClientRect()); };
      const note = p.querySelector(".tf-single-note").firstChild;
      const after = [...p.childNodes].find(n => n.nodeType === 3 && n.data.includes("second widget"));
      const start = after.data.indexOf("Acme");
      return {note: note.data, statement: box(p.querySelector(".tf-statement").getBoundingClientRect()),
              markers: [...p.querySelectorAll(".tf-marker")].map(m => box(m.getBoundingClientRect())),
              noteFirst: letter(note, 0), noteLast: letter(note, note.data.length - 1),
              after: letter(after, start)};
    }""")

    def before(a: list[float], b: list[float]) -> bool:
        """``a`` is read before ``b``: on an earlier line, or left of it on the same line."""
        if a[2] <= b[1] + 1:  # a ends above b's top: an earlier line
            return True
        return b[2] > a[1] + 1 and a[0] < b[0]

    assert boxes["note"] == "single source"
    assert before(boxes["noteFirst"], boxes["noteLast"]), f"the note is laid out backwards: {boxes}"
    first, second = boxes["markers"]
    assert before(boxes["statement"], first) and before(first, second), f"markers out of order: {boxes}"
    assert before(boxes["noteLast"], boxes["after"]), f"the next sentence stands before the citation: {boxes}"
