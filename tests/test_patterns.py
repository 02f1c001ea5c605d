"""extract.patterns.Pattern: regex's patterns, matching without releasing the GIL.
Each method must give what regex's own gives, on the texts of the corpus."""

from __future__ import annotations

import copy
import pickle
import threading
import time

import pytest
import regex

from extract import patterns

from conftest import CORPUS

# Patterns of the kinds the rules use: a lookbehind, a named group, a Unicode
# property, a reverse search, a flag.
SOURCES = [
    r"(?<![\d.])\d+(?:\.\d+)?(?P<unit>亿元|万元|%)",
    r"\p{Han}{2,4}(?=增长)",
    r"(?r)[。；]$",
    r"(?i)\bper cent\b",
    r"[，,；;]",
]


def _texts() -> list[str]:
    lines = []
    for path in sorted(CORPUS.glob("*.txt")):
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:40]
    return lines


def _same(a: regex.Match | None, b: regex.Match | None) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and a.span() == b.span() and a.groups() == b.groups()
    )


@pytest.mark.parametrize("source", SOURCES)
def test_each_method_gives_what_regex_gives(source: str) -> None:
    ours, theirs = patterns.compile(source), regex.compile(source)
    texts = _texts()
    found = 0
    for text in texts:
        middle = len(text) // 2
        assert _same(ours.search(text), theirs.search(text))
        assert _same(ours.search(text, middle), theirs.search(text, middle))
        assert _same(ours.search(text, 1, middle), theirs.search(text, 1, middle))
        assert _same(ours.match(text, middle), theirs.match(text, middle))
        assert _same(ours.fullmatch(text[:8]), theirs.fullmatch(text[:8]))
        spans = [m.span() for m in ours.finditer(text, 1, middle)]
        assert spans == [m.span() for m in theirs.finditer(text, 1, middle)]
        assert ours.findall(text) == theirs.findall(text)
        assert ours.sub("#", text) == theirs.sub("#", text)
        assert ours.sub(lambda m: m.group().upper(), text, 1) == theirs.sub(lambda m: m.group().upper(), text, 1)
        assert ours.split(text) == theirs.split(text)
        assert ours.split(text, 1) == theirs.split(text, 1)
        found += ours.search(text) is not None
    assert found > 0, source
    assert (ours.pattern, ours.flags, ours.groups, ours.groupindex) == (
        theirs.pattern,
        theirs.flags,
        theirs.groups,
        dict(theirs.groupindex),
    )


def test_a_pattern_survives_pickling_and_copying() -> None:
    # The rules are not sent to other processes today; a pattern pickles as regex's do.
    pattern = patterns.compile(SOURCES[0])
    for again in (pickle.loads(pickle.dumps(pattern)), copy.deepcopy(pattern)):
        assert isinstance(again, patterns.Pattern)
        assert again == pattern and hash(again) == hash(pattern)
        assert again.search("全年投资120亿元").group("unit") == "亿元"


def _turns_of_another_thread(search) -> int:
    """How often another Python thread ran while `search` ran."""
    turns, stop = [0], threading.Event()

    def count() -> None:
        while not stop.is_set():
            turns[0] += 1

    thread = threading.Thread(target=count)
    thread.start()
    time.sleep(0.02)
    before = turns[0]
    search()
    during = turns[0] - before
    stop.set()
    thread.join()
    return during


def test_a_pattern_keeps_the_lock_while_it_matches() -> None:
    # A search that tries every position of a long text: the other thread runs
    # throughout regex's own search, not at all during ours.
    source, text = r"\p{Han}{2}\d", "增长" * 300_000
    theirs = _turns_of_another_thread(lambda: regex.compile(source).search(text))
    ours = _turns_of_another_thread(lambda: patterns.compile(source).search(text))
    assert theirs > 1000 and ours < theirs / 10, (theirs, ours)

