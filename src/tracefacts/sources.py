"""Read a registered source file, confined to the handbook's ``seeds/`` folder."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .model import Problem, Source
from .normalize import NormalizedSource, decode, normalize_source

SEEDS = "seeds"
# (decoded text, sha256 of its bytes) -> the text normalised; a memo keys on the hash
Normalizer = Callable[[str, str], NormalizedSource]


@dataclass(frozen=True)
class SourceText:
    source: Source
    path: Path
    sha256: str
    normalized: NormalizedSource

    @property
    def text(self) -> str:
        return self.normalized.text


def _problem(source: Source, code: str, message: str) -> Problem:
    return Problem(code, "error", source.origin, source.file_line, message, source=source.id)


def real_seeds(root: Path) -> Path:
    return Path(os.path.realpath(root / SEEDS))


def confined_path(root: Path, file: str, seeds: Path | None = None) -> Path | str:
    """The real path of ``file`` if it stays inside ``root/seeds``, else why not.

    ``seeds`` is ``real_seeds(root)``, when the caller reads many sources in one go.
    """
    if "\0" in file:  # os functions raise ValueError on it
        return "it contains a NUL character, which no file name can hold"
    if "\\" in file:
        return "it contains `\\`; write paths with `/`, e.g. seeds/page.txt"
    if file.startswith("/") or os.path.isabs(file) or ":" in (PurePosixPath(file).parts or ("",))[0]:
        return "it is an absolute path; write it relative to the handbook root, e.g. seeds/page.txt"
    parts = PurePosixPath(os.path.normpath(file)).parts
    if not parts or parts[0] != SEEDS or len(parts) < 2:
        return f"it leads outside {SEEDS}/; every source must be a file inside {SEEDS}/"
    seeds = seeds or real_seeds(root)
    # os.path.realpath, unlike Path.resolve on 3.11, does not raise on a symlink loop:
    # the loop then fails to open in read_source and is reported as a problem.
    real = Path(os.path.realpath(root / file))
    if real != seeds and seeds not in real.parents:
        return f"it resolves to {real}, outside {SEEDS}/ (a link pointing out?)"
    return real


def read_source(root: Path, source: Source, normalize: Normalizer | None = None,
                seeds: Path | None = None) -> SourceText | Problem:
    where = confined_path(root, source.file, seeds)
    if isinstance(where, str):
        return _problem(source, "source-outside-root", f"source `{source.id}`: {source.file!r}: {where}.")
    try:
        info = os.stat(where)
        if stat.S_ISDIR(info.st_mode):
            return _problem(source, "source-missing",
                            f"source `{source.id}`: {source.file} is a directory, not a file.")
        if not stat.S_ISREG(info.st_mode):
            return _problem(source, "source-missing",
                            f"source `{source.id}`: {source.file} is not a regular file (a device or pipe?).")
        data = where.read_bytes()
    except FileNotFoundError:
        return _problem(source, "source-missing",
                        f"source `{source.id}`: {source.file} does not exist; copy the file into {SEEDS}/ "
                        "or correct `file:`.")
    except OSError as exc:
        return _problem(source, "source-missing",
                        f"source `{source.id}`: {source.file} cannot be read: {exc.strerror or exc}.")
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _problem(source, "source-not-utf8",
                        f"source `{source.id}`: {source.file} is not UTF-8 (line {line}, byte {exc.start}); "
                        "convert it, e.g. `iconv -f latin1 -t utf-8`, then re-pin it.")
    return SourceText(source, where, digest, normalize_source(text) if normalize is None else normalize(text, digest))
