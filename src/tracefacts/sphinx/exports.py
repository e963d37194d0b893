"""tracefacts.json and annotations.jsonld beside the HTML pages.

Encoding 5,000 facts costs more than the page edit that changed one of them, so each
fact's JSON is kept between builds (beside the doctrees) and the files are assembled
from it: the same bytes as encoding the whole document (tested against the CLI).
"""

from __future__ import annotations

import contextlib
import json
import pickle
from pathlib import Path
from typing import Any

from sphinx.util import logging

from .. import __version__
from ..atomic import write_atomic
from ..export import annotated_facts, fact_annotations, fact_entry, to_json, to_w3c
from ..gcpause import gc_paused
from ..report import shown_line
from .state import BuildState, digest

logger = logging.getLogger(__name__)

CACHE = "tracefacts-exports.pickle"
_HOLE = "\x00tracefacts-entries\x00"  # stands for the list spliced in; a JSON string cannot hold its quotes raw


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _splice(document: dict[str, Any], key: str, entries: list[str]) -> str:
    text = dumps(document)
    hole = f'"{key}":{dumps(_HOLE)}'
    return text.replace(hole, f'"{key}":[{",".join(entries)}]', 1) + "\n"


class ExportCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.old: dict[str, dict[Any, str]] = {"facts": {}, "annotations": {}}
        with contextlib.suppress(Exception):  # a damaged cache only costs encoding again
            with gc_paused():  # thousands of new strings in a big process: nothing to collect
                found = pickle.loads(path.read_bytes())
            if isinstance(found, dict) and found.get("version") == __version__:
                self.old = found["entries"]
        self.new: dict[str, dict[Any, str]] = {"facts": {}, "annotations": {}}

    def get(self, table: str, key: Any, make: Any) -> str:
        text = self.new[table].get(key)
        if text is None:
            text = self.old[table].get(key)
            if text is None:
                text = make()
            self.new[table][key] = text
        return text

    def save(self) -> None:
        if all(self.old[t].keys() == self.new[t].keys() for t in self.new):
            return
        with contextlib.suppress(OSError):
            write_atomic(self.path, pickle.dumps({"version": __version__, "entries": self.new},
                                                 protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def write_exports(outdir: Path, doctreedir: Path, state: BuildState, pages: dict[str, list[str]]) -> None:
    """Write both files, unless nothing they say has changed (then they keep their mtime)."""
    with gc_paused():
        _write_exports(outdir, doctreedir, state, pages)


def _write_exports(outdir: Path, doctreedir: Path, state: BuildState, pages: dict[str, list[str]]) -> None:
    result = state.result
    signature = digest([__version__, str(result.today), state.fingerprints, state.source_fingerprints, pages,
                        [(f.origin, f.line) for f in state.facts.values()], [p.as_dict() for p in result.problems]])
    files = (outdir / "tracefacts.json", outdir / "annotations.jsonld")
    mark = doctreedir / "tracefacts-exports.sig"
    with contextlib.suppress(OSError):
        if all(f.exists() for f in files) and mark.read_text(encoding="utf-8") == signature:
            return
    cache = ExportCache(doctreedir / CACHE)
    facts = []
    for fact in state.facts.values():
        shown = tuple(pages.get(fact.id, ()))
        key = (state.fingerprints[fact.id], str(result.today), fact.origin, fact.line, shown)
        facts.append(cache.get("facts", key, lambda f=fact, p=shown: dumps(fact_entry(result, f, p))))
    annotations = []
    for fact_id in annotated_facts(result):
        key = state.fingerprints[fact_id]
        text = cache.get("annotations", key, lambda f=fact_id: ",".join(dumps(a) for a in fact_annotations(result, f)))
        if text:
            annotations.append(text)
    w3c = to_w3c(result, items=[])
    w3c["first"]["items"] = _HOLE  # type: ignore[index]
    texts = (_splice(to_json(result, pages, facts=_HOLE), "facts", facts), _splice(w3c, "items", annotations))
    written = all([_write(outdir, file, text) for file, text in zip(files, texts, strict=True)])
    cache.save()
    if written:  # else the next build tries again
        with contextlib.suppress(OSError):
            write_atomic(mark, signature.encode("utf-8"), durable=False)


def _write(outdir: Path, file: Path, text: str) -> bool:
    """Replace ``file`` whole (a reader of the site never sees half of it), through a link only
    to a target inside the output folder; a failure is a warning, not a crashed build."""
    try:
        write_atomic(file, text.encode("utf-8"), within=outdir)
    except OSError as exc:
        logger.warning("tracefacts: cannot write %s: %s", shown_line(str(file)), shown_line(str(exc.strerror or exc)),
                       type="tracefacts", subtype="export")
        return False
    return True
