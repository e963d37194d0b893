"""HTML sources: the text a reader reads in a captured web page, with its paragraphs.

Parser: lxml (libxml2's HTML parser, through ``lxml.etree.HTMLParser`` — the same parser
as ``lxml.html.HTMLParser`` without its Python element classes, which only slow a walk
down). It is well kept, written in C, permissive like a browser (unclosed tags, stray end
tags, bad nesting all give a tree), and already a dependency. html5lib follows the
HTML5 tree-building rules to the letter but is pure Python, about ten times slower on a
5 MB page; selectolax (Lexbor) is fast but gives no way to walk text nodes and tails
with their element paths, which the map back to the document needs.

What a reader reads, as a browser shows it (``innerText``, roughly):

- character references decoded (``&#60;MIME&#62;`` is ``<MIME>``);
- white space collapsed: a run of spaces, tabs and line ends is one space, across inline
  elements (``<b>Me</b>ta`` is "Meta"; ``a<span> </span>b`` keeps its one space);
  ``<pre>`` (and ``listing``, ``xmp``, ``plaintext``) kept as written, its first line end
  dropped as browsers do; NBSP is a character, not white space (matching folds it);
- ``<br>`` ends a line (two in a row end a paragraph);
- every block element (p, div, h1–h6, li, dt, dd, blockquote, pre, table rows, section,
  article, header, footer, nav, aside, figure, figcaption, form, hr, …) stands in
  paragraphs of its own: blocks are separated by a blank line, so "elision inside one
  paragraph" never crosses a block;
- a table row is one line, its cells joined by " | " (a cell holding blocks — a layout
  table — keeps their paragraphs);
- dropped: the ``head`` (its metadata is read), ``script``, ``style``, ``template``,
  ``noscript``, ``iframe``, ``object``, ``embed``, ``svg``, ``canvas``, ``audio``,
  ``video``, form controls (``input``, ``select``, ``textarea``), a closed ``dialog``,
  comments, processing instructions, and elements marked hidden: the ``hidden``
  attribute (but ``hidden="until-found"``, which a reader's search opens),
  ``aria-hidden="true"``, or an inline ``style`` with ``display: none`` or
  ``visibility: hidden`` (a style sheet's rules are not read).

The map back: each stretch of the text (a text node, restarted after a collapsed run of
white space, so that every offset maps exactly) points at ``Location(index, path=...)``:
the XPath of the element whose own text holds it (``/html/body/div[2]/p[3]``; a tail
belongs to its parent, as in the DOM) and the offset in that element's own text (the
concatenation of its direct text nodes, entities decoded, white space as written).
Paths are those of lxml's tree; on a malformed page they may differ from a browser's.

Encoding: a byte order mark, else ``<meta charset>`` or ``http-equiv`` content type (or
an XML declaration), else UTF-8, else Windows-1252 (what browsers do). A declared
encoding that the bytes break is decoded with U+FFFD, as a browser shows it.

Bounded: no network, no DTD or external entity (libxml2's HTML parser does not read an
internal DTD subset, so an entity bomb stays unexpanded text), nesting beyond libxml2's
depth limit is ``source-unreadable`` (the tree is walked without recursion), and
``Limits.seconds`` is checked as the walk goes. The parse runs in this process, so
``Limits.memory`` is not enforced here: a 50 MB page took 6 s and 1.3 GB (a book's
pages) to 11 s and 1.8 GB (a page dense in short elements) on the development machine;
the walk holds only the open elements, so a page of millions of empty elements costs
its tree and no more.
"""

from __future__ import annotations

import codecs
import json
import re
import time
from collections.abc import Iterable

from lxml import etree

from ..gcpause import gc_paused
from .base import Block, Extracted, FormatProblem, Limits, Location, Metadata

