"""PDF sources: the text a reader reads on the pages, quotes across line and page breaks,
hyphenation undone, running headers and page numbers dropped, the page of a quote, and a
clear problem — in bounded time and memory — for every PDF that cannot be read.

The PDFs are made here: WeasyPrint sets real pages (running headers and page numbers in
the page margins, words broken at line ends, paragraphs running over page breaks), pypdf
encrypts one and makes blank pages, and a few are written by hand. What each document
holds is read back with pypdf — a PDF library of its own, that knows nothing of
tracefacts' rules — so that no expectation is copied from the program under test.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
import time
import zlib
from pathlib import Path

import pypdf
import pytest
import weasyprint
from tfcore import sha256

from tracefacts.cli import main
from tracefacts.formats import DEFAULT_LIMITS, Extracted, FormatProblem, Limits, extract, page_label
from tracefacts.formats import pdf as pdf_format
from tracefacts.normalize import normalize_text

HEADER = "Forest Survey 2026 \u2014 interim report"
STAMP = "DRAFT FOR REVIEW"


def render(body: str, css: str = "", head: str = "") -> bytes:
    html = (f'<html lang="en"><head><meta charset="utf-8">{head}<style>{css}</style></head>'
            f"<body>{body}</body></html>")
    return weasyprint.HTML(string=html).write_pdf()


def finding(i: int, k: int) -> str:
    return f"Finding {i}.{k} of the survey counts the trees standing in plot {i}{k} of the valley floor."


@pytest.fixture(scope="module")
def report() -> bytes:
    """Six A6 pages: a running header at the top of each, "Page N of 6" at the bottom, and
    paragraphs of numbered findings that run over the page breaks."""
    css = f"""
        @page {{ size: A6; margin: 18mm 12mm;
          @top-center {{ content: "{HEADER}"; font-size: 8pt }}
          @bottom-center {{ content: "Page " counter(page) " of " counter(pages); font-size: 8pt }} }}
        body {{ font: 10pt/1.3 serif }}
        p {{ margin: 0 0 0.8em; text-align: justify }}"""
    head = ('<title>Forest Survey 2026</title><meta name="author" content="Ada Lovelace">'
            '<meta name="dcterms.created" content="2026-04-25T10:00:00Z">')
    body = "<h1>Forest Survey</h1>" + "".join(
        "<p>" + " ".join(finding(i, k) for k in range(1, 9)) + "</p>" for i in range(1, 9))
    return render(body, css, head)


def page_texts(data: bytes) -> list[str]:
    """Each page's text as pypdf reads it (running header and page number included)."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def body_words(page_text: str) -> list[str]:
    """The words of a page of the report, without its running header and page number."""
    lines = [line for line in page_text.splitlines()
             if line.strip() and HEADER not in line and not re.fullmatch(r"Page \d+ of \d+", line.strip())]
    return " ".join(lines).split()


def across(data: bytes, page: int, before: int = 6, after: int = 6) -> str:
    """A quote made of the last words of ``page`` and the first words of the next one."""
    texts = page_texts(data)
    return " ".join(body_words(texts[page - 1])[-before:] + body_words(texts[page])[:after])


def span(text: str, quote: str) -> tuple[int, int]:
    """Where ``quote`` stands in ``text``, any white space matching any white space."""
    m = re.search(r"\s+".join(re.escape(w) for w in quote.split()), text)
    assert m, f"{quote!r} is not in the text"
    return m.span()


def read(data: bytes, limits: Limits = DEFAULT_LIMITS, chrome: tuple[str, ...] = ()) -> Extracted:
    extracted = extract(data, "pdf", limits, chrome)
    assert isinstance(extracted, Extracted), extracted
    return extracted


