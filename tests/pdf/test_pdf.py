"""The PDF briefing of the real handbook (docs/), built once per session and read back.

The pages are being written while these tests exist, so nothing here names a page's text:
facts, quotes, sources and which facts the pages use all come from the tracefacts.json
the build writes beside the HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pypdf  # the `pdf` extra, which `make test` installs: missing, these tests fail, never skip
import pytest
import weasyprint

from tracefacts.normalize import normalize_text
from tracefacts.pdf import (
    STYLESHEET,
    CssNoiseFilter,
    PdfResult,
    build_pdf,
    internal_links,
    weasyprint_log,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
HYPHENS = "-\u2010\u2011\u00ad"


# ---------------------------------------------------------------------------------------
# One build for the session
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def briefing(tmp_path_factory: pytest.TempPathFactory) -> PdfResult:
    return build_pdf(DOCS, out_dir=tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="session")
def base(briefing: PdfResult) -> dict:
    return json.loads((briefing.html_dir / "tracefacts.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def reader(briefing: PdfResult) -> pypdf.PdfReader:
    return pypdf.PdfReader(str(briefing.path))


@pytest.fixture(scope="session")
def pages_text(reader: pypdf.PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def flat(text: str) -> str:
    """Normalised, with soft hyphens and words hyphenated at a line end put back together."""
    text = text.replace("\u00ad", "")
    text = re.sub(r"(\w)[\u2010\u2011]\s*\n\s*(\w)", r"\1\2", text)  # WeasyPrint's hyphenation
    return normalize_text(text)


def squashed(text: str) -> str:
    """Normalised with every blank and hyphen gone: survives any line break the layout chose."""
    return re.sub(rf"[\s{re.escape(HYPHENS)}]+", "", normalize_text(text.replace("\u00ad", "")))


@pytest.fixture(scope="session")
def pdf_flat(pages_text: list[str]) -> str:
    return flat("\n".join(pages_text))


@pytest.fixture(scope="session")
def pdf_squashed(pages_text: list[str]) -> str:
    return squashed("\n".join(pages_text))


def missing(needles: list[str], pdf_flat: str, pdf_squashed: str) -> list[str]:
    return [n for n in needles if flat(n) not in pdf_flat and squashed(n) not in pdf_squashed]


# ---------------------------------------------------------------------------------------
# The briefing
# ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_page_count_is_sane(briefing: PdfResult, reader: pypdf.PdfReader) -> None:
    assert briefing.path.exists()
    assert len(reader.pages) == briefing.pages
    assert 8 <= briefing.pages <= 200


@pytest.mark.slow
def test_every_fact_shown_and_every_quote_cited_is_in_the_pdf(base: dict, pdf_flat: str, pdf_squashed: str) -> None:
    used = [f for f in base["facts"] if f["pages"]]
    assert used, "the handbook shows no fact"
    statements = missing([f["statement"] for f in used], pdf_flat, pdf_squashed)
    assert not statements, f"{len(statements)} of {len(used)} statements not in the PDF: {statements[:5]}"
    quotes = [q["quote"] for f in used for q in f["quotes"]]
    lost = missing(quotes, pdf_flat, pdf_squashed)
    assert not lost, f"{len(lost)} of {len(quotes)} quotes not in the PDF: {lost[:5]}"


@pytest.mark.slow
def test_every_citation_became_a_footnote(briefing: PdfResult, pdf_squashed: str) -> None:
    """Each citation tip ends with "Title — Publisher, date"; that line is printed only in its
    footnote, so the PDF holds it at least as many times as the page has tips.
    (WeasyPrint silently drops footnotes on some styles of the footnote area.)"""
    html = next(p for p in briefing.html_dir.glob("*.html") if p.stem not in ("genindex", "search"))
    tree = weasyprint.HTML(filename=str(html)).etree_element
    wheres = ["".join(el.itertext()) for el in tree.iter("span") if "tf-tip-source" in (el.get("class") or "")]
    assert wheres, "no citation in the handbook"
    for where in sorted(set(wheres)):
        wanted = wheres.count(where)
        found = pdf_squashed.count(squashed(where))
        assert found >= wanted, f"{where!r}: {wanted} citation(s), {found} footnote(s)"


@pytest.mark.slow
def test_cover_says_what_the_briefing_rests_on(base: dict, pages_text: list[str], briefing: PdfResult) -> None:
    cover = flat(pages_text[0])
    newest = max(dt.date.fromisoformat(s["published"]) for s in base["sources"] if s["published"])
    assert f"As of {newest.strftime('%B %Y')}" in cover
    project = (briefing.html_dir / "objects.inv").read_text(encoding="utf-8", errors="replace")
    name = re.search(r"^# Project: (.*)$", project, re.M)
    assert name and squashed(name.group(1)) in squashed(pages_text[0])
    single = sum(len({q["source"] for q in f["quotes"]}) == 1 for f in base["facts"])
    assert f"{single} of {len(base['facts'])}" in cover
    assert "Built" in cover and str(len(base["sources"])) in cover


@pytest.mark.slow
def test_contents_and_outline_end_with_the_sources(base: dict, reader: pypdf.PdfReader, pages_text: list[str]) -> None:
    top = [o for o in reader.outline if not isinstance(o, list)]
    assert top[0].title == "Contents"
    assert top[-1].title.startswith("Appendix")
    children = reader.outline[-1]
    assert isinstance(children, list)
    titles = [squashed(t["title"]) for t in base["sources"]]
    assert sorted(squashed(c.title) for c in children) == sorted(titles)
    appendix_page = reader.get_destination_page_number(top[-1])
    for chapter in top[:-1]:
        assert reader.get_destination_page_number(chapter) < appendix_page
    # each source page carries the source's metadata, SHA-256 included
    appendix = squashed("\n".join(pages_text[appendix_page:]))
    for source in base["sources"]:
        assert source["sha256"] in appendix
    # the contents (one page or more, up to the first chapter) names the page of every chapter
    contents = "\n".join(pages_text[1:reader.get_destination_page_number(top[1])])
    for chapter in top[1:]:
        number = reader.get_destination_page_number(chapter) + 1
        assert re.search(rf"{re.escape(str(number))}\s*$", contents, re.M), (chapter.title, number)


@pytest.mark.slow
def test_no_internal_link_is_dead(briefing: PdfResult, reader: pypdf.PdfReader) -> None:
    total, dead = internal_links(briefing.path)
    assert total > 0 and not dead, dead[:10]
    names = set(reader.named_destinations)
    targets = []
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                targets.append(str(annot["/Dest"]))
    assert targets and all(t in names for t in targets)
    # links between pages of the handbook and to highlighted quotes both made it
    assert any(t.startswith("document-") for t in targets)
    assert any(t.startswith("q-") for t in targets)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils' pdftoppm")
def test_cover_page_is_not_blank(briefing: PdfResult) -> None:
    pgm = subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-gray", str(briefing.path)],
                         capture_output=True, check=True).stdout
    match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", pgm)
    assert match, pgm[:20]
    width, height = int(match.group(1)), int(match.group(2))
    pixels = pgm[match.end():match.end() + width * height]
    assert len(pixels) == width * height
    inked = sum(1 for p in pixels if p < 160)
    assert inked > 0.005 * width * height, f"only {inked} dark pixels of {width * height}"


@pytest.mark.slow
def test_build_is_quick(briefing: PdfResult) -> None:
    # about half a minute when the machine is idle; the margin is for a busy test machine
    assert briefing.seconds < 120


# ---------------------------------------------------------------------------------------
# The log: CSS noise dropped, problems kept
# ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_sphinx_warning_fails_the_build(tmp_path: Path) -> None:
    from tracefacts.pdf import PdfBuildError, build_html

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text('project = "T"\n', encoding="utf-8")
    (docs / "index.rst").write_text("T\n=\n\nSee :doc:`nowhere`.\n", encoding="utf-8")
    with pytest.raises(PdfBuildError, match="nowhere"):
        build_html(docs, tmp_path / "html")


def _record(level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("weasyprint", level, __file__, 1, msg, args, None)


def test_log_filter_drops_css_noise_and_keeps_problems() -> None:
    noise = CssNoiseFilter()
    assert not noise.filter(_record(logging.WARNING, "Ignored `%s: %s` at %d:%d, %s.",
                                    "user-select", "none", 94, 68, "unknown property"))
    assert not noise.filter(_record(logging.WARNING, "Expected a media type, got %r", "(min-width:768px)"))
    assert not noise.filter(_record(logging.WARNING, "Invalid or unsupported selector, %r", "a::-webkit-x"))
    assert noise.dropped == 3
    assert noise.filter(_record(logging.ERROR, "Failed to load image at %r: %s", "file:///x.png", "not found"))
    assert noise.filter(_record(logging.ERROR, "No anchor #%s for internal URI reference", "q-x"))
    assert noise.filter(_record(logging.WARNING, "Anchor defined twice: %r", "intro"))
    # an error is kept even when it reads like noise
    assert noise.filter(_record(logging.ERROR, "Ignored `a: b` at 1:1, unknown property."))


def test_weasyprint_log_collects_problems_not_noise() -> None:
    html = weasyprint.HTML(string='<html lang="en"><body><p>x</p><img src="missing.png" alt="x"></body></html>',
                           base_url=str(Path(__file__).parent))
    with weasyprint_log() as (handler, noise):
        html.render(stylesheets=[weasyprint.CSS(string="p { user-select: none; color: red }")])
    messages = [r.getMessage() for r in handler.records]
    assert noise.dropped == 1
    assert any("missing.png" in m for m in messages), messages
    assert not any("user-select" in m for m in messages)


def test_print_stylesheet_itself_is_clean() -> None:
    """pdf.css raises no warning at all, not even one the filter would drop."""
    html = weasyprint.HTML(string='<html lang="en"><body><p>Fact <a class="tf-cite" href="#q">'
                                  '<span class="tf-marker">VB</span><span class="tf-tip"><span class="tf-tip-quote">'
                                  'q</span><span class="tf-tip-source">T — P, 1 May 2026</span></span></a></p>'
                                  '<p id="q">x</p></body></html>')
    with weasyprint_log() as (handler, noise):
        html.render(stylesheets=[weasyprint.CSS(filename=str(STYLESHEET))])
    assert [r.getMessage() for r in handler.records] == []
    assert noise.dropped == 0


# ---------------------------------------------------------------------------------------
# The reshaped page, on a small made-up singlehtml page
# ---------------------------------------------------------------------------------------

SINGLE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Short</title>
<link rel="stylesheet" href="_static/basic.css"><script src="_static/x.js"></script></head>
<body><div class="related"><a href="#">Home</a></div>
<div class="document"><div class="documentwrapper"><div class="bodywrapper"><div class="body" role="main">
<section id="home"><h1>Home<a class="headerlink" href="#home">¶</a></h1>
<p>Intro <a class="reference internal" href="#document-chapter">Chapter</a>.</p>
<section id="more"><h2>More</h2>
<div class="toctree-wrapper compound">
<span id="document-sources/s1"></span><section id="source-one"><h2>Source one</h2>
<div class="tf-source-page"><p id="L1"><span class="tf-quote" id="q-f">quoted</span></p></div></section>
<span id="document-chapter"></span><section id="chapter"><h2>Chapter</h2>
<p>See <a href="#q-f">the quote</a> and <a href="index.html#document-index">home</a>.</p>
<section id="part"><h3>Part</h3><p>Text.</p></section>
<div class="toctree-wrapper compound">
<span id="document-sources/s2"></span><section id="source-two"><h3>Source two</h3>
<div class="tf-source-page"><p id="L1"><span>line</span></p></div></section>
</div></section>
</div></section></section>
<div class="clearer"></div></div></div></div>
<div class="sphinxsidebar"><a href="#document-chapter">Chapter</a></div></div>
<div class="footer">Copyright</div></body></html>
"""


