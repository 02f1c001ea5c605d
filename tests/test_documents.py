"""PDF and Word (.docx) reports: made here (reportlab, minimal DOCX XML), read by
their content whatever their name, and their figures found by the real pipeline
with spans into the extracted text."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate
from typer.testing import CliRunner

from extract.cli import app
from extract.documents import NO_TEXT, document_kind
from extract.read import BINARY, ReadError, read_document

ENGLISH = (
    "In 2024 the regional economy grew by 5.2 percent. In 2025 the government aims for growth of around 5% "
    "while creating more than 1.2 million new urban jobs and keeping consumer prices stable across the region."
)
CHINESE = "2025年全区生产总值增长5%以上。城镇新增就业2万人以上，一般公共预算收入增长3%左右。"


def _paragraph_pdf(path: Path, text: str, style: ParagraphStyle) -> Path:
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(text, style)])
    return path


def _pages_pdf(path: Path, pages: list[list[str]], **options) -> Path:
    """One page per list of lines, each line drawn where a page puts it."""
    pdf = canvas.Canvas(str(path), pagesize=A4, **options)
    for lines in pages:
        for number, line in enumerate(lines):
            pdf.drawString(72, 760 - 14 * number, line)
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def english_pdf(tmp_path) -> Path:
    return _paragraph_pdf(tmp_path / "english.pdf", ENGLISH, getSampleStyleSheet()["Normal"])


@pytest.fixture
def two_page_pdf(tmp_path) -> Path:
    pages = [
        ["Work plan for 2025.", "The government will keep the surveyed urban unemployment rate"],
        ["at around 5.5%."],
    ]
    return _pages_pdf(tmp_path / "two-pages.pdf", pages)


@pytest.fixture
def chinese_pdf(tmp_path) -> Path:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=12, leading=16)
    return _paragraph_pdf(tmp_path / "chinese.pdf", CHINESE, style)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(path: Path, body: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(
            "word/document.xml", f'<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>'
        )
    return path


def _p(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r><w:t xml:space='preserve'>{run}</w:t></w:r>" for run in runs) + "</w:p>"


def _table(*rows: list[str]) -> str:
    cells = ("".join(f"<w:tc>{_p(cell)}</w:tc>" for cell in row) for row in rows)
    return "<w:tbl>" + "".join(f"<w:tr>{row}</w:tr>" for row in cells) + "</w:tbl>"


@pytest.fixture
def docx(tmp_path) -> Path:
    body = (
        _p("2025年主要预期目标")
        + _p("全区生产总值", "增长5%以上。")
        + _table(["指标", "目标"], ["城镇新增就业", "2万人以上"])
        + _p("一般公共预算收入增长3%左右。")
    )
    return _docx(tmp_path / "report.docx", body)


def _extract(path: Path, extractor):
    raw = read_document(path)
    extraction = extractor.extract(raw)
    for indicator in extraction.indicators:
        assert raw.text[indicator.span[0] : indicator.span[1]] == indicator.text
    return raw, extraction.indicators


def _find(indicators, value: str, unit: str):
    found = [i for i in indicators if i.value == Decimal(value) and i.unit == unit]
    assert found, [(i.value, i.unit, i.text) for i in indicators]
    return found[0]


def _one_line_error(path: Path, reason: str) -> str:
    with pytest.raises(ReadError) as info:
        read_document(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and reason in message and "\n" not in message
    return message


def test_wrapped_english_pdf(english_pdf, extractor):
    raw, indicators = _extract(english_pdf, extractor)
    assert (raw.encoding, raw.markup) == ("pdf", "text")
    assert "\n" in raw.text and "\r" not in raw.text, "pdfium keeps the line ends of the wrapped paragraph"
    words = set(raw.text.split())
    assert {"growth", "around", "jobs"} <= words, "no word glued to the next across a line end"
    assert _find(indicators, "5", "%").text == "5%"
    assert _find(indicators, "1.2", "million jobs").text.startswith("1.2 million")


def test_sentence_goes_on_over_a_page_break(two_page_pdf, extractor):
    raw, indicators = _extract(two_page_pdf, extractor)
    assert raw.text == (
        "Work plan for 2025.\nThe government will keep the surveyed urban unemployment rate\nat around 5.5%."
    )
    rate = _find(indicators, "5.5", "%")
    assert rate.metric == "surveyed urban unemployment rate"
    assert rate.sentence == "The government will keep the surveyed urban unemployment rate at around 5.5%."


def test_chinese_pdf_with_a_cid_font(chinese_pdf, extractor):
    raw, indicators = _extract(chinese_pdf, extractor)
    assert raw.text.replace("\n", "") == CHINESE
    growth = _find(indicators, "5", "%")
    assert (growth.text, growth.metric) == ("5%以上", "生产总值")
    assert _find(indicators, "2", "万人").metric == "城镇新增就业"
    assert _find(indicators, "3", "%").metric == "一般公共预算收入"


# Written for this test: a plan of several paragraphs, so that wrapped at a page's
# width its lines break inside words, quotations and numbers.
WRAPPED = [
    "2025年，全区将坚持稳中求进，统筹推进产业升级和民生改善，地区生产总值增长5.5%以上，"
    "规模以上工业增加值增长7%左右，城镇新增就业2.5万人以上，居民人均可支配收入与经济增长基本同步。",
    "推进“十大工程”建设，全年安排重点项目180个，完成固定资产投资1230亿元，新建改建农村公路420公里，"
    "改造城镇老旧小区65个，新增养老床位1600张，新建和改扩建中小学校12所，新增学位1.35万个。",
    "深化开放合作，力争实际使用外资增长10%，外贸进出口总额突破860亿元，新引进亿元以上项目95个，"
    "培育专精特新中小企业140家，高新技术企业总数达到2100家，全社会研发投入强度提高到2.8%。",
]


def _wrapped_pdf(path: Path, paragraphs: list[str], width: float = 300, lines_per_page: int = 9) -> Path:
    """Paragraphs set as a page sets them: lines broken at a width wherever it falls,
    first lines indented, a page number at the foot of every page."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines: list[str] = []
    for paragraph in paragraphs:
        line = "\u3000\u3000"
        for character in paragraph:
            if pdfmetrics.stringWidth(line + character, "STSong-Light", 12) > width:
                lines.append(line)
                line = ""
            line += character
        lines.append(line)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for page, start in enumerate(range(0, len(lines), lines_per_page), 1):
        pdf.setFont("STSong-Light", 12)
        for number, line in enumerate(lines[start : start + lines_per_page]):
            pdf.drawString(72, 760 - 18 * number, line)
        pdf.drawString(290, 60, f"- {page} -")
        pdf.showPage()
    pdf.save()
    return path


