"""Faults at the command line (issue 15): each problem is one line on stderr naming
the file or option, the rest of the batch goes on, and nothing written is lost.

Signals are sent to real subprocesses with bounded waits; other faults (a full disk,
a file root can read anyway) are simulated in-process with typer's CliRunner."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract import serialize
from extract.cli import app

from conftest import CORPUS, GOLD

REPORT = CORPUS / "laoshan-2025.txt"
EXTRACT = [sys.executable, "-c", "from extract.cli import app; app()"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _two_reports(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(REPORT, folder / "good.txt")
    shutil.copy(REPORT, folder / "bad.txt")
    return folder


def _rows_fail_for(monkeypatch, doc_id: str) -> None:
    """The rows of one report cannot be made (as a 4,300-digit number once made them)."""
    rows = serialize.rows

    def failing(document):
        if document["doc_id"] == doc_id:
            raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")
        return rows(document)

    monkeypatch.setattr(serialize, "rows", failing)


# Item 2: --format jsonl|csv|xlsx faults.


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_report_whose_rows_fail_is_one_line_and_the_others_are_printed(runner, tmp_path, monkeypatch, fmt):
    folder = _two_reports(tmp_path / "in")
    _rows_fail_for(monkeypatch, "bad")
    result = runner.invoke(app, ["run", str(folder), "--format", fmt, "-q"])
    assert result.exit_code == 1, result.output
    (line,) = _lines(result.stderr)[:1]
    assert "bad.txt" in line and "skipped" in line and "Traceback" not in result.stderr
    assert "good" in result.stdout and "bad.txt" not in result.stdout


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_a_report_whose_rows_fail_does_not_lose_the_rows_of_the_others(runner, tmp_path, monkeypatch, fmt):
    folder = _two_reports(tmp_path / "in")
    _rows_fail_for(monkeypatch, "bad")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 1, result.output
    errors = [line for line in _lines(result.stderr) if "bad.txt" in line]
    assert len(errors) == 1 and "Traceback" not in result.stderr
    assert (out / f"indicators.{fmt}").is_file()
    if fmt != "xlsx":
        text = (out / f"indicators.{fmt}").read_text(encoding="utf-8-sig")
        assert "good" in text and "bad.txt" not in text


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_out_that_is_a_file_is_one_line_before_any_report_is_read(runner, tmp_path, monkeypatch, fmt):
    import extract.batch
    import extract.read

    target = tmp_path / "a-file"
    target.write_text("mine\n", encoding="utf-8")
    for module in (extract.read, extract.batch):
        monkeypatch.setattr(module, "read_document", lambda *_: pytest.fail("a report was read"))
    result = runner.invoke(app, ["run", str(REPORT), "--format", fmt, "--out", str(target)])
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert str(target) in line
    assert target.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_an_unwritable_out_folder_is_one_line_before_any_report_is_read(runner, tmp_path, monkeypatch, fmt):
    import tempfile

    import extract.batch
    import extract.read

    out = tmp_path / "out"
    out.mkdir()
    real = tempfile.mkstemp

    def denied(*args, dir=None, **kwargs):  # noqa: A002 - mkstemp's own name
        if dir is not None and Path(dir) == out:
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real(*args, dir=dir, **kwargs)

    # Root writes everywhere; the folder refuses the way a read-only one would.
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    for module in (extract.read, extract.batch):
        monkeypatch.setattr(module, "read_document", lambda *_: pytest.fail("a report was read"))
    result = runner.invoke(app, ["run", str(REPORT), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 2, result.output
    (line,) = _lines(result.stderr)
    assert str(out) in line and "Permission denied" in line


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_full_disk_is_one_line_and_keeps_the_previous_output(runner, tmp_path, monkeypatch, fmt):
    out = tmp_path / "out"
    out.mkdir()
    previous = out / f"indicators.{fmt}"
    previous.write_text("previous\n", encoding="utf-8")
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def writelines(self, pieces):
            for _ in pieces:
                raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: Full(real_fdopen(*a, **k)))
    result = runner.invoke(app, ["run", str(REPORT), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 1
    (line,) = [line for line in _lines(result.stderr) if "No space" in line]
    assert "Traceback" not in result.stderr and f"indicators.{fmt}" in line
    assert previous.read_text(encoding="utf-8") == "previous\n"


# Item 4: Ctrl-C.


def _batch(folder: Path, copies: int) -> Path:
    folder.mkdir()
    reports = sorted(p for p in CORPUS.glob("*.txt"))
    for n in range(copies):
        source = reports[n % len(reports)]
        shutil.copy(source, folder / f"r{n:03d}-{source.name}")
    return folder


def _interrupted(args: list[str], out: Path, started) -> subprocess.CompletedProcess:
    """Run extract, press Ctrl-C (SIGINT to its process group, as a terminal does) once
    `started()` holds, and wait for it, all within bounded waits."""
    process = subprocess.Popen(
        [*EXTRACT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while not started() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert process.poll() is None, "the batch finished before it could be interrupted"
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=10)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_says_what_was_finished_in_one_line(tmp_path, workers):
    folder = _batch(tmp_path / "in", 60)
    out = tmp_path / "out"
    args = ["run", str(folder), "--out", str(out), "-q", "--workers", str(workers)]
    result = _interrupted(args, out, lambda: out.is_dir() and any(out.glob("*.json")))
    assert result.returncode == 130, result.stderr
    (line,) = _lines(result.stderr)
    assert "interrupted" in line and "--resume" in line and "of 60 reports" in line
    # Every output there is whole: a rerun with --resume finishes the batch.
    for path in out.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    assert not list(out.glob(".*.tmp"))


def test_ctrl_c_during_jsonl_rows_keeps_the_previous_file_and_says_so(tmp_path):
    folder = _batch(tmp_path / "in", 60)
    out = tmp_path / "out"
    out.mkdir()
    (out / "indicators.jsonl").write_text("previous\n", encoding="utf-8")
    args = ["run", str(folder), "--out", str(out), "-q", "--format", "jsonl"]
    # Rows are written to a temporary file beside it, renamed at the end.
    result = _interrupted(args, out, lambda: len(list(out.iterdir())) > 1)
    assert result.returncode == 130, result.stderr
    (line,) = _lines(result.stderr)
    assert "interrupted" in line and "indicators.jsonl was not written" in line
    assert [p.name for p in out.iterdir()] == ["indicators.jsonl"]
    assert (out / "indicators.jsonl").read_text(encoding="utf-8") == "previous\n"


def test_ctrl_c_with_dask_is_one_line(tmp_path):
    pytest.importorskip("dask.distributed")
    folder = _batch(tmp_path / "in", 30)
    out = tmp_path / "out"
    args = ["run", str(folder), "--out", str(out), "-q", "--engine", "dask"]
    result = _interrupted(args, out, lambda: out.is_dir() and any(out.glob("*.json")))
    assert result.returncode == 130, result.stderr
    (line,) = _lines(result.stderr)
    assert "interrupted" in line and "--resume" in line


# Item 5: files that are not read.


def test_links_to_nowhere_and_link_loops_in_a_folder_get_a_line_each(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(REPORT, folder / "good.txt")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "--out", str(out)])
    assert result.exit_code == 1
    errors = _lines(result.stderr)
    for name in ("dangling.txt", "loop.txt"):
        assert sum(name in line for line in errors) == 1, errors
    assert [p.name for p in out.iterdir()] == ["good.json"]


def test_an_unreadable_subfolder_gets_a_line(runner, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(REPORT, folder / "good.txt")
    shutil.copy(REPORT, folder / "locked" / "hidden.txt")
    if os.geteuid() == 0:  # root lists any folder: refuse this one as chmod 000 would
        real = os.scandir

        def scandir(path="."):
            if Path(os.fsdecode(path)) == folder / "locked":
                raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        (folder / "locked").chmod(0)
    try:
        result = runner.invoke(app, ["run", str(folder), "--out", str(tmp_path / "out")])
    finally:
        (folder / "locked").chmod(0o755)
    assert result.exit_code == 1
    (line,) = [line for line in _lines(result.stderr) if "locked" in line]
    assert "Permission denied" in line
    assert (tmp_path / "out" / "good.json").is_file()


def test_an_unreadable_file_on_the_command_line_is_skipped_and_the_batch_goes_on(runner, tmp_path, monkeypatch):
    locked = tmp_path / "locked.txt"
    shutil.copy(REPORT, locked)
    if os.geteuid() == 0:  # root opens a file of mode 000: refuse it as the kernel would for others
        real = os.open

        def refusing(path, *args, **kwargs):
            if os.fsdecode(path).endswith("locked.txt"):
                raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
            return real(path, *args, **kwargs)

        real_bytes = Path.read_bytes

        def read_bytes(self):
            return refusing(self) if self.name == "locked.txt" else real_bytes(self)

        monkeypatch.setattr(os, "open", refusing)
        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    else:
        locked.chmod(0)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(locked), str(CORPUS / "laoshan-2026.txt"), "--out", str(out)])
    assert result.exit_code == 1
    (line,) = [line for line in _lines(result.stderr) if "locked.txt" in line]
    assert "Permission denied" in line
    assert (out / "laoshan-2026.json").is_file()


# Item 6: file names.


def _odd_names(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(REPORT, os.fsencode(folder) + b"/bad-\xff.txt")
    shutil.copy(CORPUS / "laoshan-2026.txt", folder / "two\nlines.txt")
    return folder


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_names_that_are_not_utf8_or_hold_a_newline_give_valid_utf8(tmp_path, fmt):
    folder = _odd_names(tmp_path / "in")
    result = subprocess.run([*EXTRACT, "run", str(folder), "--format", fmt], capture_output=True, timeout=120)
    stdout, stderr = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")  # strict: valid UTF-8
    assert result.returncode == 0, stderr
    assert "\ufffd" in stdout and "Traceback" not in stderr
    if fmt == "json":
        documents = [json.loads(line) for line in stdout.splitlines()]
        assert len(documents) == 2


def test_doc_ids_made_from_names_with_control_characters_are_valid(runner, tmp_path, validator, row_validator):
    folder = _odd_names(tmp_path / "in")
    result = runner.invoke(app, ["run", str(folder), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    for row in rows:
        row_validator.validate(row)
        assert not any(ord(c) < 32 for c in row["doc_id"]), row["doc_id"]
    assert len({row["doc_id"] for row in rows}) == 2
    single = runner.invoke(app, ["run", str(folder / "two\nlines.txt")])
    validator.validate(json.loads(single.stdout))


def test_an_error_about_a_name_that_is_not_utf8_is_valid_utf8(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (Path(os.fsdecode(os.fsencode(folder) + b"/empty-\xff.txt"))).write_bytes(b"")
    result = subprocess.run([*EXTRACT, "run", str(folder)], capture_output=True, timeout=120)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode != 0
    (line,) = [line for line in _lines(stderr) if "empty-" in line]
    assert "empty-\ufffd.txt" in line


# Item 8: track, score, show, Dask.


def _half_report(path: Path, year: int) -> Path:
    document = {"doc_id": path.stem, "region": "r", "report_year": year, "indicators": [{"a": 1}]}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_track_on_json_whose_indicators_are_no_figures_is_one_line(runner, tmp_path):
    earlier, later = _half_report(tmp_path / "a.json", 2025), _half_report(tmp_path / "b.json", 2026)
    result = runner.invoke(app, ["track", str(earlier), str(later)])
    assert result.exit_code == 1
    (line,) = _lines(result.stderr)
    assert "a.json" in line and "Traceback" not in result.output


def test_a_panel_of_which_no_report_could_be_read_is_an_error(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "other.json").write_text('{"a": 1}', encoding="utf-8")
    _half_report(folder / "half.json", 2025)
    result = runner.invoke(app, ["track", str(folder)])
    assert result.exit_code == 1
    lines = _lines(result.stderr)
    assert any("other.json" in line for line in lines) and any("half.json" in line for line in lines)
    assert any("no report" in line for line in lines)


def _score(runner, corpus, gold, pred, *extra):
    return runner.invoke(app, ["score", "--corpus", str(corpus), "--gold", str(gold), "--pred", str(pred), *extra])


@pytest.mark.parametrize("missing", ["corpus", "gold", "pred"])
def test_score_with_a_missing_folder_is_one_line(runner, tmp_path, missing):
    folders = {"corpus": CORPUS, "gold": GOLD, "pred": tmp_path}
    folders[missing] = tmp_path / "nowhere"
    result = _score(runner, folders["corpus"], folders["gold"], folders["pred"])
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert "nowhere" in line and result.stdout == ""


def test_score_with_an_empty_gold_folder_is_one_line(runner, tmp_path):
    (tmp_path / "gold").mkdir()
    result = _score(runner, CORPUS, tmp_path / "gold", tmp_path)
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert "gold" in line


@pytest.mark.parametrize("content", ["", "\n\n", '{"ctx": "x"\n', '{"anchor": "5%"}\n', "[1, 2]\n"])
def test_score_with_an_empty_or_malformed_gold_file_is_one_line(runner, tmp_path, content):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "laoshan-2025.jsonl").write_text(content, encoding="utf-8")
    result = _score(runner, CORPUS, gold, tmp_path)
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert "laoshan-2025.jsonl" in line and "Traceback" not in result.output


def test_score_with_a_malformed_prediction_is_one_line(runner, tmp_path):
    (tmp_path / "laoshan-2025.json").write_text("{", encoding="utf-8")
    result = _score(runner, CORPUS, GOLD, tmp_path, "--docs", "laoshan-2025")
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert "laoshan-2025.json" in line


def test_score_with_unknown_docs_is_one_line(runner, tmp_path):
    result = _score(runner, CORPUS, GOLD, tmp_path, "--docs", "laoshan-2025,no-such-report")
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert "--docs" in line and "no-such-report" in line and result.stdout == ""


def test_show_when_the_extraction_fails_is_one_line(runner, tmp_path, monkeypatch):
    from extract.pipeline import Extractor

    def too_long(*_args, **_kwargs):
        raise ValueError("[E088] Text of length 1200000 exceeds maximum of 1000000.\nThe parser and NER models ...")

    monkeypatch.setattr(Extractor, "extract", too_long)
    result = runner.invoke(app, ["show", str(REPORT)])
    assert result.exit_code == 1
    (line,) = _lines(result.stderr)
    assert str(REPORT) in line and "E088" in line


def test_track_when_the_extraction_fails_is_one_line(runner, monkeypatch):
    import extract.pipeline

    def too_long(*_args, **_kwargs):
        raise ValueError("[E088] Text of length 1200000 exceeds maximum of 1000000.\nThe parser and NER models ...")

    # The module's function, not the Extractor's method: compiled (scripts/compile),
    # the pipeline calls its own methods directly, past a patched class attribute.
    monkeypatch.setattr(extract.pipeline, "extract_file", too_long)
    result = runner.invoke(app, ["track", str(REPORT), str(CORPUS / "laoshan-2026.txt")])
    assert result.exit_code == 1
    (line,) = _lines(result.stderr)
    assert str(REPORT) in line and "E088" in line


def test_show_html_to_a_folder_is_one_line_before_the_report_is_read(runner, tmp_path):
    result = runner.invoke(app, ["show", str(REPORT), "--html", str(tmp_path)])
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert str(tmp_path) in line and "--html" in line and result.stdout == ""


def test_dask_with_a_malformed_scheduler_is_one_line(runner):
    pytest.importorskip("dask.distributed")
    result = runner.invoke(app, ["run", str(REPORT), "--engine", "dask", "--scheduler", "not-an-address"])
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert "--scheduler" in line and "not-an-address" in line and result.stdout == ""


def test_dask_with_an_unreachable_scheduler_is_one_line(runner):
    pytest.importorskip("dask.distributed")
    result = runner.invoke(app, ["run", str(REPORT), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert "--scheduler" in line and "tcp://127.0.0.1:9" in line and "output folder" not in line


def test_dask_not_installed_is_one_line(runner, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    result = runner.invoke(app, ["run", str(REPORT), "--engine", "dask"])
    assert result.exit_code == 2
    (line,) = _lines(result.stderr)
    assert "--engine dask" in line and "pip install" in line


# Item 20: --workers beyond the CPUs.


def test_workers_beyond_the_cpus_are_capped_with_a_warning(runner, tmp_path, monkeypatch):
    import extract.batch

    asked = []
    real = extract.batch.extract_all

    def recording(jobs, workers=1, out=None):
        asked.append(workers)
        return real(jobs, 1, out)

    monkeypatch.setattr(extract.batch, "extract_all", recording)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(cpus + 1):  # more reports than CPUs: more workers would have run
        shutil.copy(CORPUS / "laoshan-2026.txt", folder / f"r{n}.txt")
    result = runner.invoke(app, ["run", str(folder), "--workers", "64", "-q"])
    assert result.exit_code == 0, result.output
    assert asked == [cpus]
    (line,) = _lines(result.stderr)
    assert "warning" in line and "--workers 64" in line and f"{cpus} CPU" in line
    few = runner.invoke(app, ["run", str(REPORT), "--workers", "64", "-q"])
    assert few.exit_code == 0 and few.stderr == "", "one report takes one process: nothing to warn of"


def test_ctrl_c_inside_a_finalizer_is_not_lost(monkeypatch):
    # Python ignores an exception raised in a __del__ (regex's compiler has one): a
    # Ctrl-C handled there must still stop the run, at the loop over the reports.
    from extract import cli

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    class Finalized:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)
            sum(range(1000))  # Python code runs here, and with it the handler

    with cli._interrupt_in_this_process_only():
        item = Finalized()
        del item
        assert not unraisable
        with pytest.raises(KeyboardInterrupt):
            cli._stop_if_interrupted()
        # Elsewhere, Ctrl-C raises at once.
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            sum(range(1000))
