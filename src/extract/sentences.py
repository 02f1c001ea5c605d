"""Split normalized text into sentences, keeping offsets and paragraph numbers.

A sentence ends at 。！？； (and their ASCII forms) or at a line end. A line with no
sentence end that is short is a heading: it names the section that follows.
"""

from __future__ import annotations

import regex

from .model import Sentence

SENTENCE_END = regex.compile(r"[。！？；!?;]+[”’\"」』)）]*|\n")
SENTENCE_END_CHARS = "。！？；!?;"


def split_sentences(text: str, heading_max_chars: int) -> list[Sentence]:
    sentences: list[Sentence] = []
    paragraph = 0
    for line_start, line in _lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        is_heading = len(stripped) <= heading_max_chars and not any(c in SENTENCE_END_CHARS for c in stripped)
        for start, end in _pieces(line):
            sentences.append(Sentence(line_start + start, line_start + end, line[start:end], paragraph, is_heading))
        paragraph += 1
    return sentences


def _lines(text: str) -> list[tuple[int, str]]:
    result, start = [], 0
    for line in text.split("\n"):
        result.append((start, line))
        start += len(line) + 1
    return result


def _pieces(line: str) -> list[tuple[int, int]]:
    """Sentence spans of one line, trimmed of surrounding white space."""
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
