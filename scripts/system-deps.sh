#!/usr/bin/env bash
# Installs the Debian packages the tests and the PDF need, only when they are missing:
# Chromium for the browser tests, poppler-utils (pdftoppm) and Pango for WeasyPrint, and
# the fonts the PDF draws any text of a source with: DejaVu, then Noto for Chinese, Japanese
# and Korean, emoji, control pictures (␛) and the scripts DejaVu lacks; TeX Live for the
# LaTeX PDF (below).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v epubcheck >/dev/null 2>&1 || need+=(epubcheck)  # checks the EPUB build (tests/sphinx/test_other_builders.py)
# Lists are read whole, then searched: `fc-list | grep -q` fails under pipefail when grep
# stops reading early, and would reinstall what is there.
# ldconfig lives in /sbin, which is not on a Debian user's PATH
grep -q libpango-1.0.so <<<"$(PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null || true)" || need+=(libpango-1.0-0 libpangoft2-1.0-0)
families="$(fc-list : family 2>/dev/null || true)"
grep -qi "DejaVu Sans" <<<"$families" || need+=(fonts-dejavu-core)
grep -qi "Noto Sans Symbols2" <<<"$families" || need+=(fonts-noto-core)
grep -qi "Noto Sans CJK" <<<"$families" || need+=(fonts-noto-cjk)
grep -qi "Noto Color Emoji" <<<"$families" || need+=(fonts-noto-color-emoji)
# The LaTeX PDF (`sphinx-build -M latexpdf`, tested in tests/sphinx/test_builders.py): latexmk,
# XeLaTeX with the FreeFont faces Sphinx sets it up with, and the LaTeX packages Sphinx's
# style files load (each package checked by one file of its own).
command -v latexmk >/dev/null 2>&1 || need+=(latexmk)
command -v xelatex >/dev/null 2>&1 || need+=(texlive-xetex)
tex_has() { [ -n "$(kpsewhich "$1" 2>/dev/null || true)" ]; }
tex_has footnotehyper.sty || need+=(texlive-latex-recommended)
tex_has tabulary.sty || need+=(texlive-latex-extra)
tex_has ptmr8t.tfm || need+=(texlive-fonts-recommended)
tex_has tgtermes.sty || need+=(tex-gyre)
grep -qi "FreeSerif" <<<"$families" || need+=(fonts-freefont-otf)
command -v makeinfo >/dev/null 2>&1 || need+=(texinfo)  # compiles the texinfo build in the same tests
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing with apt: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
