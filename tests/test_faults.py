"""Faults of batches and output files (issue 15): killed workers and parents, two runs
on one folder, the user's own files in it, truncated outputs, one file under two
names, names the file system or UTF-8 refuses, numbers too long for int(). Anything
with signals or worker processes runs in a subprocess with a bounded wait."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

import extract
from extract.batch import Job, already_done, doc_ids
from extract.cli import app
from extract.read import read_document
from extract.serialize import (
    OutputInUse,
    claim_output,
    csv_text,
    document_chunks,
    document_json,
    document_line,
    dumps,
    jsonl_lines,
    number,
    remove_stale_temporaries,
    write_atomic,
)

from conftest import CORPUS

# Subprocesses run the code this test imports.
ENV = {**os.environ, "PYTHONPATH": str(Path(extract.__file__).parents[1])}
LAOSHAN = CORPUS / "laoshan-2025.txt"
YANTIAN = CORPUS / "d-yantian-2023.txt"
# Long enough to take a worker a few seconds, so that signals arrive mid-batch.
SLOW_REPEATS = 25


def _reports(folder: Path, count: int, repeats: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    texts = [LAOSHAN.read_text(encoding="utf-8"), YANTIAN.read_text(encoding="utf-8")]
    paths = []
    for n in range(count):
        path = folder / f"r{n:02}.txt"
        path.write_text("\n".join([texts[n % 2]] * repeats), encoding="utf-8")
        paths.append(path)
    return paths


def _run_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "extract.cli", "run", *args]


def _children(pid: int) -> set[int]:
    """The processes `pid` forked (its workers: same command line as the parent)."""
    found = set()
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                if Path(f"/proc/{child}/cmdline").read_bytes() == command:
                    found.add(int(child))
    except OSError:
        pass
    return found


def _all_workers(pid: int) -> set[int]:
    """The workers of a run with two, once both have started (else none)."""
    found = _children(pid)
    return found if len(found) >= 2 else set()


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie nobody reaped yet does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _wait_for(condition, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    return condition()


def _valid_outputs(out: Path) -> dict[str, dict]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(out.glob("*.json"))}


# 1. A worker killed as the OOM killer would: the batch goes on.


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds workers through /proc")
def test_a_killed_worker_is_redone_and_the_batch_goes_on(tmp_path):
    reports = _reports(tmp_path / "in", 6, SLOW_REPEATS)
    out = tmp_path / "out"
    process = subprocess.Popen(
        _run_command(str(tmp_path / "in"), "-q", "--workers", "2", "--out", str(out)),
        env=ENV,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        workers = _wait_for(lambda: _children(process.pid))
        assert workers, "the run started no workers"
        os.kill(min(workers), signal.SIGKILL)
        _, stderr = process.communicate(timeout=240)
    finally:
        process.kill()
    assert "Traceback" not in stderr and "BrokenProcessPool" not in stderr, stderr
    # Killed once, the report is redone in a fresh worker: nothing is lost.
    assert process.returncode == 0, stderr
    assert sorted(_valid_outputs(out)) == [f"{path.stem}.json" for path in reports]
    assert list(out.glob(".extract-*.tmp")) == [], "a killed worker's temporary file is left"


KILLER = """
import os, signal, sys
import extract.batch as batch
extract_one = batch.extract_one

def killing(job, extractor, out):
    if job.path.name == "killer.txt":
        os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer does, every time
    return extract_one(job, extractor, out)

