"""`tracefacts init [DIR]`: write a small working handbook to start from.

The templates are strings in this module (not data files) so that every install of the
package, wheel or editable, has them. What is written is a handbook that passes
`tracefacts check --strict` and `sphinx-build -W` as it stands: an example source in
`seeds/`, registered and pinned, one fact of each kind quoting it, and a Sphinx project
whose one page uses each kind of view. Nothing is ever overwritten: when any file to be
written exists already, nothing at all is written and every such file is named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

SCHEMA_FILE = ".tracefacts/schema.json"

# Our own words, a made-up local news item: a source for the example facts to quote.
EXAMPLE_SOURCE = """\
Harbour Notes

The town of Greywick has opened a lighthouse museum in the old keeper's cottage.

The museum holds 40 lamps and lenses collected along the coast.

The museum says its lens collection is the largest in the region.

A local historian thinks the cottage has never looked better.

Visitors who arrive by bicycle should use the racks beside the north gate.

The museum plans to review its opening hours after the first season.
"""

SOURCES_YAML = """\
{modeline}
# The documents the facts quote. Each one is a file in seeds/, kept byte for byte.
sources:
  - id: example-news            # how facts name this source (lower-case letters, digits, . and -)
    file: seeds/example.txt     # the document, relative to the handbook folder
    title: "Greywick opens a lighthouse museum"
    publisher: Harbour Notes    # who published it: shown in citations
    published: {published}      # when it was published (YYYY-MM-DD)
    # the file's fingerprint: `tracefacts check` fails if the file changes.
    # After editing a source on purpose, run `tracefacts pin` to write the new one.
    sha256: {sha256}
    notes: "An example source written for this handbook; replace it with your own."
    # verbatim lines of page furniture (menus, mastheads) that `coverage` does not count
    chrome:
      - "Harbour Notes"
"""

FACTS_YAML = """\
{modeline}
# The fact base: every fact carries verbatim quotes from a registered source.
facts:
  # reported: the source reports it as fact.
  - id: museum.opened                 # a unique id, used by {{fact}}`museum.opened` in pages
    statement: Greywick has opened a lighthouse museum in the old keeper's cottage.  # our words
    kind: reported                    # reported | vendor-claim | opinion | recommendation
    topic: museum                     # groups facts for `fact-list :topic:` and the matrix
    tags: [opening]                   # optional free labels
    sources:                          # one or more verbatim quotes
      - source: example-news          # a source id from sources.yaml
        quote: "The town of Greywick has opened a lighthouse museum in the old keeper's cottage."

  # reported, with subject/attribute/value: a cell of a `fact-table` (row, column, value).
  # Every number of the statement and the value must stand in a quote.
  - id: museum.lamps
    statement: The Greywick museum holds 40 lamps and lenses.
    kind: reported
    topic: museum
    subject: greywick-museum          # the table's row
    attribute: lamps                  # the table's column
    value: "40"                       # the cell
    sources:
      - source: example-news
        quote: "The museum holds 40 lamps and lenses"

  # vendor-claim: what a party says of itself or its product, not checked by the source.
  - id: museum.largest-collection
    statement: The museum says its lens collection is the largest in the region.
    kind: vendor-claim
    claimant: The museum              # who claims it (required for vendor-claim and opinion)
    topic: museum
    sources:
      - source: example-news
        quote: "The museum says its lens collection is the largest in the region."

  # opinion: a judgement, credited to whoever holds it.
  - id: museum.cottage-looks-better
    statement: A local historian thinks the cottage has never looked better.
    kind: opinion
    claimant: A local historian
    topic: museum
    sources:
      - source: example-news
        quote: "A local historian thinks the cottage has never looked better."

  # recommendation: advice; `claimant` is optional here.
  - id: visiting.bicycles
    statement: Visitors who arrive by bicycle should use the racks beside the north gate.
    kind: recommendation
    topic: visiting
    sources:
      - source: example-news
        quote: "Visitors who arrive by bicycle should use the racks beside the north gate."

  # review_by: a state that can change ("plans to", "currently", "not yet" …) needs a date
  # after which the check reports it `stale`, so someone looks at the sources again.
  - id: visiting.opening-hours
    statement: The museum plans to review its opening hours after the first season.
    kind: reported
    topic: visiting
    review_by: {review_by}
    sources:
      - source: example-news
        quote: "The museum plans to review its opening hours after the first season."
