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
pages) to 11 s and 1.8 GB (a page dense in short elements) on the development machine,
before the walk was made about twice as fast (a generated 50 MB page: 6.9 s and 1.09 GB
then, 3.6 s and 1.04 GB now); the walk keeps the open elements and those holding text
(for their paths, made at the end), so a page of millions of empty elements costs its
tree and no more.

Speed: libxml2 walks the tree (``etree.iterwalk``, its subtree skipped for a hidden
element) and one flat loop writes the text, its state in local variables; on a 5 MB
page it costs about 4.5 times lxml's bare parse and ``itertext()`` (``scripts/bench_html.py``).
Of what remains, the bare walk reading each text and tail is ~0.7 of that floor and
making one ``Location`` per stretch ~0.5 (a frozen dataclass: ~0.4 µs each).
"""

from __future__ import annotations

import codecs
import json
import re
import time
from collections.abc import Iterable
from itertools import repeat

from lxml import etree

from ..gcpause import gc_paused
from .base import Block, Extracted, FormatProblem, Limits, Location, Metadata

# --- decoding ------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_BOM_PREFIXES = tuple(bom for bom, _codec in _BOMS)
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
    "windows-874": "cp874", "x-mac-cyrillic": "mac-cyrillic", "x-mac-roman": "mac-roman",
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


# The encodings a browser knows (the WHATWG Encoding Standard), as Python names them. Any
# other label Python could look up is ignored, as a browser ignores it: "rot13", "hex" or
# "base64" are not text encodings at all (reading with one ended in a traceback), and
# "utf-7" or "unicode_escape" would let a quote match text no browser shows.
_BROWSER_CODECS = frozenset({
    "utf-8", "cp866", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
    "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16", "koi8-r", "koi8-u",
    "mac-roman", "cp874", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "mac-cyrillic", "gbk", "gb18030", "big5", "euc_jp", "iso2022_jp", "shift_jis", "cp949",
})


def _codec(label: bytes) -> str | None:
    name = label.decode("ascii", "replace").strip().lower()
    name = _LABELS.get(name, name)
    if name == "windows-1252":
        return name
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None  # an unknown label counts as none, as in browsers
    return codec if codec in _BROWSER_CODECS else None


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


def _utf8(data: bytes) -> bytes:
    """The page's characters as UTF-8, for the parser, without NUL characters (browsers drop them)."""
    if b"\x00" not in data and not data.startswith(_BOM_PREFIXES) and _declared(data) in (None, "utf-8"):
        # most pages: UTF-8 already, so the bytes themselves (decoding and encoding them
        # again would give the same bytes, at the cost of two copies of the page)
        if data.isascii():
            return data
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError:
            pass
    return decode_html(data).replace("\x00", "").encode("utf-8", "surrogatepass")


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
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)", re.I)
_HIDING_ATTRIBUTES = frozenset({"hidden", "aria-hidden", "style"})

_WS = " \t\n\r\f"  # HTML's white space; NBSP and other Unicode spaces are characters
_MULTI_WS = re.compile(r"[ \t\n\r\f]{2,}")
_TO_SPACE = str.maketrans("\t\n\r\f", "    ")
_TIME_CHECK = 511  # elements between two looks at the clock, less one (a mask)

# What an element does to the flow, one dict lookup per element (bits: 1 breaks a block).
_INLINE, _BLOCK, _PRE_BLOCK, _CELL, _BR, _DROP = 0, 1, 3, 4, 8, 16
# an element's kind: its own (headings, pre, li, a cell's row), else its parent's for an
# inline element, else "p" for a block unless its parent's kind is kept
_ROLES: dict[str, tuple[int, str | None]] = {
    **{tag: (_BLOCK, None) for tag in _BLOCKS},
    **{tag: (_BLOCK, tag) for tag in _HEADINGS},
    **{tag: (_PRE_BLOCK, "pre") for tag in _PRE},
    "li": (_BLOCK, "li"),
    **{tag: (_CELL, "tr") for tag in _CELLS},  # text right in a cell: a row line
    "br": (_BR, None),
    **{tag: (_DROP, None) for tag in _DROPPED},
    **{tag: (_INLINE, None) for tag in (  # the common inline tags: known, so no type check
        "a", "b", "i", "em", "strong", "span", "code", "small", "sub", "sup", "u", "s", "abbr",
        "cite", "q", "mark", "kbd", "samp", "var", "time", "label", "font", "wbr", "del", "ins")},
}
_BLOCK_KIND = {kind: kind for kind in _KEPT_KINDS}  # a block's kind after its parent's: kept, else "p"

# A frame is an open element, a list for speed: its tag, its kind, the characters of its own
# text read so far (its text and its children's tails), its number among the visible
# children of its tag (XPath's p[3]), its parent's frame, how many visible and how many
# hidden children of each tag it has (for its children's paths), its path once known, and
# its role.
_TAG, _KIND, _OWN, _NTH, _PARENT, _SEEN, _HID, _PATH, _ROLE = range(9)


