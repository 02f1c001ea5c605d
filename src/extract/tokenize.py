"""Word boundaries from jieba, with a user dictionary built from rules/.

jieba's dictionary takes about a second to load, so the tokenizer is created on
first use, never on import. Tags are jieba's own dictionary tags (v, n, d …),
looked up per word; unknown words have no tag.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .rules import Rules


@dataclass(frozen=True)
class Token:
    word: str
    tag: str | None


class Tokenizer:
    """jieba with the project's words added; loaded lazily."""

    def __init__(self, rules: Rules, timings: dict[str, float] | None = None):
        # Words stripped off a metric are words of their own (新培育, not 新 + 培育).
        stripped = (w for w in getattr(rules.phrase, "strip_left", ()) if len(w) > 1)
        self._words = sorted({*rules.dictionary, *rules.units, *rules.glossary_terms, *stripped})
        self._nouns = rules.nouns
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
        tags = _tag_table(lambda: jieba.posseg.POSTokenizer(tokenizer).word_tag_tab)
        # Nouns that jieba's dictionary tags as verbs (举措, 展会): tagged as the nouns they are.
        tags.update(dict.fromkeys(self._nouns, "n"))
        return tokenizer, tags

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


def _tag_table(build: Callable[[], dict[str, str]]) -> dict[str, str]:
    """jieba's dictionary tags (word -> tag), cached beside jieba's own cache of its
    dictionary: parsing the 350,000 lines takes 0.2 s, loading the cache a fraction."""
    import jieba

    source = Path(jieba.__file__).with_name("dict.txt")
    stat = source.stat()
    key = hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"extract-jieba-tags.{key}.marshal"
    try:
        table = marshal.loads(cache.read_bytes())
        if isinstance(table, dict):
            return table
    except (OSError, ValueError, EOFError, TypeError):
        pass
    table = build()
    try:
        temp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        temp.write_bytes(marshal.dumps(table))
        os.replace(temp, cache)
    except OSError:
        pass  # a read-only temporary folder: build it again next time
    return table
