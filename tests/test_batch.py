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

from typer.testing import CliRunner

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
