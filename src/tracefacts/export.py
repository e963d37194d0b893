"""The fact base as data: tracefacts.json and W3C Web Annotations (JSON-LD)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import __version__
from .check import CheckResult
from .formats import format_of, page_label
from .model import Anchor, Fact, Source


def _source_dict(source: Source) -> dict[str, object]:
    return {
        "id": source.id, "file": source.file, "title": source.title, "publisher": source.publisher,
        "published": source.published.isoformat() if source.published else None,
        "sha256": source.sha256, "notes": source.notes, "chrome": list(source.chrome),
        "text_undated": source.text_undated,
        "format": format_of(source.file, source.format), "url": source.url,
        "retrieved": source.retrieved.isoformat() if source.retrieved else None,
        "short": source.short,
    }


def quote_pages(result: CheckResult, anchor: Anchor) -> tuple[int, int] | None:
    """The first and last page of a quote found in a PDF source; None for other formats."""
    text = result.texts.get(anchor.source)
    return text.pages_of(anchor.start, anchor.end) if text is not None else None


def _quote_dict(result: CheckResult, fact: Fact, index: int, anchor: Anchor | None) -> dict[str, object]:
    quote = fact.sources[index]
    entry: dict[str, object] = {"source": quote.source, "quote": quote.quote, "found": anchor is not None}
    if anchor is not None:
        pages = quote_pages(result, anchor)
        entry.update({
            "start": anchor.start, "end": anchor.end, "line": anchor.line,
            "parts": [[p.start, p.end] for p in anchor.parts],
            "exact": anchor.exact, "prefix": anchor.prefix, "suffix": anchor.suffix,
            "anchor": anchor_id(anchor),
            # a PDF source: the pages the quote stands on, and how citations name them ("pp. 3–4")
            "pages": list(pages) if pages else None, "page_label": page_label(pages),
        })
    return entry


# Fact ids are slugs: single `.` or `-` between letters and digits, never `--`. So `--`
# cannot come from a fact id, and no two (fact, quote) pairs share an anchor: with `-1`,
# the second quote of `rocket.closed` and the first of `rocket.closed-1` did.
QUOTE_SEPARATOR = "--"


def anchor_id(anchor: Anchor) -> str:
    """The HTML id of a highlighted quote on its source page, stable across builds.

    The first quote of a fact is ``q-<fact>``; a later one ``q-<fact>--<index>``.
    """
    return f"q-{anchor.fact}{QUOTE_SEPARATOR}{anchor.index}" if anchor.index else f"q-{anchor.fact}"


def fact_entry(result: CheckResult, fact: Fact, pages: Sequence[str] = ()) -> dict[str, object]:
    """One fact of tracefacts.json."""
    honesty = result.honesty.get(fact.id)
    return {
        "id": fact.id, "statement": fact.statement, "kind": fact.kind, "claimant": fact.claimant,
        "topic": fact.topic, "tags": list(fact.tags),
        "date": fact.date.isoformat() if fact.date else None,
        "review_by": fact.review_by.isoformat() if fact.review_by else None,
        "stale": fact.is_stale(result.today),
        # a statement of a state that can change holds as of its newest source's date
        "status": honesty.status if honesty else None,
        "dated": bool(honesty and honesty.dated),  # shown with an as-of date
        "as_of": honesty.as_of.isoformat() if honesty and honesty.as_of else None,
        "corroborated": bool(honesty and honesty.corroborated),
        "support": [{"source": s.source, "full": s.full, "missing": list(s.missing)}
                    for s in (honesty.support if honesty else ())],
        "subject": fact.subject, "attribute": fact.attribute, "value": fact.value,
        "file": fact.origin, "line": fact.line,
        "quotes": [_quote_dict(result, fact, i, result.anchors.get((fact.id, i))) for i in range(len(fact.sources))],
        "pages": sorted(pages),
    }


def to_json(result: CheckResult, pages: Mapping[str, Sequence[str]] | None = None,
            facts: object = None) -> dict[str, object]:
    """``facts``: the entries, when the caller has them already (see ``fact_entry``)."""
    pages = pages or {}
    return {
        "generator": f"tracefacts {__version__}",
        "today": result.today.isoformat(),
        "ok": result.ok(),
        "sources": [_source_dict(s) for s in result.base.sources.values()],
        "facts": facts if facts is not None
        else [fact_entry(result, fact, pages.get(fact.id, ())) for fact in result.base.facts.values()],
        "problems": [p.as_dict() for p in result.problems],
    }


def annotated_facts(result: CheckResult) -> list[str]:
    """Ids of the facts with a quote found, in the order of annotations.jsonld."""
    return sorted({fact_id for fact_id, _ in result.anchors})


def fact_annotations(result: CheckResult, fact_id: str) -> list[dict[str, object]]:
    """The W3C annotations of one fact: one per quote found in its source."""
    fact = result.base.facts[fact_id]
    items = []
    for index in range(len(fact.sources)):
        anchor = result.anchors.get((fact_id, index))
        if anchor is None:
            continue
        source = result.base.sources[anchor.source]
        read = result.texts[anchor.source]
        text = read.text
        targets = []
        for part in anchor.parts:
            quote = {"type": "TextQuoteSelector", "exact": text[part.start:part.end],
                     "prefix": text[max(0, part.start - 32):part.start], "suffix": text[part.end:part.end + 32]}
            pages = read.pages_of(part.start, part.end)
            if pages is not None:
                # a PDF: the page (RFC 3778's fragment), refined by the quoted words on it
                quote = {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
                         "value": f"page={pages[0]}", "refinedBy": quote}
            targets.append({
                "source": source.file,
                "selector": [quote, {"type": "TextPositionSelector", "start": part.start, "end": part.end}],
            })
        items.append({
            "id": f"urn:tracefacts:{fact_id}:{index}",
            "type": "Annotation",
            "motivation": "describing",
            "body": {"type": "TextualBody", "value": fact.statement, "format": "text/plain",
                     "purpose": "describing"},
            "target": targets[0] if len(targets) == 1 else targets,
        })
    return items


def to_w3c(result: CheckResult, items: object = None) -> dict[str, object]:
    """``items``: the annotations, when the caller has them already (see ``fact_annotations``)."""
    if items is None:
        items = [item for fact_id in annotated_facts(result) for item in fact_annotations(result, fact_id)]
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:tracefacts:annotations",
        "type": "AnnotationCollection",
        "label": "Quotes that support the facts",
        "total": len(result.anchors),  # one annotation per quote found
        "first": {"type": "AnnotationPage", "items": items},
    }