def test_prepare_reshapes_the_single_page() -> None:
    from tracefacts.pdf import Briefing, prepare

    html = weasyprint.HTML(string=SINGLE_PAGE)
    root = html.etree_element
    notes = prepare(root, Briefing("Project X", dt.date(2026, 4, 25), 3, 2, 1, 3, 0), dt.date(2026, 5, 1))
    body = root.find("body")
    blocks = [el for el in body if isinstance(el.tag, str)]
    assert [b.get("class") for b in blocks] == ["pdf-cover", "pdf-contents", "pdf-main"]
    cover = " ".join("".join(blocks[0].itertext()).split())
    assert "Project X" in cover and "As of April 2026" in cover and "1 of 3" in cover
    main = blocks[2]
    assert main.get("id") == "document-index"
    ids = [el.get("id") for el in main.iter() if isinstance(el.tag, str) and el.get("id")]
    assert len(ids) == len(set(ids)) and notes  # the second #L1 was renamed
    # order: the home page, the chapter, then the appendix holding both sources
    order = [el.get("id") for el in main.iter("div") if "pdf-doc" in (el.get("class") or "")
             or el.get("id") == "pdf-appendix-sources"]
    assert order == ["document-chapter", "pdf-appendix-sources", "document-sources/s1", "document-sources/s2"]
    # every chapter and source title is an h2 now; screen chrome and stylesheets are gone
    titles = {el.text: el.tag for el in main.iter() if isinstance(el.tag, str) and el.tag[:1] == "h"}
    assert titles["Chapter"] == "h2" and titles["Part"] == "h3" and titles["Source two"] == "h2"
    assert not any("headerlink" in (a.get("class") or "") for a in root.iter("a"))
    assert root.find("head/link") is None and root.find("head/script") is None
    hrefs = [a.get("href") for a in main.iter("a")]
    assert "#document-index" in hrefs and "#q-f" in hrefs
    contents = [a.get("href") for a in blocks[1].iter("a")]
    assert contents == ["#home", "#more", "#document-chapter", "#part", "#pdf-appendix-sources",
                        "#document-sources/s1", "#document-sources/s2"]


