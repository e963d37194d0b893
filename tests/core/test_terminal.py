"""Text from a source cannot take over the terminal (issue 12, section 8).

A source may hold anything a web page held: ``ESC]0;…BEL`` retitles the terminal,
``ESC[2J`` clears it, U+009B is a CSI to an 8-bit terminal, U+202E reverses what follows.
`find`, `coverage` and check's "nearest passage" printed them raw. Every command is run
here as a user runs it (the installed command, in a subprocess) on a handbook whose
source holds all of them, and the bytes it writes are read back.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tfcore import SEED_B, Handbook

ESC, BEL, CSI8, RLO, DEL = "\x1b", "\x07", "\x9b", "\u202e", "\x7f"
EVIL_LINE = f"The widget {ESC}]0;pwned{BEL} ships {ESC}[2J with a {CSI8}2J new {RLO}casing{DEL} for the spring."
SEED = ("Acme Widget Report\n\n" + EVIL_LINE + "\n\n"
        "The company expects strong sales in the first quarter of the year.\n")
# Each control as the reader must see it: visible, in the usual backslash notation.
VISIBLE = ["\\x1b]0;pwned\\x07", "\\x1b[2J", "\\x9b2J", "\\u202ecasing\\x7f"]
FACTS = """\
facts:
  - id: acme.sales
    statement: Acme expects strong sales in the first quarter.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: The company expects strong sales in the first quarter
  - id: acme.casing
    statement: "The widget has a new \\u202ecasing."
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: The widget ships with a new casing for the spring
"""
# What must never reach a terminal raw: C0 controls but newline (and tab), DEL, C1 controls,
# the bidi controls. Written out here, not taken from the program.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TODAY = ["--today", "2026-05-01"]


@pytest.fixture
def evil(tmp_path: Path) -> Handbook:
    hb = Handbook(tmp_path / "evil")
    hb.seed("a.txt", SEED)
    hb.seed("b.txt", SEED_B)
    hb.sources()
    hb.facts(FACTS)
    return hb


def run(hb: Handbook, *argv: str, colour: bool = False) -> tuple[int, str, str]:
    """The installed `tracefacts` command: exit code, stdout, stderr (decoded strictly)."""
    exe = Path(sys.executable).with_name("tracefacts")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update({"FORCE_COLOR": "1"} if colour else {"NO_COLOR": "1"})
    done = subprocess.run([str(exe), *argv, "--root", str(hb.root), *TODAY], capture_output=True, env=env,
                          timeout=60)
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def raw(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in RAW.findall(text)})


def test_find_prints_the_line_with_its_controls_escaped(evil: Handbook) -> None:
    code, out, err = run(evil, "find", "for the spring")
    assert code == 0, err
    assert not raw(out) and not raw(err), f"raw control characters reach the terminal: {raw(out + err)}"
    for escaped in VISIBLE:
        assert escaped in out, f"{escaped!r} is not shown: {out}"
    assert f"acme-report seeds/a.txt:{evil.line('ships', 'seeds/a.txt')}" in out


def test_coverage_prints_uncovered_sentences_escaped(evil: Handbook) -> None:
    code, out, err = run(evil, "coverage")
    assert code == 0, err
    assert not raw(out) and not raw(err), raw(out + err)
    line = evil.line("ships", "seeds/a.txt")
    [shown] = [x for x in out.splitlines() if x.strip().startswith(f"line {line}: The widget")]
    for escaped in VISIBLE:
        assert escaped in shown, shown


def test_check_prints_the_nearest_passage_escaped(evil: Handbook) -> None:
    code, out, err = run(evil, "check")
    assert code == 1, out + err
    assert not raw(out) and not raw(err), raw(out + err)
    assert f"facts/x.yaml:{evil.line('quote: The widget ships')}: error quote-not-found" in out
    nearest = out[out.index("Nearest passage"):]
    assert "\\x1b[2J" in nearest and "\\x9b2J" in nearest and "\\u202e" in nearest, nearest


def test_colour_is_the_only_escape_sequence_written(evil: Handbook) -> None:
    """With colour forced on, every ESC written starts one of the colour codes (SGR, ``ESC[…m``)."""
    code, out, _ = run(evil, "check", colour=True)
    assert code == 1
    assert "\x1b[31;1merror" in out  # colour is still there
    without_colour = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert not raw(without_colour), raw(without_colour)
    assert "\\x1b[2J" in without_colour


@pytest.mark.parametrize(("argv", "holder"), [
    (["check", "--format", "json"],
     lambda data: next(p["message"] for p in data["problems"] if p["code"] == "quote-not-found")),
    (["find", "for the spring", "--format", "json"], lambda data: data[0]["context"]),
    (["coverage", "--format", "json"], lambda data: data[0]["uncovered"][0]["text"]),
    (["export"], lambda data: json.dumps(data, ensure_ascii=False)),
])
def test_json_output_is_exact_and_holds_no_raw_control(evil: Handbook, argv: list[str], holder) -> None:
    """JSON is data: every character comes back exactly when read, yet none is written raw."""
    code, out, err = run(evil, *argv)
    assert code in (0, 1), err
    assert not raw(out), raw(out)
    text = holder(json.loads(out))
    # the export holds the facts (a statement with U+202E), the others the source's line
    wanted = [RLO] if argv[0] == "export" else [f"{ESC}[2J", f"{CSI8}2J", RLO, DEL]
    assert all(w in text for w in wanted), f"not read back exactly: {text!r}"


def test_pytest_plugin_failure_text_is_escaped(evil: Handbook) -> None:
    """`pytest --tracefacts` reports the near miss as check does: escaped."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PY_COLORS")}
    done = subprocess.run([sys.executable, "-m", "pytest", "--tracefacts", "-p", "no:cacheprovider",
                           f"--tracefacts-today={TODAY[1]}", "--color=no"],
                          cwd=evil.root, capture_output=True, env={**env, "NO_COLOR": "1"}, timeout=120)
    out = done.stdout.decode("utf-8") + done.stderr.decode("utf-8")
    assert done.returncode == 1, out
    assert "quote-not-found" in out and "Nearest passage" in out, out
    assert not raw(out), raw(out)
    assert "\\x1b[2J" in out and "\\u202e" in out
