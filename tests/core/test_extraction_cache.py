"""A PDF or HTML source is parsed once: the next `check` (and the next Sphinx build) reads
its text from the cache, keyed by the file's hash, its format and its declared chrome."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest
import weasyprint

import tracefacts.formats.pdf as pdf_format
from tracefacts.cli import main
from tracefacts.formats.cache import CLI_FOLDER
from tracefacts.memo import load_and_check

REPORT = "<p>The board decided that the Rocket will remain closed for the coming year.</p>"


def _book(root: Path) -> Path:
    (root / "seeds").mkdir(parents=True)
    (root / "facts").mkdir()
    data = weasyprint.HTML(string=REPORT).write_pdf()
    (root / "seeds/report.pdf").write_bytes(data)
    (root / "facts/sources.yaml").write_text(textwrap.dedent(f"""\
        sources:
          - id: report
            file: seeds/report.pdf
            title: Acme Annual Report
            publisher: Acme
            published: 2026-02-01
            sha256: {hashlib.sha256(data).hexdigest()}
        """))
    (root / "facts/rocket.yaml").write_text(textwrap.dedent("""\
        facts:
          - id: rocket.board
            statement: Acme's board decided to keep the Rocket closed for the coming year.
            kind: reported
            topic: rocket
            review_by: 2027-01-01
            sources:
              - source: report
                quote: "the Rocket will remain closed for the coming year"
        """))
    return root


def _no_pdf_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the PDF was parsed again")
    monkeypatch.setattr(pdf_format, "extract_pdf", refuse)


def test_a_second_check_reads_the_pdf_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = _book(tmp_path / "book")
    assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 0
    cached = list((root / CLI_FOLDER / "extracted").glob("*.json"))
    assert len(cached) == 1
    assert (root / CLI_FOLDER / "CACHEDIR.TAG").is_file() and (root / CLI_FOLDER / ".gitignore").is_file()
    _no_pdf_reader(monkeypatch)
    capsys.readouterr()
    assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 0
    assert ": ok (" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="parsed again"):
        main(["check", "--root", str(root), "--today", "2026-03-01", "--no-cache"])


def test_another_chrome_is_another_text(tmp_path: Path) -> None:
    root = _book(tmp_path / "book")
    assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 0
    sources = root / "facts/sources.yaml"
    sources.write_text(sources.read_text() + '    chrome: ["Introduction"]\n')
    assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 0
    assert len(list((root / CLI_FOLDER / "extracted").glob("*.json"))) == 2


def test_a_cache_folder_that_is_a_link_out_is_never_written(tmp_path: Path) -> None:
    root = _book(tmp_path / "book")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / CLI_FOLDER).symlink_to(outside, target_is_directory=True)
    assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 0
    assert list(outside.rglob("*")) == []


def test_the_sphinx_memo_keeps_the_extracted_text_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _book(tmp_path / "book")
    memo = tmp_path / "doctrees" / "tracefacts.memo"
    first = load_and_check(root, None, memo)
    assert first.anchors and not first.errors
    assert len(list((memo.parent / "tracefacts-extracted").glob("*.json"))) == 1
    _no_pdf_reader(monkeypatch)
    again = load_and_check(root, None, memo)
    assert again.anchors == first.anchors


def test_a_planted_or_damaged_cache_file_is_never_run_only_ignored(tmp_path: Path) -> None:
    import pickle

    root = _book(tmp_path / "book")
    assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 0
    (entry,) = (root / CLI_FOLDER / "extracted").glob("*.json")
    witness = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (Path.touch, (witness,))

    for planted in (entry.read_bytes().split(b"\n", 1)[0] + b"\n" + pickle.dumps(Payload()),
                    pickle.dumps(Payload()), b"tracefacts-extracted 2\n{\"text\": 5}", b"\xff" * 64):
        entry.write_bytes(planted)
        assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 0
        assert not witness.exists()


def test_what_is_remembered_is_what_was_extracted(tmp_path: Path) -> None:
    from tracefacts.formats import extract
    from tracefacts.formats.cache import decode, encode

    html = (b"<html><head><title>T</title><meta property='og:site_name' content='S'></head><body>"
            b"<h1>Head</h1><p>One <b>two</b></p><ul><li>x</li></ul></body></html>")
    pdf = weasyprint.HTML(string=REPORT * 40).write_pdf()
    for data, fmt in ((html, "html"), (pdf, "pdf")):
        found = extract(data, fmt)
        assert decode(encode(found)) == found


def test_find_names_the_page_of_a_pdf_passage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    root = _book(tmp_path / "book")
    assert main(["find", "remain closed for the coming", "--root", str(root)]) == 0
    assert "seeds/report.pdf:1, p. 1 (characters" in capsys.readouterr().out
    assert main(["find", "remain closed for the coming", "--root", str(root), "--format", "json"]) == 0
    assert [hit["pages"] for hit in json.loads(capsys.readouterr().out)] == [[1, 1]]


def test_a_planted_memo_is_never_unpickled(tmp_path: Path) -> None:
    import pickle

    from tracefacts import memo as memo_module

    root = _book(tmp_path / "book")
    memo = tmp_path / "doctrees" / "tracefacts.memo"
    load_and_check(root, None, memo)
    witness = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (Path.touch, (witness,))

    payload = pickle.dumps(Payload())
    forged = (memo_module.MAGIC + memo_module.fingerprint() + __import__("hashlib").sha256(payload).digest()
              + payload)  # what an unsigned memo looked like: anyone could compute it
    memo.write_bytes(forged)
    result = load_and_check(root, None, memo)
    assert not witness.exists() and result.anchors


def test_without_a_place_for_the_key_nothing_is_remembered_and_all_works(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from tracefacts import cachekey

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    cachekey._key_at.cache_clear()
    root = _book(tmp_path / "book")
    assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 0
    assert not (root / CLI_FOLDER).exists()


def test_a_forged_cache_entry_cannot_make_a_quote_pass(tmp_path: Path) -> None:
    import json

    from tracefacts.formats import extract
    from tracefacts.formats.cache import encode

    root = _book(tmp_path / "book")
    facts = root / "facts/rocket.yaml"
    facts.write_text(facts.read_text().replace("the Rocket will remain closed for the coming year",
                                               "the Rocket will be open-sourced next month"))
    assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 1  # not in the PDF
    (entry,) = (root / CLI_FOLDER / "extracted").glob("*.json")
    found = extract((root / "seeds/report.pdf").read_bytes(), "pdf")
    fake = encode(found) | {"text": found.text + "\nthe Rocket will be open-sourced next month\n"}
    payload = json.dumps(fake).encode()
    magic = entry.read_bytes().split(b"\n", 1)[0] + b"\n"
    for signature in (b"\0" * 32, __import__("hashlib").sha256(payload).digest()):
        entry.write_bytes(magic + signature + payload)
        assert main(["check", "--root", str(root), "--today", "2026-03-01"]) == 1