# ---------------------------------------------------------------------------------------
# Any text a source may hold: emoji, Chinese, control characters, direction controls
# ---------------------------------------------------------------------------------------

ROCKET, HAN, BEL, ESC, RLO = "\U0001f680", "\u4e2d\u6587", "\x07", "\x1b", "\u202e"
ANY_TEXT_SEED = (
    "Launch Gazette\n"
    "\n"
    f"The launch {ROCKET} went out in {HAN} and English on a quiet morning.\n"
    "\n"
    f"A stray bell{BEL} and an escape {ESC}[2J stand in this captured line.\n"
)
ANY_TEXT_FACTS = f"""\
facts:
  - id: x.launch
    statement: "The launch {ROCKET} went out in {HAN}, with a bell\\a in the statement."
    kind: reported
    topic: launch
    sources:
      - source: gazette
        quote: "The launch {ROCKET} went out in {HAN} and English"
"""
ANY_TEXT_PAGE = """\
# Any text

{fact}`x.launch`

```{toctree}
:glob:

sources/*
```
"""


@pytest.fixture(scope="module")
def any_text_pdf(tmp_path_factory: pytest.TempPathFactory) -> PdfResult:
    import hashlib

    root = tmp_path_factory.mktemp("any-text")
    for folder in ("seeds", "facts", "docs"):
        (root / folder).mkdir()
    (root / "seeds" / "gazette.txt").write_text(ANY_TEXT_SEED, encoding="utf-8")
    sha = hashlib.sha256(ANY_TEXT_SEED.encode("utf-8")).hexdigest()
    # the publisher holds a RIGHT-TO-LEFT OVERRIDE: the date after it must still read in order
    (root / "facts" / "sources.yaml").write_text(
        "sources:\n  - id: gazette\n    file: seeds/gazette.txt\n    title: \"Launch Gazette\"\n"
        f"    publisher: \"Gazette{RLO} Press\"\n    published: 2026-03-04\n    sha256: {sha}\n", encoding="utf-8")
    (root / "facts" / "x.yaml").write_text(ANY_TEXT_FACTS, encoding="utf-8")
    (root / "docs" / "conf.py").write_text(
        'project = "Any text"\nextensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]\n'
        'exclude_patterns = ["_build"]\ntracefacts_root = ".."\ntracefacts_today = "2026-05-01"\n', encoding="utf-8")
    (root / "docs" / "index.md").write_text(ANY_TEXT_PAGE, encoding="utf-8")
    return build_pdf(root / "docs", out_dir=root / "out", built=dt.date(2026, 5, 1))


