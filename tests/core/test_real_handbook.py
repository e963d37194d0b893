"""The handbook of this repository checks clean, and every quote anchors where it says."""

from __future__ import annotations

import json

from tfcore import REPO

from tracefacts.anchor import quote_parts
from tracefacts.check import check
from tracefacts.cli import main
from tracefacts.load import find_root
from tracefacts.normalize import normalize_text


def test_the_repository_is_a_handbook_root():
    assert find_root(REPO / "tests" / "core") == REPO
    assert (REPO / "facts" / "sources.yaml").is_file()


def test_real_handbook_has_no_errors():
    result = check(REPO)
    assert result.errors == (), "\n".join(f"{p.file}:{p.line}: {p.code} {p.message}" for p in result.errors)
    assert len(result.base.facts) > 20 and len(result.base.sources) >= 2


def test_every_quote_of_the_real_handbook_anchors_on_its_own_words():
    result = check(REPO)
    for fact in result.base.facts.values():
        for index, quote in enumerate(fact.sources):
            anchor = result.anchors[(fact.id, index)]
            text = result.texts[quote.source].text
            assert anchor.exact == text[anchor.start:anchor.end]
            parts = [normalize_text(text[p.start:p.end]) for p in anchor.parts]
            assert parts == quote_parts(quote.quote), (fact.id, index)


def test_real_handbook_through_the_cli(capsys):
    code = main(["check", "--root", str(REPO), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["ok"] is True
    assert [p for p in data["problems"] if p["severity"] == "error"] == []