def problem(data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[FormatProblem, float]:
    start = time.monotonic()
    result = extract(data, "pdf", limits)
    elapsed = time.monotonic() - start
    assert isinstance(result, FormatProblem), result
    return result, elapsed


# --- a handbook with a PDF source ---------------------------------------------------


def handbook(root: Path, data: bytes, quotes: list[str], chrome: list[str] | None = None) -> Path:
    (root / "seeds").mkdir(parents=True)
    (root / "facts").mkdir()
    (root / "seeds" / "survey.pdf").write_bytes(data)
    chrome_yaml = "".join(f"\n      - {json.dumps(line)}" for line in chrome or [])
    (root / "facts" / "sources.yaml").write_text(textwrap.dedent(f"""\
        sources:
          - id: survey
            file: seeds/survey.pdf
            title: Forest Survey 2026
            publisher: Valley Trust
            published: 2026-04-25
            sha256: {sha256(data)}
        """) + (f"    chrome:{chrome_yaml}\n" if chrome else ""), encoding="utf-8")
    facts = "facts:\n" + "".join(textwrap.dedent(f"""\
          - id: survey.f{n}
            statement: The survey counts trees.
            kind: reported
            topic: survey
            sources:
              - source: survey
                quote: {json.dumps(quote)}
        """) for n, quote in enumerate(quotes))
    (root / "facts" / "survey.yaml").write_text(facts, encoding="utf-8")
    return root


def check_json(capsys: pytest.CaptureFixture[str], root: Path) -> dict:
    code = main(["check", "--root", str(root), "--format", "json", "--today", "2026-05-01"])
    data = json.loads(capsys.readouterr().out)
    assert code == (0 if data["ok"] else 1)
    return data


def errors(data: dict) -> list[tuple[str, str]]:
    return [(p["code"], p["message"]) for p in data["problems"] if p["severity"] == "error"]


# --- quotes across line and page breaks ----------------------------------------------


def test_a_quote_across_a_page_break_with_a_running_header_and_page_number_between_matches(
        report, tmp_path, capsys):
    texts = page_texts(report)
    assert len(texts) == 6 and HEADER in texts[2] and "Page 3 of 6" in texts[2]  # the furniture is there
    quote = across(report, 3)
    wrong = quote.replace("valley", "forest", 1) if "valley" in quote else quote.replace("the", "a", 1)
    root = handbook(tmp_path / "hb", report, [quote, wrong])
    data = check_json(capsys, root)
    assert [code for code, _ in errors(data)] == ["quote-not-found"]  # the quote matched; the altered one did not
    assert json.dumps(wrong)[1:-1] in errors(data)[0][1]


def test_running_headers_and_page_numbers_are_not_in_the_text(report):
    text = read(report).text
    assert HEADER not in text and "interim report" not in text
    assert not re.search(r"Page \d+ of 6", text)
    assert "Forest Survey\n\nFinding 1.1 of the survey" in text  # the body is all there, in order
    assert all(finding(i, k) in " ".join(text.split()) for i in range(1, 9) for k in range(1, 9))


def test_a_paragraph_running_over_a_page_break_stays_one_paragraph(report):
    extracted = read(report)
    start, end = span(extracted.text, across(report, 3))
    assert "\n\n" not in extracted.text[start:end]  # no blank line: elision may cross the break
    # and the paragraphs stay apart: a blank line before each one's first finding
    assert all(f"\n\n{finding(i, 1)[:12]}" in extracted.text for i in range(1, 9))


def test_the_page_of_a_quote_over_a_page_break_is_pp_3_4(report):
    extracted = read(report)
    assert len(extracted.pages) == 6 and extracted.pages[0] == 0
    start, end = span(extracted.text, across(report, 3))
    assert extracted.pages_of(start, end) == (3, 4)
    assert page_label(extracted.pages_of(start, end)) == "pp. 3\u20134"
    # a quote inside page 5 is on page 5 alone
    words = body_words(page_texts(report)[4])
    inside = span(extracted.text, " ".join(words[10:18]))
    assert page_label(extracted.pages_of(*inside)) == "p. 5"


def test_each_line_maps_back_to_its_page_and_pdfium_character(report):
    import pypdfium2

    extracted = read(report)
    quote = " ".join(body_words(page_texts(report)[3])[:10])  # the first words of page 4 (a numbered finding)
    start, _ = span(extracted.text, quote)
    where = extracted.locate(start)
    assert where.page == 4
    doc = pypdfium2.PdfDocument(report)
    assert doc[3].get_textpage().get_text_range(where.index, len(quote.split()[0])) == quote.split()[0]


def test_a_running_head_that_changes_with_the_chapter_is_dropped_and_the_chapter_heading_kept():
    # a book: each chapter's title is the running head of its pages (WeasyPrint's string-set)
    css = """@page { size: A6; margin: 18mm 12mm; @top-center { content: string(chapter); font-size: 8pt }
                                            @bottom-right { content: counter(page); font-size: 8pt } }
             body { font: 10pt/1.3 serif }
             h2 { string-set: chapter content(); break-before: page; font-size: 14pt }
             p { margin: 0 0 0.8em }"""
    names = ["Oaks of the Upper Valley", "Pines on the Ridge", "Willows by the River"]
    data = render("".join(f"<h2>{name}</h2>" + "".join(
        "<p>" + " ".join(finding(c * 10 + j, k) for k in range(1, 9)) + "</p>" for j in range(3))
        for c, name in enumerate(names, start=1)), css)
    texts = page_texts(data)
    assert len(texts) == 9 and all(texts[n].rstrip().endswith(f"{names[n // 3]}\n{n + 1}") for n in range(9))
    extracted = read(data)
    for name in names:  # the heading stays, once, a paragraph of its own; the running heads go
        assert extracted.text.count(name) == 1 and f"{name}\n\nFinding" in extracted.text
    page_5 = " ".join(texts[4].splitlines()[:-2]).split()  # its body: no running head, no number
    quote = " ".join(page_5[-6:] + texts[5].split()[:6])
    assert extracted.pages_of(*span(extracted.text, quote)) == (5, 6)


def test_the_document_info_gives_title_author_and_date(report):
    meta = read(report).metadata
    assert (meta.title, meta.author, meta.published) == ("Forest Survey 2026", "Ada Lovelace", "2026-04-25")


def test_a_declared_chrome_line_between_two_parts_of_a_paragraph_is_dropped(tmp_path, capsys):
    # a stamp in the margin of page 2 only: not repeated, so only its declaration drops it
    css = f"""@page {{ size: A6; margin: 15mm 12mm }}
              @page :nth(2) {{ @top-right {{ content: "{STAMP}"; font-size: 7pt }} }}
              body {{ font: 10pt/1.3 serif }}"""
    data = render("<p>" + " ".join(finding(1, k) for k in range(1, 40)) + "</p>", css)
    texts = page_texts(data)
    assert STAMP in texts[1] and STAMP not in texts[0]
    body_2 = " ".join(line for line in texts[1].splitlines() if STAMP not in line).split()
    quote = " ".join(body_2[-8:] + texts[2].split()[:8])  # from page 2 to page 3, where the stamp stands
    declared = handbook(tmp_path / "declared", data, [quote], chrome=[STAMP])
    assert errors(check_json(capsys, declared)) == []
    assert STAMP not in read(data, chrome=(STAMP,)).text
    # undeclared, the stamp stands in the text, inside the paragraph, and breaks the quote
    assert STAMP in read(data).text
    undeclared = handbook(tmp_path / "undeclared", data, [quote])
    assert [code for code, _ in errors(check_json(capsys, undeclared))] == ["quote-not-found"]


def last_finding(words: list[str], before: int = 0) -> str:
    """Six words of a page from its last "Finding" that has them (a quote found once)."""
    starts = [i for i, word in enumerate(words) if word == "Finding" and i + 6 <= len(words) - before]
    return " ".join(words[starts[-1]:starts[-1] + 6])


def test_a_lone_page_number_is_dropped_even_on_one_page():
    css = """@page { size: A6; margin: 15mm 12mm }
             @page :nth(2) { @bottom-center { content: "- " counter(page) " -"; font-size: 8pt } }
             body { font: 10pt/1.3 serif }"""
    data = render("<p>" + " ".join(finding(2, k) for k in range(1, 40)) + "</p>", css)
    texts = page_texts(data)
    assert texts[1].rstrip().endswith("- 2 -") and "- 3 -" not in texts[2]
    extracted = read(data)
    assert "- 2 -" not in extracted.text and "\n2\n" not in extracted.text
    start, end = span(extracted.text, last_finding(texts[1].split(), before=3))
    assert extracted.pages_of(start, end) == (2, 2)
    quote = " ".join(texts[1].split()[-8:-3] + texts[2].split()[:5])  # across the break, the number between
    assert extracted.pages_of(*span(extracted.text, quote)) == (2, 3)


# --- hyphenation ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def hyphenated() -> bytes:
    css = """@page { size: A5; margin: 15mm } body { font: 11pt/1.3 serif }
             p.narrow { width: 7.5em } p.column { width: 9em }
             p.auto { width: 11em; hyphens: auto; text-align: justify }"""
    return render("""
        <p>Most labs now publish open-weight models; open-weight is the word for them.</p>
        <p class="narrow">The forest eco&shy;system in the valley.</p>
        <p class="column">Many of the larger labs release open-weight checkpoints.</p>
        <p class="column">Support for non-English languages and for COVID-19 records.</p>
        <p class="auto">Internationalisation considerations notwithstanding, extraordinarily
        comprehensive documentation characterises responsible environmental administration,
        particularly regarding biodiversity conservation programmes.</p>""", css)


def test_a_word_broken_at_a_line_end_is_joined(hyphenated, tmp_path, capsys):
    page = page_texts(hyphenated)[0]
    assert "eco\u2010\nsystem" in page  # the typesetter broke it
    assert "ecosystem" in read(hyphenated).text
    root = handbook(tmp_path / "eco", hyphenated, ["The forest ecosystem in the valley"])
    assert errors(check_json(capsys, root)) == []


def test_every_word_hyphens_auto_broke_is_whole_again(hyphenated):
    page = page_texts(hyphenated)[0]
    broken = re.findall(r"(\w+)\u2010\n(\w+)", page)
    assert len(broken) >= 4  # hyphens: auto broke several words
    text = read(hyphenated).text
    for left, right in broken:
        assert f"{left}{right}" in text
    assert normalize_text("considerations notwithstanding, extraordinarily comprehensive documentation "
                          "characterises responsible") in normalize_text(text)


def test_a_real_hyphen_at_a_line_end_is_kept(hyphenated):
    page = page_texts(hyphenated)[0]
    assert "open-\nweight" in page or "open-\n weight" in page  # broken after its own hyphen
    assert "non-\nEnglish" in page
    text = normalize_text(read(hyphenated).text)
    # "open-weight" stands unbroken in the first paragraph, so the break keeps its hyphen
    assert "labs release open-weight checkpoints" in text
    assert "openweight" not in text
    assert "Support for non-English languages" in text  # a capital follows: a real hyphen


def test_a_hyphen_pdfium_joins_itself_follows_the_same_rule():
    # written by hand, one text line under the other: pdfium joins "eco-" and "open-" with
    # the next line itself and marks the hyphen (U+FFFE) instead of ending the line
    content = (b"BT /F1 12 Tf 72 720 Td (The forest eco-) Tj 0 -14 Td (system holds many open-weight) Tj "
               b"0 -14 Td (trees and more open-) Tj 0 -14 Td (weight ones; Meta-) Tj 0 -14 Td (Llama too.) Tj ET")
    data = pdf_with_content(zlib.compress(content))
    import pypdfium2

    assert "\ufffe" in pypdfium2.PdfDocument(data)[0].get_textpage().get_text_range()
    text = normalize_text(read(data).text)
    assert text == ("The forest ecosystem holds many open-weight trees and more open-weight ones; Meta-Llama too.")


# --- documents that cannot be read ---------------------------------------------------


def blank_pages(count: int) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=300, height=400)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_without_text_is_source_no_text_with_the_ocr_hint(tmp_path, capsys):
    image_only = render('<svg width="200" height="120"><rect width="200" height="120" fill="teal"/></svg>'
                        '<div style="page-break-before: always"></div>', "@page { size: A6 }")
    for data in (blank_pages(3), image_only):
        found, elapsed = problem(data)
        assert found.code == "source-no-text"
        assert "has no text layer" in found.message and "ocrmypdf in.pdf out.pdf" in found.message
        assert elapsed < 10
    root = handbook(tmp_path / "scan", blank_pages(2), ["the trees standing in plot"])
    [(code, message)] = errors(check_json(capsys, root))
    assert code == "source-no-text"
    assert message.startswith("source `survey`: seeds/survey.pdf has no text layer (a scanned document?)")


