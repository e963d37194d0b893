"""What a reader sees in the built handbook, checked in Chromium.

Every test runs against the fixture handbook of conftest.py, built once with
``sphinx-build -W`` and served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import pytest

if TYPE_CHECKING:
    from conftest import Handbook, Tab

pytestmark = pytest.mark.browser

CONTENT_PAGES = ["index.html", "facts.html", "table.html", "payload.html", "matrix.html"]
PHONE = {"width": 390, "height": 844}
ELISION = re.compile(r"\s+\[(?:…|\.\.\.)\]\s+")
SINGLE_QUOTES = "’‘‚′"
DOUBLE_QUOTES = "“”„″"
DASHES = "‐‒–—―−"


def norm(text: str) -> str:
    """The comparison form of DESIGN.md: NFKC, straight quotes and dashes, one space."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({**dict.fromkeys(SINGLE_QUOTES, "'"), **dict.fromkeys(DOUBLE_QUOTES, '"'),
                                         **dict.fromkeys(DASHES, "-")}))
    text = re.sub("[\u200b-\u200d\u2060\ufeff\u00ad]", "", text)
    return " ".join(text.split())


def anchors(hb: Handbook) -> dict[str, tuple[str, str, int, str]]:
    """Every anchor a citation may link to → (fact id, source id, quote index, quote)."""
    found = {}
    for fact in hb.facts:
        for index, entry in enumerate(fact["sources"]):
            name = f"q-{fact['id']}--{index}" if index else f"q-{fact['id']}"
            found[name] = (fact["id"], entry["source"], index, entry["quote"])
    return found


def expected_href(hb: Handbook, fact_id: str, source_id: str) -> str:
    """A marker links to the first quote the fact takes from that source."""
    index = next(i for i, e in enumerate(hb.fact(fact_id)["sources"]) if e["source"] == source_id)
    return f"sources/{source_id}.html#q-{fact_id}" + (f"--{index}" if index else "")


def quotes_from(hb: Handbook, fact_id: str, source_id: str) -> list[str]:
    return [e["quote"] for e in hb.fact(fact_id)["sources"] if e["source"] == source_id]


def goto(tab: Tab, hb: Handbook, page: str) -> None:
    response = tab.page.goto(hb.url(page))
    assert response is not None and response.ok, f"{page}: HTTP {response and response.status}"


def markers(tab: Tab) -> list[dict[str, str]]:
    return tab.page.eval_on_selector_all(
        "a.tf-cite", "els => els.map((e, i) => ({i, href: e.getAttribute('href')}))")


def in_viewport(tab: Tab, selector_js: str) -> bool:
    return tab.page.evaluate(f"""() => {{
        const r = ({selector_js}).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
    }}""")


def settle(tab: Tab) -> None:
    """Wait until the page stops scrolling (the theme scrolls smoothly to an anchor)."""
    last = None
    for _ in range(30):
        now = tab.page.evaluate("() => [scrollX, scrollY]")
        if now == last:
            return
        last = now
        tab.page.wait_for_timeout(100)


# --------------------------------------------------------------------------- build


def test_build_writes_every_page(handbook: Handbook) -> None:
    for page in CONTENT_PAGES + [f"sources/{s['id']}.html" for s in handbook.sources]:
        assert (handbook.html / page).is_file(), f"{page} was not written"
    assert (handbook.html / "_static" / "tracefacts.css").is_file()
    assert (handbook.html / "_static" / "tracefacts.js").is_file()


# --------------------------------------------------------------------------- tooltips


