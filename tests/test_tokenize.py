"""The tokenizer: rjieba gives the words and tags that jieba itself gives, with the
project's words added, on every window the pipeline segments in the development
corpus (jieba is installed for this test only, in the test extra).

One difference of bookkeeping is taken out of the reference: jieba's add_word,
given a word its dictionary already has (对, 新增), adds the new frequency to the
total without taking the old one off, so every such word inflates the total
(by 1.16 million over the project's words, 2%); jieba-rs replaces the old
frequency. Uncorrected, 2 of the 631 distinct windows of the corpus split one word
differently (可支配 / 可 支配), and no figure of the goldens changes either way.
"""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from extract.pipeline import Extractor
from extract.read import read_document
from extract.rules import load_rules
from extract.tokenize import Tokenizer

from conftest import CORPUS

CHINESE = sorted(p for p in CORPUS.glob("*.txt") if not p.stem.startswith(("d-sg-", "d-in-")))


@pytest.fixture(scope="module")
def windows() -> list[str]:
    """Every text the pipeline hands the tokenizer while it extracts the corpus."""
    seen: list[str] = []
    extractor = Extractor()
    tokenizer = extractor.tokenizer
    segment = tokenizer.tokens

    def recording(text: str):
        seen.append(text)
        return segment(text)

    tokenizer.tokens = recording
    for path in CHINESE:
        extractor.extract(read_document(path))
    return seen


@pytest.fixture(scope="module")
def jieba_tokens(windows):
    """The words and tags as jieba (Python) gives them: lcut with the same added
    words, tags from its dictionary, the nouns of rules/ tagged n."""
    posseg = pytest.importorskip("jieba.posseg")
    jieba = sys.modules["jieba"]

    jieba.setLogLevel(logging.WARNING)
    ours = Extractor().tokenizer
    segmenter = jieba.Tokenizer()
    segmenter.initialize()
    for word in ours._words:
        before = segmenter.FREQ.get(word, 0)
        segmenter.add_word(word)
        segmenter.total -= before  # as jieba-rs counts it (see above)
    tags = dict(posseg.POSTokenizer(segmenter).word_tag_tab)
    tags.update(dict.fromkeys(ours._nouns, "n"))
    return {text: [(word, tags.get(word)) for word in segmenter.lcut(text)] for text in windows}


def test_the_corpus_gives_hundreds_of_windows(windows):
    # Hundreds of texts, most of them distinct, for the comparisons below. (Fewer
    # than before: the text next to a figure that opens or ends with a comma or a
    # stop is no longer segmented, see test_a_text_opening_or_ending_…)
    assert len(windows) > 500 and len(set(windows)) > 400


def test_rjieba_words_and_tags_are_jiebas_on_every_window(windows, jieba_tokens):
    tokenizer = Extractor().tokenizer
    differ = [text for text in set(windows) if [tuple(t) for t in tokenizer.tokens(text)] != jieba_tokens[text]]
    assert not differ, [(t, tokenizer.tokens(t), jieba_tokens[t]) for t in differ[:3]]


def test_words_alone_are_jiebas_lcut(windows, jieba_tokens):
    tokenizer = Extractor().tokenizer
    for text in sorted(set(windows))[:500]:
        assert tokenizer.words(text) == [word for word, _ in jieba_tokens[text]]


def test_no_jieba_dictionary_is_loaded_at_run_time():
    code = (
        "import sys; from extract import extract_text; "
        "d = extract_text('全区生产总值增长5%以上，新建学校6所。', report_year=2025); "
        "assert [i.metric for i in d.indicators] == ['生产总值', '学校'], d.indicators; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'jieba'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_project_word_is_one_word_and_unknown_words_have_no_tag():
    tokenizer = Tokenizer(load_rules("zh"))
    tokens = tokenizer.tokens("规上工业增加值增长5%，各项举措")
    assert tokens[0].word == "规上工业增加值"
    assert {token.word: token.tag for token in tokens}["，"] is None
    assert {token.word: token.tag for token in tokens}["增长"] == "v"


def test_a_text_opening_or_ending_with_a_lone_mark_has_that_mark_as_a_word(extractor):
    # attach does not ask the segmenter about a text after a figure that opens with
    # such a mark (增长5%，…), nor about one before it that ends with one: the mark
    # would be a word of its own and end the phrase.
    from extract.attach import _lone_mark
    from extract.normalize import fold_width

    tokenizer = extractor.language("zh").segmenter
    checked = 0
    for path in sorted(CORPUS.glob("*.txt")):
        text = fold_width(path.read_text(encoding="utf-8"))
        for i, character in enumerate(text):
            if character.strip() and _lone_mark(character):
                assert tokenizer.tokens(text[i : i + 32])[0].word == character, (path.name, text[i : i + 10])
                if i:
                    assert tokenizer.tokens(text[max(0, i - 31) : i + 1])[-1].word == character, path.name
                checked += 1
    assert checked > 1000
    # Not for quotes and brackets, which a phrase reads through, nor the marks
    # jieba keeps in a run of letters and digits.
    assert not any(_lone_mark(c) for c in "“(（《.%-+")
