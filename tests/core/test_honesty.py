"""The honesty rules at the fact's line: `undated-status`, `unattributed-claim`, and the
support each cited source gives (what `corroborated` means).

The seeds are written here so each rule has a sentence to trip on, and every expected line
is looked up in the YAML the test wrote (``Handbook.line``).
"""

from __future__ import annotations

import pytest
from tfcore import Found, found

from tracefacts.export import to_json
from tracefacts.honesty import attribution_wording, names_of, status_wording

NEWS = (
    "Acme News\n"
    "\n"
    "Acme launched Rocket One on March 3.\n"
    "For now, Rocket One is sold to select partners only.\n"
    "Acme says Rocket One is the fastest rocket ever built.\n"
    "According to Acme, the engine of the rocket is reusable.\n"
    "That said, the launch pad was busy for the whole week.\n"
    "Rocket One will fly again in the coming weeks.\n"
    "Rocket Two flies from Kourou, for now.\n"
    "Rocket Two ships to partners, with launches planned for May.\n"
)
GAZETTE = (
    "Beta Gazette\n"
    "\n"
    "Acme launched its new rocket on March 3 to select customers.\n"
    "Acme launched Rocket One in March, a year after the test.\n"
)

HONESTY = ("undated-status", "unattributed-claim")


def fact(id_: str, statement: str, quotes: list[tuple[str, str]], *, kind: str = "reported",
         extra: str = "") -> str:
    """One fact of a fact file; ``quotes`` are (source, quote); ``extra`` more keys, one per line."""
    lines = [f"  - id: {id_}", f'    statement: "{statement}"', f"    kind: {kind}", "    topic: rocket"]
    lines += [f"    {line}" for line in extra.splitlines() if line]
    lines.append("    sources:")
    for source, quote in quotes:
        lines += [f"      - source: {source}", f'        quote: "{quote}"']
    return "\n".join(lines) + "\n"


def book(make_handbook, *facts: str):
    return make_handbook("facts:\n" + "".join(facts), seed_a=NEWS, seed_b=GAZETTE)


def honesty_problems(hb):
    result = hb.check()
    assert not result.errors, result.errors
    return found(result.problems, HONESTY), result


# --- undated-status ------------------------------------------------------------------


@pytest.mark.parametrize(("code", "statement", "quote", "at", "said"), [
    # a status in the statement, no review_by: at the statement, with acme-report's date
    ("undated-status", "For now, Rocket One is sold to select partners only.",
     "For now, Rocket One is sold to select partners only.", 'statement: "For now',
     ["'For now'", "`review_by: YYYY-MM-DD`", "as of 25 April 2026"]),
    # a reported fact whose quote names a speaker: at that quote, with the fix
    ("unattributed-claim", "Rocket One is the fastest rocket ever built.",
     "Acme says Rocket One is the fastest rocket ever built.", 'quote: "Acme says',
     ["'says'", "kind: vendor-claim", "claimant:"]),
])
def test_each_code_is_a_warning_at_its_line_with_its_fix(make_handbook, code, statement, quote, at, said):
    hb = book(make_handbook, fact("r.one", statement, [("acme-report", quote)]))
    problems, result = honesty_problems(hb)
    assert problems == [Found(code, "facts/x.yaml", hb.line(at))]
    message = next(p.message for p in result.problems if p.code == code)
    assert all(words in message for words in said), message
    assert not result.ok(strict=True) and result.ok(strict=False)  # a warning: --strict fails on it


def test_review_by_answers_it_and_the_fact_is_shown_as_of_its_source(make_handbook):
    hb = book(make_handbook, fact("r.partners", "For now, Rocket One is sold to select partners only.",
                                  [("acme-report", "For now, Rocket One is sold to select partners only.")],
                                  extra="review_by: 2026-07-01"))
    problems, result = honesty_problems(hb)
    assert problems == []
    entry = next(f for f in to_json(result)["facts"] if f["id"] == "r.partners")
    assert entry["as_of"] == "2026-04-25" and entry["status"] == "For now" and entry["stale"] is False