@pytest.mark.parametrize("page", ["facts.html", "table.html", "payload.html", "index.html"])
def test_hover_shows_the_verbatim_quote(handbook: Handbook, tab: Tab, page: str) -> None:
    goto(tab, handbook, page)
    known = anchors(handbook)
    found = markers(tab)
    assert found, f"{page} has no citation marker"
    seen = set()
    for marker in found:
        href = marker["href"]
        if href in seen:  # the same fact shown twice on a page gives the same marker
            continue
        seen.add(href)
        fragment = urlsplit(href).fragment
        assert fragment in known, f"{page}: marker links to {href!r}, which is no quote anchor of the fact base"
        fact_id, source_id, _, _ = known[fragment]
        assert href == expected_href(handbook, fact_id, source_id)
        cite = tab.page.locator("a.tf-cite").nth(marker["i"])
        tip = cite.locator("span.tf-tip")
        assert cite.locator("span.tf-marker").is_visible(), f"{page}: the marker of {href} is not visible"
        assert not tip.is_visible(), f"{page}: the tooltip of {href} shows before any hover"
        tab.page.mouse.move(0, 0)
        cite.hover()
        assert tip.is_visible(), f"{page}: hovering the marker of {href} does not show its tooltip"
        shown = [q.strip() for q in tip.locator("span.tf-tip-quote").all_inner_texts()]
        assert shown == quotes_from(handbook, fact_id, source_id), f"{page}: tooltip of {href}"
        source = next(s for s in handbook.sources if s["id"] == source_id)
        where = tip.locator("span.tf-tip-source").inner_text()
        assert source["title"] in where and source["publisher"] in where, where
        tab.page.mouse.move(0, 0)
        assert not tip.is_visible(), f"{page}: the tooltip of {href} stays after the pointer leaves"
    assert not tab.errors, tab.errors


def test_keyboard_focus_shows_the_tooltip(handbook: Handbook, tab: Tab) -> None:
    goto(tab, handbook, "facts.html")
    for _ in range(150):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate("() => document.activeElement.matches('a.tf-cite')"):
            break
    else:
        pytest.fail("150 presses of Tab never put the focus on a citation marker")
    index = tab.page.evaluate("() => [...document.querySelectorAll('a.tf-cite')].indexOf(document.activeElement)")
    focused = tab.page.locator("a.tf-cite").nth(index)
    tip = focused.locator("span.tf-tip")
    assert tip.is_visible(), "a citation marker focused with Tab does not show its tooltip"
    fact_id, source_id, _, _ = anchors(handbook)[urlsplit(focused.get_attribute("href")).fragment]
    assert [q.strip() for q in tip.locator(".tf-tip-quote").all_inner_texts()] == quotes_from(
        handbook, fact_id, source_id)
    # The next marker takes the focus, and the tooltip with it.
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("() => document.activeElement.matches('a.tf-cite')")
    assert not tip.is_visible(), "the tooltip stays after the focus moved on"
    assert tab.page.locator("a.tf-cite:focus .tf-tip").is_visible()


def test_every_marker_shows_its_tooltip_on_focus(handbook: Handbook, tab: Tab) -> None:
    goto(tab, handbook, "table.html")
    cites = tab.page.locator("a.tf-cite")
    assert cites.count() >= 4
    for i in range(cites.count()):
        cites.nth(i).focus()
        assert cites.nth(i).locator(".tf-tip").is_visible(), f"marker {i} of table.html: no tooltip on focus"


def test_tooltip_fits_a_phone_screen(handbook: Handbook, open_tab) -> None:  # type: ignore[no-untyped-def]
    """A tooltip a reader cannot see the end of is no help: each must lie within the screen."""
    tab = open_tab(viewport=PHONE, has_touch=True, is_mobile=True)
    goto(tab, handbook, "facts.html")
    cites = tab.page.locator("a.tf-cite")
    clipped = []
    for i in range(cites.count()):
        cites.nth(i).focus()
        marker = cites.nth(i).locator(".tf-marker").bounding_box()
        box = cites.nth(i).locator(".tf-tip").bounding_box()
        assert box is not None and marker is not None
        if box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] + 1:
            right = box["x"] + box["width"]
            clipped.append(f"marker {i} at x={marker['x']:.0f}: tip spans x={box['x']:.0f}..{right:.0f}")
    assert not clipped, (f"{len(clipped)} of {cites.count()} tooltips run off a {PHONE['width']}px-wide screen: "
                         f"{clipped}")


