"""Word boundaries from jieba, with a user dictionary built from rules/.

jieba's dictionary takes about a second to load, so the tokenizer is created on
first use, never on import. Tags are jieba's own dictionary tags (v, n, d …),
looked up per word; unknown words have no tag.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import cached_property

from .rules import Rules


@dataclass(frozen=True)
class Token:
    word: str
    tag: str | None


class Tokenizer:
    """jieba with the project's words added; loaded lazily."""

    def __init__(self, rules: Rules, timings: dict[str, float] | None = None):
        self._words = sorted({*rules.dictionary, *rules.units, *rules.glossary_terms})
        self._timings = timings

    @cached_property
    def _jieba(self):
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in self._words:
            tokenizer.add_word(word)
        # The POS tokenizer reads each dictionary word's tag from jieba's dict file;
        # we only look tags up, which is far cheaper than posseg's own cut.
        return tokenizer, jieba.posseg.POSTokenizer(tokenizer).word_tag_tab

    def load(self) -> None:
        """Load jieba's dictionary now (before worker processes are forked, say)."""
        self._jieba  # noqa: B018 - the cached property does the loading

    def tokens(self, text: str) -> list[Token]:
        tokenizer, tags = self._jieba
        if self._timings is None:
            return [Token(word, tags.get(word)) for word in tokenizer.lcut(text)]
        start = time.perf_counter()
        words = tokenizer.lcut(text)
        self._timings["tokenize"] = self._timings.get("tokenize", 0.0) + time.perf_counter() - start
        return [Token(word, tags.get(word)) for word in words]
