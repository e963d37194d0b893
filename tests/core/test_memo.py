"""`load_and_check`: the result of an uncached `check_base(load(root))`, whatever its memo holds.

Every test runs a series of edits against one memo file, so each run answers partly
from what the previous runs remembered: a memo keyed too loosely would replay an
answer that is no longer true, and the comparison with the uncached result catches it.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tfcore import GOOD_FACTS, SEED_A, SEED_B, SOURCES_TEMPLATE, TODAY, Found, Handbook, found, sha256

from tracefacts import memo
from tracefacts.check import CheckResult, check_base
from tracefacts.load import load
from tracefacts.memo import load_and_check

X = "facts/x.yaml"
Y = "facts/y.yaml"
LONG_AGO = 946_684_800_000_000_000  # 2000-01-01, in ns: an mtime no run of ours can give


def snapshot(result: CheckResult) -> tuple[object, ...]:
    """Everything a result tells its user, as plain values, in order (dict order included).

    ``SourceText.normalized`` holds an offset map that compares by identity, so the
    texts are compared through what the map answers.
    """
    texts = [(sid, t.source, t.path, t.sha256, t.normalized.text, t.normalized.norm,
              t.normalized.paragraph_ends, t.normalized.line_starts,
              [t.normalized.origin[i] for i in range(len(t.normalized.norm) + 1)])
             for sid, t in result.texts.items()]
    base = result.base
    return (base.root, list(base.sources.items()), list(base.facts.items()), base.files, base.problems,
            result.problems, list(result.anchors.items()), texts, result.today, list(result.honesty.items()))


def same_as_uncached(root: Path, cache: Path | None, today: dt.date = TODAY) -> CheckResult:
    remembered = load_and_check(root, today, cache)
    assert snapshot(remembered) == snapshot(check_base(load(root), today))
    return remembered


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "_build" / "tracefacts.memo"  # its folder does not exist yet


def rewrite(hb: Handbook, rel: str, old: str, new: str) -> None:
    text = hb.read(rel)
    assert old in text, f"{old!r} is not in {rel}"
    hb.write(rel, text.replace(old, new, 1))


# --- a series of edits, each compared with the uncached result ----------------------------


def test_a_series_of_edits_gives_the_uncached_result_every_time(handbook: Handbook, cache: Path):
    hb = handbook
    assert found(same_as_uncached(hb.root, cache).problems) == []
    assert cache.is_file()

    # a statement now says a figure its quote does not
    rewrite(hb, X, "has 14.3 percent more", "has 15.3 percent more")
    result = same_as_uncached(hb.root, cache)
    assert found(result.problems) == [Found("figure-not-in-quote", X, hb.line("15.3 percent"))]

    # a quote that is no longer in its source
    rewrite(hb, X, "quote: Beta Corp announced a brand new gadget", "quote: Beta Corp announced a brand new widget")
    result = same_as_uncached(hb.root, cache)
    assert Found("quote-not-found", X, hb.line("brand new widget")) in found(result.problems)

    # a fact added, in a new file
    hb.facts("""\
        facts:
          - id: acme.prices
            statement: Acme says its widgets cost 115 to 135 dollars.
            kind: reported
            topic: acme
            sources:
              - source: acme-report
                quote: Prices range from 115 to 135 dollars per unit
        """, name="y.yaml")
    result = same_as_uncached(hb.root, cache)
    assert list(result.base.facts) == ["acme.capacity", "beta.gadget", "acme.prices"]
    assert result.anchors_of("acme.prices")[0].exact == "Prices range from 115 to 135 dollars per unit"

    # a fact removed (beta.gadget, the last of x.yaml): beta-news is cited no more
    text = hb.read(X)
    hb.write(X, text[:text.index("  - id: beta.gadget")])
    result = same_as_uncached(hb.root, cache)
    assert "beta.gadget" not in result.base.facts
    assert [(p.code, p.source) for p in result.problems if p.code != "figure-not-in-quote"] == [
        ("unused-source", "beta-news")]

    # the same id in two files: the second is reported, the first kept
    hb.facts(hb.read(Y).replace("id: acme.prices", "id: acme.capacity"), name="y.yaml")
    result = same_as_uncached(hb.root, cache)
    assert Found("duplicate-id", Y, hb.line("id: acme.capacity", Y)) in found(result.problems)
    assert result.base.facts["acme.capacity"].origin == X

    # a source changed since it was pinned: its quotes are checked against the new text
    hb.seed("a.txt", SEED_A.replace("115 to 135", "120 to 140"))
    result = same_as_uncached(hb.root, cache)
    codes = {(p.code, p.file) for p in result.problems}
    assert ("source-hash-mismatch", "facts/sources.yaml") in codes
    assert "acme.capacity" in next(p.message for p in result.problems if p.code == "source-hash-mismatch")


def test_a_source_registered_later_changes_the_messages_that_name_other_sources(handbook: Handbook,
                                                                                cache: Path):
    hb = handbook
    rewrite(hb, X, "quote: Beta Corp announced a brand new gadget", "quote: Gamma Inc announced a brand new robot")
    rewrite(hb, X, "source: acme-report", "source: gamma-newz")
    before = same_as_uncached(hb.root, cache)
    messages = {p.code: p.message for p in before.problems}
    assert "register it there first" in messages["unknown-source"]
    assert "nothing in it comes close" in messages["quote-not-found"] or "Nearest" in messages["quote-not-found"]

    # gamma-news now exists and holds the quote that beta-news lacks: both messages change,
    # though neither fact nor the sources they cite did
    hb.seed("c.txt", "Gamma\n\nGamma Inc announced a brand new robot on Friday.\n")
    hb.write("facts/sources.yaml", hb.read("facts/sources.yaml") + textwrap.indent(textwrap.dedent(f"""\
        - id: gamma-news
          file: seeds/c.txt
          title: Gamma
          publisher: Gamma
          published: 2026-04-10
          sha256: {hb.sha("c.txt")}
        """), "  "))
    after = same_as_uncached(hb.root, cache)
    messages = {p.code: p.message for p in after.problems}
    assert "did you mean `gamma-news`" in messages["unknown-source"]
    assert "but it is in `gamma-news`" in messages["quote-not-found"]

    # gamma-news's text changes (and so no longer matches its pin): the quote is in it no more
    hb.seed("c.txt", "Gamma\n\nNothing to see here today.\n")
    messages = {p.code: p.message for p in same_as_uncached(hb.root, cache).problems}
    assert "gamma-news" not in messages["quote-not-found"]


def test_what_a_fact_reads_of_the_sources_it_cites_is_part_of_its_key(make_handbook, cache: Path):
    hb = make_handbook(GOOD_FACTS.replace("Beta says it has a new gadget.", "Beta says it has a new gadget in April.")
                       .replace("brand new gadget", "brand new robot"))
    result = same_as_uncached(hb.root, cache)
    assert [p.code for p in result.problems] == ["quote-not-found"]  # April: beta-news is of 2026-04-09
    assert "(seeds/b.txt)" in result.problems[0].message

    # the source's date: the figure `April` loses its evidence
    rewrite(hb, "facts/sources.yaml", "published: 2026-04-09", "published: 2026-03-09")
    result = same_as_uncached(hb.root, cache)
    assert sorted(p.code for p in result.problems) == ["figure-not-in-quote", "quote-not-found"]

    # the source's file, with the same bytes: the message names the new one
    hb.seed("b-moved.txt", SEED_B)
    rewrite(hb, "facts/sources.yaml", "file: seeds/b.txt", "file: seeds/b-moved.txt")
    result = same_as_uncached(hb.root, cache)
    assert "(seeds/b-moved.txt)" in next(p.message for p in result.problems if p.code == "quote-not-found")


def test_a_source_marked_text_undated_changes_the_as_of_of_the_facts_citing_it(make_handbook, cache: Path):
    hb = make_handbook(GOOD_FACTS.replace("Beta says it has a new gadget.", "For now, Beta says it has a new gadget."))
    result = same_as_uncached(hb.root, cache)
    assert "It is shown as of 9 April 2026;" in next(p.message for p in result.problems if p.code == "undated-status")
    rewrite(hb, "facts/sources.yaml", "published: 2026-04-09", "published: 2026-04-09\n    text_undated: true")
    result = same_as_uncached(hb.root, cache)
    assert "It is shown as of no later than 9 April 2026;" in next(
        p.message for p in result.problems if p.code == "undated-status")
    assert result.honesty["beta.gadget"].as_of_label == "no later than 9 April 2026"


def test_today_crossing_review_by_makes_a_fact_stale(make_handbook, cache: Path):
    hb = make_handbook(GOOD_FACTS.replace("    topic: acme\n", "    topic: acme\n    review_by: 2026-05-01\n"))
    on_the_day = same_as_uncached(hb.root, cache, dt.date(2026, 5, 1))
    assert found(on_the_day.problems) == []
    day_after = same_as_uncached(hb.root, cache, dt.date(2026, 5, 2))
    assert found(day_after.problems) == [Found("stale", X, hb.line("review_by"))]
    assert "today is 2026-05-02" in day_after.problems[0].message
    assert "today is 2026-06-30" in same_as_uncached(hb.root, cache, dt.date(2026, 6, 30)).problems[0].message


def test_a_source_that_becomes_unreadable_and_comes_back(handbook: Handbook, cache: Path):
    hb = handbook
    same_as_uncached(hb.root, cache)
    (hb.root / "seeds/b.txt").unlink()
    result = same_as_uncached(hb.root, cache)
    assert [p.code for p in result.problems] == ["source-missing"]
    assert "beta.gadget" in result.base.facts and not result.anchors_of("beta.gadget")
    hb.seed("b.txt", SEED_B.encode("latin-1") + b"\xe9")
    assert [p.code for p in same_as_uncached(hb.root, cache).problems] == ["source-not-utf8"]
    hb.seed("b.txt", SEED_B)
    assert same_as_uncached(hb.root, cache).anchors_of("beta.gadget")


def test_lines_that_move_are_reported_where_they_now_stand(make_handbook, cache: Path):
    hb = make_handbook(GOOD_FACTS.replace("Beta Corp announced a brand new gadget", "Beta Corp announced a new robot")
                       .replace("Beta says it has a new gadget.", "Beta says it has 2 new gadgets."))
    first = same_as_uncached(hb.root, cache)
    hb.write(X, "# a comment\n# and another\n" + hb.read(X))
    moved = same_as_uncached(hb.root, cache)
    assert [p.line for p in moved.problems] == [p.line + 2 for p in first.problems] == [
        hb.line("2 new gadgets"), hb.line("new robot")]
    # the statement below `kind:` now, every other line in its place
    rewrite(hb, X, "    statement: Beta says it has 2 new gadgets.\n    kind: vendor-claim\n",
            "    kind: vendor-claim\n    statement: Beta says it has 2 new gadgets.\n")
    swapped = same_as_uncached(hb.root, cache)
    assert [p.line for p in swapped.problems] == [hb.line("2 new gadgets"), hb.line("new robot")]


def test_the_same_id_twice_in_one_file_keeps_the_first(make_handbook, cache: Path):
    second = GOOD_FACTS.removeprefix("facts:\n").replace("14.3 percent more capacity.", "more capacity.")
    hb = make_handbook(GOOD_FACTS + second)
    result = same_as_uncached(hb.root, cache)
    assert [p.code for p in result.problems] == ["duplicate-id", "duplicate-id"]
    rewrite(hb, X, "has 14.3 percent more capacity.", "has 15.3 percent more capacity.")  # the first, kept
    result = same_as_uncached(hb.root, cache)
    assert Found("figure-not-in-quote", X, hb.line("15.3 percent")) in found(result.problems)


def test_a_fact_file_that_breaks_and_is_mended(handbook: Handbook, cache: Path):
    hb = handbook
    same_as_uncached(hb.root, cache)
    hb.write(X, hb.read(X).replace("  - id: beta.gadget", "  - id: beta.gadget\n   oops: [", 1))
    result = same_as_uncached(hb.root, cache)
    assert sorted(p.code for p in result.problems) == ["unused-source", "unused-source", "yaml-syntax"]
    assert not result.base.facts
    hb.facts(GOOD_FACTS)
    assert found(same_as_uncached(hb.root, cache).problems) == []


# --- random edits ---------------------------------------------------------------------------

QUOTES = (
    ("acme-report", "ships in March with 14.3 percent more capacity"),
    ("acme-report", "the widget is too expensive for small teams"),  # twice in SEED_A: ambiguous
    ("acme-report", "Prices range"),  # too short
    ("acme-report", "Beta Corp announced a brand new gadget"),  # in the other source
    ("beta-news", "Beta Corp announced a brand new gadget"),
    ("beta-news", "Gamma Inc announced a brand new robot"),  # only in gamma-news's seed
    ("gamma-news", "Gamma Inc announced a brand new robot"),
    ("acme-reprt", "ships in March with 14.3 percent more capacity"),  # a typo of a source id
)
STATEMENTS = ("It has 14.3 percent more capacity.", "It ships in March.", "It ships in April.",
              "A robot is new.", "It costs 115 dollars.")
IDS = ("f.one", "f.two", "f.three", "f.four")
SEEDS = {
    "a.txt": (SEED_A, SEED_A.replace("14.3", "15.3"), SEED_A + "\nBeta Corp announced a brand new gadget.\n",
              b"\xff\xfe not utf-8", None),
    "b.txt": (SEED_B, SEED_B.replace("Monday", "Tuesday"), None),
    "c.txt": ("Gamma\n\nGamma Inc announced a brand new robot on Friday.\n", "Gamma\n\nNothing to see.\n"),
}
SOURCES = (("acme-report", "a.txt"), ("beta-news", "b.txt"), ("gamma-news", "c.txt"))
DATES = (dt.date(2026, 4, 25), dt.date(2026, 3, 9))
DAYS = (dt.date(2026, 4, 30), dt.date(2026, 5, 1), dt.date(2026, 5, 2))


@dataclass(frozen=True)
class SynthFact:
    file: str
    id: str
    statement: int
    quotes: tuple[int, ...]
    review_by: bool = False

    def yaml(self) -> str:
        lines = [f"  - id: {self.id}", f"    statement: {STATEMENTS[self.statement]}",
                 "    kind: reported", "    topic: t"]
        if self.review_by:
            lines.append("    review_by: 2026-05-01")
        lines.append("    sources:")
        for q in self.quotes:
            sid, quote = QUOTES[q]
            lines += [f"      - source: {sid}", f"        quote: {quote}"]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class State:
    """A small handbook, as values; `write` puts it on disk."""

    facts: tuple[SynthFact, ...] = (SynthFact("x", "f.one", 2, (0,)), SynthFact("x", "f.two", 3, (4, 6)),
                                    SynthFact("y", "f.three", 1, (5,), review_by=True))
    seeds: dict[str, int] = field(default_factory=lambda: {"a.txt": 0, "b.txt": 0, "c.txt": 0})
    registered: tuple[bool, ...] = (True, True, True)
    pinned: tuple[bool, ...] = (True, True, True)  # to the first variant of its seed
    published: tuple[int, ...] = (0, 0, 1)
    header: int = 0  # comment lines above x.yaml's facts: every line of it moves
    today: int = 1

    def write(self, root: Path) -> None:
        for name, variants in SEEDS.items():
            path = root / "seeds" / name
            data = variants[self.seeds[name]]
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        entries = []
        for (sid, name), registered, pinned, date in zip(SOURCES, self.registered, self.pinned,
                                                         self.published, strict=True):
            if registered:
                first = SEEDS[name][0]
                entries.append(f"  - id: {sid}\n    file: seeds/{name}\n    title: T\n    publisher: P\n"
                               f"    published: {DATES[date].isoformat()}\n"
                               + (f"    sha256: {sha256(first)}\n" if pinned else ""))
        (root / "facts/sources.yaml").write_text("sources:\n" + "".join(entries), encoding="utf-8")
        for file in ("x", "y"):
            body = "".join(f.yaml() for f in self.facts if f.file == file)
            head = "# moved\n" * self.header if file == "x" else ""
            (root / f"facts/{file}.yaml").write_text(head + ("facts:\n" + body if body else ""), encoding="utf-8")


def edit(draw: st.DrawFn, state: State) -> State:
    """One small change of one kind, so that most of the memo still applies after it."""
    kind = draw(st.sampled_from(("statement", "quotes", "add", "remove", "seed", "register", "pin",
                                 "published", "header", "today", "review")))
    facts = list(state.facts)
    pick = draw(st.integers(0, max(len(facts) - 1, 0)))
    if kind == "statement" and facts:
        facts[pick] = replace(facts[pick], statement=draw(st.integers(0, len(STATEMENTS) - 1)))
    elif kind == "quotes" and facts:
        quotes = draw(st.lists(st.integers(0, len(QUOTES) - 1), min_size=0, max_size=3))
        facts[pick] = replace(facts[pick], quotes=tuple(quotes))
    elif kind == "add":
        facts.insert(draw(st.integers(0, len(facts))), SynthFact(
            draw(st.sampled_from("xy")), draw(st.sampled_from(IDS)), draw(st.integers(0, len(STATEMENTS) - 1)),
            tuple(draw(st.lists(st.integers(0, len(QUOTES) - 1), min_size=1, max_size=2)))))
    elif kind == "remove" and facts:
        del facts[pick]
    elif kind == "review" and facts:
        facts[pick] = replace(facts[pick], review_by=not facts[pick].review_by)
    elif kind == "seed":
        name = draw(st.sampled_from(sorted(SEEDS)))
        return replace(state, seeds={**state.seeds, name: draw(st.integers(0, len(SEEDS[name]) - 1))})
    elif kind in ("register", "pin", "published"):
        attr = {"register": "registered", "pin": "pinned", "published": "published"}[kind]
        values = list(getattr(state, attr))
        index = draw(st.integers(0, 2))
        values[index] = type(values[index])(1 - values[index])  # flip: True/False, one date or the other
        return replace(state, **{attr: tuple(values)})
    elif kind == "header":
        return replace(state, header=draw(st.integers(0, 2)))
    elif kind == "today":
        return replace(state, today=draw(st.integers(0, len(DAYS) - 1)))
    return replace(state, facts=tuple(facts))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_edits_give_the_uncached_result(data):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "seeds").mkdir()
        (root / "facts").mkdir()
        cache = root / "_build" / "memo"
        state = State()
        for _ in range(data.draw(st.integers(1, 6), label="edits") + 1):
            state.write(root)
            same_as_uncached(root, cache, DAYS[state.today])
            state = edit(data.draw, state)


# --- the memo file ----------------------------------------------------------------------------


def test_nothing_changed_leaves_the_memo_file_alone(handbook: Handbook, cache: Path):
    same_as_uncached(handbook.root, cache)
    os.utime(cache, ns=(LONG_AGO, LONG_AGO))
    before = cache.read_bytes()
    same_as_uncached(handbook.root, cache)
    same_as_uncached(handbook.root, cache, TODAY + dt.timedelta(days=400))  # only the day moved
    assert cache.stat().st_mtime_ns == LONG_AGO and cache.read_bytes() == before
    rewrite(handbook, X, "14.3 percent more capacity.", "14.3 percent more room.")
    same_as_uncached(handbook.root, cache)
    assert cache.stat().st_mtime_ns != LONG_AGO


def test_the_memo_file_does_not_grow_with_edits(handbook: Handbook, cache: Path):
    same_as_uncached(handbook.root, cache)
    first = cache.stat().st_size
    for revision in range(20):
        rewrite(handbook, X, "more capacity.", f"more capacity (revision {revision}).")
        same_as_uncached(handbook.root, cache)
        rewrite(handbook, X, f"more capacity (revision {revision}).", "more capacity.")
    (handbook.root / "facts/old.yaml").write_text(GOOD_FACTS.replace("id: ", "id: old."), encoding="utf-8")
    same_as_uncached(handbook.root, cache)
    (handbook.root / "facts/old.yaml").unlink()
    same_as_uncached(handbook.root, cache)
    # facts added at the end of a file, then removed: the others keep their lines
    original = handbook.read(X)
    handbook.write(X, original + GOOD_FACTS.removeprefix("facts:\n").replace("id: ", "id: extra."))
    same_as_uncached(handbook.root, cache)
    handbook.write(X, original)
    same_as_uncached(handbook.root, cache)
    assert cache.stat().st_size <= first + 64


def test_only_what_changed_is_parsed_and_checked_again(handbook: Handbook, cache: Path, monkeypatch):
    calls: dict[str, list[str]] = {"parse": [], "check": []}
    parse, check = memo.parse_fact_file, memo.check_fact
    monkeypatch.setattr(memo, "parse_fact_file", lambda rel, data: calls["parse"].append(rel) or parse(rel, data))
    monkeypatch.setattr(memo, "check_fact", lambda fact, *a: calls["check"].append(fact.id) or check(fact, *a))
    hb = handbook
    hb.facts(GOOD_FACTS.replace("id: ", "id: y."), name="y.yaml")
    same_as_uncached(hb.root, cache)
    assert sorted(calls["parse"]) == [X, Y] and len(calls["check"]) == 4

    calls["parse"].clear(), calls["check"].clear()
    same_as_uncached(hb.root, cache)
    assert calls == {"parse": [], "check": []}

    rewrite(hb, Y, "Beta says it has a new gadget.", "Beta says it has a new gadget, again.")
    same_as_uncached(hb.root, cache)
    assert calls == {"parse": [Y], "check": ["y.beta.gadget"]}

    calls["parse"].clear(), calls["check"].clear()
    hb.seed("b.txt", SEED_B.replace("Monday", "Tuesday"))  # cited by the two beta facts only
    same_as_uncached(hb.root, cache)
    assert calls["parse"] == [] and sorted(calls["check"]) == ["beta.gadget", "y.beta.gadget"]


def flip(data: bytes, at: int) -> bytes:
    damaged = bytearray(data)
    damaged[at] ^= 0xFF
    return bytes(damaged)


HEAD = len(memo.MAGIC) + 64  # magic, fingerprint, checksum
DAMAGE = {  # what can become of a good memo file
    "empty": lambda good: b"",
    "magic only": lambda good: memo.MAGIC,
    "truncated": lambda good: good[: len(good) // 2],
    "one byte short": lambda good: good[:-1],
    "a flipped byte": lambda good: flip(good, HEAD + (len(good) - HEAD) // 2),
    # still a valid pickle, saying another quote: only the checksum tells
    "a changed letter": lambda good: good.replace(b"brand new robot", b"brand new robut", 1),
    "another version": lambda good: flip(good, len(memo.MAGIC)),
    "garbage": lambda good: os.urandom(4096),
    "a plain pickle": lambda good: b"\x80\x05K*.",
    "text": lambda good: memo.MAGIC + b"hello\n",
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_memo_file_is_ignored_then_replaced(handbook: Handbook, cache: Path, damage: str):
    hb = handbook
    rewrite(hb, X, "quote: Beta Corp announced a brand new gadget", "quote: Beta Corp announced a brand new robot")
    same_as_uncached(hb.root, cache)
    good = cache.read_bytes()
    damaged = DAMAGE[damage](good)
    assert damaged != good
    cache.write_bytes(damaged)
    result = same_as_uncached(hb.root, cache)
    assert found(result.problems) == [Found("quote-not-found", X, hb.line("brand new robot"))]
    rewrite(hb, X, "brand new robot", "brand new gadget")
    assert found(same_as_uncached(hb.root, cache).problems) == []
    # replaced by a sound memo, which the next run uses without rewriting it
    os.utime(cache, ns=(LONG_AGO, LONG_AGO))
    same_as_uncached(hb.root, cache)
    assert cache.stat().st_mtime_ns == LONG_AGO


def test_a_memo_written_by_other_code_is_not_used(handbook: Handbook, cache: Path, monkeypatch):
    same_as_uncached(handbook.root, cache)
    monkeypatch.setattr(memo, "fingerprint", lambda: b"\0" * 32)  # as if tracefacts had been upgraded
    os.utime(cache, ns=(LONG_AGO, LONG_AGO))
    same_as_uncached(handbook.root, cache)
    assert cache.stat().st_mtime_ns != LONG_AGO  # computed afresh and written for the new code


def test_a_memo_that_cannot_be_read_or_written_costs_only_time(handbook: Handbook, tmp_path: Path):
    as_folder = tmp_path / "memo-is-a-folder"
    as_folder.mkdir()
    same_as_uncached(handbook.root, as_folder)
    under_a_file = tmp_path / "a-file"
    under_a_file.write_text("not a folder")
    same_as_uncached(handbook.root, under_a_file / "memo")
    assert under_a_file.read_text() == "not a folder"


def test_no_memo_file_remembers_nothing(handbook: Handbook, tmp_path: Path):
    before = sorted(tmp_path.rglob("*"))
    same_as_uncached(handbook.root, None)
    assert sorted(tmp_path.rglob("*")) == before


def test_a_handbook_without_sources_yaml(tmp_path: Path, cache: Path):
    hb = Handbook(tmp_path / "hb")
    hb.facts(GOOD_FACTS)
    result = same_as_uncached(hb.root, cache)
    assert {p.code for p in result.problems} == {"yaml-syntax", "unknown-source"}
    hb.seed("a.txt", SEED_A)
    hb.seed("b.txt", SEED_B)
    hb.sources(SOURCES_TEMPLATE.format(sha_a=hb.sha("a.txt"), sha_b=hb.sha("b.txt")))
    assert found(same_as_uncached(hb.root, cache).problems) == []