def test_a_tap_shows_the_tip_and_a_second_tap_opens_the_source(handbook: Handbook, open_tab) -> None:  # type: ignore[no-untyped-def]
    """A touch screen has no hover: the first tap on a marker shows its quote, the second follows it."""
    tab = open_tab(viewport=PHONE, has_touch=True, is_mobile=True)
    goto(tab, handbook, "facts.html")
    href = expected_href(handbook, "x.closed-weights", "alpha-2026-04-10")
    cite = tab.page.locator(f'a.tf-cite[href="{href}"]').first
    tip = cite.locator(".tf-tip")
    cite.locator(".tf-marker").tap()
    tip.wait_for(state="visible", timeout=3000)
    tab.page.wait_for_timeout(300)  # a navigation the tap started would have begun by now
    assert tab.page.url == handbook.url("facts.html"), "the first tap left the page before the quote was seen"
    assert norm(quotes_from(handbook, "x.closed-weights", "alpha-2026-04-10")[0]) in norm(tip.inner_text())
    tab.page.locator("h1").first.tap()
    tip.wait_for(state="hidden", timeout=3000)
    cite.locator(".tf-marker").tap()
    tip.wait_for(state="visible", timeout=3000)
    cite.locator(".tf-marker").tap()
    tab.page.wait_for_url(re.compile(re.escape(f"/{href}") + "$"), timeout=5000)
    assert not tab.errors, tab.errors


def test_enter_after_a_tap_opens_the_source_at_once(handbook: Handbook, open_tab) -> None:  # type: ignore[no-untyped-def]
    """A tablet with a keyboard: once the reader types, Enter on a marker follows it (its tip already
    shows on focus), whatever was last tapped."""
    tab = open_tab(viewport=PHONE, has_touch=True, is_mobile=True)
    goto(tab, handbook, "facts.html")
    first = expected_href(handbook, "x.closed-weights", "alpha-2026-04-10")
    tab.page.locator(f'a.tf-cite[href="{first}"]').first.locator(".tf-marker").tap()
    other = tab.page.locator(f'a.tf-cite:not([href="{first}"])').first
    href = other.get_attribute("href")
    other.focus()
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(re.compile(re.escape(f"/{href}") + "$"), timeout=5000)
    assert not tab.errors, tab.errors


# --------------------------------------------------------------------------- links to quotes


CLICKS = [
    ("facts.html", "x.closed-weights", "alpha-2026-04-10"),  # first quote: #q-<fact>
    ("facts.html", "x.closed-weights", "beta-2026-04-12"),  # second quote: #q-<fact>--1
    ("facts.html", "x.two-parts", "alpha-2026-04-10"),  # elided quote
    ("table.html", "x.benchmark-claim", "alpha-2026-04-10"),
    ("payload.html", "x.payload", "beta-2026-04-12"),
]


@pytest.mark.parametrize(("page", "fact_id", "source_id"), CLICKS)
def test_click_goes_to_the_highlighted_quote(handbook: Handbook, open_tab, page, fact_id, source_id) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(viewport={"width": 1280, "height": 600})
    goto(tab, handbook, page)
    href = expected_href(handbook, fact_id, source_id)
    anchor = urlsplit(href).fragment
    cite = tab.page.locator(f'a.tf-cite[href="{href}"]').first
    assert cite.count() == 1, f"{page} has no marker linking to {href}"
    cite.locator(".tf-marker").click()
    tab.page.wait_for_url(re.compile(re.escape(f"/sources/{source_id}.html#{anchor}") + "$"))
    tab.page.wait_for_load_state("load")
    assert unquote(urlsplit(tab.page.url).fragment) == anchor

    target = f"document.getElementById({anchor!r})"
    assert tab.page.evaluate(f"() => !!{target}"), f"the source page has no element with id {anchor!r}"
    assert tab.page.evaluate(f"() => {target}.classList.contains('tf-quote')"), f"#{anchor} is not a tf-quote"
    quote = quotes_from(handbook, fact_id, source_id)[0]
    first_part = ELISION.split(quote)[0]
    text = tab.page.evaluate(f"() => {target}.textContent")
    assert norm(text) in norm(first_part), f"#{anchor} highlights {text!r}, not (part of) {first_part!r}"
    tab.page.wait_for_function(f"""() => {{
        const r = {target}.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight; }}""", timeout=3000)
    assert in_viewport(tab, target), f"#{anchor} is not scrolled into view"
    assert tab.page.evaluate(f"() => {target}.classList.contains('tf-active')"), f"#{anchor} is not marked tf-active"
    # Only this quote is marked.
    others = tab.page.evaluate(f"""() => [...document.querySelectorAll('.tf-active')]
        .filter(e => !e.classList.contains('tf-q-' + {anchor!r})).map(e => e.textContent)""")
    assert not others, f"other quotes are marked active too: {others}"
    assert not tab.errors, tab.errors


