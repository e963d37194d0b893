"""What can stop the briefing: a build problem, or a package it needs that is not there."""

from __future__ import annotations

INSTALL_HINT = "pip install 'tracefacts[pdf]'"


class PdfBuildError(RuntimeError):
    """The briefing could not be built cleanly; the message says why."""


class MissingDependency(PdfBuildError):
    """A package the briefing needs (WeasyPrint, pypdf, Pango) is missing; the message, one
    line, says how to install it."""
