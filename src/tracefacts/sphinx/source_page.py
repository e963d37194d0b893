"""A source's own page: its metadata and full text, every quote highlighted and anchored."""

from __future__ import annotations

import bisect
import sys
import unicodedata

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, SphinxRole

from ..export import anchor_id
from ..formats import Block, Extracted
from ..model import Anchor
from ..normalize import lines, normalize_text
from ..safeio import read_regular
from . import nodes as tfn
from .directives import tf_source_page
from .domain import domain, get_state, report
from .locale import _, day, ngettext
from .state import date_label
from .views import tf_view

logger = logging.getLogger(__name__)


class SourceTitle(SphinxRole):
    """``{tracefacts-source-title}`id```: the source's title exactly as registered.

    The title is taken from the fact base, not from the page's Markdown (no escaping to get
    wrong), as text smart quotes leave alone: the heading, the page's <title>, the navigation
    and the citation tips then all show the same characters ("quotes", --, ...), escaped.
    A title that could reorder the text around it is set between Unicode isolates (``isolated``).
    """

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        sid = self.text.strip()
        state = get_state(self.env)
        source = state.sources.get(sid)
        if source is None:
            report(self.env, "unknown-source", f"source `{sid}` is not registered", self.get_location())
            # re-read once it is registered (the fingerprint of a missing source then changes)
            domain(self.env).note_source_page(self.env.docname, sid, state.source_page_fingerprint(sid))
        title = isolated(source.title if source is not None else sid)
        return [verbatim(title)], []


