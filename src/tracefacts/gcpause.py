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


def freeze_heap() -> None:
    """Leave everything alive now out of later collections, until `thaw_heap`.

    A build holds the environment, the fact base and its check results for its whole
    length; every full collection Sphinx triggers while it writes pages would scan them
    all again (at 5,000 facts a tenth of a one-fact rebuild). Young garbage, such as
    each written page's doctree, is still collected. Objects that die while frozen are
    freed by reference counting; cycles among them wait for `thaw_heap`.
    """
    gc.freeze()


def thaw_heap() -> None:
    """Give frozen objects back to the collector (end of a build: a long-lived process such
    as a test session or sphinx-autobuild runs the next build with nothing held back)."""
    gc.unfreeze()
