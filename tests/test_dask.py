"""`extract run --engine dask` on a LocalCluster gives the same bytes as one process."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from extract.cli import app

from conftest import CORPUS

distributed = pytest.importorskip("dask.distributed")


def test_dask_engine_gives_identical_output(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(CORPUS), "-q", "--out", str(tmp_path / "local")]).exit_code == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = runner.invoke(
            app,
            [
                "run",
                str(CORPUS),
                "-q",
                "--out",
                str(tmp_path / "dask"),
                "--engine",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
            ],
        )
    assert result.exit_code == 0, result.output
    local = {p.name: p.read_bytes() for p in (tmp_path / "local").iterdir()}
    dask = {p.name: p.read_bytes() for p in (tmp_path / "dask").iterdir()}
    assert local == dask and local


def test_dask_engine_reports_bad_files(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "good.txt").write_text("全区生产总值增长5.5%以上。", encoding="utf-8")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        result = CliRunner().invoke(
            app,
            [
                "run",
                str(tmp_path / "in"),
                "--out",
                str(tmp_path / "out"),
                "--engine",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
            ],
        )
    assert result.exit_code == 1 and "empty.txt" in result.stderr
    assert (tmp_path / "out" / "good.json").exists()
