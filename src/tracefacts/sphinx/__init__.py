"""Sphinx extension: ``extensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]``.

The fact base is loaded and checked once per build (builder-inited, through the memo
beside the doctrees); every core problem becomes a located warning. Pages record, in the
`tf` domain, which facts they show and which views they hold. A change to a fact re-reads
the pages whose roles drew it, and rewrites (without re-reading) the pages whose views
would now draw something else: exactly the pages that show it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from sphinx.util import logging
from sphinx.util.logging import is_suppressed_warning
from sphinx.util.matching import Matcher

from .. import __version__
from ..gcpause import HeapFreeze
from ..load import SOURCES_FILE
from ..memo import load_and_check
from ..normalize import line_number, line_starts
from ..report import shown, shown_line
from ..safeio import DEFAULT_MAX_FILE_SIZE, format_size, parse_size
from . import directives as d
from . import nodes as tfn
from .domain import TracefactsDomain, domain, get_state
from .epub import NOTE_HTML, NOTEREF_HTML, add_epub_css, epub_notes, tf_note, tf_noteref
from .exports import write_exports
from .fragments import tf_html, visit_slot, visit_tf_html
from .headings import FactsOutOfHeadings
from .ids import check_ids, check_one_page_ids, fail_strict_one_page
from .latex import setup_latex
from .layout import slot
from .links import pages_of
from .locale import add_script_words
from .locale import register as register_catalog
from .pages import FOLDER as PAGES_FOLDER
from .pages import (
    TITLE_ROLE,
    add_to_root_toctree,
    folder_problem,
    generate,
    listed_twice,
    note_file,
    rewrite_all_on_new_contents,
    root_outdated,
)
from .plain_source import VISITORS as PLAIN_LINE_VISITORS
from .plain_source import PlainSourceLines, tf_plain_line
from .reach import check_reach
from .resolve import resolve
from .showing import note_what_is_drawn, outdated_by_conditions
from .source_page import SourceText, SourceTitle, UnwrapVerbatim, skip_undecodable_pages
from .sourcing import check_sourcing, sourced_globs
from .state import BuildState, digest
from .views import plan, tf_view, write_signature

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def _said(text: object) -> str:
    """A file name or a value inside one line of the build's output, as ``tracefacts check`` shows a file name."""
    return shown_line(str(text))


def _conf_line(app: Any, name: str) -> str | None:
    """Where a setting is given: ``conf.py:line`` of its (last) assignment; None if conf.py does not
    assign it (``-D``, or code). Sphinx reads a location without a colon as a page name."""
    conf = Path(app.confdir) / "conf.py"
    try:
        text = conf.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = [m.start() for m in re.finditer(rf"^[ \t]*{name}[ \t]*(?::[^=\n]*)?=", text, re.MULTILINE)]
    # the last assignment is the one that holds
    return f"{_said(conf)}:{line_number(line_starts(text), found[-1])}" if found else None


def _config_warning(app: Any, name: str, text: str, *args: object) -> None:
    logger.warning(text, *args, location=_conf_line(app, name), type="tracefacts", subtype="config")


# Each setting, its default, what it may be, and that in words. Checked when conf.py is read
# (config-inited): a wrong type is replaced by the default with a warning, for every part of
# the extension that reads the setting, before Sphinx's own type check would repeat it.
_SETTINGS: tuple[tuple[str, object, tuple[type, ...], str], ...] = (
    ("tracefacts_root", "..", (str, os.PathLike), "a folder path (text), relative to conf.py"),
    ("tracefacts_strict", True, (bool,), "True or False"),
    ("tracefacts_today", None, (str, dt.date, type(None)), "a date written YYYY-MM-DD, or None for today"),
    ("tracefacts_max_file_size", DEFAULT_MAX_FILE_SIZE, (int, str), "a size such as 64M, or a number of bytes"),
    ("tracefacts_source_pages", "sources", (str, type(None)), "a folder name (text), or None for no source pages"),
    ("tracefacts_html_fragments", True, (bool,), "True or False"),
    ("tracefacts_source_pages_toctree", True, (bool,), "True or False"),
    ("tracefacts_sourced_pages", ["**"], (list, tuple, str), "a list of page-name globs, such as ['**'] or "
     "['briefing/*']"),
)


