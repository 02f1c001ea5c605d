"""No input breaks the pipeline: random text and bytes, mixed scripts, enormous
lines, NUL bytes, deeply nested HTML. Every span stays inside the text and every
output is schema-valid."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
