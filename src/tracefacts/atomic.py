"""Write a file so that a reader, or a crash, only ever sees the old or the new content."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .safeio import describe_mode


class NotRegularFile(OSError):
    """What stands at the target is not a regular file (a directory, a device, a FIFO): never replaced."""


class OutsideFolder(OSError):
    """The target is a link that leads out of the folder it must be written in."""


def _target(path: Path, within: Path | None) -> tuple[Path, int | None]:
    """Where the new content goes (``path``, or where its link leads) and the mode of what is there.

    A link is written through, not replaced: replacing it by a file left its real target
    with the old content. Anything but a regular file is refused rather than turned into
    one (a device node, a FIFO: writing one could block, or feed another program).
    """
    target = path
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path, None
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        if within is not None:
            folder = Path(os.path.realpath(within))
            if target != folder and folder not in target.parents:
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
    folder); a directory, device or FIFO is refused. Every error names ``path``, the file
    the caller asked for, never the temporary file.
    """
    target, mode = _target(path, within)
    try:
        _replace(target, data, durable, 0o644 if mode is None else mode)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


def _replace(path: Path, data: bytes, durable: bool, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if not durable:
        return
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Serialise writers of ``path`` (two `pin` runs at once) with an advisory lock."""
    lock_path = path.parent / f".{path.name}.lock"
    try:  # never through a link: opening one would create its target
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot open its lock file {lock_path}: {exc.strerror or exc}", str(path)) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