def check_config(app: Any, config: Any) -> None:
    for name, default, types, what in _SETTINGS:
        value = getattr(config, name)
        if isinstance(value, types) and not (isinstance(value, bool) and bool not in types) \
                and not (isinstance(value, (list, tuple)) and not all(isinstance(v, str) for v in value)):
            continue
        _config_warning(app, name, "%s = %s is not %s; using %s", name, _said(repr(value)), what, repr(default))
        setattr(config, name, default)
    folder = config.tracefacts_source_pages
    if isinstance(folder, str) and folder_problem(folder) is None:
        # "sources/", "./sources" and "sources" name one folder: page names must not hold "//" or "./"
        config.tracefacts_source_pages = PurePosixPath(folder).as_posix()


def check_sourced_globs(app: Any, env: Any) -> None:
    """env-updated: a glob of tracefacts_sourced_pages that names no page turns the
    every-sentence rule off where the author meant it on; said on every build."""
    for pattern in sourced_globs(app):
        if any(Matcher([pattern])(doc) for doc in env.found_docs):
            continue
        suffix = next((s for s in app.config.source_suffix if pattern.endswith(s)), None)
        hint = (f"; page names have no suffix: write {pattern[: -len(suffix)]!r}" if suffix
                else "; page names are written as in a toctree, relative to the docs folder, without a suffix")
        _config_warning(app, "tracefacts_sourced_pages", "tracefacts_sourced_pages: %s names no page, so the "
                        "sourcing rule applies to no page through it%s", _said(repr(pattern)), hint)


def _today(app: Any) -> dt.date:
    value = app.config.tracefacts_today
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        _config_warning(app, "tracefacts_today", "tracefacts_today = %s is not a date written YYYY-MM-DD; using today",
                        _said(repr(value)))
        return dt.date.today()


def _root(app: Any) -> Path:
    return (Path(app.confdir) / app.config.tracefacts_root).resolve()


def _max_file_size(app: Any) -> int:
    value = app.config.tracefacts_max_file_size
    try:
        return parse_size(value)
    except (ValueError, TypeError):
        _config_warning(app, "tracefacts_max_file_size", "tracefacts_max_file_size = %s is not a size (e.g. 64M, "
                        "1G, or a number of bytes); using %s", _said(repr(value)), format_size(DEFAULT_MAX_FILE_SIZE))
        return DEFAULT_MAX_FILE_SIZE


def builder_inited(app: Any) -> None:
    root = _root(app)
    # Remembered per fact file and per fact beside the doctrees: a one-fact edit re-checks one fact.
    result = load_and_check(root, _today(app), Path(app.doctreedir) / "tracefacts.memo",
                            max_file_size=_max_file_size(app))
    state = BuildState(result)
    # On the `tf` domain object: it lives with the environment but is not pickled with it.
    domain(app.env).state = state
    problems = result.problems
    if not (root / SOURCES_FILE).is_file():
        # a wrong tracefacts_root, most likely: say so, not "yaml-syntax" of a file that is not there
        _config_warning(app, "tracefacts_root", "tracefacts_root = %s: there is no %s in %s; set tracefacts_root to "
                        "the handbook folder (the one holding facts/ and seeds/), relative to conf.py",
                        _said(repr(app.config.tracefacts_root)), SOURCES_FILE, _said(root))
        problems = tuple(p for p in problems if not (p.file == SOURCES_FILE and p.code == "yaml-syntax"))
    for problem in problems:
        location = f"{_said(root / problem.file)}:{problem.line}"  # printed to a terminal: escaped
        message = f"{problem.code}: {shown(problem.message)}"
        if problem.code == "stale":
            # Staleness is shown on the page ("may be out of date"), not a build failure:
            # the same commit must give the same verdict whatever the calendar says.
            logger.info("%s: %s", location, message)
        else:
            logger.warning(message, location=location, type="tracefacts", subtype=problem.code)
    try:
        generate(app, state)
    except OSError as exc:
        logger.warning("cannot write the generated source pages into %s (%s): make the build folder writable, "
                       "or set tracefacts_source_pages = None to build without source pages",
                       _said(Path(app.doctreedir) / PAGES_FOLDER), _said(exc.strerror or exc), type="tracefacts",
                       subtype="source-pages")


def _add_static(app: Any) -> None:
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))


