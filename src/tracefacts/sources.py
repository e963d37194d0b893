"""Read a registered source file, confined to the handbook's ``seeds/`` folder (see ``safeio``)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .formats import DEFAULT_LIMITS, Extracted, FormatProblem, Limits, extract, format_of
from .model import Problem, Source
from .normalize import NormalizedSource, normalize_source
from .safeio import DEFAULT_MAX_FILE_SIZE, LIMIT_HINT, Refused, read_confined

SEEDS = "seeds"
# (decoded text, sha256 of its bytes) -> the text normalised; a memo keys on the hash
Normalizer = Callable[[str, str], NormalizedSource]


# (bytes, format, sha256 of the bytes, declared chrome) -> the reader's text; a cache keys on
# the hash, the format and the chrome
Extractor = Callable[[bytes, str, str, tuple[str, ...]], "Extracted | FormatProblem"]


@dataclass(frozen=True)
class SourceText:
    source: Source
    path: Path
    sha256: str
    normalized: NormalizedSource
    extracted: Extracted | None = None  # the document's pages, structure and metadata

    @property
    def format(self) -> str:
        return self.extracted.format if self.extracted is not None else "text"

    def pages_of(self, start: int, end: int) -> tuple[int, int] | None:
        """First and last page of a span of ``text`` (a PDF source), else None."""
        return self.extracted.pages_of(start, end) if self.extracted is not None else None

    @property
    def text(self) -> str:
        return self.normalized.text


def _problem(source: Source, code: str, message: str) -> Problem:
    return Problem(code, "error", source.origin, source.file_line, message, source=source.id)


def confined_rel(file: str) -> str | tuple[str]:
    """``file`` as a normalised path inside ``seeds/`` (e.g. ``seeds/a.txt``), or ``(why not,)``.

    This is the lexical half of confinement; the other half is that ``read_confined``
    follows no link on the way, so the file read is the one this path names.
    """
    if "\0" in file:  # os functions raise ValueError on it
        return ("it contains a NUL character, which no file name can hold",)
    if "\\" in file:
        return ("it contains `\\`; write paths with `/`, e.g. seeds/page.txt",)
    if file.startswith("/") or os.path.isabs(file) or ":" in (PurePosixPath(file).parts or ("",))[0]:
        return ("it is an absolute path; write it relative to the handbook root, e.g. seeds/page.txt",)
    parts = PurePosixPath(os.path.normpath(file)).parts
    if not parts or parts[0] != SEEDS or len(parts) < 2:
        return (f"it leads outside {SEEDS}/; every source must be a file inside {SEEDS}/",)
    return "/".join(parts)


def read_source(root: Path, source: Source, normalize: Normalizer | None = None, *,
                max_file_size: int = DEFAULT_MAX_FILE_SIZE, root_fd: int | None = None,
                extractor: Extractor | None = None, limits: Limits = DEFAULT_LIMITS) -> SourceText | Problem:
    """Read ``source`` from ``root`` (a resolved path); ``root_fd`` is an open descriptor of it.
    ``extractor`` (bytes, format, sha256) -> the reader's text: a cache keyed by the hash."""
    rel = confined_rel(source.file)
    if isinstance(rel, tuple):
        return _problem(source, "source-outside-root", f"source `{source.id}`: {source.file!r}: {rel[0]}.")
    read = read_confined(root, rel, within=SEEDS, limit=max_file_size, root_fd=root_fd)
    if isinstance(read, Refused):
        return _refused(source, rel, read)
    data = read
    digest = hashlib.sha256(data).hexdigest()
    fmt = format_of(source.file, source.format)
    extracted = (extract(data, fmt, limits, source.chrome) if extractor is None
                 else extractor(data, fmt, digest, source.chrome))
    if isinstance(extracted, FormatProblem):
        return _problem(source, extracted.code, f"source `{source.id}`: {source.file} {extracted.message}")
    text = extracted.text
    # the normalised text is remembered by the hash of the text it is made from: the same
    # bytes give another text when the extraction (or the declared chrome) changes
    text_digest = digest if fmt == "text" else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return SourceText(source, root / rel, digest,
                      normalize_source(text) if normalize is None else normalize(text, text_digest), extracted)


def _refused(source: Source, rel: str, refused: Refused) -> Problem:
    head = f"source `{source.id}`: {source.file} {refused.describe(rel)}"
    if refused.kind in ("link", "link-out"):
        code = "source-outside-root" if refused.outside else "source-missing"
        return _problem(source, code, f"{head}. tracefacts never follows a link to read a source: "
                                      f"copy the file into {SEEDS}/ instead.")
    if refused.kind == "too-large":
        return _problem(source, "source-too-large", f"{head}. {LIMIT_HINT}")
    if refused.kind == "missing":
        return _problem(source, "source-missing", f"{head}; copy the file into {SEEDS}/ or correct `file:`.")
    return _problem(source, "source-missing", f"{head}.")
