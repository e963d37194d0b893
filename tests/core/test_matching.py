"""The quote-matching rules of DESIGN.md, and offsets that index the decoded source."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tfcore import SEED_A

from tracefacts.anchor import match_quote
from tracefacts.normalize import normalize_source, normalize_text


def locate(text: str, quote: str, prefix: str | None = None, suffix: str | None = None):
    """(status, [source passage of each part]) for ``quote`` in the source ``text``."""
    ns = normalize_source(text)
    result = match_quote(ns, quote, prefix, suffix)
    if not result.occurrences or result.status in ("not-found", "context-mismatch"):
        return result.status, []
    spans = [ns.to_source(a, b) for a, b in result.occurrences[0]]
    return result.status, [text[s:e] for s, e in spans]


def test_plain_match_returns_the_source_passage():
    assert locate(SEED_A, "ships in March with 14.3 percent") == ("found", ["ships in March with 14.3 percent"])


def test_white_space_in_the_quote_is_forgiven():
    assert locate(SEED_A, "ships  in\nMarch \t with   14.3\u00a0percent")[0] == "found"


def test_crlf_source():
    text = "Title\r\n\r\nThe Acme widget\r\nships in March.\r\n"
    assert locate(text, "The Acme widget ships in March") == ("found", ["The Acme widget\r\nships in March"])


def test_line_break_inside_the_source_passage():
    text = "The Acme widget ships\nin March with 14.3 percent more.\n"
    assert locate(text, "widget ships in March") == ("found", ["widget ships\nin March"])


def test_nfd_source_nfc_quote():
    text = unicodedata.normalize("NFD", "Le caf\u00e9 est tr\u00e8s bon, dit-il.")
    assert "e\u0301" in text
    status, [passage] = locate(text, "Le caf\u00e9 est tr\u00e8s bon")
    assert status == "found"
    assert passage == unicodedata.normalize("NFD", "Le caf\u00e9 est tr\u00e8s bon")


def test_a_passage_ending_in_a_decomposed_letter_keeps_its_accent():
    text = "Ils ont bu un cafe\u0301. Puis ils sont partis."
    status, [passage] = locate(text, "ont bu un caf\u00e9")
    assert status == "found"
    assert passage == "ont bu un cafe\u0301"  # the combining acute is not cut off


def test_nfc_source_nfd_quote():
    text = "Le caf\u00e9 est tr\u00e8s bon."
    assert locate(text, unicodedata.normalize("NFD", "Le caf\u00e9 est tr\u00e8s")) == (
        "found", ["Le caf\u00e9 est tr\u00e8s"])


@pytest.mark.parametrize(("in_source", "in_quote"), [
    ("\u2019", "'"), ("\u2018", "'"), ("\u201a", "'"), ("\u2032", "'"),
    ("\u201c", '"'), ("\u201d", '"'), ("\u201e", '"'), ("\u2033", '"'),
    ("'", "\u2019"), ('"', "\u201c"), ("\u2019", "\u2018"), ("\u201e", "\u201d"),
])
def test_quote_marks_are_one(in_source, in_quote):
    text = f"The chief called it {in_source}the new design{in_source} at last."
    status, [passage] = locate(text, f"called it {in_quote}the new design{in_quote}")
    assert status == "found"
    assert passage == f"called it {in_source}the new design{in_source}"


def test_curly_quotes_of_the_fixture_seed():
    assert locate(SEED_A, "The company's chief - a former engineer - called it \"the new design\"") == (
        "found", ["The company\u2019s chief \u2014 a former engineer \u2014 called it \u201cthe new design\u201d"])


@pytest.mark.parametrize("dash", ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"])
@pytest.mark.parametrize("quote_dash", ["-", "\u2014", "\u2013"])
def test_every_dash_is_one(dash, quote_dash):
    text = f"Prices range from 115{dash}135 dollars per unit."
    assert locate(text, f"from 115{quote_dash}135 dollars") == ("found", [f"from 115{dash}135 dollars"])


def test_nbsp_and_other_spaces():
    text = "The Acme\u00a0widget\u2009ships\u202fin\u3000March."
    assert locate(text, "The Acme widget ships in March") == ("found", [text[:-1]])


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_zero_width_characters_and_soft_hyphens_are_dropped(invisible):
    text = f"It is too ex{invisible}pen{invisible}sive for small{invisible} teams."
    status, [passage] = locate(text, "too expensive for small teams")
    assert status == "found"
    assert passage == f"too ex{invisible}pen{invisible}sive for small{invisible} teams"
    # and in the quote too
    assert locate("It is too expensive for small teams.", f"too expen{invisible}sive for")[0] == "found"


@pytest.mark.parametrize("quote", [
    "the acme widget ships",  # case
    "The Acme Widget ships",
    "ships in March with 14.4 percent",  # a digit
    "ships in Marc with 14.3 percent",  # a letter dropped
    "ships in March, with 14.3 percent",  # punctuation added
    "ships in March with 14,3 percent",
])
def test_nothing_else_is_forgiven(quote):
    assert locate(SEED_A, quote)[0] == "not-found"


ELIDED_SOURCE = (
    "Critics say the widget is too expensive for small teams. One analyst wrote that it "
    "will sell well in its first year.\n"
    "\n"
    "A new paragraph says the price will drop next spring.\n"
)


@pytest.mark.parametrize("marker", [" [\u2026] ", " [...] "])
def test_elision_in_order_inside_a_paragraph(marker):
    status, passages = locate(ELIDED_SOURCE, f"the widget is too expensive{marker}will sell well in")
    assert status == "found"
    assert passages == ["the widget is too expensive", "will sell well in"]


def test_elision_with_three_parts_and_offsets_in_order():
    text = ELIDED_SOURCE
    ns = normalize_source(text)
    result = match_quote(ns, "Critics say the [...] too expensive for [...] sell well in")
    assert result.status == "found"
    spans = [ns.to_source(a, b) for a, b in result.occurrences[0]]
    assert [text[s:e] for s, e in spans] == ["Critics say the", "too expensive for", "sell well in"]
    assert spans == sorted(spans) and spans[0][1] <= spans[1][0] <= spans[1][1] <= spans[2][0]


def test_elision_across_paragraphs_is_not_found():
    assert locate(ELIDED_SOURCE, "the widget is too expensive [...] the price will drop")[0] == "not-found"


def test_elision_out_of_order_is_not_found():
    assert locate(ELIDED_SOURCE, "will sell well in [...] the widget is too expensive")[0] == "not-found"


def test_each_elided_part_needs_three_words():
    ns = normalize_source(ELIDED_SOURCE)
    result = match_quote(ns, "the widget is too expensive [...] sell well")
    assert (result.status, result.short_part) == ("too-short", "sell well")


@pytest.mark.parametrize(("quote", "status"), [
    ("too expensive", "too-short"),
    ("too expensive for", "found"),
    ("   too \n expensive  ", "too-short"),
])
def test_three_words_at_least(quote, status):
    assert match_quote(normalize_source(ELIDED_SOURCE), quote).status == status


def test_prefix_and_suffix_ignore_white_space_and_normalise():
    text = "He said \u201cyes we can\u201d.\n\nShe said\n  \u201cyes we can\u201d too."
    assert locate(text, "yes we can")[0] == "ambiguous"
    assert locate(text, "yes we can", prefix="She said \"") == ("found", ["yes we can"])
    assert locate(text, "yes we can", suffix="\" too")[0] == "found"
    status, _ = locate(text, "yes we can", prefix="He said '")
    assert status == "context-mismatch"


def test_offsets_index_the_decoded_text_with_astral_characters():
    # An emoji is one code point in Python: offsets are code points, as W3C selectors count.
    text = "\U0001f600 The Acme widget ships in March \U0001f680 soon."
    ns = normalize_source(text)
    result = match_quote(ns, "widget ships in March")
    start, end = ns.to_source(*result.occurrences[0][0])
    assert text[start:end] == "widget ships in March"
    assert start == text.index("widget")


def test_anchor_of_a_crlf_bom_source_indexes_the_decoded_text(make_handbook):
    raw = (b"Beta Gadget News\r\n\r\nBeta Corp announced a brand\r\nnew gadget on Monday.\r\n")
    hb = make_handbook(seed_b=b"\xef\xbb\xbf" + raw)
    result = hb.check()
    assert result.problems == ()
    anchor = result.anchors[("beta.gadget", 0)]
    decoded = (hb.root / "seeds/b.txt").read_bytes().decode("utf-8-sig")
    assert decoded[anchor.start:anchor.end] == "Beta Corp announced a brand\r\nnew gadget"
    assert anchor.exact == decoded[anchor.start:anchor.end]
    assert anchor.line == 3
    assert decoded[anchor.start - len(anchor.prefix):anchor.start] == anchor.prefix
    assert decoded[anchor.end:anchor.end + len(anchor.suffix)] == anchor.suffix


def test_normalize_text_and_normalize_source_agree():
    samples = [SEED_A, ELIDED_SOURCE, "  lead\u00a0 and trailing \n", "a\u200b b", "x\u2033y",
               unicodedata.normalize("NFD", "caf\u00e9 tr\u00e8s \u00e0"), "\ufb01ne \u2460 \uff21"]
    for text in samples:
        assert normalize_source(text).norm == normalize_text(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_normalize_text_agrees_with_normalize_source_on_any_text(text):
    # normalize_text skips NFKC and the folds for ASCII; normalize_source never does.
    assert normalize_text(text) == normalize_source(text).norm
