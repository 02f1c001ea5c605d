"""JSON written with orjson is byte for byte what json.dumps(value, ensure_ascii=False,
indent=2) writes; what orjson writes otherwise goes to the Python encoder."""

from __future__ import annotations

import dataclasses
import json
import math
from decimal import Decimal

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.read import read_document
from extract.serialize import _orjson, document_chunks, document_json, dumps

from conftest import CORPUS, OUTPUTS, ROOT


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


# Text of any code point: control characters, U+007F, U+2028/U+2029, emoji, lone surrogates.
TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=12)
AWKWARD_TEXT = st.sampled_from(
    ["\n", "\r\n\t\b\f\x00\x1f", "\x7f", "\u2028\u2029", "😀", "\ud800", "a\udfffb", '"\\/', ""]
)
FLOATS = (
    st.floats()  # every float, with NaN, the infinities and -0.0
    | st.sampled_from(
        [1e-5, -1e-5, 9.99e-5, 1e-4, 1.5e-7, 1e-10, 5e-324, 1e16, -1e16, 1e22, -0.0, math.nan, math.inf, -math.inf]
    )
    | st.floats(min_value=1e-12, max_value=1e-3)
    | st.floats(min_value=1e15, max_value=1e18)
)
INTEGERS = (
    st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64])
)
SCALARS = st.none() | st.booleans() | INTEGERS | FLOATS | TEXT | AWKWARD_TEXT
KEYS = TEXT | AWKWARD_TEXT | st.none() | st.booleans() | INTEGERS | FLOATS
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(TEXT | AWKWARD_TEXT, children, max_size=4)
        | st.dictionaries(KEYS, children, max_size=3)
    ),
    max_leaves=25,
)


@settings(max_examples=2000, deadline=None)
@given(JSON_LIKE)
def test_dumps_writes_what_the_json_module_writes(value):
    assert dumps(value) == _json(value)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(TEXT, JSON_LIKE, max_size=5))
def test_dumps_of_documents_with_awkward_values(value):
    assert dumps(value) == _json(value)


@settings(max_examples=3000, deadline=None)
@given(st.floats(min_value=1e-4, max_value=1e16, exclude_max=True) | st.just(0.0), st.booleans())
def test_orjson_writes_floats_from_1e_4_to_1e16_as_repr(value, negative):
    """The rule the fast path rests on: in this range orjson and repr() agree."""
    value = -value if negative else value
    assert orjson.dumps(value).decode() == repr(value)


@settings(max_examples=1000, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=())))
def test_orjson_escapes_strings_as_the_json_module(text):
    assert orjson.dumps(text).decode() == json.dumps(text, ensure_ascii=False)


@pytest.mark.parametrize(
    "value",
    [
        {"x": 1e-05},  # orjson: 0.00001
        {"x": [1.5e-07]},  # orjson: 1.5e-7
        {"x": math.nan, "y": [math.inf, -math.inf]},  # orjson: null
        {"x": 2**64},  # orjson raises
        {"x": -(2**63) - 1},
        {2: "a", None: "b", True: "c", False: "d", 1.5: "e", math.nan: "f"},  # orjson raises
        {"x": "\ud800"},  # orjson raises
        {"x": [[[[]]]] * 2, "y": ((1, 2), ())},
        {"deep": json.loads("[" * 300 + "]" * 300)},  # beyond orjson's depth
    ],
)
def test_values_orjson_writes_otherwise(value):
    assert dumps(value) == _json(value)


def test_the_golden_documents_take_orjson():
    for path in sorted(OUTPUTS.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        document = json.loads(text)
        assert _orjson(document, orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE) is not None, path.name
        assert dumps(document) == text


@pytest.mark.parametrize("name", ["laoshan-2025", "d-in-budget-2025"])
def test_document_chunks_are_dumps_of_the_document(name, extractor, monkeypatch):
    monkeypatch.chdir(ROOT)
    raw = read_document((CORPUS / f"{name}.txt").relative_to(ROOT))
    whole = dumps(document_json(extractor.extract(raw)))
    assert "".join(document_chunks(*extractor.stream(raw))) == whole
    assert whole == (OUTPUTS / f"{name}.json").read_text(encoding="utf-8")


def test_document_chunks_of_indicators_orjson_writes_otherwise(extractor, monkeypatch):
    """An indicator with a tiny, a NaN and a huge number, and text with a newline."""
    monkeypatch.chdir(ROOT)
    extraction = extractor.extract(read_document((CORPUS / "laoshan-2025.txt").relative_to(ROOT)))
    first, second, *rest = extraction.indicators
    odd = dataclasses.replace(first, value=Decimal("0.00001"), value_max=Decimal("NaN"), base_value=Decimal(2**70))
    text = dataclasses.replace(second, sentence="一行\n二行\u2028😀\x7f", metric=None)
    extraction = dataclasses.replace(extraction, indicators=(odd, text, *rest))
    whole = dumps(document_json(extraction))
    assert whole == _json(document_json(extraction))
    assert "".join(document_chunks(extraction, iter(extraction.indicators))) == whole