def test_wrapped_chinese_pages_read_as_the_paragraphs(tmp_path, extractor):
    raw, from_pdf = _extract(_wrapped_pdf(tmp_path / "wrapped.pdf", WRAPPED), extractor)
    lines = raw.text.splitlines()
    assert len(lines) > 3 * len(WRAPPED) and "- 1 -" in lines, "wrapped lines and a page footer"
    plain = tmp_path / "plain.txt"
    plain.write_text("\n".join(WRAPPED), encoding="utf-8")
    _, from_text = _extract(plain, extractor)

    def fields(indicator):
        value = (indicator.value, indicator.unit, indicator.metric, indicator.comparator, indicator.change)
        return (*value, indicator.kind, indicator.year)

    # Every figure, its metric and the rest as in the same paragraphs unwrapped.
    assert [fields(i) for i in from_pdf] == [fields(i) for i in from_text]
    assert len(from_pdf) >= 15


# Rows of a table: lines of nearly one width that end in a figure, which no rule of
# wrapped text may join to the next row.
TABLE_ROWS = [
    ["地区生产总值", "增长5.5%左右"],
    ["一般公共预算收入", "增长3.5%以上"],
    ["城镇新增就业", "2.2万人以上"],
    ["城镇调查失业率", "5.5%以内"],
    ["居民消费价格", "涨幅3%左右"],
    ["粮食总产量", "120万吨以上"],
    ["固定资产投资", "增长6%左右"],
    ["社会消费品零售总额", "增长6%"],
    ["高新技术企业", "300家"],
    ["单位生产总值能耗", "下降2.5%"],
]


@pytest.mark.parametrize("layout", ["docx", "spaces", "tabs"])
def test_table_rows_keep_their_own_metrics(tmp_path, extractor, layout):
    if layout == "docx":
        path = _docx(tmp_path / "table.docx", _p("2025年主要预期目标") + _table(*TABLE_ROWS))
    else:
        gap = "  " if layout == "spaces" else "\t"
        path = tmp_path / "table.txt"
        path.write_text("2025年主要预期目标\n" + "\n".join(gap.join(row) for row in TABLE_ROWS), encoding="utf-8")
    _, indicators = _extract(path, extractor)
    assert [i.metric for i in indicators] == [metric for metric, _ in TABLE_ROWS]


def test_a_hyphen_at_a_line_end_is_given_back_to_the_line(tmp_path):
    path = _pages_pdf(tmp_path / "hyphen.pdf", [["The share of the digital econ-", "omy will rise to 10%."]])
    assert read_document(path).text == "The share of the digital econ-\nomy will rise to 10%."