batch.extract_one = killing
from extract.cli import app
app(sys.argv[1:])
"""


def test_a_report_that_kills_every_worker_it_meets_is_one_failed_file(tmp_path):
    reports = _reports(tmp_path / "in", 5)
    shutil.copy(LAOSHAN, tmp_path / "in" / "killer.txt")
    out = tmp_path / "out"
    command = [sys.executable, "-c", KILLER, "run", str(tmp_path / "in"), "-q", "-w", "2", "--out", str(out)]
    result = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=240)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len([line for line in lines if "killer.txt" in line]) == 1, result.stderr
    assert "Traceback" not in result.stderr and len(lines) <= 2, result.stderr
    assert sorted(_valid_outputs(out)) == [f"{path.stem}.json" for path in reports]


# 3. Workers die with their parent.


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_parent(tmp_path, signum):
    _reports(tmp_path / "in", 6, SLOW_REPEATS)
    command = _run_command(str(tmp_path / "in"), "-q", "--workers", "2", "--out", str(tmp_path / "out"))
    process = subprocess.Popen(command, env=ENV, stderr=subprocess.DEVNULL)
    try:
        workers = _wait_for(lambda: _all_workers(process.pid))
        assert len(workers) == 2, "the run did not start its two workers"
        process.send_signal(signum)
        process.wait(timeout=60)
        left = _wait_for(lambda: not any(map(_alive, workers)), seconds=20)
    finally:
        process.kill()
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)  # never leave them behind, even when the test fails
    assert left, "workers outlived their parent"


# 9. Two runs on one output folder.

HOLDER = """
import sys, time
from pathlib import Path
from extract.serialize import claim_output
with claim_output(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def _held(out: Path) -> Iterator[subprocess.Popen]:
    """Another process holding `out` (as a run does) until the block ends."""
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(out)], env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.communicate("", timeout=30)


def test_a_second_run_on_the_same_out_is_refused_at_once_naming_the_first(tmp_path):
    out = tmp_path / "out"
    with _held(out) as holder:
        # The first run's temporary file, mid-write: the second run must not touch it.
        writing = out / ".extract-abcd1234.tmp"
        writing.write_text("{", encoding="utf-8")
        with pytest.raises(OutputInUse) as refused, claim_output(out):
            pass
        assert str(refused.value) == f"{out} is in use by another extract run (pid {holder.pid})"
        assert writing.exists()
    with claim_output(out):  # free again once the first run ended
        assert not writing.exists(), "what a dead run left is removed"


