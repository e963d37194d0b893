"""Performance benchmark of `tracefacts` against the cost floor (`make bench`).

It generates a synthetic handbook of N facts over M sources -- source texts made of the
sentences of `seeds/*.txt`, shuffled with a seeded RNG and numbered so that every quote is
real and unique -- spread over 20 pages, a page with a `fact-table` and a `fact-list`, the
trace matrix page and one page per source. Beside it, in their own folders:

- the **plain twin**: the same pages with the same visible text as plain MyST (no
  extension: statements as sentences, a plain link where a citation would be, the table,
  the matrix and the source pages written out by hand; links are plain URLs of the built
  pages, `myst_all_links_external`, so none costs a reference resolution): the cost floor;
- the **sphinx-needs twin** (when `sphinx_needs` can be imported): every fact a `fact`
  need, every source a `src` need, `needtable` for the table and matrix pages.

Then it times, alternating the variants within every repetition (medians reported), each
measured command in its own subprocess (peak memory from `wait4`):

- full HTML builds (`python -m sphinx -b html -q -j 1`, fresh output folder each time), and
  the same with `-j 2`;
- an incremental rebuild after editing one fact's statement, with the set of pages
  rewritten (output .html whose mtime changed, genindex/search left out) checked against
  the pages that show the fact, and every one of them checked to show the new statement;
  the plain twin edits the one page that shows the sentence;
- `tracefacts check` (the console script, start-up included) against a Python process that
  only parses the same YAML with libyaml's `CSafeLoader` and reads and hashes every source.
- PDF and HTML sources (issue 15), 1,000 quotes (one fact each) picked from the text tracefacts
  extracts from a 300-page PDF that WeasyPrint sets (justified, hyphenated prose of the seeds'
  sentences, numbered, with the chapter as running header and page numbers; kept in the work
  folder) and from a 5 MB HTML page (nested sections, paragraphs, lists, inline markup):
  `tracefacts check --no-cache` against the library's bare text extraction in one Python
  process (pypdfium2: `get_textpage().get_text_bounded()` on every page; lxml:
  `fromstring(data).text_content()`), and the second, cached `tracefacts check` against the
  same check of the same facts citing the extracted text saved as a `.txt` source.

It prints a Markdown table and, with `--output`, writes it to a file; `--json` writes every
measurement. `--quick` is the small run the test uses; `--profile DIR` profiles (cProfile)
a full build, an incremental build and a check at the largest sizes instead of timing.

    .venv/bin/python scripts/bench.py                       # what `make bench` runs
    .bench-venv/bin/python scripts/bench.py --output bench.md   # with the sphinx-needs column
    python scripts/bench.py --quick --json out.json         # seconds; correctness only
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
BENCH_VENV = REPO / ".bench-venv"
TODAY = "2026-11-23"
RNG_SEED = 20260425

DEFAULT_BUILD_SIZES = "1000:20,5000:100"
DEFAULT_CHECK_SIZES = "1000:100,10000:1000"
DEFAULT_REPS = 3
DEFAULT_LARGE_REPS = 2
LARGE = 2500
QUICK_BUILD_SIZES = QUICK_CHECK_SIZES = "60:6"
QUICK_PAGES = 4

TARGET_FULL = 1.15  # full build vs the plain twin, at the largest build size
TARGET_INCREMENTAL = 1.3  # incremental after a one-fact edit vs the plain twin's one-page edit
TARGET_CHECK = 1.5  # `tracefacts check` vs the floor, at the largest check size

ATTRIBUTES = ("vendor", "licence", "weights", "price", "context")
PUBLISHERS = ("Northwind", "Bluebird", "Harbor", "Quarry", "Lantern", "Meridian", "Juniper", "Copper")
CLAIMANTS = ("Acme", "Globex", "Initech", "Umbrella")
REVISIONS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
SECTION_EVERY = 25  # facts per `##` section of a page
NOT_PAGES = ("genindex.html", "search.html")
TOCTREE_PARENT = "index.html"  # every generated page is in index's toctree

TF, PLAIN, NEEDS = "tracefacts", "plain", "needs"


# --------------------------------------------------------------------------- the synthetic handbook


@dataclass(frozen=True)
class SynthSource:
    index: int
    id: str
    needs_id: str
    title: str
    publisher: str
    published: dt.date
    chrome: str
    lines: tuple[str, ...]  # the text, line by line ("" between paragraphs)
    sentences: tuple[str, ...]  # numbered: "[s-k] ..."

    @property
    def file(self) -> str:
        return f"seeds/{self.id}.txt"

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    @property
    def label(self) -> str:
        return self.publisher.split()[0]

    @property
    def date_label(self) -> str:
        return f"{self.published.day} {MONTHS[self.published.month - 1]} {self.published.year}"


@dataclass(frozen=True)
class SynthFact:
    index: int
    id: str
    needs_id: str
    page: int
    kind: str
    claimant: str | None
    statement: str
    quotes: tuple[tuple[str, str], ...]  # (source id, quote)
    cite: bool  # shown through an author's sentence with {cite-fact}, else with {fact}
    sentence: str  # the author's sentence (cite mode)
    subject: str | None = None
    attribute: str | None = None
    value: str | None = None
    review_by: str | None = None
    as_of: bool = False  # shown "as of <date>": a statement of a state that can change, or reviewed
    partial: tuple[str, ...] = ()  # (source id) whose quotes carry only part of the statement
    missing: tuple[tuple[str, str], ...] = ()  # (source id, what its quotes do not say), for the matrix
    note: str | None = None  # "single source", "no source in full", … after the markers

    @property
    def source_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for s, _ in self.quotes))

    @property
    def stale(self) -> bool:
        return self.review_by is not None and self.review_by < TODAY

    @property
    def attribution(self) -> str | None:
        who = self.claimant
        if self.kind == "vendor-claim":
            return f"{who}'s claim"
        if self.kind == "opinion":
            return f"Opinion — {who}"
        if self.kind == "recommendation":
            return f"Recommendation — {who}" if who else "Recommendation"
        return None

    @property
    def listed(self) -> bool:
        """Shown on the tables page: in the fact-table or the fact-list."""
        return self.kind == "recommendation" or self.subject is not None


@dataclass(frozen=True)
class Handbook:
    n_facts: int
    n_sources: int
    n_pages: int
    sources: dict[str, SynthSource]
    facts: dict[str, SynthFact]

    def page_name(self, page: int) -> str:
        return f"page-{page + 1:02d}"

    def page_title(self, page: int) -> str:
        return f"Chapter {letters(page)}"

    def on_page(self, page: int) -> list[SynthFact]:
        return [f for f in self.facts.values() if f.page == page]

    def pages_of(self, fact: SynthFact) -> list[str]:
        """Docnames that show the fact (as the `tf` domain records them), sorted."""
        return sorted([self.page_name(fact.page)] + (["tables"] if fact.listed else []))

    def edited_fact(self) -> SynthFact:
        """A recommendation shown with {fact} in the middle page: its statement is visible on
        its page, in the fact-list, in the matrix and on its source pages."""
        page = self.n_pages // 2
        return next(f for f in self.facts.values() if f.page == page and f.kind == "recommendation" and not f.cite)

    def expected_rewrites(self, fact: SynthFact) -> set[str]:
        """The pages that show the fact, plus index.html: Sphinx itself rewrites the page whose
        toctree holds a rewritten page (``Builder.write``: "toctree-containing files")."""
        pages = {f"{d}.html" for d in self.pages_of(fact)} | {"matrix.html"}
        return pages | {f"sources/{s}.html" for s in fact.source_ids} | {TOCTREE_PARENT}

    def with_statement(self, fact_id: str, statement: str) -> Handbook:
        facts = dict(self.facts)
        facts[fact_id] = honest(replace(facts[fact_id], statement=statement), self.sources)
        return replace(self, facts=facts)


def letters(index: int) -> str:
    """A, B, … Z, AA, AB …: a heading's label without a figure, which the sourcing rule
    would hold to the quotes of the facts under it."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def seed_sentences(seeds: Path = SEEDS) -> list[str]:
    """Whole sentences of the seed documents, white space collapsed, fit to be quoted."""
    found: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(line.split())):
                words = sentence.split()
                if (6 <= len(words) <= 40 and sentence[-1] in ".!?" and re.search("[a-z]", sentence)
                        and not re.search(r"[\[\]`\\]", sentence)):
                    found.append(sentence)
    found = list(dict.fromkeys(found))
    if len(found) < 10:
        raise SystemExit(f"bench: only {len(found)} usable sentences in {seeds}")
    return found


