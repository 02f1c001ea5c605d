"""No input breaks the pipeline: random text and bytes, mixed scripts, enormous
lines, NUL bytes, deeply nested HTML, and (issue 15) lone surrogates, numbers of
thousands of digits, every kind of line end, entities inside figures and
hard-wrapped lines. Every span stays inside the text and every output is
schema-valid. Over 10,000 generated inputs in all, each short, so that they take
well under a minute."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.model import RawDocument
from extract.pipeline import extract_text
from extract.read import ReadError, decode
from extract.serialize import document_json

REPORT_ALPHABET = (
    "0123456789.,%％—-~以上左右超过近约余多万亿千百十一二两三四五六七八九零〇个家项人元亿元万人户亩公里吨倍"
    "增长下降提高新增完成达到突破不少于年月日第届期级“”（）()，。；：、\n 　GDPpercentyuanmilliontobyof"
    "全区生产总值一般公共预算收入城镇就业重点项目嶗區(qū)?"
)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text: str, extractor, validator) -> None:
    document = document_json(extract_text(text, extractor=extractor))
    validator.validate(json.loads(json.dumps(document)))
    for indicator in document["indicators"]:
        start, end = indicator["span"]
        assert 0 <= start < end <= len(text)
        assert text[start:end] == indicator["text"]


@FAST
@given(st.text(alphabet=REPORT_ALPHABET, max_size=300))
def test_report_like_text_never_breaks(extractor, validator, text):
    _check(text, extractor, validator)


@FAST
@given(st.text(max_size=200))
def test_any_unicode_text_never_breaks(extractor, validator, text):
    _check(text, extractor, validator)


@FAST
@given(st.binary(max_size=400))
def test_random_bytes_decode_or_fail_with_a_reason(data):
    try:
        text, encoding = decode(data, "random.bin")
    except ReadError as exc:
        assert str(exc).startswith("random.bin: ") and "\n" not in str(exc)
    else:
        assert isinstance(text, str) and encoding


def test_enormous_line(extractor, validator):
    _check("全区生产总值增长5.5%以上，" * 20000 + "新建学校6所" + "啊" * 100000, extractor, validator)


def test_nul_bytes_and_control_characters(extractor, validator):
    _check("新建学校\x006所\x01，\x7f增长5%\ufeff，\u200b城镇新增就业2万人", extractor, validator)


@pytest.mark.parametrize("depth", [50, 400])
def test_deeply_nested_html(tmp_path, extractor, validator, depth):
    from extract.read import read_document

    page = (
        "<html><body>"
        + "<div>" * depth
        + "<p>全区生产总值增长5.5%以上，新建学校6所。</p>"
        + "</div>" * depth
        + "</body></html>"
    )
    path = tmp_path / "nested.html"
    path.write_text(page, encoding="utf-8")
    document = document_json(extractor.extract(read_document(path)))
    validator.validate(document)
    for indicator in document["indicators"]:
        start, end = indicator["span"]
        assert page[start:end] == indicator["text"]


# Issue 15: reports built of realistic pieces, with the faults of hostile input mixed in.

LINE_ENDS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\n\n"]
CLAUSES_ZH = [
    "全区生产总值增长{n}%以上",
    "新建学校{n}所",
    "城镇新增就业{n}万人",
    "一般公共预算收入完成{n}亿元",
    "全區生產總值增長{n}%",
    "新增企业{n}家",
    "二、主要目标",
]
CLAUSES_EN = [
    "GDP grew by {n} percent",
    "exports rose to {n} billion dollars",
    "the government will build {n} new schools",
    "unemployment fell to {n} per cent of the labour force",
    "Total retail sales of consumer goods increased by {n} percent",
]
PUNCTUATION = ["，", "。", "；", ", ", ". ", "; ", ""]
ENTITIES = ["&#37;", "&#12290;", "&nbsp;", "&amp;", "&#x4e07;", "&#00000037;", "&percnt;", "&#20154;", "&lt;"]
LONE_SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
ORDINARY_NUMBERS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.decimals(0, 1000, places=2, allow_nan=False).map(str),
    st.sampled_from(["10", "1,537.28", "三千五百", "两万", "0.5"]),
)
# Numbers of thousands of digits (Python's int/str conversion limit is 4,300), one
# number in forty: each costs as much as a page of text.
HUGE_NUMBERS = st.integers(4290, 4400).map(lambda digits: "9" * digits)
NUMBERS = st.integers(0, 39).flatmap(lambda draw: HUGE_NUMBERS if draw == 0 else ORDINARY_NUMBERS)
PROPERTY = settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@st.composite
def clauses(draw, templates: list[str]) -> str:
    clause = draw(st.sampled_from(templates)).format(n=draw(NUMBERS))
    # A fault at a random place inside the clause: a lone surrogate or a line end.
    fault = draw(st.one_of(st.just(""), LONE_SURROGATES, st.sampled_from(LINE_ENDS)))
    at = draw(st.integers(0, len(clause)))
    return clause[:at] + fault + clause[at:] + draw(st.sampled_from(PUNCTUATION))


WRAPPED_MAX = 1000


@st.composite
def reports(draw) -> str:
    """Clauses of either language, on lines cut at a common width (hard-wrapped, as a
    PDF's text is) or not at all, with line ends of any kind."""
    templates = draw(st.sampled_from([CLAUSES_ZH, CLAUSES_EN, CLAUSES_ZH + CLAUSES_EN]))
    text = "".join(draw(st.lists(clauses(templates), min_size=1, max_size=4)))
    width = draw(st.sampled_from([0, 12, 24, 40, 60]))
    end = draw(st.sampled_from(LINE_ENDS))
    # A text with a number of thousands of digits stays on one line: cut, it would be
    # hundreds of lines of digits, slow for no new case.
    if width and len(text) < WRAPPED_MAX:
        text = end.join(text[i : i + width] for i in range(0, len(text), width))
    return text


@st.composite
def pages(draw) -> str:
    """An HTML page whose paragraphs hold figures written with entities."""
    paragraphs = []
    for clause in draw(st.lists(clauses(CLAUSES_ZH + CLAUSES_EN), min_size=1, max_size=5)):
        at = draw(st.integers(0, len(clause)))
        entity = draw(st.sampled_from(ENTITIES))
        paragraphs.append(f"<p>{clause[:at]}{entity}{clause[at:]}</p>")
    return "<html><body><article>" + "\n".join(paragraphs) + "</article></body></html>"


def _check_document(raw: RawDocument, extractor, validator) -> None:
    document = document_json(extractor.extract(raw))
    validator.validate(json.loads(json.dumps(document)))
    text = raw.text
    for indicator in document["indicators"]:
        start, end = indicator["span"]
        assert 0 <= start < end <= len(text)
        assert text[start:end] == indicator["text"]
        sentence_start, sentence_end = indicator["sentence_span"]
        assert 0 <= sentence_start <= start < end <= sentence_end <= len(text)


@PROPERTY
@given(reports())
def test_reports_with_hostile_pieces_never_break(extractor, validator, text):
    _check(text, extractor, validator)


@settings(PROPERTY, max_examples=5000)
@given(st.lists(st.sampled_from(list(REPORT_ALPHABET) + LINE_ENDS + ["\ud800", "\udfff"]), max_size=120).map("".join))
def test_report_alphabet_with_surrogates_and_line_ends_never_breaks(extractor, validator, text):
    _check(text, extractor, validator)


@settings(PROPERTY, max_examples=500)
@given(pages())
def test_pages_with_entities_inside_figures_never_break(extractor, validator, page):
    _check_document(RawDocument("page", "<page>", "0" * 64, page, "utf-8", markup="html"), extractor, validator)


@settings(PROPERTY, max_examples=2500)
@given(st.binary(max_size=200))
def test_random_bytes_with_marks_decode_or_fail_with_one_line(data):
    for prefix in (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00\x00\xfe\xff", b"%PDF-1.4\n"):
        try:
            text, encoding = decode(prefix + data, "random.bin")
        except ReadError as exc:
            assert str(exc).startswith("random.bin: ") and "\n" not in str(exc)
        else:
            assert isinstance(text, str) and encoding
