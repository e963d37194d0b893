"""One definition of a line, the same in every output that names one.

A line ends at LF, CRLF or a lone CR (what editors and Python's universal newlines do);
U+2028, U+2029, NEL (U+0085), form feed, vertical tab and the information separators are
characters inside a line. The expected line numbers below are counted by hand from the
seed text, line by line, not asked of the program.
"""

from __future__ import annotations

import io
import json
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tfcore import Handbook, sha256

from tracefacts import normalize
from tracefacts.cli import main

# Each physical line of the seed on its own row, with the line number a reader's editor shows.
SEED = (
    "Acme Lines Report\r\n"                                             # 1 (CRLF)
    "Mac line one\r"                                                    # 2 (a lone CR)
    "Mac line two\r"                                                    # 3
    "Sep\u2028arated\x0cby\x85odd\x1cchars\x0bhere and there.\n"        # 4 (no line end inside)
    "\n"                                                                # 5 (blank)
    "The quoted sentence stands right here on this line.\r"             # 6 <- the quote
    "Echo: the same words again.\x0cMore text\x85follows.\r\n"          # 7
    "Echo: the same words again.\n"                                     # 8
)
QUOTE_LINE = 6

SOURCES = """\
sources:
  - id: lines
    file: seeds/lines.txt
    title: Lines
    publisher: Acme
    published: 2026-04-25
    sha256: {sha}
"""

FACTS = """\
facts:
  - id: lines.quoted
    statement: The quoted sentence stands.
    kind: reported
    topic: lines
    sources:
      - source: lines
        quote: "The quoted sentence stands right here"
  - id: lines.echo
    statement: The same words come again.
    kind: reported
    topic: lines
    sources:
      - source: lines
        quote: "Echo: the same words again."
  - id: lines.typo
    statement: A quote with a typo.
    kind: reported
    topic: lines
    sources:
      - source: lines
        quote: "The quoted sentance stands right here on this line."
"""


@pytest.fixture
def book(make_handbook) -> Handbook:
    hb = make_handbook(facts=None)
    hb.seed("lines.txt", SEED)
    hb.sources(SOURCES.format(sha=sha256(SEED)))
    hb.facts(FACTS)
    return hb


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_a_line_ends_at_lf_crlf_or_a_lone_cr_and_nowhere_else():
    got = [SEED[start:end] for start, end, _ in normalize.lines(SEED)]
    assert got == [
        "Acme Lines Report",
        "Mac line one",
        "Mac line two",
        "Sep\u2028arated\x0cby\x85odd\x1cchars\x0bhere and there.",
        "",
        "The quoted sentence stands right here on this line.",
        "Echo: the same words again.\x0cMore text\x85follows.",
        "Echo: the same words again.",
    ]
    ns = normalize.normalize_source(SEED)
    assert ns.line_of(SEED.index("The quoted")) == QUOTE_LINE
    assert ns.line_of(SEED.index("here and there")) == 4
    assert ns.line_of(SEED.index("More text")) == 7


@settings(max_examples=300)
@given(st.text(alphabet="ab \r\n\x0b\x0c\x1c\x85\u2028\u2029", max_size=40))
def test_lines_are_the_lines_of_pythons_universal_newlines(text):
    # io reads with universal newlines: CRLF, CR and LF each end a line, nothing else does
    expected = io.StringIO(text, newline=None).read().split("\n")
    if expected[-1] == "":
        expected.pop()  # a final line end opens no new line
    got = list(normalize.lines(text))
    assert [text[start:end] for start, end, _ in got] == expected
    ns = normalize.normalize_source(text)
    for number, (start, end, after) in enumerate(got, start=1):
        assert ns.line_starts[number - 1] == start
        assert {ns.line_of(i) for i in range(start, after)} <= {number}
        assert normalize.line_end(text, start) == end


def test_find_names_the_line_an_editor_shows(capsys, book):
    code, out = run(capsys, "find", "stands right here", "--root", str(book.root), "--format", "json")
    assert code == 0
    hits = json.loads(out)
    assert [(h["source"], h["line"]) for h in hits] == [("lines", QUOTE_LINE)]
    # the context is that line alone, not the lines a lone CR ends
    assert hits[0]["context"] == "The quoted sentence stands right here on this line."
    code, out = run(capsys, "find", "stands right here", "--root", str(book.root))
    assert f"seeds/lines.txt:{QUOTE_LINE} " in out


def test_export_check_and_coverage_name_the_same_lines(capsys, book):
    code, out = run(capsys, "export", "--format", "json", "--root", str(book.root))
    facts = {f["id"]: f for f in json.loads(out)["facts"]}
    assert facts["lines.quoted"]["quotes"][0]["line"] == QUOTE_LINE
    assert facts["lines.echo"]["quotes"][0]["line"] == 7  # the first of the two occurrences is used

    code, out = run(capsys, "check", "--format", "json", "--root", str(book.root))
    problems = {p["fact"]: p for p in json.loads(out)["problems"]}
    assert "(lines 7, 8)" in problems["lines.echo"]["message"]
    assert problems["lines.echo"]["code"] == "quote-ambiguous"
    assert problems["lines.typo"]["code"] == "quote-not-found"
    assert f"Nearest passage, line {QUOTE_LINE} " in problems["lines.typo"]["message"]

    code, out = run(capsys, "coverage", "--format", "json", "--root", str(book.root))
    (report,) = json.loads(out)
    # line 6 is quoted; 1-3 are headings; line 7's second sentence, line 8 and line 4 are not quoted
    assert sorted(s["line"] for s in report["uncovered"]) == [4, 7, 8]
    assert report["headings"] == 3


def test_a_blank_line_between_lone_crs_ends_a_paragraph(make_handbook):
    # An elided quote stays inside one paragraph; paragraphs are separated by blank lines,
    # and a blank line is a line by the same definition (here: between two lone CRs).
    seed = "Alpha beta gamma delta.\r\rEpsilon zeta eta theta.\r"
    hb = make_handbook(facts=None)
    hb.seed("cr.txt", seed)
    hb.sources(SOURCES.replace("lines.txt", "cr.txt").format(sha=sha256(seed)))
    hb.facts(textwrap.dedent("""\
        facts:
          - id: cr.elided
            statement: Two paragraphs.
            kind: reported
            topic: cr
            sources:
              - source: lines
                quote: "Alpha beta gamma [...] zeta eta theta."
        """))
    codes = [p.code for p in hb.check().problems if p.fact == "cr.elided"]
    assert codes == ["quote-not-found"]
