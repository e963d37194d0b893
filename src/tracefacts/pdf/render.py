"""WeasyPrint: the reshaped page set with ``pdf.css``, its log sorted into noise and problems.

Dropping the screen stylesheets (``paper.prepare``) removes WeasyPrint's CSS warnings at
their cause; any that still come (from ``stylesheets=`` added by a caller) are dropped as
noise by ``CssNoiseFilter``. Anything else WeasyPrint logs at warning level or above (a
missing image, a link to no anchor, a character no font draws) fails the build.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from .errors import INSTALL_HINT, MissingDependency, PdfBuildError

STYLESHEET = Path(__file__).with_name("pdf.css")
PANGO_HINT = "Debian, Ubuntu: apt install libpango-1.0-0 libpangoft2-1.0-0"


def load_weasyprint() -> ModuleType:
    """WeasyPrint, or a one-line ``MissingDependency`` saying how to install what is missing."""
    try:
        import weasyprint
    except ImportError:
        raise MissingDependency(f"WeasyPrint is not installed, and the PDF is set by it: {INSTALL_HINT}") from None
    except OSError as exc:  # the package is there, the system libraries it loads are not
        first = (str(exc).strip().splitlines() or ["no reason given"])[0]
        raise MissingDependency(f"WeasyPrint cannot start: it needs Pango from the operating system "
                                f"({PANGO_HINT}); {first}") from None
    return weasyprint


CSS_NOISE = re.compile(
    r"""^(?:
        Ignored\ `[^`]*`\ at\ \d+:\d+,\ (?:unknown\ property|invalid\ value|prefix\ on\ this\ attribute)
      | Deprecated\ `[^`]*`\ at\ \d+:\d+,\ prefixes\ on\ unstable\ attributes
      | Expected\ a\ media\ type,\ got
      | Invalid\ media\ type\ .*the\ whole\ @media\ rule\ was\ ignored
      | Unknown\ rule\ <AtRule\ @(?:-webkit-|-moz-)?(?:keyframes|font-feature-values|property|container|supports|layer)
      | Invalid\ or\ unsupported\ selector
      | Parse\ error\ at\ \d+:\d+:\ (?:EOF\ reached\ before|expected\ a\ selector|invalid\ )
    )""",
    re.VERBOSE,
)


def is_css_noise(message: str) -> bool:
    """A CSS rule or property WeasyPrint skips: what screen stylesheets are full of."""
    return bool(CSS_NOISE.match(message))


class CssNoiseFilter(logging.Filter):
    """Drops WeasyPrint's warnings about CSS it does not support; keeps everything else.

    Errors are never dropped, whatever they say."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR and is_css_noise(record.getMessage()):
            self.dropped += 1
            return False
        return True


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def weasyprint_log() -> Iterator[tuple[_Collect, CssNoiseFilter]]:
    """While rendering, WeasyPrint's warnings go to a list (minus the CSS noise), not the console."""
    logger = logging.getLogger("weasyprint")
    handler, noise = _Collect(), CssNoiseFilter()
    handler.addFilter(noise)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler, noise
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate



def render(weasyprint: ModuleType, document: Any, out: Path, stylesheets: Sequence[str | Path] = ()) -> tuple[Any, int]:
    """Set ``document`` (a ``weasyprint.HTML``) with ``pdf.css``, then ``stylesheets``, and
    write it to ``out`` if WeasyPrint reported nothing; returns (the rendered document, the
    number of CSS-noise messages dropped). Raises ``PdfBuildError`` listing the problems."""
    css = [weasyprint.CSS(filename=str(STYLESHEET))] + [weasyprint.CSS(filename=str(s)) for s in stylesheets]
    with weasyprint_log() as (handler, noise):
        rendered = document.render(stylesheets=css)
        if not handler.records:
            out.parent.mkdir(parents=True, exist_ok=True)
            rendered.write_pdf(out)
    if handler.records:
        problems = "\n".join(f"  {r.levelname.lower()}: {r.getMessage()}" for r in handler.records)
        if any(".notdef glyph" in r.getMessage() for r in handler.records):
            problems += ("\n  no installed font draws these characters: install the fonts the PDF uses "
                         "(`make system-deps`: Debian's fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji)")
        raise PdfBuildError(f"WeasyPrint reported {len(handler.records)} problem(s):\n{problems}")
    return rendered, noise.dropped
