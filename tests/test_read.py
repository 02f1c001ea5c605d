import pytest

from extract.read import ReadError, read_document

SIMPLIFIED = "全区生产总值增长5.5%以上，新招引过亿元项目100个以上。"
TRADITIONAL = "全區生產總值增長5%以上，新引進125個過億元項目。"


@pytest.mark.parametrize(
    "text, encoding",
    [
        (SIMPLIFIED, "utf-8"),
        (SIMPLIFIED, "utf-8-sig"),
        (SIMPLIFIED, "utf-16"),
        (SIMPLIFIED * 3, "gb18030"),
        (TRADITIONAL * 3, "big5"),
        (TRADITIONAL * 3, "gb18030"),
    ],
)
def test_encodings_are_detected(tmp_path, text, encoding):
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode(encoding))
    document = read_document(path)
    assert document.text == text
    assert document.doc_id == "report"


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"  \n\t\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"\x80\x81\xff" * 50, "decode"),
    ],
)
def test_bad_inputs_raise_one_line_errors(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ReadError) as info:
        read_document(path)
    message = str(info.value)
    assert str(path) in message and reason in message and "\n" not in message


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text(SIMPLIFIED * 10, encoding="utf-8")
    with pytest.raises(ReadError, match="limit"):
        read_document(path, max_bytes=100)


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="cannot read"):
        read_document(tmp_path / "nope.txt")


def test_json_is_no_report_whatever_its_name(tmp_path):
    document = '{"doc_id": "a", "indicators": [{"value": 5, "unit": "%"}]}'
    for name, text in [("out.txt", document), ("rows.txt", document + "\n" + document + "\n"), ("list.txt", "[1, 2]")]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ReadError, match="file is JSON, not a report") as caught:
            read_document(path)
        assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    # A report may open with a bracket: it is read.
    bracketed = tmp_path / "bracketed.txt"
    bracketed.write_text("[1] 全区生产总值增长5%。\n[2] 新建学校6所。", encoding="utf-8")
    assert read_document(bracketed).text.startswith("[1]")
