"""Plain text sources: UTF-8 (a BOM dropped), read as they are — today's behaviour."""

from __future__ import annotations

from ..normalize import decode
from .base import Extracted, FormatProblem


def extract_text(data: bytes) -> Extracted | FormatProblem:
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return FormatProblem("source-not-utf8", f"is not UTF-8 (line {line}, byte {exc.start}); convert it, "
                                                "e.g. `iconv -f latin1 -t utf-8`, then re-pin it.")
    return Extracted(text, "text")
