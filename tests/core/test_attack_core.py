"""What an attacker's report on the core found (notes/attack-core.md), each as a user meets it.

1, 2  pin wrote, and created its lock file, outside the handbook when `facts/` was a link
      or became one during the run.
3     `export -o /dev/stdout >> log` replaced the log with the JSON alone.
8     the near-miss search and elided quotes could cost minutes of CPU on one long page.
9     a newline in a fact file's name (or a find context across a line break) forged lines.
11    --today took 20260501 and week dates, though it says YYYY-MM-DD.
14    the Sphinx build wrote tracefacts.json / annotations.jsonld through a link out of its folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from tfcore import GOOD_FACTS, SEED_A, Handbook

import tracefacts.pin as pin_module
from tracefacts.cli import main
from tracefacts.pin import pin

SRC = "facts/sources.yaml"
EXE = Path(sys.executable).with_name("tracefacts")


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tracefacts(*argv: str, **kwargs) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it."""
    return subprocess.run([str(EXE), *argv], text=True, env={**os.environ, "NO_COLOR": "1"},
                          **{"capture_output": True, "timeout": 60, **kwargs})


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


# --- 1, 2: pin writes and locks only inside the handbook -------------------------------------


def test_pin_refuses_to_write_when_facts_became_a_link_between_its_read_and_its_write(handbook, tmp_path,
                                                                                       monkeypatch):
    """Deterministic form of the race: the swap happens after pin read sources.yaml, before it writes."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "sources.yaml").write_bytes((handbook.root / SRC).read_bytes())
    before = listing(outside)
    handbook.seed("a.txt", SEED_A + "\nMore.\n")  # so there is a new hash to write
    edited = pin_module._edited

    def swap_then_edit(*args, **kwargs):
        os.rename(handbook.root / "facts", handbook.root / "facts.real")
        os.symlink(outside, handbook.root / "facts")
        return edited(*args, **kwargs)

    monkeypatch.setattr(pin_module, "_edited", swap_then_edit)
    try:
        pin(handbook.root, [])
    except OSError as exc:
        error: OSError | None = exc
    else:
        error = None
    assert listing(outside) == before  # the old pin rewrote the outside sources.yaml here
    assert error is not None and error.filename == str(handbook.root / SRC)
    assert "is reached through a symbolic link pointing out of facts/" in str(error.strerror)


def test_pin_under_a_facts_folder_swapped_for_a_link_never_writes_outside(handbook, tmp_path):
    """The attacker's race_pin.py, shortened: facts/ <-> link to an outside folder every 1 ms."""
    root = handbook.root
    handbook.seed("a.txt", SEED_A + "\nMore.\n")
    original = (root / SRC).read_bytes()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "sources.yaml").write_bytes(original)
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            try:
                os.rename(root / "facts", root / "facts.real")
                os.symlink(outside, root / "facts")
                time.sleep(0.001)
                os.unlink(root / "facts")
                os.rename(root / "facts.real", root / "facts")
                time.sleep(0.001)
            except OSError:
                pass

    swapper = threading.Thread(target=swap)
    swapper.start()
    writes = 0
    try:
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            try:
                outcomes = pin(root, [], force=True)
                writes += any(o.status == "pinned" for o in outcomes)
            except OSError:
                pass
            assert listing(outside) == {"sources.yaml": original}
            for folder in ("facts", "facts.real"):  # undo a pin that did land inside, to pin again
                real = root / folder
                with contextlib.suppress(OSError):  # (the swapper may move it meanwhile: the same bytes anyway)
                    if not real.is_symlink() and (real / "sources.yaml").read_bytes() != original:
                        (real / "sources.yaml").write_bytes(original)
    finally:
        stop.set()
        swapper.join()
    assert listing(outside) == {"sources.yaml": original}
    assert writes > 0  # pin did write, inside, while the folder was being swapped


