"""Browser tests: a small fixture handbook, built once, served over HTTP, driven in Chromium.

The handbook is written here (not taken from the real docs/, which change under other
hands): two seed texts, a fact base that exercises every kind of citation (corroborated,
vendor claim, opinion, recommendation, stale, elided quote, HTML payloads), and MyST pages using every
role and directive of ``tracefacts.sphinx``.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest
import yaml

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "browser"
TODAY = "2026-11-23"

# Payloads that must come out as literal text, never as markup.
SCRIPT_PAYLOAD = "<script>window.__pwned=1</script>"
ATTR_PAYLOAD = '"><img src=x onerror="window.__pwned=2">'

# Unquoted paragraphs that make source pages taller than a window, so that reaching a
# quote needs scrolling.
FILLER = "\n".join(f"\nFiller paragraph {n} only makes the page long enough to need scrolling." for n in range(1, 13))

SEED_A = textwrap.dedent("""\
    Menu Home Subscribe

    Meta released Muse Spark on 8 April 2026 as a closed model.

    The model ships with no open weights and is available only through the Meta AI app.
    {filler}

    Meta says Muse Spark beats every rival on reasoning benchmarks, a claim nobody has checked.

    The first part of the plan was simple and clear, and then, after a long pause
    and much debate, the second part of the plan came into view.

    Critics argue that the pivot leaves Llama builders stranded without a path forward.

    Pricing details will be announced later this year, the company said.

    Builders should keep their Llama deployments running until the terms are clear.
    """).replace("{filler}", FILLER)

SEED_B = textwrap.dedent(f"""\
    Share this article

    Muse Spark ships with no open weights for developers, the company confirmed.
    {{filler}}

    A forum post showed {SCRIPT_PAYLOAD} next to {ATTR_PAYLOAD} as a test of the site.
    """).replace("{filler}", FILLER)

PAYLOAD_QUOTE = f"{SCRIPT_PAYLOAD} next to {ATTR_PAYLOAD} as a test"


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sources_yaml(sha_a: str, sha_b: str) -> str:
    return textwrap.dedent(f"""\
        sources:
          - id: alpha-2026-04-10
            file: seeds/a.txt
            title: "Muse Spark arrives as a closed model"
            publisher: "Alpha News"
            published: 2026-04-10
            sha256: {sha_a}
            notes: "A fixture news report."
            chrome:
              - "Menu Home Subscribe"
          - id: beta-2026-04-12
            file: seeds/b.txt
            title: {_q("Beta digest " + SCRIPT_PAYLOAD + " " + ATTR_PAYLOAD)}
            publisher: "Beta Blog"
            published: 2026-04-12
            sha256: {sha_b}
            notes: {_q("Notes with " + SCRIPT_PAYLOAD + " and " + ATTR_PAYLOAD)}
            chrome:
              - "Share this article"
        """)


FACTS_YAML = textwrap.dedent(f"""\
    facts:
      - id: x.closed-weights
        statement: Muse Spark ships with no open weights.
        kind: reported
        topic: muse-spark
        subject: muse-spark
        attribute: weights
        value: closed
        sources:
          - source: alpha-2026-04-10
            quote: "The model ships with no open weights"
          - source: beta-2026-04-12
            quote: "Muse Spark ships with no open weights for developers"
      - id: x.benchmark-claim
        statement: Muse Spark beats every rival on reasoning benchmarks.
        kind: vendor-claim
        claimant: Meta
        topic: muse-spark
        subject: muse-spark
        attribute: benchmarks
        value: beats every rival
        sources:
          - source: alpha-2026-04-10
            quote: "Muse Spark beats every rival on reasoning benchmarks"
      - id: x.stranded
        statement: The pivot leaves Llama builders stranded.
        kind: opinion
        claimant: Critics
        topic: llama
        sources:
          - source: alpha-2026-04-10
            quote: "the pivot leaves Llama builders stranded without a path forward"
      - id: x.pricing
        statement: The company says pricing is to be announced later in the year.
        kind: reported
        topic: muse-spark
        subject: muse-spark
        attribute: pricing
        value: to be announced
        review_by: 2026-06-01
        sources:
          - source: alpha-2026-04-10
            quote: "Pricing details will be announced later this year"
      - id: x.release
        statement: Meta released Muse Spark on 8 April 2026.
        kind: reported
        topic: muse-spark
        date: 2026-04-08
        sources:
          - source: alpha-2026-04-10
            quote: "Meta released Muse Spark on 8 April 2026 as a closed model"
      - id: x.two-parts
        statement: The plan came in two parts, with a long pause between them.
        kind: reported
        topic: strategy
        sources:
          - source: alpha-2026-04-10
            quote: "The first part of the plan was simple […] the second part of the plan came into view"
      - id: x.keep-llama
        statement: Keep Llama deployments running until the terms are clear.
        kind: recommendation
        claimant: Alpha News
        topic: llama
        sources:
          - source: alpha-2026-04-10
            quote: "Builders should keep their Llama deployments running until the terms are clear"
      - id: x.payload
        statement: {_q("A forum post showed " + SCRIPT_PAYLOAD + " and " + ATTR_PAYLOAD + " (payloads 1 and 2).")}
        kind: opinion
        claimant: {_q("Mallory " + SCRIPT_PAYLOAD + " " + ATTR_PAYLOAD)}
        topic: security
        sources:
          - source: beta-2026-04-12
            quote: {_q(PAYLOAD_QUOTE)}
    """)

CONF_PY = textwrap.dedent(f"""\
    project = "Fixture handbook"
    author = "Browser tests"
    extensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]
    myst_enable_extensions = ["colon_fence"]
    source_suffix = {{".md": "markdown"}}
    exclude_patterns = ["_build"]
    html_theme = "furo"
    html_title = "Fixture handbook"
    tracefacts_root = ".."
    tracefacts_today = "{TODAY}"
    """)

PAGES = {
    "index.md": """\
        # Fixture handbook

        {fact}`x.release`

        ```{fact-summary}
        ```

        ```{toctree}
        :maxdepth: 1
        :caption: Pages

        facts
        table
        payload
        matrix
        ```

        ```{toctree}
        :maxdepth: 1
        :caption: Sources
        :glob:

        sources/*
        ```
        """,
    "facts.md": """\
        # Facts

        {fact}`x.closed-weights`

        {fact}`x.benchmark-claim`

        {fact}`x.stranded`

        Builders cannot download the model {cite-fact}`x.closed-weights`.

        {fact}`x.pricing`

        {fact}`x.two-parts`

        {fact}`x.keep-llama`

        ## Every Muse Spark fact

        ```{fact-list}
        :topic: muse-spark
        ```

        ```{editorial}
        This paragraph is our own analysis and carries no citation at all.
        ```
        """,
    "table.md": """\
        # Tables

        ## Muse Spark at a glance

        ```{fact-table}
        :subject: muse-spark
        :attributes: weights, benchmarks, pricing, licence
        :labels: muse-spark=Muse Spark
        ```

        ## Timeline

        ```{timeline}
        ```
        """,
    "payload.md": """\
        # Payload

        {fact}`x.payload`
        """,
    "matrix.md": """\
        # Trace matrix

        ```{trace-matrix}
        ```
        """,
}


@dataclass(frozen=True)
class Handbook:
    root: Path
    html: Path
    base_url: str
    facts: list[dict] = field(repr=False)
    sources: list[dict] = field(repr=False)
    payloads: tuple[str, str] = field(default=(SCRIPT_PAYLOAD, ATTR_PAYLOAD), repr=False)
    payload_quote: str = field(default=PAYLOAD_QUOTE, repr=False)

    def url(self, page: str) -> str:
        return f"{self.base_url}/{page}"

    def fact(self, fact_id: str) -> dict:
        return next(f for f in self.facts if f["id"] == fact_id)


def write_handbook(root: Path) -> None:
    (root / "seeds").mkdir(parents=True)
    (root / "facts").mkdir()
    (root / "docs").mkdir()
    a, b = root / "seeds" / "a.txt", root / "seeds" / "b.txt"
    a.write_text(SEED_A, encoding="utf-8")
    b.write_text(SEED_B, encoding="utf-8")
    sha = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (a, b)]
    (root / "facts" / "sources.yaml").write_text(sources_yaml(*sha), encoding="utf-8")
    (root / "facts" / "x.yaml").write_text(FACTS_YAML, encoding="utf-8")
    (root / "docs" / "conf.py").write_text(CONF_PY, encoding="utf-8")
    for name, text in PAGES.items():
        (root / "docs" / name).write_text(textwrap.dedent(text), encoding="utf-8")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on a free local port, as its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def handbook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Handbook]:
    root = tmp_path_factory.mktemp("handbook")
    write_handbook(root)
    out = root / "docs" / "_build" / "html"
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-b", "html", "-q", str(root / "docs"), str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"sphinx-build -W failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    facts = yaml.safe_load((root / "facts" / "x.yaml").read_text(encoding="utf-8"))["facts"]
    sources = yaml.safe_load((root / "facts" / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    with served(out) as base_url:
        yield Handbook(root, out, base_url, facts, sources)


@pytest.fixture(scope="session")
def real_handbook_site(real_handbook_html: Path) -> Iterator[str]:
    """The real handbook's strict build (tests/conftest.py), served: its base URL."""
    with served(real_handbook_html) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (scripts/system-deps.sh); "
                    "the browser tests need it and are not skipped without it", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class Tab:
    """A browser page with everything that went wrong on it: console errors, uncaught
    exceptions and failed requests (HTTP status ≥ 400)."""

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught exception: {error}"))
        self.page.on("response", self._response)

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        url = message.location.get("url", "")
        # Chromium asks every site for /favicon.ico on its own; a page without an icon is not broken.
        if message.type == "error" and not url.endswith("/favicon.ico"):
            self.errors.append(f"console error: {message.text} ({url})")

    def _response(self, response) -> None:  # type: ignore[no-untyped-def]
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def reset(self) -> Tab:
        """Ready for the next test: nothing recorded, pointer in the corner, no page."""
        self.page.goto("about:blank")
        self.page.mouse.move(0, 0)
        self.errors.clear()
        return self


@pytest.fixture(scope="session")
def _tabs(browser):  # type: ignore[no-untyped-def]
    """One context and one page per set of options (viewport, colour scheme…), reused from test
    to test: making them is the slow part of a browser test."""
    made: dict[str, tuple[object, Tab]] = {}
    yield made
    for context, _ in made.values():
        context.close()  # type: ignore[attr-defined]


@pytest.fixture
def open_tab(browser, _tabs):  # type: ignore[no-untyped-def]
    """``open_tab(viewport=…, color_scheme=…)`` → the Tab for those options, reset."""

    def make(**options: object) -> Tab:
        options = {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light", **options}
        key = repr(sorted(options.items()))
        if key not in _tabs:
            context = browser.new_context(**options)
            _tabs[key] = (context, Tab(context))
        return _tabs[key][1].reset()

    return make


@pytest.fixture
def tab(open_tab) -> Tab:  # type: ignore[no-untyped-def]
    """A light-mode desktop tab."""
    return open_tab()