def env_get_outdated(app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]) -> set[str]:
    state = get_state(env)
    data = domain(env).data
    outdated = set()
    for doc, rendered in data["rendered"].items():
        if any(state.fingerprints.get(f) != fp for f, fp in rendered.items()):
            outdated.add(doc)
    for doc, views in data["views"].items():
        if any(plan(state, dict(spec)) != drawn for spec, drawn in views):
            outdated.add(doc)
    for doc, checked in data["checked"].items():
        if any(state.fingerprints.get(f) != fp for f, fp in checked.items()):
            outdated.add(doc)
    for doc, unknown in data["unknown"].items():
        # its warning would now be wrong: the fact it named exists
        if any(f in state.facts for f in unknown):
            outdated.add(doc)
    for doc, sources in data["sources"].items():
        if any(state.source_page_fingerprint(s) != fp for s, fp in sources.items()):
            outdated.add(doc)
    return outdated - removed


def env_before_read_docs(app: Any, env: Any, docnames: list[str]) -> None:
    domain(env).reading = docnames  # the list itself: a later handler may still add to it


def report_kept_problems(app: Any, env: Any) -> None:
    """A page not read again in this build still has the problems found when it was read:
    report them again, at the same place and with the same type (``suppress_warnings``)."""
    reread = set(domain(env).reading)
    problems = domain(env).data["problems"]
    for doc in sorted(problems):
        if doc in reread or doc not in env.all_docs:
            continue
        for location, message, subtype in problems[doc]:
            logger.warning("%s", message, location=location, type="tracefacts", subtype=subtype)


def env_updated(app: Any, env: Any) -> list[str]:
    """Pages whose views would now draw something else are rewritten (not re-read)."""
    report_kept_problems(app, env)
    state = get_state(env)
    data = domain(env).data
    usage = {doc: sorted(shown) for doc, shown in sorted(data["shows"].items())}
    titles = {doc: env.titles[doc].astext() for doc in usage if doc in env.titles}
    usage_signature = digest([usage, sorted(data["sentences"].items()), titles])
    rewrite = []
    for doc, views in data["drawn"].items():
        if doc not in env.all_docs:
            continue
        signature = digest([write_signature(app, state, view, usage_signature) for view in views])
        if data["written"].get(doc) != signature:
            data["written"][doc] = signature
            rewrite.append(doc)
    return sorted(rewrite)


def build_finished(app: Any, exception: Exception | None) -> None:
    dom = domain(app.env)
    state = dom.state
    if exception is not None or state is None:
        return
    if state.fragments is not None:
        state.fragments.save()
    if app.builder.format == "html":
        write_exports(Path(app.outdir), Path(app.doctreedir), state, {f: pages_of(app, f) for f in state.facts})
    errors = state.result.errors
    suppressed = app.config.suppress_warnings
    unsourced: dict[str, int] = {}
    other: dict[str, int] = {}
    for doc, problems in dom.data["problems"].items():
        if doc not in app.env.all_docs:
            continue
        for _, _, subtype in problems:
            if not is_suppressed_warning("tracefacts", subtype, suppressed):
                count = unsourced if subtype == "unsourced-sentence" else other
                count[doc] = count.get(doc, 0) + 1
    if errors or unsourced or other:
        facts = sorted({p.fact for p in errors if p.fact})
        parts = []
        if errors:
            parts.append(f"{len(errors)} fact-base error(s)"
                         + (f", {len(facts)} untraceable fact(s): {', '.join(facts[:10])}" if facts else ""))
        if unsourced:
            parts.append(f"{sum(unsourced.values())} unsourced sentence(s) on "
                         + ", ".join(f"{doc} ({n})" for doc, n in sorted(unsourced.items())))
        if other:
            parts.append(f"{sum(other.values())} other page problem(s) on "
                         + ", ".join(f"{doc} ({n})" for doc, n in sorted(other.items())))
        summary = "tracefacts: " + "; ".join(parts)
        if app.config.tracefacts_strict:
            logger.error(summary)
            app.statuscode = 1
        else:
            logger.info(summary)


