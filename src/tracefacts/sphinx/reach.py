"""Nothing from outside the handbook reaches the output through Sphinx's own machinery.

A page can bring in any file Sphinx can open: ``literalinclude``, ``include``, ``raw``
with ``:file:``, an image or figure, a ``{download}``; and the page itself may be a link
(or sit in a folder that is a link) to a file elsewhere. Sphinx reads those and copies
their bytes into the written page, ``_images``, ``_downloads``, ``_sources`` and the
doctrees; tracefacts cannot stop that. What it does: once a page is read, every file the
page depends on (and the page's own file) is judged by its real path, every link on the
way followed, against the real path of the handbook root (``tracefacts_root``); a file
outside is a page problem ``outside-root``, kept with the page, so a strict build fails,
every build, until the page no longer brings it in.
"""

from __future__ import annotations

import os
from typing import Any

from docutils import nodes

from .domain import report


def handbook_root(app: Any) -> str:
    """The handbook folder's real path (the same folder as the build's ``_root``)."""
    return os.path.realpath(os.path.join(app.confdir, app.config.tracefacts_root))


def inside(path: str, root: str) -> bool:
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _line_naming(doctree: nodes.document, path: str) -> int | None:
    """The first line of the page that names ``path``'s file (the directive or role that brings it in)."""
    source = doctree.get("source")
    name = os.path.basename(path)
    if not source or not name:
        return None
    try:
        with open(source, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if name in line:
                    return number
    except OSError:
        return None
    return None


def check_reach(app: Any, doctree: nodes.document) -> None:
    """doctree-read: every file the page was made from lies inside the handbook root."""
    env = app.env
    docname = env.docname
    root = handbook_root(app)
    page = os.fspath(env.doc2path(docname))
    generated = docname in getattr(app.project, "generated", {})  # a source page: the build's own file
    if not inside(page, root) and not generated:
        report(env, "outside-root",
               f"this page's file {page} is really {os.path.realpath(page)}, outside the handbook folder {root} "
               "(it, or a folder on its way, is a link); Sphinx would publish its text and copy it into "
               "_sources. Replace the link with the page itself, inside the handbook", (docname, None))
    for dependency in sorted(os.fspath(d) for d in env.dependencies.get(docname, ())):
        path = os.path.normpath(os.path.join(app.srcdir, dependency))
        if inside(path, root):
            continue
        real = os.path.realpath(path)
        really = "" if real == path else f" (really {real})"
        report(env, "outside-root",
               f"this page brings in {path}{really}, which is outside the handbook folder {root}: an include, "
               "literalinclude, raw :file:, image, figure or download of it copies its bytes into the built "
               "pages (_images, _downloads). Copy the file into the handbook, or remove the reference",
               (docname, _line_naming(doctree, dependency)))
