"""Anything `tracefacts check` accepts builds: titles, publishers, claimants, tags and
statements of any characters render as text in a strict HTML build, never a traceback."""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tracefacts.check import check

pytestmark = pytest.mark.slow

SEED = "Acme Labs released a closed model to its partners, and kept the weights to itself.\n"
QUOTE = "released a closed model to its partners"
CONF = """\
extensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]
tracefacts_root = ".."
tracefacts_today = "2026-11-23"
exclude_patterns = ["_build"]
"""

# Text a YAML author might paste: markup of MyST, reST and HTML, quotes and dashes, controls,
# bidi overrides, line and paragraph separators, CJK and emoji; no digits (a statement's
# figures must stand in its quote: that rule is tested elsewhere).
NASTY = "`{}<>&*_#[]()!|\\$:~^%@=+-—–'\"“”‘’…\u202e\u2066\u2069\u200f\u2028\u2029\x1b\x07\x7f\u0085\t 中文🚀é"
characters = st.characters(blacklist_categories=("Cs", "Nd"), blacklist_characters="\x00")
text = st.text(st.one_of(st.sampled_from(NASTY), characters), min_size=1, max_size=40)
slug = st.from_regex(r"[a-z]+(-[a-z]+)?", fullmatch=True)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, object]:
    return {"title": draw(text), "publisher": draw(text), "claimant": draw(text),
            "tags": draw(st.lists(slug, max_size=3, unique=True)), "statement": draw(text),
            "kind": draw(st.sampled_from(["reported", "vendor-claim", "opinion", "recommendation"]))}


def write_handbook(root: Path, items: list[dict[str, object]]) -> None:
    (root / "seeds").mkdir(parents=True)
    (root / "facts").mkdir()
    (root / "docs").mkdir()
    (root / "seeds/s.txt").write_text(SEED, encoding="utf-8")
    digest = hashlib.sha256(SEED.encode()).hexdigest()
    sources = [{"id": f"s{i}", "file": "seeds/s.txt", "title": e["title"], "publisher": e["publisher"],
                "published": "2026-04-0" + str(i + 1), "sha256": digest} for i, e in enumerate(items)]
    facts = [{"id": f"f.n{i}", "statement": e["statement"], "kind": e["kind"], "claimant": e["claimant"],
              "topic": "t", "tags": e["tags"], "date": "2026-04-01", "subject": f"x{chr(97 + i)}",
              "attribute": "said", "value": e["statement"],
              "sources": [{"source": f"s{i}", "quote": QUOTE}]} for i, e in enumerate(items)]
    (root / "facts/sources.yaml").write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True),
                                             encoding="utf-8")
    (root / "facts/f.yaml").write_text(yaml.safe_dump({"facts": facts}, allow_unicode=True), encoding="utf-8")
    (root / "docs/conf.py").write_text(CONF, encoding="utf-8")
    roles = "\n\n".join(f"{{fact}}`f.n{i}`" for i in range(len(items)))
    cites = " ".join(f"Acme kept it closed. {{cite-fact}}`f.n{i}`" for i in range(len(items)))
    (root / "docs/index.md").write_text(
        f"# Home\n\n{roles}\n\n{cites}\n\n```{{fact-list}}\n:topic: t\n```\n\n"
        "```{fact-table}\n:attributes: said\n```\n\n```{timeline}\n```\n\n```{trace-matrix}\n```\n\n"
        "```{fact-summary}\n```\n\n```{toctree}\n:glob:\nsources/*\n```\n", encoding="utf-8")


KNOWN = {"title": "Rocket \"One\" -- <b>launch</b>", "publisher": "/r/LocalLLaMA", "claimant": "/u/someone",
         "tags": ["rumour"], "statement": "Acme said so \u202e and more.", "kind": "vendor-claim"}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(items=st.lists(entries(), min_size=1, max_size=3))
@example(items=[KNOWN])  # a publisher whose first word has no letter crashed the build with IndexError
def test_what_check_accepts_builds_without_error(items, tmp_path_factory):
    root = tmp_path_factory.mktemp("prop")
    write_handbook(root, items)
    result = check(root)
    assume(not result.errors)
    out = root / "docs/_build/html"
    build = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
                            str(root / "docs"), str(out)], capture_output=True, text=True, cwd=root)
    assert "Traceback" not in build.stderr and "Exception occurred" not in build.stderr, build.stderr
    assert build.returncode == 0, build.stderr
    page = html.unescape(re.sub(r"<[^>]+>", "", (out / "index.html").read_text(encoding="utf-8")))
    flat = " ".join(page.split())
    for item in items:
        statement = str(item["statement"])
        if statement.isprintable() and statement.strip():  # controls may be shown escaped
            assert " ".join(statement.split()) in flat
