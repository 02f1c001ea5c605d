"""Compiled `regex` patterns that keep Python's lock while they match.

`regex` releases the GIL around every match on a str and takes it back after, so
that other threads may run meanwhile. Extract matches in one thread per process
(a pool's worker, a local Dask worker), so the release buys nothing, and on the
short texts it matches (a sentence, the few characters after a number) it costs
as much as the match itself: one search of a sentence, 757 ns with the release and
379 ns without (AMD EPYC; bench/RESULTS.md, session 6). On a Dask worker of
several threads, matching no longer overlaps with the other threads' work; the
rest of extract's work holds the lock anyway.

`Pattern` passes regex's `concurrent=False` on every call, positionally: as a
keyword it costs more than the release (713 ns, session 5). It has the methods and
the attributes of `regex.Pattern` that extract uses, with the same positional
arguments, and is made by `compile(pattern, flags)`. It pickles as the pattern and
flags it was compiled from, and two of them are equal when those are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import regex


def compile(pattern: str, flags: int = 0) -> Pattern:
    return Pattern(regex.compile(pattern, flags))


class Pattern:
    __slots__ = ("compiled", "pattern", "flags", "groups", "groupindex")

    def __init__(self, compiled: Any) -> None:
        self.compiled = compiled
        self.pattern: str = compiled.pattern
        self.flags: int = compiled.flags
        self.groups: int = compiled.groups
        self.groupindex: dict[str, int] = dict(compiled.groupindex)

    def __reduce__(self) -> tuple[Callable[[str, int], Pattern], tuple[str, int]]:
        return compile, (self.pattern, self.flags)

    def __repr__(self) -> str:
        return f"patterns.compile({self.pattern!r}, {self.flags})"

    # Equal when compiled from the same source with the same flags.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and (self.pattern, self.flags) == (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def search(self, string: str, pos: int | None = None, endpos: int | None = None) -> Any:
        return self.compiled.search(string, pos, endpos, False)

    def match(self, string: str, pos: int | None = None, endpos: int | None = None) -> Any:
        return self.compiled.match(string, pos, endpos, False)

    def fullmatch(self, string: str, pos: int | None = None, endpos: int | None = None) -> Any:
        return self.compiled.fullmatch(string, pos, endpos, False)

    def finditer(self, string: str, pos: int | None = None, endpos: int | None = None) -> Iterator[Any]:
        return self.compiled.finditer(string, pos, endpos, False, False)

    def findall(self, string: str, pos: int | None = None, endpos: int | None = None) -> list[Any]:
        return self.compiled.findall(string, pos, endpos, False, False)

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        return self.compiled.sub(repl, string, count, None, None, False)

    def split(self, string: str, maxsplit: int = 0) -> list[Any]:
        return self.compiled.split(string, maxsplit, False)