def test_pin_through_a_linked_facts_folder_creates_no_lock_file_there(capsys, handbook, tmp_path):
    outside = tmp_path / "elsewhere"
    shutil.move(handbook.root / "facts", outside)
    os.symlink(outside, handbook.root / "facts")
    before = listing(outside)
    code, out, err = run(capsys, "pin", "--root", str(handbook.root))
    assert code == 1
    assert listing(outside) == before  # no .sources.yaml.lock, no temporary file, nothing rewritten
    assert (out, err) == ("", f"tracefacts pin: cannot write {handbook.root / SRC}: {SRC} is reached through a "
                              f"symbolic link pointing out of facts/: `facts` links to {outside}; nothing is written\n")


def test_pin_leaves_no_lock_file_behind(capsys, handbook):
    handbook.seed("a.txt", SEED_A + "\nMore.\n")
    assert run(capsys, "pin", "--root", str(handbook.root))[0] == 0
    assert sorted(p.name for p in (handbook.root / "facts").iterdir()) == ["sources.yaml", "x.yaml"]


# --- 3: export -o never replaces what a descriptor leads to --------------------------------


LEAVE_OUT = "leave out -o (or give -o -) to write to standard output"


def test_export_to_dev_stdout_appended_to_a_log_leaves_the_log(handbook, tmp_path):
    log = tmp_path / "applog.txt"
    log.write_text("line one of the log\n", encoding="utf-8")
    inode = log.stat().st_ino
    with open(log, "a", encoding="utf-8") as appended:  # tracefacts export -o /dev/stdout >> applog.txt
        done = tracefacts("export", "--root", str(handbook.root), "-o", "/dev/stdout", stdout=appended,
                          stderr=subprocess.PIPE, capture_output=False)
    assert done.returncode != 0
    assert LEAVE_OUT in done.stderr and "/dev/stdout" in done.stderr
    assert log.read_text(encoding="utf-8") == "line one of the log\n" and log.stat().st_ino == inode


@pytest.mark.parametrize("output", ["/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/1", "link"])
def test_export_to_a_descriptor_path_with_stdout_a_pipe_says_how_to_write_to_standard_output(handbook, tmp_path,
                                                                                              output):
    if output == "link":  # a link of the user's to one: followed link by link
        output = str(tmp_path / "out.json")
        os.symlink("/dev/stdout", output)
    done = tracefacts("export", "--root", str(handbook.root), "-o", output)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"tracefacts export: cannot write {output}: it leads to ")
    assert done.stderr.endswith(f"{LEAVE_OUT}\n")


def test_export_to_an_ordinary_file_and_through_an_ordinary_link_still_writes(handbook, tmp_path):
    target = tmp_path / "data.json"
    os.symlink(target, tmp_path / "latest.json")
    for output in (tmp_path / "plain.json", tmp_path / "latest.json"):
        done = tracefacts("export", "--root", str(handbook.root), "-o", str(output))
        assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads((tmp_path / "plain.json").read_text())


# --- 8: bounded CPU ---------------------------------------------------------------------------


def test_near_miss_search_in_a_huge_repetitive_source_gives_up_with_the_find_hint(tmp_path):
    """1.9 million characters of `a a a …` and a quote `a a … a b`: the old search took minutes."""
    hb = Handbook(tmp_path / "hb")
    hb.seed("a.txt", "a " * 950_000)
    hb.seed("b.txt", "Beta Corp announced a brand new gadget on Monday.\n")
    hb.sources()
    hb.facts(GOOD_FACTS.replace("ships in March with 14.3 percent more capacity", "a " * 1000 + "b"))
    done = tracefacts("check", "--root", str(hb.root), "--today", "2026-05-01", timeout=20)
    assert done.returncode == 1
    assert "quote-not-found" in done.stdout
    assert "the source is too large to search for a near match: use `tracefacts find`." in done.stdout


ELIDED = """
import json, sys
from tracefacts.anchor import match_quote
from tracefacts.normalize import normalize_source
n = int(sys.argv[1])
ns = normalize_source("a " * n + "b b b\\n")
found, missing = match_quote(ns, "a a a [...] b b b"), match_quote(ns, "a a a [...] c c c")
print(json.dumps({"norm": ns.norm == "a " * n + "b b b", "status": found.status, "missing": missing.status,
                  "firsts": [first for (first, _), _ in found.occurrences] == list(range(0, 2 * (n - 2), 2)),
                  "spans": sorted({(end - first, second) for (first, end), second in found.occurrences})}))
"""


