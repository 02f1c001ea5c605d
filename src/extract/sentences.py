"""Split normalized text into sentences, keeping offsets and paragraph numbers.

A sentence ends at a line end, and inside a line where the language's
`sentence_pieces` says (。！？； in Chinese). A line with no sentence end that is
short is a heading: it names the section that follows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import regex

from .model import Sentence

SENTENCE_END = regex.compile(r"[。！？；!?;]+[”’\"」』)）]*|\n")
SENTENCE_END_CHARS = "。！？；!?;"


def iter_sentences(
    text: str,
    heading_max_chars: int,
    pieces: Callable[[str], list[tuple[int, int]]],
    heading_not_ending: str = "",
) -> Iterator[Sentence]:
    """The sentences of `text` in order, one line at a time (a long report is never
    held as a list of sentences). `pieces` gives the sentences of one line."""
    paragraph = 0
    not_ending = tuple(heading_not_ending)
    for line_start, line in _lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        is_heading = (
            len(stripped) <= heading_max_chars
            and not any(c in SENTENCE_END_CHARS for c in stripped)
            and not (not_ending and stripped.endswith(not_ending))
        )
        for start, end in pieces(line):
            yield Sentence(line_start + start, line_start + end, line[start:end], paragraph, is_heading)
        paragraph += 1


def _lines(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield start, text[start:end]
        start = end + 1


def chinese_pieces(line: str) -> list[tuple[int, int]]:
    """Sentence spans of one line, cut after 。！？；, trimmed of surrounding white space."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(line):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(line)))
    trimmed = []
    for s, e in spans:
        piece = line[s:e]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if e - trail > s + lead:
            trimmed.append((s + lead, e - trail))
    return trimmed
