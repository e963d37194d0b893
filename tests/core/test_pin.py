"""`tracefacts pin`: it edits only the sha256 line, refuses broken quotes, writes atomically."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tfcore import SEED_A, SEED_B, sha256

from tracefacts import atomic
from tracefacts.cli import main
from tracefacts.load import load
from tracefacts.pin import pin

SRC = "facts/sources.yaml"


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def changed_lines(before: str, after: str) -> list[tuple[int, str, str]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(a) == len(b)
    return [(i, x, y) for i, (x, y) in enumerate(zip(a, b, strict=True), start=1) if x != y]


def test_pin_rewrites_only_the_sha_line_and_keeps_comments(capsys, handbook):
    before = handbook.read(SRC)
    new_a = SEED_A + "\nAn appended paragraph that no fact quotes.\n"
    handbook.seed("a.txt", new_a)
    assert [p.code for p in handbook.check().errors] == ["source-hash-mismatch"]
    code, out = run(capsys, "pin", "--root", str(handbook.root))
    assert code == 0
    assert out.splitlines() == [f"acme-report: pinned ({sha256(new_a)})",
                                f"beta-news: unchanged ({sha256(SEED_B)})"]
    after = handbook.read(SRC)
    assert changed_lines(before, after) == [(
        handbook.line("sha256:", SRC),
        f"    sha256: {sha256(SEED_A)}   # pinned by the fixture\n",
        f"    sha256: {sha256(new_a)}   # pinned by the fixture\n",
    )]
    assert after.startswith("# Two sources for the tests.\n")
    assert handbook.check().problems == ()


def test_pin_refuses_a_source_whose_quotes_fail_unless_forced(capsys, handbook):
    before = (handbook.root / SRC).read_bytes()
    handbook.seed("a.txt", SEED_A.replace("14.3 percent", "14.5 percent"))
    code, out = run(capsys, "pin", "--root", str(handbook.root))
    assert code == 1
    assert "acme-report: refused (1 quote(s) do not match it (acme.capacity)" in out
    assert (handbook.root / SRC).read_bytes() == before
    code, out = run(capsys, "pin", "acme-report", "--force", "--root", str(handbook.root))
    assert code == 0 and out.startswith("acme-report: pinned (")
    codes = [p.code for p in handbook.check().errors]
    assert "source-hash-mismatch" not in codes and "quote-not-found" in codes


def test_pin_only_the_named_source(capsys, handbook):
    handbook.seed("a.txt", SEED_A + "\nMore.\n")
    handbook.seed("b.txt", SEED_B + "\nMore.\n")
    before = handbook.read(SRC)
    code, out = run(capsys, "pin", "beta-news", "--root", str(handbook.root))
    assert (code, out) == (0, f"beta-news: pinned ({sha256(SEED_B + chr(10) + 'More.' + chr(10))})\n")
    [(line, _, new)] = changed_lines(before, handbook.read(SRC))
    assert line == handbook.line("sha256:", SRC, nth=2)
    assert [p.source for p in handbook.check().errors] == ["acme-report"]


def test_pin_an_unknown_id_is_a_usage_error(capsys, handbook):
    assert main(["pin", "nope", "--root", str(handbook.root)]) == 2
    assert "no source with id nope" in capsys.readouterr().err


def test_pin_inserts_a_missing_sha_line(capsys, handbook):
    text = handbook.read(SRC)
    without = "".join(line for line in text.splitlines(keepends=True) if sha256(SEED_B) not in line)
    handbook.sources(without)
    assert [p.code for p in handbook.check().errors] == ["source-unpinned"]
    code, out = run(capsys, "pin", "--root", str(handbook.root))
    assert code == 0 and "beta-news: pinned" in out
    # right under `file:`, indented like it; every other line as it was
    file_line = "    file: seeds/b.txt\n"
    assert handbook.read(SRC) == without.replace(file_line, f"{file_line}    sha256: {sha256(SEED_B)}\n")
    assert handbook.check().problems == ()


@pytest.mark.parametrize(("line", "expected"), [
    ("    sha256:\n", "    sha256: {sha}\n"),
    ("    sha256: ''\n", "    sha256: {sha}\n"),
    ('    sha256: "0000"  # old\n', "    sha256: {sha}  # old\n"),
    ("    sha256:   # pin me\n", "    sha256:   {sha} # pin me\n"),
])
def test_pin_fills_an_empty_or_wrong_sha(capsys, handbook, line, expected):
    text = handbook.read(SRC)
    old = f"    sha256: {sha256(SEED_B)}\n"
    handbook.sources(text.replace(old, line))
    code, _ = run(capsys, "pin", "--root", str(handbook.root))
    assert code == 0
    assert handbook.read(SRC) == text.replace(old, expected.format(sha=sha256(SEED_B)))
    assert handbook.check().problems == ()


def test_pin_keeps_permissions_and_leaves_no_temporary_file(capsys, handbook):
    path = handbook.root / SRC
    path.chmod(0o640)
    handbook.seed("a.txt", SEED_A + "\nMore.\n")
    assert run(capsys, "pin", "--root", str(handbook.root))[0] == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_pin_keeps_crlf_and_bom(capsys, handbook):
    text = handbook.read(SRC).replace("\n", "\r\n")
    # one sha to replace (a.txt changes), one to insert (beta-news has none)
    text_without_b = text.replace(f"    sha256: {sha256(SEED_B)}\r\n", "")
    (handbook.root / SRC).write_bytes(b"\xef\xbb\xbf" + text_without_b.encode())
    handbook.seed("a.txt", SEED_A + "\nMore.\n")
    assert run(capsys, "pin", "--root", str(handbook.root))[0] == 0
    data = (handbook.root / SRC).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == data.count(b"\n") == text.count("\r\n")
    expected = text_without_b.replace(sha256(SEED_A), sha256(SEED_A + "\nMore.\n")).replace(
        "    file: seeds/b.txt\r\n", f"    file: seeds/b.txt\r\n    sha256: {sha256(SEED_B)}\r\n")
    assert data.decode("utf-8-sig") == expected
    assert load(handbook.root).problems == ()


def test_pin_refuses_a_broken_sources_file(capsys, handbook):
    text = handbook.read(SRC) + "  - id: [unclosed\n"
    handbook.sources(text)
    handbook.seed("a.txt", SEED_A + "\nMore.\n")
    code, out = run(capsys, "pin", "--root", str(handbook.root))
    assert code == 1 and "refused" in out and "facts/sources.yaml line" in out
    assert handbook.read(SRC) == text


def test_a_failed_rename_leaves_the_old_file_whole(handbook, monkeypatch):
    path = handbook.root / SRC
    before = path.read_bytes()
    handbook.seed("a.txt", SEED_A + "\nMore.\n")

    def broken_replace(src, dst, **_descriptors):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError):
        pin(handbook.root, [])
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


KILLED_WRITER = """
import sys
from pathlib import Path
from tracefacts.atomic import write_atomic
path = Path(sys.argv[1])
old, new = path.read_bytes(), sys.argv[2].encode() * 200_000
print("ready", flush=True)
while True:
    write_atomic(path, new)
    write_atomic(path, old)
