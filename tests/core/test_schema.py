"""`tracefacts schema`: the JSON Schema editors use, checked against the loader it describes.

Files are read as an editor reads them before validating (``read_as_an_editor``), then
validated with the ``jsonschema`` package; the verdict, valid or not, is compared with
whether `check` reports a problem of the schema's kind for that file (``SCHEMA_LEVEL``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from tfcore import GOOD_FACTS, REPO, SOURCES_TEMPLATE, TODAY

from tracefacts import schema as schema_module
from tracefacts.check import check
from tracefacts.cli import main
from tracefacts.load import FACT_KEYS, FACT_REQUIRED, ISO_DATE, QUOTE_KEYS, SHA256, SLUG, SOURCE_KEYS, SOURCE_REQUIRED
from tracefacts.model import KINDS, KINDS_NEEDING_CLAIMANT
from tracefacts.schema import DATE_PATTERN, MONTH_PATTERN, SHA256_PATTERN, SLUG_PATTERN, build_schema

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())

# The codes `check` gives for what a schema says: the file's shape, its keys and their values.
# `source-unpinned` is a missing `sha256` (required in the schema); `no-source` a fact with no
# or an empty `sources:` (required, at least one quote).
SCHEMA_LEVEL = {"schema", "duplicate-key", "yaml-syntax", "source-unpinned", "no-source"}


# ---- reading a file as an editor does ------------------------------------------------------

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _EditorReader(yaml.SafeLoader):
    """PyYAML's safe loader, made to read as yaml-language-server does where it matters here.

    - Dates stay text: YAML 1.2, which editors follow, has no timestamps, and JSON has no
      date type (`published: 2026-04-25` is the string the schema's pattern judges).
    - A key given twice is an error, as editors flag it ("Map keys must be unique"); PyYAML
      alone would keep the last one silently.
    - An alias (`*name`) is refused: tracefacts never expands one (no "billion laughs"), and
      validating an expanded alias bomb would never end.
    """

    yaml_implicit_resolvers = {
        first: [(tag, regex) for tag, regex in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "an alias is never expanded", self.peek_event().start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key.value!r}",
                                                            key.start_mark)
                seen.add(key.value)
        return super().construct_mapping(node, deep)


def read_as_an_editor(data: bytes) -> tuple[bool, Any, str]:
    """(read, the data, why not): bytes, as a file's, so a BOM or a bad encoding counts."""
    try:
        return True, yaml.load(data, Loader=_EditorReader), ""  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        return False, None, str(exc).splitlines()[0]
    except RecursionError:  # PyYAML's composer recurses; the loader stops at 100 levels
        return False, None, "nested too deep"


def schema_verdict(data: bytes, which: str = "all") -> tuple[bool, str]:
    """(valid, the first reason it is not) under ``build_schema(which)``."""
    read, instance, why = read_as_an_editor(data)
    if not read:
        return False, f"not read: {why}"
    validator = Draft202012Validator(build_schema(which), format_checker=Draft202012Validator.FORMAT_CHECKER)
    error = next(validator.iter_errors(instance), None)
    return error is None, "" if error is None else f"{error.json_path}: {error.message}"


def check_verdicts(root: Path) -> dict[str, list[str]]:
    """Per file of ``root/facts``: the schema-level problems `check` reports for it."""
    result = check(root, TODAY)
    files = {f"facts/{p.name}": [] for p in (root / "facts").glob("*.yaml")}
    for problem in result.problems:
        if problem.code in SCHEMA_LEVEL:
            files.setdefault(problem.file, []).append(f"{problem.code} line {problem.line}: {problem.message}")
    return files


def which_for(rel: str) -> str:
    return "sources" if rel == "facts/sources.yaml" else "facts"


# ---- the schema itself ---------------------------------------------------------------------

@pytest.mark.parametrize("which", ["all", "sources", "facts"])
def test_the_schema_is_a_valid_2020_12_schema(which):
    made = build_schema(which)
    assert made["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(made)


def test_every_key_of_the_loader_is_in_the_schema_and_no_other():
    defs = build_schema()["$defs"]
    assert set(defs["source"]["properties"]) == SOURCE_KEYS
    assert set(defs["fact"]["properties"]) == FACT_KEYS
    assert set(defs["quote"]["properties"]) == QUOTE_KEYS
    assert set(defs["sources-file"]["properties"]) == {"sources"}
    assert set(defs["fact-file"]["properties"]) == {"facts"}
    for name in ("source", "fact", "quote", "sources-file", "fact-file"):
        assert defs[name]["additionalProperties"] is False, name  # a typo is flagged
    assert set(defs["source"]["required"]) == {*SOURCE_REQUIRED, "sha256"}
    assert set(defs["fact"]["required"]) == {*FACT_REQUIRED, "sources"}
    assert set(defs["quote"]["required"]) == {"source", "quote"}
    assert defs["fact"]["properties"]["kind"]["enum"] == list(KINDS)
    assert defs["fact"]["if"]["properties"]["kind"]["enum"] == list(KINDS_NEEDING_CLAIMANT)


def test_a_key_added_to_the_loader_without_a_description_fails_the_build(monkeypatch):
    monkeypatch.setattr(schema_module, "SOURCE_KEYS", SOURCE_KEYS | {"colour"})
    with pytest.raises(ValueError, match=r"no description for \['colour'\]"):
        build_schema()
    monkeypatch.setattr(schema_module, "SOURCE_KEYS", SOURCE_KEYS - {"notes"})
    with pytest.raises(ValueError, match=r"described but not read by the loader: \['notes'\]"):
        build_schema()


def test_every_key_has_a_description_with_an_example():
    defs = build_schema()["$defs"]
    for name in ("source", "fact", "quote"):
        for key, prop in defs[name]["properties"].items():
            assert "Example: `" in prop["description"], (name, key)


@pytest.mark.parametrize(("pattern", "loader", "samples"), [
    (SLUG_PATTERN, SLUG, ["acme", "muse-spark.closed-weights", "a1.b2-c3", "Acme", "acme report", "a--b",
                          "a.", ".a", "", "acme\n", "acme_x", "ａｃｍｅ", "é"]),
    (SHA256_PATTERN, SHA256, ["3b0f31376c2e130ddcc2157f4864cd2c5cde001d5f635fe0b0b1b4c027d3e976",
                              "3B0F31376C2E130DDCC2157F4864CD2C5CDE001D5F635FE0B0B1B4C027D3E976",
                              "5277829a", "3b0f31376c2e130ddcc2157f4864cd2c5cde001d5f635fe0b0b1b4c027d3e976\n",
                              "3b0f31376c2e130ddcc2157f4864cd2c5cde001d5f635fe0b0b1b4c027d3e9761"]),
    (DATE_PATTERN, ISO_DATE, ["2026-04-25", "2026-4-25", "2026-04-25\n", "26-04-25", "2026-04-25T10:00",
                              "٢٠٢٦-٠٤-٢٥"]),
])
def test_the_patterns_say_what_the_loaders_regexes_say(pattern, loader, samples):
    # Arabic-Indic digits: Python's \d takes them, the loader then refuses the date; the
    # schema's [0-9] refuses them at once (checked through the fact files below too).
    for sample in samples:
        expected = bool(loader.match(sample)) and sample.isascii()
        assert bool(re.search(pattern, sample)) == expected, repr(sample)


def test_a_month_is_a_real_month():
    assert [m for m in ("2025-04", "2025-12", "2025-13", "2025-00", "0000-05", "2025-4", "2025-04\n")
            if re.search(MONTH_PATTERN, m)] == ["2025-04", "2025-12"]


def test_patterns_use_nothing_javascript_reads_otherwise():
    # Editors run the patterns as JavaScript regexes: no \Z or \A (JavaScript has neither),
    # no \d (Unicode digits in Python, ASCII in JavaScript).
    text = json.dumps(build_schema())
    for construct in (r"\\Z", r"\\A", r"\\d"):
        assert construct not in text


# ---- the command -----------------------------------------------------------------------------

def test_tracefacts_schema_prints_the_combined_schema(capsys):
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert printed["then"] == {"$ref": "#/$defs/sources-file"}
    assert printed["else"] == {"$ref": "#/$defs/fact-file"}
    assert printed["$defs"]["fact"]["properties"]["claimant"]["description"].startswith("Who makes the claim")


@pytest.mark.parametrize(("which", "ref"), [("sources", "#/$defs/sources-file"), ("facts", "#/$defs/fact-file")])
def test_tracefacts_schema_picks_one_by_argument(capsys, which, ref):
    assert main(["schema", which]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["$ref"] == ref
    assert "if" not in printed


def test_tracefacts_schema_refuses_an_unknown_argument(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["schema", "fact"])
    assert exit_.value.code == 2
    assert "invalid choice: 'fact' (choose from 'all', 'sources', 'facts')" in capsys.readouterr().err


# ---- the real fact base ----------------------------------------------------------------------

REAL_FILES = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "facts").glob("*.yaml"))


def test_the_real_fact_base_has_files():
    assert "facts/sources.yaml" in REAL_FILES and len(REAL_FILES) >= 5


@pytest.mark.parametrize("rel", REAL_FILES)
def test_the_real_fact_base_validates(rel):
    data = (REPO / rel).read_bytes()
    for which in ("all", which_for(rel)):
        valid, why = schema_verdict(data, which)
        assert valid, f"{rel} under the {which!r} schema: {why}"


# ---- the broken corpus: the schema and `check` agree on which files are schema-valid ---------

CORPUS_FILES = [(case, f"facts/{p.name}") for case in CASES for p in sorted((CORPUS / case / "facts").glob("*.yaml"))]


def test_the_corpus_has_files_the_schema_rejects_and_files_it_accepts():
    verdicts = {schema_verdict((CORPUS / case / rel).read_bytes())[0] for case, rel in CORPUS_FILES}
    assert verdicts == {True, False}
    assert len(CORPUS_FILES) >= 2 * 25


@pytest.fixture(scope="module")
def corpus_check() -> dict[str, dict[str, list[str]]]:
    return {case: check_verdicts(CORPUS / case) for case in CASES}


@pytest.mark.parametrize(("case", "rel"), CORPUS_FILES)
def test_the_schema_and_check_agree_on_the_corpus(case, rel, corpus_check):
    data = (CORPUS / case / rel).read_bytes()
    reported = corpus_check[case].get(rel, [])
    for which in ("all", which_for(rel)):
        valid, why = schema_verdict(data, which)
        assert valid == (not reported), (
            f"{case}/{rel} ({which}): the schema says {'valid' if valid else 'invalid: ' + why}; "
            f"check says {reported or 'nothing of the schema kind'}")


# ---- key-level rules, one small handbook each -------------------------------------------------
# (name, file, text replaced, replacement, schema-valid?) on the fixture's GOOD_FACTS and
# SOURCES_TEMPLATE; the expected verdict is written here, and both the schema and `check` must
# give it.

FACTS, SOURCES = "facts/x.yaml", "facts/sources.yaml"
EDITS = [
    ("as-written", FACTS, "", "", True),
    ("unknown-fact-key", FACTS, "    topic: acme\n", "    topic: acme\n    topik: acme\n", False),
    ("no-statement", FACTS, "    statement: The Acme widget has 14.3 percent more capacity.\n", "", False),
    ("blank-statement", FACTS, "The Acme widget has 14.3 percent more capacity.", '"   "', False),
    ("statement-a-number", FACTS, "The Acme widget has 14.3 percent more capacity.", "14.3", False),
    ("unknown-kind", FACTS, "kind: reported", "kind: rumour", False),
    ("recommendation-without-claimant", FACTS, "kind: reported", "kind: recommendation", True),
    ("vendor-claim-without-claimant", FACTS, "    claimant: Beta Corp\n", "", False),
    ("opinion-with-blank-claimant", FACTS, "kind: vendor-claim\n    claimant: Beta Corp",
     'kind: opinion\n    claimant: ""', False),
    ("reported-with-empty-claimant", FACTS, "    topic: acme\n", "    topic: acme\n    claimant:\n", True),
    ("topic-not-a-slug", FACTS, "topic: acme", "topic: Acme Widgets", False),
    ("topic-with-trailing-newline", FACTS, "topic: acme", 'topic: "acme\\n"', False),
    ("tags-slugs", FACTS, "    topic: acme\n", "    topic: acme\n    tags: [widgets, q1.2026]\n", True),
    ("tag-not-a-slug", FACTS, "    topic: acme\n", "    topic: acme\n    tags: [Widgets]\n", False),
    ("tags-not-a-list", FACTS, "    topic: acme\n", "    topic: acme\n    tags: widgets\n", False),
    ("tags-null", FACTS, "    topic: acme\n", "    topic: acme\n    tags:\n", False),
    ("date-a-day", FACTS, "    topic: acme\n", "    topic: acme\n    date: 2026-03-02\n", True),
    ("date-a-month", FACTS, "    topic: acme\n", "    topic: acme\n    date: 2026-03\n", True),
    ("date-quoted", FACTS, "    topic: acme\n", '    topic: acme\n    date: "2026-03-02"\n', True),
    ("date-not-a-real-day", FACTS, "    topic: acme\n", "    topic: acme\n    date: 2026-02-30\n", False),
    ("date-not-a-real-month", FACTS, "    topic: acme\n", "    topic: acme\n    date: 2026-13\n", False),
    ("date-a-year", FACTS, "    topic: acme\n", "    topic: acme\n    date: 2026\n", False),
    ("date-in-words", FACTS, "    topic: acme\n", "    topic: acme\n    date: March 2026\n", False),
    ("date-with-arabic-indic-digits", FACTS, "    topic: acme\n", "    topic: acme\n    date: ٢٠٢٦-٠٣-٠٢\n", False),
    ("review-by-a-month", FACTS, "    topic: acme\n", "    topic: acme\n    review_by: 2026-10\n", False),
    ("review-by-null", FACTS, "    topic: acme\n", "    topic: acme\n    review_by:\n", False),
    ("triple", FACTS, "    topic: acme\n",
     "    topic: acme\n    subject: acme-widget\n    attribute: capacity\n    value: 14.3 percent more\n", True),
    ("subject-not-a-slug", FACTS, "    topic: acme\n", "    topic: acme\n    subject: Acme Widget\n", False),
    ("subject-empty", FACTS, "    topic: acme\n", '    topic: acme\n    subject: ""\n', True),
    ("value-a-number", FACTS, "    topic: acme\n", "    topic: acme\n    value: 14.3\n", False),
    ("sources-missing", FACTS, "    sources:\n      - source: acme-report\n        quote: ships in March with "
                               "14.3 percent more capacity\n", "", False),
    ("sources-empty", FACTS, "    sources:\n      - source: acme-report\n        quote: ships in March with "
                             "14.3 percent more capacity\n", "    sources: []\n", False),
    ("sources-a-mapping", FACTS, "      - source: acme-report\n", "        source: acme-report\n", False),
    ("quote-typo", FACTS, "quote: ships in March", "qoute: ships in March", False),
    ("quote-without-source", FACTS, "      - source: acme-report\n        quote:", "      - quote:", False),
    ("quote-with-prefix-and-suffix", FACTS, "quote: ships in March with 14.3 percent more capacity",
     "quote: ships in March with 14.3 percent more capacity\n        prefix: The Acme widget\n"
     "        suffix: than the old model", True),
    ("quote-empty", FACTS, "quote: ships in March with 14.3 percent more capacity", "quote:", False),
    ("fact-id-not-a-slug", FACTS, "id: acme.capacity", "id: acme_capacity", False),
    ("unknown-source-key", SOURCES, "    publisher: Acme\n", "    publisher: Acme\n    publsher: Acme\n", False),
    ("source-without-title", SOURCES, '    title: "Acme Widget Report"\n', "", False),
    ("source-title-a-number", SOURCES, 'title: "Acme Widget Report"', "title: 2026", False),
    ("source-published-not-a-date", SOURCES, "published: 2026-04-25", "published: April 2026", False),
    ("source-published-a-month", SOURCES, "published: 2026-04-25", "published: 2026-04", False),
    ("sha256-missing", SOURCES, "    sha256: {sha_a}   # pinned by the fixture\n", "", False),
    ("sha256-empty", SOURCES, "sha256: {sha_a}", "sha256:", False),
    ("sha256-upper-case", SOURCES, "sha256: {sha_a}", "sha256: {sha_a_upper}", False),
    ("optional-source-keys", SOURCES, "    publisher: Acme\n",
     "    publisher: Acme\n    short: Acme PDF\n    notes:\n    chrome: [Home | News]\n    text_undated: true\n"
     "    format: text\n    url: https://example.com/a\n    retrieved: 2026-04-26\n", True),
    ("text-undated-quoted", SOURCES, "    publisher: Acme\n", '    publisher: Acme\n    text_undated: "true"\n', False),
    ("chrome-not-a-list", SOURCES, "    publisher: Acme\n", "    publisher: Acme\n    chrome: Home\n", False),
    ("chrome-empty-line", SOURCES, "    publisher: Acme\n", '    publisher: Acme\n    chrome: [""]\n', False),
    ("url-a-number", SOURCES, "    publisher: Acme\n", "    publisher: Acme\n    url: 42\n", False),
    ("retrieved-not-a-date", SOURCES, "    publisher: Acme\n", "    publisher: Acme\n    retrieved: yesterday\n",
     False),
    ("sources-empty-list", SOURCES, None, "sources: []\n", True),
    ("sources-and-facts-in-one-file", SOURCES, "# Two sources for the tests.\n", "facts: []\n", False),
]


def test_the_edits_are_of_both_verdicts():
    assert {valid for *_, valid in EDITS} == {True, False}


@pytest.mark.parametrize(("name", "rel", "old", "new", "valid"), EDITS, ids=[e[0] for e in EDITS])
def test_the_schema_and_check_agree_on_key_rules(make_handbook, name, rel, old, new, valid):
    hb = make_handbook(name=name)
    sha_a = hb.sha("a.txt")
    sources = SOURCES_TEMPLATE.format(sha_a=sha_a, sha_b=hb.sha("b.txt"))
    text = {FACTS: GOOD_FACTS, SOURCES: sources}[rel]
    if old is None:
        text = new
    elif old:
        # the template's placeholders stand for the fixture's pins
        old, new = (s.replace("{sha_a}", sha_a).replace("{sha_a_upper}", sha_a.upper()) for s in (old, new))
        assert old in text, name
        text = text.replace(old, new)
    hb.write(rel, text)
    reported = check_verdicts(hb.root).get(rel, [])
    assert (not reported) == valid, f"check: {reported}"
    for which in ("all", which_for(rel)):
        schema_valid, why = schema_verdict(text.encode("utf-8"), which)
        assert schema_valid == valid, f"{which}: {why}"


# ---- where the schema cannot follow `check`, on purpose ---------------------------------------

def test_known_disagreements_are_still_what_they_are(make_handbook):
    """What a JSON Schema cannot say, or says of another YAML: `check` stays the judge.

    - Two facts with one id (`duplicate-id`), in one file or two: JSON Schema has no "unique
      by a property"; an editor cannot see other files anyway.
    - An unquoted date in a text key (`title: 2026-04-25`): the loader reads YAML 1.1, where
      it is a timestamp, not text; editors read YAML 1.2, where it is text.
    - Which source a quote cites, whether the quote stands in it, and where `file:` points
      (`unknown-source`, `quote-not-found`, `source-outside-root`, …): not a file's shape.
    """
    hb = make_handbook(GOOD_FACTS + GOOD_FACTS.removeprefix("facts:\n"), name="duplicate-id")
    assert [p.code for p in check(hb.root, TODAY).problems if p.file == FACTS] == ["duplicate-id", "duplicate-id"]
    assert schema_verdict(hb.read(FACTS).encode("utf-8")) == (True, "")

    sources = hb.read(SOURCES).replace('title: "Acme Widget Report"', "title: 2026-04-25")
    hb.write(SOURCES, sources)
    assert [p.code for p in check(hb.root, TODAY).problems if p.file == SOURCES] == ["schema"]
    assert schema_verdict(sources.encode("utf-8")) == (True, "")


# ---- `tracefacts init` hands the schema to editors ------------------------------------------

def test_init_writes_the_schema_and_names_it_in_every_yaml_file(tmp_path, capsys):
    assert main(["init", str(tmp_path / "hb")]) == 0
    root = tmp_path / "hb"
    assert json.loads((root / ".tracefacts/schema.json").read_text(encoding="utf-8")) == build_schema()
    yaml_files = sorted((root / "facts").glob("*.yaml"))
    assert [p.name for p in yaml_files] and "sources.yaml" in [p.name for p in yaml_files]
    for path in yaml_files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../.tracefacts/schema.json", path.name
        # the line is relative to the YAML file, as yaml-language-server resolves it
        assert (path.parent / first.split("$schema=")[1]).resolve() == (root / ".tracefacts/schema.json")
        assert schema_verdict(path.read_bytes()) == (True, ""), path.name