@pytest.mark.parametrize(("statement", "quote", "code", "where"), [
    # the quote says it
    ("Rocket One is sold to select partners.", "For now, Rocket One is sold to select partners only.",
     "undated-status", "its quote from `acme-report`"),
    # the sentence the quote is cut from says it ("For now," left out)
    ("Rocket One is sold to select partners.", "Rocket One is sold to select partners",
     "undated-status", "the sentence its quote from `acme-report` stands in"),
    # "…, for now." after the quoted words: the two words after a quote are read for a status
    ("Rocket Two flies from Kourou.", "Rocket Two flies from Kourou",
     "undated-status", "the sentence its quote from `acme-report` stands in"),
    # "Acme says" left out of the quote: still Acme's view
    ("Rocket One is the fastest rocket ever built.", "Rocket One is the fastest rocket ever built.",
     "unattributed-claim", "the sentence its quote from `acme-report` stands in"),
])
def test_a_wording_in_the_quote_or_its_sentence_is_a_warning_at_the_quote(make_handbook, statement, quote,
                                                                           code, where):
    hb = book(make_handbook, fact("r.one", statement, [("acme-report", quote)]))
    problems, result = honesty_problems(hb)
    assert problems == [Found(code, "facts/x.yaml", hb.line(f'quote: "{quote}'))]
    assert next(p.message for p in result.problems if p.code == code).startswith(where)


def test_an_event_with_a_date_is_not_held_to_its_quotes_wording(make_handbook):
    # The quote's "will … in the coming weeks" was the source's future on that day; the fact
    # states the event (dated), so it never goes out of date. Without `date:` it is a status.
    quote = [("acme-report", "Rocket One will fly again in the coming weeks.")]
    dated = book(make_handbook, fact("r.next", "Acme announced a second flight of Rocket One.", quote,
                                     kind="vendor-claim", extra="claimant: Acme\ndate: 2026-04-25"))
    assert honesty_problems(dated)[0] == []
    undated = book(make_handbook, fact("r.next", "Acme announced a second flight of Rocket One.", quote,
                                       kind="vendor-claim", extra="claimant: Acme"))
    at = undated.line('quote: "Rocket One will')
    assert honesty_problems(undated)[0] == [Found("undated-status", "facts/x.yaml", at)]


@pytest.mark.parametrize(("text", "wording"), [
    ("API access is limited to select partners only.", "limited to"),
    ("API access is for select partners only.", "only"),
    ("It is only available through the app.", "only"),
    ("Llama 4 remains available.", "remains"),
    ("Llama models still exist.", "still"),
    ("A paid API will come.", "will"),
    ("The rollout is coming in the coming weeks.", "coming"),
    ("There is no timeline for it.", "no timeline"),
    ("The architecture has not been published.", "not been published"),
    ("Pricing is not yet known.", "not yet"),
    ("Meta plans to open future versions.", "plans to"),
    ("Currently the model is closed.", "Currently"),
    # accepted false positive: "the only" names a rank, which can change too (a second closed model)
    ("It is the only closed model from Meta.", "only"),
    # avoided: a wording that limits nothing, and words that merely contain one
    ("Not only Meta but Google ships models.", None),
    ("It works if only the weights are open.", None),
    ("The goodwill of developers is real.", None),
    ("Open models are becoming popular.", None),
    ("Meta launched Muse Spark on April 8.", None),
    # a letter whose lower case is two characters (İ): the wording is still found, as written
    ("İSTANBUL teams get it ONLY through partners.", "ONLY"),
    # contractions and the other wordings a first attack found missing
    ("The API isn't available yet.", "isn't available"),
    ("Pricing hasn't been announced.", "hasn't been announced"),
    ("It hasn't shipped.", "hasn't shipped"),
    ("The model is in beta.", "in beta"),
    ("For the moment it is closed.", "For the moment"),
    ("Access is pending review.", "pending"),
    ("Llama is no longer the focus.", "no longer"),
    ("Muse Spark is set to reach Europe.", "set to"),
    ("The preview is invite-only.", "only"),
    # a wording written capitalised in mid-sentence is a name, not the word
    ("They call it The Will of the People.", None),
])
def test_status_wordings(text, wording):
    assert status_wording(text) == wording


