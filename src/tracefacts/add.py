"""`tracefacts add`: put a document into ``seeds/`` and register it in ``facts/sources.yaml``.

The document (a local file's bytes, or what ``fetch`` brought) is read through its format
first, for the metadata it declares and to be sure it can be read at all; the flags win
over that metadata. Then, under the lock `pin` takes, the new entry is appended to the
``sources:`` list as text — the rest of the file, comments and layout included, is kept
byte for byte — and the edited text is read back with the project's loader: every source
must read as before, the new one exactly as meant, with no new problem. Only then is the
copy made (created, never replacing a file: a different file of that name is refused)
and the new sources.yaml put in place atomically; if that last write fails, the copy is
removed again. Nothing is ever written through a symbolic link.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import email.utils
import hashlib
import os
import re
import secrets
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from .atomic import locked, write_confined
from .formats import FormatProblem, Metadata, extract, format_of
from .load import FACTS, SLUG, SOURCES_FILE, SourcesFile, parse_sources_file
from .model import Source
from .pin import _Node, _tree
from .safeio import Refused, describe_mode, format_size, open_root, read_confined, walk
from .sources import SEEDS, confined_rel

EXTENSIONS = {"html": "html", "pdf": "pdf", "text": "txt"}
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_LINE_END = re.compile(r"\r\n|\r|\n")
_ISO_START = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\d])")
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})")
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class AddError(Exception):
    """Nothing was added. ``code``: the exit status (1: a read or write failed, 2: a usage error);
    ``detail``: lines to show under the message (the entry to write by hand)."""

    def __init__(self, message: str, code: int = 1, detail: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Document:
    """What is to be added: its bytes and where they came from."""

    data: bytes
    format: str  # text | html | pdf
    label: str  # how messages name it: the path or URL the user gave
    name: str | None = None  # the file name proposed for seeds/ (already safe), or None: <id>.<ext>
    in_place: str | None = None  # already a file of seeds/ (``seeds/…``): registered where it is
    url: str | None = None
    retrieved: dt.date | None = None


@dataclass(frozen=True)
class Given:
    """What the flags say (None: take it from the document)."""

    id: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: dt.date | None = None


@dataclass(frozen=True)
class Entry:
    id: str
    file: str
    title: str
    publisher: str
    published: dt.date
    sha256: str
    url: str | None = None
    retrieved: dt.date | None = None

    def fields(self) -> dict[str, object]:
        """The keys of the entry, in the order they are written (the order of the handbook's entries)."""
        items: dict[str, object] = {"id": self.id, "file": self.file, "title": self.title,
                                    "publisher": self.publisher, "published": self.published}
        if self.url is not None:
            items["url"] = self.url
        if self.retrieved is not None:
            items["retrieved"] = self.retrieved
        items["sha256"] = self.sha256
        return items


# --- naming -----------------------------------------------------------------------------

def safe_name(name: str) -> str | None:
    """A file name for ``seeds/`` from a URL segment or a file's name: letters, digits, ``.``, ``_``
    and ``-`` only (so no separator, control character or shell-special one), not hidden, at most
    100 characters with its extension kept; None when nothing usable is left."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    path = PurePosixPath(_NAME_CHARS.sub("-", name))
    suffix = _NAME_CHARS.sub("", path.suffix)[:12] if path.suffix != path.name else ""
    stem = re.sub(r"-{2,}", "-", path.name[: len(path.name) - len(path.suffix)] if suffix else path.name)
    stem = stem.strip(".-_")[: 100 - len(suffix)].rstrip(".-_")
    return f"{stem}{suffix}" if stem else None


def slugify(text: str, limit: int = 40) -> str:
    """``VentureBeat / Meta AI`` → ``venturebeat-meta-ai``: the loader's id rule, cut at a word."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = [w for w in re.split(r"[^a-z0-9]+", ascii_text) if w]
    slug = ""
    for word in words:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > limit:
            break
        slug = longer
    return slug or (words[0][:limit] if words else "")


def derive_id(publisher: str, published: dt.date, name: str | None, taken: set[str]) -> str:
    """An id not yet taken: ``<publisher>-<date>`` as the handbook's own ids, else from the file name."""
    base = slugify(publisher)
    base = f"{base}-{published.isoformat()}" if base else slugify(PurePosixPath(name or "").stem) or "source"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def file_name(doc: Document, source_id: str) -> str:
    """The name in ``seeds/``: the proposed one when its extension says its format (a page named
    ``widget`` or ``index.php`` is not), else ``<id>.<ext>``."""
    if doc.name and PurePosixPath(doc.name).suffix and format_of(doc.name) == doc.format:
        return doc.name
    return f"{source_id}.{EXTENSIONS[doc.format]}"


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1 << 20:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1 << 20):.1f} MB"


