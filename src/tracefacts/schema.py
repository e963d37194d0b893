"""The JSON Schema (draft 2020-12) of ``facts/sources.yaml`` and of fact files, for editors.

An editor that reads it (VS Code's YAML extension, any yaml-language-server client) completes
keys, shows each key's description on hover and flags typos, missing keys and malformed
ids, dates and hashes while the file is written. The loader (``load.py``) stays the judge:
the schema says what it can of the loader's rules and nothing the loader does not say.
The keys come from the loader's own key sets, so a key added there without a description
here makes ``build_schema`` fail (and ``tests/core/test_schema.py`` with it).
"""

from __future__ import annotations

from typing import Any, Literal

from .load import FACT_KEYS, FACT_REQUIRED, ISO_DATE, QUOTE_KEYS, SHA256, SLUG, SOURCE_KEYS, SOURCE_REQUIRED
from .model import KINDS, KINDS_NEEDING_CLAIMANT

Which = Literal["all", "sources", "facts"]
WHICH: tuple[Which, ...] = ("all", "sources", "facts")
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# Required beyond the loader's *_REQUIRED tuples, with the code `check` gives when missing:
SOURCE_ALSO_REQUIRED = ("sha256",)  # source-unpinned: `tracefacts pin` writes it
FACT_ALSO_REQUIRED = ("sources",)  # no-source: a fact cites at least one quote
QUOTE_REQUIRED = ("source", "quote")  # the loader's `required=True` for quotes


def _whole(pattern: str) -> str:
    r"""A loader regex (anchored at the start by ``re.match``, at the end by ``\Z``) as a
    JSON Schema pattern, which is searched anywhere and read by both Python and JavaScript.

    ``$`` alone would let Python's ``re.search`` (the jsonschema package) accept a trailing
    newline (``id: |`` gives "abc\n"); ``(?!\n)`` closes that and means nothing to
    JavaScript, whose ``$`` is the end already. ``\d`` is Unicode in Python, ASCII in
    JavaScript: written ``[0-9]``.
    """
    body = pattern.removesuffix(r"\Z").replace(r"\d", "[0-9]")
    if body == pattern:
        raise ValueError(f"the loader's pattern {pattern!r} no longer ends with \\Z")
    return f"^(?:{body})$(?!\\n)"


SLUG_PATTERN = _whole(SLUG.pattern)
SHA256_PATTERN = _whole(SHA256.pattern)
# ISO_DATE's shape; `format: date` adds "a real day" (no 2026-02-30), as the loader's fromisoformat.
DATE_PATTERN = _whole(ISO_DATE.pattern)
# ISO_MONTH narrowed to the months the loader's fromisoformat then accepts (01-12, no year 0).
MONTH_PATTERN = _whole(r"(?!0000)\d{4}-(?:0[1-9]|1[0-2])\Z")
NOT_BLANK = r"\S"  # the loader's `value.strip()`: a required text holds more than white space

_SLUG_RULE = "lower-case letters and digits joined by single `.` or `-`"

# Each key: (its kind of value, what it is with an example). The kinds are the loader's
# readers: text, slug, date, event-date, sha256, flag, text-list, slug-list, kind, quotes.
SOURCE_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("slug", f"The source's id, which facts cite as `source:`; {_SLUG_RULE}. "
                   "Example: `venturebeat-2026-04-25`."),
    "file": ("text", "The copy of the document, relative to the handbook folder, under `seeds/`. "
                     "Example: `seeds/venturebeat-2026-04-25.html`."),
    "title": ("text", "The document's title as it gives it. Example: `Meta unveils Muse Spark`."),
    "publisher": ("text", "Who published the document. Example: `VentureBeat`."),
    "published": ("date", "When the document was published, YYYY-MM-DD. Example: `2026-04-25`."),
    "sha256": ("sha256", "The SHA-256 of the file's bytes, 64 lower-case hex digits: `tracefacts pin` "
                         "writes it, and a changed file no longer matches it. Example: "
                         "`3b0f31376c2e130ddcc2157f4864cd2c5cde001d5f635fe0b0b1b4c027d3e976`."),
    "notes": ("text", "Anything a reader of `sources.yaml` should know about this source. "
                      "Example: `Saved from the print view; the live page has a paywall.`"),
    "chrome": ("text-list", "Lines of page furniture (menus, running headers) as the check reads them, "
                            "so that quotes and coverage leave them out. Example: `[\"Home | News\"]`."),
    "text_undated": ("flag", "true when the text carries no date of its own (a feed item, a crawl): "
                             "`published` is then an upper bound, shown \"as of no later than\". "
                             "Example: `true`."),
    "format": ("text", "How to read the file when its extension does not say: `text`, `html` or `pdf`. "
                       "Example: `html`."),
    "url": ("text", "Where the bytes came from (`tracefacts add` writes it). "
                    "Example: `https://example.com/news/muse-spark`."),
    "retrieved": ("date", "When the file was fetched, YYYY-MM-DD (`tracefacts add` writes it). "
                          "Example: `2026-04-26`."),
    "short": ("text", "The label of this source's citation markers (default: the publisher's first word), "
                      "to tell apart two sources of one publisher. Example: `FDO spec (PDF)`."),
}

