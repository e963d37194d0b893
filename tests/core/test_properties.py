"""Property tests: quotes taken from the real seeds are found; a changed character is not;
the YAML reader and the loader never raise, whatever they are given."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tfcore import REPO, SEED_A, SOURCES_TEMPLATE, TODAY, sha256

from tracefacts.anchor import match_quote
from tracefacts.check import check
from tracefacts.model import Problem
from tracefacts.normalize import DASHES, normalize_source, normalize_text
from tracefacts.yamlnodes import YamlError, parse

SEEDS = sorted((REPO / "seeds").glob("*.txt"))
TEXTS = {p.name: p.read_bytes().decode("utf-8-sig") for p in SEEDS}
NORMALIZED = {name: normalize_source(text) for name, text in TEXTS.items()}
WORDS = {name: text.split() for name, text in TEXTS.items()}

SPACES = [" ", "  ", "\n", "\r\n", "\t", "\u00a0", " \n ", "\u2009", "\n\n"]
VARIANTS = {
    "-": "-" + DASHES + "\u2011",
    "'": "'\u2019\u2018\u201a\u2032",
    '"': '"\u201c\u201d\u201e\u2033',
}
for group in list(VARIANTS.values()):
    for char in group:
        VARIANTS[char] = group

settings.register_profile("tracefacts-core", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("tracefacts-core")


def test_there_are_seeds_to_draw_from():
    assert len(SEEDS) >= 2 and all(len(w) > 100 for w in WORDS.values())


@st.composite
def seed_quotes(draw):
    """(seed name, quote) where the quote is ≥ 3 consecutive words of the seed, re-spaced,
    its dashes and quote marks swapped for variants."""
    name = draw(st.sampled_from(sorted(TEXTS)))
    words = WORDS[name]
    count = draw(st.integers(3, 14))
    first = draw(st.integers(0, len(words) - count))
    pieces = []
    for index, word in enumerate(words[first:first + count]):
        if index:
            pieces.append(draw(st.sampled_from(SPACES)))
        pieces.append("".join(draw(st.sampled_from(VARIANTS[c])) if c in VARIANTS else c for c in word))
    quote = "".join(pieces)
    assume("[" not in quote and len(normalize_text(quote).split()) >= 3)
    return name, quote


@given(seed_quotes())
def test_any_run_of_seed_words_is_found(drawn):
    name, quote = drawn
    ns = NORMALIZED[name]
    result = match_quote(ns, quote)
    assert result.status in ("found", "ambiguous")
    for occurrence in result.occurrences:
        (start, end), = occurrence
        src_start, src_end = ns.to_source(start, end)
        assert normalize_text(TEXTS[name][src_start:src_end]) == normalize_text(quote)
    if result.status == "ambiguous":  # only when the passage really stands twice
        assert ns.norm.count(normalize_text(quote)) >= 2


@given(seed_quotes(), st.data())
def test_one_changed_letter_or_digit_is_not_found(drawn, data):
    name, quote = drawn
    positions = [i for i, c in enumerate(quote) if c in string.ascii_letters + string.digits]
    assume(positions)
    at = data.draw(st.sampled_from(positions))
    old = quote[at]
    pool = string.digits if old.isdigit() else string.ascii_letters
    new = data.draw(st.sampled_from([c for c in pool if c != old]))
    changed = quote[:at] + new + quote[at + 1:]
    assume(normalize_text(changed) not in NORMALIZED[name].norm)
    assert match_quote(NORMALIZED[name], changed).status == "not-found"


TEXT_SAMPLES = st.lists(
    st.sampled_from(
        list("ab cd\n\t.,'\"-") + list(DASHES) + ["\u00a0", "\u200b", "\u00ad", "\ufeff", "\u2019",
                                                   "\u201c", "\u2033", "e\u0301", "\u00e9", "\ufb01",
                                                   "\r\n", "\u2028", "\U0001f600"]),
    max_size=60,
).map("".join) | st.text(max_size=40)


@given(TEXT_SAMPLES)
def test_source_and_quote_normalise_alike(text):
    # The same text normalised as a source (with offsets) and as a quote agrees.
    ns = normalize_source(text)
    assert ns.norm == normalize_text(text)
    assert ns.origin[len(ns.norm)] == len(text)
    # every character of the normalised text maps back inside the source, in order
    mapped = [ns.origin[i] for i in range(len(ns.norm))]
    assert mapped == sorted(mapped) and all(0 <= m < len(text) for m in mapped)


@given(st.binary(max_size=300))
def test_parse_never_raises_on_bytes(data):
    result = parse(data)
    assert result is None or isinstance(result, YamlError) or hasattr(result, "line")
    if isinstance(result, YamlError):
        assert result.line >= 1 and result.message


YAMLISH = st.lists(
    st.sampled_from(list("ab:- \n\t[]{},&*!#'\"?|>%.@`") + [
        "facts:\n", "sources:\n", "  - id: a.b\n", "    statement: x\n", "    kind: reported\n",
        "    topic: t\n", "    sources:\n", "      - source: acme-report\n",
        "        quote: The Acme widget ships\n", "&a ", "*a", "!!python/object/apply:os.system ",
        "!!binary ", "---\n", "...\n", "? ", "    review_by: 2026-13-45\n", "    tags: [x, Y]\n",
        "\ufeff", "\r\n", "\u2028", "\x00", "\x85",
    ]),
    max_size=40,
).map("".join)


@given(YAMLISH | st.text(max_size=200))
def test_parse_never_raises_on_text(text):
    result = parse(text.encode("utf-8"))
    assert result is None or isinstance(result, YamlError) or hasattr(result, "line")


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "seeds").mkdir()
    (root / "facts").mkdir()
    (root / "seeds" / "a.txt").write_text(SEED_A, encoding="utf-8")
    (root / "seeds" / "b.txt").write_text("Beta Corp announced a brand new gadget.\n", encoding="utf-8")
    return root


KNOWN_CODES = {
    "yaml-syntax", "schema", "duplicate-key", "duplicate-id", "no-source", "unknown-source",
    "source-missing", "source-outside-root", "source-not-utf8", "source-unpinned",
    "source-hash-mismatch", "quote-not-found", "quote-too-short", "quote-ambiguous",
    "figure-not-in-quote", "stale", "unused-source",
}


def assert_only_problems(root: Path, files: dict[str, bytes]) -> None:
    result = check(root, TODAY)
    for problem in result.problems:
        assert isinstance(problem, Problem)
        assert problem.code in KNOWN_CODES
        assert problem.severity in ("error", "warning")
        assert problem.message
        # YAML also breaks lines at U+2028, U+0085 and a lone CR: count them as splitlines does
        lines = (len(files[problem.file].decode("utf-8", "replace").splitlines()) + 1
                 if problem.file in files else None)
        assert problem.line >= 1
        if lines is not None:
            assert problem.line <= lines + 1, (problem, lines)


@settings(max_examples=500)
@given(facts=YAMLISH | st.text(max_size=200) | st.binary(max_size=200))
def test_load_and_check_never_raise_on_any_fact_file(fuzz_root, facts):
    sources = SOURCES_TEMPLATE.format(sha_a=sha256(SEED_A), sha_b="0" * 64).encode()
    data = facts if isinstance(facts, bytes) else facts.encode("utf-8")
    (fuzz_root / "facts" / "sources.yaml").write_bytes(sources)
    (fuzz_root / "facts" / "x.yaml").write_bytes(data)
    assert_only_problems(fuzz_root, {"facts/x.yaml": data, "facts/sources.yaml": sources})


@settings(max_examples=500)
@given(sources=YAMLISH | st.text(max_size=200))
def test_load_and_check_never_raise_on_any_sources_file(fuzz_root, sources):
    data = sources.encode("utf-8")
    (fuzz_root / "facts" / "sources.yaml").write_bytes(data)
    (fuzz_root / "facts" / "x.yaml").write_bytes(b"facts: []\n")
    assert_only_problems(fuzz_root, {"facts/sources.yaml": data})