def generate(n_facts: int, n_sources: int, n_pages: int = 20, seed: int = RNG_SEED) -> Handbook:
    rng = random.Random(seed)
    pool = seed_sentences()
    per_source = -(-n_facts // n_sources)  # facts quoting each source first
    sources: dict[str, SynthSource] = {}
    for s in range(n_sources):
        count = per_source + 2
        sentences = tuple(f"[{s}-{k}] {rng.choice(pool)}" for k in range(count))
        chrome = "Home | News | Menu"
        lines = [chrome, ""]
        for start in range(0, count, 3):  # a paragraph of three sentences is one line, as scraped pages are
            lines += [" ".join(sentences[start:start + 3]), ""]
        headline = " ".join(rng.choice(pool).split()[:6]).rstrip(".,;:!?")
        sid = f"src-{s:04d}"
        sources[sid] = SynthSource(
            index=s, id=sid, needs_id=f"S_{s:04d}", title=f"Report {s}: {headline}",
            publisher=f"{PUBLISHERS[s % len(PUBLISHERS)]} Media", published=dt.date(2026, 1 + s % 9, 1 + s % 28),
            chrome=chrome, lines=tuple(lines[:-1]), sentences=sentences)
    ids = list(sources)
    facts: dict[str, SynthFact] = {}
    per_page = -(-n_facts // n_pages)
    for i in range(n_facts):
        s, k = i % n_sources, i // n_sources
        source = sources[ids[s]]
        quotes = [(source.id, source.sentences[k])]
        if i % 5 == 1 and n_sources > 1:  # corroborated by a second source
            other = sources[ids[(s + 1) % n_sources]]
            quotes.append((other.id, other.sentences[k]))
        kind = ("reported", "reported", "reported", "reported", "reported", "reported",
                "vendor-claim", "vendor-claim", "opinion", "recommendation")[i % 10]
        claimant = {"vendor-claim": CLAIMANTS[i % len(CLAIMANTS)], "opinion": source.label,
                    "recommendation": source.label}.get(kind)
        page = i // per_page
        table = i % 10 == 3
        fid = f"p{page + 1:02d}.f{i:05d}"
        facts[fid] = SynthFact(
            index=i, id=fid, needs_id=f"F_{i:05d}", page=page, kind=kind, claimant=claimant,
            statement=f"Item {k} of source {s}: {source.sentences[k].split(' ', 1)[1]}",
            quotes=tuple(quotes), cite=i % 3 == 2, sentence=f"Our note on item {k} of source {s}.",
            subject=f"product-{(i // 10) % max(1, n_facts // 100)}" if table else None,
            attribute=ATTRIBUTES[(i // 10) % len(ATTRIBUTES)] if table else None,
            value=f"value {k} of {s}" if table else None,
            review_by="2026-06-01" if i % 50 == 7 else None,
        )
        facts[fid] = honest(facts[fid], sources)
    return Handbook(n_facts, n_sources, n_pages, sources, facts)


def honest(fact: SynthFact, sources: dict[str, SynthSource]) -> SynthFact:
    """The fact as the honesty rules of tracefacts (imported: its twin must show what it shows)
    leave it: a statement of a changeable state gets a review date a year on (shown "as of"),
    a reported fact whose quote names a speaker says "says" itself, and the words after the
    markers are the ones tracefacts draws (a second source quoting other words is partial)."""
    from tracefacts.honesty import attribution_wording, status_wording, support_of
    from tracefacts.model import Fact, QuoteRef
    from tracefacts.sphinx.nodes import support_note

    if fact.kind == "reported" and any(attribution_wording(q) for _, q in fact.quotes):
        item, text = fact.statement.split(": ", 1)
        fact = replace(fact, statement=f"{item} says: {text}")
    review_by = fact.review_by
    if review_by is None and (status_wording(fact.statement) or any(status_wording(q) for _, q in fact.quotes)):
        review_by = "2027-11-23"
    model = Fact(id=fact.id, statement=fact.statement, kind=fact.kind, topic="", origin="", line=0,
                 statement_line=0, sources=tuple(QuoteRef(sid, q, None, None, 0, 0) for sid, q in fact.quotes))
    support = support_of(model, sources)  # type: ignore[arg-type]  # reads `published` only
    full = len(fact.source_ids) if not support else sum(s.full for s in support)
    return replace(fact, review_by=review_by, as_of=review_by is not None,
                   partial=tuple(s.source for s in support if not s.full),
                   missing=tuple((s.source, s.missing_label) for s in support if not s.full),
                   note=support_note(len(fact.source_ids), full))


def newest_date(book: Handbook, fact: SynthFact) -> str:
    newest = max(book.sources[s].published for s in fact.source_ids)
    return f"{newest.day} {MONTHS[newest.month - 1]} {newest.year}"


def stale_text(book: Handbook, fact: SynthFact) -> str:
    return f"as of {newest_date(book, fact)}" + (" — may be out of date" if fact.stale else "")


# --------------------------------------------------------------------------- writers


def _write(path: Path, text: str) -> None:
    """Write only when the content changes (an unchanged file must not look edited)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _q(text: str) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML."""
    return json.dumps(text, ensure_ascii=False)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|{}$~&!])")


def esc(text: str) -> str:
    """Plain MyST text: the characters that could start markup are backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def write_fact_base(book: Handbook, root: Path) -> None:
    for source in book.sources.values():
        _write(root / source.file, source.text)
    out = ["sources:"]
    for source in book.sources.values():
        sha = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
        out += [f"  - id: {source.id}", f"    file: {source.file}", f"    title: {_q(source.title)}",
                f"    publisher: {_q(source.publisher)}", f"    published: {source.published.isoformat()}",
                f"    sha256: {sha}", f"    chrome: [{_q(source.chrome)}]"]
    _write(root / "facts/sources.yaml", "\n".join(out) + "\n")
    for page in range(book.n_pages):
        _write(root / f"facts/{book.page_name(page)}.yaml", fact_yaml(book, page))


def fact_yaml(book: Handbook, page: int) -> str:
    out = ["facts:"]
    for fact in book.on_page(page):
        out += [f"  - id: {fact.id}", f"    statement: {_q(fact.statement)}", f"    kind: {fact.kind}"]
        if fact.claimant:
            out.append(f"    claimant: {_q(fact.claimant)}")
        out += [f"    topic: chapter-{page + 1}", "    tags: [synthetic]"]
        if fact.review_by:
            out.append(f"    review_by: {fact.review_by}")
        if fact.subject:
            out += [f"    subject: {fact.subject}", f"    attribute: {fact.attribute}", f"    value: {_q(fact.value)}"]
        out.append("    sources:")
        for sid, quote in fact.quotes:
            out += [f"      - source: {sid}", f"        quote: {_q(quote)}"]
    return "\n".join(out) + "\n"


CONF_COMMON = f"""\
project = "Synthetic handbook"
html_theme = "furo"
exclude_patterns = ["_build"]
source_suffix = {{".md": "markdown"}}
tracefacts_today = "{TODAY}"
"""

CONF = {
    TF: CONF_COMMON + 'extensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]\ntracefacts_root = ".."\n',
    # Links are plain URLs to the built pages: no reference resolution, the cheapest a link can be.
    PLAIN: CONF_COMMON + 'extensions = ["myst_parser", "sphinx_design"]\nmyst_all_links_external = True\n',
    NEEDS: CONF_COMMON + """\
extensions = ["myst_parser", "sphinx_design", "sphinx_needs"]
needs_types = [
    {"directive": "fact", "title": "Fact", "prefix": "F_", "color": "#BFD8D2", "style": "node"},
    {"directive": "src", "title": "Source", "prefix": "S_", "color": "#FEDCD2", "style": "node"},
]
needs_id_regex = "^[A-Z0-9_]{5,}"
""",
}


def index_page(book: Handbook) -> str:
    pages = "\n".join(book.page_name(p) for p in range(book.n_pages))
    return (f"# Synthetic handbook\n\n```{{toctree}}\n:maxdepth: 1\n\n{pages}\ntables\nmatrix\n```\n\n"
            "```{toctree}\n:maxdepth: 1\n:glob:\n\nsources/*\n```\n")


def _sections(book: Handbook, page: int, item: Callable[[SynthFact], str]) -> str:
    out = [f"# {book.page_title(page)}\n"]
    for n, fact in enumerate(book.on_page(page)):
        if n % SECTION_EVERY == 0:
            out.append(f"## Section {letters(n // SECTION_EVERY)}\n")
        out.append(item(fact) + "\n")
    return "\n".join(out)


# tracefacts ------------------------------------------------------------------------


def tf_page(book: Handbook, page: int) -> str:
    def item(fact: SynthFact) -> str:
        return f"{fact.sentence} {{cite-fact}}`{fact.id}`" if fact.cite else f"{{fact}}`{fact.id}`"
    return _sections(book, page, item)


def write_tf(book: Handbook, root: Path) -> None:
    write_fact_base(book, root)
    docs = root / "docs"
    _write(docs / "conf.py", CONF[TF])
    _write(docs / "index.md", index_page(book))
    for page in range(book.n_pages):
        _write(docs / f"{book.page_name(page)}.md", tf_page(book, page))
    _write(docs / "tables.md", f"""\
# Tables

## Products

```{{fact-table}}
:attributes: {" ".join(ATTRIBUTES)}
```

## Recommendations

```{{fact-list}}
:kind: recommendation
```
""")
    _write(docs / "matrix.md", "# Traceability\n\n```{trace-matrix}\n```\n")
    # the source pages (sources/<id>) are generated by the extension itself, beside the doctrees


# plain twin ------------------------------------------------------------------------


def plain_citations(book: Handbook, fact: SynthFact, prefix: str = "") -> str:
    links = [f"[{esc(book.sources[sid].label)}{' partial' if sid in fact.partial else ''}]({prefix}sources/{sid}.html)"
             for sid in fact.source_ids]
    return " ".join(links) + (f" {fact.note}" if fact.note else "")


def plain_fact(book: Handbook, fact: SynthFact, prefix: str = "", statement: bool = True) -> str:
    parts = []
    if fact.attribution:
        parts.append(f"**{esc(fact.attribution)}**")
    if statement:
        parts.append(esc(fact.statement))
    if fact.as_of:
        parts.append(f"*{stale_text(book, fact)}*")
    parts.append(plain_citations(book, fact, prefix))
    return " ".join(parts)


def plain_page(book: Handbook, page: int) -> str:
    def item(fact: SynthFact) -> str:
        if fact.cite:
            return f"{esc(fact.sentence)} {plain_fact(book, fact, statement=False)}"
        return plain_fact(book, fact)
    return _sections(book, page, item)


def _page_links(book: Handbook, fact: SynthFact, prefix: str = "") -> str:
    titles = {book.page_name(p): book.page_title(p) for p in range(book.n_pages)} | {"tables": "Tables"}
    return ", ".join(f"[{titles[d]}]({prefix}{d}.html)" for d in book.pages_of(fact))


def plain_tables(book: Handbook) -> str:
    table_facts = [f for f in book.facts.values() if f.subject]
    subjects = list(dict.fromkeys(f.subject for f in table_facts))
    rows = ["| | " + " | ".join(a.capitalize() for a in ATTRIBUTES) + " |",
            "|---|" + "---|" * len(ATTRIBUTES)]
    for subject in subjects:
        cells = [f"**{esc(subject or '')}**"]
        for attribute in ATTRIBUTES:
            here = [f for f in table_facts if f.subject == subject and f.attribute == attribute]
            cells.append("; ".join(f"{esc(f.value or '')} {plain_citations(book, f)}" for f in here)
                         or "— not stated by the sources")
        rows.append("| " + " | ".join(cells) + " |")
    listed = [f"- {plain_fact(book, f)}" for f in book.facts.values() if f.kind == "recommendation"]
    return "# Tables\n\n## Products\n\n" + "\n".join(rows) + "\n\n## Recommendations\n\n" + "\n".join(listed) + "\n"


def plain_matrix(book: Handbook) -> str:
    facts = list(book.facts.values())
    out = ["# Traceability", "",
           f"- Facts: {len(facts)}", f"- Sources: {len(book.sources)}",
           f"- Corroborated facts: {sum(f.note is None for f in facts)} (two or more sources each carry the whole "
           "statement)",
           f"- Pages showing facts: {book.n_pages + 1}", "- Sentences sourced: 100%", "- Facts on no page: 0", "",
           "| Fact | Kind | Sources and quotes | Shown on |", "|---|---|---|---|"]
    for fact in facts:
        kind = esc(fact.attribution or "Reported") + (f" *{stale_text(book, fact)}*" if fact.as_of else "")
        missing = dict(fact.missing)
        quotes = " · ".join(f"**{esc(book.sources[s].label)}**"
                            + (f" (partial: does not say {esc(missing[s])})" if s in missing else "")
                            + f": [“{esc(q)}”](sources/{s}.html)" for s, q in fact.quotes)
        out.append(f"| `{fact.id}` {esc(fact.statement)} | {kind} | {quotes} | {_page_links(book, fact)} |")
    return "\n".join(out) + "\n"


def _anchors_by_source(book: Handbook) -> dict[str, list[tuple[int, SynthFact]]]:
    """Per source: (offset of the quote, fact) for every quote, as the source page lists them."""
    found: dict[str, list[tuple[int, SynthFact]]] = {s: [] for s in book.sources}
    for fact in book.facts.values():
        for sid, quote in fact.quotes:
            found[sid].append((book.sources[sid].text.index(quote), fact))
    for anchors in found.values():
        anchors.sort(key=lambda a: (a[0], a[1].id))
    return found


def plain_source_page(book: Handbook, source: SynthSource, anchors: list[tuple[int, SynthFact]]) -> str:
    sha = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    out = [f"# {esc(source.title)}", "",
           f"- Title: {esc(source.title)}", f"- Publisher: {esc(source.publisher)}",
           f"- Published: {source.date_label}", f"- File: {source.file}", f"- SHA-256: `{sha}`",
           f"- Quotes used: {len(anchors)}", "- Page furniture: 1 kind of line (menus, widgets), shown dimmed", ""]
    offset = 0
    for number, line in enumerate(source.lines, start=1):
        start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        out += [f"{number} {esc(line)}", ""]
        starting = [f for at, f in anchors if start <= at < offset]
        if starting:
            for fact in starting:
                badge = f"**{esc(fact.attribution)}** " if fact.attribution else ""
                out.append(f"- ¶ {badge}{esc(fact.statement)} `{fact.id}` — shown on "
                           f"{_page_links(book, fact, '../')}")
            out.append("")
    return "\n".join(out)


def write_plain(book: Handbook, root: Path) -> None:
    docs = root / "docs"
    _write(docs / "conf.py", CONF[PLAIN])
    _write(docs / "index.md", index_page(book))
    for page in range(book.n_pages):
        _write(docs / f"{book.page_name(page)}.md", plain_page(book, page))
    _write(docs / "tables.md", plain_tables(book))
    _write(docs / "matrix.md", plain_matrix(book))
    anchors = _anchors_by_source(book)
    for source in book.sources.values():
        _write(docs / f"sources/{source.id}.md", plain_source_page(book, source, anchors[source.id]))


# sphinx-needs ----------------------------------------------------------------------


def needs_fact(book: Handbook, fact: SynthFact) -> str:
    tags = [fact.kind] + (["table"] if fact.subject else []) + (["stale"] if fact.stale else [])
    links = ", ".join(book.sources[s].needs_id for s in fact.source_ids)
    body = " ".join(f"“{esc(q)}” ({esc(book.sources[s].label)})" for s, q in fact.quotes)  # cited by :links:
    head = f"**{esc(fact.attribution)}** " if fact.attribution else ""
    stale = f" *{stale_text(book, fact)}*" if fact.as_of else ""
    sentence = f"{esc(fact.sentence)}\n\n" if fact.cite else ""
    return (f"{sentence}```{{fact}} {fact.statement}\n:id: {fact.needs_id}\n:tags: {';'.join(tags)}\n"
            f":links: {links}\n\n{head}{body}{stale}\n```")


def needs_page(book: Handbook, page: int) -> str:
    return _sections(book, page, lambda fact: needs_fact(book, fact))


def write_needs(book: Handbook, root: Path) -> None:
    docs = root / "docs"
    _write(docs / "conf.py", CONF[NEEDS])
    _write(docs / "index.md", index_page(book))
    for page in range(book.n_pages):
        _write(docs / f"{book.page_name(page)}.md", needs_page(book, page))
    _write(docs / "tables.md", """\
# Tables

## Products

```{needtable}
:tags: table
:columns: id;title;tags;links
:style: table
```

## Recommendations

```{needtable}
:tags: recommendation
:columns: id;title;tags;links
:style: table
```
""")
    _write(docs / "matrix.md", "# Traceability\n\n```{needtable}\n:types: fact\n:columns: id;title;tags;links\n"
                               ":style: table\n```\n")
    for source in book.sources.values():
        body = "\n\n".join(f"{n} {esc(line)}" for n, line in enumerate(source.lines, start=1) if line.strip())
        _write(docs / f"sources/{source.id}.md",
               f"# {esc(source.title)}\n\n```{{src}} {source.title}\n:id: {source.needs_id}\n\n"
               f"{esc(source.publisher)}, {source.date_label}, {source.file}\n\n{body}\n```\n")


WRITERS: dict[str, Callable[[Handbook, Path], None]] = {TF: write_tf, PLAIN: write_plain, NEEDS: write_needs}


def edit(variant: str, book: Handbook, root: Path, fact_id: str, statement: str) -> Handbook:
    """Change one fact's statement where each variant keeps it; returns the edited model."""
    edited = book.with_statement(fact_id, statement)
    page = edited.facts[fact_id].page
    name = edited.page_name(page)
    if variant == TF:
        _write(root / f"facts/{name}.yaml", fact_yaml(edited, page))
    elif variant == PLAIN:  # the one page that shows the sentence
        _write(root / f"docs/{name}.md", plain_page(edited, page))
    else:
        _write(root / f"docs/{name}.md", needs_page(edited, page))
    return edited


# --------------------------------------------------------------------------- running and measuring


@dataclass
class Run:
    seconds: float
    cpu: float  # user + system seconds of the process and the children it waited for
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "WARNING" in line or "ERROR" in line]


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run ``cmd`` in its own process: wall time, CPU time (wait4), and peak RSS.

    Peak RSS comes from GNU time's %M when /usr/bin/time exists: wait4's own ru_maxrss of a
    child started by (v)fork counts the parent's resident size too (Linux keeps the old
    mm's high-water mark across exec), which would make every small process look as big
    as this one. Either way it is the largest process (with -j 2: not the sum of workers).
    """
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        rss = Path(tmp) / "rss"
        full = [GNU_TIME, "-f", "%M", "-o", str(rss), *cmd] if GNU_TIME else cmd
        started = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak_kb = float(usage.ru_maxrss)
        if GNU_TIME and rss.exists():
            lines = rss.read_text().split()
            if lines and lines[-1].isdigit():
                peak_kb = float(lines[-1])
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_utime + usage.ru_stime, peak_kb / 1024, proc.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def sphinx_cmd(python: str, docs: Path, out: Path, jobs: int = 1) -> list[str]:
    return [python, "-m", "sphinx", "-b", "html", "-q", "-j", str(jobs), str(docs), str(out)]


def html_mtimes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns
            for p in out.rglob("*.html") if p.name not in NOT_PAGES}


def rotate(items: list[str], by: int) -> list[str]:
    by %= len(items)
    return items[by:] + items[:by]


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def has_module(python: str, module: str) -> bool:
    return subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def choose_python(requested: str | None, want_needs: bool) -> str:
    """The interpreter of every measured process: ``--python``, else this one, unless it lacks
    sphinx-needs and the benchmark's own venv (.bench-venv) has it."""
    if requested:
        return requested
    here = sys.executable
    bench = BENCH_VENV / "bin" / "python"
    if (want_needs and not has_module(here, "sphinx_needs") and bench.exists()
            and has_module(str(bench), "sphinx_needs")):
        return str(bench)
    return here


def tracefacts_cmd(python: str) -> list[str]:
    script = Path(python).parent / "tracefacts"
    return [str(script)] if script.exists() else [python, "-m", "tracefacts.cli"]


FLOOR = """\
import hashlib, sys
from pathlib import Path
import yaml
root = Path(sys.argv[1])
docs = {p.name: yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in sorted((root / "facts").glob("*.yaml"))}
for source in docs["sources.yaml"]["sources"]:
    hashlib.sha256((root / source["file"]).read_bytes()).hexdigest()
"""


@dataclass
class Results:
    python: str
    reps: int
    needs: str | None  # why the sphinx-needs column is absent, else None
    samples: dict[str, list[float]] = field(default_factory=dict)  # "N|what|variant" -> values
    rewrites: dict[str, dict[str, object]] = field(default_factory=dict)  # "N|variant" -> details
    problems: list[str] = field(default_factory=list)  # correctness failures
    builds: list[dict[str, object]] = field(default_factory=list)  # every build: exit status and warnings
    notes: list[str] = field(default_factory=list)
    sizes: dict[str, str] = field(default_factory=dict)
    load: list[str] = field(default_factory=lambda: [_load(), "?"])
    reps_text: str = ""
    formats: dict[str, dict[str, object]] = field(default_factory=dict)  # "pdf"/"html": the document measured

    def add(self, n: int, what: str, variant: str, value: float) -> None:
        self.samples.setdefault(f"{n}|{what}|{variant}", []).append(value)

    def get(self, n: int, what: str, variant: str) -> float | None:
        return median(self.samples.get(f"{n}|{what}|{variant}", []))


def _load() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def checked_build(res: Results, variant: str, n: int, result: Run, what: str) -> None:
    res.builds.append({"n": n, "variant": variant, "what": what, "returncode": result.returncode,
                       "seconds": round(result.seconds, 3), "warnings": result.warnings})
    if result.returncode != 0:
        res.problems.append(f"N={n} {variant} {what}: exit {result.returncode}\n{result.stderr[-3000:]}")
    elif result.warnings and variant != NEEDS:
        res.problems.append(f"N={n} {variant} {what}: {len(result.warnings)} warning(s), e.g. {result.warnings[0]}")
    elif result.warnings:
        note = f"N={n} sphinx-needs {what}: {len(result.warnings)} warning(s), e.g. {result.warnings[0][:200]}"
        if note.split(":")[0] not in " ".join(res.notes):
            res.notes.append(note)


def _rewrites(before: dict[str, int], out: Path) -> list[str]:
    after = html_mtimes(out)
    return sorted(p for p, t in after.items() if before.get(p) != t)


def bench_builds(res: Results, n: int, m: int, pages: int, variants: list[str], reps: int, work: Path,
                 parts: set[str], jobs2: bool = True, keep_outputs: bool = False) -> None:
    book = generate(n, m, pages)
    roots = {v: work / f"build-{n}" / v for v in variants}
    for v in variants:
        WRITERS[v](book, roots[v])
    keep: dict[str, Path] = {}
    counter = 0
    jobs = [1, 2] if jobs2 else [1]
    for rep in range(reps):
        for j in jobs:
            for v in rotate(variants, rep):
                counter += 1
                out = roots[v] / f"_out{counter}"
                result = run(sphinx_cmd(res.python, roots[v] / "docs", out, j), cwd=roots[v])
                log(f"  N={n} full -j {j} {v}: {result.seconds:.1f} s, {result.cpu:.1f} s CPU, {result.peak_mb:.0f} MB")
                checked_build(res, v, n, result, f"full build -j {j}")
                res.add(n, f"full-j{j}", v, result.seconds)
                res.add(n, f"cpu-full-j{j}", v, result.cpu)
                res.add(n, f"mem-j{j}", v, result.peak_mb)
                if j == 1 and result.returncode == 0:
                    if v in keep:
                        shutil.rmtree(keep[v], ignore_errors=True)
                    keep[v] = out
                else:
                    shutil.rmtree(out, ignore_errors=True)
    if "incremental" in parts:
        target = book.edited_fact()
        current = dict.fromkeys(variants, book)
        for rep in range(reps):
            statement = f"Revised wording {REVISIONS[rep % len(REVISIONS)]} for this recommendation."
            for v in rotate(variants, rep):
                if v in keep:
                    current[v] = incremental(res, n, v, book, current[v], roots[v], keep[v], target, statement)
    if not keep_outputs:
        for out in keep.values():
            shutil.rmtree(out, ignore_errors=True)


def incremental(res: Results, n: int, v: str, book: Handbook, current: Handbook, root: Path, out: Path,
                target: SynthFact, statement: str) -> Handbook:
    """Edit the fact's statement, rebuild, and check what was rewritten and that nothing is stale."""
    before = html_mtimes(out)
    time.sleep(0.02)
    current = edit(v, current, root, target.id, statement)
    result = run(sphinx_cmd(res.python, root / "docs", out, 1), cwd=root)
    checked_build(res, v, n, result, "incremental build")
    rewritten = _rewrites(before, out)
    log(f"  N={n} incremental {v}: {result.seconds:.2f} s, {result.cpu:.2f} s CPU, {len(rewritten)} page(s) rewritten")
    res.add(n, "incremental", v, result.seconds)
    res.add(n, "cpu-incremental", v, result.cpu)
    showing = book.expected_rewrites(target) - {TOCTREE_PARENT}
    page = f"{book.page_name(target.page)}.html"
    expected = {TF: showing | {TOCTREE_PARENT}, PLAIN: {page, TOCTREE_PARENT}}.get(v)
    # Never stale: every page that shows the fact shows the new statement (the plain twin only
    # edited its one page: the others are stale by construction, which is the point of the extension).
    must_show = {TF: sorted(showing), PLAIN: [page], NEEDS: [page, "tables.html", "matrix.html"]}[v]
    stale = [p for p in must_show if statement not in (out / p).read_text(encoding="utf-8")]
    entry = {"fact": target.id, "out": str(out), "rewritten": rewritten,
             "expected": sorted(expected) if expected else None,
             "exact": expected is None or set(rewritten) == expected, "stale_pages": stale, "statement": statement}
    res.rewrites.setdefault(f"{n}|{v}", {"runs": []})["runs"].append(entry)  # type: ignore[union-attr]
    if expected is not None and set(rewritten) != expected:
        res.problems.append(f"N={n} {v}: after editing {target.id} the rewritten pages were {rewritten}, "
                            f"expected {sorted(expected)}")
    if stale and v != NEEDS:
        res.problems.append(f"N={n} {v}: stale after the edit: {stale} do not show {statement!r}")
    if v == PLAIN:
        # For scale: the plain twin kept fresh by hand, every page that shows the sentence edited.
        again = statement.replace("Revised", "Reworded")
        before = html_mtimes(out)
        time.sleep(0.02)
        current = current.with_statement(target.id, again)
        docs = root / "docs"
        _write(docs / page.replace(".html", ".md"), plain_page(current, target.page))
        _write(docs / "tables.md", plain_tables(current))
        _write(docs / "matrix.md", plain_matrix(current))
        anchors = _anchors_by_source(current)
        for sid in target.source_ids:
            _write(docs / f"sources/{sid}.md", plain_source_page(current, current.sources[sid], anchors[sid]))
        result = run(sphinx_cmd(res.python, docs, out, 1), cwd=root)
        checked_build(res, v, n, result, "incremental build, every page edited")
        rewritten = _rewrites(before, out)
        log(f"  N={n} incremental plain, all {len(showing)} pages edited: {result.seconds:.2f} s, "
            f"{result.cpu:.2f} s CPU, {len(rewritten)} page(s) rewritten")
        res.add(n, "incremental-all", PLAIN, result.seconds)
        res.add(n, "cpu-incremental-all", PLAIN, result.cpu)
        if set(rewritten) != showing | {TOCTREE_PARENT}:
            res.problems.append(f"N={n} plain, every page edited: rewrote {rewritten}")
    return current


def bench_check(res: Results, n: int, m: int, reps: int, work: Path) -> None:
    book = generate(n, m, 20 if n >= 20 * 5 else QUICK_PAGES)
    root = work / f"check-{n}"
    write_fact_base(book, root)
    floor_script = root / "floor.py"
    floor_script.write_text(FLOOR, encoding="utf-8")
    commands = {TF: tracefacts_cmd(res.python) + ["check", "--root", str(root), "--today", TODAY],
                PLAIN: [res.python, str(floor_script), str(root)]}
    for v, cmd in commands.items():  # warm the file cache and the byte-code, untimed
        warm = run(cmd, cwd=root)
        if warm.returncode != 0:
            res.problems.append(f"N={n} {v} check: exit {warm.returncode}\n{warm.stdout[-2000:]}{warm.stderr[-2000:]}")
            return
        if v == TF and f"{n} facts, {m} sources, 0 errors" not in warm.stdout:
            res.problems.append(f"N={n} check: unexpected output {warm.stdout[-500:]}")
    for rep in range(reps):
        for v in rotate([TF, PLAIN], rep):
            result = run(commands[v], cwd=root)
            log(f"  N={n} check {v}: {result.seconds:.2f} s, {result.peak_mb:.0f} MB")
            res.add(n, "check", v, result.seconds)
            res.add(n, "cpu-check", v, result.cpu)
            res.add(n, "check-mem", v, result.peak_mb)


def compile_package(python: str) -> None:
    """Byte-compile tracefacts as pip does for an installed package.

    Sphinx, PyYAML and sphinx-needs come from wheels with their byte-code; our editable
    install is compiled when first imported, unless PYTHONDONTWRITEBYTECODE is set (as in
    some sandboxes and CI images): then every measured process would compile our modules
    from source again (about 30 ms each start) and the warm-up below could not prevent it.
    """
    folder = subprocess.run([python, "-c", "import os, tracefacts; print(os.path.dirname(tracefacts.__file__))"],
                            capture_output=True, text=True).stdout.strip()
    done = bool(folder) and subprocess.run([python, "-m", "compileall", "-q", folder],
                                           capture_output=True).returncode == 0
    if not done:
        log(f"bench: could not byte-compile tracefacts ({folder or 'not importable'}): "
            "start-up times include compiling it")


def warm_up(res: Results, variants: list[str], work: Path) -> None:
    """One small untimed build per variant, so byte-code compilation is not measured."""
    book = generate(40, 4, 2)
    for v in variants:
        root = work / "warm" / v
        WRITERS[v](book, root)
        run(sphinx_cmd(res.python, root / "docs", root / "_out"), cwd=root)
    shutil.rmtree(work / "warm", ignore_errors=True)


# --------------------------------------------------------------------------- PDF and HTML sources

PDF_PAGES, QUICK_PDF_PAGES = 300, 12
HTML_BYTES, QUICK_HTML_BYTES = 5_000_000, 300_000
QUOTES, QUICK_QUOTES = 1000, 60
TARGET_PDF = 1.5  # `check --no-cache` against a PDF vs pdfium's bare text extraction of it
TARGET_CACHED = 1.2  # a second (cached) `check` vs the same check with the text as a .txt source
TARGET_HTML = 1.5  # `check --no-cache` against an HTML page vs lxml's bare parse and text extraction
UNCACHED, FLOOR_V, CACHED, TXT = "uncached", "floor", "cached", "txt"  # the variants of a format's rows

# The floors: the chosen library alone, in one Python process (start-up and import included,
# as `tracefacts check` pays its own).
PDF_FLOOR = """\
import sys
import pypdfium2 as pdfium
doc = pdfium.PdfDocument(sys.argv[1])
for n in range(len(doc)):
    page = doc[n]
    textpage = page.get_textpage()
    textpage.get_text_bounded()
    textpage.close()
    page.close()
doc.close()
"""
HTML_FLOOR = """\
import sys
from pathlib import Path
import lxml.html
lxml.html.fromstring(Path(sys.argv[1]).read_bytes()).text_content()
"""
# WeasyPrint lays out more prose than needed; the document is cut to the wanted page count.
MAKE_PDF = """\
import sys
from pathlib import Path
from weasyprint import HTML
source, target, pages = sys.argv[1], sys.argv[2], int(sys.argv[3])
document = HTML(filename=source).render()
if len(document.pages) < pages:
    sys.exit(f"only {len(document.pages)} pages laid out, {pages} wanted")
document.copy(document.pages[:pages]).write_pdf(target)
"""
# The text tracefacts extracts (the quotes are picked from it; the .txt twin is it).
EXTRACT = """\
import json, sys
from pathlib import Path
from tracefacts.formats import Extracted, extract
found = extract(Path(sys.argv[1]).read_bytes(), sys.argv[2])
if not isinstance(found, Extracted):
    sys.exit(f"{found.code}: {found.message}")
Path(sys.argv[3]).write_text(found.text, encoding="utf-8")
print(json.dumps({"pages": len(found.pages)}))
"""
_MARKER = re.compile(r"\((\d+)\) ")
_CHAPTER_EVERY = 40  # sentences per chapter (PDF) or section (HTML)


def numbered(count: int, rng: random.Random) -> list[str]:
    """``count`` sentences of the seeds, each opened by its number, so that each stands once."""
    pool = seed_sentences()
    return [f"({k}) {rng.choice(pool)}" for k in range(count)]


def _h(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pdf_prose(pages: int, rng: random.Random) -> str:
    """A report for WeasyPrint: chapters of justified, hyphenated prose, the chapter's title as
    the running header and the page number as the footer, more than ``pages`` pages of it."""
    sentences = numbered(pages * 30, rng)  # about 22 a page fit: the rest is cut away
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Synthetic report</title><style>",
           "@page { size: A4; margin: 2.5cm 2.2cm; @top-center { content: string(chapter); font-size: 9pt }"
           " @bottom-center { content: counter(page); font-size: 9pt } }",
           "body { font: 11pt/1.4 serif; text-align: justify; hyphens: auto }",
           "h2 { string-set: chapter content(); font-size: 15pt; break-before: page }",
           "</style></head><body>"]
    for start in range(0, len(sentences), _CHAPTER_EVERY):
        out.append(f"<h2>Chapter {letters(start // _CHAPTER_EVERY)}</h2>")
        chapter = sentences[start:start + _CHAPTER_EVERY]
        for p in range(0, len(chapter), 4):
            out.append(f"<p>{_h(' '.join(chapter[p:p + 4]))}</p>")
    return "\n".join(out + ["</body></html>"]) + "\n"


def _inline(sentence: str, rng: random.Random) -> str:
    """A sentence with inline markup around one of its words (never the number)."""
    words = _h(sentence).split(" ")
    if len(words) > 3:
        k = rng.randrange(2, len(words) - 1)
        tag = rng.choice(("b", "em", "code", "a"))
        opening = "<a href='#s'>" if tag == "a" else f"<{tag}>"
        words[k] = f"{opening}{words[k]}</{tag}>"
    return " ".join(words)


def html_page(size: int, rng: random.Random) -> str:
    """A web page of about ``size`` bytes: navigation, a script and a style, then nested
    sections of paragraphs and lists whose sentences carry inline markup."""
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Synthetic page</title>",
           "<style>body { font-family: sans-serif }</style><script>var tracked = [];</script></head><body>",
           "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav><main>"]
    pool = seed_sentences()
    k = total = 0
    section = 0
    while total < size:
        part = [f"<section id='s{section}'><h2>Section {letters(section)}</h2>"]
        for sub in range(3):
            part.append(f"<section><h3>Part {sub + 1}</h3>")
            for block in range(4):
                items = []
                for _ in range(3 + (block + sub) % 3):
                    items.append(_inline(f"({k}) {rng.choice(pool)}", rng))
                    k += 1
                if block == 2:
                    part.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
                else:
                    part.append(f"<p>{' '.join(items)}</p>")
            part.append("</section>")
        part.append("</section>")
        text = "\n".join(part) + "\n"
        out.append(text)
        total += len(text.encode("utf-8"))
        section += 1
    return "\n".join(out + ["</main><footer>© Synthetic</footer></body></html>"]) + "\n"


