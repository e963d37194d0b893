"""A long PDF is read by two processes (the worker and a forked copy of it, each half of the
pages): the reader's text is the same as read by one, and the copy is bounded as the
worker is — a crash or a memory refusal in it is the source's problem, and the time limit
stops it too (nothing keeps running after the check gave up)."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest
import weasyprint

from tracefacts.formats import DEFAULT_LIMITS, Extracted, FormatProblem, Limits, extract
from tracefacts.formats import pdf as pdf_format

PAGES = 20
HEADER = "Valley Survey \u2014 field notes"
WORKER = pdf_format.WORKER  # the real one (tests patch pdf_format.WORKER)


def sentence(i: int) -> str:
    return f"Plot {i} of the valley floor holds its own stand of beech and hornbeam, counted twice."


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    """Twenty A7 pages of justified, hyphenated prose (paragraphs run over the page breaks),
    a running header and a page number on each."""
    css = f"""
        @page {{ size: A7; margin: 12mm 8mm;
          @top-center {{ content: "{HEADER}"; font-size: 6pt }}
          @bottom-center {{ content: counter(page); font-size: 6pt }} }}
        body {{ font: 8pt/1.3 serif; text-align: justify; hyphens: auto }}"""
    body = "".join("<p>" + " ".join(sentence(i * 10 + k) for k in range(10)) + "</p>" for i in range(40))
    document = weasyprint.HTML(string=f'<html lang="en"><head><style>{css}</style></head><body>{body}</body></html>')
    rendered = document.render()
    assert len(rendered.pages) > PAGES
    return rendered.copy(rendered.pages[:PAGES]).write_pdf()


def read(data: bytes, split_at: int, monkeypatch: pytest.MonkeyPatch, limits: Limits = DEFAULT_LIMITS) -> object:
    monkeypatch.setattr(pdf_format, "split_at", lambda: split_at)
    return extract(data, "pdf", limits)


def test_two_readers_give_the_text_one_reader_gives(long_pdf, monkeypatch):
    one = read(long_pdf, 0, monkeypatch)
    two = read(long_pdf, 2, monkeypatch)
    assert isinstance(one, Extracted) and isinstance(two, Extracted)
    assert two.text == one.text
    assert two.pages == one.pages and len(two.pages) == PAGES
    assert two.stretch_starts == one.stretch_starts and two.stretch_locations == one.stretch_locations
    # what a reader sees: the prose of the last page too, without the running header
    assert "Plot 0 of the valley floor" in two.text
    assert two.page_of(len(two.text) - 1) == PAGES
    assert HEADER not in two.text


def patched_worker(tmp_path: Path, page_reader: str) -> Path:
    """The real worker, but each page read through ``page_reader`` (which may call the real
    ``_read_page``), at a path of its own so its processes can be found."""
    source = WORKER.read_text(encoding="utf-8")
    head, tail = source.rsplit('if __name__ == "__main__":', 1)
    path = tmp_path / f"patched_worker_{os.getpid()}_{time.monotonic_ns()}.py"
    path.write_text(head + "_read_page = _page_lines\n\n\n" + textwrap.dedent(page_reader)
                    + '\n\nif __name__ == "__main__":' + tail, encoding="utf-8")
    return path


def readers_of_pages(data: bytes, split_at: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[int, int]:
    """Page number → the process that read it."""
    log = tmp_path / f"pages-{split_at}.log"
    monkeypatch.setattr(pdf_format, "WORKER", patched_worker(tmp_path, f"""\
        def _page_lines(doc, number, pdfium_c):
            with open({str(log)!r}, "a") as out:
                out.write(f"{{number}} {{os.getpid()}}\\n")
            return _read_page(doc, number, pdfium_c)
        """))
    assert isinstance(read(data, split_at, monkeypatch), Extracted)
    return {int(n): int(pid) for n, pid in (line.split() for line in log.read_text().splitlines())}


def test_each_of_two_readers_reads_half_of_the_pages(long_pdf, tmp_path, monkeypatch):
    readers = readers_of_pages(long_pdf, 2, tmp_path, monkeypatch)
    assert sorted(readers) == list(range(PAGES))
    first, second = readers[0], readers[PAGES - 1]
    assert first != second
    assert [n for n, pid in readers.items() if pid == first] == list(range(PAGES // 2))
    # below SPLIT_AT pages, or told not to split, one process reads them all
    assert len(set(readers_of_pages(long_pdf, 0, tmp_path, monkeypatch).values())) == 1
    assert len(set(readers_of_pages(long_pdf, PAGES + 1, tmp_path, monkeypatch).values())) == 1


def test_a_crash_of_the_second_reader_is_the_sources_problem(long_pdf, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_format, "WORKER", patched_worker(tmp_path, """\
        def _page_lines(doc, number, pdfium_c):
            if number >= 10:  # the second half: the forked copy
                os.kill(os.getpid(), signal.SIGSEGV)
            return _read_page(doc, number, pdfium_c)
        """))
    found = read(long_pdf, 2, monkeypatch)
    assert isinstance(found, FormatProblem)
    assert found.code == "source-unreadable"
    assert found.message.startswith("could not be read: pdfium crashed (SIGSEGV) on it")


def test_the_second_reader_running_out_of_memory_is_said_so(long_pdf, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_format, "WORKER", patched_worker(tmp_path, """\
        def _page_lines(doc, number, pdfium_c):
            if number >= 10:
                raise MemoryError
            return _read_page(doc, number, pdfium_c)
        """))
    found = read(long_pdf, 2, monkeypatch)
    assert isinstance(found, FormatProblem)
    assert found.message.startswith("needed more than 1024 MB of memory to read; reading stopped.")


def processes_running(script: Path) -> list[int]:
    """The processes (Linux: through /proc) whose command line names ``script``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(script).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:  # gone meanwhile
                pass
    return found


def test_the_time_limit_stops_both_readers(long_pdf, tmp_path, monkeypatch):
    worker = patched_worker(tmp_path, """\
        def _page_lines(doc, number, pdfium_c):
            time.sleep(60)  # a page pdfium never finishes
        import time
        """)
    monkeypatch.setattr(pdf_format, "WORKER", worker)
    started = time.monotonic()
    found = read(long_pdf, 2, monkeypatch, Limits(seconds=1.0))
    assert isinstance(found, FormatProblem)
    assert found.message.startswith("took longer than 1 s to read")
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 5
    while processes_running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_running(worker) == []
