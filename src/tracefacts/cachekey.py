"""The key that signs what tracefacts remembers between runs, and a safe way to read it back.

The memo (beside a Sphinx build's doctrees) and the extraction cache (there, and in the
handbook's ``.tracefacts-cache/`` for the command line) can lie in a repository, where a
pull request could plant a file: a memo is a pickle (reading one runs code), and a cached
text decides which quotes pass. So every such file carries an HMAC made with a key that
never lies in the repository: 32 random bytes in the user's cache folder
(``$XDG_CACHE_HOME/tracefacts/key``, else ``~/.cache/tracefacts/key``), made on first use,
readable by the user alone. A file without the right signature is ignored and its work
done again. Where no key can be kept (no home, a read-only one), nothing is remembered:
every run does the work afresh, with the same result.

Files are read without following a link and without blocking on a pipe, up to a size.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from .safeio import read_regular

KEY_SIZE = 32
MAX_CACHE_FILE = 1 << 30  # a cache file larger than this is not read (1 GiB)


def key_path() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or (str(Path.home() / ".cache") if Path.home() != Path("/") else "")
    return Path(base) / "tracefacts" / "key" if base else None


@lru_cache(maxsize=4)
def _key_at(path: Path) -> bytes | None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    with contextlib.suppress(FileExistsError, OSError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, secrets.token_bytes(KEY_SIZE))
        finally:
            os.close(fd)
    data = read_regular(path, KEY_SIZE + 1, follow_links=False)
    if data is None or len(data) != KEY_SIZE:
        return None
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    # the user's own, readable by no one else: another user's key could be known to them
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return data


def key() -> bytes | None:
    """The signing key, made on first use; None where none can be kept."""
    path = key_path()
    return _key_at(path) if path is not None else None


def sign(payload: bytes, secret: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()


def signed_by(payload: bytes, signature: bytes, secret: bytes) -> bool:
    return hmac.compare_digest(sign(payload, secret), signature)


def read_cache_file(path: Path, limit: int = MAX_CACHE_FILE) -> bytes | None:
    """A memo or cache file: regular, not through a link, never a pipe, at most ``limit`` bytes."""
    return read_regular(path, limit, follow_links=False)