def test_elided_quote_marks_every_piece(handbook: Handbook, tab: Tab) -> None:
    anchor = "q-x.two-parts"
    quote = quotes_from(handbook, "x.two-parts", "alpha-2026-04-10")[0]
    parts = ELISION.split(quote)
    assert len(parts) == 2
    goto(tab, handbook, f"sources/alpha-2026-04-10.html#{anchor}")
    pieces = tab.page.locator(f".tf-q-{anchor.replace('.', chr(92) + '.')}")
    assert pieces.count() >= 2, "an elided quote should be highlighted in (at least) two pieces"
    texts = pieces.all_text_contents()
    assert norm(" ".join(texts)) == norm(" ".join(parts)), texts
    for i in range(pieces.count()):
        assert "tf-active" in (pieces.nth(i).get_attribute("class") or "").split(), f"piece {i} ({texts[i]!r})"
        assert pieces.nth(i).is_visible()
    assert norm(texts[0]) in norm(parts[0]) and norm(texts[-1]) in norm(parts[-1])


def test_support_link_moves_the_highlight(handbook: Handbook, tab: Tab) -> None:
    """On a source page, following another quote's ¶ moves the active mark (hashchange)."""
    goto(tab, handbook, "sources/alpha-2026-04-10.html#q-x.release")
    assert tab.page.locator("#q-x\\.release.tf-active").count() == 1
    tab.page.locator('a.tf-support-link[href="#q-x.two-parts"]').click()
    tab.page.wait_for_function("() => document.getElementById('q-x.two-parts').classList.contains('tf-active')",
                               timeout=3000)
    assert tab.page.locator("#q-x\\.release.tf-active").count() == 0
    assert tab.page.locator(".tf-q-q-x\\.two-parts.tf-active").count() >= 2


def test_chrome_lines_are_dimmed(handbook: Handbook, tab: Tab) -> None:
    goto(tab, handbook, "sources/alpha-2026-04-10.html")
    chrome = tab.page.locator("p.tf-chrome")
    assert chrome.count() == 1
    assert norm(chrome.inner_text()).endswith("Menu Home Subscribe")
    assert float(chrome.evaluate("e => getComputedStyle(e).opacity")) < 1


# --------------------------------------------------------------------------- attribution, staleness, editorial


def test_attributions_and_stale_flags_are_visible(handbook: Handbook, tab: Tab) -> None:
    for page in ("facts.html", "table.html", "matrix.html"):
        goto(tab, handbook, page)
        body = norm(tab.page.locator("article").inner_text())
        assert "Meta's claim" in body, f"{page}: the vendor claim is not attributed"
        if page != "table.html":
            assert "Opinion - Critics" in body, f"{page}: the opinion is not attributed"
        stale = tab.page.locator("span.tf-stale").first
        assert stale.is_visible(), f"{page}: the stale fact is not flagged"
        assert norm(stale.inner_text()) == "as of 10 April 2026 - may be out of date"
    goto(tab, handbook, "facts.html")
    badge = tab.page.locator("span.tf-badge", has_text="claim").first
    assert badge.is_visible()


def test_editorial_block_is_labelled(handbook: Handbook, tab: Tab) -> None:
    goto(tab, handbook, "facts.html")
    block = tab.page.locator(".admonition.tf-editorial")
    assert block.count() == 1 and block.is_visible()
    title = block.locator(".admonition-title").inner_text()
    assert "Editorial" in title and "not from the sources" in title, title


# --------------------------------------------------------------------------- trace matrix


