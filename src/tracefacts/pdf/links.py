"""The written PDF read back with pypdf: every internal link must land on a destination."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from .errors import INSTALL_HINT, MissingDependency, PdfBuildError


def load_pypdf() -> ModuleType:
    """pypdf, or a one-line ``MissingDependency``: the link check never silently does nothing."""
    try:
        import pypdf
    except ImportError:
        raise MissingDependency(f"pypdf is not installed, and the PDF's link check needs it: {INSTALL_HINT}") from None
    return pypdf


def internal_links(pdf: str | Path) -> tuple[int, list[str]]:
    """(number of internal link annotations, the targets of those that lead nowhere)."""
    pypdf = load_pypdf()
    from pypdf.generic import ArrayObject, IndirectObject

    reader = pypdf.PdfReader(str(pdf))
    names = set(reader.named_destinations)
    page_ids = {p.indirect_reference.idnum for p in reader.pages if p.indirect_reference is not None}
    total, dead = 0, []
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            action = annot.get("/A")
            if dest is None and action is not None:
                action = action.get_object()
                if action.get("/S") == "/GoTo":
                    dest = action.get("/D")
            if dest is None:
                continue  # an external link
            total += 1
            dest = dest.get_object() if isinstance(dest, IndirectObject) else dest
            if isinstance(dest, ArrayObject):
                target = dest[0]
                if not (isinstance(target, IndirectObject) and target.idnum in page_ids):
                    dead.append(f"page {number}: explicit destination to no page")
            elif str(dest) not in names:
                dead.append(f"page {number}: #{dest}")
    return total, dead


def check_links(pdf: Path) -> int:
    """The number of internal links of ``pdf``; raises ``PdfBuildError`` if one leads nowhere."""
    total, dead = internal_links(pdf)
    if dead:
        raise PdfBuildError(f"{len(dead)} internal link(s) lead nowhere: {', '.join(dead[:10])}")
    return total
