"""The extension's own words in the build's language: a German build shows German labels,
German dates and a German touch tip, never an English label, even after an English build in
the same folders; the catalog shipped in the package is complete, compiled and up to date
with every word the sources mark for translation."""

from __future__ import annotations

import gettext
import html
import io
import json
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SPHINX = Path(__file__).resolve().parents[2] / "src" / "tracefacts" / "sphinx"
LOCALE = SPHINX / "locale"
POT = LOCALE / "tracefacts.pot"
DE_PO = LOCALE / "de" / "LC_MESSAGES" / "tracefacts.po"
DE_MO = LOCALE / "de" / "LC_MESSAGES" / "tracefacts.mo"

# The test handbook's own prose in German too: then any English left on a page is ours.
GERMAN_PAGES = {
    "index.md": """\
        # Raketen-Handbuch

        {fact}`rocket.launched`

        Acme hat die Gewichte nicht freigegeben. {cite-fact}`rocket.closed`

        ```{editorial}
        Wir halten das für einen Wendepunkt, und wir sagen es mit eigenen Worten.
        ```

        ```{toctree}
        claims
        advice
        table
        matrix
        ```
        """,
    "claims.md": "# Aussagen\n\n{fact}`rocket.benchmark`\n",
    "advice.md": "# Rat\n\n```{fact-list}\n:kind: recommendation\n```\n\n```{fact-summary}\n```\n",
    "table.md": """\
        # Tabelle

        ```{fact-table}
        :attributes: vendor weights licence
        :labels: rocket-one=Rocket One
        ```

        ```{timeline}
        ```
        """,
    "matrix.md": "# Matrix\n\n```{trace-matrix}\n```\n",
}
PAGES = ["index.html", "claims.html", "advice.html", "table.html", "matrix.html", "sources/alpha.html",
         "sources/beta.html"]


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Words(HTMLParser):
    """The words of a page's main content that are not the fact base's or a source's own text
    (``<span dir="auto">``, tracefacts' isolated inserted text) nor a fact id (``<code>``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article>
        self.skip: list[str] = []  # open elements whose text is not ours
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        if self.depth or tag == "article":
            self.depth += 1
        if self.skip or ("dir", "auto") in attrs or tag == "code":
            self.skip.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <br/>: no text, nothing opened

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.words.append(data)


def our_words(page: str) -> str:
    parser = _Words()
    parser.feed(page)
    return " ".join(" ".join(parser.words).split())


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()).replace(" :", ":")


def _catalog(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def english_fragments() -> set[str]:
    """Every label of the catalog whose German differs, cut at its placeholders: the pieces an
    English page would show (``"%(claimant)s's claim"`` → ``"'s claim"``)."""
    found = set()
    for message in _catalog(DE_PO):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings:
                continue  # the same word in German ("April", "%(month)s %(year)d")
            for piece in re.split(r"%\(\w+\)[sd]", msgid):
                piece = piece.strip(" —:,.()")
                if sum(c.isalpha() for c in piece) >= 3:
                    found.add(piece)
    return found


@pytest.fixture
def german(handbook):
    for name, text in GERMAN_PAGES.items():
        handbook.write(f"docs/{name}", textwrap.dedent(text))
    conf = handbook.docs / "conf.py"
    handbook.german_conf = conf.read_text(encoding="utf-8") + 'language = "de"\n'
    handbook.english_conf = conf.read_text(encoding="utf-8")
    conf.write_text(handbook.german_conf, encoding="utf-8")
    return handbook


def _built(book) -> None:  # type: ignore[no-untyped-def]
    result = book.build()
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_a_german_build_shows_german_labels_and_dates(german):
    _built(german)
    index = german.html("index.html")
    assert re.search(r'<span class="tf-single-note">Einzelquelle</span>', index), index
    assert "Redaktionell — unsere Analyse, nicht aus den Quellen" in text_of(index)
    # the vendor claim: German word order, the claimant still its own isolated text
    badge = re.search(r'<span class="tf-badge[^"]*">(.*?)</span></span>', german.html("claims.html"))
    assert badge is not None and badge.group(1) == 'Behauptung von <span class="tf-claimant" dir="auto">Acme', badge
    advice = text_of(german.html("advice.html"))
    assert "Empfehlung — Beta" in advice
    assert "Stand: 10. März 2026 — möglicherweise veraltet" in advice, advice  # German date, stale flag
    assert "Stand: März 2026 (neueste Quelle: 10. März 2026)" in advice, advice
    assert "Fakten: 4: 2 berichtet, 1 Herstellerbehauptung, 0 Meinungen, 1 Empfehlung" in advice, advice
    assert "Fakten aus nur einer Quelle: 4 von 4 (nicht von zwei Quellen vollständig getragen)" in advice, advice
    table = text_of(german.html("table.html"))
    assert "— in den Quellen nicht angegeben" in table, table
    assert "Wann Was geschah Berichtet von 3. März 2026 Acme launched Rocket One" in table, table
    assert "Alpha News (4. März 2026)" in table, table
    matrix = text_of(german.html("matrix.html"))
    assert "Fakt Art Quellen und Zitate Gezeigt auf" in matrix, matrix
    assert "Bestätigte Fakten: 0 (zwei oder mehr Quellen tragen jeweils die ganze Aussage)" in matrix, matrix
    assert "Alpha (teilweise: nennt “Rocket”, “One” nicht)" in matrix, matrix
    alpha = text_of(german.html("sources/alpha.html"))
    for field in ("Titel: Alpha News: Rocket One", "Herausgeber: Alpha News", "Veröffentlicht: 4. März 2026",
                  "Datei: seeds/a.txt", "Verwendete Zitate: 3", "Anmerkungen: A news site.",
                  "Seitenelemente: 1 Zeilenart (Menüs, Widgets), abgeblendet dargestellt"):
        assert field in alpha, (field, alpha)
    # the touch tip's words, for tracefacts.js to show
    words = re.search(r'<script id="tracefacts-words" type="application/json">(.*?)</script>', index)
    assert words is not None and json.loads(words.group(1)) == {"tap": "Erneut tippen, um die Quelle zu öffnen"}


def _english_left(book, page: str) -> list[str]:  # type: ignore[no-untyped-def]
    words = our_words(book.html(page))
    assert words, page
    return sorted(f for f in english_fragments() if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", words))


@pytest.mark.slow
def test_a_german_page_holds_no_english_label(german):
    _built(german)
    assert {"single source", "'s claim", "Opinion", "as of", "may be out of date", "Shown on", "Title",
            "Quotes used", "Page furniture", "Tap again to open the source"} <= english_fragments()
    for page in PAGES:
        assert sorted(set(_english_left(german, page))) == [], page


@pytest.mark.slow
def test_a_german_source_page_says_where_each_fact_is_shown_in_german(german):
    _built(german)
    assert "— gezeigt auf Raketen-Handbuch" in text_of(german.html("sources/alpha.html"))
    assert _english_left(german, "sources/alpha.html") == []


@pytest.mark.slow
def test_switching_the_language_in_the_same_folders_leaves_no_label_of_the_other(german):
    """An English build, then a German one, then English again, in the same output and
    doctree folders (the HTML fragment cache, the memo and the exports are kept there)."""
    conf = german.docs / "conf.py"
    conf.write_text(german.english_conf, encoding="utf-8")
    _built(german)
    english_json = (german.out / "tracefacts.json").read_bytes()
    assert "single source" in text_of(german.html("index.html"))
    conf.write_text(german.german_conf, encoding="utf-8")
    _built(german)
    for page in PAGES:
        assert sorted(set(_english_left(german, page))) == [], page
    assert "Fakt Art Quellen und Zitate Gezeigt auf" in text_of(german.html("matrix.html"))
    # the exports are data: English keys and values whatever the pages' language
    assert (german.out / "tracefacts.json").read_bytes() == english_json
    conf.write_text(german.english_conf, encoding="utf-8")
    _built(german)
    for page in PAGES:
        words = our_words(german.html(page))
        assert not re.search(r"Einzelquelle|Stand:|März|Fakt Art|Titel|Gezeigt auf|Redaktionell", words), (page, words)
    assert "Fact Kind Sources and quotes Shown on" in text_of(german.html("matrix.html"))


CHROMIUM = Path("/usr/bin/chromium")


# Run in a process of its own: Playwright's sync API refuses to start inside the asyncio loop
# that the browser tests' session (or any other plugin) may have left running in this one.
_TAP = """
import json, sys
from playwright.sync_api import sync_playwright
page_file, chromium = sys.argv[1], sys.argv[2]
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"])
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
        page = context.new_page()
        page.goto("file://" + page_file)
        page.wait_for_load_state("load")
        cite = page.locator("a.tf-cite").first
        cite.locator(".tf-marker").tap()
        tip = cite.locator(".tf-tip")
        tip.wait_for(state="visible", timeout=3000)
        print(json.dumps(tip.evaluate("el => getComputedStyle(el, '::after').content")))
    finally:
        browser.close()