def test_trace_matrix_lists_every_fact(handbook: Handbook, tab: Tab) -> None:
    goto(tab, handbook, "matrix.html")
    table = tab.page.locator("table.tf-trace-matrix")
    assert table.count() == 1
    ids = [t.strip() for t in table.locator("tbody tr td:first-child code").all_inner_texts()]
    assert sorted(ids) == sorted(f["id"] for f in handbook.facts)
    assert len(ids) == len(set(ids)), f"a fact is listed twice: {ids}"
    hrefs = table.locator("a.tf-matrix-quote").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    expected = sorted(f"sources/{source}.html#{name}" for name, (_, source, _, _) in anchors(handbook).items())
    assert sorted(hrefs) == expected


# --------------------------------------------------------------------------- hostile text


@pytest.mark.parametrize("page", ["payload.html", "sources/beta-2026-04-12.html", "matrix.html", "facts.html",
                                  "index.html"])
def test_payloads_stay_text(handbook: Handbook, tab: Tab, page: str) -> None:
    goto(tab, handbook, page)
    tab.page.wait_for_load_state("load")
    assert tab.page.evaluate("() => typeof window.__pwned") == "undefined", f"{page}: a payload ran"
    assert tab.page.locator("img[src='x']").count() == 0, f"{page}: the <img> payload became an element"
    scripts = tab.page.evaluate("() => [...document.scripts].filter(s => s.text.includes('__pwned')).length")
    assert scripts == 0, f"{page}: the <script> payload became an element"
    if page == "payload.html":
        tab.page.locator("a.tf-cite").first.hover()
        assert tab.page.evaluate("() => typeof window.__pwned") == "undefined", "a payload ran on hover"
    assert not tab.errors, tab.errors


def test_payload_is_shown_as_literal_text(handbook: Handbook, tab: Tab) -> None:
    goto(tab, handbook, "payload.html")
    statement = tab.page.locator("span.tf-statement")
    assert statement.is_visible()
    shown = statement.inner_text()
    script, attr = handbook.payloads
    assert norm(script) in norm(shown) and norm(attr) in norm(shown), shown
    badge = tab.page.locator("span.tf-badge")
    assert norm(f"Opinion — Mallory {script} {attr}") == norm(badge.inner_text())
    cite = tab.page.locator("a.tf-cite").first
    cite.hover()
    # The tooltip holds the quote byte for byte (no typographic quotes).
    assert cite.locator(".tf-tip-quote").inner_text().strip() == handbook.payload_quote
    goto(tab, handbook, "sources/beta-2026-04-12.html#q-x.payload")
    assert tab.page.locator("#q-x\\.payload").inner_text() == handbook.payload_quote
    meta = norm(tab.page.locator("dl.tf-source-meta").inner_text())
    source = next(s for s in handbook.sources if s["id"] == "beta-2026-04-12")
    assert norm(source["title"]) in meta and norm(source["notes"]) in meta, meta


# --------------------------------------------------------------------------- every page


def test_no_console_errors_on_any_page(handbook: Handbook, tab: Tab) -> None:
    pages = sorted(p.relative_to(handbook.html).as_posix() for p in handbook.html.rglob("*.html")
                   if "_static" not in p.parts and "_sources" not in p.parts)
    for required in CONTENT_PAGES + [f"sources/{s['id']}.html" for s in handbook.sources]:
        assert required in pages
    problems = {}
    for page in pages:
        tab.errors.clear()
        goto(tab, handbook, page)
        tab.page.wait_for_load_state("load")
        if tab.errors:
            problems[page] = list(tab.errors)
    assert not problems, problems


ALL_PAGES = CONTENT_PAGES + ["sources/alpha-2026-04-10.html", "sources/beta-2026-04-12.html"]

WIDEST_JS = """limit => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit + 1 && !e.closest('.sidebar-drawer, .toc-drawer'))
    .filter(e => getComputedStyle(e).display !== 'none')
    .slice(-3).map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}: `
        + `right=${Math.round(e.getBoundingClientRect().right)}px "${e.textContent.slice(0, 40)}"`)"""


def sideways(tab: Tab, hb: Handbook, pages: list[str], width: int) -> dict[str, str]:
    """Pages whose document is wider than the screen (compared with the device width: in mobile
    emulation innerWidth grows to fit an overflowing page)."""
    wide = {}
    for page in pages:
        goto(tab, hb, page)
        scroll = tab.page.evaluate("() => document.documentElement.scrollWidth")
        if scroll > width + 1:
            wide[page] = f"scrollWidth {scroll}px > {width}px; outermost: {tab.page.evaluate(WIDEST_JS, width)}"
    return wide


