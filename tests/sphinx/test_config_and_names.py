"""What the Sphinx build prints about the fact base and its settings: file names escaped as
the CLI escapes them, and a conf.py value of the wrong type a located warning, not a traceback.

Every assertion reads the output of a real `sphinx-build` (the `handbook` fixture).
"""

from __future__ import annotations

import os
import re

import pytest

# A file name that would retitle the terminal (OSC … BEL), clear it (CSI 2J) and start a line.
EVIL = "a\x1b]0;PWNED\x07\x1b[2J\nWARNING: forged b"
EVIL_SHOWN = "a\\x1b]0;PWNED\\x07\\x1b[2J\\x0aWARNING: forged b"  # written by hand: each control as \xNN

STALE_FACT = """\
facts:
  - id: rocket.stale
    statement: Acme launched Rocket One on March 3.
    kind: reported
    topic: rocket
    date: 2026-03-03
    review_by: 2026-04-01
    sources:
      - source: alpha
        quote: "Acme launched Rocket One on March 3."
"""


def output(done) -> str:
    return done.stdout + done.stderr


# What Sphinx itself writes to a colour terminal: SGR colours and "erase line" for progress.
SPHINX_OWN_CODES = re.compile(r"\x1b\[[0-9;]*[mK]")


@pytest.mark.parametrize("colour", ["NO_COLOR", "FORCE_COLOR"])
def test_fact_file_names_with_escape_codes_reach_the_build_output_escaped(handbook, colour):
    # A syntax error (a warning) in one file, a stale fact (an info line) in another.
    handbook.write(f"facts/{EVIL}.yaml", "facts: [\n")
    handbook.write(f"facts/{EVIL} stale.yaml", STALE_FACT)
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    done = handbook.build(env={**env, colour: "1"})
    # With colours on, Sphinx's own codes are expected; nothing from the file name may remain.
    text = SPHINX_OWN_CODES.sub("", output(done))
    assert "\x1b" not in text and "\x07" not in text, text
    assert not any(line.startswith("WARNING: forged") for line in text.splitlines()), text
    # the syntax error: line 2 is where the parser finds the flow list unclosed
    assert f"facts/{EVIL_SHOWN}.yaml:2: WARNING: yaml-syntax: " in text, text
    assert f"facts/{EVIL_SHOWN} stale.yaml:7: stale: " in text, text  # review_by stands on line 7


CONF_WITHOUT = "\n".join(line for line in
                         ('extensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]',
                          'html_theme = "furo"', 'tracefacts_today = "2026-11-23"',
                          'exclude_patterns = ["_build"]'))


@pytest.mark.parametrize(("setting", "shown", "what", "default"), [
    ("tracefacts_root = None", "None", "a folder path (text), relative to conf.py", "'..'"),
    ("tracefacts_root = 5", "5", "a folder path (text), relative to conf.py", "'..'"),
    ("tracefacts_source_pages = 5", "5", "a folder name (text), or None for no source pages", "'sources'"),
    ("tracefacts_today = 5", "5", "a date written YYYY-MM-DD, or None for today", "None"),
    ("tracefacts_strict = 'yes'", "'yes'", "True or False", "True"),
    ("tracefacts_max_file_size = [1]", "[1]", "a size such as 64M, or a number of bytes", "67108864"),
    ("tracefacts_html_fragments = 'no'", "'no'", "True or False", "True"),
])
def test_a_setting_of_the_wrong_type_is_a_located_warning_and_the_default(handbook, setting, shown, what, default):
    handbook.write("docs/conf.py", CONF_WITHOUT + "\n" + setting + "\n")
    done = handbook.build()
    text = output(done)
    assert "Traceback" not in text and "Extension error" not in text and "Exception occurred" not in text, text
    name = setting.split(" =")[0]
    conf = handbook.docs / "conf.py"  # the setting is its line 5
    assert (f"{conf}:5: WARNING: {name} = {shown} is not {what}; using {default} [tracefacts.config]"
            in text), text
    # the default is used: the handbook builds, its facts drawn (only the warning fails -W)
    assert done.returncode == 1
    assert "Rocket One" in handbook.html("index.html")
    warnings = [line for line in text.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, warnings  # Sphinx's own type check does not say it again
