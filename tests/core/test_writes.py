"""Writes are safe: `pin` never corrupts sources.yaml, `write_atomic` and `export -o` never
replace a link, a device or a FIFO by a regular file, and every error names the user's file."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from tfcore import SEED_A, SEED_B, sha256

from tracefacts import atomic
from tracefacts.atomic import write_atomic
from tracefacts.cli import main
from tracefacts.load import load

SRC = "facts/sources.yaml"
NEW_B = SEED_B + "\nA paragraph added since it was pinned.\n"
OLD_SHA_B, NEW_SHA_B = sha256(SEED_B), sha256(NEW_B)


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")


def pin_cli(capsys, root: Path, *ids: str) -> tuple[int, str]:
    code = main(["pin", *ids, "--root", str(root)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def what_b_says(root: Path) -> tuple[object, ...]:
    s = load(root).sources["beta-news"]
    return s.id, s.file, s.title, s.publisher, s.published, s.notes, s.chrome


# --- pin: any spelling of the value, and refusal where an edit would not read back -----------


@pytest.mark.parametrize("spelling", [
    pytest.param("sha256: !!str {sha}", id="tag"),
    pytest.param("sha256: &h {sha}", id="anchor"),
    pytest.param("sha256: !!str &h '{sha}'", id="tag-anchor-quoted"),
    pytest.param("sha256: >-\n      {sha}", id="folded-block"),
    pytest.param("sha256: |-\n      {sha}\n", id="literal-block-blank-line-after"),
    pytest.param('sha256: "{sha}"   # was pinned by hand', id="double-quoted-comment"),
])
def test_pin_replaces_the_value_in_any_spelling(capsys, handbook, spelling):
    text = handbook.read(SRC).replace(f"sha256: {OLD_SHA_B}", spelling.format(sha=OLD_SHA_B))
    handbook.sources(text)
    assert load(handbook.root).sources["beta-news"].sha256 == OLD_SHA_B
    before = what_b_says(handbook.root)
    handbook.seed("b.txt", NEW_B)
    code, out = pin_cli(capsys, handbook.root)
    assert (code, out) == (0, f"acme-report: unchanged ({sha256(SEED_A)})\nbeta-news: pinned ({NEW_SHA_B})\n")
    after = handbook.read(SRC)
    assert OLD_SHA_B not in after  # used to stay as `sha256: <new> <old>` or a continuation line
    assert load(handbook.root).sources["beta-news"].sha256 == NEW_SHA_B
    assert what_b_says(handbook.root) == before
    assert handbook.check().problems == ()
    # only the value changed: the text around it is as it was
    head, _, tail = text.partition(spelling.format(sha=OLD_SHA_B).split("\n")[0])
    assert after.startswith(head) and after.endswith(tail.split(OLD_SHA_B, 1)[-1].lstrip("'\""))


def test_pin_after_a_block_scalar_file_keeps_the_source(capsys, handbook):
    """No sha256 after a block-scalar `file:`: the new line used to land inside the scalar."""
    text = handbook.read(SRC).replace(f"    sha256: {OLD_SHA_B}\n", "").replace(
        "    file: seeds/b.txt\n", "    file: >-\n      seeds/b.txt\n")
    handbook.sources(text)
    assert load(handbook.root).sources["beta-news"].file == "seeds/b.txt"
    code, out = pin_cli(capsys, handbook.root)
    assert code == 0 and f"beta-news: pinned ({OLD_SHA_B})" in out
    assert handbook.read(SRC) == text.replace("      seeds/b.txt\n", f"      seeds/b.txt\n    sha256: {OLD_SHA_B}\n")
    assert handbook.check().problems == ()


def test_pin_into_a_flow_mapping(capsys, handbook):
    text = handbook.read(SRC)
    entry = text[text.index("  - id: beta-news"):]
    flow = ("  - {id: beta-news, file: seeds/b.txt, title: Beta Gadget News, publisher: Beta,\n"
            "     published: 2026-04-09}\n")
    handbook.sources(text.replace(entry, flow))
    code, out = pin_cli(capsys, handbook.root)
    assert code == 0 and f"beta-news: pinned ({OLD_SHA_B})" in out
    assert handbook.read(SRC) == text.replace(entry, flow.replace("seeds/b.txt,", f"seeds/b.txt, sha256: {OLD_SHA_B},"))
    assert handbook.check().problems == ()


def test_pin_refuses_an_edit_that_would_not_read_back_and_leaves_the_file_as_it_was(capsys, handbook):
    # The anchor on the hash is used by an alias: giving way to the new hash would drop the
    # anchor and break the file. The loader reports the alias, but the file is valid YAML.
    text = handbook.read(SRC).replace(f"sha256: {OLD_SHA_B}", f"sha256: &h {OLD_SHA_B}\n    notes: *h")
    handbook.sources(text)
    before = (handbook.root / SRC).read_bytes()
    handbook.seed("b.txt", NEW_B)
    code, out = pin_cli(capsys, handbook.root)
    assert code == 1
    assert out.startswith("acme-report: unchanged (")
    assert f"beta-news: refused ({SRC} cannot be edited safely there:" in out
    assert f"give it `sha256: {NEW_SHA_B}` by hand" in out
    assert (handbook.root / SRC).read_bytes() == before


def test_pin_refuses_a_sha256_that_is_not_a_single_value(capsys, handbook):
    text = handbook.read(SRC).replace(f"sha256: {OLD_SHA_B}", f"sha256: [{OLD_SHA_B}]")
    handbook.sources(text)
    before = (handbook.root / SRC).read_bytes()
    code, out = pin_cli(capsys, handbook.root, "beta-news")
    assert (code, out) == (1, f"beta-news: refused ({SRC} cannot be edited safely there: its `sha256:` is not a "
                              f"single value. Nothing was written for it; give it `sha256: {OLD_SHA_B}` by hand.)\n")
    assert (handbook.root / SRC).read_bytes() == before


def test_pin_of_a_linked_sources_file_refuses_and_leaves_link_and_target(capsys, handbook, tmp_path):
    """It used to replace the link by a regular file, and the real file kept the old hash."""
    real = tmp_path / "shared-sources.yaml"
    real.write_bytes((handbook.root / SRC).read_bytes())
    (handbook.root / SRC).unlink()
    os.symlink(real, handbook.root / SRC)
    before = real.read_bytes()
    handbook.seed("b.txt", NEW_B)
    code, out = pin_cli(capsys, handbook.root)
    assert code == 1 and f"refused ({SRC} line 1: {SRC} is a symbolic link pointing out of facts/" in out
    assert (handbook.root / SRC).is_symlink() and real.read_bytes() == before


# --- write_atomic -----------------------------------------------------------------------------


def test_write_atomic_writes_through_a_link_and_keeps_it(tmp_path):
    target = tmp_path / "real.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / "out.json"
    os.symlink("real.json", link)
    write_atomic(link, b"new", within=tmp_path)
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "real.json"]


def test_write_atomic_refuses_a_link_out_of_its_folder(tmp_path):
    folder, outside = tmp_path / "book", tmp_path / "elsewhere.yaml"
    folder.mkdir()
    outside.write_bytes(b"old")
    os.symlink(outside, folder / "sources.yaml")
    with pytest.raises(atomic.OutsideFolder) as info:
        write_atomic(folder / "sources.yaml", b"new", within=folder)
    assert info.value.filename == str(folder / "sources.yaml")
    assert outside.read_bytes() == b"old" and (folder / "sources.yaml").is_symlink()


def test_write_atomic_refuses_a_fifo_and_a_directory(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(atomic.NotRegularFile) as info:
        write_atomic(fifo, b"data")
    assert info.value.filename == str(fifo) and "a named pipe (FIFO)" in str(info.value)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    with pytest.raises(atomic.NotRegularFile) as info:
        write_atomic(tmp_path, b"data")
    assert info.value.errno == errno.EISDIR and info.value.filename == str(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_every_write_error_names_the_file_asked_for(tmp_path, monkeypatch):
    path = tmp_path / "out.json"
    path.write_bytes(b"old")

    def full(src, dst, **_descriptors):
        raise OSError(errno.ENOSPC, "No space left on device", src)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError) as info:
        write_atomic(path, b"new")
    assert info.value.filename == str(path) and info.value.strerror == "No space left on device"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"] and path.read_bytes() == b"old"


# --- export -o ---------------------------------------------------------------------------------


def export(root: Path, output: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("tracefacts")
    return subprocess.run([str(exe), "export", "--root", str(root), "-o", output],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"})


def test_export_to_a_fifo_refuses_and_leaves_the_fifo(handbook, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done = export(handbook.root, str(fifo))
    assert done.returncode == 1
    assert done.stderr == (f"tracefacts export: cannot write {fifo}: it is a named pipe (FIFO), not a regular file, "
                           "so it is not replaced; to write to standard output, leave out -o (or give -o -) "
                           "and redirect it\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_export_to_a_device_refuses_and_leaves_the_device(handbook, tmp_path):
    device = tmp_path / "null"
    try:  # the numbers of /dev/null
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("this system does not let the test make a device node (needs CAP_MKNOD)")
    done = export(handbook.root, str(device))
    assert done.returncode == 1
    assert done.stderr.startswith(f"tracefacts export: cannot write {device}: it is a device, not a regular file")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_export_to_a_directory_names_the_directory_not_a_temporary_file(handbook, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    done = export(handbook.root, str(folder))
    assert done.returncode == 1
    assert done.stderr == (f"tracefacts export: cannot write {folder}: it is a directory, not a regular file, "
                           f"so it is not replaced; name a file in it, e.g. {folder / 'tracefacts.json'}\n")
    assert list(folder.iterdir()) == []


def test_export_through_a_link_writes_its_target(handbook, tmp_path):
    target = tmp_path / "data.json"
    target.write_text("{}", encoding="utf-8")
    link = tmp_path / "latest.json"
    os.symlink(target, link)
    done = export(handbook.root, str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and '"facts": [' in target.read_text(encoding="utf-8")


def test_export_to_standard_output(handbook):
    exe = Path(sys.executable).with_name("tracefacts")
    done = subprocess.run([str(exe), "export", "--root", str(handbook.root), "-o", "-"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("{\n")
