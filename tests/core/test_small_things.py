"""Issue 16 item 5, small things found on the way: each asserts what the user sees."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tracefacts import __version__
from tracefacts.cli import main


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version_prints_the_name_and_version_and_exits_0(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"tracefacts {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)


def test_version_from_the_installed_command():
    done = subprocess.run([sys.executable, "-m", "tracefacts.cli", "--version"], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, f"tracefacts {__version__}\n")


# --- short: a source's marker label ------------------------------------------------------

TWO_COPIES = """\
  - id: spec-html
    file: seeds/spec.txt
    title: The spec, as a web page
    publisher: Example Standards Body
    short: HTML
    published: 2026-01-01
    sha256: {sha}
  - id: spec-pdf
    file: seeds/spec-copy.txt
    title: The spec, as a PDF
    publisher: Example Standards Body
    short: PDF
    published: 2026-01-01
    sha256: {sha}
"""

SPEC = "The widget protocol sends one greeting before any other message.\n"

SPEC_FACT = """\
facts:
  - id: spec.greeting
    statement: The widget protocol sends one greeting before any other message.
    kind: reported
    topic: spec
    sources:
      - source: spec-html
        quote: "The widget protocol sends one greeting before any other message."
      - source: spec-pdf
        quote: "The widget protocol sends one greeting before any other message."
