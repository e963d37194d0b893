"""What a reader sees of the honesty rules in a built page: the as-of date beside a statement
of a changeable state, a corroborated fact only when each source carries it, a partial source
marked and explained, the counts that follow; and the new codes failing a strict build at the
fact's line."""

from __future__ import annotations

import html
import json
import re

import pytest

pytestmark = pytest.mark.slow

HONEST = """\
facts:
  - id: rocket.labs
    statement: The model comes from Acme Labs.
    kind: reported
    topic: rocket
    sources:
      - source: alpha
        quote: "It is the first closed model from Acme Labs."
      - source: beta
        quote: "Rocket One, from Acme Labs,"
  - id: rocket.still-closed
    statement: Rocket One still ships with no open weights.
    kind: reported
    topic: rocket
    review_by: 2027-01-01
    sources:
      - source: beta
        quote: "Rocket One, from Acme Labs, ships with no open weights at all."
"""

CLAIMS = """\
# Claims

{fact}`rocket.benchmark`

{fact}`rocket.labs`

{fact}`rocket.still-closed`

```{fact-summary}
```
"""


def text_of(fragment: str) -> str:
    """The words of an HTML fragment, one space apart (a field's name and its colon joined)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split()).replace(" :", ":")


def paragraph_with(page: str, words: str) -> str:
    for para in re.findall(r"<p>.*?</p>", page, re.S):
        if words in text_of(para):
            return para
    raise AssertionError(f"no paragraph says {words!r}")


@pytest.fixture
def built(handbook):
    handbook.write("facts/honest.yaml", HONEST)
    handbook.write("docs/claims.md", CLAIMS)
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    return handbook


def test_a_fact_each_source_carries_is_corroborated_and_says_no_single_source(built):
    labs = paragraph_with(built.html("claims.html"), "The model comes from Acme Labs.")
    assert 'class="tf-cites tf-corroborated"' in labs
    assert "partial" not in text_of(labs) and "single source" not in text_of(labs)


def test_a_source_that_carries_part_is_marked_partial_and_its_tip_says_what_it_lacks(built):
    # rocket.closed (index): neither quote names Rocket One
    closed = paragraph_with(built.html("index.html"), "Acme has not opened the weights.")
    assert 'class="tf-cites tf-single"' in closed
    seen = text_of(closed)
    assert seen.count("partial") == 2, seen  # each marker says it
    assert seen.count("Partial support: these words do not say “Rocket”, “One” .") == 2, seen
    assert seen.endswith("no source in full"), seen


def test_a_statement_of_a_changeable_state_shows_its_as_of_date_before_it_is_stale(built):
    still = paragraph_with(built.html("claims.html"), "Rocket One still ships with no open weights.")
    flag = re.search(r'<span class="(tf-as-of|tf-stale) sd-badge">(.*?)</span>', still)
    assert flag is not None and flag.groups() == ("tf-as-of", "as of 10 March 2026"), still  # beta's date
    # and so does the note under the quoted paragraph of its source page
    beta = text_of(built.html("sources/beta.html"))
    assert "Rocket One still ships with no open weights. as of 10 March 2026 rocket.still-closed" in beta, beta
    # the stale recommendation keeps its warning, now with the day
    advice = text_of(built.html("advice.html"))
    assert "as of 10 March 2026 — may be out of date" in advice


def test_a_source_whose_text_is_undated_gives_a_no_later_than_date(handbook):
    # A feed item or a crawl: `published` is when it was filed, its text may be older.
    sources = (handbook.root / "facts/sources.yaml").read_text(encoding="utf-8")
    handbook.write("facts/sources.yaml", sources.replace("    published: 2026-03-10\n",
                                                         "    published: 2026-03-10\n    text_undated: true\n"))
    handbook.write("facts/honest.yaml", HONEST)
    handbook.write("docs/claims.md", CLAIMS)
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    still = paragraph_with(handbook.html("claims.html"), "Rocket One still ships with no open weights.")
    assert "as of no later than 10 March 2026" in text_of(still), still
    data = json.loads((handbook.out / "tracefacts.json").read_text(encoding="utf-8"))
    assert [s["text_undated"] for s in data["sources"]] == [False, True]
    # its source page says what the date is
    beta = text_of(handbook.html("sources/beta.html"))
    assert "Dated (its text is not): 10 March 2026, the latest it can date from" in beta, beta
    assert "Published: 4 March 2026" in text_of(handbook.html("sources/alpha.html"))


def test_the_summary_and_the_matrix_count_only_what_two_sources_carry(built):
    summary = text_of(built.html("claims.html"))
    # six facts: rocket.labs is the one corroborated; rocket.closed's two partial sources count as single
    assert "Single-source facts: 5 of 6 (not carried in full by two sources)" in summary, summary
    # rocket.plan (review_by, stale) and rocket.still-closed (review_by) carry an as-of date
    assert "Shown with an as-of date: 2 (a state that can change, or a review date)" in summary, summary
    matrix = text_of(built.html("matrix.html"))
    assert "Corroborated facts: 1 (two or more sources each carry the whole statement)" in matrix, matrix
    assert "Alpha (partial: does not say “Rocket”, “One” )" in matrix, matrix


def test_tracefacts_json_says_which_sources_carry_a_fact(built):
    data = json.loads((built.out / "tracefacts.json").read_text(encoding="utf-8"))
    facts = {f["id"]: f for f in data["facts"]}
    assert facts["rocket.labs"]["corroborated"] is True
    assert facts["rocket.closed"]["corroborated"] is False
    assert [s["full"] for s in facts["rocket.closed"]["support"]] == [False, False]
    assert facts["rocket.still-closed"]["as_of"] == "2026-03-10"


@pytest.mark.parametrize(("fact", "code", "needle"), [
    ("""\
  - id: rocket.for-now
    statement: For now, Rocket One ships with no open weights.
    kind: reported
    topic: rocket
    sources:
      - source: beta
        quote: "Rocket One, from Acme Labs, ships with no open weights at all."
""", "undated-status", "statement: For now"),
    ("""\
  - id: rocket.beats
    statement: Rocket One beats every rival on the Hard benchmark.
    kind: reported
    topic: rocket
    sources:
      - source: alpha
        quote: "Acme claims Rocket One beats every rival on the Hard benchmark"
""", "unattributed-claim", 'quote: "Acme claims'),
])
def test_each_new_code_fails_the_strict_build_at_its_line(handbook, fact, code, needle):
    handbook.write("facts/extra.yaml", "facts:\n" + fact)
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.benchmark`\n\n```{fact-list}\n:topic: rocket\n```\n")
    result = handbook.build()
    assert result.returncode == 1
    line = next(i for i, text in enumerate(fact.splitlines(), start=2) if needle in text)  # after "facts:"
    # CI may set FORCE_COLOR: Sphinx then colours each warning line
    stderr = re.sub(r"\x1b\[[0-9;]*[mK]", "", result.stderr)
    warnings = [w for w in stderr.splitlines() if "WARNING" in w]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"{handbook.root / 'facts/extra.yaml'}:{line}: WARNING: {code}: ")
    assert warnings[0].endswith(f"[tracefacts.{code}]")
