"""Views drawn from cached HTML cells must be exactly what docutils would draw."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tracefacts.check import check
from tracefacts.sphinx.exports import dumps


def _outputs(out: Path) -> dict[str, bytes]:
    """Every page and the search index (the doctrees and our caches are not output)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and (p.suffix == ".html" or p.name == "searchindex.js")}


def _assert_same(fast: Path, slow: Path) -> None:
    one, two = _outputs(fast), _outputs(slow)
    assert sorted(one) == sorted(two)
    differ = [name for name in one if one[name] != two[name]]
    assert differ == []


def test_cached_cells_give_the_same_pages_and_search_index_as_docutils(handbook, tmp_path):
    fast, slow = tmp_path / "fast", tmp_path / "slow"
    assert handbook.build(out=fast).returncode == 0
    assert handbook.build("-D", "tracefacts_html_fragments=0", out=slow).returncode == 0
    assert (fast / ".doctrees/tracefacts-html/html/matrix.pickle").exists()
    assert not (slow / ".doctrees/tracefacts-html").exists()
    _assert_same(fast, slow)
    assert "Rocket One has no open weights." in (fast / "matrix.html").read_text()


def test_after_an_edit_the_reused_cells_are_still_exactly_right(handbook, tmp_path):
    fast, slow = tmp_path / "fast", tmp_path / "slow"
    assert handbook.build(out=fast).returncode == 0
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    handbook.write("facts/rocket.yaml", facts.replace("Rocket One has no open weights.", "Rocket One ships closed."))
    assert handbook.build(out=fast).returncode == 0  # incremental: every other cell comes from the cache
    assert handbook.build("-D", "tracefacts_html_fragments=0", out=slow).returncode == 0
    _assert_same(fast, slow)
    matrix = (fast / "matrix.html").read_text()
    assert "Rocket One ships closed." in matrix and "Rocket One has no open weights." not in matrix


def test_a_damaged_cache_is_rendered_again_not_trusted(handbook, tmp_path):
    fast, slow = tmp_path / "fast", tmp_path / "slow"
    assert handbook.build(out=fast).returncode == 0
    cache = fast / ".doctrees/tracefacts-html/html"
    (cache / "matrix.pickle").write_bytes(b"\x80\x05not a pickle")
    (cache / "table.pickle").write_bytes((cache / "table.pickle").read_bytes()[:40])  # truncated
    (fast / ".doctrees/tracefacts-exports.pickle").write_bytes(b"garbage")
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    handbook.write("facts/rocket.yaml", facts.replace("Rocket One has no open weights.", "Rocket One ships closed."))
    result = handbook.build(out=fast)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert handbook.build("-D", "tracefacts_html_fragments=0", out=slow).returncode == 0
    _assert_same(fast, slow)


def test_exports_after_an_edit_are_the_bytes_of_encoding_the_whole_base(handbook):
    assert handbook.build().returncode == 0
    facts = (handbook.root / "facts/rocket.yaml").read_text()
    handbook.write("facts/rocket.yaml", facts.replace("Rocket One has no open weights.", "Rocket One ships closed."))
    assert handbook.build().returncode == 0
    written = handbook.html("tracefacts.json")
    data = json.loads(written)
    assert next(f for f in data["facts"] if f["id"] == "rocket.closed")["statement"] == "Rocket One ships closed."
    import datetime as dt

    from tracefacts.export import to_json, to_w3c

    result = check(handbook.root, dt.date(2026, 11, 23))
    pages = {f["id"]: f["pages"] for f in data["facts"]}
    assert written == dumps(to_json(result, pages)) + "\n"
    assert handbook.html("annotations.jsonld") == dumps(to_w3c(result)) + "\n"


def test_a_foreign_builder_folder_does_not_share_cells(handbook, tmp_path):
    """dirhtml links differ from html links: its cells are its own."""
    out = tmp_path / "dir"
    assert handbook.build("-b", "dirhtml", out=out).returncode == 0
    assert (out / ".doctrees/tracefacts-html/dirhtml/matrix.pickle").exists()
    slow = tmp_path / "dirslow"
    assert handbook.build("-b", "dirhtml", "-D", "tracefacts_html_fragments=0", out=slow).returncode == 0
    _assert_same(out, slow)
    shutil.rmtree(slow)


def test_an_html_option_that_changes_the_writer_renders_cells_again(handbook, tmp_path):
    fast, slow = tmp_path / "fast", tmp_path / "slow"
    assert handbook.build(out=fast).returncode == 0
    # Lists of one-paragraph items lose their "simple" class when compact lists are off.
    option = ("-D", "html_compact_lists=0")
    assert handbook.build(*option, out=fast).returncode == 0
    assert handbook.build(*option, "-D", "tracefacts_html_fragments=0", out=slow).returncode == 0
    _assert_same(fast, slow)
