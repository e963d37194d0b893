"""The checked fact base as the Sphinx build sees it: loaded once, fingerprinted per fact."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ..check import CheckResult
from ..model import Anchor, Fact, Source
from .locale import _, day

# punctuation around a publisher's first word, not part of its name
_LABEL_TRIM = ",.;:/|()[]{}<>\"'“”‘’«»—–-·•*&+!?"


def source_label(source: Source) -> str:
    """A short visible name for citation markers: its `short:` when given, else the publisher's first word.

    Two sources of one publisher (an HTML and a PDF copy of one spec) are told apart by
    `short:`. "VentureBeat / Meta AI Blog" → "VentureBeat", "/r/LocalLLaMA" → "r/LocalLLaMA"; a
    publisher with no letter or digit at all (any text passes `check`) → the source id.
    """
    if source.short and source.short.strip():
        return source.short.strip()
    for word in source.publisher.split():
        word = word.strip(_LABEL_TRIM)
        if any(c.isalnum() for c in word):
            return word
    return source.id


def date_label(source: Source) -> str:
    """A source's date as the pages show it, in the build's language."""
    return day(source.published) if source.published else _("undated")


@dataclass
class BuildState:
    """What every phase of the build needs from the fact base (kept off the pickled env)."""

    result: CheckResult
    fingerprints: dict[str, str] = field(default_factory=dict)
    source_fingerprints: dict[str, str] = field(default_factory=dict)
    pages_index: dict[str, list[str]] | None = None  # fact id -> pages showing it, once all are read
    _anchors_by_source: dict[str, list[Anchor]] | None = None
    page_titles: dict[str, str] = field(default_factory=dict)  # docname -> title text, while writing
    fragments: Any = None  # fragments.FragmentStore of the HTML builder, once pages are written

    def __post_init__(self) -> None:
        base = self.result.base
        for source in base.sources.values():
            text = self.result.texts.get(source.id)
            self.source_fingerprints[source.id] = digest([
                source.id, source.file, source.title, source.publisher, str(source.published),
                source.sha256, source.notes, list(source.chrome), text.sha256 if text else None,
                source.text_undated, source.short, source.format, source.url, str(source.retrieved),
            ])
        for fact in base.facts.values():
            self.fingerprints[fact.id] = self._fact_fingerprint(fact)

    def _fact_fingerprint(self, fact: Fact) -> str:
        anchors = [(a.source, a.start, a.end, [(p.start, p.end) for p in a.parts])
                   for a in self.result.anchors_of(fact.id)]
        cited = [self.source_fingerprints.get(s) for s in fact.source_ids]
        # repr of str/int/None/date tuples is exact and deterministic, and cheaper than JSON for 5,000 facts
        return hashlib.blake2b(repr((
            fact.id, fact.statement, fact.kind, fact.claimant, fact.topic, fact.tags,
            fact.date, fact.date_precision, fact.review_by, fact.is_stale(self.result.today),
            fact.subject, fact.attribute, fact.value,
            [(q.source, q.quote, q.prefix, q.suffix) for q in fact.sources], anchors, cited,
        )).encode(), digest_size=8).hexdigest()

    def anchors_on(self, source_id: str) -> list[Anchor]:
        """The quotes found in a source, in reading order."""
        if self._anchors_by_source is None:
            found: dict[str, list[Anchor]] = {}
            for anchor in self.result.anchors.values():
                found.setdefault(anchor.source, []).append(anchor)
            for anchors in found.values():
                anchors.sort(key=lambda a: (a.start, a.fact))
            self._anchors_by_source = found
        return self._anchors_by_source.get(source_id, [])

    def source_page_fingerprint(self, source_id: str) -> str:
        """What a source page draws when it is read: the source, and where its quotes stand."""
        return digest([self.source_fingerprints.get(source_id),
                       [(a.fact, a.index, [(p.start, p.end) for p in a.parts]) for a in self.anchors_on(source_id)]])

    @property
    def facts(self) -> dict[str, Fact]:
        return self.result.base.facts

    @property
    def sources(self) -> dict[str, Source]:
        return self.result.base.sources



def digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def select(state: BuildState, spec: dict[str, object]) -> list[str]:
    """Fact ids a view shows, in fact-base order; ``spec`` holds the directive's filters."""
    ids = spec.get("ids")
    if ids:
        return [i for i in ids if i in state.facts]  # type: ignore[union-attr]
    chosen = []
    for fact in state.facts.values():
        if spec.get("topic") and fact.topic not in spec["topic"]:  # type: ignore[operator]
            continue
        if spec.get("kind") and fact.kind not in spec["kind"]:  # type: ignore[operator]
            continue
        if spec.get("tags") and not set(fact.tags) & set(spec["tags"]):  # type: ignore[arg-type]
            continue
        if spec.get("subject") and fact.subject not in spec["subject"]:  # type: ignore[operator]
            continue
        if spec.get("attributes") and (not fact.subject or fact.attribute not in spec["attributes"]):  # type: ignore[operator]
            continue
        if spec.get("subjects") and fact.subject not in spec["subjects"]:  # type: ignore[operator]
            continue
        if spec.get("dated") and fact.date is None:
            continue
        if spec.get("source") and spec["source"] not in fact.source_ids:
            continue
        chosen.append(fact.id)
    if spec.get("dated"):
        chosen.sort(key=lambda i: (state.facts[i].date, i))
    return chosen

