"""Read a file of the handbook: confined to its folder, no link followed, bounded, never blocking.

Every file tracefacts reads from a handbook (sources in ``seeds/``, ``facts/*.yaml``)
comes through :func:`read_confined`. It walks the path from a descriptor of the root,
one component at a time, with ``O_NOFOLLOW`` (so no symbolic link, not even ``seeds/``
itself, can lead the read anywhere else), opens the file with ``O_NONBLOCK`` (so a FIFO
cannot hang the run) and judges the open descriptor with ``fstat``: what is checked is
what is read, and a folder swapped for a link between a check and the read changes
nothing. Only a regular file is read, and at most ``limit + 1`` bytes of it.

The root itself is the trust anchor: links above it or in its own path are the
user's, and it is resolved once by the caller.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MIB = 2**20
# One limit for every file read, sources and fact files alike: large enough for a 20 MB
# scraped page and a 50,000-fact file (8 MiB), small enough that one file costs at most
# some 600 MB (a source) or 1.5 GB (YAML) to check; and the bound the YAML parser already
# had, so no fact base that loaded before is refused now. Raise it with --max-file-size
# or `tracefacts_max_file_size`.
DEFAULT_MAX_FILE_SIZE = 64 * MIB
LIMIT_HINT = ("If it is meant to be this large, raise the limit: `--max-file-size SIZE` on the command line "
              "(e.g. 256M), `tracefacts_max_file_size` in Sphinx's conf.py.")

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_SIZE = re.compile(r"\s*(\d+)\s*([kmgt]?)(?:i?b)?\s*\Z", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def parse_size(value: str | int) -> int:
    """``64M``, ``1G``, ``500k`` or a number of bytes (units are powers of 1024); ValueError if not one."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        match = _SIZE.match(str(value))
        if match is None:
            raise ValueError(f"{value!r} is not a size: write a number of bytes, or e.g. 64M, 1G, 500K")
        number = int(match[1]) * _UNITS[match[2].lower()]
    if number <= 0:
        raise ValueError(f"{value!r} is not a size: it must be more than 0 bytes")
    return number