# --- decoding ------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# where a page declares its encoding: before <body>, within the first 64 KiB (a meta found
# later makes a browser re-read the page, so the 1 KiB of the HTML spec's pre-scan is too short)
_PRESCAN = 1 << 16
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:\-]+)""", re.I)
# labels browsers read otherwise than Python's codecs (the WHATWG Encoding Standard)
_LABELS = {
    "iso-8859-1": "windows-1252", "iso8859-1": "windows-1252", "latin1": "windows-1252",
    "latin-1": "windows-1252", "l1": "windows-1252", "ascii": "windows-1252",
    "us-ascii": "windows-1252", "cp1252": "windows-1252", "windows-1252": "windows-1252",
    "x-cp1252": "windows-1252", "iso-8859-9": "cp1254", "latin5": "cp1254", "tis-620": "cp874",
    "iso-8859-11": "cp874", "gb2312": "gbk", "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
    # a page whose meta could be read as ASCII is not UTF-16: browsers read it as UTF-8
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",
}


def _windows_1252_table() -> dict[int, str]:
    # Windows-1252 as browsers have it: the five bytes Python's cp1252 leaves undefined
    # (0x81, 0x8D, 0x8F, 0x90, 0x9D) are the C1 controls of the same number, never an error
    table = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            table[byte] = chr(byte)
    return table


_CP1252 = _windows_1252_table()


def _codec(label: bytes) -> str | None:
    name = label.decode("ascii", "replace").strip().lower()
    name = _LABELS.get(name, name)
    try:
        return codecs.lookup(name).name if name != "windows-1252" else name
    except LookupError:
        return None  # an unknown label counts as none, as in browsers


def _declared(data: bytes) -> str | None:
    head = data[:_PRESCAN]
    body = re.search(rb"<body\b", head, re.I)
    if body:
        head = head[: body.start()]
    for pattern in (_META_CHARSET, _XML_DECL):
        for m in pattern.finditer(head):
            codec = _codec(m.group(1))
            if codec:
                return codec
    return None


def _decode_with(data: bytes, codec: str) -> str:
    if codec == "windows-1252":
        return data.decode("latin-1").translate(_CP1252)
    return data.decode(codec, "replace")


def decode_html(data: bytes) -> str:
    """The characters of a page: BOM, else declared encoding, else UTF-8, else Windows-1252."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, "replace")
    codec = _declared(data)
    if codec:
        return _decode_with(data, codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_with(data, "windows-1252")


# --- what the text is made of ----------------------------------------------------------

_DROPPED = frozenset({
    "head", "title", "script", "style", "template", "noscript", "iframe", "frame", "object", "embed",
    "param", "svg", "canvas", "audio", "video", "source", "track", "img", "picture", "map",
    "input", "select", "datalist", "textarea", "meta", "link", "base", "noframes",
})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_PRE = frozenset({"pre", "listing", "xmp", "plaintext"})
_CELLS = frozenset({"td", "th"})
_BLOCKS = frozenset({
    "html", "body", "address", "article", "aside", "blockquote", "caption", "center", "col",
    "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "frameset", "header", "hgroup", "hr", "legend", "li", "main",
    "menu", "nav", "ol", "optgroup", "option", "p", "search", "section", "summary", "table",
    "tbody", "tfoot", "thead", "tr", "ul",
}) | _HEADINGS | _PRE
# kinds a nested block keeps (a paragraph in a list item is part of the item)
_KEPT_KINDS = _HEADINGS | {"pre", "li"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)", re.I)

_WS = " \t\n\r\f"  # HTML's white space; NBSP and other Unicode spaces are characters
_MULTI_WS = re.compile(r"[ \t\n\r\f]{2,}")
_TO_SPACE = str.maketrans("\t\n\r\f", "    ")
_TIME_CHECK = 512  # elements between two looks at the clock


def _hidden(el: etree._Element, tag: str) -> bool:
    if tag in _DROPPED:
        return True
    if not el.keys():  # most elements have no attribute: one call says so
        return False
    hidden = el.get("hidden")
    if hidden is not None and hidden.strip().lower() != "until-found":
        return True
    if (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    if tag == "dialog" and el.get("open") is None:
        return True
    style = el.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


class _Frame:
    """An element being walked: its place (for its path), its own text so far, its kind.

    Only the elements on the path from the root to the one being read have a frame, and
    a frame reads its children one at a time: a page of millions of sibling elements
    costs no more than its tree.
    """

    __slots__ = ("el", "parent", "tag", "nth", "_path", "own", "kind", "children", "seen", "_totals")

    def __init__(self, el: etree._Element, parent: _Frame | None, tag: str, nth: int, kind: str) -> None:
        self.el = el
        self.parent = parent
        self.tag = tag
        self.nth = nth  # its number among its parent's children of its tag (XPath's p[3])
        self._path: str | None = None
        self.own = 0  # characters of this element's own text (its text and its children's tails) so far
        self.kind = kind
        self.children = iter(el)
        self.seen: dict[str, int] = {}  # children of each tag read so far
        self._totals: dict[str, int] | None = None

    def totals(self) -> dict[str, int]:
        """How many children of each tag: counted once, when a child's path is first needed."""
        if self._totals is None:
            self._totals = {}
            for child in self.el:
                self._totals[child.tag] = self._totals.get(child.tag, 0) + 1
        return self._totals

    @property
    def path(self) -> str:
        if self._path is None:  # computed only for elements that hold text; iterative, like the walk
            chain = []
            frame: _Frame | None = self
            while frame is not None and frame._path is None:
                chain.append(frame)
                frame = frame.parent
            prefix = frame._path if frame is not None else ""
            for f in reversed(chain):
                alone = f.parent is None or f.parent.totals()[f.tag] == 1
                prefix = f._path = f"{prefix}/{f.tag}" if alone else f"{prefix}/{f.tag}[{f.nth}]"
        return self._path


class _Writer:
    """The text being written, with its pending separators, stretches and blocks."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.newlines = 0  # line ends owed before the next text
        self.paragraph = False  # one of them closes a paragraph (a block ended, or <br><br>)
        self.space = False  # collapsed white space owed before the next text on the line
        self.cell = False  # " | " owed before the next text on the line
        self.line_has_text = False
        self.starts: list[int] = []
        self.locations: list[Location] = []
        self.blocks: list[Block] = []
        self.block_start: int | None = None
        self.block_kind = "p"

    def _write(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def _close_block(self) -> None:
        if self.block_start is not None:
            self.blocks.append(Block(self.block_start, self.pos, self.block_kind))
            self.block_start = None

    def _flush(self, kind: str) -> None:
        if self.newlines and self.pos:
            if self.paragraph:
                self._close_block()
            self._write("\n" * self.newlines)
            self.line_has_text = False
        elif self.line_has_text and self.cell:
            self._write(" | ")
        elif self.line_has_text and self.space:
            self._write(" ")
        self.newlines, self.paragraph, self.space, self.cell = 0, False, False, False
        if self.block_start is None:
            self.block_start, self.block_kind = self.pos, kind

    def block_break(self) -> None:
        self.newlines = max(self.newlines, 2)
        self.paragraph = True
        self.space = self.cell = False

    def line_break(self, pre: bool) -> None:
        if pre:  # as written: every line end counts
            self.newlines += 1
            return
        self.newlines = min(self.newlines + 1, 2)
        self.paragraph = self.paragraph or self.newlines == 2
        self.space = self.cell = False

    def start_cell(self) -> None:
        if self.line_has_text and not self.newlines:
            self.cell = True

    def _stretch(self, index: int, frame: _Frame) -> None:
        self.starts.append(self.pos)
        self.locations.append(Location(index, path=frame.path))

    def text(self, s: str, frame: _Frame, kind: str) -> None:
        """A text node in the flow: white space collapsed across nodes."""
        base = frame.own
        frame.own = base + len(s)
        core = s.strip(_WS)
        if not core:
            if s:
                self.space = True
            return
        lead = s.index(core[0])
        trailing = lead + len(core) < len(s)
        if lead:
            self.space = True
        if self.newlines or self.cell or self.block_start is None:
            self._flush(kind)
        elif self.space and self.line_has_text:  # the common case, inline: one space between
            self.parts.append(" ")
            self.pos += 1
            self.space = False
        starts, locations, path = self.starts, self.locations, frame.path
        if "  " in core or "\n" in core or "\t" in core or "\r" in core or "\f" in core:
            # runs to collapse: a stretch after each, so that every offset maps exactly
            at = 0
            for m in _MULTI_WS.finditer(core):
                piece = core[at:m.start()].translate(_TO_SPACE) + " "
                starts.append(self.pos)
                locations.append(Location(base + lead + at, None, path))
                self.parts.append(piece)
                self.pos += len(piece)
                at = m.end()
            lead += at
            core = core[at:].translate(_TO_SPACE)
        starts.append(self.pos)
        locations.append(Location(base + lead, None, path))
        self.parts.append(core)
        self.pos += len(core)
        self.line_has_text = True
        self.space = trailing

    def pre_text(self, s: str, frame: _Frame, kind: str, skip_first_newline: bool) -> None:
        """A text node inside <pre>: written as it stands, line by line."""
        base = frame.own
        frame.own += len(s)
        at = 1 if skip_first_newline and s.startswith("\n") else 0
        mapped = False
        for line in s[at:].split("\n"):
            if line:
                self._flush(kind)
                if not mapped:  # the rest of the node is written as it stands: the map stays linear
                    self._stretch(base + at, frame)
                    mapped = True
                self._write(line)
                self.line_has_text = True
            at += len(line) + 1
            if at <= len(s):
                self.line_break(pre=True)

    def finish(self) -> str:
        self._close_block()
        text = "".join(self.parts)
        return text + "\n" if text else text


class _TooSlow(Exception):
    pass


def _kind(tag: str, parent_kind: str) -> str:
    if tag in _HEADINGS:
        return tag
    if tag in _PRE:
        return "pre"
    if tag == "li":
        return "li"
    if tag in _CELLS:
        return "tr"  # text right in a cell: a row line
    if tag in _BLOCKS:
        return parent_kind if parent_kind in _KEPT_KINDS else "p"
    return parent_kind  # inline


def _walk(root: etree._Element, deadline: float) -> _Writer:
    """Every text node of the page in reading order, without recursion (a page may nest deep)."""
    out = _Writer()
    pre_depth = 0
    count = 0
    stack: list[_Frame] = []
    parent: _Frame | None = None
    el: etree._Element | None = root
    while True:
        if el is not None:  # entering an element
            tag = el.tag
            count += 1
            if count % _TIME_CHECK == 0 and time.monotonic() > deadline:
                raise _TooSlow
            if not isinstance(tag, str) or _hidden(el, tag):
                if parent is not None and el.tail:  # the tail is the parent's text, shown
                    _tail(out, el.tail, parent, pre_depth)
            else:
                nth = 1
                if parent is not None:
                    nth = parent.seen[tag] = parent.seen.get(tag, 0) + 1
                if tag == "br":
                    out.line_break(pre_depth > 0)
                elif tag in _BLOCKS:
                    out.block_break()
                elif tag in _CELLS:
                    out.start_cell()
                if parent is not None and el.text is None and not len(el):
                    # an empty element (<br>, an empty <p>): its breaks are made, no frame needed
                    if el.tail:
                        _tail(out, el.tail, parent, pre_depth)
                    el = None
                    continue
                frame = _Frame(el, parent, tag, nth, _kind(tag, parent.kind if parent is not None else "p"))
                if tag in _PRE:
                    pre_depth += 1
                if el.text:
                    if pre_depth:  # a line end right after <pre> is not shown (HTML's rule)
                        out.pre_text(el.text, frame, frame.kind, skip_first_newline=tag in _PRE)
                    else:
                        out.text(el.text, frame, frame.kind)
                stack.append(frame)
        if not stack:
            return out
        frame = stack[-1]
        el = next(frame.children, None)
        if el is not None:
            parent = frame
            continue
        stack.pop()  # leaving an element, all its children read
        parent = frame.parent
        if frame.tag in _PRE:
            pre_depth -= 1
        if frame.tag in _BLOCKS:
            out.block_break()
        tail = frame.el.tail
        if parent is not None and tail:
            _tail(out, tail, parent, pre_depth)


def _tail(out: _Writer, tail: str, parent: _Frame, pre_depth: int) -> None:
    if pre_depth:
        out.pre_text(tail, parent, parent.kind, skip_first_newline=False)
    else:
        out.text(tail, parent, parent.kind)


# --- metadata --------------------------------------------------------------------------

_META_CAP = 1000  # characters of one metadata value kept


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())[:_META_CAP]
    return value or None


def _json_ld(root: etree._Element) -> list[dict]:
    """The objects of every JSON-LD block (top level, lists, ``@graph``); malformed ones skipped."""
    found: list[dict] = []
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except (ValueError, RecursionError):  # malformed, or nested past Python's stack
            continue
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict):
                graph = item.get("@graph")
                found.append(item)
                if isinstance(graph, list):
                    found.extend(g for g in graph if isinstance(g, dict))
    return found


def _names(value: object) -> list[str]:
    """Names from a JSON-LD person or organisation: a string, an object, or a list of either."""
    values = value if isinstance(value, list) else [value]
    names = []
    for v in values:
        name = _clean(v.get("name") if isinstance(v, dict) else v)
        if name and name not in names:
            names.append(name)
    return names


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


def read_metadata(root: etree._Element) -> Metadata:
    """Title, publisher, date and author from <title>, <meta> (og:, article:) and JSON-LD."""
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = _clean(el.get("content"))
        if key and value and key not in meta:
            meta[key] = value
    title_el = root.find("head/title")
    if title_el is None:
        title_el = next((t for t in root.iter("title") if t.getparent() is None
                         or t.getparent().tag != "svg"), None)
    page_title = _clean("".join(title_el.itertext())) if title_el is not None else None
    ld = _json_ld(root)
    article = [o for o in ld if "headline" in o or "datePublished" in o]
    authors = _first(", ".join(_names(o.get("author"))) for o in article)
    publisher = _first(_first(_names(o.get("publisher"))) for o in article)
    return Metadata(
        title=_first((meta.get("og:title"), *(_clean(o.get("headline")) for o in article),
                      *(_clean(o.get("name")) for o in article), page_title)),
        publisher=_first((meta.get("og:site_name"), publisher)),
        published=_first((meta.get("article:published_time"), *(_clean(o.get("datePublished")) for o in article),
                          meta.get("date"), meta.get("dc.date"), meta.get("dcterms.date"),
                          meta.get("citation_publication_date"))),
        author=_first((meta.get("author"), authors)),
    )


# --- the format ------------------------------------------------------------------------

_REPARSE = "open it in a browser and save it again (or keep its text as a .txt source), then register that file"


def _parse(data: bytes, huge: bool) -> tuple[etree._Element | None, str | None]:
    """The page's tree, and libxml2's reason when it stopped before the end of the page."""
    parser = etree.HTMLParser(encoding="utf-8", no_network=True, huge_tree=huge, remove_comments=True,
                              remove_pis=True, collect_ids=False, default_doctype=False)
    root = etree.fromstring(data, parser)
    fatal = next((e for e in parser.error_log if e.level >= etree.ErrorLevels.FATAL), None)
    return root, (f"{fatal.message.strip()}, line {fatal.line}" if fatal is not None else None)


def extract_html(data: bytes, limits: Limits) -> Extracted | FormatProblem:
    started = time.monotonic()
    if data[:1024].lstrip()[:5] == b"%PDF-":
        return FormatProblem("source-unreadable", "is a PDF document, not HTML: name it `.pdf` or write "
                                                  "`format: pdf` in its entry.")
    text = decode_html(data).replace("\x00", "")  # browsers drop NUL characters from a page
    utf8 = text.encode("utf-8", "surrogatepass")
    try:
        root, stopped = _parse(utf8, huge=False)
        if stopped and "XML_PARSE_HUGE" in stopped:
            # libxml2's default bounds (256 levels of nesting, 10 MB in one text) are
            # lower than some real pages need; its larger ones still end a nesting bomb
            root, stopped = _parse(utf8, huge=True)
    except (etree.LxmlError, ValueError) as exc:
        return FormatProblem("source-unreadable", f"cannot be read as HTML ({exc}); {_REPARSE}.")
    except MemoryError:
        return FormatProblem("source-unreadable", f"cannot be read as HTML: its tree does not fit in memory; "
                                                  f"{_REPARSE}.")
    if stopped:
        why = (": its elements are nested too deep to be read"
               if "depth" in stopped.lower() else ": the rest of the page would be lost")
        return FormatProblem("source-unreadable", f"cannot be read as HTML (lxml stopped: {stopped}){why}; "
                                                  f"{_REPARSE}.")
    if root is None:
        return FormatProblem("source-no-text", "is empty: there is no page in it; capture the page again.")
    try:
        with gc_paused():  # the walk makes no cycles: a collection would only rescan what it keeps
            out = _walk(root, started + limits.seconds)
        if time.monotonic() > started + limits.seconds:
            raise _TooSlow
    except _TooSlow:
        return FormatProblem("source-unreadable", f"cannot be read as HTML: it took longer than "
                                                  f"{limits.seconds:g} s; {_REPARSE}.")
    except MemoryError:
        return FormatProblem("source-unreadable", f"cannot be read as HTML: its text does not fit in memory; "
                                                  f"{_REPARSE}.")
    body = out.finish()
    if not body.strip():
        return FormatProblem("source-no-text", "has no text a reader would see: all of it is markup, scripts, "
                                               "styles or hidden elements. A page built by JavaScript holds its "
                                               "text only once the script has run: save it from a browser after "
                                               "it has loaded (e.g. `chromium --headless --dump-dom URL > "
                                               "page.html`), or keep its text as a .txt source.")
    return Extracted(body, "html", blocks=tuple(out.blocks), metadata=read_metadata(root),
                     stretch_starts=tuple(out.starts), stretch_locations=tuple(out.locations))