# --- unattributed-claim --------------------------------------------------------------


@pytest.mark.parametrize(("statement", "kind", "extra"), [
    ("Rocket One is the fastest rocket ever built.", "vendor-claim", "claimant: Acme"),
    ("Rocket One is the fastest rocket ever built.", "opinion", "claimant: Acme"),
    ("Acme says Rocket One is the fastest rocket ever built.", "reported", ""),
    ("Acme News reports that Acme calls Rocket One the fastest rocket ever built.", "reported", ""),
])
def test_attribution_in_the_kind_or_in_the_statement_answers_it(make_handbook, statement, kind, extra):
    hb = book(make_handbook, fact("r.fast", statement,
                                  [("acme-report", "Acme says Rocket One is the fastest rocket ever built.")],
                                  kind=kind, extra=extra))
    assert honesty_problems(hb)[0] == []


def test_according_to_is_an_attribution_and_that_said_is_not(make_handbook):
    hb = book(make_handbook,
              fact("r.reusable", "The engine of the rocket is reusable.",
                   [("acme-report", "According to Acme, the engine of the rocket is reusable.")]),
              fact("r.busy", "The launch pad was busy for the whole week.",
                   [("acme-report", "That said, the launch pad was busy for the whole week.")]))
    problems, _ = honesty_problems(hb)
    assert problems == [Found("unattributed-claim", "facts/x.yaml", hb.line("quote: \"According to"))]


@pytest.mark.parametrize(("text", "wording"), [
    ("Meta claims it is faster.", "claims"),
    ("The company hopes to open it.", "hopes"),
    ("It is described as small and fast.", "is described as"),
    ("DevPik reads this as hedging.", "hedging"),
    ("That said, the model is closed.", None),
    ("The model is said to be fast.", None),  # hearsay with no party: not an attribution to anyone
    ("Meta launched Muse Spark.", None),
])
def test_attribution_wordings(text, wording):
    assert attribution_wording(text) == wording


# --- support per source ----------------------------------------------------------------


def two_sources(make_handbook, statement: str, acme: str, beta: str):
    """The check of one fact quoting acme-report and beta-news, and that fact's honesty."""
    hb = book(make_handbook, fact("r.two", statement, [("acme-report", acme), ("beta-news", beta)]))
    _, result = honesty_problems(hb)
    return result, result.honesty["r.two"]


def test_two_sources_that_each_carry_the_statement_corroborate_it(make_handbook):
    _, honesty = two_sources(make_handbook, "Acme launched Rocket One in March.",
                             "Acme launched Rocket One on March 3.",
                             "Acme launched Rocket One in March, a year after the test.")
    assert [(s.source, s.full) for s in honesty.support] == [("acme-report", True), ("beta-news", True)]
    assert honesty.corroborated


def test_a_source_that_lacks_a_name_or_a_day_is_partial_support(make_handbook):
    # Beta gives the day ("March 3") but says "its new rocket", not "Rocket One".
    result, honesty = two_sources(make_handbook, "Acme launched Rocket One on March 3.",
                                  "Acme launched Rocket One on March 3.",
                                  "Acme launched its new rocket on March 3 to select customers.")
    assert not honesty.corroborated
    assert honesty.partial("beta-news").missing == ("Rocket", "One")
    assert honesty.partial("acme-report") is None
    entry = next(f for f in to_json(result)["facts"] if f["id"] == "r.two")
    assert entry["corroborated"] is False
    assert entry["support"] == [{"source": "acme-report", "full": True, "missing": []},
                                {"source": "beta-news", "full": False, "missing": ["Rocket", "One"]}]


