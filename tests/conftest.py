"""Fixtures shared by several test folders."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def pytest_configure(config: pytest.Config) -> None:
    # The key that signs memos and caches (tracefacts.cachekey) lives in the user's cache
    # folder: the tests, and the builds they start, keep theirs in a folder of their own.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tracefacts-test-cache-")


@pytest.fixture(scope="session")
def real_handbook_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real handbook (docs/), built once per session the strict way, as `make html` does."""
    out = tmp_path_factory.mktemp("handbook-html")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-E", "-d", str(out / ".doctrees"),
         str(DOCS), str(out)], capture_output=True, text=True, cwd=DOCS.parent)
    assert result.returncode == 0, f"the strict build of the handbook fails:\n{result.stderr[-4000:]}"
    assert "WARNING" not in result.stderr, result.stderr[-4000:]
    return out
