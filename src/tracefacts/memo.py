"""Load and check a fact base, remembering in a file what earlier runs found.

A Sphinx build checks the whole base before every build, incremental ones included;
nearly always only one fact file has changed since the last one. This module gives the
result of ``check_base(load(root), today)`` while redoing only the work whose inputs
changed:

- a fact file is parsed again only when its bytes (or its name) changed, and a source
  normalised again only when its bytes changed;
- a fact is checked again only when the fact itself, or what its check reads of the
  sources it cites (their file name, date and content hash), changed; a fact whose
  messages name other sources (a did-you-mean, where else a quote stands) also when any
  source changed. Staleness depends on the day and costs nothing: it is never remembered.

Every source file is still read and hashed on every run: that is the floor, and it is
how a changed source is noticed. Whatever the memo file holds (nothing, half a file,
another version's, garbage), the result is the one an uncached run gives.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import pickle
import sys
import unicodedata
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, TypeVar

from . import __version__, anchor, cachekey, check, figures, honesty, load, model, normalize, safeio, sources, yamlnodes
from .atomic import write_atomic
from .check import CheckResult, FactCheck, check_fact, combine, read_texts
from .formats.cache import FOLDER as EXTRACTED
from .formats.cache import ExtractionCache
from .formats.cache import code as extraction_code
from .gcpause import gc_paused
from .load import FactFile, SourcesFile, parse_fact_file, parse_sources_file
from .model import Fact, Source
from .normalize import NormalizedSource, normalize_source
from .safeio import DEFAULT_MAX_FILE_SIZE
from .sources import SourceText

MAGIC = b"tracefacts-memo 2\n"
_DIGEST = 32  # bytes of a sha256

# What a remembered result depends on besides its inputs: the code that computed it.
_CODE = (model, yamlnodes, load, normalize, anchor, figures, honesty, safeio, sources, check)


@dataclass(frozen=True)
class _FileEntry:
    parsed: FactFile
    digests: dict[str, str]  # fact id -> digest of the first fact with that id in the file


class _CheckEntry(NamedTuple):
    # A tuple, not a dataclass: there is one per fact, and loading the memo costs per object.
    seen: str  # what the check read of the sources the fact cites (`_Sources.seen`)
    everything: str | None  # digest of every source, when the check consulted them all
    result: FactCheck


@dataclass(frozen=True)
class _Memo:
    """The memo as stored, each part pickled on its own: a run unpickles only the parts it
    uses, and pickles again only those that changed (pickling everything would cost a
    one-fact edit more than checking it)."""

    sources: dict[str, bytes] = field(default_factory=dict)  # sha256 of sources.yaml -> SourcesFile
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (fact file, sha256) -> _FileEntry
    texts: dict[str, bytes] = field(default_factory=dict)  # sha256 of a source -> NormalizedSource
    checks: dict[str, bytes] = field(default_factory=dict)  # fact file -> {fact digest: _CheckEntry}


_PARTS = ("sources", "files", "texts", "checks")
_T = TypeVar("_T")


@lru_cache(maxsize=1)
def fingerprint() -> bytes:
    """The code and runtime the results were computed with.

    ``__version__`` alone is not enough: a working copy changes its code without bumping
    it, and a memo from before a fix must not replay the bug. NFKC depends on the Unicode
    database, the pickle on the Python version.
    """
    digest = hashlib.sha256(repr((__version__, sys.version, unicodedata.unidata_version)).encode())
    digest.update(extraction_code().encode())  # what text the formats give an HTML or PDF source
    for module in (*_CODE, sys.modules[__name__]):
        digest.update(module.__name__.encode())
        with contextlib.suppress(OSError, TypeError):  # no file (a zip?): the version must do
            digest.update(Path(module.__file__).read_bytes())  # type: ignore[arg-type]
    return digest.digest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fact_digest(fact: Fact) -> str:
    # repr is a complete, unambiguous spelling of every field (the line numbers included:
    # problems carry them), and the same in every process, unlike hash().
    return _sha256(repr(fact).encode("utf-8", "surrogatepass"))


class _Sources:
    """What a fact's check can read of the registered sources, as strings to compare."""

    def __init__(self, registered: Mapping[str, Source], texts: Mapping[str, SourceText]) -> None:
        self.registered, self.texts = registered, texts
        # Of a cited source a check reads its file name, its date (Figures) and what its bytes
        # determine; of one that is not registered, only that it is not. One fixed-length
        # digest per source, so that joining them is unambiguous.
        self._tokens = {sid: self._token(sid) for sid in registered}
        # A check that names other sources read the ids of all and the text of each.
        seen = [(sid, texts[sid].sha256 if sid in texts else None) for sid in registered]
        self.everything = _sha256(repr(seen).encode("utf-8", "surrogatepass"))

    def _token(self, sid: str) -> str:
        source = self.registered.get(sid)
        text = self.texts.get(sid)
        sha = text.sha256 if text is not None else None
        # the format and the declared chrome decide what text an HTML or PDF source's bytes give
        state = None if source is None else (source.file, source.published, source.text_undated, sha,
                                             source.format, source.chrome)
        return _sha256(repr((sid, state)).encode("utf-8", "surrogatepass"))

    def seen(self, fact: Fact) -> str:
        tokens = self._tokens
        return "".join(tokens[q.source] if q.source in tokens else self._token(q.source) for q in fact.sources)