def test_a_figure_one_source_does_not_give_makes_it_partial(make_handbook):
    _, honesty = two_sources(make_handbook, "Acme launched Rocket One on March 3.",
                             "Acme launched Rocket One on March 3.",
                             "Acme launched Rocket One in March, a year after the test.")
    assert honesty.partial("beta-news").missing == ("3 March",)


def test_one_source_is_never_corroborated_and_has_no_per_source_verdict(make_handbook):
    hb = book(make_handbook, fact("r.one", "Acme launched Rocket One on March 3.",
                                  [("acme-report", "Acme launched Rocket One on March 3.")]))
    _, result = honesty_problems(hb)
    assert result.honesty["r.one"].support == () and not result.honesty["r.one"].corroborated


@pytest.mark.parametrize(("statement", "names"), [
    ("For now, Rocket One is sold.", ["Rocket", "One"]),  # an opening word is not a name
    ("Google released Gemma 4 on Tuesday.", ["Google", "Gemma", "Tuesday"]),  # the subject is one
    ("Today Meta ships it.", ["Meta"]),
    ("Meta's model is closed.", ["Meta"]),  # the possessive is not part of it
    ("The API is private.", ["API"]),
    ("OpenAI ships GPT-4o.", ["OpenAI", "GPT-4o"]),  # a name with a digit is one name
    ("It shipped on 3 March in the U.S.", []),  # a month is a figure; one letter is not a name
])
def test_names_of_a_statement(statement, names):
    assert names_of(statement) == names


def test_the_subject_that_opens_the_statement_must_be_in_each_source(make_handbook):
    # A first attack: "Google released …" was corroborated by a source saying "Meta released …".
    hb = make_handbook("facts:\n" + fact("r.who", "Beta launched Rocket One in March.",
                                          [("acme-report", "Acme launched Rocket One on March 3."),
                                           ("beta-news", "Acme launched Rocket One in March, a year after the test.")]),
                       seed_a=NEWS, seed_b=GAZETTE)
    result = hb.check()
    assert [s.missing for s in result.honesty["r.who"].support] == [("Beta",), ("Beta",)]


def test_a_name_with_a_digit_is_matched_whole(make_handbook):
    news = NEWS + "Acme compared it with GPT-4o in March.\n"
    gazette = GAZETTE + "Beta compared Rocket One with GPT-4 in March.\n"
    hb = make_handbook("facts:\n" + fact("r.gpt", "Rocket One was compared with GPT-4o.",
                                          [("acme-report", "Acme compared it with GPT-4o in March."),
                                           ("beta-news", "Beta compared Rocket One with GPT-4 in March.")]),
                       seed_a=news, seed_b=gazette)
    result = hb.check()
    assert result.honesty["r.gpt"].partial("beta-news").missing == ("GPT-4o",)
    assert result.honesty["r.gpt"].partial("acme-report").missing == ("Rocket", "One")


def test_an_unregistered_source_never_counts_as_support(make_handbook):
    hb = book(make_handbook, fact("r.ghost", "Acme launched Rocket One on March 3.",
                                  [("acme-report", "Acme launched Rocket One on March 3."),
                                   ("ghost-news", "Acme launched Rocket One on March 3.")]))
    result = hb.check()
    assert "unknown-source" in {p.code for p in result.errors}
    assert not result.honesty["r.ghost"].corroborated


# --- what a first attack on these rules found ------------------------------------------


def test_the_sentences_next_clause_is_not_read_for_a_status(make_handbook):
    # "…, with launches planned": "planned" is the third word after the quote
    hb = book(make_handbook, fact("r.two", "Rocket Two ships to partners.",
                                  [("acme-report", "Rocket Two ships to partners")]))
    assert honesty_problems(hb)[0] == []


