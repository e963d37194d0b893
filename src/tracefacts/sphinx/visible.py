"""The words a reader sees in text that is not prose markup: raw HTML or LaTeX, and math.

Raw output is shown to the reader as it is written, so its visible text is prose like any
other: tags, comments and the content of ``<script>``/``<style>`` are dropped, entities are
read as the characters they stand for. In math, the words written with ``\\text{…}`` and its
kin are prose; symbols, numbers of formulas and upright names (``\\mathrm{d}``) are not.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Markup that shows none of its content as text.
_HIDDEN_TAGS = {"script", "style", "template", "head", "title", "noscript"}
# Inline markup: "<b>5</b>00" shows one word, "500"; every other tag parts the words around it.
_INLINE_TAGS = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
                "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "del", "ins"}


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # &amp; &#53; … read as the characters shown
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden += 1
        self._part(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._part(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS and self.hidden:
            self.hidden -= 1
        self._part(tag)

    def _part(self, tag: str) -> None:
        if tag not in _INLINE_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The text a browser shows of ``markup``."""
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


# LaTeX commands whose braced arguments are lengths, names or files, not words on the page.
_LATEX_NON_TEXT = {"vspace", "hspace", "vskip", "hskip", "setlength", "addtolength", "begin", "end", "label",
                   "ref", "pageref", "eqref", "includegraphics", "input", "include", "usepackage",
                   "setcounter", "addtocounter", "pagestyle", "thispagestyle", "color", "definecolor",
                   "newcommand", "renewcommand", "fontsize", "rule", "pagenumbering", "hypersetup"}
_LATEX_COMMAND = re.compile(r"\\([A-Za-z@]+)\*?|\\.")


def _group_end(text: str, start: int) -> int:
    """Index after the balanced ``{…}`` or ``[…]`` group opening at ``start``."""
    close = "}" if text[start] == "{" else "]"
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == text[start]:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def latex_text(markup: str) -> str:
    """The text of LaTeX: commands and braces dropped, the arguments of layout commands
    (``\\vspace{2cm}``, ``\\begin{center}``) dropped with them, comments too. Symbols and
    numbers stay: in inline math they are part of the sentence around it."""
    markup = re.sub(r"(?<!\\)%.*", "", markup)
    out: list[str] = []
    i = 0
    while i < len(markup):
        match = _LATEX_COMMAND.match(markup, i)
        if match is None:
            char = markup[i]
            i += 1
            if char == "}":  # \frac{1}{2} shows two numbers; \textbf{500}. one word and its stop
                out.append(" " if markup[i:].lstrip().startswith("{") else "")
            else:
                out.append("" if char == "{" else " " if char in "[]&~^_$#" else char)
            continue
        name = match.group(1)
        i = match.end()
        if name is None:  # \\, \%, \& …: an escaped character or a line break
            escaped = match.group(0)[1]
            out.append(escaped if escaped in "%&$#_{}" else " ")
            continue
        out.append(" ")
        if name in _LATEX_NON_TEXT:
            while i < len(markup):
                j = i
                while j < len(markup) and markup[j] in " \t":
                    j += 1
                if j < len(markup) and markup[j] in "{[":
                    i = _group_end(markup, j)
                else:
                    break
    return "".join(out)


def raw_text(formats: str, markup: str) -> str:
    """What a reader sees of a ``raw`` node written for ``formats`` ("html", "latex", …)."""
    kinds = set(formats.split())
    if "html" in kinds:
        return html_text(markup)
    if "latex" in kinds:
        return latex_text(markup)
    return markup


# Math commands whose argument is set as text: words a reader reads as prose.
_MATH_PROSE = re.compile(r"\\(text|textrm|textit|textbf|textsf|texttt|textnormal|textup|textmd|textsl|emph|"
                         r"mbox|hbox|fbox|intertext|shortintertext)\s*(?=\{)")


def math_prose(latex: str) -> str:
    """The words written as text inside math; the symbols around them are not prose."""
    pieces = []
    at = 0
    while (match := _MATH_PROSE.search(latex, at)) is not None:
        end = _group_end(latex, match.end())
        pieces.append(latex_text(latex[match.end() + 1:end - 1]))  # nested \\textbf{…} read with it, once
        at = end
    return " ".join(pieces)
