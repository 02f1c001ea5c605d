"""Batches: worker processes give the same output; --resume skips finished
reports; a killed run leaves no half-written output."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from extract.batch import doc_ids
from extract.cli import app

from conftest import CORPUS


def _outputs(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_workers_give_identical_output(tmp_path):
    runner = CliRunner()
    for workers in ("1", "2"):
        result = runner.invoke(app, ["run", str(CORPUS), "-q", "--out", str(tmp_path / workers), "--workers", workers])
        assert result.exit_code == 0, result.output
    assert _outputs(tmp_path / "1") == _outputs(tmp_path / "2")
    jsonl = [runner.invoke(app, ["run", str(CORPUS), "-q", "-f", "jsonl", "-w", w]).stdout for w in ("1", "2")]
    assert jsonl[0] == jsonl[1] and jsonl[0]


def test_resume_skips_what_is_done_and_redoes_what_changed(tmp_path):
    reports = tmp_path / "in"
    shutil.copytree(CORPUS, reports, ignore=shutil.ignore_patterns("*.toml"))
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(reports), "-q", "--out", str(out)]).exit_code == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    changed = reports / "laoshan-2025.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新建学校9所。\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(reports), "--out", str(out), "--resume"])
    assert result.exit_code == 0
    total = len(before)
    assert f"{total} of {total} reports done" in result.stderr and f"({total - 1} already done)" in result.stderr
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert [name for name in after if after[name] != before[name]] == ["laoshan-2025.json"]


def test_a_killed_run_leaves_no_half_written_output(tmp_path):
    reports = tmp_path / "in"
    reports.mkdir()
    text = (CORPUS / "laoshan-2025.txt").read_text(encoding="utf-8")
    for n in range(200):
        (reports / f"r{n:03}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "extract.cli", "run", str(reports), "-q", "--out", str(out)]
    process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(CORPUS.parent / "src")})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.is_dir() and len(list(out.glob("*.json"))) >= 3):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = list(out.glob("*.json"))
    assert 3 <= len(finished) < 200, "the run was killed in the middle"
    for path in finished:
        json.loads(path.read_text(encoding="utf-8"))  # complete JSON, never a torn file
    result = CliRunner().invoke(app, ["run", str(reports), "-q", "--out", str(out), "--resume"])
    assert result.exit_code == 0
    assert len(list(out.glob("*.json"))) == 200 and not list(out.glob(".*.tmp"))


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_doc_ids_keep_unique_stems_and_qualify_colliding_ones(tmp_path):
    files = [
        tmp_path / "anhui" / "2025.txt",
        tmp_path / "henan" / "2025.txt",
        tmp_path / "laoshan-2025.txt",
        tmp_path / "anhui" / "2025.txt",  # given twice: extracted once
        tmp_path / "henan" / ".." / "henan" / "2025.txt",
    ]
    assert doc_ids(files) == [(files[0], "anhui-2025"), (files[1], "henan-2025"), (files[2], "laoshan-2025")]


def test_doc_ids_go_further_up_while_they_still_collide(tmp_path):
    same_folder_name = [tmp_path / "a" / "x" / "2025.txt", tmp_path / "b" / "x" / "2025.txt"]
    assert [i for _, i in doc_ids(same_folder_name)] == ["a-x-2025", "b-x-2025"]
    # A qualified id that is another file's stem goes further up; the stem stays.
    files = [tmp_path / "anhui-2025.txt", tmp_path / "anhui" / "2025.txt", tmp_path / "henan" / "2025.txt"]
    ids = dict(doc_ids(files))
    assert ids[files[0]] == "anhui-2025" and ids[files[2]] == "henan-2025"
    assert ids[files[1]] == f"{tmp_path.name}-anhui-2025"
    # Files of one stem in one folder: their names tell them apart.
    page = [tmp_path / "r" / "2025.txt", tmp_path / "r" / "2025.html"]
    assert [i for _, i in doc_ids(page)] == ["r-2025.txt", "r-2025.html"]


NEWS = "去年全区新建学校8所。今年全区将新建学校6所，投入资金3亿元。"


def _facts_of(folder):
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    return [
        (d["doc_id"], d["region"], d["report_year"], [(i["year"], i["quantity"]["unit"]) for i in d["indicators"]])
        for d in documents
    ]


def test_given_facts_and_qualified_ids_reach_worker_processes(tmp_path):
    reports = tmp_path / "in"
    for province in ("anhui", "henan"):
        _write(reports / province / "2025.txt", NEWS)
    runner = CliRunner()
    given = ["--region", "香港特别行政区", "--report-year", "2024"]
    for workers in ("1", "2"):
        out = tmp_path / workers
        result = runner.invoke(app, ["run", str(reports), "-q", "--out", str(out), "-w", workers, *given])
        assert result.exit_code == 0, result.output
    assert _outputs(tmp_path / "1") == _outputs(tmp_path / "2")
    expected = [(2023, "count"), (2024, "count"), (2024, "HKD")]
    assert _facts_of(tmp_path / "2") == [
        ("anhui-2025", "香港特别行政区", 2024, expected),
        ("henan-2025", "香港特别行政区", 2024, expected),
    ]


def test_given_facts_and_qualified_ids_reach_dask_workers(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    reports = tmp_path / "in"
    for province in ("anhui", "henan"):
        _write(reports / province / "2025.txt", NEWS)
    given = ["--region", "香港特别行政区", "--report-year", "2024"]
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(reports), "-q", "--out", str(tmp_path / "local"), *given]).exit_code == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        command = ["run", str(reports), "-q", "--out", str(tmp_path / "dask"), "--engine", "dask"]
        result = runner.invoke(app, [*command, "--scheduler", cluster.scheduler_address, *given])
    assert result.exit_code == 0, result.output
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    assert [f[:3] for f in _facts_of(tmp_path / "dask")] == [
        ("anhui-2025", "香港特别行政区", 2024),
        ("henan-2025", "香港特别行政区", 2024),
    ]


def test_resume_knows_qualified_ids_and_redoes_reports_of_other_given_facts(tmp_path):
    reports = tmp_path / "in"
    for province in ("anhui", "henan"):
        _write(reports / province / "2025.txt", NEWS)
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(reports), "-q", "--out", str(out), "--report-year", "2024"]).exit_code == 0
    again = runner.invoke(app, ["run", str(reports), "--out", str(out), "--resume", "--report-year", "2024"])
    assert "(2 already done)" in again.stderr
    other = runner.invoke(app, ["run", str(reports), "--out", str(out), "--resume", "--report-year", "2023"])
    assert other.exit_code == 0 and "already done" not in other.stderr
    assert {f[2] for f in _facts_of(out)} == {2023}
    unsaid = runner.invoke(app, ["run", str(reports), "--out", str(out), "--resume"])
    assert "(2 already done)" in unsaid.stderr, "no facts given: any facts will do"