def test_the_next_sentence_is_not_read_as_the_quotes_own(make_handbook):
    # NEWS: "Acme launched Rocket One on March 3." then "For now, …": the quote ends its sentence.
    hb = book(make_handbook, fact("r.launch", "Acme launched Rocket One on March 3.",
                                  [("acme-report", "Acme launched Rocket One on March 3.")]))
    assert honesty_problems(hb)[0] == []


@pytest.mark.parametrize(("statement", "named"), [
    ("Sources say Rocket One is the fastest rocket ever built.", True),
    ("Acme News reports that Rocket One is the fastest rocket ever built.", True),
    ("In Acme's view, Rocket One is the fastest rocket ever built.", True),
    # a reporting word that names no one does not count
    ("No rocket faster than Rocket One has been reported.", False),
    ("The engine states its speed, and Rocket One is the fastest rocket ever built.", False),
])
def test_whether_a_statement_names_whose_words_it_gives(make_handbook, statement, named):
    hb = book(make_handbook, fact("r.fast", statement,
                                  [("acme-report", "Acme says Rocket One is the fastest rocket ever built.")]))
    codes = [p.code for p in hb.check().problems if p.code == "unattributed-claim"]
    assert codes == ([] if named else ["unattributed-claim"])


def test_a_statement_that_thousands_of_brackets_open_is_checked_without_a_crash(make_handbook):
    statement = "(" * 12000 + "Rocket One launched."
    hb = book(make_handbook, fact("r.deep", statement,
                                  [("acme-report", "Acme launched Rocket One on March 3."),
                                   ("beta-news", "Acme launched Rocket One in March, a year after the test.")]))
    result = hb.check()
    assert "r.deep" in result.honesty


def test_a_review_by_that_is_not_a_date_is_one_problem_not_two(make_handbook):
    hb = book(make_handbook, fact("r.partners", "For now, Rocket One is sold to select partners only.",
                                  [("acme-report", "For now, Rocket One is sold to select partners only.")],
                                  extra="review_by: soon"))
    codes = [p.code for p in hb.check().problems]
    assert "schema" in codes and "undated-status" not in codes


def test_a_status_fact_with_no_dated_source_says_no_date_can_be_shown(make_handbook):
    hb = book(make_handbook, fact("r.partners", "For now, Rocket One is sold to select partners only.",
                                  [("acme-report", "For now, Rocket One is sold to select partners only.")]))
    hb.sources(hb.read("facts/sources.yaml").replace("    published: 2026-04-25\n", ""))
    result = hb.check()
    message = next(p.message for p in result.problems if p.code == "undated-status")
    assert "No cited source has a `published` date, so no as-of date can be shown" in message
    assert result.honesty["r.partners"].dated and result.honesty["r.partners"].as_of is None


# Known gaps, accepted: word lists, not understanding. Each is a fact a reader could still
# be misled by; a review or an audit catches them, not `check`.
@pytest.mark.parametrize(("text", "wording"), [
    ("Meta may open it later.", None),  # "may" and "might": too common to read as a status
    ("Meta planned it for 2024 and did so.", "planned"),  # a past plan reads as a status
])
def test_known_gaps_of_the_status_wordings(text, wording):
    assert status_wording(text) == wording


def test_text_undated_must_be_true_or_false(make_handbook):
    hb = book(make_handbook, fact("r.one", "Acme launched Rocket One on March 3.",
                                  [("acme-report", "Acme launched Rocket One on March 3.")]))
    hb.sources(hb.read("facts/sources.yaml").replace("    published: 2026-04-25\n",
                                                     "    published: 2026-04-25\n    text_undated: maybe\n"))
    result = hb.check()
    assert Found("schema", "facts/sources.yaml", hb.line("text_undated", "facts/sources.yaml")) in found(result.errors)
    assert "`text_undated` of source `acme-report` must be true or false" in " ".join(p.message for p in result.errors)