FACT_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("slug", f"The fact's id, unique across all fact files; {_SLUG_RULE}. "
                   "Example: `muse-spark.closed-weights`."),
    "statement": ("text", "The fact in our words; every number and month in it must stand in a quote. "
                          "Example: `Muse Spark ships with no downloadable weights.`"),
    "kind": ("kind", "Whose word it is: `reported` (the source reports it as fact), `vendor-claim` or "
                     "`opinion` (a party's view: give `claimant`), `recommendation` (advice; `claimant` optional). "
                     "Example: `vendor-claim`."),
    "claimant": ("text", "Who makes the claim or holds the opinion; required for "
                         + " and ".join(f"`{k}`" for k in KINDS_NEEDING_CLAIMANT) + ". Example: `Meta`."),
    "topic": ("slug", f"What the fact is about, for grouping in views; {_SLUG_RULE}. Example: `muse-spark`."),
    "tags": ("slug-list", f"Labels to filter views by, each {_SLUG_RULE}. Example: `[licence, weights]`."),
    "date": ("event-date", "When the event happened: a day, YYYY-MM-DD, or a month, YYYY-MM, when the source "
                           "gives no day. Example: `2026-04-08` or `2025-04`."),
    "review_by": ("date", "When to check the sources again, YYYY-MM-DD; past it the fact is `stale`. "
                          "Example: `2026-10-01`."),
    "subject": ("slug", f"The row of a `fact-table` this fact fills; {_SLUG_RULE}. Example: `muse-spark`."),
    "attribute": ("slug", f"The column of a `fact-table` this fact fills; {_SLUG_RULE}. Example: `licence`."),
    "value": ("text", "What a `fact-table` cell shows for this subject and attribute. Example: `proprietary`."),
    "sources": ("quotes", "The quotes that prove the statement, at least one: each `- source:` (a source id) "
                          "with `quote:` (words copied verbatim). Example: "
                          "`- source: venturebeat-2026-04-25` / `  quote: \"No open weights.\"`"),
}

QUOTE_FIELDS: dict[str, tuple[str, str]] = {
    "source": ("text", "The id of a source in `facts/sources.yaml`. Example: `venturebeat-2026-04-25`."),
    "quote": ("text", "Words copied verbatim from the source; elide with ` […] ` inside one paragraph. "
                      "Example: `\"No open weights. No license.\"`"),
    "prefix": ("text", "Words just before the quote in the source, to pick one place when the quote stands "
                       "more than once. Example: `Meta said:`."),
    "suffix": ("text", "Words just after the quote in the source, to pick one place when the quote stands "
                       "more than once. Example: `, the company said`."),
}


