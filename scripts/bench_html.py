"""HTML extraction against lxml's bare parse and text extraction, on a generated 5 MB page.

    .venv/bin/python scripts/bench_html.py [--mb 5] [--runs 5] [--profile] [--write PATH]

Measures in one process, alternating, the median of (i) ``etree.HTML(data)`` +
``"".join(root.itertext())`` (the floor of issue 15's HTML row) and (ii)
``extract_html(data, Limits())``, and prints their ratio. ``--profile`` prints cProfile's
top entries for (ii) instead; ``--write`` saves the page (to compare outputs across changes).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from tracefacts.formats.base import Limits  # noqa: E402
from tracefacts.formats.html import extract_html  # noqa: E402

_WORDS = ("the model was trained on a corpus of public web pages and licensed data, then tuned "
          "with human feedback; its context window holds 128,000 tokens & more — résumé naïve").split()


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 18)))


def _paragraph(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(2, 6)):
        s = _sentence(rng)
        r = rng.random()
        if r < 0.25:
            w = s.split(" ", 2)
            s = f"{w[0]} <b>{w[1] if len(w) > 1 else ''}</b> {w[2] if len(w) > 2 else ''}"
        elif r < 0.45:
            s = f'<a href="https://example.org/{rng.randint(0, 999)}">{s}</a>'
        elif r < 0.55:
            s = f'<span class="x">{s}</span>\n   with a line end'
        elif r < 0.6:
            s = f"{s} &amp; &#60;MIME&#62; <i>it</i>al<em>ic</em>"
        parts.append(s)
    return "<p>" + ". ".join(parts) + ".</p>\n"


def page(megabytes: float = 5.0, seed: int = 15) -> bytes:
    """A page of nested sections, paragraphs with inline markup, lists, tables, scripts, styles, comments."""
    rng = random.Random(seed)
    out = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Bench page</title>'
           '<meta property="og:site_name" content="Bench"><style>p { color: red }</style>'
           '<script>var x = "<p>not text</p>";</script></head>\n<body>\n'
           '<nav><ul><li><a href="/">Home</a></li><li><a href="/a">About</a></li></ul></nav>\n']
    size = sum(map(len, out))
    section = 0
    while size < megabytes * 1e6:
        section += 1
        chunk = [f'<section id="s{section}"><h2>Section {section}</h2>\n<div class="c"><div>\n']
        for _ in range(rng.randint(3, 8)):
            r = rng.random()
            if r < 0.6:
                chunk.append(_paragraph(rng))
            elif r < 0.75:
                chunk.append("<ul>" + "".join(f"<li>{_sentence(rng)} <code>x{i}</code></li>\n"
                                              for i in range(rng.randint(2, 6))) + "</ul>\n")
            elif r < 0.82:
                rows = "".join("<tr>" + "".join(f"<td>{_sentence(rng)[:30]}</td>" for _ in range(4)) + "</tr>\n"
                               for _ in range(rng.randint(2, 6)))
                chunk.append(f"<table><thead><tr><th>A</th><th>B</th><th>C</th><th>D</th></tr></thead>"
                             f"<tbody>{rows}</tbody></table>\n")
            elif r < 0.87:
                chunk.append(f"<script>console.log({rng.randint(0, 9)});</script><!-- a comment -->"
                             f"<style>.c{section} {{ margin: 0 }}</style>\n")
            elif r < 0.9:
                chunk.append(f'<div hidden><p>{_sentence(rng)}</p></div><span aria-hidden="true">x</span>\n')
            elif r < 0.93:
                chunk.append(f"<pre>\n{_sentence(rng)}\n  {_sentence(rng)}\n</pre>\n")
            else:
                chunk.append(f"<blockquote><p>{_sentence(rng)}<br>{_sentence(rng)}</p></blockquote>\n")
        chunk.append("</div></div></section>\n")
        text = "".join(chunk)
        out.append(text)
        size += len(text.encode())
    out.append("<footer><p>© Bench</p></footer></body></html>\n")
    return "".join(out).encode()


def bare(data: bytes) -> int:
    root = etree.HTML(data)
    return len("".join(root.itertext()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=5.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--write", type=Path)
    ap.add_argument("--file", type=Path, help="measure this page instead of a generated one")
    args = ap.parse_args()
    data = args.file.read_bytes() if args.file else page(args.mb)
    if args.write:
        args.write.write_bytes(data)
    root = etree.HTML(data)
    print(f"page: {len(data) / 1e6:.1f} MB, {sum(1 for _ in root.iter())} elements")
    del root
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(extract_html, data, Limits())
        pstats.Stats(prof).sort_stats("tottime").print_stats(20)
        return
    floor, ours = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        bare(data)
        floor.append(time.perf_counter() - t)
        t = time.perf_counter()
        extract_html(data, Limits())
        ours.append(time.perf_counter() - t)
    f, o = statistics.median(floor), statistics.median(ours)
    print(f"bare parse + itertext: {f * 1000:.0f} ms   extract_html: {o * 1000:.0f} ms   ratio {o / f:.2f}")


if __name__ == "__main__":
    main()
