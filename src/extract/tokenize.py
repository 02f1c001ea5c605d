"""Word boundaries and tags from jieba's algorithm and dictionary, through rjieba
(the Python binding of jieba-rs), with the project's words from rules/ added.

rjieba segments as jieba does (tests/test_tokenize.py compares the two on every
window of the development corpus) about 26 times faster, and its dictionary is
compiled in: nothing is built or loaded from jieba's dict.txt at run time. Tags
are the dictionary's tags (v, n, d …); a word the dictionary does not have (a
number, punctuation, a word found by the HMM) has none, and the nouns of rules/
are tagged n whatever the dictionary says (举措, 展会).
"""

from __future__ import annotations

import time
from functools import cache, cached_property
from typing import Any, NamedTuple

from .rules import Rules


class Token(NamedTuple):
    """A word and its dictionary tag. A named tuple: built in C, one per word."""

    word: str
    tag: str | None


class Tokenizer:
    """jieba's segmentation with the project's words added; made on first use."""

    def __init__(self, rules: Rules, timings: dict[str, float] | None = None):
        # Words stripped off a metric are words of their own (新培育, not 新 + 培育).
        stripped = (w for w in getattr(rules.phrase, "strip_left", ()) if len(w) > 1)
        self._words = sorted({*rules.dictionary, *rules.units, *rules.glossary_terms, *stripped})
        self._nouns = frozenset(rules.nouns)
        self._timings = timings

    @cached_property
    def _jieba(self) -> Any:
        return _segmenter(tuple(self._words))

    def load(self) -> None:
        """Make the segmenter now (before worker processes are forked, say)."""
        self._jieba  # noqa: B018 - the cached property does the making

    def tokens(self, text: str) -> list[Token]:
        if self._timings is None:
            return self._tokens(text)
        start = time.perf_counter()
        tokens = self._tokens(text)
        self._timings["tokenize"] = self._timings.get("tokenize", 0.0) + time.perf_counter() - start
        return tokens

    def words(self, text: str) -> list[str]:
        """The words alone, as jieba's lcut(text) gives them."""
        return self._jieba.cut(text)

    def _tokens(self, text: str) -> list[Token]:
        segmenter = self._jieba
        nouns, known = self._nouns, segmenter.has_word
        # tuple.__new__ builds the named tuple in C; Token(...) would run a Python
        # function for every word of every window.
        new = tuple.__new__
        # rjieba tags every word; only the dictionary's tags are tags here.
        return [
            new(Token, (word, "n" if word in nouns else (tag if tag and known(word) else None)))
            for word, tag in segmenter.tag(text)
        ]


@cache
def _segmenter(words: tuple[str, ...]) -> Any:
    """A segmenter with `words` added, made once per process. Importing rjieba builds
    its default segmenter (0.1 s); the first word list takes that one rather than
    building a second, and a word is never added twice (each time would raise its
    frequency by one)."""
    import rjieba

    segmenter = rjieba._DEFAULT_JIEBA if _segmenter.cache_info().currsize == 0 else rjieba.Jieba()
    for word in words:
        # As jieba's add_word(word): the frequency it suggests, and the dictionary's
        # tag kept for a word it already has.
        segmenter.add_word(word, None, None)
    return segmenter
