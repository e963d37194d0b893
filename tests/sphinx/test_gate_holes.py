"""Holes an attacker found in the sourcing gate, each closed at its mechanism:

- the exemption is a node type only the extension makes, never a class name;
- a fact-table's labels are headings of the table;
- what raw HTML or LaTeX shows a reader is prose;
- toctree captions and entry titles, and a contents list's title, are headings;
- the words written as text in math are prose;
- a fact in a heading is a clear problem, not a traceback.
"""

from __future__ import annotations

import re
import textwrap

import pytest

pytestmark = pytest.mark.slow

MYST = 'myst_enable_extensions = ["colon_fence", "attrs_inline", "attrs_block", "dollarmath"]\n'
CLAIM = "Acme lost 500 million dollars on Rocket One."


def page(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def warnings(result, code: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return re.findall(rf"^(\S+): WARNING: {re.escape(code)}: (.*)$", result.stderr, re.M)


def build_claims(handbook, body: str, *extra: str):  # type: ignore[no-untyped-def]
    handbook.write("docs/conf.py", (handbook.docs / "conf.py").read_text() + MYST)
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.benchmark`\n\n" + page(body))
    return handbook.build(*extra)


def assert_flagged(result, code: str, quoted: str, line: int | None = None) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode != 0, result.stderr
    found = warnings(result, code)
    assert any(repr(quoted) in message and (line is None or loc.endswith(f"claims.md:{line}"))
               for loc, message in found), f"no {code} quoting {quoted!r} at line {line}:\n{result.stderr}"


# --- finding 1: an author cannot claim the exemption with a class name ----------------------------

CLASS_EXEMPTIONS = {
    "a container classed tf-generated": f"```{{container}} tf-generated\n{CLAIM}\n```\n",
    "a container classed tf-editorial": f"```{{container}} tf-editorial\n{CLAIM}\n```\n",
    "a container classed contents": f"```{{container}} contents\n{CLAIM}\n```\n",
    "a container classed toctree-wrapper": f"```{{container}} toctree-wrapper\n{CLAIM}\n```\n",
    "a note classed tf-editorial": f"```{{note}}\n:class: tf-editorial\n{CLAIM}\n```\n",
    "an inline span classed tf-generated": f"[{CLAIM}]{{.tf-generated}}\n",
    "a topic classed contents": f"```{{topic}} Notes\n:class: contents\n{CLAIM}\n```\n",
}


@pytest.mark.parametrize("case", sorted(CLASS_EXEMPTIONS))
def test_a_class_name_does_not_exempt_text_from_the_rule(handbook, case):
    result = build_claims(handbook, CLASS_EXEMPTIONS[case])
    assert_flagged(result, "unsourced-sentence", CLAIM)


@pytest.mark.parametrize(("builder", "output"), [("html", "claims.html"), ("text", "claims.txt"),
                                                 ("latex", "python.tex")])
def test_an_editorial_block_is_exempt_and_labelled_in_every_builder(handbook, builder, output):
    # (no source pages: the text builder stops at their title role, a separate bug)
    handbook.write("docs/conf.py", (handbook.docs / "conf.py").read_text() + "latex_documents = [('index', "
                   "'python.tex', 'Rocket', 'A', 'manual')]\ntracefacts_source_pages = None\n")
    handbook.write("docs/index.md", (handbook.docs / "index.md").read_text().replace("sources/*\n", ""))
    handbook.write("docs/claims.md", page(f"""
        # Claims

        {{fact}}`rocket.benchmark`

        ```{{editorial}} Why it matters
        {CLAIM}
        ```
        """))
    out = handbook.root / "out" / builder
    result = handbook.build("-b", builder, out=out)
    assert result.returncode == 0, result.stderr
    written = " ".join((out / output).read_text(encoding="utf-8").split())
    label = "Editorial — our analysis, not from the sources: Why it matters"
    assert label in written, written[-3000:]
    assert "Acme lost 500 million dollars on Rocket One." in written


# --- finding 3: fact-table labels are headings of the table --------------------------------------

TABLE = "```{{fact-table}}\n:attributes: vendor weights\n{options}\n```\n"


@pytest.mark.parametrize(("options", "code", "quoted"), [
    (":labels: rocket-one=Rocket One, which lost Acme 500 million dollars", "figure-not-in-quote",
     "Rocket One, which lost Acme 500 million dollars"),
    (":attribute-labels: weights=Weights (Acme lost 500 million dollars)", "figure-not-in-quote",
     "Weights (Acme lost 500 million dollars)"),
])
def test_a_table_label_figure_must_stand_in_a_fact_the_table_draws(handbook, options, code, quoted):
    handbook.write("docs/table.md", "# Table\n\n" + TABLE.format(options=options))
    result = handbook.build()
    assert result.returncode != 0, result.stderr
    assert any(loc.endswith("table.md:3") and repr(quoted) in message and "'500'" in message
               for loc, message in warnings(result, code)), result.stderr


@pytest.mark.parametrize(("options", "named"), [
    (":labels: rocket-one=Rocket One; rocket-too=Rocket Two", "`rocket-too`"),
    (":attribute-labels: wieghts=Weights", "`wieghts`"),
])
def test_a_label_for_a_row_or_column_the_table_does_not_draw_is_a_warning(handbook, options, named):
    handbook.write("docs/table.md", "# Table\n\n" + TABLE.format(options=options))
    result = handbook.build()
    assert result.returncode != 0, result.stderr
    assert any(loc.endswith("table.md:3") and named in message
               for loc, message in warnings(result, "unused-label")), result.stderr


def test_labels_a_table_draws_with_supported_figures_pass(handbook):
    handbook.write("docs/table.md", "# Table\n\n" + TABLE.format(
        options=":labels: rocket-one=Rocket One (3 March)\n:attribute-labels: weights=Open weights; vendor=Maker"))
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    assert "Rocket One (3 March)" in handbook.html("table.html")


# --- finding 4: what raw output shows is prose ----------------------------------------------------

RAW = {
    "a raw html block": (f"```{{raw}} html\n<div class=\"x\"><p>{CLAIM}</p></div>\n```\n", CLAIM, 5),
    "a bare HTML block": (f"<p>{CLAIM}</p>\n", CLAIM, 5),
    "entities and tags inside words' way": ("<p>Acme lost 500&nbsp;million <b>dollars</b> &amp; more.</p>\n",
                                            "Acme lost 500\u00a0million dollars & more.", 5),
    "a raw latex block": ("```{raw} latex\n\\textbf{Acme lost 500 million dollars.}\n```\n",
                          "Acme lost 500 million dollars.", 5),
    "a raw role in a cited sentence": (
        "```{eval-rst}\n.. role:: raw-html(raw)\n   :format: html\n\nAcme launched Rocket One "
        ":raw-html:`<b>and lost 500 million</b>`. :cite-fact:`rocket.launched`\n```\n",
        "Acme launched Rocket One and lost 500 million.", None),
}


