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


class HeapFreeze:
    """Leave the build's long-lived objects out of full collections while it runs.

    A build holds the environment, the fact base and its check results for its whole
    length; every full collection Sphinx triggers while it writes pages would scan them
    all again (at 5,000 facts a tenth of a one-fact rebuild). Young garbage, such as each
    written page's doctree, is still collected; objects that die while frozen are freed by
    reference counting, cycles among them once thawed. ``gc.unfreeze`` gives back *every*
    frozen object, so a heap someone else froze (a server that freezes after start-up) is
    left alone: then this does nothing.
    """

    def __init__(self) -> None:
        self.owned = False

    def freeze(self, *_event_args: object) -> None:
        if self.owned or gc.get_freeze_count() == 0:
            self.owned = True
            gc.freeze()

    def thaw(self, *_event_args: object) -> None:
        if self.owned:
            self.owned = False
            gc.unfreeze()
