"""HTML sources: the text a reader reads in a page, its map back, its metadata, and hostile pages.

Expected texts are written out by hand from the page each test builds: what a reader sees
in a browser, with a blank line between blocks.
"""

from __future__ import annotations

import json
import textwrap
import time

import pytest
from tfcore import TODAY, Handbook, sha256

from tracefacts.cli import main
from tracefacts.formats import Extracted, FormatProblem, Limits, extract

DEFAULT = Limits()


def text_of(html: str | bytes, limits: Limits = DEFAULT) -> str:
    result = extract(html.encode("utf-8") if isinstance(html, str) else html, "html", limits)
    assert isinstance(result, Extracted), result
    return result.text


def problem_of(html: str | bytes, limits: Limits = DEFAULT) -> FormatProblem:
    result = extract(html.encode("utf-8") if isinstance(html, str) else html, "html", limits)
    assert isinstance(result, FormatProblem), result.text[:200]
    return result


# --- a handbook with an HTML source -----------------------------------------------------

PAGE = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Widget news | Acme</title>
<script>var teaser = "Acme ships the widget in March with 99 percent more";</script>
<style>p { color: red }</style></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<h1>Widget news</h1>
<p>The <b>Ac</b>me widget ships in March
   with 14.3 percent more capacity.</p>
<p>Prices range from 115 to 135 dollars, the company said.</p>
<p>The &#60;MIME&#62; type&nbsp;is <i>text/html</i>.</p>
</body></html>
"""
# the same page as a reader reads it (line 1 is the menu; a blank line between blocks)
PAGE_TEXT = (
    "Home | News\n"
    "\n"
    "Widget news\n"
    "\n"
    "The Acme widget ships in March with 14.3 percent more capacity.\n"
    "\n"
    "Prices range from 115 to 135 dollars, the company said.\n"
    "\n"
    "The <MIME> type\u00a0is text/html.\n"
)


def html_book(tmp_path, page: str | bytes = PAGE, quotes: tuple[str, ...] = (), name: str = "page.html",
              extra: str = "") -> Handbook:
    """A handbook with one HTML source `page` and one fact per quote (fact ids q0, q1, …)."""
    hb = Handbook(tmp_path / "hb")
    hb.seed(name, page)
    hb.sources(f"""\