def test_an_elided_quote_in_a_long_repetitive_source_is_matched_in_one_pass():
    """`a a a [...] b b b` in 600,000 characters of `a a a …`: every occurrence of the first part
    searched for the second to the end of the page (about a minute); the anchors stay the same."""
    n = 300_000
    done = subprocess.run([sys.executable, "-c", ELIDED, str(n)], capture_output=True, text=True, timeout=20,
                          env=os.environ)
    assert done.returncode == 0, done.stderr
    # Each `a a a` (at 0, 2, 4, …, five characters) with the one `b b b` after it, all one paragraph.
    assert json.loads(done.stdout) == {"norm": True, "status": "ambiguous", "missing": "not-found", "firsts": True,
                                       "spans": [[5, [2 * n, 2 * n + 5]]]}


# --- 9: a newline from the data starts no line of output ------------------------------------


FORGED = "2 facts, 2 sources, 0 errors, 0 warnings: ok (0.00 s)"


def test_a_newline_in_a_fact_file_name_forges_no_line_of_check_output(capsys, handbook):
    handbook.facts("facts: [\n", name=f"x\n{FORGED}\n\r.yaml")
    code, out, _ = run(capsys, "check", "--root", str(handbook.root), "--today", "2026-05-01")
    assert code == 1
    lines = out.splitlines()
    assert not any(line.startswith(FORGED) for line in lines)
    # every line is a problem's head (a file of facts/), its indented text, the blank line, or the verdict
    assert all(line.startswith(("facts/", "    ")) or line == "" for line in lines[:-1])
    assert lines[-1].startswith("3 facts") or "FAILED" in lines[-1]
    assert f"facts/x\\x0a{FORGED}\\x0a\\x0d.yaml:" in out


def test_find_shows_a_passage_across_a_line_break_with_every_line_indented(capsys, handbook):
    handbook.seed("a.txt", "The first line ends here\nOK: second line starts it all.\n")
    handbook.sources()
    code, out, _ = run(capsys, "find", "ends here OK: second", "--root", str(handbook.root))
    assert code == 0
    lines = out.splitlines()
    assert "    The first line ends here" in lines and "    OK: second line starts it all." in lines
    assert not any(line.startswith("OK:") for line in lines)


# --- 11: --today is YYYY-MM-DD only ----------------------------------------------------------


@pytest.mark.parametrize("value", ["20260501", "2026-W18-5", "2026-05-01T00:00", "2026-5-1"])
def test_today_in_another_iso_form_is_a_usage_error(capsys, handbook, value):
    with pytest.raises(SystemExit) as info:
        main(["check", "--root", str(handbook.root), "--today", value])
    assert info.value.code == 2
    assert f"'{value}' is not a date written YYYY-MM-DD" in capsys.readouterr().err


def test_today_written_yyyy_mm_dd_is_taken(capsys, handbook):
    assert run(capsys, "check", "--root", str(handbook.root), "--today", "2026-05-01")[0] == 0


# --- 14: the Sphinx build's exports stay in the output folder --------------------------------


CONF = """\
extensions = ["myst_parser", "tracefacts.sphinx"]
tracefacts_root = ".."
tracefacts_today = "2026-05-01"
exclude_patterns = ["_build"]
"""


def test_sphinx_exports_are_not_written_through_a_link_out_of_the_output_folder(handbook, tmp_path):
    docs = handbook.root / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text(CONF, encoding="utf-8")
    (docs / "index.md").write_text(textwrap.dedent("""\
        # Handbook

        {fact}`acme.capacity`
        """), encoding="utf-8")
    out = tmp_path / "html"
    out.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not the build's to overwrite\n", encoding="utf-8")
    os.symlink(secret, out / "tracefacts.json")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(docs), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert secret.read_text(encoding="utf-8") == "not the build's to overwrite\n"
    assert (out / "tracefacts.json").is_symlink()
    assert "cannot write" in done.stderr and "tracefacts.json" in done.stderr, done.stderr
    # the other file is written, whole, and nothing else is left beside it
    assert json.loads((out / "annotations.jsonld").read_text(encoding="utf-8"))["type"] == "AnnotationCollection"
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
