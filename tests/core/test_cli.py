"""The `tracefacts` command: check, find, coverage, export (pin is in test_pin.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tfcore import GOOD_FACTS, SEED_B, Handbook, sha256

from tracefacts.cli import main
from tracefacts.normalize import normalize_text

TODAY = ["--today", "2026-05-01"]


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- check ---------------------------------------------------------------------------


def test_check_clean_prints_a_summary_and_exits_0(capsys, handbook):
    code, out, _ = run(capsys, "check", "--root", str(handbook.root), *TODAY)
    assert code == 0
    assert out.startswith("2 facts, 2 sources, 0 errors, 0 warnings: ok (")
    assert out.count("\n") == 1


def test_check_with_an_error_prints_it_at_its_line_and_exits_1(capsys, make_handbook):
    hb = make_handbook(GOOD_FACTS.replace("14.3", "14.8"))
    code, out, _ = run(capsys, "check", "--root", str(hb.root), *TODAY)
    assert code == 1
    line = hb.line("quote: ships")
    assert f"facts/x.yaml:{line}: error quote-not-found (fact acme.capacity source acme-report)\n" in out
    assert "    source: ships in March with 14.[3] percent" in out  # the message, indented
    assert out.rstrip().splitlines()[-1].startswith("2 facts, 2 sources, 1 error, 0 warnings: FAILED")


def test_check_json_has_exactly_the_documented_keys(capsys, make_handbook):
    hb = make_handbook(GOOD_FACTS.replace("14.3", "14.8"))
    code, out, _ = run(capsys, "check", "--root", str(hb.root), "--format", "json", *TODAY)
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"ok", "facts", "sources", "problems"}
    assert (data["ok"], data["facts"], data["sources"]) == (False, 2, 2)
    [problem] = data["problems"]
    assert set(problem) == {"code", "severity", "file", "line", "fact", "source", "message"}
    assert problem["code"] == "quote-not-found"
    assert problem["severity"] == "error"
    assert problem["file"] == "facts/x.yaml"  # relative to the root
    assert problem["line"] == hb.line("quote: ships")
    assert problem["fact"] == "acme.capacity"
    assert problem["source"] == "acme-report"
    assert "14.[8]" in problem["message"]


def test_check_json_when_clean(capsys, handbook):
    code, out, _ = run(capsys, "check", "--root", str(handbook.root), "--format", "json", *TODAY)
    assert (code, json.loads(out)) == (0, {"ok": True, "facts": 2, "sources": 2, "problems": []})


def test_strict_makes_a_warning_fail(capsys, make_handbook):
    hb = make_handbook(GOOD_FACTS.split("  - id: beta.gadget")[0])  # beta-news unused
    code, out, _ = run(capsys, "check", "--root", str(hb.root), *TODAY)
    assert code == 0 and "warning unused-source" in out and ": ok (" in out
    code, out, _ = run(capsys, "check", "--root", str(hb.root), "--strict", *TODAY)
    assert code == 1 and ": FAILED (" in out
    code, out, _ = run(capsys, "check", "--root", str(hb.root), "--strict", "--format", "json", *TODAY)
    assert code == 1 and json.loads(out)["ok"] is False


def test_stale_fails_strict_only_with_fail_stale(capsys, make_handbook):
    hb = make_handbook(GOOD_FACTS.replace("    topic: acme\n", "    topic: acme\n    review_by: 2026-03-01\n"))
    root = ["--root", str(hb.root), *TODAY]
    code, out, _ = run(capsys, "check", *root)
    assert code == 0 and f"facts/x.yaml:{hb.line('review_by')}: warning stale" in out
    assert run(capsys, "check", *root, "--strict")[0] == 0
    assert run(capsys, "check", *root, "--strict", "--fail-stale")[0] == 1
    # not stale before review_by
    code, out, _ = run(capsys, "check", "--root", str(hb.root), "--today", "2026-02-01", "--strict",
                       "--fail-stale")
    assert code == 0 and "stale" not in out


def test_no_such_root_is_a_usage_error(capsys, tmp_path):
    code, out, err = run(capsys, "check", "--root", str(tmp_path / "nowhere"))
    assert code == 2 and out == "" and "no such folder" in err
    code, _, err = run(capsys, "check", "--root", str(tmp_path))  # a folder, but no handbook
    assert code == 2 and "facts/sources.yaml" in err


@pytest.mark.parametrize("argv", [
    ["check", "--bogus"],
    ["check", "--format", "xml"],
    ["check", "--today", "2026-13-01"],
    ["frobnicate"],
    [],
])
def test_bad_flags_exit_2(capsys, handbook, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv + ["--root", str(handbook.root)] if argv else argv)
    assert exc.value.code == 2
    assert "usage: tracefacts" in capsys.readouterr().err


def test_root_is_found_from_a_subfolder(capsys, handbook, monkeypatch, tmp_path):
    (handbook.root / "docs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(handbook.root / "docs" / "deep")
    code, out, _ = run(capsys, "check", "--format", "json", *TODAY)
    assert code == 0 and json.loads(out)["facts"] == 2
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, _, err = run(capsys, "check")
    assert code == 2 and "--root" in err


def test_the_installed_command_in_a_subprocess(make_handbook):
    hb = make_handbook(GOOD_FACTS.replace("Beta Corp announced a brand new gadget",
                                          "Beta Corp announced a new gadget"))
    exe = Path(sys.executable).with_name("tracefacts")
    assert exe.exists()
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([str(exe), "check", "--format", "json", *TODAY], cwd=hb.root / "seeds",
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert [(p["code"], p["line"]) for p in data["problems"]] == [
        ("quote-not-found", hb.line("Beta Corp announced a new"))]
    done = subprocess.run([str(exe), "check", "--root", str(hb.root / "nowhere")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr


# --- find ----------------------------------------------------------------------------


def pasted_entries(out: str) -> list[tuple[str, int, str]]:
    """(source id, line, YAML entry) for each occurrence `find` printed."""
    entries = []
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("  ready to paste under `sources:`:"):
            head = lines[i - 2]
            source, where = head.split()[0], head.split()[1]
            block = []
            for entry_line in lines[i + 1:]:
                if not entry_line.startswith("    "):
                    break
                block.append(entry_line[4:])
            entries.append((source, int(where.rsplit(":", 1)[1]), "\n".join(block) + "\n"))
    return entries


def fact_with(entry: str, fact_id: str = "paste.test") -> str:
    # an opinion with its claimant: a pasted quote may give its words to a party ("called it")
    head = (f"  - id: {fact_id}\n    statement: A pasted quote.\n    kind: opinion\n    claimant: Tester\n"
            "    topic: paste\n    sources:\n")
    return GOOD_FACTS + head + textwrap.indent(entry, "      ")


def test_find_prints_source_line_and_an_entry_that_checks(capsys, handbook):
    code, out, _ = run(capsys, "find", "brand new  gadget on\nMonday", "--root", str(handbook.root))
    assert code == 0
    assert out.startswith("beta-news seeds/b.txt:3 ")
    assert "    Beta Corp announced a brand new gadget on Monday" in out  # the context line
    assert out.rstrip().endswith("1 occurrence")
    [(source, line, entry)] = pasted_entries(out)
    assert (source, line) == ("beta-news", 3)
    assert entry == '- source: beta-news\n  quote: "brand new gadget on Monday"\n'
    handbook.facts(fact_with(entry))
    result = handbook.check()
    assert result.problems == ()
    assert result.anchors[("paste.test", 0)].line == 3


def test_find_a_passage_with_curly_quotes_pastes_a_working_entry(capsys, handbook):
    code, out, _ = run(capsys, "find", 'called it "the new design"', "--root", str(handbook.root))
    assert code == 0
    [(source, line, entry)] = pasted_entries(out)
    assert (source, line) == ("acme-report", 8)
    handbook.facts(fact_with(entry))
    assert handbook.check().problems == ()


def test_find_gives_a_prefix_that_picks_each_occurrence(capsys, handbook):
    code, out, _ = run(capsys, "find", "the widget is too expensive for small teams",
                       "--root", str(handbook.root))
    assert code == 0 and out.rstrip().endswith("2 occurrences")
    entries = pasted_entries(out)
    assert len(entries) == 2
    text = (handbook.root / "seeds/a.txt").read_text(encoding="utf-8")
    starts = []
    for index, (_source, _line, entry) in enumerate(entries):
        assert "  prefix: " in entry
        handbook.facts(fact_with(entry, f"paste.n{index}"))
        result = handbook.check()
        assert result.problems == (), entry  # in particular, no quote-ambiguous
        anchor = result.anchors[(f"paste.n{index}", 0)]
        assert text[anchor.start:anchor.end] == "the widget is too expensive for small teams"
        starts.append(anchor.start)
    first = text.index("the widget is too expensive for small teams")
    second = text.index("the widget is too expensive for small teams", first + 1)
    assert starts == [first, second]  # each entry anchors its own occurrence


def test_find_nothing_exits_1(capsys, handbook):
    code, out, _ = run(capsys, "find", "not in any source at all", "--root", str(handbook.root))
    assert code == 1 and "not found in any of the 2 sources" in out


def test_find_json(capsys, handbook):
    code, out, _ = run(capsys, "find", "Prices range from", "--format", "json", "--root", str(handbook.root))
    assert code == 0
    [hit] = json.loads(out)
    text = (handbook.root / "seeds/a.txt").read_text(encoding="utf-8")
    assert hit["source"] == "acme-report" and hit["line"] == 4
    assert text[hit["start"]:hit["end"]] == hit["exact"] == "Prices range from"


# --- coverage ------------------------------------------------------------------------

COVERAGE_SEED = """\
Heading Line

