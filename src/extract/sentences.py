"""Split normalized text into sentences, keeping offsets and paragraph numbers.

A sentence ends at 。！？； (and their ASCII forms) or at a line end. A line with no
sentence end that is short is a heading: it names the section that follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import regex

from .model import Sentence

SENTENCE_END = regex.compile(r"[。！？；!?;]+[”’\"」』)）]*|\n")
SENTENCE_END_CHARS = "。！？；!?;"


def iter_sentences(text: str, heading_max_chars: int, language: str = "zh") -> Iterator[Sentence]:
    """The sentences of `text` in order, one line at a time (a long report is never
    held as a list of sentences)."""
    pieces = _pieces if language == "zh" else _english_pieces
    paragraph = 0
    for line_start, line in _lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        is_heading = len(stripped) <= heading_max_chars and not any(c in SENTENCE_END_CHARS for c in stripped)
        if language == "en":
            is_heading = is_heading and not stripped.endswith((".", ":"))
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


@cache
def _sentencizer():
    # spaCy is imported for English text only: its import alone takes about a second.
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", ";"]})
    return nlp


ABBREVIATION_END = regex.compile(r"(?i)\b(?:No|Nos|Art|Sec|Fig|Vol|vs|approx|e\.g|i\.e|U\.S|St|Dr|Mr|Ms)\.$")


def _english_pieces(line: str) -> list[tuple[int, int]]:
    """Sentences of an English line, from spaCy's rule-based sentencizer; a sentence
    that ends in an abbreviation (No. 1) goes on into the next."""
    pieces: list[tuple[int, int]] = []
    for sentence in _sentencizer()(line).sents:
        if not sentence.text.strip():
            continue
        if pieces and ABBREVIATION_END.search(line[pieces[-1][0] : pieces[-1][1]]):
            pieces[-1] = (pieces[-1][0], sentence.end_char)
        else:
            pieces.append((sentence.start_char, sentence.end_char))
    return pieces


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
