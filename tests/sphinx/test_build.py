"""The extension as a reader and an author meet it: built pages, warnings, rebuilds."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path

import pytest

from tracefacts.normalize import normalize_text

pytestmark = pytest.mark.slow


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_roles_and_directives_render(handbook):
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    index = handbook.html("index.html")
    assert "Acme launched Rocket One on March 3." in index
    # rocket.closed cites two sources, but neither quote names Rocket One ("the first closed
    # model from Acme Labs", "ships with no open weights at all"): both partial, not corroborated
    assert 'class="tf-cites tf-corroborated"' not in index
    assert index.count("tf-cite tf-cite-reported tf-partial reference internal") == 2
    assert "no source in full" in _text(index)
    assert "Editorial — our analysis, not from the sources" in index
    claims = handbook.html("claims.html")
    assert re.search(r"Acme(</span>)?(&#39;|'|’)s claim", claims)  # the claimant bidi-isolated in its span
    advice = handbook.html("advice.html")
    assert re.search(r"Recommendation — (<span [^>]*>)?Beta", advice)
    assert "may be out of date" in advice  # review_by 2026-04-01 < tracefacts_today
    table = handbook.html("table.html")
    assert "Rocket One" in table and "tf-fact-table" in table
    assert "not stated in the sources" in table  # the licence cell is empty
    assert "3 March 2026" in table  # the timeline row
    matrix = handbook.html("matrix.html")
    for fact_id in ("rocket.launched", "rocket.closed", "rocket.benchmark", "rocket.plan"):
        assert fact_id in matrix
    assert "100%" in matrix  # every sentence outside the editorial block is sourced


def test_every_citation_links_to_its_highlighted_quote(handbook):
    assert handbook.build().returncode == 0
    facts = {f["id"]: f for f in json.loads(handbook.html("tracefacts.json"))["facts"]}
    checked = 0
    for page in ("index.html", "claims.html", "advice.html", "table.html"):
        for href in re.findall(r'<a class="tf-cite[^"]*"[^>]*href="([^"]+)"', handbook.html(page)):
            target, _, anchor = href.partition("#")
            source_page = handbook.html(target)
            match = re.search(rf'<span class="tf-quote[^"]*" id="{re.escape(anchor)}">(.*?)</span>', source_page)
            assert match, f"{href} has no highlighted quote"
            fact_id = anchor[2:].split("--")[0]
            quotes = [q["quote"] for q in facts[fact_id]["quotes"]]
            first_piece = normalize_text(_text(match.group(1)))
            assert any(first_piece in normalize_text(q.replace("[...]", "\n")) for q in quotes)
            checked += 1
    assert checked >= 5


def test_source_page_shows_text_metadata_and_backlinks(handbook):
    assert handbook.build().returncode == 0
    page = handbook.html("sources/alpha.html")
    sha = (handbook.root / "facts/sources.yaml").read_text().split("sha256: ")[1].split()[0]
    assert sha in page
    assert 'class="tf-source-line tf-chrome"' in page  # "Home | News | Bookmarks"
    # the elided quote is highlighted in two pieces, both marked with its anchor class
    assert page.count("tf-q-q-rocket.benchmark") == 2
    # beside the highlight: the fact and the page that shows it
    assert "shown on" in page and "claims.html" in page


def test_payloads_come_out_as_inert_text(handbook):
    payload = '<script>alert(1)</script> "><img src=x onerror=alert(2)> {raw}`html <b>x</b>`'
    handbook.write("seeds/a.txt", (handbook.root / "seeds/a.txt").read_text() + f"\nEvil says {payload} here.\n")
    handbook.pin()
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    facts += f"""\
  - id: rocket.evil
    statement: 'A statement with {payload.replace("'", "''")}'
    kind: opinion
    claimant: '<script>alert(1)</script>'  # its figure `1` stands in the quote (the Figures rule)
    topic: rocket
    tags: [evil]
    sources:
      - source: alpha
        quote: 'Evil says {payload.replace("'", "''")} here.'
