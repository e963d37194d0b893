"""The `tf` domain owns what each document shows, and the problems found while reading
it, so parallel reads merge cleanly and a problem outlives the build that found it.

It also holds the running build's checked fact base (``state``) and the pages this build
reads (``reading``): on the domain object, which lives as long as the environment and is
not pickled with it (the fact base is re-read and re-checked through the memo anyway).
Every part of the extension reaches them through ``get_state(env)`` and ``domain(env)``."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from sphinx.domains import Domain
from sphinx.util import logging

from .state import BuildState

logger = logging.getLogger(__name__)

PER_DOC = ("shows", "rendered", "views", "sources", "sentences", "drawn", "written", "problems", "unknown",
           "checked", "conditions", "files", "toctree")
_LISTS = ("views", "drawn", "problems")

Location = Any  # "path:line" (directives) or (docname, line) (the sourcing check): what the logger takes


class TracefactsDomain(Domain):
    name = "tf"
    label = "tracefacts"
    data_version = 2  # a saved environment of an older layout is read afresh, not half-used
    initial_data: dict[str, Any] = {
        "shows": {},  # docname -> {fact id: first line}   (facts the page draws for this builder: showing.py)
        "rendered": {},  # docname -> {fact id: fingerprint}   (drawn when the page is read: roles)
        "views": {},  # docname -> [(view spec, what it draws)]   (re-read when that changes)
        "sources": {},  # docname -> {source id: fingerprint}  (source pages)
        "sentences": {},  # docname -> (sentences, sourced sentences)
        "drawn": {},  # docname -> [view spec]   (drawn when the page is written)
        "written": {},  # docname -> signature of what its views drew when it was last written
        # Problems found while reading the page, reported again by every build that does not
        # re-read it: a strict build fails as long as the page (or the fact base) is unchanged.
        "problems": {},  # docname -> [(location, message, subtype)]
        "unknown": {},  # docname -> {fact id: None}   (unknown when read: re-read once one exists)
        "checked": {},  # docname -> {fact id: fingerprint}   (read by the sourcing check: headings' evidence)
        # How each `only`/`ifconfig` condition on a page that shows facts was judged when it was
        # read (showing.py): "shows" holds only what that verdict lets the builder draw.
        "conditions": {},  # docname -> {(kind, expression): verdict}
        "files": {},  # docname -> the file it was read from (pages.py: a source page's name can change files)
        "toctree": {},  # root docname -> the source pages its "Sources" toctree lists (pages.py)
    }

    state: BuildState | None = None  # the checked fact base of the running build (builder-inited)
    reading: list[str] = []  # the pages this build reads (env-before-read-docs); the list itself
    contents_changed = False  # the source pages listed in the root toctree change in this build
    one_page_duplicates = 0  # ids given twice in this build's one-page output (ids.py)
    sourced_matcher: tuple[tuple[str, ...], Any] | None = None  # tracefacts_sourced_pages, compiled (sourcing.py)

    def _doc(self, key: str, docname: str) -> Any:
        return self.data[key].setdefault(docname, [] if key in _LISTS else {})

    def note_shown(self, docname: str, fact_id: str, line: int, fingerprint: str | None = None) -> None:
        """``fingerprint``: the fact's content is drawn now, when the page is read."""
        self._doc("shows", docname).setdefault(fact_id, line)
        if fingerprint is not None:
            self.note_rendered(docname, fact_id, fingerprint)

    def note_rendered(self, docname: str, fact_id: str, fingerprint: str) -> None:
        self._doc("rendered", docname)[fact_id] = fingerprint

    def note_checked(self, docname: str, fact_id: str, fingerprint: str) -> None:
        self._doc("checked", docname)[fact_id] = fingerprint

    def note_view(self, docname: str, spec: tuple[tuple[str, Any], ...], drawn: Any) -> None:
        self._doc("views", docname).append((spec, drawn))

    def note_source_page(self, docname: str, source_id: str, fingerprint: str) -> None:
        self._doc("sources", docname)[source_id] = fingerprint

    def note_drawn(self, docname: str, spec: tuple[tuple[str, Any], ...]) -> None:
        self._doc("drawn", docname).append(spec)

    def note_sentences(self, docname: str, total: int, sourced: int) -> None:
        self.data["sentences"][docname] = (total, sourced)

    def note_problem(self, docname: str, location: Location, message: str, subtype: str) -> None:
        self._doc("problems", docname).append((location, message, subtype))

    def note_unknown(self, docname: str, fact_id: str) -> None:
        self._doc("unknown", docname)[fact_id] = None

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


def domain(env: Any) -> TracefactsDomain:
    return env.get_domain("tf")


def get_state(env: Any) -> BuildState:
    """The checked fact base of the running build; set when the builder is initialised."""
    state = domain(env).state
    if state is None:
        raise RuntimeError("tracefacts: the fact base is read when the builder is initialised (builder-inited)")
    return state


def report(env: Any, subtype: str, message: str, location: Any) -> None:
    """A problem of the page being read: logged now, and kept with the page (the `tf`
    domain) so that every later build that does not re-read the page reports it again."""
    text = f"{subtype}: {message}"
    logger.warning("%s", text, location=location, type="tracefacts", subtype=subtype)
    domain(env).note_problem(env.docname, location, text, subtype)