def pick_quotes(text: str, count: int) -> list[str]:
    """``count`` sentences of the extracted text, spread evenly over it: each runs from its
    number to the next within one paragraph (so some cross a line or a page break), white
    space collapsed as a writer copying it would, and stands once in the text."""
    flat = " ".join(text.split())
    found: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        marks = list(_MARKER.finditer(paragraph))
        if not marks:  # a heading
            continue
        ends = [m.start() for m in marks[1:]] + [len(paragraph)]
        for mark, end in zip(marks, ends, strict=True):
            sentence = " ".join(paragraph[mark.start():end].split())
            if sentence[-1:] in ".!?" and len(sentence.split()) >= 6 and "[" not in sentence:
                found.append(sentence)
    step = len(found) / count if found else 0
    chosen = [found[int(i * step)] for i in range(count)] if len(found) >= count else found
    return [q for q in chosen if flat.count(q) == 1]


def write_quote_base(root: Path, name: str, data: bytes, quotes: list[str]) -> None:
    """A fact base of one fact per quote, all citing ``seeds/<name>``."""
    (root / "seeds").mkdir(parents=True, exist_ok=True)
    (root / "seeds" / name).write_bytes(data)
    source = SynthSource(index=0, id="doc", needs_id="S_0000", title="A synthetic document",
                         publisher="Northwind Media", published=dt.date(2026, 3, 1), chrome="", lines=(),
                         sentences=())
    _write(root / "facts/sources.yaml", "\n".join([
        "sources:", "  - id: doc", f"    file: seeds/{name}", f"    title: {_q(source.title)}",
        f"    publisher: {_q(source.publisher)}", f"    published: {source.published.isoformat()}",
        f"    sha256: {hashlib.sha256(data).hexdigest()}"]) + "\n")
    out = ["facts:"]
    for k, quote in enumerate(quotes):
        fact = honest(SynthFact(index=k, id=f"q.f{k:05d}", needs_id="", page=0, kind="reported", claimant=None,
                                statement=f"Passage {number(quote)}: {_MARKER.sub('', quote, count=1)}",
                                quotes=(("doc", quote),),
                                cite=False, sentence=""), {"doc": source})
        out += [f"  - id: {fact.id}", f"    statement: {_q(fact.statement)}", f"    kind: {fact.kind}",
                "    topic: passages"]
        if fact.review_by:
            out.append(f"    review_by: {fact.review_by}")
        out += ["    sources:", "      - source: doc", f"        quote: {_q(quote)}"]
    _write(root / "facts/passages.yaml", "\n".join(out) + "\n")


