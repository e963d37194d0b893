"""The `tracefacts` command: check, find, pin, coverage, export, add, pdf."""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .check import CheckResult, check, failing
from .formats.cache import ExtractionCache, cli_cache
from .load import ISO_DATE, SOURCES_FILE, find_root
from .report import Painter, format_problems, json_text, out, plural, shown_line, shown_lines, summary, use_colour
from .safeio import DEFAULT_MAX_FILE_SIZE, parse_size

if TYPE_CHECKING:
    from .add import Document

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _date(value: str) -> dt.date:
    # fromisoformat alone also takes 20260501 and week dates (2026-W18-5): only what the help promises
    try:
        if ISO_DATE.match(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{shown_line(repr(value))} is not a date written YYYY-MM-DD")


def _size(value: str) -> int:
    try:
        return parse_size(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _root(args: argparse.Namespace) -> Path:
    if args.root is not None:
        root = Path(args.root)
        if not root.is_dir():
            raise UsageError(f"--root {args.root}: no such folder")
        if not (root / SOURCES_FILE).is_file():
            raise UsageError(f"--root {args.root}: it has no {SOURCES_FILE}")
        return root.resolve()
    found = find_root(Path.cwd())
    if found is None:
        raise UsageError(f"no {SOURCES_FILE} here or in any folder above; pass --root DIR")
    return found


def _extractor(args: argparse.Namespace, root: Path) -> ExtractionCache | None:
    """HTML and PDF sources are read once and remembered in <root>/.tracefacts-cache/ (not text ones)."""
    return None if getattr(args, "no_cache", False) else cli_cache(root)


def cmd_check(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    root = _root(args)
    result = check(root, args.today, max_file_size=args.max_file_size, extractor=_extractor(args, root))
    failed = failing(result.problems, args.strict, args.fail_stale)
    if args.format == "json":
        print(json_text({
            "ok": not failed, "facts": len(result.base.facts), "sources": len(result.base.sources),
            "problems": [p.as_dict() for p in result.problems],
        }))
    elif args.format in ("github", "sarif"):
        _ci_output(args, root, result, failed)
    else:
        paint = Painter(use_colour(sys.stdout))
        if result.problems:
            out(format_problems(result.problems, paint), escaped=True)
            out()
        verdict = paint("error", "FAILED") if failed else "ok"
        out(f"{summary(len(result.base.facts), len(result.base.sources), result.problems)}: {verdict} "
            f"({time.perf_counter() - started:.2f} s)", escaped=True)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _ci_base(root: Path) -> Path:
    """Where annotations and SARIF locations are resolved: the checkout holding the handbook
    (the nearest folder with `.git`, from the handbook up), else the working directory if the
    handbook is inside it, else the handbook itself — never a full path, wherever `check` runs."""
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    cwd = Path.cwd().resolve()
    return cwd if root.is_relative_to(cwd) else root


def _ci_paths(root: Path, result: CheckResult) -> list[str]:
    """Each problem's file relative to ``_ci_base``: the handbook may be a folder of the checkout."""
    prefix = root.relative_to(_ci_base(root)).as_posix()
    return [p.file if prefix == "." else f"{prefix}/{p.file}" for p in result.problems]


def _ci_output(args: argparse.Namespace, root: Path, result: CheckResult, failed: bool) -> None:
    import os

    from .ci_report import github_lines, sarif_text, step_summary

    paths = _ci_paths(root, result)
    if args.format == "sarif":
        print(sarif_text(result.problems, paths, fail_stale=args.fail_stale, base=_ci_base(root)))
        return
    verdict = (f"{summary(len(result.base.facts), len(result.base.sources), result.problems)}: "
               f"{'FAILED' if failed else 'ok'}")
    for line in github_lines(result.problems, paths, fail_stale=args.fail_stale):
        out(line, escaped=True)  # every piece from the data is escaped by ci_report
    out(f"tracefacts: {verdict}")
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        try:
            with open(target, "a", encoding="utf-8") as stream:  # other steps' summaries stay
                stream.write(step_summary(result.problems, paths, verdict, fail_stale=args.fail_stale))
        except OSError as exc:
            out(f"tracefacts: could not write the job summary to {shown_line(target)}: "
                f"{shown_line(exc.strerror or str(exc))}", sys.stderr, escaped=True)


def _checked(args: argparse.Namespace) -> CheckResult:
    root = _root(args)
    return check(root, getattr(args, "today", None), max_file_size=args.max_file_size,
                 extractor=_extractor(args, root))


def _say_unread(result: CheckResult) -> None:
    """Name the registered sources a search could not look in, with the reason's code."""
    unread = [(sid, next((p.code for p in result.problems if p.source == sid and p.code.startswith("source-")
                          and p.code not in ("source-unpinned", "source-hash-mismatch")), "unreadable"))
              for sid in result.base.sources if sid not in result.texts]
    if unread:
        said = ", ".join(f"{sid} ({code})" for sid, code in unread)
        out(shown_line(f"{plural(len(unread), 'source')} could not be read: {said}"), sys.stderr, escaped=True)


def cmd_find(args: argparse.Namespace) -> int:
    from .find import Occurrence, find_text, yaml_entry
    from .formats import page_label

    result = _checked(args)
    hits = find_text(result.texts, args.text)
    _say_unread(result)

    def pages(hit: Occurrence) -> tuple[int, int] | None:  # a PDF source: the page(s) it stands on
        return result.texts[hit.source].pages_of(hit.start, hit.end)

    if args.format == "json":
        print(json_text([{"source": h.source, "line": h.line, "start": h.start, "end": h.end,
                        "pages": list(p) if (p := pages(h)) else None,
                        "exact": h.exact, "prefix": h.prefix, "context": h.context} for h in hits]))
        return EXIT_OK if hits else EXIT_PROBLEMS
    if not hits:
        out(f"not found in any of the {len(result.texts)} sources: {args.text!r}")
        return EXIT_PROBLEMS
    paint = Painter(use_colour(sys.stdout))
    for hit in hits:
        file = result.base.sources[hit.source].file
        on = page_label(pages(hit))
        out(f"{paint('bold', hit.source)} {shown_line(file)}:{hit.line}{', ' + on if on else ''} "
            f"(characters {hit.start}-{hit.end})", escaped=True)
        for line in _LINE_BREAK.split(hit.context):  # a passage across a line break: each line indented
            out(f"    {shown_line(line)}", escaped=True)
        if len(hit.exact.split()) < 3:  # check would refuse it as quote-too-short
            out("  too short to quote (a quote needs 3 words or more): search for a longer passage")
            continue
        out("  ready to paste under `sources:`:")
        out("".join("    " + line + "\n" for line in yaml_entry(hit).splitlines()))
    out(plural(len(hits), "occurrence"))
    return EXIT_OK


def cmd_pin(args: argparse.Namespace) -> int:
    from .load import load
    from .pin import pin

    root = _root(args)
    known = load(root, max_file_size=args.max_file_size).sources
    unknown = [i for i in args.ids if i not in known]
    if unknown:
        raise UsageError(f"no source with id {', '.join(unknown)}; known: {', '.join(known) or 'none'}")
    outcomes = pin(root, args.ids, force=args.force, max_file_size=args.max_file_size)
    for o in outcomes:
        out(shown_line(f"{o.source}: {o.status}" + (f" ({o.message})" if o.message else "")), escaped=True)
    return EXIT_PROBLEMS if any(o.status == "refused" for o in outcomes) else EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    from .coverage import coverage

    result = _checked(args)
    report = coverage(result)
    below = [c for c in report if args.min is not None and c.share * 100 < args.min]
    # a registered source that cannot be read covers nothing: said, and below any --min
    unread = [sid for sid in result.base.sources if sid not in result.texts]
    _say_unread(result)
    if args.format == "json":
        print(json_text([{
            "source": c.source, "sentences": len(c.sentences), "covered": c.covered,
            "share": round(c.share, 4), "headings": c.headings, "chrome_lines": c.chrome_lines,
            "uncovered": [{"line": s.line, "text": s.text} for s in c.uncovered],
        } for c in report]))
    elif args.summary:  # one line a source, however long the sources
        for c in report:
            out(shown_line(f"{c.source} {result.base.sources[c.source].file}: {c.share:.0%} "
                           f"({c.covered}/{len(c.sentences)} sentences covered)"), escaped=True)
    else:
        for c in report:
            out(shown_line(f"{c.source}: {c.covered}/{len(c.sentences)} sentences covered ({c.share:.0%}); "
                           f"{c.headings} headings and {c.chrome_lines} chrome lines not counted"), escaped=True)
            for s in c.uncovered:
                out(f"    line {s.line}: {shown_line(s.text)}", escaped=True)
    failing = [c.source for c in below] + (unread if args.min is not None else [])
    if failing:
        out(shown_line(f"below --min {args.min:g}%: {', '.join(failing)}"), sys.stderr, escaped=True)
    return EXIT_PROBLEMS if failing else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .export import to_json, to_w3c

    result = _checked(args)
    data = to_json(result) if args.format == "json" else to_w3c(result)
    text = json_text(data) + "\n"
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        from .atomic import DescriptorTarget, NotRegularFile, write_atomic

        try:
            write_atomic(Path(args.output), text.encode("utf-8"))
        except NotRegularFile as exc:  # a device or FIFO is not replaced, nor written to (it could block)
            hint = (f"name a file in it, e.g. {Path(args.output) / 'tracefacts.json'}" if exc.errno == errno.EISDIR
                    else "leave out -o (or give -o -) to write to standard output" if isinstance(exc, DescriptorTarget)
                    else "to write to standard output, leave out -o (or give -o -) and redirect it")
            raise OSError(exc.errno, f"{exc.strerror}; {hint}", exc.filename) from None
        out(shown_line(f"wrote {args.output}"), sys.stderr, escaped=True)
    return EXIT_OK if not result.errors else EXIT_PROBLEMS


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{shown_line(repr(value))} is not a number of seconds above 0")
    return seconds


def _document_to_add(args: argparse.Namespace, root: Path) -> tuple[Document, str | None]:
    """The document ``tracefacts add`` was given (a fetched URL or a file), and the line saying it was fetched."""
    from urllib.parse import unquote, urlsplit

    from .add import AddError, Document, in_seeds, read_local, safe_name, size_text
    from .fetch import FetchLimits, fetch, looks_like_url, url_problem
    from .formats import format_of
    from .safeio import Refused, read_confined

    target = args.target
    if looks_like_url(target) and not Path(target).exists():
        why = url_problem(target)
        if why is not None:
            raise UsageError(why)
        got = fetch(target, FetchLimits(args.max_file_size, total_seconds=args.timeout))
        name = safe_name(unquote(urlsplit(got.final_url).path.rpartition("/")[2]))
        moved = f", redirected to {got.final_url}" if got.redirects else ""
        said = f"fetched {target} ({got.media_type or 'untyped'}, {size_text(len(got.data))}{moved})"
        return Document(got.data, got.format, target, name=name, url=got.final_url, retrieved=dt.date.today()), said
    path = Path(target)
    rel = in_seeds(root, path)
    if rel is not None:  # already in seeds/: registered where it is, read as every source is (no link followed)
        data = read_confined(root, rel, within="seeds", limit=args.max_file_size)
        if isinstance(data, Refused):
            raise AddError(f"{rel} {data.describe(rel)}; nothing was added", 1)
        return Document(data, format_of(rel), target, in_place=rel), None
    data = read_local(path, args.max_file_size)
    name = safe_name(path.name)
    if name is None:
        raise UsageError(f"{target}: its name has no letter or digit to name a file of seeds/ by; rename it")
    return Document(data, format_of(name), target, name=name), None


def cmd_add(args: argparse.Namespace) -> int:
    import shlex

    from .add import AddError, Given, add
    from .fetch import FetchError

    root = _root(args)
    try:
        doc, fetched = _document_to_add(args, root)
        if fetched is not None:
            out(shown_line(fetched), escaped=True)
        added = add(root, doc, Given(args.id, args.title, args.publisher, args.published),
                    max_file_size=args.max_file_size)
    except FetchError as exc:
        out(shown_line(f"tracefacts add: {exc}; nothing was added"), sys.stderr, escaped=True)
        return EXIT_PROBLEMS
    except AddError as exc:
        out(shown_line(f"tracefacts add: {exc}"), sys.stderr, escaped=True)
        if exc.detail:
            out(shown_lines(exc.detail, "  "), sys.stderr, escaped=True)
        return exc.code
    for line in added.lines:
        out(shown_line(line), escaped=True)
    where = f" --root {shlex.quote(args.root)}" if args.root is not None else ""
    out(shown_line(f'to cite it: tracefacts find "a few words of it"{where} prints a quote entry '
                   f"(source: {added.entry.id}) to paste under a fact's sources:"), escaped=True)
    return EXIT_OK


def _pdf_paths(args: argparse.Namespace) -> tuple[Path, Path | None, Path | None]:
    """DOCS, -o and --html-dir as given, or a usage error saying which one is wrong and why."""
    docs = Path(args.docs)
    if not docs.is_dir():
        raise UsageError(f"{args.docs}: no such folder (DOCS is the Sphinx source folder, with conf.py)")
    if not (docs / "conf.py").is_file():
        raise UsageError(f"{args.docs}: no conf.py in this folder; give the Sphinx source folder (DOCS)")
    output = Path(args.output) if args.output is not None else None
    if output is not None and output.is_dir():
        raise UsageError(f"-o {args.output} is a folder: name the PDF file, e.g. {output / 'briefing.pdf'}")
    html_dir = Path(args.html_dir) if args.html_dir is not None else None
    if html_dir is not None and html_dir.exists() and not html_dir.is_dir():
        raise UsageError(f"--html-dir {args.html_dir}: not a folder")
    return docs, output, html_dir


def _said(path: Path) -> str:
    """A path as the user would write it: relative to the working folder when it is inside it."""
    try:
        return shown_line(str(path.relative_to(Path.cwd())))
    except ValueError:
        return shown_line(str(path))


def cmd_pdf(args: argparse.Namespace) -> int:
    from .pdf import PdfBuildError, build_pdf

    docs, output, html_dir = _pdf_paths(args)
    try:
        result = build_pdf(docs, output, html_dir=html_dir)
    except PdfBuildError as exc:  # the message may quote a source (a Sphinx or WeasyPrint warning): escaped
        head, _, detail = str(exc).partition("\n")
        out(f"tracefacts pdf: {shown_line(head)}", sys.stderr, escaped=True)
        if detail.strip():
            out(shown_lines(detail, "  "), sys.stderr, escaped=True)
        return EXIT_PROBLEMS
    out(f"{_said(result.path)}: {plural(result.pages, 'page')} in {result.seconds:.1f} s", escaped=True)
    if args.verbose:
        for note in result.notes:
            out(f"  note: {shown_line(note)}", escaped=True)
        out(f"  {plural(result.internal_links, 'internal link')} checked, {result.filtered} CSS warning(s) "
            f"filtered; the single HTML page is in {_said(result.html_dir)}", escaped=True)
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from .init import SCHEMA_FILE, init

    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{args.dir} is not a folder")
    result = init(folder)
    if result.in_the_way:
        out(shown_line(f"tracefacts init: nothing written; {plural(len(result.in_the_way), 'file')} "
                       f"in the way in {args.dir}:"), sys.stderr, escaped=True)
        for rel in result.in_the_way:
            out(shown_line(f"    {rel.as_posix()}"), sys.stderr, escaped=True)
        out("move or delete them, or give another folder: tracefacts init DIR", sys.stderr)
        return EXIT_PROBLEMS
    for rel in result.written:
        out(shown_line(f"wrote {(folder / rel).as_posix()}"), escaped=True)
    if not result.schema_written:
        out(f"(the YAML files name {SCHEMA_FILE} for editors; this tracefacts cannot write it)")
    out(shown_line(f"next: cd {args.dir} && make check && make html"), escaped=True)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import build_schema

    print(json_text(build_schema(args.which)))
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", help="the handbook folder (default: nearest one above holding facts/sources.yaml)")
    common.add_argument("--today", type=_date, default=None, help="the date stale facts are judged by (YYYY-MM-DD)")
    common.add_argument("--max-file-size", type=_size, default=DEFAULT_MAX_FILE_SIZE, metavar="SIZE",
                        help="read no source or fact file larger than SIZE, e.g. 256M (default: 64M)")
    common.add_argument("--no-cache", action="store_true",
                        help="read HTML and PDF sources afresh, and remember nothing in .tracefacts-cache/")
    top = argparse.ArgumentParser(prog="tracefacts", description="Prove every quote of a fact base against its source.")
    top.add_argument("--version", action="version", version=f"tracefacts {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", parents=[common], help="check every fact, quote and source")
    p.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                   help="github: GitHub Actions annotations and job summary; sarif: SARIF 2.1.0 for code scanning")
    p.add_argument("--strict", action="store_true", help="warnings fail the check too (except stale)")
    p.add_argument("--fail-stale", action="store_true", help="with --strict, stale facts fail the check too")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("find", parents=[common], help="where a text stands in the sources")
    p.add_argument("text")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=cmd_find)

    p = sub.add_parser("pin", parents=[common], help="write the sha256 of sources into sources.yaml")
    p.add_argument("ids", nargs="*", metavar="ID", help="source ids (default: all)")
    p.add_argument("--force", action="store_true", help="pin even if some quotes do not match")
    p.set_defaults(run=cmd_pin)

    p = sub.add_parser("coverage", parents=[common], help="how much of each source the facts quote")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--min", type=float, default=None, metavar="PCT", help="fail if a source is below PCT%%")
    p.add_argument("--summary", action="store_true",
                   help="one line per source (id, file, share, counts), without the uncovered sentences")
    p.set_defaults(run=cmd_coverage)

    p = sub.add_parser("export", parents=[common], help="write the fact base as JSON or W3C annotations")
    p.add_argument("--format", choices=("json", "w3c"), default="json")
    p.add_argument("--output", "-o", default=None, help="file to write (default: standard output)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("add", help="copy or fetch a document into seeds/ and register it in sources.yaml",
                       description="Copy a file (PATH) or fetch a web page or PDF (an http or https URL) into "
                                   "seeds/, and add its entry, pinned, to facts/sources.yaml. Title, publisher "
                                   "and date come from the flags, else from the document's own metadata.")
    p.add_argument("target", metavar="PATH|URL", help="a local file, or an http:// or https:// URL")
    p.add_argument("--id", default=None, help="the source's id (default: <publisher>-<published>, as a slug)")
    p.add_argument("--title", default=None, help="the document's title (default: its own, e.g. HTML <title>)")
    p.add_argument("--publisher", default=None, help="who published it (default: the document's, e.g. og:site_name)")
    p.add_argument("--published", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="when it was published (default: the document's own date)")
    p.add_argument("--root", help="the handbook folder (default: nearest one above holding facts/sources.yaml)")
    p.add_argument("--max-file-size", type=_size, default=DEFAULT_MAX_FILE_SIZE, metavar="SIZE",
                   help="add no document larger than SIZE, e.g. 256M (default: 64M); a fetch stops reading past it")
    p.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                   help="give up a fetch that takes longer than SECONDS in all (default: 60; connecting: 10 at most)")
    p.set_defaults(run=cmd_add)

    p = sub.add_parser("pdf", help="build a Sphinx project that uses tracefacts.sphinx into one PDF briefing",
                       description="Build the Sphinx project in DOCS (it uses the tracefacts.sphinx extension) into "
                                   "one PDF briefing. Needs pip install 'tracefacts[pdf]' and Pango from the OS.")
    p.add_argument("docs", nargs="?", default="docs", metavar="DOCS",
                   help="the Sphinx source folder, with conf.py (default: docs)")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="the PDF to write (default: DOCS/_build/pdf/<html_title as a slug>.pdf)")
    p.add_argument("--html-dir", default=None, metavar="DIR",
                   help="where Sphinx writes the single HTML page (default: DOCS/_build/pdf-html)")
    p.add_argument("-v", "--verbose", action="store_true", help="also say what was repaired and checked on the way")
    p.set_defaults(run=cmd_pdf)

    p = sub.add_parser("init", help="write a small working handbook (example source, facts, Sphinx project, Makefile)",
                       description="Write a working handbook into DIR: seeds/example.txt, facts/sources.yaml "
                                   "(pinned), facts/example.yaml, docs/conf.py, docs/index.md and a Makefile "
                                   "(html, check, pdf). Nothing is written if any of these files exists.")
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="the folder to write into (default: .)")
    p.set_defaults(run=cmd_init)

    p = sub.add_parser("schema", help="print the JSON Schema of sources.yaml and fact files, for editors",
                       description="Print a JSON Schema (draft 2020-12) that editors use to complete, describe and "
                                   "flag the keys of facts/*.yaml. `all` (the default) serves every file of facts/: "
                                   "a file with a top-level `sources:` is judged as sources.yaml, any other as a "
                                   "fact file.")
    p.add_argument("which", nargs="?", choices=("all", "sources", "facts"), default="all",
                   help="sources: facts/sources.yaml only; facts: fact files only; all: both (default)")
    p.set_defaults(run=cmd_schema)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        out(shown_line(f"tracefacts {args.command}: {exc}"), sys.stderr, escaped=True)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a file we must write (export -o, pin) cannot be: say which, and why
        where = exc.filename or "a file"
        out(shown_line(f"tracefacts {args.command}: cannot write {where}: {exc.strerror or exc}"), sys.stderr,
            escaped=True)
        return EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