# --- what the entry says ----------------------------------------------------------------

def _one_line(text: str | None) -> str | None:
    """A value for one line of YAML: white space runs (line breaks included) become one space."""
    if text is None:
        return None
    return " ".join(text.split()) or None


def document_date(written: str | None) -> dt.date | None:
    """A date from what a document writes: ISO (``2026-04-09``, ``2026-04-09T10:00Z``), a PDF date
    (``D:20260409…``) or an e-mail date (``Thu, 09 Apr 2026 …``); None for anything else."""
    if not written:
        return None
    written = written.strip()
    match = _ISO_START.match(written) or _PDF_DATE.match(written)
    if match is not None:
        with contextlib.suppress(ValueError):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        return None
    with contextlib.suppress(TypeError, ValueError, IndexError):
        parsed = email.utils.parsedate_to_datetime(written)
        return parsed.date() if parsed is not None else None
    return None


def metadata_of(doc: Document) -> Metadata:
    """The document's own metadata; AddError (exit 1) when it cannot be read as its format."""
    extracted = extract(doc.data, doc.format)
    if isinstance(extracted, FormatProblem):
        raise AddError(f"{doc.label} {extracted.message} ({extracted.code}); nothing was added", 1)
    return extracted.metadata


def described(doc: Document, given: Given, meta: Metadata) -> tuple[str, str, dt.date]:
    """Title, publisher and date: the flags, else the document's metadata; AddError (exit 2) naming
    every flag to give when some are found nowhere."""
    title = _one_line(given.title) or _one_line(meta.title)
    publisher = _one_line(given.publisher) or _one_line(meta.publisher)
    published = given.published or document_date(meta.published)
    missing = []
    if title is None:
        missing.append('no title (give --title "…")')
    if publisher is None:
        author = _one_line(meta.author)
        by = f"; it names its author, {author!r}" if author else ""
        missing.append(f'no publisher (give --publisher "…"{by})')
    if published is None:
        written = _one_line(meta.published)
        note = f"; it says {written!r}, which is not a date" if written else ""
        missing.append(f"no publication date (give --published YYYY-MM-DD{note})")
    if missing:
        raise AddError(f"{doc.label}: the document gives {', '.join(missing)}; nothing was added", 2)
    for flag, value, own in (("--title", title, given.title), ("--publisher", publisher, given.publisher)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a command-line byte that is not UTF-8, or a broken UTF-16 PDF string
            whose = f"the {flag[2:]} given" if own else f"the document's {flag[2:]}"
            raise AddError(f"{doc.label}: {whose} is not valid text (a byte that is not UTF-8, or half of a "
                           f"UTF-16 pair); give {flag} as UTF-8 text", 2) from None
    assert title is not None and publisher is not None and published is not None
    return title, publisher, published


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, but a text holding a control character or a Unicode line break is
    double-quoted, where every such character is escaped: written raw in single quotes (its
    choice), a trailing NEL (U+0085) reads back as a space."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _UNPRINTABLE.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_Dumper.add_representer(str, _str)


def entry_text(entry: Entry, indent: str, newline: str) -> str:
    """The entry as one item of a block list, each line starting with ``indent``. PyYAML's
    emitter chooses each scalar's style, so a title holding ``: ``, ``#`` or quotes, or a
    hash that reads as a number, stays the text it is."""
    dumped = yaml.dump([entry.fields()], Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                       default_flow_style=False, width=1 << 30)
    return "".join(f"{indent}{line}{newline}" for line in dumped.splitlines())


# --- the edit of sources.yaml -----------------------------------------------------------

def _content_end(node: _Node, text: str) -> int:
    """Where the last character of a node's own content is (a block collection's span runs on
    over the comments after it; its last descendant's does not)."""
    while node.kind in ("map", "seq") and not node.flow and node.children:
        node = node.children[-1]
    return node.content_end(text)


def _line_after(text: str, at: int) -> int:
    """The start of the line after the one holding offset ``at`` (len(text) on the last line)."""
    match = _LINE_END.search(text, at)
    return match.end() if match else len(text)


def _column(text: str, at: int) -> int:
    return at - (max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1)


def appended(raw: bytes, entry: Entry) -> bytes:
    """``raw`` (sources.yaml) with ``entry`` added as the last item of ``sources:``; AddError when the
    file is not laid out so that it can be (then the entry is given to write by hand)."""
    had_bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    newline = match.group() if (match := _LINE_END.search(text)) else "\n"
    by_hand = entry_text(entry, "  ", "\n")
    try:
        top = _tree(text)
    except yaml.YAMLError as exc:
        raise AddError(f"{SOURCES_FILE} cannot be parsed ({' '.join(str(exc).split())}); fix it first", 1) from None
    found = top.get("sources") if top is not None and top.kind == "map" and not top.flow else None
    if found is None:
        raise AddError(f"{SOURCES_FILE} has no `sources:` list to add to; write the entry under `sources:` by hand",
                       1, by_hand)
    key, value = found
    if value.kind == "seq" and not value.flow:
        indent = " " * _column(text, value.start)
        at = _line_after(text, _content_end(value, text))
        # comment lines right after the last item, indented under it, stay with it
        while at < len(text):
            line = text[at:_line_after(text, at)]
            stripped = line.lstrip(" ")
            if not stripped.startswith("#") or len(line) - len(stripped) <= len(indent):
                break
            at += len(line)
        lead = "" if at == 0 or text[at - 1] in "\r\n" else newline
        new = text[:at] + lead + entry_text(entry, indent, newline) + text[at:]
    elif (value.kind == "seq" and value.flow and not value.children) or _is_null(value, text):
        # `sources: []` or `sources:` with nothing: the empty value gives way to a block list
        at = _line_after(text, value.end)
        lead = "" if at == 0 or text[at - 1] in "\r\n" else newline
        new = text[:value.start] + text[value.end:at] + lead + entry_text(entry, "  ", newline) + text[at:]
    else:
        raise AddError(f"{SOURCES_FILE}: its `sources:` is not a block list (`- id: …` lines) to append to; "
                       "add the entry by hand", 1, by_hand)
    return (b"\xef\xbb\xbf" if had_bom else b"") + new.encode("utf-8")


def _is_null(node: _Node, text: str) -> bool:
    """An empty value: nothing written, ``~`` or ``null`` (plain)."""
    return node.kind == "scalar" and text[node.start:node.end].strip() in ("", "~", "null", "Null", "NULL")


def _fields(source: Source) -> tuple[object, ...]:
    return (source.id, source.file, source.title, source.publisher, source.published, source.sha256,
            source.url, source.retrieved, source.format, source.notes, source.chrome, source.text_undated)


def verify(old: SourcesFile, data: bytes, entry: Entry) -> str | None:
    """Why the edited file does not read back as the old one plus the entry, or None."""
    new = parse_sources_file(data)
    if list(new.sources) != [*old.sources, entry.id]:
        return "it would not register the same sources plus the new one, in that order"
    changed = [sid for sid, source in old.sources.items() if _fields(new.sources[sid]) != _fields(source)]
    if changed:
        return f"source {changed[0]} would read differently"
    got = new.sources[entry.id]
    if _fields(got) != (entry.id, entry.file, entry.title, entry.publisher, entry.published, entry.sha256,
                        entry.url, entry.retrieved, None, None, (), False):
        return "the new entry would not read back as written"
    added = collections.Counter((p.code, p.source) for p in new.problems)
    added.subtract((p.code, p.source) for p in old.problems)
    problem = next((code for (code, _), count in added.items() if count > 0), None)
    return f"it would have a new problem ({problem})" if problem else None


# --- the files ----------------------------------------------------------------------------

def read_local(path: Path, limit: int) -> bytes:
    """The bytes of a file the user names (a link is the user's to follow); never blocks on a FIFO."""
    shown = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise AddError(f"{shown}: no such file", 2) from None
    except OSError as exc:
        raise AddError(f"{shown}: cannot be read ({exc.strerror or exc})", 2) from None
    if not stat.S_ISREG(info.st_mode):
        raise AddError(f"{shown} is {describe_mode(info.st_mode)}, not a file; give a document's path", 2)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise AddError(f"{shown}: cannot be read ({exc.strerror or exc})", 1) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat above
            raise AddError(f"{shown} is not a file; give a document's path", 2)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise AddError(f"{shown}: cannot be read ({exc.strerror or exc})", 1) from None
    finally:
        os.close(fd)
    if total > limit:
        raise AddError(f"{shown} is larger than the limit of {format_size(limit)}; nothing was added "
                       "(raise it with --max-file-size SIZE)", 1)
    return b"".join(chunks)


def in_seeds(root: Path, path: Path) -> str | None:
    """``seeds/…`` when ``path`` is (really) a file of this handbook's seeds/ folder, else None."""
    real, seeds = Path(os.path.realpath(path)), Path(os.path.realpath(root / SEEDS))
    if seeds not in real.parents:
        return None
    rel = confined_rel(f"{SEEDS}/{real.relative_to(seeds).as_posix()}")
    return rel if isinstance(rel, str) else None


def _folder(root: Path, rel: str, root_fd: int) -> int:
    """A descriptor of ``rel``'s folder inside seeds/, reached without following a link (seeds/ is
    created when missing); the caller closes it."""
    parts = PurePosixPath(rel).parts
    found = walk(root, parts[:-1], within=SEEDS, root_fd=root_fd)
    if isinstance(found, Refused) and found.kind == "missing" and found.where == SEEDS:
        with contextlib.suppress(FileExistsError):
            os.mkdir(SEEDS, 0o755, dir_fd=root_fd)
        found = walk(root, parts[:-1], within=SEEDS, root_fd=root_fd)
    if isinstance(found, Refused):
        raise AddError(f"cannot write {rel}: it {found.describe(rel)}; nothing was added", 1)
    return found if found != root_fd else os.dup(root_fd)


def create_new(root: Path, rel: str, data: bytes) -> None:
    """Create the file ``root/rel`` with ``data``, all at once (a hidden temporary file linked to its
    name) and only if nothing has that name: a file that appeared meanwhile is never replaced."""
    name = PurePosixPath(rel).name
    root_fd = open_root(root)
    try:
        folder_fd = _folder(root, rel, root_fd)
    finally:
        os.close(root_fd)
    try:
        tmp = f".{name}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, _NEW_FILE, 0o600, dir_fd=folder_fd)
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fchmod(fd, 0o644)
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd, follow_symlinks=False)
            except FileExistsError:
                raise AddError(f"cannot write {rel}: a file of that name appeared meanwhile; nothing was added",
                               1) from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=folder_fd)
        with contextlib.suppress(OSError):  # make the new name durable
            os.fsync(folder_fd)
    except OSError as exc:
        raise AddError(f"cannot write {rel}: {exc.strerror or exc}; nothing was added", 1) from None
    finally:
        os.close(folder_fd)