"""


@pytest.mark.slow
@pytest.mark.browser
def test_the_touch_tip_says_tap_again_in_the_pages_language(german):
    """tracefacts.js shows the words the page gives it: German on a German page, English on an English one."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (scripts/system-deps.sh)", pytrace=False)
    seen = {}
    for language, conf in (("de", german.german_conf), ("en", german.english_conf)):
        (german.docs / "conf.py").write_text(conf, encoding="utf-8")
        _built(german)
        run = subprocess.run([sys.executable, "-c", _TAP, str(german.out / "index.html"), str(CHROMIUM)],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr[-3000:]
        seen[language] = json.loads(run.stdout)
    assert seen == {"de": '"Erneut tippen, um die Quelle zu öffnen"', "en": '"Tap again to open the source"'}


# --- the catalog ---------------------------------------------------------------------------------


def _messages_in_sources() -> dict[str | tuple[str, ...], str]:
    """Every message the extension's sources mark (``_``, ``N_``, ``ngettext``), with where."""
    found: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message, _, _ in extract_from_dir(str(SPHINX), method_map=[("**.py", "python")]):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


def test_every_word_marked_in_the_sources_is_in_the_template_and_no_other():
    in_sources = _messages_in_sources()
    template = {m.id: m for m in _catalog(POT) if m.id}
    missing = {m: where for m, where in in_sources.items() if m not in template}
    assert missing == {}, "not in tracefacts.pot (re-extract it, see README, Translations)"
    assert sorted(map(str, set(template) - set(in_sources))) == [], "in tracefacts.pot but no longer in the sources"
    assert len(template) > 60  # every label of the extension, not a handful


def test_the_german_catalog_translates_every_message_of_the_template():
    template = [m for m in _catalog(POT) if m.id]
    german = _catalog(DE_PO)
    assert german.locale is not None and str(german.locale) == "de"
    for message in template:
        translated = german.get(message.id)
        assert translated is not None, f"{message.id!r} has no German entry"
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        assert all(strings) and len(strings) == (2 if isinstance(message.id, tuple) else 1), message.id
        assert "fuzzy" not in translated.flags, message.id
        # the same placeholders, so that filling them in never fails nor drops a claimant or a date
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for string in strings:
            assert sorted(re.findall(r"%\(\w+\)[sd]", string)) == sorted(re.findall(r"%\(\w+\)[sd]", ids[-1])), (
                message.id, string)


def test_the_shipped_mo_is_compiled_from_the_po():
    fresh = io.BytesIO()
    write_mo(fresh, _catalog(DE_PO))
    fresh.seek(0)
    with DE_MO.open("rb") as shipped:
        assert gettext.GNUTranslations(shipped)._catalog == gettext.GNUTranslations(fresh)._catalog, (
            "tracefacts.mo is older than tracefacts.po: compile it (see README, Translations)")


@pytest.mark.slow
def test_an_editorial_title_is_the_authors_message_and_is_translated_under_our_label(handbook, tmp_path):
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.benchmark`\n\n```{editorial} the short version\n"
                                     "We read it so.\n```\n")
    pot = tmp_path / "pot"
    run = subprocess.run([sys.executable, "-m", "sphinx", "-b", "gettext", "-q", str(handbook.docs), str(pot)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    claims = (pot / "claims.pot").read_text(encoding="utf-8")
    assert 'msgid "the short version"' in claims and "Editorial" not in claims
    generated = [p for p in pot.rglob("sources*.pot")]
    assert all(p.read_text(encoding="utf-8").count("msgid ") == 1 for p in generated)  # the header only
    po = handbook.docs / "locale/de/LC_MESSAGES/claims.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "the short version"\nmsgstr "die Kurzfassung"\n', encoding="utf-8")
    conf = handbook.docs / "conf.py"
    conf.write_text(conf.read_text() + 'language = "de"\nlocale_dirs = ["locale"]\n')
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    title = re.search(r'<p class="admonition-title">(.*?)</p>', handbook.html("claims.html"), re.S)
    assert title is not None
    assert text_of(title.group(1)) == "Redaktionell — unsere Analyse, nicht aus den Quellen: die Kurzfassung"
