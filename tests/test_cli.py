"""The `extract` command as users call it (typer's CliRunner)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil

import pytest
from typer.testing import CliRunner

from extract.cli import app

from conftest import CORPUS

REPORT = CORPUS / "laoshan-2025.txt"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _bad_files(folder):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 20)
    (folder / "undecodable.txt").write_bytes(b"\x80\x81\xff" * 50)


def test_run_writes_one_json_per_report(runner, tmp_path, validator):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(CORPUS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{p.stem}.json" for p in CORPUS.glob("*.txt"))
    for path in out.iterdir():
        validator.validate(json.loads(path.read_text(encoding="utf-8")))


def test_bad_files_are_reported_and_the_batch_goes_on(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REPORT, folder / "good.txt")
    _bad_files(folder)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line]
    for name in ("empty.txt", "binary.txt", "undecodable.txt"):
        assert sum(name in line for line in errors) == 1, errors
    assert [p.name for p in out.iterdir()] == ["good.json"]
    assert json.loads((out / "good.json").read_text(encoding="utf-8"))["indicators"]


def test_an_existing_output_survives_a_failed_write(runner, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "laoshan-2025.json").write_text("previous\n", encoding="utf-8")

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    result = runner.invoke(app, ["run", str(REPORT), "--out", str(out)])
    assert result.exit_code != 0
    assert (out / "laoshan-2025.json").read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in out.iterdir()] == ["laoshan-2025.json"], "no temporary file is left behind"


def test_json_to_stdout(runner):
    result = runner.invoke(app, ["run", str(REPORT)])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["doc_id"] == "laoshan-2025" and document["report_year"] == 2025


def test_jsonl_rows_are_flat_and_valid(runner, row_validator):
    result = runner.invoke(app, ["run", str(CORPUS / "laoshan-2026.txt"), "--format", "jsonl"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) > 40
    for row in rows:
        row_validator.validate(row)
        assert row["doc_id"] == "laoshan-2026" and row["region"] == "崂山区"


def test_csv_has_a_header_and_a_row_per_indicator(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(CORPUS), "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO((out / "indicators.csv").read_text(encoding="utf-8"))))
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in (CORPUS.parent / "outputs").glob("*.json")]
    assert len(rows) == sum(len(d["indicators"]) for d in documents)
    assert {r["quantity_unit"] for r in rows} >= {"CNY", "count", "percent", "person"}


def test_no_reports_found(runner, tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path)])
    assert result.exit_code == 2
    assert "no report files" in result.stderr


def test_check_rules(runner):
    result = runner.invoke(app, ["check-rules"])
    assert result.exit_code == 0 and "examples" in result.stdout
    assert "rules/en: ok" in result.stdout and "track.toml: ok" in result.stdout


def test_outputs_are_readable_by_others(runner, tmp_path):
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        assert runner.invoke(app, ["run", str(REPORT), "--out", str(out)]).exit_code == 0
    finally:
        os.umask(old)
    assert (out / "laoshan-2025.json").stat().st_mode & 0o777 == 0o644


def test_quiet_and_verbose(runner, tmp_path):
    quiet = runner.invoke(app, ["run", str(REPORT), "--out", str(tmp_path / "q"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    verbose = runner.invoke(app, ["run", str(CORPUS), "--out", str(tmp_path / "v"), "--verbose"])
    assert verbose.exit_code == 0
    assert "laoshan-2025.txt: 108 indicators, region 崂山区, report year 2025" in verbose.stderr
    total = len(list(CORPUS.glob("*.txt")))
    assert f"{total} of {total} reports done" in verbose.stderr


def test_files_of_one_name_in_two_folders_get_their_folder_in_the_doc_id(runner, tmp_path):
    for province in ("anhui", "henan"):
        (tmp_path / province).mkdir()
        shutil.copy(REPORT, tmp_path / province / "2025.txt")
    shutil.copy(REPORT, tmp_path / "laoshan.txt")
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "run",
            str(tmp_path / "anhui"),
            str(tmp_path / "henan"),
            str(tmp_path / "laoshan.txt"),
            "-q",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["anhui-2025.json", "henan-2025.json", "laoshan.json"]
    document = json.loads((out / "henan-2025.json").read_text(encoding="utf-8"))
    assert document["doc_id"] == "henan-2025" and document["indicators"][0]["id"] == "henan-2025#1"
    rows = runner.invoke(app, ["run", str(tmp_path / "anhui"), str(tmp_path / "henan"), "-f", "jsonl"]).stdout
    assert {json.loads(line)["doc_id"] for line in rows.splitlines()} == {"anhui-2025", "henan-2025"}


NEWS = "去年全区新建学校8所，投入资金3亿元。今年全区将新建学校6所。"


def test_region_and_report_year_given_on_the_command_line(runner, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(NEWS, encoding="utf-8")
    plain = json.loads(runner.invoke(app, ["run", str(story)]).stdout)
    assert plain["region"] is None and plain["report_year"] is None
    assert {i["year"] for i in plain["indicators"]} == {None}
    result = runner.invoke(app, ["run", str(story), "--region", "香港特别行政区", "--report-year", "2024"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["region"] == "香港特别行政区" and document["report_year"] == 2024
    frames = {i["text"]: (i["kind"], i["year"]) for i in document["indicators"]}
    assert frames == {"8所": ("actual", 2023), "3亿元": ("actual", 2023), "6所": ("target", 2024)}
    money = next(i for i in document["indicators"] if i["text"] == "3亿元")
    assert money["quantity"]["unit"] == "HKD", "the given region's currency"


def test_a_given_region_overrides_the_one_the_text_names(runner):
    result = runner.invoke(app, ["run", str(REPORT), "--region", "青岛市", "-f", "jsonl"])
    assert {json.loads(line)["region"] for line in result.stdout.splitlines()} == {"青岛市"}


def test_errors_say_what_to_do(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _bad_files(folder)
    result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out")])
    lines = [line for line in result.stderr.splitlines() if "(skipped)" in line]
    assert len(lines) == 3
    assert all(";" in line for line in lines), "each error says what to do after the reason"


def test_progress_bar_on_a_terminal_still_yields_every_file(monkeypatch, tmp_path, capsys):
    from extract import cli

    files = [tmp_path / f"{n}.txt" for n in range(3)]
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    assert list(cli._progress(iter(files), files, enabled=True)) == files
    assert list(cli._progress(iter(files), files, enabled=False)) == files


def test_progress_bar_shows_done_of_total_the_file_and_time_left(monkeypatch, tmp_path, capsys):
    from rich.console import Console

    from extract import cli

    files = [tmp_path / f"report-{n}.txt" for n in range(3)]
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    console = Console(file=cli.sys.stderr, force_terminal=True, width=100)
    monkeypatch.setattr("rich.console.Console", lambda **_: console)
    shown = []
    for _ in cli._progress(iter(files), files, enabled=True):
        console.file.flush()
        shown.append(capsys.readouterr().err)
    # The bar is redrawn as each report finishes: the count, the next file, time left.
    assert "0/3" in shown[0] and "report-0.txt" in shown[0] and "-:--:--" in shown[0]
    assert "1/3" in shown[1] and "report-1.txt" in shown[1]
    # A resumed run counts the reports done before it.
    for _ in cli._progress(iter(files), files, enabled=True, done=2):
        console.file.flush()
        assert "2/5" in capsys.readouterr().err
        break


def test_an_internal_error_on_one_report_does_not_end_the_batch(runner, tmp_path, monkeypatch):
    import extract.languages.zh

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REPORT, folder / "good.txt")
    (folder / "trips.txt").write_text("全区生产总值增长5%以上。", encoding="utf-8")
    find = extract.languages.zh.find_quantities

    def failing(sentence, rules):
        if sentence.text.startswith("全区生产总值增长5%"):
            raise ZeroDivisionError("a bug\nover two lines")
        return find(sentence, rules)

    monkeypatch.setattr(extract.languages.zh, "find_quantities", failing)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "trips.txt" in line]
    assert len(errors) == 1 and "internal error (ZeroDivisionError: a bug over two lines)" in errors[0]
    assert [p.name for p in out.iterdir()] == ["good.json"], "no partial output of the failed report"


# --- extract audit -----------------------------------------------------------


def test_audit_of_reports_as_json(runner, tmp_path):
    (tmp_path / "story.txt").write_text(NEWS + "新建3孔窑洞。", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(REPORT), str(tmp_path / "story.txt"), "--format", "json"])
    assert result.exit_code == 0, result.output
    audit = json.loads(result.stdout)
    assert audit["reports"] == audit["reports_with_text"] == 2 and audit["figures"] > 100
    checks = {c["name"]: c for c in audit["checks"]}
    assert checks["no_region"]["count"] == 1 and checks["no_region"]["examples"][0]["doc_id"] == "story"
    assert checks["unknown_unit"]["examples"][0]["text"] == "3孔"
    assert audit["unread"] == []


def test_audit_table(runner):
    result = runner.invoke(app, ["audit", str(REPORT)])
    assert result.exit_code == 0
    assert "reports: 1 (1 with their text)" in result.stdout
    for name in ("no_metric", "metric_ends_in_verb", "left_out", "no_report_year"):
        assert name in result.stdout


def test_audit_of_run_outputs_reads_their_reports(runner, tmp_path):
    reports = tmp_path / "in"
    reports.mkdir()
    shutil.copy(REPORT, reports / "a.txt")
    (reports / "b.txt").write_text(NEWS, encoding="utf-8")
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(reports), "-q", "--out", str(out)]).exit_code == 0
    direct = json.loads(runner.invoke(app, ["audit", str(reports), "-f", "json"]).stdout)
    from_json = json.loads(runner.invoke(app, ["audit", str(out), "-f", "json"]).stdout)
    assert from_json == direct and from_json["reports_with_text"] == 2
    # A report changed since: its spans would point elsewhere, so its text is not used.
    (reports / "b.txt").write_text(NEWS + "新建3孔窑洞。", encoding="utf-8")
    changed = json.loads(runner.invoke(app, ["audit", str(out), "-f", "json"]).stdout)
    assert changed["reports_with_text"] == 1 and changed["figures"] == direct["figures"]


def test_audit_of_documents_printed_one_after_another(runner, tmp_path):
    printed = runner.invoke(app, ["run", str(CORPUS / "laoshan-2025.txt"), str(CORPUS / "laoshan-2026.txt")]).stdout
    (tmp_path / "all.json").write_text(printed, encoding="utf-8")
    audit = json.loads(runner.invoke(app, ["audit", str(tmp_path / "all.json"), "-f", "json"]).stdout)
    assert audit["reports"] == 2


def test_audit_goes_on_past_bad_inputs_and_fails_only_when_none_is_read(runner, tmp_path):
    _bad_files(tmp_path)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"a": 1}', encoding="utf-8")
    nothing = runner.invoke(app, ["audit", str(tmp_path), "-f", "json"])
    assert nothing.exit_code == 1 and "no input could be read" in nothing.stderr
    assert sum("(skipped)" in line for line in nothing.stderr.splitlines()) == 5
    shutil.copy(REPORT, tmp_path / "good.txt")
    some = runner.invoke(app, ["audit", str(tmp_path), "-f", "json"])
    assert some.exit_code == 0
    audit = json.loads(some.stdout)
    assert audit["reports"] == 1 and len(audit["unread"]) == 5


def test_version_and_short_help(runner):
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"extract {version('extract')}"
    short, long = runner.invoke(app, ["run", "-h"]), runner.invoke(app, ["run", "--help"])
    assert short.exit_code == 0 and short.stdout == long.stdout and "[OPTIONS] {PATHS...}" in short.stdout


@pytest.mark.parametrize("command", [[], ["run"], ["track"], ["show"], ["audit"], ["score"], ["diff"], ["check-rules"]])
def test_help_reads_flags_as_flags_and_fits_80_columns(runner, command, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: help still stops at 80
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 80, [line for line in lines if len(line) > 80]
    assert "<bool>" not in result.stdout
    if command == ["run"]:
        assert any(line.split()[:2] == ["-q,", "--quiet"] and len(line.split()) > 2 for line in lines)
        assert "  --array  " in result.stdout or any(line.strip().startswith("--array ") for line in lines)


def test_show_reads_its_own_json_and_refuses_other_json(runner, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(REPORT), "--out", str(out), "-q"]).exit_code == 0
    shown = runner.invoke(app, ["show", str(out / "laoshan-2025.json")], terminal_width=200)
    assert shown.exit_code == 0 and "108 indicators" in shown.stdout
    other = tmp_path / "settings.json"
    other.write_text('{"name": "not a report", "values": [1, 2, 3]}', encoding="utf-8")
    for command in (["show", str(other)], ["track", str(other), str(out / "laoshan-2025.json")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1
        (line,) = result.stderr.splitlines()
        assert str(other) in line and "not an output of `extract run`" in line


def test_json_named_as_a_report_is_known_by_its_content(runner, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(REPORT), "--out", str(out), "-q"]).exit_code == 0
    disguised = tmp_path / "report.txt"
    disguised.write_bytes((out / "laoshan-2025.json").read_bytes())
    shown = runner.invoke(app, ["show", str(disguised)], terminal_width=200)
    assert shown.exit_code == 0 and "108 indicators" in shown.stdout


def test_a_report_that_opens_with_a_bracket_is_a_report(runner, tmp_path):
    report = tmp_path / "bracketed.txt"
    report.write_text("[1]\n[导读] " + REPORT.read_text(encoding="utf-8"), encoding="utf-8")
    assert runner.invoke(app, ["run", str(report), "-q"]).exit_code == 0
    shown = runner.invoke(app, ["show", str(report)], terminal_width=200)
    assert shown.exit_code == 0 and "108 indicators" in shown.stdout


def test_json_that_lacks_the_document_facts_is_one_line(runner, tmp_path):
    thin = tmp_path / "thin.json"
    thin.write_text('{"doc_id": "x", "indicators": []}', encoding="utf-8")
    result = runner.invoke(app, ["show", str(thin)])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "no region, report_year" in line


def test_show_wants_one_document_and_a_panel_takes_json_lines(runner, tmp_path):
    lines = tmp_path / "two.jsonl"
    lines.write_text(runner.invoke(app, ["run", str(REPORT), str(CORPUS / "laoshan-2026.txt"), "-q"]).stdout)
    result = runner.invoke(app, ["show", str(lines)])
    assert result.exit_code == 1 and "holds 2 documents" in result.stderr
    panel = runner.invoke(app, ["track", str(lines), str(tmp_path), "--format", "json"])
    assert panel.exit_code == 0, panel.output
    assert {(r["earlier"], r["later"]) for r in json.loads(panel.stdout)} == {("laoshan-2025", "laoshan-2026")}


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "xlsx"])
def test_an_output_folder_that_cannot_be_made_is_one_line_before_any_work(runner, tmp_path, fmt):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["run", str(REPORT), "--format", fmt, "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert str(blocker / "sub") in line and "cannot make the output folder" in line


def test_resume_redoes_a_report_whose_text_was_not_saved(runner, tmp_path):
    out, texts = tmp_path / "out", tmp_path / "texts"
    assert runner.invoke(app, ["run", str(REPORT), "--out", str(out), "-q"]).exit_code == 0
    result = runner.invoke(app, ["run", str(REPORT), "--out", str(out), "--resume", "--save-text", str(texts)])
    assert result.exit_code == 0 and "already done" not in result.stderr
    assert (texts / "laoshan-2025.txt").is_file()
    again = runner.invoke(app, ["run", str(REPORT), "--out", str(out), "--resume", "--save-text", str(texts)])
    assert "(1 already done)" in again.stderr