@pytest.mark.parametrize("case", sorted(RAW))
def test_what_raw_output_shows_is_held_to_the_rule(handbook, case):
    body, quoted, line = RAW[case]
    result = build_claims(handbook, body)
    code = "figure-not-in-quote" if "cite-fact" in body else "unsourced-sentence"
    assert_flagged(result, code, " ".join(quoted.split()) if code == "unsourced-sentence" else quoted, line)


def test_markup_only_raw_output_passes(handbook):
    result = build_claims(handbook, """
        <div class="spacer">

        <br/>

        </div>

        ```{raw} html
        <!-- Acme lost 500 million dollars --><script>var lost = "500 million";</script><hr/>
        ```

        ```{raw} latex
        \\newpage \\vspace{2cm}
        ```
        """)
    assert result.returncode == 0, result.stderr


# --- finding 5: toctree and contents titles are headings ------------------------------------------

TITLES = {
    "a toctree caption": ("```{toctree}\n:caption: Acme lost 500 million dollars\nadvice\n```\n",
                          "Acme lost 500 million dollars", 5),
    "a toctree entry title": ("```{toctree}\nAcme lost 500 million dollars <advice>\n```\n",
                              "Acme lost 500 million dollars", 5),
    # (docutils' contents directive places its topic a line early in MyST: any line of the page will do)
    "a contents title": ("```{contents} Acme lost 500 million dollars\n```\n", "Acme lost 500 million dollars", None),
}