"""


def _two_copies(capsys, root: Path) -> None:
    run(capsys, "init", str(root))
    (root / "seeds/spec.txt").write_text(SPEC)
    (root / "seeds/spec-copy.txt").write_text(SPEC)
    sha = hashlib.sha256(SPEC.encode()).hexdigest()
    with open(root / "facts/sources.yaml", "a") as sources:
        sources.write(TWO_COPIES.format(sha=sha))
    (root / "facts/spec.yaml").write_text(SPEC_FACT)
    with open(root / "docs/index.md", "a") as page:
        page.write("\n{fact}`spec.greeting`\n")


def test_short_is_loaded_and_exported(capsys, tmp_path):
    _two_copies(capsys, tmp_path)
    code, out, _ = run(capsys, "export", "--root", str(tmp_path))
    assert code == 0
    import json
    shorts = {s["id"]: s["short"] for s in json.loads(out)["sources"]}
    assert shorts == {"example-news": None, "spec-html": "HTML", "spec-pdf": "PDF"}


@pytest.mark.slow
def test_two_sources_of_one_publisher_show_their_short_labels_as_markers(capsys, tmp_path):
    _two_copies(capsys, tmp_path)
    built = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "docs", "docs/_build/html"],
                           cwd=tmp_path, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "docs/_build/html/index.html").read_text()
    markers = re.findall(r'<span class="tf-marker"[^>]*>([^<]*)</span>', page)
    assert {"HTML", "PDF", "Harbour"} <= set(markers)
    assert "Example" not in markers  # the publisher's first word is no longer the label


# --- messages -----------------------------------------------------------------------------


def _edited(capsys, root: Path, old: str, new: str) -> None:
    run(capsys, "init", str(root))
    facts = root / "facts/example.yaml"
    text = facts.read_text()
    assert old in text
    facts.write_text(text.replace(old, new, 1))


def test_an_opinion_without_claimant_is_called_an_opinion(capsys, tmp_path):
    _edited(capsys, tmp_path, "    claimant: A local historian\n", "")
    code, out, _ = run(capsys, "check", "--root", str(tmp_path))
    assert code == 1
    assert "is an opinion: say whose with `claimant:`" in out
    assert "a opinion" not in out


def test_three_dots_in_a_quote_not_found_get_a_hint_to_write_the_bracketed_ellipsis(capsys, tmp_path):
    _edited(capsys, tmp_path, 'quote: "The museum holds 40 lamps and lenses"',
            'quote: "The museum holds 40 ... lenses"')
    code, out, _ = run(capsys, "check", "--root", str(tmp_path))
    assert code == 1
    assert "quote-not-found" in out
    assert "to leave words out, write ` […] `" in out


def test_pin_says_why_it_cannot_read_an_unpinned_source(capsys, tmp_path):
    run(capsys, "init", str(tmp_path))
    sources = tmp_path / "facts/sources.yaml"
    sources.write_text(re.sub(r"\n    sha256: [0-9a-f]{64}", "", sources.read_text()))
    (tmp_path / "seeds/example.txt").unlink()
    code, out, _ = run(capsys, "pin", "--root", str(tmp_path))
    assert code == 1
    assert out.startswith("example-news: refused (cannot read it: ")
    assert "(source-missing)" in out
    assert "sha256" not in out


def test_find_names_the_sources_it_could_not_read(capsys, tmp_path):
    run(capsys, "init", str(tmp_path))
    (tmp_path / "seeds/example.txt").unlink()
    code, out, err = run(capsys, "find", "lighthouse museum", "--root", str(tmp_path))
    assert code == 1
    assert "1 source could not be read: example-news (source-missing)" in err


def test_coverage_summary_prints_one_line_per_source(capsys, tmp_path):
    run(capsys, "init", str(tmp_path))
    code, out, _ = run(capsys, "coverage", "--summary", "--root", str(tmp_path))
    assert code == 0
    # 6 sentences outside the chrome line "Harbour Notes", each quoted by one fact
    assert out == "example-news seeds/example.txt: 100% (6/6 sentences covered)\n"


@pytest.mark.slow
def test_a_root_without_sources_yaml_is_named_in_the_sphinx_build(capsys, tmp_path):
    run(capsys, "init", str(tmp_path))
    conf = tmp_path / "docs/conf.py"
    conf.write_text(conf.read_text().replace('tracefacts_root = ".."', 'tracefacts_root = "."'))
    built = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", "docs", "docs/_build/html"],
                           cwd=tmp_path, capture_output=True, text=True)
    looked_in = (tmp_path / "docs").resolve()
    assert f"tracefacts_root = '.': there is no facts/sources.yaml in {looked_in}" in built.stderr
    assert "conf.py" in built.stderr  # at its line of conf.py
    assert "yaml-syntax" not in built.stderr


def test_coverage_says_a_source_it_cannot_read_and_fails_min(tmp_path, capsys):  # type: ignore[no-untyped-def]
    # (attack on issue 16, F1) an unreadable source was dropped silently and --min passed
    from tracefacts.cli import main

    root = tmp_path / "book"
    assert main(["init", str(root)]) == 0
    (root / "seeds/example.txt").rename(root / "seeds/gone.txt")
    capsys.readouterr()
    assert main(["coverage", "--root", str(root), "--summary", "--min", "10"]) == 1
    err = capsys.readouterr().err
    assert "could not be read: example-news (source-missing)" in err and "below --min 10%: example-news" in err


def test_find_does_not_offer_a_quote_too_short_to_check(tmp_path, capsys):  # type: ignore[no-untyped-def]
    # (attack on issue 16, F2) `find "costs"` printed `quote: "costs"`, which check refuses
    from tracefacts.cli import main

    root = tmp_path / "book"
    assert main(["init", str(root)]) == 0
    capsys.readouterr()
    assert main(["find", "museum", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "too short to quote (a quote needs 3 words or more)" in out and "ready to paste" not in out


def test_a_format_key_is_read_case_blind_and_an_unknown_one_is_said_at_its_line(tmp_path, capsys):  # type: ignore[no-untyped-def]
    import json

    from tracefacts.cli import main

    root = tmp_path / "book"
    assert main(["init", str(root)]) == 0
    sources = root / "facts/sources.yaml"
    text = sources.read_text()
    assert "\n    file: seeds/example.txt" in text

    def with_format(value: str) -> str:
        head, rest = text.split("\n    file: seeds/example.txt", 1)
        line_end = rest.index("\n")
        return f"{head}\n    file: seeds/example.txt{rest[:line_end]}\n    format: {value}{rest[line_end:]}"

    sources.write_text(with_format("TEXT"))
    capsys.readouterr()
    assert main(["check", "--root", str(root), "--strict"]) == 0
    sources.write_text(with_format("docx"))
    capsys.readouterr()
    assert main(["check", "--root", str(root), "--format", "json"]) == 1
    (problem,) = [p for p in json.loads(capsys.readouterr().out)["problems"] if p["code"] == "source-unsupported"]
    line = next(i for i, row in enumerate(sources.read_text().splitlines(), 1) if "format: docx" in row)
    assert problem["line"] == line and "`format` 'docx'" in problem["message"]