def _remove(root: Path, rel: str) -> None:
    """Undo ``create_new`` (best effort: the sources.yaml write failed after the copy)."""
    with contextlib.suppress(OSError, AddError):
        root_fd = open_root(root)
        try:
            folder_fd = _folder(root, rel, root_fd)
        finally:
            os.close(root_fd)
        try:
            os.unlink(PurePosixPath(rel).name, dir_fd=folder_fd)
        finally:
            os.close(folder_fd)


def _existing(root: Path, rel: str, data: bytes, limit: int) -> bool | str:
    """True: ``rel`` holds these very bytes; False: nothing is there; else why it cannot be written."""
    held = read_confined(root, rel, within=SEEDS, limit=max(limit, len(data)))
    if isinstance(held, bytes):
        return True if held == data else f"{rel} exists with other content"
    if held.kind == "missing" and held.where in (rel, SEEDS):  # seeds/ itself is created when missing
        return False
    if held.kind == "too-large":
        return f"{rel} exists with other content"
    return f"{rel} {held.describe(rel)}"


# --- the whole of it ------------------------------------------------------------------------

@dataclass(frozen=True)
class Added:
    entry: Entry
    copied: bool  # False: seeds/ already held these bytes under that name
    lines: tuple[str, ...]  # what was done, one line each (plain text: the caller escapes it)


