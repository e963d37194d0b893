"""Write a file so that a reader, or a crash, only ever sees the old or the new content.

Every write goes through a descriptor of the folder that receives the file: the
temporary file is created in it (``O_EXCL | O_NOFOLLOW``), renamed over the target in it,
and the folder is synced. What happens to the file's name after the folder is opened
cannot send the content anywhere else. A handbook file (``write_confined``: `pin`) reaches
its folder the way reads do, from the root without following any link, so a ``facts/``
swapped for a link during the run leads nowhere; a file the user names (``write_atomic``:
``export -o``) is written through a link to its target, as documented.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from .safeio import Refused, describe_mode, open_root, split_relative, walk

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
# Where a path names an open descriptor, not a file: /dev/stdout leads to /proc/self/fd/1,
# whose "link" stands for whatever descriptor 1 is. Replacing what it resolves to would
# replace the file a shell appends to (`>> log`), not write into the stream.
_DESCRIPTOR_FOLDERS = (Path("/proc"), Path("/dev/fd"))


class NotRegularFile(OSError):
    """What stands at the target is not a regular file (a directory, a device, a FIFO): never replaced."""


class OutsideFolder(OSError):
    """The target is a link that leads out of the folder it must be written in."""


class DescriptorTarget(NotRegularFile):
    """The target is, or leads through links to, an open descriptor (/dev/stdout, /proc/self/fd/1…)."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _descriptor_path(path: Path) -> Path | None:
    """Where ``path``, followed link by link, enters /proc or /dev/fd; None if it never does."""
    current = Path(os.path.abspath(path))
    for _ in range(40):  # as many links as the kernel follows; a longer chain fails when written
        parent = Path(os.path.realpath(current.parent))
        for place in (current, parent / current.name):
            if any(_inside(place, folder) for folder in _DESCRIPTOR_FOLDERS):
                return place
        try:
            link = os.readlink(parent / current.name)
        except OSError:  # not a link (or nothing there): the path ends here
            return None
        current = parent / link  # an absolute link replaces the parent
    return None


def _target(path: Path, within: Path | None) -> tuple[Path, int | None]:
    """Where the new content goes (``path``, or where its link leads) and the mode of what is there.

    A link is written through, not replaced: replacing it by a file left its real target
    with the old content. Anything but a regular file is refused rather than turned into
    one (a device node, a FIFO: writing one could block, or feed another program); so is
    a path that names an open descriptor.
    """
    descriptor = _descriptor_path(path)
    if descriptor is not None:
        raise DescriptorTarget(errno.EINVAL, f"it leads to {descriptor}, an open descriptor (standard output, "
                                             "say), not a file, so nothing is written there", str(path))
    target = path
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path, None
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        if within is not None:
            folder = Path(os.path.realpath(within))
            if not _inside(target, folder):
                raise OutsideFolder(errno.EPERM, f"it is a symbolic link to {target}, outside {folder}; "
                                                 "nothing is written through it", str(path))
        try:
            info = os.stat(target)
        except FileNotFoundError:  # a dangling link: its target is created
            return target, None
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(errno.EISDIR if stat.S_ISDIR(info.st_mode) else errno.EINVAL,
                             f"it is {describe_mode(info.st_mode)}, not a regular file, so it is not replaced",
                             str(path))
    return target, stat.S_IMODE(info.st_mode)


def write_atomic(path: Path, data: bytes, durable: bool = True, *, within: Path | None = None) -> None:
    """Give ``path`` the content ``data``: a reader, or a crash, sees the old or the new content.

    ``durable=False`` for caches: a crash may lose the new content (never half of it). A
    link is written through to its target (``within``: only if that target is inside this
    folder, which is then walked to without following another link); a directory, device,
    FIFO or open descriptor (/dev/stdout) is refused. Every error names ``path``, the file
    the caller asked for, never the temporary file.
    """
    try:
        target, mode = _target(path, within)
        folder_fd = _open_folder(target.parent, within)
        try:
            _replace_at(folder_fd, target.name, data, durable, 0o644 if mode is None else mode)
        finally:
            os.close(folder_fd)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(path)) from exc


