"""Fixtures shared by several test folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


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
