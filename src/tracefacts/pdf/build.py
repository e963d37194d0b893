"""``build_pdf``: the four steps in order, each in its module; the paths it writes, and what it returns."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .briefing import read_briefing
from .errors import PdfBuildError
from .links import check_links as check_pdf_links
from .links import load_pypdf
from .paper import prepare
from .render import load_weasyprint, render
from .singlehtml import build_html, project_name, single_page


@dataclass(frozen=True)
class PdfResult:
    path: Path
    pages: int
    seconds: float
    html_dir: Path
    internal_links: int
    filtered: int  # CSS-noise messages dropped from the log
    notes: tuple[str, ...] = field(default=())


def _build_date() -> dt.date:
    """Today, or SOURCE_DATE_EPOCH's day for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def slug(text: str) -> str:
    """The PDF's file name from a title: ``Muse Spark briefing`` → ``muse-spark-briefing``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "briefing"


def build_pdf(
    docs_dir: str | Path,
    out_pdf: str | Path | None = None,
    *,
    out_dir: str | Path | None = None,
    html_dir: str | Path | None = None,
    stylesheets: Sequence[str | Path] = (),
    built: dt.date | None = None,
    sphinx_args: Sequence[str] = (),
    check_links: bool = True,
) -> PdfResult:
    """Build the Sphinx project in ``docs_dir`` (which uses ``tracefacts.sphinx``) into one PDF briefing.

    ``out_pdf`` is the file to write; without it the PDF goes into ``out_dir`` (default
    ``<docs>/_build/pdf``), named after the ``html_title`` (``muse-spark-briefing.pdf``).
    The intermediate HTML goes to ``html_dir`` (default ``<docs>/_build/pdf-html``, or
    ``<out_dir>/pdf-html`` when ``out_dir`` is given). Extra ``stylesheets`` are applied
    after ``pdf.css``. Raises ``MissingDependency`` (before any work) when WeasyPrint, or
    pypdf for the link check, cannot be imported; ``PdfBuildError`` on a Sphinx warning, a
    WeasyPrint problem that is not CSS noise, or a dead internal link.
    """
    weasyprint = load_weasyprint()
    if check_links:
        load_pypdf()  # now, not after a minute of building

    started = time.perf_counter()
    docs = Path(docs_dir).resolve()
    build_root = docs / "_build"
    if out_dir is not None:
        out_dir = Path(out_dir).resolve()
        html = Path(html_dir).resolve() if html_dir else out_dir / "pdf-html"
    else:
        out_dir = Path(out_pdf).resolve().parent if out_pdf else build_root / "pdf"
        html = Path(html_dir).resolve() if html_dir else build_root / "pdf-html"
    if out_pdf is not None and Path(out_pdf).is_dir():
        raise PdfBuildError(f"{out_pdf} is a folder: name the PDF file to write")

    build_html(docs, html, sphinx_args)
    index = single_page(html)
    project = project_name(html)
    document = weasyprint.HTML(filename=str(index), base_url=str(index))
    page_title = document.etree_element.findtext("head/title") or ""
    briefing = read_briefing(html, project or page_title or docs.name)
    if out_pdf is None:
        out_pdf = out_dir / f"{slug(page_title or briefing.title)}.pdf"
    out = Path(out_pdf).resolve()
    notes = prepare(document.etree_element, briefing, built or _build_date(), root_doc=index.stem)

    partial = out.with_name(f".{out.name}.partial")  # the PDF is replaced only by a good one
    links = 0
    try:
        rendered, dropped = render(weasyprint, document, partial, stylesheets)
        if check_links:
            links = check_pdf_links(partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return PdfResult(out, len(rendered.pages), time.perf_counter() - started, html, links, dropped, tuple(notes))
