"""Hostile but realistic input to reading and cleaning (issue 15): pipes and devices,
pages whose head is mostly style, entities and line ends inside figures, lone
surrogates, files that are no report, and encodings a detector gives up on. Each
file that cannot be read is one line naming it; none is waited for."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from extract.normalize import normalize
from extract.pipeline import Extractor, extract_text
from extract.read import ReadError, decode, read_document
from extract.rules import load_rules

# A reader that waits for ever fails the test after this many seconds, never hangs it.
BOUND = 60
SIMPLIFIED = "全区生产总值增长5.5%以上，新招引过亿元项目100个以上。\n"
TRADITIONAL = "全區生產總值增長5%以上，新引進125個過億元項目，城鎮新增就業2.2萬人。\n"


def _python(code: str, **options) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter, for at most BOUND seconds."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=BOUND, **options
    )


def _one_line_error(path: Path, reason: str, **options) -> str:
    with pytest.raises(ReadError) as caught:
        read_document(path, **options)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and reason in message and "\n" not in message, message
    return message


# 7. Pipes and devices.


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_with_no_writer_is_one_line_not_a_wait(tmp_path):
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    done = _python(
        f"""
        from extract.read import ReadError, read_document
        try:
            read_document({str(fifo)!r})
        except ReadError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert line.startswith(f"{fifo}: ") and "pipe" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_read_up_to_the_size_limit_only(tmp_path):
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    # The writer has more to give than the limit; the reader stops after the limit.
    done = _python(
        f"""
        import threading
        from extract.read import ReadError, read_document

        def write(data):
            try:
                with open({str(fifo)!r}, "wb") as pipe:
                    pipe.write(data)
            except BrokenPipeError:
                pass

        writer = threading.Thread(target=write, args=({SIMPLIFIED!r}.encode() * 200,), daemon=True)
        writer.start()
        try:
            read_document({str(fifo)!r}, max_bytes=1000)
        except ReadError as exc:
            print(exc)
        writer = threading.Thread(target=write, args=({SIMPLIFIED!r}.encode(),), daemon=True)
        writer.start()
        print(repr(read_document({str(fifo)!r}).text))
        """
    )
    assert done.returncode == 0, done.stderr
    refused, read = done.stdout.splitlines()
    assert refused.startswith(f"{fifo}: ") and "1,000-byte limit" in refused
    assert read == repr(SIMPLIFIED)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_not_read_for_ever():
    # Bounded in time and memory: the code before this refusal read /dev/zero to the end.
    done = _python(
        """
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        from extract.read import ReadError, read_document
        try:
            read_document("/dev/zero")
        except ReadError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "/dev/zero: is not a regular file (a character device); give the report as a file"
    ]


# 12. The language of a page is the language of its article.


def test_a_chinese_page_with_a_large_style_in_its_head_is_chinese(tmp_path):
    style = "<style>" + ".nav a{color:#333;font-family:Arial,Helvetica,sans-serif}\n" * 800 + "</style>"
    script = "<script>var analytics = {enabled: true, sample: 'page view'};</script>" * 100
    body = "".join(f"<p>{line}</p>" for line in TRADITIONAL.splitlines() * 3)
    path = tmp_path / "report.html"
    path.write_text(f"<html><head>{style}{script}</head><body><article>{body}</article></body></html>", "utf-8")
    raw = read_document(path)
    extraction = Extractor().extract(raw)
    assert (extraction.language, extraction.script) == ("zh", "traditional")
    assert [i.text for i in extraction.indicators[:3]] == ["5%以上", "125個", "2.2萬人"]


# 13. An entity at the end of a figure is inside its span.


@pytest.mark.parametrize("entity", ["&#37;", "&#00000037;", "&#x00000025;", "&percnt;"])
def test_an_entity_at_the_end_of_a_figure_is_in_its_span(tmp_path, entity):
    path = tmp_path / "report.html"
    path.write_text(f"<html><body><p>全区生产总值增长6{entity}。新建学校12所。</p></body></html>", "utf-8")
    raw = read_document(path)
    (figure, _) = Extractor().extract(raw).indicators
    assert figure.text == f"6{entity}" == raw.text[figure.span[0] : figure.span[1]]
    assert raw.text[figure.sentence_span[1] - 1] == "。"


# 14. Line ends.

LINE_ENDS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0c"]


@pytest.mark.parametrize("end", LINE_ENDS, ids=[repr(e) for e in LINE_ENDS])
def test_every_kind_of_line_end_ends_a_heading(end):
    text = end.join(["一、主要目标", "全区生产总值增长5%。", "二、重点工作", "新建学校6所。"])
    extraction = extract_text(text)
    assert [(i.text, i.metric) for i in extraction.indicators] == [("5%", "生产总值"), ("6所", "学校")]
    for indicator in extraction.indicators:
        assert "目标" not in indicator.sentence and "工作" not in indicator.sentence
        assert "\r" not in indicator.sentence and "\r" not in (indicator.metric or "")
        assert text[indicator.span[0] : indicator.span[1]] == indicator.text


@pytest.mark.parametrize("end", LINE_ENDS, ids=[repr(e) for e in LINE_ENDS])
def test_a_wrapped_english_line_is_joined_with_a_space_whatever_its_line_end(end):
    norm = normalize(f"Total retail sales of consumer goods{end}increased by 3.5 percent.", load_rules("en"))
    assert norm.text == "Total retail sales of consumer goods increased by 3.5 percent."


def test_a_wrapped_english_line_in_a_chinese_report_keeps_its_space():
    english = "In the same period the gross domestic product of the district grew steadily\nby 5 percent last year."
    text = SIMPLIFIED * 3 + english + "\n" + SIMPLIFIED
    norm = normalize(text, load_rules("zh"))
    assert "grew steadily by 5 percent" in norm.text
    figures = extract_text(text).indicators
    assert "5 percent" in [i.text for i in figures]


def test_a_number_cut_by_the_wrap_of_a_page_is_one_number():
    # A page hard-wrapped at 28 characters whose break falls inside 1087.
    figure = "全区新增市场主体企业1087家，增长5%。"
    lead = SIMPLIFIED.strip() * 3
    pad = "各" * ((28 - (len(lead) + figure.index("87")) % 28) % 28)
    paragraph = pad + lead + figure + SIMPLIFIED.strip() * 3
    text = "\n".join(paragraph[i : i + 28] for i in range(0, len(paragraph), 28)) + "\n"
    assert "10\n87家" in text
    firms = next(i for i in extract_text(text).indicators if i.unit == "家")
    assert (firms.text, firms.value) == ("10\n87家", 1087)
    assert text[firms.span[0] : firms.span[1]] == firms.text


@pytest.mark.parametrize(("figure", "cut"), [("累计建成5G基站8600个。", "G基站"), ("新增国家A5级景区3个。", "5级")])
def test_a_name_of_letters_and_digits_cut_by_the_wrap_is_joined_without_a_space(figure, cut):
    lead = SIMPLIFIED.strip() * 3
    pad = "各" * ((28 - (len(lead) + figure.index(cut)) % 28) % 28)
    paragraph = pad + lead + figure + SIMPLIFIED.strip() * 3
    text = "\n".join(paragraph[i : i + 28] for i in range(0, len(paragraph), 28)) + "\n"
    assert "\n" + cut in text
    assert figure in normalize(text, load_rules("zh")).text


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("专栏3\n10项民生实事全部完成。", "10项"),  # a box heading, then its text
        ("主要指标\n地区生产总值增长5.5\n6%左右\n", "6%左右"),  # a table, one cell a line
        ("表2 重点项目1\n12个项目总投资30亿元。", "12个"),
        ("全省综合排名第3\n2个区县进入全国百强。", "2个"),
    ],
)
def test_a_short_line_ending_in_digits_is_not_joined_to_the_number_after_it(text, figure):
    # Unless the text is hard-wrapped, a line break after a number is meant: a
    # heading, a table cell or an ordinal ends there.
    assert figure in [i.text for i in extract_text(text).indicators]


@pytest.mark.parametrize(
    "text",
    [
        "附件2\n1.重点项目新开工30个。",  # a heading, then a numbered item
        "主要目标5\n2025年完成投资30亿元。",  # a value, then a line opening with a year
    ],
)
def test_a_line_ending_in_digits_is_joined_only_when_the_next_goes_on_to_a_unit(text):
    norm = normalize(text, load_rules("zh"))
    assert "\n" in norm.text
# 15. Content decides, not the extension.


@pytest.fixture(scope="module")
def english_pdf_bytes(tmp_path_factory) -> bytes:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 760, "GDP grew by 5 percent in 2024, and exports rose by 3 percent.")
    pdf.showPage()
    pdf.save()
    return path.read_bytes()


@pytest.mark.parametrize("before", [b"", b"\xef\xbb\xbf", b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n"])
def test_a_pdf_is_read_as_a_pdf_whatever_comes_before_its_header(tmp_path, english_pdf_bytes, before):
    path = tmp_path / "report.txt"
    path.write_bytes(before + english_pdf_bytes)
    raw = read_document(path)
    assert raw.encoding == "pdf" and raw.text.startswith("GDP grew by 5 percent")


def test_the_inside_of_a_pdf_with_no_header_is_no_report(tmp_path):
    objects = "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Count 1 >>\nendobj\n"
    path = tmp_path / "report.txt"
    path.write_text(objects + "xref\n0 3\ntrailer\n<< /Size 3 >>\nstartxref\n120\n%%EOF\n", "ascii")
    _one_line_error(path, "inside of a PDF")


# 17. Lone surrogates.


def test_a_lone_surrogate_is_text_not_a_crash(extractor):
    assert extract_text("\udd0b", extractor=extractor).indicators == ()
    text = "全区生产总值增长5%\udd0b，新建学校6所\ud800。GDP grew by 3 percent\udfff in 2024."
    figures = extract_text(text, extractor=extractor).indicators
    assert [i.text for i in figures] == ["5%", "6所", "3 percent"]
    assert all(text[i.span[0] : i.span[1]] == i.text for i in figures)


# 20. Empty files, UTF-16 and UTF-32 without a mark, Big5-HKSCS, a damaged byte.


@pytest.mark.parametrize(
    "content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", "\u3000\u3000\n\u3000".encode(), "\u200b\ufeff".encode()]
)
def test_a_file_of_marks_and_wide_spaces_is_empty(tmp_path, content):
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    _one_line_error(path, "file is empty")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-32"])
@pytest.mark.parametrize("text", [SIMPLIFIED * 3, "GDP grew by 5 percent in 2024.\n" * 3], ids=["zh", "en"])
def test_utf16_and_utf32_without_a_mark_are_decoded(tmp_path, encoding, text):
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode(encoding))
    assert read_document(path).text == text


def test_binary_with_nul_bytes_is_still_binary():
    with pytest.raises(ReadError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "image.txt")


def test_big5_hkscs_is_decoded(tmp_path):
    # 啲 and 嘅 (Cantonese) are HKSCS characters that plain Big5 has not.
    text = "香港特別行政區政府今年新建學校6所，啲公屋嘅輪候時間縮短至5.3年。\n" * 4
    path = tmp_path / "hk.txt"
    path.write_bytes(text.encode("big5hkscs"))
    raw = read_document(path)
    assert (raw.text, raw.encoding) == (text, "big5hkscs")


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_a_damaged_byte_is_named_with_its_offset_and_line(tmp_path, encoding):
    data = (SIMPLIFIED * 20).encode(encoding)
    cut = data.index("新招".encode(encoding), 300)
    path = tmp_path / "damaged.txt"
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    line = data[:cut].count(b"\n") + 1
    _one_line_error(path, f"cannot decode as {encoding}: bad byte 0xFF at offset {cut} (line {line})")
