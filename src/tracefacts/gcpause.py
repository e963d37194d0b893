"""No cyclic garbage collection while a large structure that is all kept is built.

Loading 10,000 facts makes about a million objects, none of them garbage; the collector
would scan the growing heap again and again while they are made (a sixth of `check`'s
time at that size). Collection resumes, as it was, when the block ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