def test_docx_paragraphs_and_table_rows(docx, extractor):
    raw, indicators = _extract(docx, extractor)
    assert (raw.encoding, raw.markup) == ("docx", "text")
    lines = ["2025年主要预期目标", "全区生产总值增长5%以上。", "指标\t目标", "城镇新增就业\t2万人以上"]
    assert raw.text == "\n".join([*lines, "一般公共预算收入增长3%左右。"])
    assert _find(indicators, "5", "%").metric == "生产总值"
    assert _find(indicators, "2", "万人").text == "2万人以上"
    assert _find(indicators, "3", "%").metric == "一般公共预算收入"


def test_docx_skips_deleted_text_and_reads_tabs_breaks_and_nested_tables(tmp_path):
    body = (
        "<w:p><w:r><w:t>增长</w:t></w:r><w:del><w:r><w:delText>6%</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>5%</w:t></w:r></w:ins><w:r><w:tab/><w:t>以上</w:t><w:br/><w:t>下一行</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc>"
        + _p("外")
        + _table(["内1", "内2"])
        + "</w:tc><w:tc>"
        + _p("右")
        + "</w:tc></w:tr></w:tbl>"
    )
    assert read_document(_docx(tmp_path / "edits.docx", body)).text == "增长5%\t以上\n下一行\n外 内1 内2\t右"


def test_a_pdf_named_txt_is_read_as_a_pdf(english_pdf, tmp_path, extractor):
    disguised = tmp_path / "report.txt"
    disguised.write_bytes(english_pdf.read_bytes())
    raw, indicators = _extract(disguised, extractor)
    assert raw.encoding == "pdf" and raw.doc_id == "report"
    assert _find(indicators, "5", "%")


def test_a_docx_is_known_by_its_content(docx, tmp_path):
    renamed = tmp_path / "report.bin"
    renamed.write_bytes(docx.read_bytes())
    assert document_kind(renamed.read_bytes()) == "docx"
    assert read_document(renamed).encoding == "docx"


def test_sha256_is_of_the_file_bytes(english_pdf):
    import hashlib

    assert read_document(english_pdf).sha256 == hashlib.sha256(english_pdf.read_bytes()).hexdigest()


def test_a_pdf_without_text_is_a_scan(tmp_path):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.rect(100, 100, 300, 400, fill=1)
    pdf.showPage()
    pdf.save()
    assert _one_line_error(path, NO_TEXT) == f"{path}: {NO_TEXT}"


@pytest.mark.parametrize("keep", [0.5, 0.95])
def test_a_truncated_pdf(english_pdf, tmp_path, keep):
    data = english_pdf.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    _one_line_error(path, "damaged or cut short")


def test_an_encrypted_pdf(tmp_path):
    path = _pages_pdf(tmp_path / "locked.pdf", [["GDP grew by 5%."]], encrypt="secret")
    _one_line_error(path, "encrypted")


def test_a_truncated_docx(docx, tmp_path):
    path = tmp_path / "cut.docx"
    path.write_bytes(docx.read_bytes()[:200])
    _one_line_error(path, "damaged or cut short")


def test_a_docx_with_broken_xml(tmp_path):
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><w:body>")
    _one_line_error(path, "bad XML")


def test_a_zip_that_is_not_a_docx_is_binary(tmp_path):
    path = tmp_path / "archive.txt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "全区生产总值增长5%以上。")
    assert _one_line_error(path, "binary").endswith(BINARY)


def test_the_size_limit_holds_for_documents(english_pdf):
    with pytest.raises(ReadError, match="limit"):
        read_document(english_pdf, max_bytes=100)


def test_the_size_limit_holds_for_what_a_docx_unpacks_to(tmp_path):
    # A small file whose document XML unpacks to far more (a zip bomb, or just a big report).
    bomb = _docx(tmp_path / "bomb.docx", _p("新建学校6所。" + " " * 200_000))
    size = bomb.stat().st_size
    assert size < 20_000
    with pytest.raises(ReadError, match="unpacks to .* over the limit"):
        read_document(bomb, max_bytes=size * 2)
    assert read_document(bomb).text.startswith("新建学校6所。")


@pytest.mark.parametrize("name", ["english_pdf", "chinese_pdf", "docx"])
def test_cli_runs_on_a_document(request, name, validator):
    path = request.getfixturevalue(name)
    result = CliRunner().invoke(app, ["run", str(path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    validator.validate(document)
    assert any(i["unit"] == "%" and i["text"].startswith("5%") for i in document["indicators"])


def test_cli_reports_a_scan_in_one_line(tmp_path):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 300, 400, fill=1)
    pdf.save()
    result = CliRunner().invoke(app, ["run", str(path)])
    assert result.exit_code != 0
    assert sum(f"{path}: {NO_TEXT}" in line for line in result.stderr.splitlines()) == 1, result.stderr