sources:
  - id: page
    file: seeds/{name}
    title: Widget news
    publisher: Acme
    published: 2026-04-25
    sha256: {hb.sha(name)}
{extra}""")
    facts = "facts:\n"
    for n, quote in enumerate(quotes):
        facts += (f"  - id: q{n}\n    statement: Acme states a thing.\n    kind: vendor-claim\n"
                  f"    claimant: Acme\n    topic: t\n    sources:\n      - source: page\n"
                  f"        quote: {json.dumps(quote)}\n")
    hb.facts(facts)
    return hb


def codes(hb: Handbook) -> list[tuple[str, str]]:
    return [(p.code, p.fact or "") for p in hb.check().problems]


def test_the_page_reads_as_a_reader_reads_it():
    assert text_of(PAGE) == PAGE_TEXT


def test_an_entity_quote_and_a_word_split_by_b_match(tmp_path):
    hb = html_book(tmp_path, quotes=("The <MIME> type is text/html", "The Acme widget ships in March with 14.3"))
    assert codes(hb) == []


def test_the_script_text_is_not_the_page_text(tmp_path):
    hb = html_book(tmp_path, quotes=("Acme ships the widget in March with 99 percent",))
    assert codes(hb) == [("quote-not-found", "q0")]


def test_elision_inside_a_paragraph_but_not_across_blocks(tmp_path):
    hb = html_book(tmp_path, quotes=("Prices range from 115 […] the company said",
                                     "14.3 percent more capacity. […] Prices range from 115"))
    assert codes(hb) == [("quote-not-found", "q1")]


def test_check_json_names_the_line_of_the_extracted_text(tmp_path, capsys):
    hb = html_book(tmp_path, quotes=("Prices range from 115 to 136 dollars",))
    code = main(["check", "--root", str(hb.root), "--format", "json", "--today", TODAY.isoformat()])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    [problem] = [p for p in data["problems"] if p["code"] == "quote-not-found"]
    # the paragraph is line 7 of PAGE_TEXT; in the markup it is line 9
    assert "(seeds/page.html). Nearest passage, line 7 " in problem["message"]
    assert "source: Prices range from 115 to 13[5] dollars" in problem["message"]


def test_find_gives_the_line_and_an_entry_that_checks(tmp_path, capsys):
    hb = html_book(tmp_path)
    code = main(["find", "type is text/html", "--root", str(hb.root)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("page seeds/page.html:9 ")
    assert "    The <MIME> type\u00a0is text/html.\n" in out  # the context line: the reader's text
    assert '      quote: "type is text/html"\n' in out
    hb.facts('facts:\n  - id: f\n    statement: The type is stated.\n    kind: reported\n    topic: t\n'
             '    sources:\n      - source: page\n        quote: "The <MIME> type is text/html"\n')
    result = hb.check()
    assert result.problems == ()
    assert result.anchors[("f", 0)].line == 9


def chrome_lines(hb: Handbook, capsys) -> int:
    assert main(["coverage", "--format", "json", "--root", str(hb.root)]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    return entry["chrome_lines"]


def test_chrome_names_the_menu_as_one_line(tmp_path, capsys):
    quotes = ("The Acme widget ships in March",)
    assert chrome_lines(html_book(tmp_path / "plain", quotes=quotes), capsys) == 0
    hb = html_book(tmp_path / "chrome", quotes=quotes, extra='    chrome:\n      - "Home | News"\n')
    assert chrome_lines(hb, capsys) == 1


def test_a_declared_format_reads_any_file_name_as_html(tmp_path):
    hb = html_book(tmp_path, name="page.txt", quotes=("The <MIME> type is text/html",), extra="    format: html\n")
    assert codes(hb) == []


# --- text: inline, blocks, white space ------------------------------------------------


@pytest.mark.parametrize(("html", "text"), [
    ("<p><b>Me</b>ta</p>", "Meta\n"),
    ("<p>a<span> </span>b</p>", "a b\n"),
    ("<p>a <b> b </b> c</p>", "a b c\n"),
    ("<p>one\n\n   two\tthree</p>", "one two three\n"),
    ("<p>&amp; &lt;tag&gt; &eacute; &#x2014; &#8220;x&#8221;</p>", "& <tag> \u00e9 \u2014 \u201cx\u201d\n"),
    ("<p>line one<br>line two<br/>line three</p>", "line one\nline two\nline three\n"),
    ("<p>one<br><br>two</p>", "one\n\ntwo\n"),  # two line ends: a paragraph ends
    ("<div>intro <div>inner</div> after</div>", "intro\n\ninner\n\nafter\n"),
    ("<ul><li>one</li><li>two <em>words</em></li></ul>", "one\n\ntwo words\n"),
    ("<dl><dt>Term</dt><dd>Meaning</dd></dl><hr><blockquote>Said</blockquote>", "Term\n\nMeaning\n\nSaid\n"),
    ("<table><tr><th>Model</th><th>Price</th></tr><tr><td>A</td><td>$5</td></tr></table>",
     "Model | Price\n\nA | $5\n"),
    ("<table><tr><td><p>Layout one</p><p>Layout two</p></td></tr></table>", "Layout one\n\nLayout two\n"),
])
def test_inline_and_block_text(html, text):
    assert text_of(html) == text


def test_pre_is_kept_as_written():
    html = "<p>Run:</p><pre>\n$ make  test\n    indented\n\n<b>done</b> &amp; ok\n</pre><p>After.</p>"
    assert text_of(html) == "Run:\n\n$ make  test\n    indented\n\ndone & ok\n\nAfter.\n"


def test_scripts_styles_comments_and_hidden_elements_are_dropped():
    html = """<body><p>Kept one.</p>
    <script>document.write("script text")</script><style>.x{}</style><!-- a comment -->
    <template><p>template text</p></template><noscript>noscript text</noscript>
    <iframe>iframe text</iframe><object>object text</object><svg><text>svg text</text></svg>
    <div hidden>hidden text</div><p aria-hidden="true">aria text</p>
    <p style="color: red; display : none">display none</p><span style="visibility:hidden">invisible</span>
    <form><input type="hidden" value="input text"><textarea>textarea text</textarea></form>
    <?php echo "pi text"; ?>
    <p>Kept <span hidden>not </span>two.</p></body>"""
    assert text_of(html) == "Kept one.\n\nKept two.\n"


def test_a_malformed_page_still_gives_its_text():
    html = "<html><body><p>First <b>bold <i>both</b> italic</i> end<p>Second<div>Third <table><tr><td>1<td>2</table>"
    assert text_of(html) == "First bold both italic end\n\nSecond\n\nThird\n\n1 | 2\n"


def test_blocks_give_each_paragraph_its_kind():
    html = "<h1>Title</h1><p>Body text.</p><ul><li>Item</li></ul><pre>code</pre><h3>Sub</h3>"
    result = extract(html.encode(), "html")
    assert result.text == "Title\n\nBody text.\n\nItem\n\ncode\n\nSub\n"
    assert [(result.text[b.start:b.end], b.kind) for b in result.blocks] == [
        ("Title", "h1"), ("Body text.", "p"), ("Item", "li"), ("code", "pre"), ("Sub", "h3")]


def test_every_offset_maps_back_to_its_element_and_its_place_there():
    html = ("<html><body><div><p>Intro.</p></div><div><p>a</p><p>b</p>"
            "<p>Here   <b>bold</b> and\n  more.</p></div></body></html>")
    result = extract(html.encode(), "html")
    assert result.text == "Intro.\n\na\n\nb\n\nHere bold and more.\n"
    at = result.text.index
    where = result.locate
    assert (where(at("Intro")).path, where(at("Intro")).index) == ("/html/body/div[1]/p", 0)
    assert (where(at("Here")).path, where(at("Here")).index) == ("/html/body/div[2]/p[3]", 0)
    assert (where(at("bold")).path, where(at("bold")).index) == ("/html/body/div[2]/p[3]/b", 0)
    # "and more." is the p's own text after <b>: "Here   " then " and\n  more."
    assert (where(at("and")).path, where(at("and")).index) == ("/html/body/div[2]/p[3]", 8)
    assert where(at("more")).index == 14  # exact after the collapsed "\n  "
    assert len(result.stretch_starts) < len(result.text) / 3  # a stretch per text node, not per character


def test_pre_text_maps_back_to_its_place_as_written():
    own = "\n$ make  test\n    indented\n\n"  # the pre's own text; its first line end is not shown
    result = extract(f"<body><pre>{own}<b>done</b></pre></body>".encode(), "html")
    assert result.text == "$ make  test\n    indented\n\ndone\n"
    for word in ("make", "indented"):
        place = result.locate(result.text.index(word))
        assert (place.path, own[place.index:place.index + len(word)]) == ("/html/body/pre", word)
    assert result.locate(result.text.index("done")).path == "/html/body/pre/b"


# --- metadata -------------------------------------------------------------------------

JSON_LD = """<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Site"},
 {"@type": "NewsArticle", "headline": "LD headline", "datePublished": "2026-04-08",
  "author": [{"@type": "Person", "name": "A. One"}, "B. Two"], "publisher": {"name": "LD Publisher"}}]}