First sentence is quoted entirely here. Second sentence is not quoted at all.
Third sentence stands alone and is fully quoted.
Menu Item One.
"""


@pytest.fixture
def coverage_book(tmp_path) -> Handbook:
    hb = Handbook(tmp_path / "cov")
    hb.seed("c.txt", COVERAGE_SEED)
    hb.sources(f"""\
sources:
  - id: cov
    file: seeds/c.txt
    title: Coverage
    publisher: Test
    published: 2026-01-01
    sha256: {sha256(COVERAGE_SEED)}
    chrome:
      - "Menu Item One."
""")
    hb.facts("""\
        facts:
          - id: cov.first
            statement: The first sentence is quoted.
            kind: reported
            topic: cov
            sources:
              - source: cov
                quote: First sentence is quoted entirely here.
              - source: cov
                quote: Third sentence stands alone and is fully quoted.
    """)
    assert hb.check().problems == ()
    return hb


def test_coverage_text(capsys, coverage_book):
    code, out, _ = run(capsys, "coverage", "--root", str(coverage_book.root))
    assert code == 0
    assert out.splitlines() == [
        "cov: 2/3 sentences covered (67%); 1 headings and 1 chrome lines not counted",
        "    line 3: Second sentence is not quoted at all.",
    ]


def test_coverage_json_and_min(capsys, coverage_book):
    root = ["--root", str(coverage_book.root)]
    code, out, err = run(capsys, "coverage", "--format", "json", *root, "--min", "60")
    assert (code, err) == (0, "")
    [entry] = json.loads(out)
    assert entry["source"] == "cov"
    assert (entry["sentences"], entry["covered"], entry["headings"], entry["chrome_lines"]) == (3, 2, 1, 1)
    assert entry["share"] == pytest.approx(2 / 3, abs=1e-3)
    assert entry["uncovered"] == [{"line": 3, "text": "Second sentence is not quoted at all."}]
    code, _, err = run(capsys, "coverage", *root, "--min", "70")
    assert code == 1 and "below --min 70%: cov" in err


# --- export --------------------------------------------------------------------------

ELIDED_FACT = """\
  - id: acme.elided
    statement: Critics and an analyst call it expensive.
    kind: reported
    topic: acme
    sources:
      - source: acme-report
        quote: Critics say the widget [...] too expensive for small teams in its first year