def number(quote: str) -> str:
    """The number a quote opens with (the statement's figure, which the quote must contain)."""
    found = _MARKER.match(quote)
    return found.group(1) if found else "?"


def weasyprint_python(res: Results) -> str | None:
    """An interpreter that can import WeasyPrint (the `pdf` extra): the measured one, this one,
    or the project's .venv (which `make` installs with it)."""
    for python in dict.fromkeys([res.python, sys.executable, str(REPO / ".venv" / "bin" / "python")]):
        if Path(python).exists() and has_module(python, "weasyprint"):
            return python
    return None


def make_source(res: Results, fmt: str, quick: bool, work: Path) -> Path | None:
    """The generated PDF or HTML document, kept in the work folder under a name that is the
    hash of what made it (a second run with --workdir reuses it: WeasyPrint takes a minute)."""
    rng = random.Random(RNG_SEED)
    folder = work / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        page = html_page(QUICK_HTML_BYTES if quick else HTML_BYTES, rng).encode("utf-8")
        path = folder / f"page-{hashlib.sha256(page).hexdigest()[:12]}.html"
        if not path.exists():
            path.write_bytes(page)
        return path
    pages = QUICK_PDF_PAGES if quick else PDF_PAGES
    prose = pdf_prose(pages, rng)
    path = folder / f"report-{pages}p-{hashlib.sha256((prose + MAKE_PDF).encode()).hexdigest()[:12]}.pdf"
    if path.exists():
        return path
    python = weasyprint_python(res)
    if python is None:
        res.problems.append(f"PDF rows: no interpreter here can import WeasyPrint to make the {pages}-page PDF "
                            "(install the project's `pdf` extra: pip install -e '.[pdf]')")
        return None
    source = folder / "report.html"
    source.write_text(prose, encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([python, "-c", MAKE_PDF, str(source), str(path) + ".part", str(pages)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        res.problems.append(f"PDF rows: WeasyPrint failed: {done.stderr[-2000:]}")
        return None
    os.replace(str(path) + ".part", path)
    log(f"  made the {pages}-page PDF in {time.perf_counter() - started:.0f} s ({path.stat().st_size >> 10} KB)")
    return path


def bench_format(res: Results, fmt: str, quick: bool, reps: int, work: Path) -> None:
    """The rows of one source format, variants alternated within each repetition:
    `check --no-cache` against the floor; for PDF also the second `check` (read from the
    cache) against the same fact base with the extracted text as a .txt source."""
    document = make_source(res, fmt, quick, work)
    if document is None:
        return
    folder = work / f"{fmt}-check"
    text_path = folder / "extracted.txt"
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([res.python, "-c", EXTRACT, str(document), fmt, str(text_path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        res.problems.append(f"{fmt} rows: extraction failed: {done.stderr[-2000:]}")
        return
    text = text_path.read_text(encoding="utf-8")
    wanted = QUICK_QUOTES if quick else QUOTES
    quotes = pick_quotes(text, wanted)
    if len(quotes) < wanted:
        res.problems.append(f"{fmt} rows: only {len(quotes)} distinct quotes found in the extracted text")
        return
    data = document.read_bytes()
    pages = json.loads(done.stdout).get("pages", 0)
    res.formats[fmt] = {"file": document.name, "bytes": len(data), "pages": pages, "quotes": len(quotes),
                        "characters": len(text), "folder": str(folder)}
    roots = {fmt: folder / fmt, "txt": folder / "txt"}
    write_quote_base(roots[fmt], f"doc.{fmt}", data, quotes)
    write_quote_base(roots["txt"], "doc.txt", text.encode("utf-8"), quotes)
    shutil.rmtree(roots[fmt] / CLI_CACHE, ignore_errors=True)
    floor = folder / "floor.py"
    floor.write_text(PDF_FLOOR if fmt == "pdf" else HTML_FLOOR, encoding="utf-8")
    check = tracefacts_cmd(res.python) + ["check", "--today", TODAY, "--root"]
    commands = {UNCACHED: check[:-1] + ["--no-cache", "--root", str(roots[fmt])],
                FLOOR_V: [res.python, str(floor), str(roots[fmt] / "seeds" / f"doc.{fmt}")],
                CACHED: check + [str(roots[fmt])], TXT: check + [str(roots["txt"])]}
    n = len(quotes)
    expected = f"{n} facts, 1 source, 0 errors"
    for v, cmd in commands.items():  # warm the file cache and byte-code; CACHED's run fills the cache
        warm = run(cmd, cwd=folder)
        if warm.returncode != 0 or (v != FLOOR_V and expected not in warm.stdout):
            res.problems.append(f"{fmt} {v} check: exit {warm.returncode}, expected '{expected}':\n"
                                f"{warm.stdout[-2000:]}{warm.stderr[-2000:]}")
            return
    if not any((roots[fmt] / CLI_CACHE).rglob("*.json")):
        res.problems.append(f"{fmt} rows: `tracefacts check` left nothing in {CLI_CACHE}/")
    for rep in range(reps):
        for v in rotate(list(commands), rep):
            result = run(commands[v], cwd=folder)
            log(f"  {fmt} {v}: {result.seconds:.2f} s, {result.peak_mb:.0f} MB")
            if result.returncode != 0:
                res.problems.append(f"{fmt} {v}: exit {result.returncode}\n{result.stderr[-2000:]}")
            what, variant = (f"{fmt}-check", TF if v == UNCACHED else PLAIN) if v in (UNCACHED, FLOOR_V) \
                else (f"{fmt}-cached", TF if v == CACHED else PLAIN)
            res.add(n, what, variant, result.seconds)
            res.add(n, f"cpu-{what}", variant, result.cpu)
            res.add(n, f"{what}-mem", variant, result.peak_mb)


CLI_CACHE = ".tracefacts-cache"


# --------------------------------------------------------------------------- the table

COLUMNS = ("N", "what", "tracefacts", "plain", "needs", "ratio", "target", "pass/fail")


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} MB" if unit == "MB" else f"{value:.2f} s"


def table_rows(res: Results, build_sizes: list[tuple[int, int]], check_sizes: list[tuple[int, int]],
               parts: set[str]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    largest_build = max(n for n, _ in build_sizes) if build_sizes else None
    largest_check = max(n for n, _ in check_sizes) if check_sizes else None
    has_needs = res.needs is None

    def row(n: int, label: str, what: str, unit: str, target: float | None, target_text: str = "",
            cpu: bool = False) -> None:
        if cpu:  # the same measurement in CPU seconds: less sensitive to other load on the machine
            row(n, label, what, unit, target, target_text)
            row(n, label.split(" (")[0] + ", CPU time", f"cpu-{what}", unit, target, target_text)
            return
        tf, plain, needs = (res.get(n, what, v) for v in (TF, PLAIN, NEEDS))
        if tf is None and plain is None:
            return
        ratio = tf / plain if tf is not None and plain else None
        verdicts = []
        if target is not None and ratio is not None:
            verdicts.append(ratio <= target)
        if unit == "s" and has_needs and needs is not None and tf is not None:
            verdicts.append(tf < needs)
        rows.append({
            "N": str(n), "what": label, "tracefacts": _fmt(tf, unit), "plain": _fmt(plain, unit),
            "needs": _fmt(needs, unit) if has_needs else "n/a",
            "ratio": f"{ratio:.2f}×" if ratio is not None else "—",
            "target": target_text or (f"≤ {target}×" if target is not None else "—"),
            "pass/fail": ("pass" if all(verdicts) else "FAIL") if verdicts else "info",
        })

    for n, m in build_sizes:
        full_target = TARGET_FULL if n == largest_build else None
        row(n, f"full build -j 1 (M={m})", "full-j1", "s", full_target,
            f"≤ {TARGET_FULL}×" + ("" if full_target else f" (at N={largest_build})") + " & < needs", cpu=True)
        if "jobs" in parts:
            row(n, "full build -j 2", "full-j2", "s", None, "< needs")
            tf1, tf2 = res.get(n, "full-j1", TF), res.get(n, "full-j2", TF)
            pl1, pl2 = res.get(n, "full-j1", PLAIN), res.get(n, "full-j2", PLAIN)
            nd1, nd2 = res.get(n, "full-j1", NEEDS), res.get(n, "full-j2", NEEDS)
            if tf1 and tf2 and pl1 and pl2:
                rows.append({"N": str(n), "what": "speed-up -j 2 over -j 1", "tracefacts": f"{tf1 / tf2:.2f}×",
                             "plain": f"{pl1 / pl2:.2f}×",
                             "needs": f"{nd1 / nd2:.2f}×" if nd1 and nd2 else ("—" if has_needs else "n/a"),
                             "ratio": "—", "target": "—", "pass/fail": "info"})
        row(n, "peak memory -j 1", "mem-j1", "MB", None)
        if "jobs" in parts:
            row(n, "peak memory -j 2 (largest process)", "mem-j2", "MB", None)
        if "incremental" in parts:
            row(n, "incremental, one fact edited", "incremental", "s", TARGET_INCREMENTAL,
                f"≤ {TARGET_INCREMENTAL}× & < needs", cpu=True)
            for cpu in ("", "cpu-"):
                tf, plain = res.get(n, f"{cpu}incremental", TF), res.get(n, f"{cpu}incremental-all", PLAIN)
                if tf is not None and plain:
                    rows.append({"N": str(n), "what": "incremental vs plain with all pages showing it edited"
                                 + (", CPU time" if cpu else ""),
                                 "tracefacts": _fmt(tf, "s"), "plain": _fmt(plain, "s"), "needs": "—",
                                 "ratio": f"{tf / plain:.2f}×", "target": "—", "pass/fail": "info"})
            cells = {}
            verdict = []
            for v in (TF, PLAIN, NEEDS):
                info = res.rewrites.get(f"{n}|{v}")
                if not info:
                    cells[v] = "n/a" if v == NEEDS and not has_needs else "—"
                    continue
                last = info["runs"][-1]  # type: ignore[index]
                exact = all(r["exact"] for r in info["runs"])  # type: ignore[union-attr]
                fresh = all(not r["stale_pages"] for r in info["runs"])  # type: ignore[union-attr]
                cells[v] = f"{len(last['rewritten'])}" + ("" if fresh else " (stale!)")
                if v == TF:
                    verdict += [exact, fresh]
            rows.append({"N": str(n), "what": "pages rewritten by that edit", "tracefacts": cells[TF],
                         "plain": cells[PLAIN], "needs": cells[NEEDS], "ratio": "—",
                         "target": "exactly the pages showing the fact; none stale",
                         "pass/fail": ("pass" if all(verdict) else "FAIL") if verdict else "—"})
    for n, m in check_sizes:
        target = TARGET_CHECK if n == largest_check else None
        row(n, f"`tracefacts check` vs floor (M={m})", "check", "s", target,
            f"≤ {TARGET_CHECK}×" + ("" if target else f" (at N={largest_check})"), cpu=True)
        row(n, "check peak memory", "check-mem", "MB", None)
    pdf, html = res.formats.get("pdf"), res.formats.get("html")
    if pdf:
        n, size = int(pdf["quotes"]), f"{pdf['pages']}-page PDF"  # type: ignore[call-overload]
        row(n, f"`check --no-cache`, {size} vs pdfium's bare text extraction", "pdf-check", "s", TARGET_PDF,
            cpu=True)
        row(n, f"second, cached `check`, {size} vs the same with its text as a .txt source", "pdf-cached", "s",
            TARGET_CACHED, cpu=True)
        row(n, "PDF check peak memory (uncached; largest process) vs the floor's", "pdf-check-mem", "MB", None)
    if html:
        n, size = int(html["quotes"]), f"{int(html['bytes']) / 1e6:.1f} MB HTML page"  # type: ignore[call-overload]
        row(n, f"`check --no-cache`, {size} vs lxml's bare parse and text_content()", "html-check", "s",
            TARGET_HTML, cpu=True)
        row(n, f"second, cached `check`, {size} vs the same with its text as a .txt source", "html-cached", "s",
            None, cpu=True)
        row(n, "HTML check peak memory (uncached) vs the floor's", "html-check-mem", "MB", None)
    return rows


def markdown(rows: list[dict[str, str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        lines.append("| " + " | ".join(r[c].replace("|", "\\|") for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def report(res: Results, rows: list[dict[str, str]], args: argparse.Namespace) -> str:
    versions = subprocess.run([res.python, "-c", "import sphinx, docutils, myst_parser; "
                               "print(sphinx.__version__, docutils.__version__, myst_parser.__version__)"],
                              capture_output=True, text=True).stdout.split()
    head = [f"# tracefacts benchmark ({dt.datetime.now():%Y-%m-%d %H:%M})", "",
            f"- Python {platform.python_version()} ({res.python}), Sphinx {versions[0] if versions else '?'}, "
            f"docutils {versions[1] if len(versions) > 1 else '?'}, myst-parser "
            f"{versions[2] if len(versions) > 2 else '?'}; {os.cpu_count()} CPU(s)",
            f"- medians of {res.reps_text} repetition(s), variants alternated within each; "
            f"{args.pages} pages + tables + matrix + one page per source; builds: {res.sizes.get('builds')}; "
            f"check: {res.sizes.get('checks')} (N:M)",
            f"- load average {res.load[0]} at the start, {res.load[1]} at the end (2 CPUs shared with "
            "whatever else runs: wall times are medians, CPU-time rows are the load-robust check)",
            "- plain = the plain-MyST twin (builds) or the floor: one Python process parsing the same YAML with "
            "`yaml.CSafeLoader` and reading and hashing every source (check)",
            "- incremental: tracefacts edits one statement in facts/*.yaml; the plain twin edits the one page that "
            "shows the sentence (its table, matrix and source pages then show the old one); the 'all pages' row has "
            "the plain twin edit every page that shows it",
            f"- needs = sphinx-needs {'twin' if res.needs is None else 'column absent: ' + res.needs}",
            f"- peak memory: {'GNU time %M' if GNU_TIME else 'wait4 ru_maxrss'} of the measured process",
            "- PDF and HTML rows (N = quotes): plain = the floor, one Python process of the chosen library alone "
            "(pdfium: open the file, `get_textpage().get_text_bounded()` on every page; lxml: "
            "`lxml.html.fromstring(data).text_content()`), or, for the second (cached) `check`, the same check "
            "against the same facts citing the extracted text saved as a .txt source; CPU time includes the PDF "
            "reader's child process", ""]
    tail = [""]
    for key, info in sorted(res.rewrites.items()):
        n, v = key.split("|")
        last = info["runs"][-1]  # type: ignore[index]
        tail.append(f"- N={n} {v}: editing `{last['fact']}` rewrote {', '.join(last['rewritten']) or 'nothing'}"
                    + (f" (expected {', '.join(last['expected'])})" if last["expected"] else "")
                    + (f"; STALE: {', '.join(last['stale_pages'])}" if last["stale_pages"] else ""))
    if any(r["stale_pages"] for k, i in res.rewrites.items() if k.endswith(NEEDS) for r in i["runs"]):  # type: ignore[union-attr]
        tail.append("- sphinx-needs does not re-render a needtable on another page when a need changes "
                    "(useblocks/sphinx-needs#354): its incremental time is that of a stale result")
    for fmt, info in res.formats.items():
        tail.append(f"- {fmt} rows: `{info['file']}`, {int(info['bytes']) >> 10} KB"  # type: ignore[call-overload]
                    + (f", {info['pages']} pages" if fmt == "pdf" else "")
                    + f", {info['characters']} characters extracted, {info['quotes']} quotes (one fact each)")
    tail += [f"- note: {n}" for n in res.notes]
    tail += [f"- PROBLEM: {p}" for p in res.problems]
    return "\n".join(head) + "\n" + markdown(rows) + "\n".join(tail) + "\n"


# --------------------------------------------------------------------------- profiling


def profile_summary(path: Path, top: int = 20) -> str:
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    entries = stats.stats  # type: ignore[attr-defined]
    by_package: dict[str, float] = {}
    rows = []
    for (file, line, func), (_cc, _nc, tt, ct, _callers) in entries.items():
        package = _package(file)
        by_package[package] = by_package.get(package, 0.0) + tt
        rows.append((tt, ct, f"{_short(file)}:{line}({func})"))
    out = [f"total {total:.2f} s (profiled)", "", "own time by package:"]
    for package, tt in sorted(by_package.items(), key=lambda x: -x[1])[:12]:
        out.append(f"  {tt / total:6.1%}  {tt:7.2f} s  {package}")
    out += ["", f"top {top} functions by own time (share, own, cumulative):"]
    for tt, ct, name in sorted(rows, reverse=True)[:top]:
        out.append(f"  {tt / total:6.1%}  {tt:7.2f} s  {ct:7.2f} s  {name}")
    out += ["", "tracefacts functions by cumulative time:"]
    ours = sorted(((ct, tt, name) for tt, ct, name in rows if name.startswith("tracefacts")), reverse=True)
    for ct, tt, name in ours[:top]:
        out.append(f"  {ct / total:6.1%}  {ct:7.2f} s cumulative  {tt:7.2f} s own  {name}")
    return "\n".join(out)


def _package(file: str) -> str:
    if file.startswith("<") or file == "~":
        return "builtins/C"
    parts = Path(file).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    if "src" in parts and "tracefacts" in parts:
        return "tracefacts"
    return "stdlib"


def _short(file: str) -> str:
    parts = Path(file).parts
    for anchor in ("site-packages", "src"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor) + 1:])
    return file if file.startswith("<") or file == "~" else "/".join(parts[-2:])


def profile(args: argparse.Namespace, python: str, build_sizes: list[tuple[int, int]],
            check_sizes: list[tuple[int, int]], work: Path) -> None:
    folder = Path(args.profile).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    n, m = max(build_sizes)
    book = generate(n, m, args.pages)
    sections = []
    for variant in (TF, PLAIN):
        root = work / f"profile-{n}" / variant
        WRITERS[variant](book, root)
        prof = folder / f"build-{variant}-{n}.prof"
        cmd = [python, "-m", "cProfile", "-o", str(prof), "-m", "sphinx", "-b", "html", "-q", "-j", "1",
               str(root / "docs"), str(root / "_out")]
        result = run(cmd, cwd=root)
        log(f"profiled full build {variant} N={n}: {result.seconds:.1f} s (exit {result.returncode})")
        sections.append(f"## full build, {variant}, N={n} M={m} ({result.seconds:.1f} s under cProfile)\n\n"
                        + profile_summary(prof, args.top))
        if variant == TF:
            plain_run = run(sphinx_cmd(python, root / "docs", root / "_out_wall"), cwd=root)
            sections[-1] += f"\n\n(wall time without the profiler: {plain_run.seconds:.1f} s)"
            edit(TF, book, root, book.edited_fact().id, "Revised wording alpha for this recommendation.")
            prof = folder / f"incremental-{variant}-{n}.prof"
            cmd[cmd.index("-o") + 1] = str(prof)
            result = run(cmd, cwd=root)
            sections.append(f"## incremental build after a one-fact edit, {variant}, N={n} "
                            f"({result.seconds:.1f} s under cProfile)\n\n" + profile_summary(prof, args.top))
    n, m = max(check_sizes)
    root = work / f"profile-check-{n}"
    write_fact_base(generate(n, m, 20), root)
    prof = folder / f"check-{n}.prof"
    result = run([python, "-m", "cProfile", "-o", str(prof), "-m", "tracefacts.cli", "check", "--root", str(root),
                  "--today", TODAY], cwd=root)
    log(f"profiled check N={n}: {result.seconds:.1f} s (exit {result.returncode})")
    sections.append(f"## tracefacts check, N={n} M={m} ({result.seconds:.1f} s under cProfile)\n\n"
                    + profile_summary(prof, args.top))
    text = "\n\n".join(sections) + "\n"
    (folder / "summary.md").write_text(text, encoding="utf-8")
    print(text)


# --------------------------------------------------------------------------- main


def sizes(text: str) -> list[tuple[int, int]]:
    found = []
    for item in filter(None, (t.strip() for t in text.split(","))):
        n, _, m = item.partition(":")
        found.append((int(n), int(m) if m else max(1, int(n) // 50)))
    return found


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help=f"small run for the test: builds {QUICK_BUILD_SIZES}, check {QUICK_CHECK_SIZES}, "
                        f"{QUICK_PAGES} pages, 1 repetition")
    p.add_argument("--reps", type=int, default=None, help=f"repetitions (default {DEFAULT_REPS}, quick 1)")
    p.add_argument("--large-reps", type=int, default=DEFAULT_LARGE_REPS,
                   help=f"repetitions of the builds at N >= {LARGE} (default {DEFAULT_LARGE_REPS}, never more than "
                        "--reps): there one full build takes about a minute on 2 CPUs")
    p.add_argument("--jobs-sizes", default="smallest",
                   help="build sizes N at which -j 2 is measured too: 'smallest' (default), 'all', or N,N")
    p.add_argument("--sizes", default=None, help=f"builds, N:M facts:sources (default {DEFAULT_BUILD_SIZES})")
    p.add_argument("--check-sizes", default=None, help=f"check, N:M (default {DEFAULT_CHECK_SIZES})")
    p.add_argument("--pages", type=int, default=None, help="content pages (default 20, quick 4)")
    p.add_argument("--parts", default="full,jobs,incremental,check,pdf,html",
                   help="what to measure: full,jobs,incremental,check,pdf,html (default all)")
    p.add_argument("--output", "-o", help="write the Markdown report to this file")
    p.add_argument("--json", help="write every measurement as JSON to this file")
    p.add_argument("--workdir", help="where handbooks are generated (default: a temporary folder, removed)")
    p.add_argument("--keep", action="store_true", help="keep the generated handbooks")
    p.add_argument("--python", help="interpreter of the measured processes (default: this one, or .bench-venv's "
                                    "if only it has sphinx-needs)")
    p.add_argument("--no-needs", action="store_true", help="leave the sphinx-needs column out")
    p.add_argument("--profile", metavar="DIR", help="profile (cProfile) instead of timing; writes DIR/*.prof "
                                                    "and DIR/summary.md")
    p.add_argument("--top", type=int, default=25, help="functions listed per profile")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    reps = args.reps or (1 if args.quick else DEFAULT_REPS)
    args.pages = args.pages or (QUICK_PAGES if args.quick else 20)
    build_sizes = sizes(args.sizes or (QUICK_BUILD_SIZES if args.quick else DEFAULT_BUILD_SIZES))
    check_sizes = sizes(args.check_sizes or (QUICK_CHECK_SIZES if args.quick else DEFAULT_CHECK_SIZES))
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    python = choose_python(args.python, not args.no_needs)
    needs_reason = None
    if args.no_needs:
        needs_reason = "left out (--no-needs)"
    elif not has_module(python, "sphinx_needs"):
        needs_reason = (f"sphinx_needs cannot be imported by {python}; create the benchmark venv "
                        f"(python -m venv .bench-venv; .bench-venv/bin/pip install -e . sphinx-needs)")
    variants = [TF, PLAIN] + ([NEEDS] if needs_reason is None else [])

    made = args.workdir is None
    work = Path(args.workdir or tempfile.mkdtemp(prefix="tracefacts-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        compile_package(python)
        if args.profile:
            profile(args, python, build_sizes, check_sizes, work)
            return 0
        large_reps = min(reps, args.large_reps)
        if args.jobs_sizes == "all":
            jobs_at = {n for n, _ in build_sizes}
        elif args.jobs_sizes == "smallest":
            jobs_at = {min(n for n, _ in build_sizes)} if build_sizes else set()
        else:
            jobs_at = {int(x) for x in args.jobs_sizes.split(",") if x.strip()}
        builds = parts & {"full", "jobs", "incremental"}
        res = Results(python=python, reps=reps, needs=needs_reason,
                      sizes={"builds": ", ".join(f"{n}:{m}" for n, m in build_sizes) if builds else "none",
                             "checks": ", ".join(f"{n}:{m}" for n, m in check_sizes) if "check" in parts else "none"})
        started = time.perf_counter()
        res.reps_text = f"{reps}" + (f" ({large_reps} for builds at N ≥ {LARGE})"
                                     if large_reps != reps and any(n >= LARGE for n, _ in build_sizes) else "")
        log(f"bench: python {python}; variants {', '.join(variants)}; {res.reps_text} repetition(s); work in {work}")
        if not args.quick and parts & {"full", "jobs", "incremental"}:
            warm_up(res, variants, work)
        if parts & {"full", "jobs", "incremental"}:
            for n, m in build_sizes:
                bench_builds(res, n, m, args.pages, variants, large_reps if n >= LARGE else reps, work, parts,
                             jobs2="jobs" in parts and n in jobs_at, keep_outputs=args.keep)
        else:
            build_sizes = []
        if "check" in parts:
            for n, m in check_sizes:
                bench_check(res, n, m, reps, work)
        else:
            check_sizes = []
        for fmt in ("pdf", "html"):
            if fmt in parts:
                bench_format(res, fmt, args.quick, reps, work)
        res.load[1] = _load()
        res.notes.append(f"benchmark wall time {time.perf_counter() - started:.0f} s")
        rows = table_rows(res, build_sizes, check_sizes, parts)
        text = report(res, rows, args)
        print(text)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        if args.json:
            Path(args.json).write_text(json.dumps({
                "python": python, "reps": reps, "needs": needs_reason, "samples": res.samples,
                "rewrites": res.rewrites, "builds": res.builds, "problems": res.problems, "notes": res.notes,
                "formats": res.formats,
                "rows": rows,
            }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return 1 if res.problems else 0
    finally:
        if made and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
