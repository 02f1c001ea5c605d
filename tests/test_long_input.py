"""Long lines (issue 15, item 18): spaCy is handed bounded pieces, and the work done
grows with the length of a line, not with its square.

Speed is measured by bench/limits.py, never here: these tests assert structural
facts (the largest text given to spaCy, the longest sentence, the characters the
tokenizer is given for N and for 4N characters of input)."""

from __future__ import annotations

import sys

import pytest

from extract import english, sentences
from extract.pipeline import extract_text
from extract.sentences import BLOCK, MAX_SENTENCE, bounded_spans, chinese_pieces, iter_sentences, line_pieces

# Synthetic sentences, enough to exercise the bounds (no report text).
PLAIN = "The council will keep working with residents on the plans for the town. "
FIGURE = "Exports grew by 5 per cent."
NO_END = "the council will keep working with residents and households on plans that grew by 3 per cent, "


def _record_lengths(monkeypatch, factory: str) -> list[int]:
    """Replace english.<factory>() by one whose callable records the length of every
    text it is handed."""
    lengths: list[int] = []
    made = getattr(english, factory)()

    def recording(text: str):
        lengths.append(len(text))
        return made(text)

    monkeypatch.setattr(english, factory, lambda: recording)
    return lengths


@pytest.fixture
def spacy_inputs(monkeypatch) -> list[int]:
    """The length of every text handed to spaCy's sentencizer."""
    return _record_lengths(monkeypatch, "_sentencizer")


@pytest.fixture
def tokenized_chars(monkeypatch) -> list[int]:
    """The length of every text handed to spaCy's tokenizer (the metric stage's)."""
    return _record_lengths(monkeypatch, "_tokenizer")


def _one_line(unit: str, chars: int, tail: str = "") -> str:
    return unit * (chars // len(unit)) + tail


def test_a_one_line_english_text_over_a_million_characters_gives_its_figures(extractor):
    text = _one_line(PLAIN, 1_100_000, FIGURE)
    assert len(text) > 1_000_000
    indicators = extract_text(text, extractor=extractor).indicators
    assert [(i.text, i.value) for i in indicators] == [("5 per cent", 5)]
    start, end = indicators[0].span
    assert text[start:end] == "5 per cent"


def test_a_cr_only_english_file_over_a_million_characters_gives_its_figures(extractor):
    text = _one_line(PLAIN.strip() + "\r", 1_100_000, FIGURE + "\r")
    indicators = extract_text(text, extractor=extractor).indicators
    assert [i.text for i in indicators] == ["5 per cent"]


def test_spacy_is_handed_blocks_each_character_once(extractor, spacy_inputs):
    text = _one_line(PLAIN, 3 * BLOCK, FIGURE)
    extract_text(text, extractor=extractor)
    assert len(spacy_inputs) >= 3
    assert max(spacy_inputs) <= BLOCK
    # Every character once: the number of calls and their length grow with the line.
    assert sum(spacy_inputs) <= len(text)


def test_tokenizer_work_grows_linearly_on_a_line_with_no_sentence_end(extractor, tokenized_chars):
    # Each figure's metric is looked for in the text before it: over a whole line
    # with no sentence end, that is the square of its length.
    extract_text(_one_line(NO_END, 25_000), extractor=extractor)
    short = sum(tokenized_chars)
    tokenized_chars.clear()
    extract_text(_one_line(NO_END, 100_000), extractor=extractor)
    assert short > 0
    assert sum(tokenized_chars) <= 6 * short


@pytest.mark.parametrize(
    ("line", "pieces"),
    [
        (_one_line(NO_END, 50_000), lambda line: english.english_pieces(line, english_rules())),
        (_one_line("全区生产总值增长5.5%以上，新建学校6所，", 50_000), chinese_pieces),
        (_one_line("啊", 30_000, "增长5.5%"), chinese_pieces),
    ],
    ids=["english", "chinese", "no-cut-point"],
)
def test_no_sentence_is_longer_than_the_bound(line, pieces):
    found = list(iter_sentences(line, 30, pieces))
    assert max(len(s.text) for s in found) <= MAX_SENTENCE
    _assert_covers(line, [(s.start, s.end) for s in found])


def test_a_long_sentence_is_cut_at_a_clause_end():
    line = _one_line("全区生产总值增长5.5%以上，", 10_000)
    for _start, end in line_pieces(line, chinese_pieces):
        assert line[end - 1] == "，"


def test_a_hard_cut_does_not_split_a_number():
    # No clause end and no space: the cut moves back off the digits it would split.
    line = "啊" * (MAX_SENTENCE - 3) + "123456" + "啊" * 100
    spans = list(bounded_spans(line, 0, len(line), MAX_SENTENCE, sentences.CLAUSE_ENDS))
    assert spans[0] == (0, MAX_SENTENCE - 3)
    _assert_covers(line, spans)


def test_a_figure_at_a_hard_cut_is_found_whole(extractor):
    text = "啊" * (MAX_SENTENCE - 3) + "新增就业123456人" + "啊" * 100
    assert [i.text for i in extract_text(text, extractor=extractor).indicators] == ["123456人"]


def test_an_ordinary_line_is_split_as_before():
    line = "Exports grew by 5 per cent. Imports fell by 2 per cent! Is that all? No. 3 is next."
    pieces = english.english_pieces(line, english_rules())
    assert list(line_pieces(line, lambda text: english.english_pieces(text, english_rules()))) == pieces


def english_rules():
    from extract.rules import load_rules

    return load_rules("en")


def _assert_covers(line: str, spans: list[tuple[int, int]]) -> None:
    """Spans in order, each within the line, and only white space between them."""
    position = 0
    for start, end in spans:
        assert position <= start < end <= len(line)
        assert not line[position:start].strip()
        position = end
    assert not line[position:].strip()


def test_the_limits_benchmark_builds_the_inputs_it_names(tmp_path, monkeypatch):
    # bench/limits.py measures item 19's bounds on these shapes; built here at a
    # thousandth of their size, to check that each is the shape it claims.
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "limits.py"
    spec = importlib.util.spec_from_file_location("limits", path)
    limits = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "limits", limits)  # its dataclasses look their module up
    spec.loader.exec_module(limits)
    built = {c.name: c.build(tmp_path, c.megabytes / 1000).read_text(encoding="utf-8") for c in limits.CASES}
    assert built["html-60"].startswith("<!DOCTYPE html>") and built["html-60"].count("<p>") > 10
    for name in ("one-line", "english-line", "english-no-end"):
        assert built[name].count("\n") == 1 and len(built[name]) > 1000
    assert not limits.SENTENCE_ENDS.search(built["one-line"] + built["english-no-end"])
    lines = built["short-lines"].splitlines()
    assert len(lines) == 1000 and all(any(c.isdigit() for c in line) for line in lines)
