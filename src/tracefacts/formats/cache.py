"""Extracted text remembered by the source's hash: a PDF or a web page is parsed once.

Stored as JSON, never pickle, and signed (``cachekey``: an HMAC with a key kept in the
user's cache folder, never in the repository): the command line's cache lies inside the
handbook, where a pull request could plant a file — a pickle would run code, a forged text
would let a quote pass. A file that is unsigned, signed with another key, or not what this
module writes (any type out of place) is ignored and the source parsed again; one that is a
link, a pipe or too large is not even read. Where no key can be kept, nothing is cached.

One file per (sha256 of the bytes, format, declared chrome, extraction code), in a folder
of its own (beside the Sphinx memo; ``.tracefacts-cache/`` under the handbook for the
command line and pytest). A file that is missing, damaged or of another version is simply
computed again; a cache that cannot be written only costs time. Problems (a timeout, a
damaged file) are not remembered: the next run tries again. Text sources are not cached:
decoding them costs less than reading a cache file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path

from .. import cachekey
from ..atomic import write_atomic
from .base import DEFAULT_LIMITS, Block, Extracted, FormatProblem, Limits, Location, Metadata

_MAGIC = b"tracefacts-extracted 3\n"
FOLDER = "tracefacts-extracted"  # beside the memo, in a Sphinx build's doctree folder
CLI_FOLDER = ".tracefacts-cache"  # under the handbook root, for the command line and pytest
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This folder is a cache made by tracefacts: it may be deleted at any time.\n")


@lru_cache(maxsize=1)
def code() -> str:
    """The extraction code and runtime: a cache entry made by other code is not used."""
    from importlib.metadata import PackageNotFoundError, version

    from . import base as _base

    libraries = []
    for name in ("lxml", "pypdfium2"):  # another parser version may read the same bytes otherwise
        try:
            libraries.append(version(name))
        except PackageNotFoundError:
            libraries.append(None)
    digest = hashlib.sha256(repr((sys.version, libraries)).encode())
    folder = Path(_base.__file__).parent
    for path in sorted(folder.glob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


class ExtractionCache:
    """An ``Extractor`` (see ``sources.read_source``) that remembers in ``folder``."""

    def __init__(self, folder: Path, limits: Limits = DEFAULT_LIMITS, *, tag: bool = False,
                 within: Path | None = None) -> None:
        self.folder, self.limits, self.tag, self.within = folder, limits, tag, within

    def _path(self, sha256: str, fmt: str, chrome: tuple[str, ...]) -> Path:
        # the limits too: a text read under looser ones must not stand in for a stricter run
        spelled = repr((sha256, fmt, chrome, self.limits, code())).encode("utf-8", "surrogatepass")
        key = hashlib.sha256(spelled).hexdigest()
        return self.folder / f"{key[:40]}.json"

    def __call__(self, data: bytes, fmt: str, sha256: str, chrome: tuple[str, ...] = ()) -> Extracted | FormatProblem:
        from . import extract

        if fmt == "text":
            return extract(data, fmt, self.limits, chrome)
        secret = cachekey.key()
        if secret is None or (self.within is not None and self._through_a_link()):
            return extract(data, fmt, self.limits, chrome)  # nothing can be remembered safely
        path = self._path(sha256, fmt, chrome)
        remembered = self._read(path, secret)
        if remembered is not None:
            return remembered
        found = extract(data, fmt, self.limits, chrome)
        if isinstance(found, Extracted):
            self._write(path, found, secret)
        return found

    def _through_a_link(self) -> bool:
        assert self.within is not None
        here = self.within
        for part in self.folder.relative_to(self.within).parts:
            here = here / part
            if here.is_symlink():
                return True
        return False

    @staticmethod
    def _read(path: Path, secret: bytes) -> Extracted | None:
        blob = cachekey.read_cache_file(path)
        head = len(_MAGIC) + 32
        if blob is None or not blob.startswith(_MAGIC) or len(blob) < head:
            return None
        payload = memoryview(blob)[head:]
        if not cachekey.signed_by(payload, blob[len(_MAGIC):head], secret):
            return None  # planted, or made with another key: parsed again
        try:
            return decode(json.loads(bytes(payload)))
        except (ValueError, TypeError, KeyError, IndexError, RecursionError):  # damaged or foreign: parsed again
            return None

    def _write(self, path: Path, value: Extracted, secret: bytes) -> None:
        with contextlib.suppress(OSError, ValueError):
            if self.within is not None and self._through_a_link():
                return  # the folder (or one on its way) is a link: nothing is made or written there
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.tag:
                tag = self.folder.parent / "CACHEDIR.TAG"
                if not tag.exists():
                    write_atomic(tag, _TAG.encode(), durable=False)
                ignore = self.folder.parent / ".gitignore"
                if not ignore.exists():
                    write_atomic(ignore, b"# made by tracefacts: a cache\n*\n", durable=False)
            payload = json.dumps(encode(value), ensure_ascii=False,
                                 separators=(",", ":")).encode("utf-8", "surrogatepass")
            write_atomic(path, _MAGIC + cachekey.sign(payload, secret) + payload, durable=False)


def encode(value: Extracted) -> dict[str, object]:
    paths: dict[str, int] = {}
    locations = value.stretch_locations
    return {
        "text": value.text, "format": value.format, "pages": list(value.pages),
        "blocks": [[b.start, b.end, b.kind] for b in value.blocks],
        "metadata": [value.metadata.title, value.metadata.publisher, value.metadata.published, value.metadata.author],
        "starts": list(value.stretch_starts), "index": [loc.index for loc in locations],
        "page": [loc.page if loc.page is not None else -1 for loc in locations],
        "path": [paths.setdefault(loc.path, len(paths)) if loc.path is not None else -1 for loc in locations],
        "paths": list(paths),
    }


def _ints(value: object) -> list[int]:
    if not isinstance(value, list) or not all(type(v) is int for v in value):
        raise TypeError("not a list of whole numbers")
    return value


def _text(value: object, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError("not a text")
    return value


def decode(data: object) -> Extracted:
    """What ``encode`` wrote, every type checked; anything else raises (and is parsed again)."""
    if not isinstance(data, dict):
        raise TypeError("not an object")
    starts, index, page, path = (_ints(data[k]) for k in ("starts", "index", "page", "path"))
    paths = [_text(p) for p in data["paths"]] if isinstance(data["paths"], list) else None
    if paths is None or not len(starts) == len(index) == len(page) == len(path):
        raise TypeError("stretches out of step")
    blocks = data["blocks"]
    if not isinstance(blocks, list) or not all(isinstance(b, list) and len(b) == 3 for b in blocks):
        raise TypeError("blocks")
    meta = data["metadata"]
    if not isinstance(meta, list) or len(meta) != 4:
        raise TypeError("metadata")
    return Extracted(
        text=_text(data["text"]) or "", format=_text(data["format"]) or "", pages=tuple(_ints(data["pages"])),
        blocks=tuple(Block(*_ints(b[:2]), _text(b[2]) or "") for b in blocks),
        metadata=Metadata(*(_text(m, optional=True) for m in meta)),
        stretch_starts=tuple(starts),
        stretch_locations=tuple(Location(i, page=p if p >= 0 else None, path=paths[q] if q >= 0 else None)
                                for i, p, q in zip(index, page, path, strict=True)),
    )


def cli_cache(root: Path, limits: Limits = DEFAULT_LIMITS) -> ExtractionCache:
    """The cache of the command line and pytest: ``<root>/.tracefacts-cache/extracted/``."""
    return ExtractionCache(root / CLI_FOLDER / "extracted", limits, tag=True, within=root)