def test_no_horizontal_scrolling_at_phone_width(handbook: Handbook, open_tab) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(viewport=PHONE, has_touch=True, is_mobile=True)
    wide = sideways(tab, handbook, ALL_PAGES, PHONE["width"])
    assert not wide, f"pages that scroll sideways at {PHONE['width']}px: {wide}"


def test_no_horizontal_scrolling_at_desktop_width(handbook: Handbook, tab: Tab) -> None:
    wide = sideways(tab, handbook, ALL_PAGES, 1280)
    assert not wide, f"pages that scroll sideways at 1280px: {wide}"


SPLIT_WORDS_JS = """sel => {
    const split = [];
    for (const cell of document.querySelectorAll(sel)) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const m of node.data.matchAll(/[A-Za-z]{2,}/g)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) split.push(m[0]);
            }
        }
    }
    return split;
}"""


@pytest.mark.parametrize("width", [1280, PHONE["width"]])
def test_table_cells_break_between_words_not_inside_them(handbook: Handbook, open_tab, width: int) -> None:  # type: ignore[no-untyped-def]
    """A squeezed column once showed "Go/ogl/e Ge/mm/a 4": words must stay whole (the table scrolls)."""
    tab = open_tab(viewport={"width": width, "height": 900})
    goto(tab, handbook, "table.html")
    split = tab.page.evaluate(SPLIT_WORDS_JS, ".tf-table td, .tf-table th")
    assert split == [], f"words broken across lines at {width}px: {split}"


def test_long_attribution_wraps_at_phone_width(handbook: Handbook, open_tab) -> None:  # type: ignore[no-untyped-def]
    """The payload claimant is long: its badge must wrap, not run out of the text column."""
    tab = open_tab(viewport=PHONE, has_touch=True, is_mobile=True)
    goto(tab, handbook, "payload.html")
    article = tab.page.locator("article").bounding_box()
    badge = tab.page.locator("span.tf-badge").bounding_box()
    assert article and badge
    assert badge["x"] + badge["width"] <= article["x"] + article["width"] + 1, (
        f"the attribution badge ends at {badge['x'] + badge['width']:.0f}px, past the text column "
        f"({article['x'] + article['width']:.0f}px): its end is cut off")


# --------------------------------------------------------------------------- contrast

CONTRAST_JS = """el => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(getComputedStyle(e).backgroundColor);
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
    return {color: getComputedStyle(el).color, backgrounds: chain, opacity,
            root: getComputedStyle(document.documentElement).backgroundColor};
}"""


