"""Split normalized text into sentences, keeping offsets and paragraph numbers.

A sentence ends at a line end, and inside a line where the language's
`sentence_pieces` says (。！？； in Chinese). A line with no sentence end that is
short is a heading: it names the section that follows.

Lengths are bounded, so that time grows with the text, not with its square: a
line is handed to `sentence_pieces` in blocks of at most BLOCK characters (spaCy
refuses a text over a million), and a sentence longer than MAX_SENTENCE (a page
with no full stops) is read as pieces of at most that, since the stages after
look back over a sentence from each figure in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import regex

from . import patterns
from .model import Sentence

SENTENCE_END = patterns.compile(r"[。！？；!?;]+[”’\"」』)）]*|\n")
SENTENCE_END_CHARS = "。！？；!?;"
BLOCK = 100_000
# Twice the longest sentence of any report read so far (568 characters).
MAX_SENTENCE = 2_000
# Where a block may end, best first: after a sentence end (a full stop after a
# word, not the point of 3.5 or of an initial), else after white space.
BLOCK_ENDS = (
    patterns.compile(r"(?:[。！？；]|(?<=\w\w)[.!?;])[”’\"」』)）]*\s+|[。！？；][”’\"」』)）]*"),
    patterns.compile(r"\s+"),
)
# Where an over-long sentence may be cut, best first: after a clause end, else
# after white space.
CLAUSE_ENDS = (patterns.compile(r"[，,；;：:、]\s*"), patterns.compile(r"\s+"))
# A hard cut (no cut point at all) moves back off a number or word it would split.
WORD_CHAR = patterns.compile(r"[\w.,%]", regex.ASCII)
HARD_CUT_BACK = 64


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
        for start, end in line_pieces(line, pieces):
            yield Sentence(line_start + start, line_start + end, line[start:end], paragraph, is_heading)
        paragraph += 1


def line_pieces(line: str, pieces: Callable[[str], list[tuple[int, int]]]) -> Iterator[tuple[int, int]]:
    """The sentence spans of a line, from `pieces` block by block, none over MAX_SENTENCE."""
    if len(line) <= MAX_SENTENCE:
        # Nearly every line: one block, and no sentence in it can be too long.
        yield from pieces(line)
        return
    for block_start, block_end in bounded_spans(line, 0, len(line), BLOCK, BLOCK_ENDS):
        block = line if block_end - block_start == len(line) else line[block_start:block_end]
        for start, end in pieces(block):
            yield from bounded_spans(line, block_start + start, block_start + end, MAX_SENTENCE, CLAUSE_ENDS)


def bounded_spans(
    text: str, start: int, end: int, size: int, cuts: tuple[patterns.Pattern, ...]
) -> Iterator[tuple[int, int]]:
    """text[start:end] as consecutive spans of at most `size` characters, white space
    around them left out. Each is cut after the last match of the first of `cuts`
    that matches in the second half of its window (a cut in the first half would
    make many short pieces), else where a word or number does not go on."""
    while end - start > size:
        at = _cut(text, start, start + size, cuts)
        piece_end = at - (len(text[start:at]) - len(text[start:at].rstrip()))
        if piece_end > start:
            yield start, piece_end
        window = text[at : min(end, at + size)]
        start = at + len(window) - len(window.lstrip())
    if end > start:
        yield start, end


def _cut(text: str, start: int, stop: int, cuts: tuple[patterns.Pattern, ...]) -> int:
    half = start + (stop - start) // 2
    for pattern in cuts:
        last = None
        for last in pattern.finditer(text, half, stop):  # noqa: B007 (the last match is wanted)
            pass
        if last is not None:
            return last.end()
    at = stop
    while at > stop - HARD_CUT_BACK and WORD_CHAR.match(text, at - 1) and WORD_CHAR.match(text, at):
        at -= 1
    return at if at > stop - HARD_CUT_BACK else stop


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
