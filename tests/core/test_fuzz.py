"""Hypothesis fuzzing of whole handbooks: mutated fact bases, odd paths, find → paste → check."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tfcore import SEED_A, SEED_B, TODAY

from tracefacts.anchor import word_count
from tracefacts.check import check
from tracefacts.find import find_text, yaml_entry
from tracefacts.normalize import normalize_text

KNOWN_CODES = {
    "yaml-syntax", "schema", "duplicate-key", "duplicate-id", "no-source", "unknown-source",
    "source-missing", "source-outside-root", "source-not-utf8", "source-unpinned",
    "source-hash-mismatch", "quote-not-found", "quote-too-short", "quote-ambiguous",
    "figure-not-in-quote", "stale", "unused-source",
}
FUZZ = settings(max_examples=400, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

SOURCES = [
    {"id": "acme-report", "file": "seeds/a.txt", "title": "Acme", "publisher": "Acme",
     "published": dt.date(2026, 4, 25), "sha256": hashlib.sha256(SEED_A.encode()).hexdigest()},
    {"id": "beta-news", "file": "seeds/b.txt", "title": "Beta", "publisher": "Beta",
     "published": dt.date(2026, 4, 9), "sha256": hashlib.sha256(SEED_B.encode()).hexdigest()},
]
FACTS = [
    {"id": "acme.capacity", "statement": "The Acme widget has 14.3 percent more capacity.",
     "kind": "reported", "topic": "acme", "tags": ["capacity"], "review_by": dt.date(2027, 1, 1),
     "sources": [{"source": "acme-report", "quote": "ships in March with 14.3 percent more capacity"}]},
    {"id": "beta.gadget", "statement": "Beta says it has a new gadget.", "kind": "vendor-claim",
     "claimant": "Beta Corp", "topic": "beta", "subject": "beta", "attribute": "gadget", "value": "new",
     "sources": [{"source": "beta-news", "quote": "Beta Corp announced a brand new gadget"}]},
    {"id": "acme.pricey", "statement": "The widget is too expensive, critics say.", "kind": "opinion",
     "claimant": "Critics", "topic": "acme",
     "sources": [{"source": "acme-report", "quote": "the widget is too expensive for small teams",
                  "prefix": "Critics say"}]},
]

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=True),
    st.text(max_size=30), st.dates(), st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.sampled_from(["", " ", "Acme_Bad", "2026-13-45", "vendor-claim", "acme-report", "seeds/a.txt",
                     "../etc/passwd", "/etc/hostname", "seeds", "seeds/../seeds/b.txt", "0" * 64]),
)


def mutate(draw, data):
    """Apply one random mutation to the fact base ``data`` (lists of dicts)."""
    kind = draw(st.sampled_from(["drop", "retype", "unknown", "duplicate", "empty", "shuffle"]))
    table = draw(st.sampled_from(["facts", "sources", "quotes"]))
    if table == "quotes":
        if not data["facts"]:
            return
        fact = draw(st.sampled_from(data["facts"]))
        items = fact.get("sources") if isinstance(fact, dict) else None
        if not isinstance(items, list) or not items:
            return
    else:
        items = data[table]
    if not items:
        return
    index = draw(st.integers(0, len(items) - 1))
    item = items[index]
    if kind == "duplicate":
        items.append(copy.deepcopy(item))
    elif kind == "empty":
        items.clear()
    elif kind == "shuffle":
        items.reverse()
    elif not isinstance(item, dict):
        items[index] = draw(ODD_VALUES)
    elif kind == "drop" and item:
        item.pop(draw(st.sampled_from(sorted(item))))
    elif kind == "retype" and item:
        item[draw(st.sampled_from(sorted(item)))] = draw(ODD_VALUES)
    elif kind == "unknown":
        item[draw(st.sampled_from(["qoute", "Statement", "source_", "extra"]))] = draw(ODD_VALUES)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzzbase")
    (root / "facts").mkdir()
    (root / "seeds").mkdir()
    (root / "seeds" / "a.txt").write_text(SEED_A, encoding="utf-8")
    (root / "seeds" / "b.txt").write_text(SEED_B, encoding="utf-8")
    return root


def write_base(root: Path, data) -> dict[str, bytes]:
    files = {
        "facts/sources.yaml": yaml.safe_dump({"sources": data["sources"]}, sort_keys=False,
                                             allow_unicode=True).encode(),
        "facts/x.yaml": yaml.safe_dump({"facts": data["facts"]}, sort_keys=False,
                                       allow_unicode=True).encode(),
    }
    for rel, content in files.items():
        (root / rel).write_bytes(content)
    return files


def test_the_unmutated_fuzz_base_is_clean(root):
    write_base(root, {"sources": copy.deepcopy(SOURCES), "facts": copy.deepcopy(FACTS)})
    assert check(root, TODAY).problems == ()


@FUZZ
@given(st.data())
def test_mutated_fact_bases_give_only_problems(root, data):
    base = {"sources": copy.deepcopy(SOURCES), "facts": copy.deepcopy(FACTS)}
    for _ in range(data.draw(st.integers(1, 4))):
        mutate(data.draw, base)
    files = write_base(root, base)
    result = check(root, TODAY)
    for problem in result.problems:
        assert problem.code in KNOWN_CODES
        assert problem.severity in ("error", "warning") and problem.message
        assert 1 <= problem.line <= files[problem.file].count(b"\n") + 1, problem
    # two identical copies of a fact that loads are always caught as a duplicate id
    facts = [f for f in base["facts"] if isinstance(f, dict)]
    if any(facts.count(f) > 1 and f.get("id") in result.base.facts for f in facts):
        assert any(p.code == "duplicate-id" for p in result.problems)


@FUZZ
@given(st.text(max_size=40) | st.sampled_from(["seeds/./b.txt", "seeds//b.txt", "seeds/b.txt/",
                                                 "./seeds/b.txt", "seeds/../../b.txt", "~/b.txt",
                                                 "seeds/\u00e9.txt", "seeds/" + "x" * 5000]))
def test_any_file_path_gives_a_problem_or_reads_the_seed(root, path):
    sources = copy.deepcopy(SOURCES)
    sources[1]["file"] = path
    files = write_base(root, {"sources": sources, "facts": copy.deepcopy(FACTS)})
    result = check(root, TODAY)
    codes = {p.code for p in result.problems}
    assert codes <= KNOWN_CODES
    if "beta-news" in result.texts:  # it was read: then it really is seeds/b.txt
        assert result.texts["beta-news"].path == (root / "seeds" / "b.txt").resolve()
        assert not codes & {"source-missing", "source-outside-root"}
    for problem in result.problems:
        assert 1 <= problem.line <= files[problem.file].count(b"\n") + 1


WORDS = ["the", "widget", "ships", "in", "March", "14.3", "\u201cquoted\u201d", "don\u2019t", "a\u2014b",
         "caf\u0065\u0301", "back\\slash", '"dq"', "#hash", "key:", "-", "x\u200by", "\u00ad", "'",
         "\x07bell", "emoji\U0001f600", "*star", "&amp", "!bang", "%pct", "@at", "{brace}", "|bar"]
SEPARATORS = [" ", " ", " ", "\n", "\r\n", "\t", "\n\n", "\u00a0"]


@st.composite
def source_and_passage(draw):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=6, max_size=60))
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in words]
    text = "".join(w + s for w, s in zip(words, seps, strict=True))
    count = draw(st.integers(3, min(8, len(words))))
    first = draw(st.integers(0, len(words) - count))
    passage = " ".join(words[first:first + count])
    assume(word_count(normalize_text(passage)) >= 3 and "[" not in passage)
    return text, passage


@FUZZ
@given(source_and_passage())
def test_find_then_paste_then_check(root, drawn):
    """Whatever `find` prints as a ready-to-paste entry passes `check` at that very place."""
    text, passage = drawn
    data = text.encode("utf-8")
    (root / "seeds" / "c.txt").write_bytes(data)
    sources = copy.deepcopy(SOURCES) + [{
        "id": "fuzz", "file": "seeds/c.txt", "title": "Fuzz", "publisher": "Fuzz",
        "published": dt.date(2026, 1, 1), "sha256": hashlib.sha256(data).hexdigest()}]
    write_base(root, {"sources": sources, "facts": copy.deepcopy(FACTS)})
    texts = check(root, TODAY).texts
    hits = [h for h in find_text(texts, passage) if h.source == "fuzz"]
    assert hits, passage
    facts_yaml = yaml.safe_dump({"facts": copy.deepcopy(FACTS)}, sort_keys=False, allow_unicode=True)
    for number, hit in enumerate(hits[:3]):
        entry = yaml_entry(hit)
        # safe_dump writes the list items of `facts:` at column 0: paste the same way
        fact = (f"- id: paste.n{number}\n  statement: Pasted.\n  kind: reported\n  topic: paste\n"
                "  sources:\n")
        fact += "".join("    " + line + "\n" for line in entry.splitlines())
        (root / "facts" / "x.yaml").write_text(facts_yaml + fact, encoding="utf-8")
        result = check(root, TODAY)
        mine = [p for p in result.problems if p.fact == f"paste.n{number}" or p.file == "facts/x.yaml"
                and p.fact is None]
        assert [p for p in mine if p.severity == "error"] == [], (entry, mine)
        anchor = result.anchors[(f"paste.n{number}", 0)]
        if len(hits) == 1 or hit.prefix:
            assert mine == [], entry
            assert (anchor.start, anchor.end) == (hit.start, hit.end)
        assert normalize_text(text[anchor.start:anchor.end]) == normalize_text(passage)
