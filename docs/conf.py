"""Sphinx configuration of the Muse Spark briefing handbook."""

import datetime as _dt

project = "Muse Spark: a briefing for Llama builders"
author = "The briefing team"
copyright = f"{_dt.date.today().year}, {author}"

extensions = ["myst_parser", "sphinx_design", "tracefacts.sphinx"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]  # fieldlist: the risks' labels
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "Muse Spark briefing"

tracefacts_root = ".."  # the handbook root (facts/, seeds/) relative to this folder
tracefacts_strict = True
tracefacts_sourced_pages = ["**"]  # a briefing: every sentence of every page carries a fact

# EPUB (`sphinx-build -b epub`): the book's edition, dated by its newest source (EPUBCheck
# refuses the empty ibooks:version Sphinx writes without one), and what the book is.
version = release = "2026.04"
epub_description = "A developer briefing on Meta's Muse Spark; every sentence is traceable to its source."

# LaTeX (`sphinx-build -M latexpdf docs <out>`): XeLaTeX with Sphinx's FreeFont set-up sets
# any character a source or fact holds (curly quotes, dashes, other scripts) with no
# per-character declaration; pdfLaTeX stops at the first character it was not told of.
latex_engine = "xelatex"
latex_elements = {"papersize": "a4paper", "extraclassoptions": "openany,oneside"}  # no blank pages between chapters