"""
    handbook.write("facts/rocket.yaml", facts)
    handbook.write("docs/evil.md", "# Evil\n\n{fact}`rocket.evil`\n")
    index = (handbook.docs / "index.md").read_text().replace("matrix\n", "matrix\nevil\n")
    handbook.write("docs/index.md", index)
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    for page in ("evil.html", "sources/alpha.html", "matrix.html"):
        body = handbook.html(page)
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "<b>x</b>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_markup_in_a_source_title_stays_text_on_its_generated_page(handbook):
    title = "T [x](javascript:alert(1)) {eval-rst}`.. raw:: html` <b>bold</b> *em* `code` $x$"
    yaml = (handbook.root / "facts/sources.yaml").read_text()
    handbook.write("facts/sources.yaml", yaml.replace('title: "Alpha News: Rocket One"', f"title: '{title}'"))
    result = handbook.build()
    assert result.returncode == 0, result.stderr
    page = handbook.html("sources/alpha.html")
    heading = re.search(r"<h1>(.*?)<a class=\"headerlink\"", page, re.S)
    assert heading, "the source page has no title"
    assert html.unescape(heading.group(1)).strip() == title
    assert "javascript:" not in re.sub(r"&[^;]+;", "", "".join(re.findall(r'href="([^"]*)"', page)))
    assert "<b>bold</b>" not in page and "<em>em</em>" not in page


def test_unknown_fact_and_unsourced_sentence_fail_with_location(handbook):
    handbook.write("docs/claims.md", "# Claims\n\n{fact}`rocket.nope`\n\nThis sentence has no source.\n")
    result = handbook.build()
    assert result.returncode != 0
    out = result.stderr
    assert re.search(r"claims\.md:3: WARNING: unknown-fact: `rocket\.nope`", out), out
    assert re.search(r"claims\.md:5: WARNING: unsourced-sentence: 'This sentence has no source\.'", out), out
    assert "Traceback" not in out


def test_a_citation_of_nothing_does_not_source_its_sentence(handbook):
    handbook.write("docs/claims.md", "# Claims\n\nRocket One is the best model. {cite-fact}`rocket.nope`\n")
    result = handbook.build()
    assert result.returncode != 0
    assert re.search(r"claims\.md:3: WARNING: unknown-fact: `rocket\.nope`", result.stderr), result.stderr
    assert re.search(r"claims\.md:3: WARNING: unsourced-sentence: 'Rocket One is the best model\.", result.stderr)


def test_fact_base_problem_fails_the_build_with_its_yaml_line(handbook):
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    handbook.write("facts/rocket.yaml", facts.replace("beats every rival", "beats all rivals"))
    result = handbook.build()
    assert result.returncode != 0
    line = next(i for i, text in enumerate(facts.splitlines(), 1) if "beats every rival" in text)
    assert re.search(rf"rocket\.yaml:{line}: WARNING: quote-not-found", result.stderr), result.stderr
    assert "untraceable fact(s): rocket.benchmark" in result.stderr
    assert "Traceback" not in result.stderr


def test_cite_fact_sentence_obeys_the_figures_rule(handbook):
    handbook.write("docs/claims.md", "# Claims\n\nAcme says it leads by 15 points. {cite-fact}`rocket.benchmark`\n")
    result = handbook.build()
    assert result.returncode != 0
    assert re.search(r"claims\.md:3: WARNING: figure-not-in-quote: .*'15'", result.stderr), result.stderr


def _written(out: Path, since: float) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")
            if p.stat().st_mtime_ns > since and p.name not in ("genindex.html", "search.html")}


def test_editing_one_fact_rewrites_exactly_the_pages_that_show_it(handbook):
    assert handbook.build().returncode == 0
    assert handbook.build().returncode == 0
    since = time.time_ns()
    time.sleep(0.05)
    assert _written(handbook.out, since) == set()
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    handbook.write("facts/rocket.yaml", facts.replace("Rocket One has no open weights.", "Rocket One ships closed."))
    assert handbook.build().returncode == 0
    # rocket.closed is cited on index, drawn in the table, listed in the matrix and
    # highlighted on both source pages; claims and advice do not show it.
    assert _written(handbook.out, since) == {
        "index.html", "table.html", "matrix.html", "sources/alpha.html", "sources/beta.html"}
    assert "Rocket One ships closed." in handbook.html("sources/beta.html")
    assert "Rocket One ships closed." in handbook.html("matrix.html")


def test_parallel_build_gives_the_same_pages(handbook, tmp_path):
    assert handbook.build("-j", "1", out=tmp_path / "one").returncode == 0
    assert handbook.build("-E", "-j", "2", out=tmp_path / "two").returncode == 0
    pages = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.html"))
    assert len(pages) >= 7
    for page in pages:
        one = (tmp_path / "one" / page).read_text()
        two = (tmp_path / "two" / page).read_text()
        assert one == two, f"{page} differs between -j 1 and -j 2"
    for name in ("tracefacts.json", "annotations.jsonld"):
        assert (tmp_path / "one" / name).read_text() == (tmp_path / "two" / name).read_text()


def test_exports_match_the_cli(handbook):
    assert handbook.build().returncode == 0
    data = json.loads(handbook.html("tracefacts.json"))
    closed = next(f for f in data["facts"] if f["id"] == "rocket.closed")
    assert closed["pages"] == ["index", "table"]
    text = (handbook.root / "seeds/a.txt").read_text()
    quote = closed["quotes"][0]
    assert text[quote["start"]:quote["end"]] == "It is the first closed model from Acme Labs."
    annotations = json.loads(handbook.html("annotations.jsonld"))
    assert annotations["type"] == "AnnotationCollection"
    assert annotations["total"] == sum(len(f["quotes"]) for f in data["facts"])
    from tracefacts.cli import main

    out = handbook.root / "w3c.json"
    args = ["export", "--root", str(handbook.root), "--format", "w3c", "-o", str(out), "--today", "2026-11-23"]
    assert main(args) == 0
    assert json.loads(out.read_text()) == annotations


def test_a_matrix_filtered_by_topic_lists_and_follows_only_its_facts(handbook):
    handbook.write("docs/matrix-advice.md", "# Advice matrix\n\n```{trace-matrix}\n:topic: advice\n```\n")
    index = (handbook.docs / "index.md").read_text().replace("matrix\n", "matrix\nmatrix-advice\n")
    handbook.write("docs/index.md", index)
    assert handbook.build().returncode == 0
    page = handbook.html("matrix-advice.html")
    rows = re.findall(r'<code class="docutils literal notranslate"><span class="pre">([a-z.\-]+)</span>', page)
    assert rows == ["rocket.plan"]
    assert "Facts on no page" in page  # the totals still cover the whole handbook
    since = time.time_ns()
    time.sleep(0.05)
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    handbook.write("facts/rocket.yaml", facts.replace("Rocket One has no open weights.", "Rocket One ships closed."))
    assert handbook.build().returncode == 0
    written = _written(handbook.out, since)
    assert "matrix.html" in written and "matrix-advice.html" not in written


def test_source_pages_that_cannot_be_written_are_a_clear_problem(handbook):
    # a file where the generated pages' folder should be, beside the doctrees
    handbook.write("docs/_build/html/.doctrees/tracefacts-pages", "not a folder\n")
    result = handbook.build()
    assert result.returncode != 0
    for sid in ("alpha", "beta"):
        assert re.search(rf"WARNING: source `{sid}` has no page: its file \S+/tracefacts-pages/sources/{sid}\.rst "
                         r"cannot be written \(", result.stderr), result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_in_process_build_leaves_nothing_held_back_from_the_collector(handbook):
    # Builds freeze the long-lived heap while they write; a test session or a server
    # that builds in its own process must get it back, after a failed build too.
    import gc

    from sphinx.application import Sphinx
    from sphinx.errors import ExtensionError

    def build(fail_while_writing: bool = False) -> None:
        app = Sphinx(str(handbook.docs), str(handbook.docs), str(handbook.out), str(handbook.out / ".doctrees"),
                     "html", status=None, warning=None, freshenv=True)
        if fail_while_writing:
            app.connect("doctree-resolved", lambda *args: 1 / 0)
        app.build()

    assert gc.get_freeze_count() == 0
    build()
    assert gc.get_freeze_count() == 0
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    unquotable = facts.replace('"Acme launched Rocket One on March 3."', '"Acme never said it."')
    handbook.write("facts/rocket.yaml", unquotable)
    build()  # a fact-base error is a warning: the build still ends
    assert gc.get_freeze_count() == 0
    with pytest.raises(ExtensionError, match="division by zero"):
        build(fail_while_writing=True)
    assert gc.get_freeze_count() == 0
    # A host that froze its own heap keeps it frozen: a build must not unfreeze it.
    gc.freeze()
    try:
        build()
        assert gc.get_freeze_count() > 0, "the build unfroze its host's heap"
    finally:
        gc.unfreeze()
