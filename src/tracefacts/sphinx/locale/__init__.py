"""The extension's own words, in the build's ``language``: the ``tracefacts`` gettext catalog.

Every word the extension writes for a reader (badges, support notes, as-of flags, view
headings, the summaries, a source page's field names, the touch tip) goes through ``_``
or ``ngettext`` here; warnings and problem messages do not (scripts and CI match them),
nor does anything from the fact base or a source. The catalogs are ``<lang>/LC_MESSAGES/
tracefacts.mo`` beside this file, compiled from the ``.po`` and shipped in the package.

Dates are words too: "9 April 2026" is ``"%(day)d %(month)s %(year)d"`` with the month's
name, both from the catalog, so a page never mixes a German label with an English date (nor
a French date with English labels, for a language that has no catalog).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sphinx import locale as sphinx_locale
from sphinx.locale import get_translation

CATALOG = "tracefacts"
LOCALE_DIR = Path(__file__).resolve().parent

_ = get_translation(CATALOG)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; ``_`` translates it where it is shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` in the build's language (Sphinx gives only gettext)."""
    return sphinx_locale.get_translator(CATALOG).ngettext(singular, plural, count)


MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
          N_("August"), N_("September"), N_("October"), N_("November"), N_("December"))


def day(date: dt.date) -> str:
    """"9 April 2026"; in German "9. April 2026"."""
    return _("%(day)d %(month)s %(year)d") % {"day": date.day, "month": _(MONTHS[date.month - 1]),
                                               "year": date.year}


def month(date: dt.date) -> str:
    """"April 2026": a date known only to the month."""
    return _("%(month)s %(year)d") % {"month": _(MONTHS[date.month - 1]), "year": date.year}


def around(template: str, name: str) -> tuple[str, str] | None:
    """The translated ``template``'s words before and after the placeholder ``%(name)s``, or
    None when the translation lacks it. A placeholder is filled with a node of its own (a
    claimant from the fact base stays an isolated text), so the words are split, not formatted."""
    before, found, after = template.partition(f"%({name})s")
    if not found or f"%({name})s" in after:
        return None
    return before.replace("%%", "%"), after.replace("%%", "%")


def split(msgid: str, name: str) -> tuple[str, str]:
    """``around`` of the translation of ``msgid``, falling back on ``msgid`` itself (a
    translation that drops the placeholder must not drop the claimant)."""
    found = around(_(msgid), name)
    if found is None:
        found = around(msgid, name)
    assert found is not None, f"{msgid!r} has no %({name})s"
    return found


def register(app: Any) -> None:
    """setup(): the catalog of ``app.config.language`` (none for English: the msgids are English).

    Sphinx merges a catalog into one registered before (a second build in the same process,
    e.g. ``tracefacts pdf`` after an HTML build): the words of this build's language must not
    fall back on the last build's, so this build's catalog replaces it.
    """
    sphinx_locale.translators.pop(("general", CATALOG), None)
    app.add_message_catalog(CATALOG, str(LOCALE_DIR))


def script_words() -> dict[str, str]:
    """The words tracefacts.js shows (it translates nothing itself)."""
    return {"tap": _("Tap again to open the source")}


def add_script_words(app: Any) -> None:
    """builder-inited: the script's words as a JSON block in every HTML page's head.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so no translation can end the block
    (``</script>``) or break an XHTML page (EPUB)."""
    if getattr(app.builder, "format", None) != "html" or app.builder.name.startswith("epub"):
        return  # an EPUB draws each citation as a note (epub.py), not as a tip to tap
    body = json.dumps(script_words(), ensure_ascii=False)
    body = body.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    app.add_js_file(None, body=body, type="application/json", id="tracefacts-words")