def add(root: Path, doc: Document, given: Given, *, max_file_size: int) -> Added:
    """Copy ``doc`` into ``root/seeds`` and register it; AddError, with nothing written, when it cannot be."""
    if given.id is not None and not SLUG.match(given.id):
        raise AddError(f"--id {given.id!r} is not a slug: use lower-case letters and digits separated by single "
                       "`.` or `-` (e.g. acme-2026-04-25)", 2)
    title, publisher, published = described(doc, given, metadata_of(doc))
    try:
        with locked(root, SOURCES_FILE, within=FACTS):  # one writer of sources.yaml at a time, as for `pin`
            return _register(root, doc, title, publisher, published, given.id, max_file_size)
    except OSError as exc:  # the lock could not be had (facts/ is a link, say): every other write is handled
        raise AddError(f"cannot write {SOURCES_FILE}: {exc.strerror or exc}; nothing was added", 1) from None


def _register(root: Path, doc: Document, title: str, publisher: str, published: dt.date, wanted: str | None,
              max_file_size: int) -> Added:
    raw = read_confined(root, SOURCES_FILE, within=FACTS, limit=max_file_size)
    if isinstance(raw, Refused):
        raise AddError(f"{SOURCES_FILE} {raw.describe(SOURCES_FILE)}; nothing was added", 1)
    old = parse_sources_file(raw)
    broken = next((p for p in old.problems if p.code == "yaml-syntax"), None)
    if broken is not None:
        raise AddError(f"{SOURCES_FILE} line {broken.line} is not valid YAML ({' '.join(broken.message.split())}); "
                       "fix it first", 1)
    if wanted is not None and wanted in old.sources:
        raise AddError(f"a source with id {wanted} is already registered ({old.sources[wanted].file}); "
                       "choose another --id", 2)
    source_id = wanted or derive_id(publisher, published, doc.name or doc.in_place, set(old.sources))
    rel, copy = _place(root, doc, source_id, max_file_size)
    same = next((s for s in old.sources.values() if confined_rel(s.file) == rel), None)
    if same is not None:
        raise AddError(f"{rel} is already registered, as source {same.id}; nothing was added", 2)
    entry = Entry(source_id, rel, title, publisher, published, hashlib.sha256(doc.data).hexdigest(), doc.url,
                  doc.retrieved)
    data = appended(raw, entry)
    why = verify(old, data, entry)
    if why is not None:
        raise AddError(f"{SOURCES_FILE} cannot be edited safely: {why}; nothing was added. Add the entry by hand",
                       1, entry_text(entry, "  ", "\n"))
    if copy:
        create_new(root, rel, doc.data)
    try:
        write_confined(root, SOURCES_FILE, data, within=FACTS)
    except OSError as exc:
        if copy:
            _remove(root, rel)
        raise AddError(f"cannot write {SOURCES_FILE}: {exc.strerror or exc}; nothing was added", 1) from None
    size = size_text(len(doc.data))
    done = (f"{'saved' if doc.url is not None else 'copied'} {rel} ({size})" if copy
            else f"{rel} already holds these bytes ({size}): nothing to copy",
            f"added source {source_id} to {SOURCES_FILE} (pinned)")
    return Added(entry, copy, done)


def _place(root: Path, doc: Document, source_id: str, limit: int) -> tuple[str, bool]:
    """Where the document goes in seeds/, and whether it must be copied there."""
    if doc.in_place is not None:
        return doc.in_place, False
    rel = f"{SEEDS}/{file_name(doc, source_id)}"
    held = _existing(root, rel, doc.data, limit)
    if held is True or held is False:
        return rel, not held
    fallback = f"{SEEDS}/{source_id}.{EXTENSIONS[doc.format]}"
    if doc.url is not None and fallback != rel:  # a page's name (index.html) is often taken: use the id
        again = _existing(root, fallback, doc.data, limit)
        if again is True or again is False:
            return fallback, not again
    hint = "rename the file you add" if doc.url is None else "download it and add the file under another name"
    raise AddError(f"cannot write {held}; it is not replaced ({hint}); nothing was added", 1)


__all__ = ["AddError", "Added", "Document", "Entry", "Given", "add", "appended", "create_new", "derive_id",
           "document_date", "entry_text", "file_name", "in_seeds", "read_local", "safe_name", "size_text", "slugify",
           "verify"]
