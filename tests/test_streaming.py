"""Streaming: a report's indicators are found and written one sentence at a time,
and the streamed JSON is byte for byte the JSON of the whole document."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import extract.languages.zh
from extract.model import RawDocument
from extract.pipeline import BLOCK, extract_text
from extract.read import read_document
from extract.serialize import document_chunks, document_json, dumps

from conftest import CORPUS, OUTPUTS

TEXT_ALPHABET = "0123456789.%以上万亿个家元人增长下降达到全区生产总值预计今年年，。；\n 二〇一、（）"


def _streamed(raw, extractor) -> str:
    return "".join(document_chunks(*extractor.stream(raw)))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem)
def test_streamed_json_is_the_golden_output(path, extractor, monkeypatch):
    monkeypatch.chdir(CORPUS.parent)
    raw = read_document(path.relative_to(CORPUS.parent))
    assert _streamed(raw, extractor) == (OUTPUTS / f"{path.stem}.json").read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=TEXT_ALPHABET, max_size=200))
def test_streamed_json_equals_whole_json(extractor, text):
    whole = extract_text(text, extractor=extractor)
    document = RawDocument("text", "<text>", whole.sha256, text, "utf-8")
    assert _streamed(document, extractor) == dumps(document_json(whole))


def test_indicators_are_found_as_they_are_pulled(extractor, monkeypatch):
    calls = []
    find = extract.languages.zh.find_quantities
    monkeypatch.setattr(extract.languages.zh, "find_quantities", lambda s, r: calls.append(s) or find(s, r))

    text = "".join(f"第{n}项工作新增就业{n}人。\n" for n in range(1, 2001))
    _, indicators = extractor.stream(RawDocument("long", "<text>", "0" * 64, text, "utf-8"))
    first = next(indicators)
    assert first.value == 1
    # Sentences go through the stages in blocks: the first indicator comes once its
    # block (and, read ahead, the next) has been read, not the rest of the report.
    assert len(calls) <= 2 * BLOCK < 2000
    assert len(list(indicators)) == 1999
    assert len(calls) == 2000


def test_document_chunks_pull_one_indicator_per_piece(extractor):
    whole = extract_text("新增就业100人。新增企业20家。新建学校3所。", extractor=extractor)
    pulled = []

    def indicators():
        for indicator in whole.indicators:
            pulled.append(indicator)
            yield indicator

    chunks = document_chunks(whole, indicators())
    next(chunks)  # the document's facts
    assert pulled == []
    for n in (1, 2, 3):
        next(chunks)
        assert len(pulled) == n


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=6))
def test_dumps_writes_what_the_json_module_writes(value):
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2) + "\n"