def _depart_nothing(translator: Any, node: Any) -> None:
    pass


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("tracefacts_root", "..", "env", [str])
    app.add_config_value("tracefacts_strict", True, "env", [bool])
    app.add_config_value("tracefacts_today", None, "env", [str, type(None)])
    app.add_config_value("tracefacts_max_file_size", DEFAULT_MAX_FILE_SIZE, "env", [int, str])
    app.add_config_value("tracefacts_source_pages", "sources", "env", [str, type(None)])
    # True: the source pages join the root document's toctree (hidden, "Sources") by themselves
    app.add_config_value("tracefacts_source_pages_toctree", True, "env", [bool])
    # Where every sentence must carry a fact (globs of page names); a page's own metadata
    # `tracefacts-sourced: true|false` overrides it. Facts and citations work on every page.
    app.add_config_value("tracefacts_sourced_pages", ["**"], "env", [list, tuple, str])
    # HTML builders reuse each view cell's HTML from the last build (same output, faster);
    # False translates every view from docutils nodes, as other builders do.
    app.add_config_value("tracefacts_html_fragments", True, "html", [bool])
    app.add_domain(TracefactsDomain)
    for node in (tfn.citation_ref, tfn.fact_ref, tfn.cite_group, tfn.used_on, tf_view, d.tf_editorial,
                 d.tf_source_page):
        app.add_node(node)
    app.add_node(tf_html, html=(visit_tf_html, _depart_nothing))
    app.add_node(slot, html=(visit_slot, _depart_nothing))
    app.add_node(tfn.tf_text, **tfn.HTML_VISITORS)  # fact-base text, bidi-isolated
    app.add_role("fact", d.FactRole())
    app.add_role("cite-fact", d.CiteFactRole())
    app.add_directive("fact-list", d.FactList)
    app.add_directive("fact-table", d.FactTable)
    app.add_directive("timeline", d.Timeline)
    app.add_directive("trace-matrix", d.TraceMatrix)
    app.add_directive("editorial", d.Editorial)
    app.add_directive("fact-summary", d.FactSummary)
    app.add_directive("tracefacts-source", SourceText)
    app.add_role(TITLE_ROLE, SourceTitle())
    app.add_transform(UnwrapVerbatim)
    app.add_transform(d.EditorialLabel)
    app.add_transform(FactsOutOfHeadings)  # before anything copies a title out of the page
    app.connect("config-inited", check_config, priority=400)  # before Sphinx's own type check (800)
    app.connect("builder-inited", builder_inited)
    app.connect("env-get-outdated", env_get_outdated)
    app.connect("env-get-outdated", root_outdated)
    app.connect("env-updated", rewrite_all_on_new_contents)
    app.connect("doctree-read", note_file)
    # env-updated, not env-check-consistency: Sphinx checks consistency only in a build that read
    # something, and a strict build must fail again on a second run with no change
    app.connect("env-updated", listed_twice)
    app.connect("env-updated", check_sourced_globs)
    app.connect("doctree-read", add_to_root_toctree, priority=400)  # before Sphinx's toctree collector (500)
    app.connect("env-before-read-docs", skip_undecodable_pages)
    app.connect("env-before-read-docs", env_before_read_docs)
    app.connect("doctree-read", check_sourcing)
    app.connect("doctree-read", check_ids)
    app.connect("doctree-read", note_what_is_drawn)
    app.connect("doctree-read", check_reach, priority=600)  # after Sphinx's collectors noted the page's files
    app.connect("env-get-outdated", outdated_by_conditions)
    app.connect("env-updated", env_updated)
    app.connect("doctree-resolved", resolve)
    app.connect("doctree-resolved", check_one_page_ids)
    app.connect("build-finished", build_finished)
    app.connect("build-finished", fail_strict_one_page)
    # After every extension has loaded its data (the env, our fact base), and again once the
    # doctrees are read; thawed first thing at the end, whether the build failed or not.
    heap = HeapFreeze()
    app.connect("builder-inited", heap.freeze, priority=900)
    app.connect("env-updated", heap.freeze, priority=900)
    app.connect("build-finished", heap.thaw, priority=100)
    app.connect("builder-inited", _add_static)
    app.add_css_file("tracefacts.css")
    app.add_js_file("tracefacts.js", defer="defer")
    # The extension's own words in the build's `language` (gettext catalog in ./locale); the
    # touch tip's words reach tracefacts.js as a JSON block in each page.
    register_catalog(app)
    app.connect("builder-inited", add_script_words)
    # EPUB: citations as EPUB 3 notes, made before resolve (500) turns markers into links
    app.add_node(tf_noteref, html=NOTEREF_HTML)
    app.add_node(tf_note, html=NOTE_HTML)
    app.connect("doctree-resolved", epub_notes, priority=400)
    app.connect("builder-inited", add_epub_css)
    # text, man, texinfo: a source page's line numbers in a column of their own
    app.add_node(tf_plain_line, **PLAIN_LINE_VISITORS)
    app.add_post_transform(PlainSourceLines)
    # LaTeX: citations as footnotes, quote anchors as labels, source pages as the appendix
    setup_latex(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 6}
