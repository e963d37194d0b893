"""`make pdf`: the handbook in docs/ as one PDF briefing, docs/_build/pdf/muse-spark-briefing.pdf.

A thin entry point; the work is done by tracefacts.pdf.build_pdf.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracefacts.pdf import PdfBuildError, build_pdf
from tracefacts.report import shown

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=ROOT / "docs", help="the Sphinx source folder")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/_build/pdf/muse-spark-briefing.pdf",
                        help="the PDF to write")
    parser.add_argument("--html-dir", type=Path, default=ROOT / "docs/_build/pdf-html",
                        help="where Sphinx writes the single HTML page")
    parser.add_argument("-v", "--verbose", action="store_true", help="also say what was repaired on the way")
    args = parser.parse_args(argv)
    try:
        result = build_pdf(args.docs, args.out, html_dir=args.html_dir)
    except PdfBuildError as exc:
        print(f"build_pdf: {shown(str(exc))}", file=sys.stderr)  # it may quote a source: escaped
        return 1
    try:
        where = result.path.relative_to(Path.cwd())
    except ValueError:
        where = result.path
    print(f"{where}: {result.pages} pages in {result.seconds:.1f} s")
    if args.verbose:
        for note in result.notes:
            print(f"  note: {note}")
        print(f"  {result.internal_links} internal links checked, {result.filtered} CSS warning(s) filtered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