def test_extract_run_on_an_out_another_run_holds_is_refused_in_one_line(tmp_path):
    # The other run is a process that provably holds the folder (no race on timing).
    _reports(tmp_path / "in", 2)
    out = tmp_path / "out"
    with _held(out) as holder:
        second = subprocess.run(
            _run_command(str(tmp_path / "in"), "-q", "--out", str(out)),
            env=ENV,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert second.returncode == 2
    assert second.stderr == f"extract: {out} is in use by another extract run (pid {holder.pid})\n"
    assert list(out.glob("*.json")) == [], "the refused run wrote nothing"


def test_claim_output_is_released_when_the_run_ends(tmp_path):
    with claim_output(tmp_path):
        pass
    with claim_output(tmp_path):
        pass
    assert list(tmp_path.iterdir()) == [], "the lock leaves no file in the user's folder"


# 10. Only this tool's temporary files are removed.


def test_only_temporaries_of_extract_are_removed(tmp_path):
    mine = tmp_path / ".notes.tmp"
    also_mine = tmp_path / ".laoshan-2025.json.abcd1234.tmp"
    ours = tmp_path / ".extract-k3j2h1g0.tmp"
    for path in (mine, also_mine, ours):
        path.write_text("x", encoding="utf-8")
    remove_stale_temporaries(tmp_path)
    assert mine.exists() and also_mine.exists() and not ours.exists()


def test_temporary_names_are_short_and_extract_s_own(tmp_path):
    seen = []

    def pieces():
        seen.extend(path.name for path in tmp_path.iterdir())
        yield "{}"

    target = tmp_path / ("长" * 70 + ".json")  # 215 bytes
    write_atomic(target, pieces())
    assert len(seen) == 1 and seen[0].startswith(".extract-") and seen[0].endswith(".tmp")
    assert len(seen[0].encode()) <= 32 and target.read_text(encoding="utf-8") == "{}"


# 11. --resume does not count a truncated output as done.


def test_resume_redoes_a_truncated_output(tmp_path):
    report = shutil.copy(LAOSHAN, tmp_path / "laoshan-2025.txt")
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["run", str(report), "-q", "--out", str(out)]).exit_code == 0
    output = out / "laoshan-2025.json"
    job = Job(Path(report), "laoshan-2025")
    assert already_done(job, out)
    whole = output.read_bytes()
    assert len(whole) > 8192, "truncated after the head that holds the sha256"
    output.write_bytes(whole[: len(whole) // 2])
    assert not already_done(job, out)
    output.write_bytes(whole[:-1])
    assert not already_done(job, out)


def test_resume_counts_an_output_with_no_indicators_as_done(tmp_path):
    report = tmp_path / "empty.txt"
    report.write_text("今年工作的总体要求是稳中求进。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["run", str(report), "-q", "--out", str(out)]).exit_code == 0
    assert json.loads((out / "empty.json").read_text(encoding="utf-8"))["indicators"] == []
    assert already_done(Job(report, "empty"), out)


# 16. The same file given twice is one file.


def test_the_same_file_under_several_names_is_one_file(tmp_path, monkeypatch):
    folder = tmp_path / "corpus"
    report = shutil.copy(LAOSHAN, folder.mkdir() or folder / "laoshan-2025.txt")
    (tmp_path / "alias").symlink_to(folder)
    monkeypatch.chdir(tmp_path)
    given = [
        folder / "laoshan-2025.txt",
        Path("corpus/./laoshan-2025.txt"),
        Path("corpus/laoshan-2025.txt"),
        tmp_path / "alias" / "laoshan-2025.txt",
    ]
    assert doc_ids(given) == [(Path(report), "laoshan-2025")]
    result = CliRunner().invoke(app, ["run", "corpus", *map(str, given), "-q", "--out", "out"])
    assert result.exit_code == 0, result.output
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["laoshan-2025.json"]


# 6 (part). Names too long for the temporary file, for the file system, or not UTF-8.


def test_an_input_name_of_245_bytes_is_written(tmp_path):
    report = tmp_path / ("r" * 241 + ".txt")  # 245 bytes: the old temporary name was 260
    shutil.copy(LAOSHAN, report)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(report), "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / f"{report.stem}.json").read_text(encoding="utf-8"))["doc_id"] == report.stem


def test_an_output_name_too_long_for_the_file_system_is_one_line_naming_the_file(tmp_path):
    report = tmp_path / ("r" * 251 + ".txt")  # 255 bytes: the output's name would be 256
    shutil.copy(LAOSHAN, report)
    other = shutil.copy(YANTIAN, tmp_path / "d-yantian-2023.txt")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(report), str(other), "-q", "--out", str(out)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and report.name in lines[0] and "too long" in lines[0], result.stderr
    assert [path.name for path in out.iterdir()] == ["d-yantian-2023.json"]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
@pytest.mark.parametrize("name", [b"bad\xff\xfe", b"two\nlines"])
def test_a_file_name_that_is_not_utf8_or_has_a_newline_gives_valid_json(tmp_path, validator, row_validator, name):
    report = Path(shutil.copy(LAOSHAN, tmp_path / os.fsdecode(name + b".txt")))
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(report), "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    [written] = out.iterdir()
    document = json.loads(written.read_bytes().decode("utf-8"))  # valid UTF-8
    validator.validate(document)  # the ids of the figures too
    assert document["indicators"] and document["indicators"][0]["id"] == f"{document['doc_id']}#1"
    assert "\ufffd" in document["source"] if b"\xff" in name else document["source"] == str(report)
    lines = runner.invoke(app, ["run", str(report), "-q", "-f", "jsonl"]).stdout_bytes.decode("utf-8")
    for line in lines.splitlines():
        row_validator.validate(json.loads(line))


# 17 (part). A number too long for int() <-> str.

HUGE = Decimal("1" * 4400)


def test_number_writes_a_huge_value_as_a_json_number_in_e_notation():
    assert number(Decimal(1900)) == 1900 and number(Decimal("5.5")) == 5.5  # ordinary values as before
    assert number(Decimal("1" * 4000)) == int("1" * 4000), "within int's limit: exact, as before"
    assert json.loads(json.dumps({"v": number(Decimal("1" * 300))}))["v"] == int("1" * 300)
    for value, text in [
        (HUGE, "1.1111111111111111e+4399"),
        (Decimal("25E+5000"), "2.5e+5001"),
        (-HUGE, "-1.1111111111111111e+4399"),
        (Decimal("1" * 400 + ".5"), "1.1111111111111111e+399"),
    ]:
        document = {"value": number(value), "values": [number(value)]}
        assert dumps(document) == f'{{\n  "value": {text},\n  "values": [\n    {text}\n  ]\n}}\n'
        assert document_line(document) == f'{{"value": {text}, "values": [{text}]}}\n'
        json.loads(dumps(document))  # a JSON number (a float beyond its range: inf)


def test_a_report_with_a_huge_number_is_written_in_every_format(tmp_path, validator):
    report = tmp_path / "huge.txt"
    report.write_text("今年全区将新建学校" + "1" * 4400 + "所，投入资金3亿元。\n", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(report), "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "huge.json").read_text(encoding="utf-8"))
    validator.validate(document)
    assert [i["quantity"]["value"] for i in document["indicators"]][-1] == 300000000
    for fmt in ("json", "jsonl", "csv"):
        result = runner.invoke(app, ["run", str(report), "-q", "-f", fmt])
        assert result.exit_code == 0, (fmt, result.output)
        assert "300000000" in result.stdout


def test_an_indicator_with_a_huge_number_is_written_as_any_other(extractor, validator):
    """Whatever the grammar reads as the number, serialization never loses a report on it."""
    extraction = extractor.extract(read_document(LAOSHAN))
    first, *rest = extraction.indicators
    huge = dataclasses.replace(first, value=HUGE, value_max=HUGE * 2, base_value=HUGE, base_value_max=None)
    extraction = dataclasses.replace(extraction, indicators=(huge, *rest))
    whole = dumps(document_json(extraction))
    assert "".join(document_chunks(extraction, iter(extraction.indicators))) == whole
    assert '"value": 1.1111111111111111e+4399,\n      "value_max": 2.2222222222222222e+4399,' in whole
    validator.validate(json.loads(whole))
    document = document_json(extraction)
    assert json.loads(jsonl_lines(document).splitlines()[0])["quantity_value"] == float("inf")
    assert "1.1111111111111111E+4399" in csv_text([document])


def test_a_lone_surrogate_in_a_figure_is_written_as_its_json_escape(tmp_path):
    # Text given through the API (or a damaged PDF's text layer) can hold a lone
    # surrogate, which has no UTF-8: the file must still be UTF-8, and JSON of the text.
    from extract.pipeline import extract_text

    document = document_json(extract_text("\udd0b全区生产总值增长5%以上。", doc_id="s"))
    target = tmp_path / "s.json"
    write_atomic(target, dumps(document))
    written = target.read_bytes().decode("utf-8")  # strict: raises on anything else
    assert "\\udd0b" in written
    assert json.loads(written)["indicators"][0]["quote"] == "\udd0b全区生产总值增长5%以上。"


def test_stdout_writes_a_lone_surrogate_as_its_escape(tmp_path):
    script = (
        "import sys; from extract.cli import main; main(); "
        "sys.stdout.write('\\udd0b\\n')"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout.decode("utf-8") == "\\udd0b\n"


def test_resume_skips_the_done_reports_in_linear_time(monkeypatch, tmp_path):
    # Counted, not timed: a set of the done reports built once, not once per report
    # (20,000 finished files took 50 s to skip).
    from extract import cli

    hashes = [0]
    job_hash = Job.__hash__

    def counted(job):
        hashes[0] += 1
        return job_hash(job)

    monkeypatch.setattr(Job, "__hash__", counted)
    monkeypatch.setattr(cli, "_resumable", lambda job, out: True)
    jobs = [Job(tmp_path / f"r{n}.txt", f"r{n}") for n in range(2000)]
    options = cli._RunOptions(cli.Format.json, tmp_path, False, True, False, True, "local", None)
    assert cli._run_jobs(jobs, cli._Tally(finished=0, failed=0), options) == len(jobs)
    assert hashes[0] <= 3 * len(jobs)