def test_an_encrypted_pdf_is_unreadable_and_says_so(report, tmp_path, capsys):
    reader = pypdf.PdfReader(io.BytesIO(report))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    found, elapsed = problem(out.getvalue())
    assert found.code == "source-unreadable"
    assert found.message.startswith("is encrypted: a password is needed to read it.")
    assert elapsed < 10
    root = handbook(tmp_path / "locked", out.getvalue(), ["the trees standing in plot"])
    [(code, message)] = errors(check_json(capsys, root))
    assert (code, message.split(": ")[0]) == ("source-unreadable", "source `survey`")
    assert "seeds/survey.pdf is encrypted" in message


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_malformed_pdf_is_unreadable_with_pdfiums_reason(report, damage):
    data = {"garbage": b"%PDF-1.7\n\x00\xff this is not a PDF at all \x01" * 50,
            "truncated": report[: len(report) // 3],
            "empty": b""}[damage]
    found, elapsed = problem(data)
    assert found.code == "source-unreadable"
    assert found.message == "is not a readable PDF: pdfium says it is not a PDF, or it is damaged or truncated."
    assert elapsed < 10


def test_more_pages_than_the_limit_is_unreadable_before_reading_them():
    found, elapsed = problem(blank_pages(12), Limits(pages=10))
    assert found.code == "source-unreadable"
    assert found.message.startswith("has 12 pages, more than the limit of 10;")
    assert elapsed < 10
    assert isinstance(extract(blank_pages(10), "pdf", Limits(pages=10)), FormatProblem)  # read: no text
    assert extract(blank_pages(10), "pdf", Limits(pages=10)).code == "source-no-text"


def worker_script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "fake_worker.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_a_pdf_that_takes_too_long_is_stopped_at_the_time_limit(report, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_format, "WORKER", worker_script(tmp_path, "import time\ntime.sleep(60)\n"))
    found, elapsed = problem(report, Limits(seconds=0.5))
    assert found.code == "source-unreadable"
    assert found.message.startswith("took longer than 0.5 s to read; reading stopped.")
    assert elapsed < 5


def test_the_real_reader_is_stopped_at_the_time_limit_too(report):
    found, elapsed = problem(report, Limits(seconds=0.005))
    assert found.message.startswith("took longer than 0.005 s to read")
    assert elapsed < 5


def test_the_reader_runs_under_the_memory_limit(report, tmp_path, monkeypatch):
    # a reader that asks for twice the limit gets a MemoryError: the cap is on the child
    monkeypatch.setattr(pdf_format, "WORKER", worker_script(tmp_path, """\
        import sys
        block = bytearray(400 << 20)
        sys.stdout.write('{"pages": [[["allocated", 0, 0, 0, 0, 0]]], "info": {}}')
        """))
    found, elapsed = problem(report, Limits(memory=200 << 20))
    assert found.code == "source-unreadable"
    assert found.message.startswith("needed more than 200 MB of memory to read; reading stopped.")
    assert elapsed < 10


def pdf_with_content(stream: bytes) -> bytes:
    """A one-page PDF written by hand whose page content is ``stream`` (Flate-compressed)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def inflating_to(megabytes: int) -> bytes:
    """A page whose content stream holds one line of text, then inflates to ``megabytes``."""
    pack = zlib.compressobj(6)
    parts = [pack.compress(b"BT /F1 12 Tf 72 720 Td (Hello from the valley) Tj ET\n")]
    parts += [pack.compress(b" " * (1 << 20)) for _ in range(megabytes)]
    parts.append(pack.flush())
    return pdf_with_content(b"".join(parts))


def test_a_decompression_bomb_is_stopped_by_the_memory_limit():
    limits = Limits(memory=256 << 20)
    assert read(inflating_to(2), limits).text == "Hello from the valley\n"  # the same PDF, small, reads
    bomb = inflating_to(400)
    assert len(bomb) < 2 << 20
    found, elapsed = problem(bomb, limits)
    assert found.code == "source-unreadable"
    assert "needed more than 256 MB of memory" in found.message
    assert elapsed < 20


def test_a_crash_of_the_reader_is_a_problem_not_a_crash_of_the_checker(report, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_format, "WORKER", worker_script(tmp_path, "import os, signal\n"
                                                                      "os.kill(os.getpid(), signal.SIGSEGV)\n"))
    found, _ = problem(report)
    assert found.code == "source-unreadable"
    assert found.message.startswith("could not be read: pdfium crashed (SIGSEGV) on it")


@pytest.mark.parametrize("answer", [
    '{"pages": [[["text", "not a number"]]], "info": {}}',
    '{"pages": [[["text", 0, NaN, 1, 2, 3]]], "info": {}}',
    '{"pages": [[[7, 0, 0, 1, 2, 3]]], "info": {}}',
    '{"pages": "nothing", "info": {}}',
    '{"pages": [], "info": 3}',
    '[1, 2, 3]',
    'not JSON at all',
])
def test_a_reader_answering_nonsense_is_not_believed(report, tmp_path, monkeypatch, answer):
    # the reader has read hostile bytes: what it answers is checked, never trusted
    monkeypatch.setattr(pdf_format, "WORKER", worker_script(tmp_path, f"import sys\nsys.stdout.write({answer!r})\n"))
    found, _ = problem(report)
    assert found.code == "source-unreadable"
    assert found.message.startswith("could not be read:")


def test_a_one_letter_prefix_keeps_its_hyphen_at_a_line_end():
    # (attack on formats, finding 11) "X-" + "ray" was joined into "Xray"; a typesetter never
    # breaks a word after its first letter, so the hyphen is a real one
    from tracefacts.formats.pdf_layout import hyphen_join

    assert hyphen_join("the X-", "ray unit", set()) == ("the X-", "")
    assert hyphen_join("a new T-", "shirt", set()) == ("a new T-", "")
    assert hyphen_join("the eco-", "system", set()) == ("the eco", "")
