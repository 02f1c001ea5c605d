"""Outputs where people work: quotes that occur in the source, CSV that Excel,
pandas, DuckDB and the csv module read with the Chinese intact, an Excel sheet,
several documents on stdout as JSON Lines or one array, and the text of each
report saved for its spans."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.read import read_document

from conftest import CORPUS

TRADITIONAL = CORPUS / "laoshan-2026.txt"
SIMPLIFIED = CORPUS / "laoshan-2025.txt"
ENGLISH = CORPUS / "d-in-budget-2025.txt"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, *args: str):
    result = runner.invoke(app, ["run", *args, "-q"])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("report", [TRADITIONAL, SIMPLIFIED, ENGLISH], ids=lambda p: p.stem)
def test_every_quote_is_the_sentence_as_it_stands_in_the_source(runner, report):
    document = json.loads(_run(runner, str(report)).stdout)
    original = read_document(report).text
    assert document["indicators"]
    for indicator in document["indicators"]:
        start, end = indicator["sentence_span"]
        assert start <= indicator["span"][0] < indicator["span"][1] <= end
        assert original[start:end] == indicator["quote"]
        assert indicator["text"] in indicator["quote"]


def test_a_traditional_report_is_quoted_in_its_own_script(runner):
    document = json.loads(_run(runner, str(TRADITIONAL)).stdout)
    quoted = [i for i in document["indicators"] if "個" in i["quote"]]
    assert quoted, "the report writes 個"
    # `sentence` is the cleaned, simplified text the grammar read; `quote` is the source.
    assert all("個" not in i["sentence"] for i in quoted)


def test_csv_opens_in_excel_pandas_duckdb_and_the_csv_module(runner, tmp_path):
    pandas = pytest.importorskip("pandas")
    duckdb = pytest.importorskip("duckdb")
    _run(runner, str(SIMPLIFIED), str(TRADITIONAL), "--format", "csv", "--out", str(tmp_path))
    path = tmp_path / "indicators.csv"
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdoc_id,"), "Excel reads UTF-8 only after a byte order mark"
    expected = [
        json.loads(line) for line in _run(runner, str(SIMPLIFIED), str(TRADITIONAL), "-f", "jsonl").stdout.splitlines()
    ]

    frame = pandas.read_csv(path)
    assert list(frame.columns)[0] == "doc_id"
    assert frame["metric"].fillna("").tolist() == [row["metric"] or "" for row in expected]
    assert frame["quote"].tolist() == [row["quote"] for row in expected]

    relation = duckdb.read_csv(str(path))
    assert relation.columns[0] == "doc_id"
    metrics = [m or "" for (m,) in relation.select("metric").fetchall()]
    assert metrics == [row["metric"] or "" for row in expected]

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["text"] for r in rows] == [row["text"] for row in expected]
    assert "崂山区" in {r["region"] for r in rows}


def test_csv_on_stdout_starts_with_the_byte_order_mark_once(runner):
    text = _run(runner, str(SIMPLIFIED), str(TRADITIONAL), "--format", "csv").stdout
    assert text.startswith("\ufeffdoc_id,") and text.count("\ufeff") == 1


def test_xlsx_has_one_sheet_of_rows(runner, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    _run(runner, str(SIMPLIFIED), str(ENGLISH), "--format", "xlsx", "--out", str(tmp_path))
    book = openpyxl.load_workbook(tmp_path / "indicators.xlsx", read_only=True)
    assert book.sheetnames == ["indicators"]
    header, *cells = list(book["indicators"].iter_rows(values_only=True))
    expected = [
        json.loads(line) for line in _run(runner, str(SIMPLIFIED), str(ENGLISH), "-f", "jsonl").stdout.splitlines()
    ]
    assert header[:3] == ("doc_id", "source", "language")
    assert len(cells) == len(expected)
    first = dict(zip(header, cells[0], strict=True))
    assert first["metric"] == expected[0]["metric"] and first["value"] == expected[0]["value"]
    assert {row[header.index("language")] for row in cells} == {"zh", "en"}
    assert list(tmp_path.iterdir()) == [tmp_path / "indicators.xlsx"], "no temporary file is left"


def test_xlsx_needs_an_output_folder(runner):
    result = runner.invoke(app, ["run", str(SIMPLIFIED), "--format", "xlsx"])
    assert result.exit_code == 2 and "--out" in result.stderr


def test_several_documents_on_stdout_are_json_lines(runner):
    pandas = pytest.importorskip("pandas")
    text = _run(runner, str(SIMPLIFIED), str(TRADITIONAL)).stdout
    lines = text.splitlines()
    assert [json.loads(line)["doc_id"] for line in lines] == ["laoshan-2025", "laoshan-2026"]
    frame = pandas.read_json(io.StringIO(text), lines=True)
    assert frame["doc_id"].tolist() == ["laoshan-2025", "laoshan-2026"]


def test_one_document_on_stdout_stays_indented(runner):
    text = _run(runner, str(SIMPLIFIED)).stdout
    assert text.startswith('{\n  "schema_version"') and json.loads(text)["doc_id"] == "laoshan-2025"


def test_array_gives_one_json_value(runner, validator):
    documents = json.loads(_run(runner, str(SIMPLIFIED), str(TRADITIONAL), "--array").stdout)
    assert [d["doc_id"] for d in documents] == ["laoshan-2025", "laoshan-2026"]
    for document in documents:
        validator.validate(document)


def test_array_of_no_documents_is_an_empty_array(runner, tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["run", str(tmp_path / "empty.txt"), "--array", "-q"])
    assert result.exit_code == 1 and json.loads(result.stdout) == []


def test_array_is_only_for_json_on_stdout(runner, tmp_path):
    assert runner.invoke(app, ["run", str(SIMPLIFIED), "--array", "-f", "csv"]).exit_code == 2
    assert runner.invoke(app, ["run", str(SIMPLIFIED), "--array", "--out", str(tmp_path)]).exit_code == 2


def test_rows_carry_source_language_and_the_sentence(runner, row_validator):
    rows = [json.loads(line) for line in _run(runner, str(ENGLISH), "-f", "jsonl").stdout.splitlines()]
    original = read_document(ENGLISH).text
    for row in rows:
        row_validator.validate(row)
        assert row["source"] == str(ENGLISH) and row["language"] == "en"
        assert original[row["sentence_start"] : row["sentence_end"]] == row["quote"]


def test_save_text_writes_the_text_the_spans_index(runner, tmp_path):
    texts = tmp_path / "texts"
    _run(runner, str(SIMPLIFIED), "--out", str(tmp_path / "out"), "--save-text", str(texts))
    saved = (texts / "laoshan-2025.txt").read_text(encoding="utf-8")
    document = json.loads((tmp_path / "out" / "laoshan-2025.json").read_text(encoding="utf-8"))
    for indicator in document["indicators"]:
        assert saved[indicator["span"][0] : indicator["span"][1]] == indicator["text"]