def format_size(size: int) -> str:
    for unit, factor in (("G", 2**30), ("M", 2**20), ("K", 2**10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}iB"
    return f"{size} bytes"


@dataclass(frozen=True)
class Refused:
    """Why a file was not read; nothing of it was.

    ``kind``: ``missing``, ``link`` (a link on the way), ``link-out`` (a link on the way,
    and it leads out of the folder the file must stay in), ``directory``, ``not-folder`` (a
    file where a folder of the path should be), ``not-regular``, ``too-large`` or
    ``unreadable``. ``where`` is the path (relative to the root) of the component at
    fault: the file itself, or a folder on its way.
    """

    kind: str
    where: str
    detail: str = ""  # the OS's words, where the link leads, what the file is, or the limit
    within: str = ""  # the folder the file must stay in

    @property
    def outside(self) -> bool:
        return self.kind == "link-out"

    def describe(self, rel: str) -> str:
        """A clause that follows the file's name: ``seeds/a.txt`` + `` is a directory, not a file``."""
        itself = self.where == rel
        if self.kind == "missing":
            return "does not exist" if itself else f"does not exist (there is no `{self.where}`)"
        if self.kind in ("link", "link-out"):
            out = f" pointing out of {self.within}/" if self.kind == "link-out" else ""
            if itself:
                return f"is a symbolic link{out} (to {self.detail})"
            return f"is reached through a symbolic link{out}: `{self.where}` links to {self.detail}"
        if self.kind == "directory":
            return "is a directory, not a file"
        if self.kind == "not-folder":
            return f"cannot be read: `{self.where}` is not a folder"
        if self.kind == "not-regular":
            return f"is {self.detail}, not a regular file; it is never read"
        if self.kind == "too-large":
            return f"is larger than the limit of {self.detail}"
        return f"cannot be read: {self.detail}"


def describe_mode(mode: int) -> str:
    """What a file of this ``st_mode`` is, for a message: ``a directory``, ``a named pipe (FIFO)``…"""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_root(root: Path) -> int:
    """A descriptor of the handbook root (links in its own path are followed: it is the trust anchor)."""
    return os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def _link(root: Path, within: str, where: str, dir_fd: int, name: str) -> Refused:
    """A link at ``where``: where it leads (for the message only: it is never followed)."""
    try:
        target = os.readlink(name, dir_fd=dir_fd)
    except OSError:
        target = "?"
    real = Path(os.path.realpath(root / where))
    area = root / within
    inside = real == area or area in real.parents
    return Refused("link" if inside else "link-out", where, target, within)


def _refusal(exc: OSError, root: Path, within: str, where: str, dir_fd: int, name: str) -> Refused:
    """Why opening ``name`` (at ``where``) failed."""
    with contextlib.suppress(OSError):
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            return _link(root, within, where, dir_fd, name)
    if exc.errno == errno.ENOENT:
        return Refused("missing", where)
    if exc.errno == errno.ENOTDIR:
        return Refused("not-folder", where)
    return Refused("unreadable", where, exc.strerror or str(exc))


def walk(root: Path, parts: tuple[str, ...] | list[str], *, within: str, root_fd: int) -> int | Refused:
    """A descriptor of the folder ``root/parts…``, each component opened from the one before with
    ``O_NOFOLLOW``: no link on the way is followed. It is ``root_fd`` itself when ``parts`` is
    empty; any other descriptor is the caller's to close. Reads and writes walk the same way.
    """
    dir_fd = root_fd
    for depth, name in enumerate(parts, start=1):
        try:
            next_fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
        except OSError as exc:
            refused = _refusal(exc, root, within, "/".join(parts[:depth]), dir_fd, name)
            if dir_fd != root_fd:
                os.close(dir_fd)
            return refused
        if dir_fd != root_fd:
            os.close(dir_fd)
        dir_fd = next_fd
    return dir_fd


def split_relative(rel: str) -> tuple[str, ...]:
    """The parts of a normalised relative path; ValueError for anything else (``..``, absolute, empty)."""
    parts = PurePosixPath(rel).parts
    if not parts or parts[0] in ("/", "..") or ".." in parts:
        raise ValueError(f"not a normalised relative path: {rel!r}")
    return parts


def read_confined(root: Path, rel: str, *, within: str, limit: int = DEFAULT_MAX_FILE_SIZE,
                  root_fd: int | None = None) -> bytes | Refused:
    """The bytes of the regular file ``root/rel``, reached without following any link.

    ``rel`` is a normalised relative path (no ``..``, no absolute part) whose first part is
    ``within``, the folder the file must stay in; ``root`` is a resolved path. ``root_fd``
    is a descriptor of ``root`` (``open_root``) when reading many files.
    """
    parts = split_relative(rel)
    if root_fd is None:
        try:
            fd = open_root(root)
        except OSError as exc:
            return Refused("unreadable", rel, f"the handbook folder {root} cannot be opened ({exc.strerror or exc})")
        try:
            return read_confined(root, rel, within=within, limit=limit, root_fd=fd)
        finally:
            os.close(fd)
    dir_fd = walk(root, parts[:-1], within=within, root_fd=root_fd)
    if isinstance(dir_fd, Refused):
        return dir_fd
    try:
        name = parts[-1]
        # Not opened at all when it is plainly not a regular file (opening a device can
        # have effects); the fstat of the open descriptor below is what decides.
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError as exc:
            return _refusal(exc, root, within, rel, dir_fd, name)
        if not stat.S_ISREG(info.st_mode):
            return _not_regular(info.st_mode, root, within, rel, dir_fd, name)
        try:
            fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
        except OSError as exc:
            return _refusal(exc, root, within, rel, dir_fd, name)
    finally:
        if dir_fd != root_fd:
            os.close(dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # swapped since the stat above
            return _not_regular(info.st_mode, root, within, rel, None, name)
        if info.st_size > limit:
            return Refused("too-large", rel, format_size(limit))
        data = _read_at_most(fd, info.st_size, limit)
    except OSError as exc:
        return Refused("unreadable", rel, exc.strerror or str(exc))
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        return Refused("too-large", rel, format_size(limit))
    return data


def _not_regular(mode: int, root: Path, within: str, rel: str, dir_fd: int | None, name: str) -> Refused:
    if stat.S_ISLNK(mode) and dir_fd is not None:
        return _link(root, within, rel, dir_fd, name)
    if stat.S_ISDIR(mode):
        return Refused("directory", rel)
    return Refused("not-regular", rel, describe_mode(mode))


def _read_at_most(fd: int, size: int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: one more than allowed tells a file that grew past it."""
    chunks: list[bytes] = []
    total = 0
    want = min(size, limit) + 1  # the expected size and one byte more: usually one read, then EOF
    while total <= limit:
        chunk = os.read(fd, min(max(want - total, 1 << 16), limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def list_confined(root: Path, folder: str, *, root_fd: int | None = None) -> list[str] | Refused:
    """The names in the folder ``root/folder`` (one component), opened without following a link."""
    if root_fd is None:
        try:
            fd = open_root(root)
        except OSError as exc:
            return Refused("unreadable", folder, f"the handbook folder {root} cannot be opened ({exc.strerror or exc})")
        try:
            return list_confined(root, folder, root_fd=fd)
        finally:
            os.close(fd)
    try:
        fd = os.open(folder, _DIR_FLAGS, dir_fd=root_fd)
    except OSError as exc:
        return _refusal(exc, root, folder, folder, root_fd, folder)
    try:
        return os.listdir(fd)
    except OSError as exc:
        return Refused("unreadable", folder, exc.strerror or str(exc))
    finally:
        os.close(fd)


def read_regular(path: str | os.PathLike[str], limit: int, *, follow_links: bool = True,
                 head: bool = False) -> bytes | None:
    """The bytes of a regular file, never blocking on a pipe or a device (opened non-blocking,
    checked on the open descriptor); None for anything else, an unreadable file, or a link
    when ``follow_links`` is False. Past ``limit`` bytes: None, or with ``head`` the first
    ``limit`` bytes (enough to recognise a file by its first line)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow_links else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_size > limit and not head):
            return None
        data = _read_at_most(fd, info.st_size, limit)  # at most limit + 1 bytes: a file that grew shows
        return data[:limit] if head else (data if len(data) <= limit else None)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


__all__ = ["DEFAULT_MAX_FILE_SIZE", "LIMIT_HINT", "Refused", "describe_mode", "format_size", "list_confined",
           "open_root", "parse_size", "read_confined", "read_regular", "split_relative", "walk"]