</script>"""


def metadata(head: str):
    return extract(f"<html><head>{head}</head><body><p>text</p></body></html>".encode(), "html").metadata


def test_metadata_from_meta_tags():
    meta = metadata('<title>Plain title</title><meta property="og:title" content="OG title">'
                    '<meta property="og:site_name" content="The Site"><meta name="author" content="Ann Writer">'
                    '<meta property="article:published_time" content="2026-04-09T08:00:00Z">' + JSON_LD)
    assert (meta.title, meta.publisher, meta.published, meta.author) == (
        "OG title", "The Site", "2026-04-09T08:00:00Z", "Ann Writer")


def test_metadata_from_json_ld_when_the_meta_tags_are_missing():
    meta = metadata("<title>Plain title</title>" + JSON_LD)
    assert (meta.title, meta.publisher, meta.published, meta.author) == (
        "LD headline", "LD Publisher", "2026-04-08", "A. One, B. Two")


def test_metadata_from_the_title_alone_and_malformed_json_ld_tolerated():
    meta = metadata('<title>  Plain\n title </title><script type="application/ld+json">{"headline": oops</script>'
                    '<script type="application/ld+json">' + "[" * 100_000 + "</script>")
    assert (meta.title, meta.publisher, meta.published, meta.author) == ("Plain title", None, None, None)


def test_json_ld_author_as_a_string_or_an_object():
    one = metadata('<script type="application/ld+json">{"headline": "H", "author": "Solo Writer"}</script>')
    two = metadata('<script type="application/ld+json">[{"headline": "H", "author": {"name": "Obj Writer"}}]</script>')
    assert (one.author, two.author) == ("Solo Writer", "Obj Writer")


# --- encodings ------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "text"), [
    ('<meta charset="iso-8859-1"><p>caf\u00e9 \u201cquoted\u201d</p>'.encode("cp1252"),
     "caf\u00e9 \u201cquoted\u201d\n"),
    ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>\u041f\u0440\u0438</p>'
     .encode("cp1251"), "\u041f\u0440\u0438\n"),
    ("\ufeff<p>caf\u00e9</p>".encode(), "caf\u00e9\n"),  # UTF-8 with a BOM
    ("\ufeff<p>caf\u00e9</p>".encode("utf-16-le"), "caf\u00e9\n"),  # UTF-16 with its BOM
    # a wrong label: read as a browser shows it
    ('<meta charset="iso-8859-1"><p>caf\u00e9</p>'.encode(), "caf\u00c3\u00a9\n"),
    ("<p>caf\u00e9 undeclared</p>".encode("cp1252"), "caf\u00e9 undeclared\n"),  # not UTF-8: Windows-1252
    ('<?xml version="1.0" encoding="ISO-8859-1"?><html><body><p>caf\u00e9</p></body></html>'.encode("latin-1"),
     "caf\u00e9\n"),
])
def test_encodings(data, text):
    assert text_of(data) == text


def test_a_latin1_page_quoted_in_a_handbook(tmp_path):
    page = '<html><head><meta charset="ISO-8859-1"></head><body><p>La soci\u00e9t\u00e9 a annonc\u00e9 le prix.</p>'
    hb = html_book(tmp_path, page=page.encode("latin-1"), quotes=("La soci\u00e9t\u00e9 a annonc\u00e9 le prix",))
    assert codes(hb) == []


# --- problems and hostile pages ---------------------------------------------------------


def test_a_page_without_text_is_source_no_text_with_a_hint(tmp_path):
    page = ('<html><head><title>App</title><script src="app.js"></script></head>'
            '<body><div id="root"></div></body></html>')
    hb = html_book(tmp_path, page=page)
    [problem] = [p for p in hb.check().problems if p.code == "source-no-text"]
    assert problem.message.startswith("source `page`: seeds/page.html has no text a reader would see")
    assert "--dump-dom" in problem.message
    assert problem_of(b"").code == "source-no-text"


def test_a_pdf_named_html_says_so():
    problem = problem_of(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert problem.code == "source-unreadable" and "format: pdf" in problem.message


def test_an_entity_bomb_is_not_expanded():
    laughs = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(2, 10))
    page = (f'<?xml version="1.0"?>\n<!DOCTYPE html [\n<!ENTITY lol1 "lol">\n{laughs}]>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Start &lol9; end.</p></body></html>')
    started = time.perf_counter()
    text = text_of(page)
    assert time.perf_counter() - started < 2
    assert "lollol" not in text
    assert "Start &lol9; end." in text  # an unknown reference stays as written, as in a browser


def test_a_nesting_bomb_is_a_clear_problem_quickly():
    page = "<html><body><p>Before.</p>" + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + "</body></html>"
    started = time.perf_counter()
    problem = problem_of(page)
    assert time.perf_counter() - started < 5
    assert problem.code == "source-unreadable"
    assert problem.message.startswith("cannot be read as HTML (lxml stopped: Excessive depth in document")
    assert "nested too deep to be read; open it in a browser and save it again" in problem.message


def test_deep_but_real_nesting_is_read():
    # a thousand levels (unclosed <font> tags on an old page): past libxml2's default
    # bound, within its larger one; the walk has no recursion to overflow
    page = "<p>Before.</p>" + "<div><span>" * 500 + "Deep text." + "</span></div>" * 500 + "<p>After.</p>"
    assert text_of(page) == "Before.\n\nDeep text.\n\nAfter.\n"


def test_a_big_page_is_read_whole_within_its_time_limit():
    para = '<div class="c"><p>Paragraph {n} with <b>bold</b> &amp; <a href="/x">a link</a>.</p></div>\n'
    page = "<html><body>" + "".join(para.format(n=n) for n in range(20_000)) + "</body></html>"
    assert len(page) > 1_500_000
    text = text_of(page, Limits(seconds=30))
    assert text.startswith("Paragraph 0 with bold & a link.\n\nParagraph 1 ")
    assert text.endswith("\n\nParagraph 19999 with bold & a link.\n")


def test_the_time_limit_is_honoured():
    problem = problem_of("<p>x</p>" * 2000, Limits(seconds=0))
    assert problem.code == "source-unreadable"
    assert problem.message.startswith("cannot be read as HTML: it took longer than 0 s")


def test_hostile_pages_give_a_problem_or_text_never_an_exception():
    pages = [b"\x00\x01\x02<p>\x00</p>", b"<", b"<!DOCTYPE", b"</p></p></html>", b"<p>" + b"\xff\xfe\xfd" * 10,
             b"<meta charset=\"no-such-encoding\"><p>x</p>", b"<script>" * 1000, textwrap.dedent("""\
             <table><td><tr><th><li><dd><pre>odd</pre>""").encode()]
    for page in pages:
        result = extract(page, "html")
        assert isinstance(result, (Extracted, FormatProblem))


def test_the_sha_of_an_html_source_is_of_its_bytes(tmp_path):
    hb = html_book(tmp_path, quotes=("Prices range from 115 to 135 dollars",))
    assert hb.sha("page.html") == sha256(PAGE)
    assert codes(hb) == []


# --- attack on formats: encodings no browser uses, CSS comments, a bare dialog -------------------

@pytest.mark.parametrize("label", ["rot13", "hex", "base64", "utf-7", "unicode_escape", "punycode", "cp037"])
def test_a_charset_no_browser_knows_is_ignored_as_a_browser_ignores_it(label: str) -> None:
    page = (f"<html><head><meta charset='{label}'></head><body><p>Price +ACQ-5 is what you pay, "
            "Rocket \\u0041.</p></body></html>").encode()
    found = extract(page, "html")
    assert isinstance(found, Extracted), found  # never a traceback, never a problem: read as UTF-8
    assert found.text.strip() == "Price +ACQ-5 is what you pay, Rocket \\u0041."


def test_a_css_comment_does_not_hide_a_hidden_style_from_the_reader() -> None:
    page = "<p>Seen.</p><p style='display:/**/none'>Not seen.</p><p style='visibility: /* x */ hidden'>Nor.</p>"
    assert text_of(page).strip() == "Seen."


def test_a_dialog_without_open_is_closed_even_with_no_attribute_at_all() -> None:
    assert text_of("<p>Seen.</p><dialog>A closed dialog.</dialog><dialog open>An open one.</dialog>").split() \
        == ["Seen.", "An", "open", "one."]
