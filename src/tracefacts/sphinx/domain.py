"""The `tf` domain owns what each document shows, so parallel reads merge cleanly."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from sphinx.domains import Domain

PER_DOC = ("shows", "rendered", "views", "sources", "sentences", "drawn", "written")


class TracefactsDomain(Domain):
    name = "tf"
    label = "tracefacts"
    initial_data: dict[str, Any] = {
        "shows": {},  # docname -> {fact id: first line}   (facts the page presents to readers)
        "rendered": {},  # docname -> {fact id: fingerprint}   (drawn when the page is read: roles)
        "views": {},  # docname -> [(spec, (fact ids…))]   (what its views show; re-read when that changes)
        "sources": {},  # docname -> {source id: fingerprint}  (source pages)
        "sentences": {},  # docname -> (sentences, sourced sentences)
        "drawn": {},  # docname -> [view spec]   (drawn when the page is written)
        "written": {},  # docname -> signature of what its views drew when it was last written
    }

    def _doc(self, key: str, docname: str) -> Any:
        return self.data[key].setdefault(docname, {} if key not in ("views", "drawn") else [])

    def note_shown(self, docname: str, fact_id: str, line: int, fingerprint: str | None = None) -> None:
        """``fingerprint``: the fact's content is drawn now, when the page is read."""
        self._doc("shows", docname).setdefault(fact_id, line)
        if fingerprint is not None:
            self.note_rendered(docname, fact_id, fingerprint)

    def note_rendered(self, docname: str, fact_id: str, fingerprint: str) -> None:
        self._doc("rendered", docname)[fact_id] = fingerprint

    def note_view(self, docname: str, spec: tuple[tuple[str, Any], ...], ids: tuple[str, ...]) -> None:
        self._doc("views", docname).append((spec, ids))

    def note_source_page(self, docname: str, source_id: str, fingerprint: str) -> None:
        self._doc("sources", docname)[source_id] = fingerprint

    def note_drawn(self, docname: str, spec: tuple[tuple[str, Any], ...]) -> None:
        self.data["drawn"].setdefault(docname, []).append(spec)

    def note_sentences(self, docname: str, total: int, sourced: int) -> None:
        self.data["sentences"][docname] = (total, sourced)

    def pages_index(self) -> dict[str, list[str]]:
        """Fact id -> the pages that show it (complete only once every page is read)."""
        index: dict[str, list[str]] = {}
        for doc in sorted(self.data["shows"]):
            for fact_id in self.data["shows"][doc]:
                index.setdefault(fact_id, []).append(doc)
        return index

    def clear_doc(self, docname: str) -> None:
        for key in PER_DOC:
            self.data[key].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for key in PER_DOC:
            for docname in docnames:
                if docname in otherdata[key]:
                    self.data[key][docname] = otherdata[key][docname]

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []
