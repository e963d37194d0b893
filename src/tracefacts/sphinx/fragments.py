"""HTML of the generated views, kept cell by cell between builds.

Translating a 5,000-row matrix through docutils costs seconds; after a one-fact edit only
one row differs. An HTML builder therefore renders a view as its frame (the table or list
with empty slots, rendered once per shape) and its cells, each translated by the builder's
own translator the first time its key is seen on that page and reused afterwards. The
result is the same HTML, byte for byte, as translating the whole view (tested), and the
search index gets the same words (each once: the index keeps a set of words per page).

The cache lives beside the doctrees, one file per page and builder, written atomically;
a missing, unreadable or foreign file only means rendering again.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docutils
import sphinx
from docutils import nodes
from sphinx.util.docutils import new_document

from .. import __version__
from ..atomic import write_atomic
from ..gcpause import gc_paused
from .layout import Layout, blank_frame

FOLDER = "tracefacts-html"
# Raised whenever the HTML drawn for the same nodes changes (2: fact-base text bidi-isolated),
# so that no cell cached by an older tracefacts of the same version number is reused.
FORMAT = 2
_SLOT = "\x00tracefacts-slot\x00"  # appended by identity, never compared by value


class tf_html(nodes.General, nodes.Element):
    """A view's finished HTML; its one Text child holds the view's words, for the search index."""


def visit_tf_html(translator: Any, node: tf_html) -> None:
    translator.body.append(node["html"])
    raise nodes.SkipNode


def visit_slot(translator: Any, node: nodes.Element) -> None:
    translator.body.append(_SLOT)
    raise nodes.SkipNode


@dataclass
class PageFragments:
    header: str
    cells: dict[Hashable, tuple[str, str]] = field(default_factory=dict)  # key -> (html, words)
    frames: dict[Hashable, tuple[tuple[str, ...], str]] = field(default_factory=dict)  # shape -> (pieces, words)


class FragmentStore:
    """Per page: the fragments its last writing used (read lazily) and those this one uses."""

    def __init__(self, folder: Path, header: str) -> None:
        self.folder = folder
        self.header = header
        self.previous: dict[str, PageFragments] = {}
        self.current: dict[str, PageFragments] = {}

    def _path(self, docname: str) -> Path:
        return self.folder / f"{docname}.pickle"

    def old(self, docname: str) -> PageFragments:
        if docname not in self.previous:
            found = None
            with contextlib.suppress(Exception):  # any damage to a cache file only costs a re-render
                with gc_paused():  # thousands of new strings in a big process: nothing to collect
                    found = pickle.loads(self._path(docname).read_bytes())
            if not isinstance(found, PageFragments) or found.header != self.header:
                found = PageFragments(self.header)
            self.previous[docname] = found
        return self.previous[docname]

    def new(self, docname: str) -> PageFragments:
        return self.current.setdefault(docname, PageFragments(self.header))

    def save(self) -> None:
        for docname, page in self.current.items():
            old = self.previous.get(docname)
            if old is not None and old.cells.keys() == page.cells.keys() and old.frames.keys() == page.frames.keys():
                continue
            path = self._path(docname)
            with contextlib.suppress(OSError):  # a read-only build folder: slower next time, not wrong
                path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(path, pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def store_header(app: Any, extra: Hashable) -> str:
    """What every fragment of this build depends on besides its own key."""
    builder = app.builder
    translator = builder.get_translator_class() if hasattr(builder, "get_translator_class") else None
    config = app.config
    # Sphinx's own hash of the html options and tags (.buildinfo): an option that changes
    # how the writer draws a node (html_compact_lists, ...) must not leave old cells behind.
    info = getattr(builder, "build_info", None)
    parts = [__version__, FORMAT, sphinx.__version__, docutils.__version__, builder.name,
             getattr(info, "config_hash", None), getattr(info, "tags_hash", None), list(config.extensions),
             f"{translator.__module__}.{translator.__qualname__}" if translator else None,
             getattr(config, "html_file_suffix", None), getattr(config, "html_link_suffix", None),
             config.language, getattr(config, "html_search_language", None), repr(extra)]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class HtmlRenderer:
    """Renders layouts of one page with the builder's translator, reusing cached fragments."""

    def __init__(self, app: Any, doctree: nodes.document, docname: str, store: FragmentStore,
                 resolve: Callable[[nodes.Element], None]) -> None:
        self.doctree = doctree
        self.docname = docname
        self.store = store
        self.resolve = resolve
        # The writer's settings, as when the page itself is translated (the doctree's are the reader's).
        document = new_document(doctree.get("source", "<tracefacts>"), app.builder.docsettings)
        self.translator = app.builder.create_translator(document, app.builder)
        indexer = getattr(app.builder, "indexer", None)
        self.split: Callable[[str], list[str]] | None = indexer.lang.split if indexer is not None else None

    def _words(self, tree: nodes.Node) -> str:
        if self.split is None:
            return ""
        words: dict[str, None] = {}
        for text in tree.findall(nodes.Text):
            words.update(dict.fromkeys(self.split(text.astext())))
        return " ".join(words)

    def _translate(self, children: list[nodes.Node]) -> list[str]:
        self.translator.body = []
        for child in children:
            child.walkabout(self.translator)
        return self.translator.body

    def _cell(self, build: Callable[[], list[nodes.Node]]) -> tuple[str, str]:
        para = nodes.paragraph()
        para.document = self.doctree
        para.extend(build())
        self.resolve(para)  # citation markers become links to this page's view of the quote
        return "".join(self._translate(list(para.children))), self._words(para)

    def _frame(self, layout: Layout, context: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
        tree = blank_frame(layout)
        # Writers look at the parent's classes (a list in a "contents" box is compact).
        holder = nodes.container(classes=list(context))
        holder.document = self.doctree
        holder += tree
        body = self._translate([tree])
        pieces, current = [], []
        for part in body:
            if part is _SLOT:
                pieces.append("".join(current))
                current = []
            else:
                current.append(part)
        pieces.append("".join(current))
        return tuple(pieces), self._words(tree)

    def render(self, layout: Layout, context: tuple[str, ...] = ()) -> tf_html | None:
        """The layout's HTML, or None when only docutils can draw it; ``context``: the parent's classes."""
        old, new = self.store.old(self.docname), self.store.new(self.docname)
        shape = (layout.shape(), context)
        frame = new.frames.get(shape) or old.frames.get(shape)
        if frame is None:
            frame = self._frame(layout, context)
        new.frames[shape] = frame
        pieces, frame_words = frame
        cells = layout.cells()
        if len(pieces) != len(cells) + 1:
            return None  # the frame did not come out with one slot per cell: let docutils draw it
        html = [pieces[0]]
        words = set(frame_words.split())
        for cell, after in zip(cells, pieces[1:], strict=True):
            found = new.cells.get(cell.key) or old.cells.get(cell.key)
            if found is None:
                found = self._cell(cell.build)
            new.cells[cell.key] = found
            html += [found[0], after]
            words.update(found[1].split())
        ordered = sorted(words)
        text = " ".join(ordered)
        if self.split is not None and self.split(text) != ordered:
            return None  # a language whose splitter is not stable under re-joining: index the nodes
        return tf_html("", nodes.Text(text), html="".join(html))