"""

CONF_PY = """\
\"\"\"Sphinx configuration of the handbook (built by `make html`).\"\"\"

project = "Example handbook"
extensions = ["myst_parser", "tracefacts.sphinx"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]

tracefacts_root = ".."  # the handbook folder (facts/, seeds/) relative to this one
"""

INDEX_MD = """\
# Example handbook

{fact}`museum.opened`

Cyclists have somewhere to leave their bicycles. {cite-fact}`visiting.bicycles`

```{editorial} how to read this page
This block is ours: an editorial holds analysis in our own words and needs no source.
Every other sentence of the page is a fact, or carries a citation of one.
```

```{fact-list}
```

```{trace-matrix}
```
"""

MAKEFILE = """\
# make html | check | pdf
SPHINXBUILD ?= sphinx-build
TRACEFACTS ?= tracefacts

.PHONY: html check pdf

html:
\t$(SPHINXBUILD) -W -b html docs docs/_build/html

check:
\t$(TRACEFACTS) check --strict

pdf:
\t$(TRACEFACTS) pdf docs
"""


@dataclass(frozen=True)
class InitResult:
    written: tuple[Path, ...]  # relative to the folder, in the order written
    in_the_way: tuple[Path, ...]  # files that exist already: then nothing is written
    schema_written: bool


def _modeline(yaml_file: str) -> str:
    # relative to the YAML file itself, as yaml-language-server resolves it
    depth = yaml_file.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}{SCHEMA_FILE}"


def _schema_text() -> str | None:
    """The JSON Schema of `tracefacts schema`, when this install has it."""
    try:
        from .schema import build_schema
    except ImportError:  # an install from before `tracefacts schema`: the modeline alone
        return None
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def files(today: dt.date) -> dict[str, str]:
    """Every file `init` writes, by its path relative to the handbook folder."""
    source_bytes = EXAMPLE_SOURCE.encode("utf-8")
    found: dict[str, str] = {
        "seeds/example.txt": EXAMPLE_SOURCE,
        "facts/sources.yaml": SOURCES_YAML.format(
            modeline=_modeline("facts/sources.yaml"), published=today.isoformat(),
            sha256=hashlib.sha256(source_bytes).hexdigest()),
        # a year ahead: the example stays clean under --strict --fail-stale for a year
        "facts/example.yaml": FACTS_YAML.format(
            modeline=_modeline("facts/example.yaml"), review_by=(today + dt.timedelta(days=365)).isoformat()),
        "docs/conf.py": CONF_PY,
        "docs/index.md": INDEX_MD,
        "Makefile": MAKEFILE,
    }
    schema = _schema_text()
    if schema is not None:
        found[SCHEMA_FILE] = schema
    return found


def init(folder: Path, today: dt.date | None = None) -> InitResult:
    """Write the example handbook into ``folder`` (created if missing), or nothing at all."""
    planned = files(today or dt.date.today())
    # lexists: a dangling symbolic link is in the way too (writing would follow it)
    in_the_way = tuple(dict.fromkeys(blocked for rel in planned if (blocked := _blocker(folder, Path(rel)))))
    if in_the_way:
        return InitResult((), in_the_way, False)
    written = []
    for rel, text in planned.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as handle:  # "x": never replace
            handle.write(text)
        written.append(Path(rel))
    return InitResult(tuple(written), (), SCHEMA_FILE in planned)


def _blocker(folder: Path, rel: Path) -> Path | None:
    """The file (or the non-folder on its way, such as a file named `docs`) that stops ``rel``."""
    for part in reversed(rel.parents[:-1]):  # docs before docs/conf.py
        where = folder / part
        if where.is_symlink() or (where.exists() and not where.is_dir()):
            return part
    where = folder / rel
    # a dangling symbolic link is in the way too: writing would follow it
    return rel if where.exists() or where.is_symlink() else None
