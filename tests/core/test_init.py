"""`tracefacts init`: a handbook that checks clean and builds, and never overwrites a file."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from tracefacts.cli import main

FILES = ["seeds/example.txt", "facts/sources.yaml", "facts/example.yaml", "docs/conf.py", "docs/index.md",
         "Makefile"]


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_writes_a_handbook_that_checks_clean_under_strict(capsys, tmp_path):
    code, out, _ = run(capsys, "init", str(tmp_path / "hb"))
    assert code == 0
    for rel in FILES:
        assert (tmp_path / "hb" / rel).is_file()
        assert f"wrote {tmp_path / 'hb' / rel}" in out
    code, out, err = run(capsys, "check", "--strict", "--fail-stale", "--root", str(tmp_path / "hb"))
    assert (code, err) == (0, "")
    assert out.startswith("6 facts, 1 source, 0 errors, 0 warnings: ok")


def test_init_defaults_to_the_current_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "init")[0] == 0
    assert (tmp_path / "facts" / "sources.yaml").is_file()


def test_the_example_source_is_pinned_and_every_kind_has_an_example(capsys, tmp_path):
    run(capsys, "init", str(tmp_path))
    source = yaml.safe_load((tmp_path / "facts/sources.yaml").read_text())["sources"][0]
    assert source["sha256"] == hashlib.sha256((tmp_path / "seeds/example.txt").read_bytes()).hexdigest()
    facts = yaml.safe_load((tmp_path / "facts/example.yaml").read_text())["facts"]
    assert {f["kind"] for f in facts} == {"reported", "vendor-claim", "opinion", "recommendation"}
    assert any({"subject", "attribute", "value"} <= f.keys() for f in facts)
    assert any("review_by" in f for f in facts)
    conf = (tmp_path / "docs/conf.py").read_text()
    assert 'extensions = ["myst_parser", "tracefacts.sphinx"]' in conf and "html_theme" not in conf
    makefile = (tmp_path / "Makefile").read_text()
    for line in ("html:\n\t$(SPHINXBUILD) -W -b html docs docs/_build/html", "check:\n\t$(TRACEFACTS) check --strict",
                 "pdf:\n\t$(TRACEFACTS) pdf docs"):
        assert line in makefile


def test_the_yaml_files_name_the_schema_for_editors(capsys, tmp_path):
    run(capsys, "init", str(tmp_path))
    for rel in ("facts/sources.yaml", "facts/example.yaml"):
        first = (tmp_path / rel).read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../.tracefacts/schema.json"
        # the path is relative to the YAML file, as the language server reads it
        assert (tmp_path / rel).parent.joinpath("../.tracefacts/schema.json").resolve() == \
            (tmp_path / ".tracefacts/schema.json").resolve()
        # and the file it names is there: the JSON Schema of `tracefacts schema`, which the YAML passes
        schema = json.loads((tmp_path / ".tracefacts/schema.json").read_text())
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        # (dates as the text they are written as: an editor reads YAML so)
        as_editor_reads = json.loads(json.dumps(yaml.safe_load((tmp_path / rel).read_text()), default=str))
        jsonschema.validate(as_editor_reads, schema)


def test_init_writes_nothing_when_a_file_is_in_the_way_and_names_every_one(capsys, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/index.md").write_text("my own page\n")
    (tmp_path / "Makefile").write_text("all:\n")
    code, out, err = run(capsys, "init", str(tmp_path))
    assert code == 1
    assert out == ""
    assert "nothing written; 2 files in the way" in err
    assert "    docs/index.md\n" in err and "    Makefile\n" in err
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == \
        ["Makefile", "docs", "docs/index.md"]
    assert (tmp_path / "docs/index.md").read_text() == "my own page\n"


def test_a_file_where_a_folder_must_go_is_in_the_way(capsys, tmp_path):
    (tmp_path / "docs").write_text("not a folder\n")
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 1
    assert "1 file in the way" in err and "    docs\n" in err
    assert not (tmp_path / "facts").exists()


def test_a_dangling_link_is_in_the_way(capsys, tmp_path):
    (tmp_path / "Makefile").symlink_to(tmp_path / "elsewhere")
    code, _, err = run(capsys, "init", str(tmp_path))
    assert code == 1 and "    Makefile\n" in err
    assert not (tmp_path / "elsewhere").exists()


def test_init_on_a_file_is_a_usage_error(capsys, tmp_path):
    (tmp_path / "f").write_text("x")
    code, _, err = run(capsys, "init", str(tmp_path / "f"))
    assert code == 2
    assert "is not a folder" in err


@pytest.mark.slow
def test_sphinx_build_passes_right_after_init(capsys, tmp_path):
    run(capsys, "init", str(tmp_path))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    built = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "docs", "docs/_build/html"],
                           cwd=tmp_path, capture_output=True, text=True, env=env)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "docs/_build/html/index.html").read_text()
    assert "Greywick has opened a lighthouse museum" in page
    assert "The museum plans to review its opening hours" in page  # the fact list shows every fact
    assert Path(tmp_path / "docs/_build/html/sources/example-news.html").is_file()