@pytest.mark.parametrize("case", sorted(TITLES))
def test_toctree_and_contents_titles_are_headings(handbook, case):
    body, quoted, line = TITLES[case]
    result = build_claims(handbook, body)
    assert_flagged(result, "figure-not-in-quote", quoted, line)


def test_supported_toctree_and_contents_titles_and_the_generated_list_pass(handbook):
    handbook.write("docs/index.md", (handbook.docs / "index.md").read_text().replace("advice\n", ""))
    result = build_claims(handbook, """
        ```{contents} The 12 points, in short
        ```

        ```{toctree}
        :caption: After 4 March
        The 12 points of advice <advice>
        ```

        ## Acme's 12 points

        {fact}`rocket.benchmark`
        """)
    assert result.returncode == 0, result.stderr
    assert "The 12 points of advice" in handbook.html("claims.html")


# --- finding 6: the words written as text in math are prose ---------------------------------------


def test_text_in_a_math_block_is_held_to_the_rule(handbook):
    result = build_claims(handbook, "```{math}\nL = 5 \\cdot x \\quad \\text{Acme lost 500 million dollars}\n```\n")
    assert_flagged(result, "unsourced-sentence", "Acme lost 500 million dollars", 5)


@pytest.mark.parametrize(("math", "quoted"), [
    ("$\\text{since 2031}$", "Rocket One is closed since 2031."),
    ("$\\leq 2031$", "Rocket One is closed 2031."),  # a figure in inline math is one of the sentence's
])
def test_inline_math_is_part_of_its_sentence(handbook, math, quoted):
    result = build_claims(handbook, f"Rocket One is closed {math}. {{cite-fact}}`rocket.closed`\n")
    assert_flagged(result, "figure-not-in-quote", quoted, 5)  # quoted as a reader reads it, not as LaTeX


def test_math_without_words_and_code_pass(handbook):
    result = build_claims(handbook, """
        ```{math}
        \\mathrm{d}L = 500 \\cdot x^{2} + \\frac{1}{2}
        ```

        ```python
        lost = "Acme lost 500 million dollars"  # code is not prose
        ```
        """)
    assert result.returncode == 0, result.stderr


# --- finding 9: a fact in a heading is a problem, not a traceback ---------------------------------

HEADINGS = {
    "{fact} in the page title": "# Claims about {fact}`rocket.closed`\n\n{fact}`rocket.benchmark`\n",
    "{cite-fact} in a section title": ("# Claims\n\n{fact}`rocket.benchmark`\n\n"
                                       "## Rocket One is closed {cite-fact}`rocket.closed`\n\nText. "
                                       "{cite-fact}`rocket.closed`\n"),
    # (a backtick fence cannot hold a role in its info string: a tilde fence can)
    "{fact} in an admonition title": "# Claims\n\n~~~{admonition} {fact}`rocket.closed`\nText. "
                                     "{cite-fact}`rocket.closed`\n~~~\n",
}


@pytest.mark.parametrize("builder", ["html", "singlehtml"])
@pytest.mark.parametrize("case", sorted(HEADINGS))
def test_a_fact_in_a_heading_is_a_clear_problem_not_a_crash(handbook, case, builder):
    handbook.write("docs/claims.md", HEADINGS[case])
    out = handbook.root / "out" / builder
    for attempt in ("first build", "second build"):
        result = handbook.build("-b", builder, out=out)
        assert result.returncode == 1, f"{attempt}:\n{result.stderr}"
        assert "Traceback" not in result.stderr and "Exception" not in result.stderr, result.stderr
        found = warnings(result, "fact-in-heading")
        assert any(re.search(r"claims\.md:\d+$", loc) and "`rocket.closed`" in message
                   and "section's text" in message for loc, message in found), f"{attempt}:\n{result.stderr}"
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.benchmark`\n\n## Rocket One\n\n"
                                     "{fact}`rocket.closed`\n")
    result = handbook.build("-b", builder, out=out)
    assert result.returncode == 0, result.stderr