def _value(kind: str, required: bool) -> dict[str, Any]:
    """The schema of one key's value, as the loader reads that kind of value.

    An optional text or slug may be left empty (null or ``""``): the loader reads that as
    absent. A date, a flag or a list given at all must be one.
    """
    if kind == "text":
        return {"type": "string", "pattern": NOT_BLANK} if required else {"type": ["string", "null"]}
    if kind == "slug":
        if required:
            return {"type": "string", "pattern": SLUG_PATTERN}
        return {"type": ["string", "null"], "pattern": f"{SLUG_PATTERN}|^\\s*$(?!\\n)"}
    if kind == "date":
        return {"type": "string", "pattern": DATE_PATTERN, "format": "date"}
    if kind == "event-date":
        return {"anyOf": [{"type": "string", "pattern": DATE_PATTERN, "format": "date"},
                          {"type": "string", "pattern": MONTH_PATTERN}]}
    if kind == "sha256":
        return {"type": "string", "pattern": SHA256_PATTERN}
    if kind == "flag":
        return {"type": "boolean"}
    if kind == "text-list":
        return {"type": "array", "items": {"type": "string", "minLength": 1}}
    if kind == "slug-list":
        return {"type": "array", "items": {"type": "string", "pattern": SLUG_PATTERN}}
    if kind == "kind":
        return {"enum": list(KINDS)}
    if kind == "quotes":
        return {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/quote"}}
    raise ValueError(f"no schema for a value of kind {kind!r}")


def _object(title: str, keys: set[str], fields: dict[str, tuple[str, str]],
            required: tuple[str, ...]) -> dict[str, Any]:
    """A mapping with exactly the loader's ``keys``, each described, unknown ones refused."""
    missing = keys - fields.keys()
    extra = fields.keys() - keys
    if missing or extra:
        raise ValueError(f"{title}: the loader's keys and the schema's differ: no description for "
                         f"{sorted(missing)}, described but not read by the loader: {sorted(extra)}")
    properties = {}
    for key in sorted(keys, key=list(fields).index):  # the order of the table: id first
        kind, description = fields[key]
        properties[key] = {"description": description, **_value(kind, key in required)}
    return {"title": title, "type": "object", "properties": properties,
            "required": list(required), "additionalProperties": False}


def _defs() -> dict[str, Any]:
    fact = _object("A fact", FACT_KEYS, FACT_FIELDS, (*FACT_REQUIRED, *FACT_ALSO_REQUIRED))
    fact["if"] = {"properties": {"kind": {"enum": list(KINDS_NEEDING_CLAIMANT)}}, "required": ["kind"]}
    fact["then"] = {"required": ["claimant"], "properties": {"claimant": {"type": "string", "pattern": NOT_BLANK}}}
    return {
        "source": _object("A source", SOURCE_KEYS, SOURCE_FIELDS, (*SOURCE_REQUIRED, *SOURCE_ALSO_REQUIRED)),
        "fact": fact,
        "quote": _object("A quote", QUOTE_KEYS, QUOTE_FIELDS, QUOTE_REQUIRED),
        "sources-file": {
            "title": "facts/sources.yaml", "type": "object", "required": ["sources"],
            "additionalProperties": False,
            "properties": {"sources": {"description": "Every source the facts may cite, one `- id: …` entry each.",
                                       "type": "array", "items": {"$ref": "#/$defs/source"}}},
        },
        "fact-file": {
            "title": "A fact file (facts/*.yaml)", "type": "object", "required": ["facts"],
            "additionalProperties": False,
            "properties": {"facts": {"description": "The facts of this file, one `- id: …` entry each.",
                                     "type": "array", "items": {"$ref": "#/$defs/fact"}}},
        },
    }


def build_schema(which: Which = "all") -> dict[str, Any]:
    """The schema as a JSON-ready dict: of ``sources.yaml``, of a fact file, or (``all``) of
    both, told apart by the top key: a file holding ``sources`` is judged as ``sources.yaml``,
    any other as a fact file (so one schema serves every file of ``facts/``)."""
    head: dict[str, Any] = {"$schema": DRAFT}
    if which == "sources":
        head |= {"title": "tracefacts: facts/sources.yaml", "$ref": "#/$defs/sources-file"}
    elif which == "facts":
        head |= {"title": "tracefacts: a fact file (facts/*.yaml)", "$ref": "#/$defs/fact-file"}
    elif which == "all":
        head |= {"title": "tracefacts: facts/sources.yaml and fact files (facts/*.yaml)",
                 "description": "A file with a top-level `sources:` is facts/sources.yaml; any other is a fact "
                                "file, with a top-level `facts:`.",
                 "if": {"type": "object", "required": ["sources"]},
                 "then": {"$ref": "#/$defs/sources-file"}, "else": {"$ref": "#/$defs/fact-file"}}
    else:
        raise ValueError(f"no schema {which!r}: one of {', '.join(WHICH)}")
    return head | {"$defs": _defs()}


schema = build_schema  # the name `tracefacts init` looks for

__all__ = ["build_schema", "schema", "WHICH", "SLUG_PATTERN", "SHA256_PATTERN", "DATE_PATTERN", "MONTH_PATTERN"]