@pytest.mark.slow
def test_emoji_chinese_and_control_characters_are_printed(any_text_pdf: PdfResult) -> None:
    """The PDF builds (no .notdef glyph), the characters are in its text, and each control
    character is shown as its picture (BEL → ␇, ESC → ␛), never as an invisible character."""
    text = "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(str(any_text_pdf.path)).pages)
    assert text.count(ROCKET) >= 3 and text.count(HAN) >= 3  # the statement, the footnote, the source
    assert "bell\u2407" in text and "\u241b[2J" in text, "the control characters are not shown visibly"
    assert BEL not in text and ESC not in text


@pytest.mark.slow
def test_the_characters_are_drawn_with_fonts_that_have_them(any_text_pdf: PdfResult) -> None:
    """Noto's CJK, emoji and symbol fonts are embedded: each character has a real glyph."""
    fonts = set()
    for page in pypdf.PdfReader(str(any_text_pdf.path)).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")).split("+", 1)[-1])
    for wanted in ("Noto-Color-Emoji", "Noto-Sans-CJK", "Noto-Sans-Symbols2"):
        assert any(f.startswith(wanted) for f in fonts), f"no {wanted} font in the PDF: {sorted(fonts)}"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils' pdftotext")
def test_text_after_a_direction_control_keeps_its_order_in_the_pdf(any_text_pdf: PdfResult) -> None:
    """The footnote says "Title — Publisher, date": with U+202E in the publisher, the date
    after it is still printed left to right (pdftotext -layout reads the page as laid out)."""
    laid_out = subprocess.run(["pdftotext", "-layout", str(any_text_pdf.path), "-"],
                              capture_output=True, text=True, check=True).stdout
    footnotes = [line for line in laid_out.splitlines() if "Launch Gazette —" in line]
    assert footnotes, laid_out
    for line in footnotes:
        assert re.search(r", 4 March 2026\s*$", line), f"the date after the publisher is reordered: {line!r}"
    assert "6202" not in laid_out


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils' pdftoppm")
def test_any_text_pages_render(any_text_pdf: PdfResult) -> None:
    """Every page renders; the PNGs are kept in test-output/pdf for a person to look at."""
    shots = Path(__file__).resolve().parents[2] / "test-output" / "pdf"
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(any_text_pdf.path), str(shots / "any-text")], check=True)
    assert len(list(shots.glob("any-text-*.png"))) == any_text_pdf.pages

