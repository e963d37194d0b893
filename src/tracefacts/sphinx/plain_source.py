"""Source pages in plain-text outputs (text, man, texinfo): line numbers set apart.

A source page draws each line as a paragraph of a line-number inline and the line's text;
HTML sets the number apart with CSS, but a text writer runs them together: line 6 holding
"1. Introduction" read "61. Introduction". For these builders a post-transform turns each
source line into a ``tf_plain_line`` node, which each writer draws as a number column:

- text: the number right-aligned, `` │ ``, then the text, wrapped under itself;
- man: a hanging paragraph tagged with the number (``.IP``);
- texinfo: a two-column table, the number as the item and the text indented under it, so a
  wrapped piece of a line (which Info starts at the margin in a plain paragraph) can never
  stand where a number stands.

The line's own text stays in its ``tf_text`` node: each writer escapes it as usual.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

LINE = "tf-source-line"
LINENO = "tf-lineno"
BUILDERS = ("text", "man", "texinfo")


class tf_plain_line(nodes.Element):
    """One line of a source: ``number`` (text), ``width`` (digits of the page's last number)."""


def _lineno(para: nodes.paragraph) -> nodes.inline | None:
    first = para.children[0] if para.children else None
    if isinstance(first, nodes.inline) and LINENO in first["classes"]:
        return first
    return None


class PlainSourceLines(SphinxPostTransform):
    """Source lines as number-column nodes, for the plain-text builders only."""

    builders = BUILDERS
    default_priority = 400

    def run(self, **kwargs: Any) -> None:
        lines = [(p, n) for p in self.document.findall(nodes.paragraph)
                 if LINE in p["classes"] and (n := _lineno(p)) is not None]
        width = max((len(n.astext()) for _, n in lines), default=0)
        for para, number in lines:
            para.remove(number)
            line = tf_plain_line("", *para.children, ids=para["ids"], classes=para["classes"],
                                 number=number.astext(), width=width)
            para.children = []
            para.replace_self(line)


def _label(node: tf_plain_line) -> str:
    return node["number"].rjust(node["width"])


def visit_text(translator: Any, node: tf_plain_line) -> None:
    # a state of its own, indented by the label: wrapped lines continue under the text
    translator.new_state(len(_label(node)) + 3)


def depart_text(translator: Any, node: tf_plain_line) -> None:
    translator.end_state(first=f"{_label(node)} │ ")


def visit_man(translator: Any, node: tf_plain_line) -> None:
    translator.ensure_eol()
    # the tag is digits only (nothing roff could read as markup); indent in ens
    translator.body.append(f'.IP "{node["number"]}" {node["width"] + 3}\n')


def depart_man(translator: Any, node: tf_plain_line) -> None:
    translator.body.append("\n")


def visit_texinfo(translator: Any, node: tf_plain_line) -> None:
    # one table per line: the writer may put other nodes (a line's notes) between two lines
    translator.body.append(f"\n@table @asis\n@item {node['number']}\n")


def depart_texinfo(translator: Any, node: tf_plain_line) -> None:
    translator.body.append("\n@end table\n")


VISITORS = {"text": (visit_text, depart_text), "man": (visit_man, depart_man),
            "texinfo": (visit_texinfo, depart_texinfo)}  # for app.add_node(tf_plain_line, **VISITORS)