def _open_folder(folder: Path, within: Path | None) -> int:
    """The folder the target is in: as the user names it, or (``within``) reached from that folder link-free."""
    if within is None:
        return os.open(folder, _FOLDER)
    anchor = Path(os.path.realpath(within))
    real = Path(os.path.realpath(folder))
    if not _inside(real, anchor):
        raise OutsideFolder(errno.EPERM, f"it is in {real}, outside {anchor}; nothing is written there")
    anchor_fd = open_root(anchor)
    try:
        found = walk(anchor, real.relative_to(anchor).parts, within=".", root_fd=anchor_fd)
        if isinstance(found, Refused):
            raise OutsideFolder(errno.EPERM, f"`{found.where}` in {anchor} is no longer a folder of it "
                                             f"({found.describe(found.where)}); nothing is written")
        return found if found != anchor_fd else os.dup(anchor_fd)
    finally:
        os.close(anchor_fd)


def write_confined(root: Path, rel: str, data: bytes, *, within: str, durable: bool = True) -> None:
    """Give the handbook file ``root/rel`` the content ``data``, reaching its folder as reads do.

    Every folder on the way is opened from the one before without following a link, so
    the write lands in the handbook or not at all; the name itself is replaced, never
    followed. Errors name ``root/rel``; a refused walk raises ``OutsideFolder`` with the
    same words a refused read uses.
    """
    parts = split_relative(rel)
    try:
        folder_fd = _folder_of(root, parts, within)
        if isinstance(folder_fd, Refused):
            raise OutsideFolder(errno.EPERM, f"{rel} {folder_fd.describe(rel)}; nothing is written")
        try:
            mode = _mode_at(folder_fd, parts[-1], rel)
            _replace_at(folder_fd, parts[-1], data, durable, mode)
        finally:
            os.close(folder_fd)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(root / rel)) from exc


def _folder_of(root: Path, parts: tuple[str, ...], within: str) -> int | Refused:
    """A descriptor (the caller's to close) of the folder holding ``root/parts…``, reached link-free."""
    root_fd = open_root(root)
    try:
        found = walk(root, parts[:-1], within=within, root_fd=root_fd)
        return os.dup(root_fd) if found == root_fd else found
    finally:
        os.close(root_fd)


def _mode_at(folder_fd: int, name: str, rel: str) -> int:
    """The permissions the file keeps; a link or anything but a regular file is not replaced."""
    try:
        info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    except FileNotFoundError:
        return 0o644
    if stat.S_ISLNK(info.st_mode):
        raise OutsideFolder(errno.EPERM, f"{rel} is a symbolic link; nothing is written through it")
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(errno.EINVAL, f"it is {describe_mode(info.st_mode)}, not a regular file, "
                                           "so it is not replaced")
    return stat.S_IMODE(info.st_mode)


def _replace_at(folder_fd: int, name: str, data: bytes, durable: bool, mode: int) -> None:
    """Write ``data`` to a new hidden file in the folder, then rename it over ``name``, all by descriptor."""
    while True:
        tmp = f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, _NEW_FILE, 0o600, dir_fd=folder_fd)
            break
        except FileExistsError:
            continue
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, mode)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder_fd)
        raise
    if durable:
        with contextlib.suppress(OSError):  # make the rename itself durable
            os.fsync(folder_fd)


@contextlib.contextmanager
def locked(root: Path, rel: str, *, within: str) -> Iterator[None]:
    """Serialise writers of the handbook file ``root/rel`` (two `pin` runs at once).

    The lock is an advisory lock on the file's folder itself, reached like every read: no
    lock file is created, so none is left behind, and none can be created through a link.
    Where a file system cannot lock a folder, a lock file beside the file, created in that
    folder without following a link, serves instead (and stays: removing a lock file
    safely needs the same lock).
    """
    folder_fd = _folder_of(root, split_relative(rel), within)
    if isinstance(folder_fd, Refused):
        raise OutsideFolder(errno.EPERM, f"{rel} {folder_fd.describe(rel)}; nothing is written", str(root / rel))
    lock_fd = folder_fd
    try:
        try:
            fcntl.flock(folder_fd, fcntl.LOCK_EX)
        except OSError:
            lock_fd = _lock_file(folder_fd, Path(rel).name, root / rel)
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
        yield
    finally:
        if lock_fd != folder_fd:
            os.close(lock_fd)
        os.close(folder_fd)  # closing releases the lock


def _lock_file(folder_fd: int, name: str, shown: Path) -> int:
    lock = f".{name}.lock"
    try:
        return os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=folder_fd)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot open its lock file {lock}: {exc.strerror or exc}", str(shown)) from exc