"""


def test_a_writer_killed_mid_write_leaves_old_or_new_never_a_torn_file(tmp_path):
    path = tmp_path / "sources.yaml"
    old = b"sources: []\n"
    path.write_bytes(old)
    new = b"x" * 200_000
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path), "x"],
                                stdout=subprocess.PIPE)
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        time.sleep(0.15)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert path.read_bytes() in (old, new)
    # a killed writer may leave its temporary file: hidden, so the loader never reads it
    assert all(p.name.startswith(".sources.yaml.") and p.name.endswith(".tmp")
               for p in tmp_path.iterdir() if p != path)


def test_two_pins_at_once_leave_a_valid_file(handbook):
    """Two processes pin different sources at the same moment: both updates survive."""
    exe = Path(sys.executable).with_name("tracefacts")
    for round_ in range(3):
        text_a = SEED_A + f"\nRound {round_}.\n"
        text_b = SEED_B + f"\nRound {round_}.\n"
        handbook.seed("a.txt", text_a)
        handbook.seed("b.txt", text_b)
        procs = [subprocess.Popen([str(exe), "pin", sid, "--root", str(handbook.root)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for sid in ("acme-report", "beta-news")]
        outputs = [proc.communicate(timeout=60) for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0], outputs
        text = handbook.read(SRC)
        assert f"sha256: {sha256(text_a)}" in text and f"sha256: {sha256(text_b)}" in text
        assert handbook.check().problems == ()
