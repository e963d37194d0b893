"""Sphinx: the project as one HTML page (``singlehtml`` with the plain ``basic`` theme), in
a subprocess, so that the project's extensions and conf.py run as in any build."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import PdfBuildError


def build_html(docs_dir: Path, html_dir: Path, extra_args: Sequence[str] = ()) -> None:
    """``python -m sphinx -b singlehtml -D html_theme=basic -W --keep-going -E``; raises on any warning.

    ``-E`` reads every page each time (a second of work): an incremental build would not
    repeat the warnings of pages it does not re-read, and the PDF would pass on a retry."""
    cmd = [sys.executable, "-m", "sphinx", "-b", "singlehtml", "-D", "html_theme=basic",
           "-W", "--keep-going", "-E", "-q", *extra_args, str(docs_dir), str(html_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise PdfBuildError(f"Sphinx failed (exit {proc.returncode}):\n{detail}")
    if proc.stderr.strip():  # -q leaves only warnings and errors; -W made them fatal already
        raise PdfBuildError(f"Sphinx wrote to stderr:\n{proc.stderr.strip()}")


def project_name(html_dir: Path) -> str | None:
    """The Sphinx ``project``, as the inventory's header states it."""
    inv = html_dir / "objects.inv"
    if not inv.exists():
        return None
    with inv.open("rb") as fh:
        for _ in range(4):
            line = fh.readline().decode("utf-8", "replace")
            if line.startswith("# Project:"):
                return line.split(":", 1)[1].strip() or None
    return None


def single_page(html_dir: Path) -> Path:
    """singlehtml writes ``<root_doc>.html`` (and, at most, the index and search pages)."""
    pages = [p for p in html_dir.glob("*.html") if p.stem not in ("genindex", "search", "py-modindex")]
    if len(pages) != 1:
        raise PdfBuildError(f"expected one HTML page in {html_dir}, found {[p.name for p in pages]}")
    return pages[0]