# Bidi classes that can reorder text around them: right-to-left letters and digits, and the
# explicit embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
_DIRECTIONAL = {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
FSI, PDI = "\u2068", "\u2069"
_OPENERS = {"\u2066", "\u2067", FSI}  # LRI, RLI, FSI


def isolated(title: str) -> str:
    """``title`` between FSI and PDI when it could reorder the text around it.

    A page's title is also written where no element can isolate it: the <title> ("Beta
    <U+202E>Blog - Project documentation" turned the project's name backwards), the
    navigation, the search index. Unicode isolates end every embedding and override opened
    inside them. A title of left-to-right text only is left exactly as registered (no
    invisible characters in every title, in copied text and in the search index); one with
    a right-to-left letter or a direction control is isolated. Isolates of the title's own
    are balanced first: a stray PDI must not close ours early, nor an unclosed one keep it open.
    """
    if not any(unicodedata.bidirectional(c) in _DIRECTIONAL for c in title):
        return title
    depth, stray = 0, 0
    for char in title:
        if char in _OPENERS:
            depth += 1
        elif char == PDI:
            if depth:
                depth -= 1
            else:
                stray += 1
    return FSI * (1 + stray) + title + PDI * (1 + depth)


VERBATIM = "tf-verbatim"


def verbatim(text: str) -> nodes.inline:
    """Text that Sphinx's smart quotes leave alone: an inline marked so (is_smartquotable
    reads the parents' ``support_smartquotes``); ``UnwrapVerbatim`` then leaves its bare text.
    Not a Text subclass: builders that walk titles by class name (text, latex) cannot visit one."""
    node = nodes.inline(text, text, classes=[VERBATIM])
    node["support_smartquotes"] = False
    return node


class UnwrapVerbatim(SphinxTransform):
    """After smart quotes (priority 750), before titles are collected: the verbatim text
    stands in its title as plain text, so the heading, <title> and navigation hold no wrapper."""

    default_priority = 790

    def apply(self, **kwargs: object) -> None:
        for node in list(self.document.findall(nodes.inline)):
            if VERBATIM in node["classes"] and node.get("support_smartquotes") is False:
                node.parent.replace(node, list(node.children))  # replace_self refuses: it would drop classes


class SourceText(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        state = get_state(self.env)
        sid = self.arguments[0].strip()
        source = state.sources.get(sid)
        text = state.result.texts.get(sid)
        if source is None or text is None:
            report(self.env, "unknown-source", f"source `{sid}` is not registered or cannot be read",
                   self.get_location())
            domain(self.env).note_source_page(self.env.docname, sid, state.source_page_fingerprint(sid))
            return []
        dom = domain(self.env)
        # Read-time content: the text and where the quotes stand; what the facts say is
        # drawn when the page is written (the notes under each paragraph are views).
        dom.note_source_page(self.env.docname, sid, state.source_page_fingerprint(sid))
        anchors = state.anchors_on(sid)

        box = tf_source_page(classes=["tf-source-page", tfn.GENERATED])
        box["support_smartquotes"] = False  # the source text is evidence: shown exactly as captured
        box += self._metadata(source, text.sha256, len(anchors), text.extracted)
        body = nodes.container(classes=["tf-source-text"])
        chrome = {normalize_text(c) for c in source.chrome}
        pending: list[Anchor] = []  # quotes starting in the current paragraph
        extracted = text.extracted
        pages = extracted.pages if extracted is not None else ()
        page = 0  # the pages whose start has been drawn
        blocks = extracted.blocks if extracted is not None else ()
        block_starts = [b.start for b in blocks]
        # Numbered as every other output numbers lines (normalize.lines), so that `find`,
        # check and tracefacts.json name the line a reader sees here.
        for number, (start, end, next_start) in enumerate(lines(text.text), start=1):
            while page < len(pages) and pages[page] <= start:
                page += 1  # a PDF's page starts here: a heading and an anchor (<source>-p<n>) for it
                label = _("Page %(page)s") % {"page": page}
                body += nodes.paragraph(label, label, classes=["tf-page-start"], ids=[f"{sid}-p{page}"])
            stripped = text.text[start:end]
            if not stripped.strip():
                # a blank line ends the paragraph: its notes go after it, not between its lines
                if pending:
                    body += self._support(pending)
                    pending = []
                continue
            classes = ["tf-source-line"]
            if normalize_text(stripped) in chrome:
                classes.append("tf-chrome")
            kind = _block_kind(blocks, block_starts, start)
            if kind is not None:
                # an HTML source's structure: its headings, list items and preformatted text
                classes += ["tf-heading", f"tf-{kind}"] if kind[:1] == "h" and kind[1:].isdigit() else [f"tf-{kind}"]
            # ids unique across sources, so one-page outputs (the PDF) keep every anchor
            para = nodes.paragraph(classes=classes, ids=[f"{sid}-L{number}"])
            para += nodes.inline(str(number), str(number), classes=["tf-lineno"])
            para += tfn.holding(_highlighted(text.text, start, end, anchors))  # the line, bidi-isolated
            body += para
            pending += [a for a in anchors if start <= a.start < next_start]
        if pending:
            body += self._support(pending)
        box += body
        return [box]

    def _metadata(self, source, sha256: str, quotes: int,  # type: ignore[no-untyped-def]
                  extracted: Extracted | None = None) -> nodes.Node:
        # a text with no date of its own (`text_undated`): its date is when it was filed
        dated = (_("Dated (its text is not)"),
                 _("%(date)s, the latest it can date from") % {"date": date_label(source)}) \
            if source.text_undated else (_("Published"), date_label(source))
        rows = [(_("Title"), source.title), (_("Publisher"), source.publisher),
                dated, (_("File"), source.file),
                ("SHA-256", sha256), (_("Quotes used"), str(quotes))]
        if extracted is not None and extracted.format != "text":
            # the text below is what a reader reads in the document, not its markup
            rows.insert(4, (_("Format"), _("HTML page (its text as a reader reads it)") if extracted.format == "html"
                            else _("PDF (its text, page by page)")))
            if extracted.pages:
                rows.insert(5, (_("Pages"), str(len(extracted.pages))))
        if source.url:
            rows.append((_("Taken from"), source.url))
        if source.retrieved:
            rows.append((_("Retrieved"), day(source.retrieved)))
        if source.notes:
            rows.append((_("Notes"), source.notes))
        if source.chrome:
            count = len(source.chrome)
            rows.append((_("Page furniture"), ngettext("%(count)d kind of line (menus, widgets), shown dimmed",
                                                       "%(count)d kinds of line (menus, widgets), shown dimmed",
                                                       count) % {"count": count}))
        fields = nodes.field_list(classes=["tf-source-meta"])
        for name, value in rows:
            body = nodes.paragraph()
            body += nodes.literal(value, value) if name == "SHA-256" else tfn.text(value)
            fields += nodes.field("", nodes.field_name(name, name), nodes.field_body("", body))
        return fields

    def _support(self, starting: list[Anchor]) -> nodes.Node:
        view = (("anchors", tuple((anchor_id(a), a.fact) for a in starting)), ("view", "support"))
        domain(self.env).note_drawn(self.env.docname, view)
        return tf_view(spec=view)


def _block_kind(blocks: tuple[Block, ...], starts: list[int], offset: int) -> str | None:
    """The kind of the HTML block holding ``offset`` ("h2", "li", "pre"), or None for a paragraph."""
    k = bisect.bisect_right(starts, offset) - 1
    if k < 0 or offset >= blocks[k].end:
        return None
    kind = blocks[k].kind
    return kind if kind in _SHOWN_KINDS else None


_SHOWN_KINDS = {"h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "dt", "blockquote"}


def _highlighted(text: str, start: int, end: int, anchors: list[Anchor]) -> list[nodes.Node]:
    """The line text[start:end] cut at every quote boundary; quoted pieces are marked."""
    pieces = [(p.start, p.end, a, i) for a in anchors for i, p in enumerate(a.parts)
              if p.start < end and p.end > start]
    cuts = sorted({start, end} | {max(start, min(end, x)) for s, e, _, _ in pieces for x in (s, e)})
    out: list[nodes.Node] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a == b:
            continue
        chunk = text[a:b]
        covering = [(anc, i) for s, e, anc, i in pieces if s <= a and b <= e]
        if not covering:
            out.append(nodes.Text(chunk))
            continue
        ids = [anchor_id(anc) for anc, i in covering if i == 0 and anc.parts[0].start == a]
        classes = ["tf-quote"] + [f"tf-q-{anchor_id(anc)}" for anc, _ in covering]
        if len({anc.fact for anc, _ in covering}) > 1:
            classes.append("tf-quote-multi")
        out.append(nodes.inline(chunk, chunk, ids=ids, classes=classes))
    return out


def skip_undecodable_pages(app, env, docnames: list[str]) -> None:  # type: ignore[no-untyped-def]
    """env-before-read-docs: a page that is not in the docs' encoding (a Latin-1 file left in
    the source pages' folder) is left out with a warning that says where and how to fix it,
    instead of ending the build in a traceback when Sphinx reads it."""
    encoding = app.config.source_encoding
    for docname in list(docnames):
        data = read_regular(env.doc2path(docname), sys.maxsize)
        if data is None:
            continue  # not a regular file, or unreadable: Sphinx says so itself
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            shown = "UTF-8" if encoding.lower().replace("_", "-") in ("utf-8-sig", "utf-8", "utf8") else encoding
            logger.warning("this page is not %s (byte %d cannot be decoded), so it is left out of the build; "
                           "convert it, e.g. `iconv -f latin1 -t utf-8`, or remove it", shown, exc.start,
                           location=(docname, data[:exc.start].count(b"\n") + 1), type="tracefacts",
                           subtype="encoding")
            docnames.remove(docname)
            # Not a document of this build at all: nothing writes it, no glob of a toctree lists it.
            env.found_docs.discard(docname)