@dataclass
class _Checks:
    """The check entries of one fact file's facts: those remembered, and those used this run."""

    old: dict[str, _CheckEntry]
    new: dict[str, _CheckEntry] = field(default_factory=dict)
    missed: bool = False


class _Run:
    """One run: answers from the old memo where its inputs match, keeps what it used in a new one."""

    def __init__(self, old: _Memo) -> None:
        self.old = old
        self.new = _Memo()
        self.missed = False
        self.digests: dict[str, dict[str, str]] = {}  # fact file -> fact id -> digest, for this run
        self._checks: dict[str, _Checks] = {}

    def parse_sources(self, data: bytes) -> SourcesFile:
        return self._reuse("sources", _sha256(data), SourcesFile, lambda: parse_sources_file(data))

    def parse_facts(self, rel: str, data: bytes) -> FactFile:
        entry = self._reuse("files", (rel, _sha256(data)), _FileEntry, lambda: _parse(rel, data))
        self.digests[rel] = entry.digests
        return entry.parsed

    def normalize(self, text: str, sha256: str) -> NormalizedSource:
        return self._reuse("texts", sha256, NormalizedSource, lambda: normalize_source(text))

    def _reuse(self, part: str, key: Hashable, kind: type[_T], compute: Callable[[], _T]) -> _T:
        """The value remembered under ``key``, or computed; kept in the new memo either way."""
        old, new = getattr(self.old, part), getattr(self.new, part)
        value = _load_blob(old.get(key), kind)
        if value is None:
            value = compute()
            self.missed = True
            new[key] = _pickle(value)
        else:
            new[key] = old[key]  # the same bytes: no need to pickle it again
        return value

    def check(self, fact: Fact, digest: str, view: _Sources) -> FactCheck:
        group = self._group(fact.origin)
        seen = view.seen(fact)
        entry = group.old.get(digest)
        if entry is None or entry.seen != seen or entry.everything not in (None, view.everything):
            result = check_fact(fact, view.registered, view.texts)
            entry = _CheckEntry(seen, view.everything if result.consulted_all else None, result)
            group.missed = True
        group.new[digest] = entry
        return entry.result

    def _group(self, rel: str) -> _Checks:
        group = self._checks.get(rel)
        if group is None:
            group = self._checks[rel] = _Checks(_load_blob(self.old.checks.get(rel), dict) or {})
        return group

    def finish(self) -> bool:
        """Store the check entries used; whether the memo now differs from the old one."""
        for rel, group in self._checks.items():
            if group.missed or group.new.keys() != group.old.keys():  # a fact checked, added or removed
                self.missed = True
                self.new.checks[rel] = _pickle(group.new)
            else:
                self.new.checks[rel] = self.old.checks[rel]
        # Without a miss every new entry is an old one: the memo changed only if some old
        # entry went unused (a fact file removed or renamed), which pruning drops.
        return self.missed or any(len(getattr(self.new, part)) != len(getattr(self.old, part))
                                  for part in _PARTS)


