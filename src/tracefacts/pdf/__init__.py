"""The PDF briefing: a Sphinx project built as one HTML page, reshaped for paper, set by WeasyPrint.

    from tracefacts.pdf import build_pdf
    result = build_pdf("docs")   # docs/_build/pdf/<html_title as a slug>.pdf
    print(result.path, result.pages, result.seconds)

or, from a shell, ``tracefacts pdf docs``. It needs the ``pdf`` extra
(``pip install 'tracefacts[pdf]'``: WeasyPrint, and pypdf for the link check) and Pango
from the operating system.

An adapter over a Sphinx build, in four steps, each a module of this package:

- ``singlehtml``: Sphinx's ``singlehtml`` builder with the plain ``basic`` theme (``-W
  --keep-going``, so any Sphinx warning fails); ``briefing`` reads the cover's figures from
  the ``tracefacts.json`` the extension writes beside it;
- ``paper`` (with ``documents``, ``front``, ``invisible`` and ``tree``): the page's tree is
  reshaped (a cover and a contents list are added, the source pages are moved into a
  closing appendix, screen-only chrome and every screen stylesheet are dropped);
- ``render``: WeasyPrint sets it with our own print stylesheet ``pdf.css`` only, where each
  citation's tip becomes a numbered footnote that carries the verbatim quotes, the source
  title and date; anything it logs but CSS noise fails the build;
- ``links``: the written PDF is read back with pypdf, and a link annotation that points
  nowhere fails the build.

``build`` runs them in order. Nothing here imports Sphinx: the build runs in a subprocess.
"""

from __future__ import annotations

from .briefing import Briefing, read_briefing
from .build import PdfResult, build_pdf, slug
from .documents import SOURCE_FOLDER
from .errors import INSTALL_HINT, MissingDependency, PdfBuildError
from .invisible import show_invisible
from .links import internal_links, load_pypdf
from .paper import prepare
from .render import STYLESHEET, CssNoiseFilter, is_css_noise, load_weasyprint, weasyprint_log
from .singlehtml import build_html, project_name

__all__ = [
    "INSTALL_HINT", "SOURCE_FOLDER", "STYLESHEET", "Briefing", "CssNoiseFilter", "MissingDependency", "PdfBuildError",
    "PdfResult", "build_html", "build_pdf", "internal_links", "is_css_noise", "load_pypdf", "load_weasyprint",
    "prepare", "project_name", "read_briefing", "show_invisible", "slug", "weasyprint_log",
]
