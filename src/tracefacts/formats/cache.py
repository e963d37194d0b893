"""Extracted text remembered by the source's hash: a PDF or a web page is parsed once.

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
import pickle
import sys
from functools import lru_cache
from pathlib import Path

from ..atomic import write_atomic
from .base import DEFAULT_LIMITS, Extracted, FormatProblem, Limits

_MAGIC = b"tracefacts-extracted 1\n"
FOLDER = "tracefacts-extracted"  # beside the memo, in a Sphinx build's doctree folder
CLI_FOLDER = ".tracefacts-cache"  # under the handbook root, for the command line and pytest
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This folder is a cache made by tracefacts: it may be deleted at any time.\n")


@lru_cache(maxsize=1)
def code() -> str:
    """The extraction code and runtime: a cache entry made by other code is not used."""
    from . import base as _base

    digest = hashlib.sha256(repr(sys.version).encode())
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
        key = hashlib.sha256(repr((sha256, fmt, chrome, code())).encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / f"{key[:40]}.pickle"

    def __call__(self, data: bytes, fmt: str, sha256: str, chrome: tuple[str, ...] = ()) -> Extracted | FormatProblem:
        from . import extract

        if fmt == "text":
            return extract(data, fmt, self.limits, chrome)
        path = self._path(sha256, fmt, chrome)
        remembered = self._read(path)
        if remembered is not None:
            return remembered
        found = extract(data, fmt, self.limits, chrome)
        if isinstance(found, Extracted):
            self._write(path, found)
        return found

    @staticmethod
    def _read(path: Path) -> Extracted | None:
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        if not blob.startswith(_MAGIC):
            return None
        try:
            value = pickle.loads(blob[len(_MAGIC):])
        except Exception:  # damaged: computed again
            return None
        return value if isinstance(value, Extracted) else None

    def _write(self, path: Path, value: Extracted) -> None:
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.within is not None and not self.folder.resolve().is_relative_to(self.within.resolve()):
                return  # the folder (or one on its way) is a link out: nothing is written there
            if self.tag:
                tag = self.folder.parent / "CACHEDIR.TAG"
                if not tag.exists():
                    write_atomic(tag, _TAG.encode(), durable=False)
                ignore = self.folder.parent / ".gitignore"
                if not ignore.exists():
                    write_atomic(ignore, b"# made by tracefacts: a cache\n*\n", durable=False)
            write_atomic(path, _MAGIC + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def cli_cache(root: Path, limits: Limits = DEFAULT_LIMITS) -> ExtractionCache:
    """The cache of the command line and pytest: ``<root>/.tracefacts-cache/extracted/``."""
    return ExtractionCache(root / CLI_FOLDER / "extracted", limits, tag=True, within=root)