def _parse(rel: str, data: bytes) -> _FileEntry:
    parsed = parse_fact_file(rel, data)
    digests: dict[str, str] = {}
    seen: set[str] = set()
    for item in parsed.items:
        # `merge` keeps the first entry of an id (none if that one is malformed), so only the
        # first of the file can be the one kept
        if isinstance(item, load.Candidate) and item.id not in seen:
            seen.add(item.id)
            if item.fact is not None:
                digests[item.id] = fact_digest(item.fact)
    return _FileEntry(parsed, digests)


def _pickle(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _load_blob(blob: bytes | memoryview | None, kind: type[_T]) -> _T | None:
    if blob is None:
        return None
    try:
        value = _unpickle(blob)
    except Exception:  # the file is checksummed, so this is not expected; recompute if it happens
        return None
    return value if isinstance(value, kind) else None


def _unpickle(payload: bytes | memoryview) -> object:
    with gc_paused():  # some 100,000 objects, all kept
        return pickle.loads(payload)


def read_memo(cache_file: Path) -> _Memo:
    """The memo in ``cache_file``, or an empty one if it is missing, damaged, another version's,
    or not signed with this user's key (``cachekey``: a memo is a pickle, and a planted one
    would run code); never read through a link, from a pipe, or past 1 GiB."""
    secret = cachekey.key()
    data = cachekey.read_cache_file(cache_file) if secret is not None else None
    if data is None:
        return _Memo()
    head = len(MAGIC) + 2 * _DIGEST
    if (len(data) < head or not data.startswith(MAGIC)
            or data[len(MAGIC):len(MAGIC) + _DIGEST] != fingerprint()
            or not cachekey.signed_by(memoryview(data)[head:], data[len(MAGIC) + _DIGEST:head], secret)):
        return _Memo()
    memo = _load_blob(memoryview(data)[head:], _Memo)
    if memo is None or not all(isinstance(getattr(memo, part, None), dict) for part in _PARTS):
        return _Memo()
    return memo


def write_memo(cache_file: Path, memo: _Memo) -> None:
    """Write the memo atomically; a memo that cannot be written only costs time on the next run."""
    secret = cachekey.key()
    if secret is None:
        return  # no key can be kept: nothing is remembered (the next run does the work again)
    payload = _pickle(memo)
    data = MAGIC + fingerprint() + cachekey.sign(payload, secret) + payload
    with contextlib.suppress(OSError):
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cache_file, data, durable=False)  # a cache: losing it costs time only


def load_and_check(root: Path, today: dt.date | None, cache_file: Path | None, *,
                   max_file_size: int = DEFAULT_MAX_FILE_SIZE) -> CheckResult:
    """``check_base(load(root), today)``, remembering per file and per fact in ``cache_file``.

    The result is always the uncached one. ``cache_file`` is rewritten only when what it
    should hold changed; entries the base no longer uses are dropped. ``None`` remembers
    nothing. No file larger than ``max_file_size`` bytes is read (``safeio``).
    """
    run = _Run(read_memo(cache_file) if cache_file is not None else _Memo())
    base = load.load(root, parse_sources=run.parse_sources, parse_facts=run.parse_facts,
                     max_file_size=max_file_size)
    extractor = (ExtractionCache(cache_file.parent / EXTRACTED, within=cache_file.parent)
                 if cache_file is not None else None)
    texts, read_problems = read_texts(base, run.normalize, max_file_size=max_file_size, extractor=extractor)
    view = _Sources(base.sources, texts)
    checks = [run.check(fact, run.digests[fact.origin][fact.id], view) for fact in base.facts.values()]
    result = combine(base, today or dt.date.today(), texts, read_problems, checks)
    if run.finish() and cache_file is not None:
        write_memo(cache_file, run.new)
    return result


__all__ = ["load_and_check"]
