"""Confinement: nothing outside the handbook is ever read, no read blocks, and every read is bounded.

Every file tracefacts reads (sources, facts/*.yaml, facts/sources.yaml) is opened from a
descriptor of the root, one path component at a time, without following any link, and
judged by fstat of what was opened (tracefacts.safeio).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from tfcore import GOOD_FACTS, SEED_B, TODAY, Found, found

from tracefacts.check import check, read_texts
from tracefacts.cli import main
from tracefacts.load import load
from tracefacts.memo import load_and_check

SRC = "facts/sources.yaml"
SECRET = "TRACEFACTS-SECRET-7c1e9a"  # what an outside file holds; it must appear nowhere
# A source of 8,000 bytes: larger than facts/sources.yaml and the fact file, for limits between.
BIG_B = SEED_B + "".join(f"Filler sentence number {n:05d} of the news.\n" for n in range(8000 // 40))
TF = [str(Path(sys.executable).with_name("tracefacts"))]


def point_b_at(hb, file: str) -> int:
    """Register source beta-news at ``file`` (still pinned to seeds/b.txt's hash)."""
    hb.sources(hb.read(SRC).replace("file: seeds/b.txt", f"file: {file}"))
    return hb.line(f"file: {file}", SRC)


def run_cli(*argv: str, env: dict[str, str] | None = None, timeout: float = 60,
            memory: int = 2**31) -> subprocess.CompletedProcess[str]:
    """``tracefacts ARGV`` in a child with at most ``memory`` bytes of address space: a
    regression that reads without bound fails there, not by exhausting the machine."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([*TF, *argv], capture_output=True, text=True, timeout=timeout, preexec_fn=limit,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})})


def check_json(root: Path, *extra: str, memory: int = 2**31) -> tuple[float, list[dict]]:
    """Seconds taken and the problems of `tracefacts check --format json` (run as above)."""
    started = time.perf_counter()
    done = run_cli("check", "--root", str(root), "--today", "2026-05-01", "--format", "json", *extra,
                   timeout=60, memory=memory)
    took = time.perf_counter() - started
    assert done.stdout.startswith("{"), done.stderr[-2000:]
    return took, json.loads(done.stdout)["problems"]


# --- a link anywhere on the way ------------------------------------------------------


def test_seeds_itself_a_link_to_the_file_system_root_is_refused(make_handbook):
    hb = make_handbook()
    shutil.rmtree(hb.root / "seeds")
    os.symlink("/", hb.root / "seeds")
    line = point_b_at(hb, "seeds/etc/passwd")
    done = run_cli("check", "--root", str(hb.root), "--today", "2026-05-01", "--format", "json")
    problems = json.loads(done.stdout)["problems"]
    mine = [p for p in problems if p["source"] == "beta-news"]
    assert [(p["code"], p["file"], p["line"]) for p in mine] == [("source-outside-root", SRC, line)]
    assert mine[0]["message"].startswith(
        "source `beta-news`: seeds/etc/passwd is reached through a symbolic link pointing out of seeds/: "
        "`seeds` links to /.")
    assert "copy the file into seeds/ instead" in mine[0]["message"]
    # `find` used to print the password file
    done = run_cli("find", "root:x:0:0", "--root", str(hb.root))
    assert done.returncode == 1 and "root:x" not in done.stdout.replace("'root:x:0:0'", "")
    assert "passwd" not in done.stdout


def test_seeds_linked_to_proc_self_publishes_nothing_of_the_environment(make_handbook):
    hb = make_handbook()
    shutil.rmtree(hb.root / "seeds")
    os.symlink("/proc/self", hb.root / "seeds")
    line = point_b_at(hb, "seeds/environ")
    env = {"TRACEFACTS_PROBE": SECRET}
    outputs = []
    for argv in (["check", "--format", "json"], ["find", "TRACEFACTS_PROBE"], ["find", "PROBE", "--format", "json"],
                 ["coverage", "--format", "json"], ["export"], ["export", "--format", "w3c"]):
        done = run_cli(*argv, "--root", str(hb.root), env=env)
        outputs.append(done.stdout + done.stderr)
    assert not [out for out in outputs if SECRET in out]
    problems = json.loads(outputs[0].split("\n}\n")[0] + "\n}")["problems"]
    assert [(p["code"], p["line"]) for p in problems if p["source"] == "beta-news"] == [("source-outside-root", line)]


def test_a_folder_on_the_way_linked_out_is_refused(make_handbook, tmp_path):
    hb = make_handbook()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "page.txt").write_text(f"{SECRET} Beta Corp announced a brand new gadget.\n", encoding="utf-8")
    os.symlink(outside, hb.root / "seeds" / "sub")
    line = point_b_at(hb, "seeds/sub/page.txt")
    result = hb.check()
    assert found(result.errors) == [Found("source-outside-root", SRC, line)]
    assert "`seeds/sub` links to " + str(outside) in result.errors[0].message
    assert "beta-news" not in result.texts


def test_a_folder_swapped_for_a_link_during_reads_never_yields_the_outside_file(make_handbook, tmp_path):
    """The race: a check of the path, then a read, with a link put in between (215 outside reads in 15 s)."""
    hb = make_handbook()
    inside = hb.root / "seeds" / "d"
    inside.mkdir()
    (inside / "page.txt").write_text(SEED_B, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "page.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    point_b_at(hb, "seeds/d/page.txt")
    base = load(hb.root)
    parked = hb.root / "seeds" / "d.parked"
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            os.rename(inside, parked)
            os.symlink(outside, inside)
            os.unlink(inside)
            os.rename(parked, inside)

    swapper = threading.Thread(target=swap)
    swapper.start()
    read = refused = leaked = crashed = 0
    try:
        until = time.monotonic() + 3
        while time.monotonic() < until:
            try:
                texts, problems = read_texts(base)
            except Exception:  # a traceback is a failure too, but not the one this test is about
                crashed += 1
                continue
            if "beta-news" in texts:
                read += 1
                leaked += SECRET in texts["beta-news"].text
            leaked += any(SECRET in p.message for p in problems)
            refused += any(p.source == "beta-news" for p in problems)
    finally:
        stop.set()
        swapper.join()
    assert (leaked, crashed) == (0, 0)
    assert read > 0 and refused > 0, (read, refused)  # both states were met: the race was run


def test_a_fact_file_linked_out_of_the_root_is_not_read(make_handbook, tmp_path):
    hb = make_handbook()
    evil = tmp_path / "evil.yaml"
    evil.write_text(textwrap.dedent(f"""\
        facts:
          - id: evil.fact
            statement: {SECRET}
            kind: reported
            topic: evil
            sources:
              - source: acme-report
                quote: ships in March with 14.3 percent more capacity
        """), encoding="utf-8")
    os.symlink(evil, hb.root / "facts" / "evil.yaml")
    result = hb.check()
    assert found(result.errors) == [Found("yaml-syntax", "facts/evil.yaml", 1)]
    assert result.errors[0].message.startswith(f"facts/evil.yaml is a symbolic link pointing out of facts/ (to {evil})")
    assert "evil.fact" not in result.base.facts
    assert SECRET not in repr(result)


def test_a_fact_file_linked_to_dev_zero_is_refused_at_once(make_handbook):
    hb = make_handbook()
    os.symlink("/dev/zero", hb.root / "facts" / "zero.yaml")
    took, problems = check_json(hb.root)  # used to read until MemoryError
    assert took < 30
    assert [(p["code"], p["file"], p["line"]) for p in problems] == [("yaml-syntax", "facts/zero.yaml", 1)]
    assert problems[0]["message"].startswith("facts/zero.yaml is a symbolic link pointing out of facts/ (to /dev/zero)")


def test_facts_folder_itself_a_link_is_refused(make_handbook, tmp_path):
    hb = make_handbook()
    shutil.move(hb.root / "facts", tmp_path / "real-facts")
    os.symlink(tmp_path / "real-facts", hb.root / "facts")
    result = hb.check()
    assert found(result.errors) == [Found("yaml-syntax", SRC, 1)]
    assert result.errors[0].message.startswith(
        "facts/sources.yaml is reached through a symbolic link pointing out of facts/: `facts` links to ")
    assert result.base.facts == {} and result.base.sources == {}


def test_the_memo_keeps_nothing_of_an_outside_file(make_handbook, tmp_path):
    hb = make_handbook()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.txt").write_text(f"{SECRET} Beta Corp announced a brand new gadget.\n", encoding="utf-8")
    shutil.rmtree(hb.root / "seeds")
    real = tmp_path / "real-seeds"
    real.mkdir()
    os.symlink(outside, hb.root / "seeds")
    cache = tmp_path / "doctrees" / "tracefacts.memo"
    result = load_and_check(hb.root, TODAY, cache)
    assert {p.code for p in result.errors} == {"source-outside-root"}
    assert result.texts == {}
    assert SECRET.encode() not in cache.read_bytes()


# --- non-regular files: refused before reading, never blocking -------------------------


def test_a_fifo_fact_file_does_not_hang_the_check(make_handbook):
    hb = make_handbook()
    os.mkfifo(hb.root / "facts" / "pipe.yaml")
    _, problems = check_json(hb.root)  # used to hang: a timeout fails it
    assert [(p["code"], p["file"], p["line"]) for p in problems] == [("yaml-syntax", "facts/pipe.yaml", 1)]
    assert problems[0]["message"].startswith("facts/pipe.yaml is a named pipe (FIFO), not a regular file")


def test_a_fifo_source_is_named_as_such(make_handbook):
    hb = make_handbook()
    os.mkfifo(hb.root / "seeds" / "pipe.txt")
    line = point_b_at(hb, "seeds/pipe.txt")
    result = hb.check()
    assert found(result.errors) == [Found("source-missing", SRC, line)]
    assert "seeds/pipe.txt is a named pipe (FIFO), not a regular file" in result.errors[0].message


def test_a_device_source_is_not_opened(make_handbook):
    hb = make_handbook()
    try:  # the same numbers as /dev/zero
        os.mknod(hb.root / "seeds" / "zero.txt", stat.S_IFCHR | 0o644, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("this system does not let the test make a device node (needs CAP_MKNOD)")
    line = point_b_at(hb, "seeds/zero.txt")
    started = time.perf_counter()
    result = hb.check()
    assert time.perf_counter() - started < 5
    assert found(result.errors) == [Found("source-missing", SRC, line)]
    assert "seeds/zero.txt is a device, not a regular file" in result.errors[0].message


# --- sizes ---------------------------------------------------------------------------------


def test_a_source_over_the_limit_is_refused_with_the_limit_and_how_to_raise_it(make_handbook):
    hb = make_handbook(seed_b=BIG_B)
    size = len(BIG_B.encode())
    assert size > 5 * len(hb.read(SRC)) and size > 5 * len(hb.read("facts/x.yaml"))
    ok = check(hb.root, TODAY, max_file_size=size)  # exactly at the limit: read
    assert "beta-news" in ok.texts and ok.problems == ()
    result = check(hb.root, TODAY, max_file_size=size - 1)
    assert found(result.errors) == [Found("source-too-large", SRC, hb.line("file: seeds/b.txt", SRC))]
    message = next(p.message for p in result.errors if p.code == "source-too-large")
    assert message.startswith(f"source `beta-news`: seeds/b.txt is larger than the limit of {size - 1} bytes.")
    assert "--max-file-size" in message and "tracefacts_max_file_size" in message


def test_a_fact_file_over_the_limit_is_refused(make_handbook):
    hb = make_handbook()
    big = GOOD_FACTS + "".join(f"  # padding line {n}\n" for n in range(60_000))
    hb.facts(big)
    assert len(big) > 2**20
    result = check(hb.root, TODAY, max_file_size=2**20)
    assert found(result.errors) == [Found("yaml-syntax", "facts/x.yaml", 1)]
    assert result.errors[0].message.startswith("facts/x.yaml is larger than the limit of 1 MiB.")


def test_a_huge_source_is_refused_without_being_read(make_handbook):
    """A 1 GB source used to take 2 GB of memory: beyond the limit, not a byte of it is read."""
    hb = make_handbook()
    with open(hb.root / "seeds" / "huge.txt", "wb") as handle:
        handle.truncate(2 * 2**30)  # sparse: costs no disk
    line = point_b_at(hb, "seeds/huge.txt")
    _, problems = check_json(hb.root, memory=2**30)  # reading it would need more than the child may have
    assert [(p["code"], p["line"]) for p in problems] == [("source-too-large", line)]
    assert "seeds/huge.txt is larger than the limit of 64 MiB" in problems[0]["message"]
    tracemalloc.start()
    try:
        result = hb.check()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found(result.errors) == [Found("source-too-large", SRC, line)]
    assert peak < 16 * 2**20


def test_max_file_size_on_the_command_line(make_handbook, capsys):
    hb = make_handbook(seed_b=BIG_B)
    code = main(["check", "--root", str(hb.root), "--today", "2026-05-01", "--format", "json",
                 "--max-file-size", "4K"])
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert code == 1
    assert [(p["code"], p["source"]) for p in problems] == [("source-too-large", "beta-news")]
    assert "larger than the limit of 4 KiB" in problems[0]["message"]
    for command, exit_code in ((["find", "sentence number 00001"], 1), (["coverage"], 0), (["export"], 1),
                               (["pin"], 1)):
        assert main([*command, "--root", str(hb.root), "--max-file-size", "4K"]) == exit_code, command
        assert "Filler" not in capsys.readouterr().out
    assert main(["check", "--root", str(hb.root), "--today", "2026-05-01", "--max-file-size", "1M"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["check", "--root", str(hb.root), "--max-file-size", "lots"])
    assert exit_.value.code == 2
    assert "'lots' is not a size" in capsys.readouterr().err


# --- the Sphinx build ----------------------------------------------------------------------

CONF = """\
extensions = ["myst_parser", "tracefacts.sphinx"]
tracefacts_root = ".."
tracefacts_today = "2026-05-01"
exclude_patterns = ["_build"]
"""

INDEX = """\
# Home

The Acme widget has 14.3 percent more capacity. {cite-fact}`acme.capacity`

```{toctree}
:glob:
sources/*
```
"""


def sphinx_build(root: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", *extra, str(root / "docs"),
                           str(root / "docs" / "_build" / "html")],
                          capture_output=True, text=True, cwd=root, timeout=300,
                          env={**os.environ, **(env or {})})


def test_a_sphinx_build_with_seeds_linked_to_proc_self_publishes_nothing(make_handbook):
    hb = make_handbook()
    hb.write("docs/conf.py", CONF)
    hb.write("docs/index.md", INDEX)
    shutil.rmtree(hb.root / "seeds")
    os.symlink("/proc/self", hb.root / "seeds")
    point_b_at(hb, "seeds/environ")
    done = sphinx_build(hb.root, env={"TRACEFACTS_PROBE": SECRET})
    assert "source-outside-root" in done.stderr
    leaks = [p for p in (hb.root / "docs" / "_build").rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaks == []
    assert SECRET not in done.stdout + done.stderr


def test_sphinx_setting_tracefacts_max_file_size(make_handbook):
    hb = make_handbook(seed_b=BIG_B)
    hb.write("docs/conf.py", CONF + "tracefacts_max_file_size = '4K'\n")
    hb.write("docs/index.md", INDEX)
    done = sphinx_build(hb.root, "-W", "--keep-going")
    assert done.returncode != 0
    assert "source-too-large: source `beta-news`: seeds/b.txt is larger than the limit of 4 KiB" in done.stderr
    hb.write("docs/conf.py", CONF + "tracefacts_max_file_size = 'lots'\n")
    done = sphinx_build(hb.root, "-E")
    assert "tracefacts_max_file_size = 'lots' is not a size" in done.stderr
    assert "Traceback" not in done.stderr