def _rgba(value: str) -> tuple[float, float, float, float]:
    m = re.fullmatch(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", value.strip())
    assert m, f"unexpected computed colour {value!r}"
    r, g, b, a = m.groups()
    return float(r), float(g), float(b), float(a) if a is not None else 1.0


def _over(top: tuple[float, float, float, float], under: tuple[float, float, float]) -> tuple[float, float, float]:
    a = top[3]
    return tuple(top[i] * a + under[i] * (1 - a) for i in range(3))  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(locator) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    """WCAG contrast ratio of an element's text against what lies behind it."""
    info = locator.evaluate(CONTRAST_JS)
    base = _rgba(info["root"])
    bg: tuple[float, float, float] = (255.0, 255.0, 255.0) if base[3] == 0 else base[:3]
    for layer in reversed(info["backgrounds"]):
        bg = _over(_rgba(layer), bg)
    fg_rgba = _rgba(info["color"])
    fg = _over((*fg_rgba[:3], fg_rgba[3] * info["opacity"]), bg)
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    ratio = (light + 0.05) / (dark + 0.05)
    return ratio, f"{info['color']} (opacity {info['opacity']:.2f}) on {bg}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tooltip_is_readable(handbook: Handbook, open_tab, scheme: str) -> None:  # type: ignore[no-untyped-def]
    """Furo follows the system colour scheme, then the reader's toggle (body[data-theme])."""
    tab = open_tab(color_scheme=scheme)
    goto(tab, handbook, "facts.html")
    cite = tab.page.locator("a.tf-cite").first
    for theme in ("auto", "light" if scheme == "dark" else "dark"):
        tab.page.evaluate(f"() => {{ document.body.dataset.theme = {theme!r}; }}")
        tab.page.mouse.move(0, 0)
        cite.hover()
        for part in (".tf-tip-quote", ".tf-tip-source"):
            ratio, what = contrast(cite.locator(part))
            assert ratio >= 4.5, f"{scheme} system, theme {theme}: tooltip {part} contrast {ratio:.2f} < 4.5: {what}"
        tip_bg = _rgba(cite.locator(".tf-tip").evaluate("e => getComputedStyle(e).backgroundColor"))
        page_bg = _rgba(tab.page.evaluate("() => getComputedStyle(document.body).backgroundColor"))
        # The tip stands out from the page it is drawn over.
        assert abs(_luminance(tip_bg[:3]) - _luminance(page_bg[:3])) > 0.3, (scheme, theme, tip_bg, page_bg)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_highlighted_quote_is_readable(handbook: Handbook, open_tab, scheme: str) -> None:  # type: ignore[no-untyped-def]
    tab = open_tab(color_scheme=scheme)
    goto(tab, handbook, "sources/alpha-2026-04-10.html#q-x.stranded")
    for selector in ("#q-x\\.stranded", "#q-x\\.release"):  # the active quote, and a plain highlighted one
        ratio, what = contrast(tab.page.locator(selector))
        assert ratio >= 4.5, f"{scheme}: {selector} contrast {ratio:.2f} < 4.5: {what}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_badges_are_readable(handbook: Handbook, open_tab, scheme: str) -> None:  # type: ignore[no-untyped-def]
    """Attribution badges and stale flags are small text: they need 4.5:1 too."""
    tab = open_tab(color_scheme=scheme)
    goto(tab, handbook, "facts.html")
    poor = []
    for selector in ("span.tf-badge-vendor-claim", "span.tf-badge-opinion", "span.tf-badge-recommendation",
                     "span.tf-stale", "span.tf-single-note"):
        ratio, what = contrast(tab.page.locator(selector).first)
        if ratio < 4.5:
            poor.append(f"{selector}: {ratio:.2f} ({what})")
    assert not poor, f"{scheme}: text below 4.5:1 contrast: {poor}"


# --------------------------------------------------------------------------- screenshots


def test_screenshots(handbook: Handbook, open_tab, shots) -> None:  # type: ignore[no-untyped-def]
    """Pictures for a human to look at (test-output/browser/); they assert only that they were taken."""
    taken = []

    def shot(tab: Tab, name: str, page: str | None = None, full: bool = False) -> None:
        if page:
            goto(tab, handbook, page)
        settle(tab)
        tab.page.screenshot(path=str(shots / f"{name}.png"), full_page=full)
        taken.append(name)

    tab = open_tab()
    shot(tab, "index", "index.html")
    shot(tab, "table-page", "table.html")
    shot(tab, "matrix", "matrix.html", full=True)
    shot(tab, "source-highlight", "sources/alpha-2026-04-10.html#q-x.two-parts")
    goto(tab, handbook, "facts.html")
    tab.page.locator("a.tf-cite").nth(1).hover()
    shot(tab, "tooltip")

    dark = open_tab(color_scheme="dark")
    goto(dark, handbook, "facts.html")
    dark.page.locator("a.tf-cite").nth(1).hover()
    shot(dark, "dark-tooltip")
    shot(dark, "dark-source-highlight", "sources/alpha-2026-04-10.html#q-x.two-parts")

    phone = open_tab(viewport=PHONE, has_touch=True, is_mobile=True)
    shot(phone, "phone-table", "table.html", full=True)
    shot(phone, "phone-payload", "payload.html")
    goto(phone, handbook, "facts.html")
    phone.page.locator("a.tf-cite").nth(1).focus()
    shot(phone, "phone-tooltip")
    for name in taken:
        assert (shots / f"{name}.png").stat().st_size > 1000, name
