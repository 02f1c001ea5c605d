"""HTML pages: the article is read, navigation and footers are not, and spans
point into the HTML source."""

from __future__ import annotations

import json

from extract.pipeline import Extractor
from extract.read import read_document
from extract.serialize import document_json

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>某某区政府工作报告</title>
<script>var visits = 12345;</script><style>.a{width:100px}</style></head>
<body>
<div class="nav">首页 | 要闻 | 服务热线 12345 | 共有3个频道</div>
<article>
<h1>2025年某某区政府工作报告</h1>
<p>2024年，全区地区生产总值增长6.2%&nbsp;，一般公共预算收入完成36.8亿元。</p>
<p>2025年，全区将新建学校<b>6所</b>，新增学位3000个&#65292;城镇新增就业2.2万人以上。</p>
<p>累计完成投资120亿元&amp;新开工项目45个。</p>
</article>
<div class="footer">版权所有 © 2025 某某网 京ICP备12345678号 访问量100万人次</div>
</body></html>
"""


def _document(tmp_path, page: str = PAGE) -> tuple[dict, str]:
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    raw = read_document(path)
    assert raw.markup == "html"
    return document_json(Extractor().extract(raw)), raw.text


def test_article_figures_with_spans_into_the_source(tmp_path):
    document, source = _document(tmp_path)
    texts = [i["text"] for i in document["indicators"]]
    assert texts == ["6.2%", "36.8亿元", "6所", "3000个", "2.2万人以上", "120亿元", "45个"]
    for indicator in document["indicators"]:
        start, end = indicator["span"]
        assert source[start:end] == indicator["text"]


def test_navigation_footer_and_scripts_are_left_out(tmp_path):
    document, _ = _document(tmp_path)
    assert not any(i["unit"] in {"万人次"} or i["value"] == 12345 for i in document["indicators"])


def test_time_context_comes_through(tmp_path):
    document, _ = _document(tmp_path)
    by_text = {i["text"]: i for i in document["indicators"]}
    assert (by_text["6.2%"]["kind"], by_text["6.2%"]["year"]) == ("actual", 2024)
    assert (by_text["6所"]["kind"], by_text["6所"]["year"]) == ("target", 2025)
    assert by_text["6所"]["metric"] == "学校"


def test_html_output_is_valid(tmp_path, validator):
    document, _ = _document(tmp_path)
    validator.validate(json.loads(json.dumps(document)))


def test_the_quote_of_a_page_is_its_sentence_without_markup(tmp_path):
    document, source = _document(tmp_path)
    by_text = {i["text"]: i for i in document["indicators"]}
    school = by_text["6所"]
    start, end = school["sentence_span"]
    assert start <= school["span"][0] < school["span"][1] <= end
    assert "<b>" in source[start:end]
    assert school["quote"] == "2025年，全区将新建学校6所，新增学位3000个，城镇新增就业2.2万人以上。"
    assert by_text["120亿元"]["quote"] == "累计完成投资120亿元&新开工项目45个。"


def test_a_figure_and_its_sentence_end_after_the_entity_they_end_with(tmp_path):
    page = PAGE.replace("新开工项目45个。", "新开工项目45&#20010;&#12290;")
    document, source = _document(tmp_path, page)
    (last,) = [i for i in document["indicators"] if i["value"] == 45]
    assert last["text"] == "45&#20010;" and source[slice(*last["span"])] == last["text"]
    assert source[slice(*last["sentence_span"])].endswith("&#12290;")
    assert last["quote"] == "累计完成投资120亿元&新开工项目45个。"


def test_a_bare_angle_bracket_is_text_in_a_quote(tmp_path):
    page = PAGE.replace("累计完成投资120亿元&amp;新开工项目45个。", "增速<3%的企业减少12家，增速>5%的企业增加20家。")
    document, _ = _document(tmp_path, page)
    (fewer,) = [i for i in document["indicators"] if i["value"] == 12]
    assert fewer["quote"] == "增速<3%的企业减少12家，增速>5%的企业增加20家。"


def test_a_page_past_the_article_limit_keeps_every_block_without_trafilatura(monkeypatch):
    # trafilatura holds about eight bytes per byte of a page: past the limit its
    # article is not asked for, and the text blocks of the page are the text.
    from extract import html as page_reader

    def refused(source):
        raise AssertionError("trafilatura was asked for the article of an over-long page")

    page = "<html><body><p>全区生产总值增长5%。</p><div>新建学校3所。</div></body></html>"
    monkeypatch.setattr(page_reader, "ARTICLE_MAX_CHARS", len(page) - 1)
    monkeypatch.setattr(page_reader, "_article_text", refused)
    text = "".join(piece for piece, _ in page_reader.article_pieces(page))
    assert text == "全区生产总值增长5%。\n新建学校3所。\n"