def _hidden(el: etree._Element, tag: str) -> bool:
    """Marked hidden by its attributes (the caller has seen it has one of them, or is a dialog)."""
    hidden = el.get("hidden")
    if hidden is not None and hidden.strip().lower() != "until-found":
        return True
    if (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    if tag == "dialog" and el.get("open") is None:
        return True
    style = el.get("style")
    # a CSS comment is white space to a browser: "display:/**/none" hides too
    return bool(style) and _HIDDEN_STYLE.search(_CSS_COMMENT.sub(" ", style)) is not None


def _path(frame: list) -> str:
    """The element's path, from its ancestors' (iterative, as deep as the page nests).

    An element alone of its tag among its parent's children (hidden ones counted) has no
    number; otherwise its number counts its visible siblings of that tag before it.
    """
    chain = []
    f: list | None = frame
    while f is not None and f[_PATH] is None:
        chain.append(f)
        f = f[_PARENT]
    prefix = f[_PATH] if f is not None else ""
    for f in reversed(chain):
        parent, tag = f[_PARENT], f[_TAG]
        alone = parent is None or parent[_SEEN][tag] + (parent[_HID] or {}).get(tag, 0) == 1
        prefix = f[_PATH] = f"{prefix}/{tag}" if alone else f"{prefix}/{tag}[{f[_NTH]}]"
    return prefix


class _TooSlow(Exception):
    pass


class _Walked:
    """The text and its pieces, as the walk leaves them."""

    def __init__(self, text: str, blocks: list[tuple[int, int, str]], starts: list[int], indexes: list[int],
                 owners: list[list]) -> None:
        self.text = text
        self.blocks = tuple(Block(*b) for b in blocks)
        self.starts = tuple(starts)
        # paths once every element's siblings are counted, a frame's once; then the frames
        # are let go before the Location objects are made, so that both never fill memory at once
        paths = [f[_PATH] or _path(f) for f in owners]
        owners.clear()
        self.locations = tuple(map(Location, indexes, repeat(None), paths))


def _walk(root: etree._Element, deadline: float) -> _Walked:  # noqa: C901 - one loop, kept flat for speed
    """Every text node of the page in reading order (libxml2 walks the tree, without recursion).

    The text is written as it goes, with the separators it owes: line ends before the next
    text (a block ended, a ``<br>``), " | " between cells of a row, one space for collapsed
    white space. A stretch starts at each text node (and after each collapsed run inside
    one), with the node's owner and its offset in the owner's own text. All state is in
    local variables and the common case — an inline text node in a paragraph — is written
    out in the loop: at ~100,000 elements a page, every call or attribute look-up counts.
    """
    parts: list[str] = []
    write = parts.append
    pos = 0
    newlines = 0  # line ends owed before the next text
    paragraph = False  # one of them closes a paragraph (a block ended, or <br><br>)
    space = False  # collapsed white space owed before the next text on the line
    cell = False  # " | " owed before the next text on the line
    line_has_text = False
    block_start = -1  # where the open block starts (-1: none open)
    block_kind = "p"
    blocks: list[tuple[int, int, str]] = []
    starts: list[int] = []
    indexes: list[int] = []
    owners: list[list] = []
    pre_depth = 0
    count = 0
    stack: list[list | None] = []  # frames of the open elements; None for a hidden one
    top: list | None = None  # the innermost open visible element
    roles = _ROLES
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            tag = el.tag
            known = roles.get(tag)
            if known is not None:
                role, own_kind = known
            else:
                role, own_kind = _DROP if not isinstance(tag, str) else _INLINE, None  # a comment, say
            count += 1
            if not count & _TIME_CHECK and time.monotonic() > deadline:
                raise _TooSlow
            if role == _DROP or ((tag == "dialog" or ((keys := el.keys()) and not _HIDING_ATTRIBUTES.isdisjoint(keys)))
                                 and _hidden(el, tag)):
                walker.skip_subtree()  # its tail is still the parent's text, read at its end
                stack.append(None)
                if top is not None:
                    hid = top[_HID]
                    if hid is None:
                        top[_HID] = hid = {}
                    hid[tag] = hid.get(tag, 0) + 1
                continue
            if top is not None:
                seen = top[_SEEN]
                if seen is None:  # made for elements with children only: most frames are kept to the end
                    seen = top[_SEEN] = {}
                nth = seen[tag] = seen.get(tag, 0) + 1
                parent_kind = top[_KIND]
            else:
                nth, parent_kind = 1, "p"
            if role & _BLOCK:
                if newlines < 2:
                    newlines = 2
                paragraph = True
                space = cell = False
                if own_kind is None:
                    own_kind = _BLOCK_KIND.get(parent_kind, "p")
                if role == _PRE_BLOCK:
                    pre_depth += 1
            elif role == _CELL:
                if line_has_text and not newlines:
                    cell = True
            elif role == _BR:
                if pre_depth:  # as written: every line end counts
                    newlines += 1
                else:
                    newlines = min(newlines + 1, 2)
                    paragraph = paragraph or newlines == 2
                    space = cell = False
            top = [tag, own_kind or parent_kind, 0, nth, top, None, None, None, role]
            stack.append(top)
            s = el.text
            owner = top
            first_pre_line = role == _PRE_BLOCK  # a line end right after <pre> is not shown (HTML's rule)
        else:
            frame = stack.pop()
            if frame is not None:  # leaving a visible element, all its children read
                top = frame[_PARENT]
                role = frame[_ROLE]
                if role == _PRE_BLOCK:
                    pre_depth -= 1
                if role & _BLOCK:
                    if newlines < 2:
                        newlines = 2
                    paragraph = True
                    space = cell = False
            s = el.tail  # the parent's text, shown (also after a hidden element)
            owner = top
            first_pre_line = False
        if not s or owner is None:
            continue
        base = owner[_OWN]
        owner[_OWN] = base + len(s)
        if not pre_depth:  # in the flow: white space collapsed across nodes
            core = s.strip(_WS)
            if not core:
                space = True
                continue
            if core is s:
                lead, trailing = 0, False
            else:
                lead = s.find(core[0])
                trailing = lead + len(core) < len(s)
                if lead:
                    space = True
            if newlines or cell or block_start < 0:
                if newlines and pos:
                    if paragraph and block_start >= 0:
                        blocks.append((block_start, pos, block_kind))
                        block_start = -1
                    write("\n" * newlines)
                    pos += newlines
                    line_has_text = False
                elif line_has_text and cell:
                    write(" | ")
                    pos += 3
                elif line_has_text and space:
                    write(" ")
                    pos += 1
                newlines, paragraph, cell = 0, False, False
                if block_start < 0:
                    block_start, block_kind = pos, owner[_KIND]
            elif space and line_has_text:  # the common case, inline: one space between
                write(" ")
                pos += 1
            if "  " in core or not core.isprintable():
                # runs to collapse (or a tab, a line end: to write as a space), a stretch after
                # each run so that every offset maps exactly; isprintable() is a quick C test
                # that also sends NBSP and the like here, where they are written as they are
                at = 0
                for m in _MULTI_WS.finditer(core):
                    piece = core[at:m.start()].translate(_TO_SPACE) + " "
                    starts.append(pos)
                    indexes.append(base + lead + at)
                    owners.append(owner)
                    write(piece)
                    pos += len(piece)
                    at = m.end()
                lead += at
                core = core[at:].translate(_TO_SPACE)
            starts.append(pos)
            indexes.append(base + lead)
            owners.append(owner)
            write(core)
            pos += len(core)
            line_has_text = True
            space = trailing
            continue
        # inside <pre>: written as it stands, line by line; the map stays linear within a node
        at = 1 if first_pre_line and s.startswith("\n") else 0
        mapped = False
        for line in s[at:].split("\n"):
            if line:
                if newlines and pos:
                    if paragraph and block_start >= 0:
                        blocks.append((block_start, pos, block_kind))
                        block_start = -1
                    write("\n" * newlines)
                    pos += newlines
                    line_has_text = False
                elif line_has_text and cell:
                    write(" | ")
                    pos += 3
                elif line_has_text and space:
                    write(" ")
                    pos += 1
                newlines, paragraph, space, cell = 0, False, False, False
                if block_start < 0:
                    block_start, block_kind = pos, owner[_KIND]
                if not mapped:
                    starts.append(pos)
                    indexes.append(base + at)
                    owners.append(owner)
                    mapped = True
                write(line)
                pos += len(line)
                line_has_text = True
            at += len(line) + 1
            if at <= len(s):
                newlines += 1
    if block_start >= 0:
        blocks.append((block_start, pos, block_kind))
    text = "".join(parts)
    parts.clear()
    frame = owner = top = None  # only `owners` holds the frames now: _Walked lets them go
    return _Walked(text + "\n" if text else text, blocks, starts, indexes, owners)


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
    utf8 = _utf8(data)
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
    body = out.text
    if not body.strip():
        return FormatProblem("source-no-text", "has no text a reader would see: all of it is markup, scripts, "
                                               "styles or hidden elements. A page built by JavaScript holds its "
                                               "text only once the script has run: save it from a browser after "
                                               "it has loaded (e.g. `chromium --headless --dump-dom URL > "
                                               "page.html`), or keep its text as a .txt source.")
    return Extracted(body, "html", blocks=out.blocks, metadata=read_metadata(root),
                     stretch_starts=out.starts, stretch_locations=out.locations)
