"""Fixtures for the core tests (the helpers themselves are in tfcore.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tfcore import GOOD_FACTS, SEED_A, SEED_B, Handbook


def pytest_configure(config: pytest.Config) -> None:
    # `pytest_plugins = ["pytester"]` is refused in a conftest below the rootdir when
    # the whole suite runs from the top; registering the plugin here works both ways.
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture
def make_handbook(tmp_path: Path) -> Callable[..., Handbook]:
    """A factory: ``make_handbook(facts=GOOD_FACTS)`` gives a root with both seeds pinned."""
    counter = iter(range(1000))

    def make(facts: str | None = GOOD_FACTS, *, seed_a: str | bytes = SEED_A,
             seed_b: str | bytes = SEED_B, name: str | None = None) -> Handbook:
        hb = Handbook(tmp_path / (name or f"hb{next(counter)}"))
        hb.seed("a.txt", seed_a)
        hb.seed("b.txt", seed_b)
        hb.sources()
        if facts is not None:
            hb.facts(facts)
        return hb

    return make


@pytest.fixture
def handbook(make_handbook: Callable[..., Handbook]) -> Handbook:
    return make_handbook()