"""


def test_export_json(capsys, make_handbook):
    hb = make_handbook(GOOD_FACTS + ELIDED_FACT)
    code, out, _ = run(capsys, "export", "--format", "json", "--root", str(hb.root), *TODAY)
    assert code == 0
    data = json.loads(out)
    assert {"ok", "sources", "facts", "problems", "today"} <= set(data)
    assert data["ok"] is True and data["problems"] == [] and data["today"] == "2026-05-01"
    assert [s["id"] for s in data["sources"]] == ["acme-report", "beta-news"]
    facts = {f["id"]: f for f in data["facts"]}
    assert set(facts) == {"acme.capacity", "beta.gadget", "acme.elided"}
    assert facts["beta.gadget"]["claimant"] == "Beta Corp"
    assert (facts["acme.capacity"]["file"], facts["acme.capacity"]["line"]) == ("facts/x.yaml", 2)
    texts = {s["id"]: (hb.root / s["file"]).read_text(encoding="utf-8") for s in data["sources"]}
    for fact in data["facts"]:
        for quote in fact["quotes"]:
            assert quote["found"] is True
            text = texts[quote["source"]]
            assert text[quote["start"]:quote["end"]] == quote["exact"]
            for start, end in quote["parts"]:
                assert normalize_text(text[start:end]) in normalize_text(quote["quote"])


def test_export_w3c_one_annotation_per_quote(capsys, make_handbook):
    hb = make_handbook(GOOD_FACTS + ELIDED_FACT)
    code, out, _ = run(capsys, "export", "--format", "w3c", "--root", str(hb.root), *TODAY)
    assert code == 0
    data = json.loads(out)
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    assert data["total"] == len(items) == 3  # one per quote
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {"urn:tracefacts:acme.capacity:0", "urn:tracefacts:beta.gadget:0",
                          "urn:tracefacts:acme.elided:0"}
    for item in items:
        assert item["type"] == "Annotation" and item["body"]["type"] == "TextualBody"
        targets = item["target"] if isinstance(item["target"], list) else [item["target"]]
        for target in targets:
            text = (hb.root / target["source"]).read_text(encoding="utf-8")
            quote_sel = next(s for s in target["selector"] if s["type"] == "TextQuoteSelector")
            pos_sel = next(s for s in target["selector"] if s["type"] == "TextPositionSelector")
            assert text[pos_sel["start"]:pos_sel["end"]] == quote_sel["exact"]
            assert text[:pos_sel["start"]].endswith(quote_sel["prefix"])
            assert text[pos_sel["end"]:].startswith(quote_sel["suffix"])
    elided = by_id["urn:tracefacts:acme.elided:0"]["target"]
    assert [t["selector"][0]["exact"] for t in elided] == [
        "Critics say the widget", "too expensive for small teams in its first year"]
    assert by_id["urn:tracefacts:beta.gadget:0"]["target"]["selector"][0]["exact"] == \
        "Beta Corp announced a brand new gadget"
    assert by_id["urn:tracefacts:beta.gadget:0"]["body"]["value"] == "Beta says it has a new gadget."


def test_export_to_a_file(capsys, handbook, tmp_path):
    target = tmp_path / "out.json"
    code, out, err = run(capsys, "export", "--root", str(handbook.root), "-o", str(target), *TODAY)
    assert code == 0 and out == "" and "wrote" in err
    code, out, _ = run(capsys, "export", "--root", str(handbook.root), *TODAY)
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(out)


def test_export_to_a_missing_folder_says_so_without_a_traceback(capsys, handbook, tmp_path):
    target = tmp_path / "no-such-folder" / "out.json"
    code, out, err = run(capsys, "export", "--root", str(handbook.root), "-o", str(target), *TODAY)
    assert code == 1
    assert "Traceback" not in err
    assert f"tracefacts export: cannot write {target}:" in err
    assert not target.parent.exists()


def test_export_of_a_broken_base_exits_1_but_still_writes(capsys, make_handbook):
    hb = make_handbook(GOOD_FACTS.replace("14.3", "14.8"))
    code, out, _ = run(capsys, "export", "--root", str(hb.root), *TODAY)
    assert code == 1
    data = json.loads(out)
    quote = next(f for f in data["facts"] if f["id"] == "acme.capacity")["quotes"][0]
    assert quote["found"] is False and "start" not in quote
    assert data["ok"] is False



def test_colour_only_when_asked(capsys, make_handbook, monkeypatch):
    hb = make_handbook(GOOD_FACTS.replace("14.3", "14.8"))
    run(capsys, "check", "--root", str(hb.root), *TODAY)
    assert "\033[" not in capsys.readouterr().out
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out, _ = run(capsys, "check", "--root", str(hb.root), *TODAY)
    assert code == 1
    assert "\033[31;1merror\033[0m" in out and "\033[1mquote-not-found\033[0m" in out


def test_hash_mismatch_when_every_quote_still_matches(capsys, handbook):
    handbook.seed("b.txt", SEED_B + "\nA later correction.\n")
    code, out, _ = run(capsys, "check", "--root", str(handbook.root), *TODAY)
    assert code == 1
    line = handbook.line("sha256:", "facts/sources.yaml", nth=2)
    assert f"facts/sources.yaml:{line}: error source-hash-mismatch (source beta-news)" in out
    assert "Every quote still matches. Facts whose quotes still match: beta.gadget." in out
    assert "tracefacts pin beta-news" in out


# --- pdf (usage errors; the builds are in tests/pdf/test_pdf_command.py) ---------------


def test_pdf_of_a_folder_without_conf_py_is_a_usage_error(capsys, tmp_path, monkeypatch):
    (tmp_path / "notes").mkdir()
    code, out, err = run(capsys, "pdf", str(tmp_path / "notes"))
    assert (code, out) == (2, "")
    assert err == (f"tracefacts pdf: {tmp_path / 'notes'}: no conf.py in this folder; "
                   "give the Sphinx source folder (DOCS)\n")
    monkeypatch.chdir(tmp_path)  # DOCS defaults to docs
    code, out, err = run(capsys, "pdf")
    assert (code, out) == (2, "")
    assert err == "tracefacts pdf: docs: no such folder (DOCS is the Sphinx source folder, with conf.py)\n"
    assert list(tmp_path.rglob("*")) == [tmp_path / "notes"]  # nothing written


def test_pdf_to_a_folder_is_a_usage_error_naming_a_file_to_give(capsys, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "conf.py").write_text('project = "T"\n', encoding="utf-8")
    code, out, err = run(capsys, "pdf", str(tmp_path / "docs"), "-o", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"tracefacts pdf: -o {tmp_path} is a folder: name the PDF file, e.g. {tmp_path / 'briefing.pdf'}\n"
    assert not (tmp_path / "docs" / "_build").exists()


def test_pdf_usage_error_names_escaped(capsys, tmp_path):
    code, _, err = run(capsys, "pdf", str(tmp_path / "a\x1b[2Jb\nc"))
    assert code == 2
    assert err.count("\n") == 1 and "a\\x1b[2Jb\\x0ac: no such folder" in err
