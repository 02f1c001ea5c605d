"""The optional mypyc build (scripts/compile): a compiled module older than its
source is refused, so that edited code never runs as its old compiled self. The
whole suite runs on the compiled modules under CI (scripts/test)."""

from __future__ import annotations

import importlib.machinery
import os

import pytest

from extract._compiled import check_compiled


def test_a_compiled_module_older_than_its_source_is_refused(tmp_path):
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    source, compiled = tmp_path / "attach.py", tmp_path / f"attach{suffix}"
    compiled.write_bytes(b"")
    source.write_text("x = 1\n", encoding="utf-8")
    os.utime(compiled, (1_000_000, 1_000_000))
    with pytest.raises(ImportError, match="run scripts/compile again"):
        check_compiled(tmp_path)
    os.utime(compiled, None)
    os.utime(source, (1_000_000, 1_000_000))
    check_compiled(tmp_path)  # built after its source: fine


def test_pure_python_has_nothing_to_check(tmp_path):
    (tmp_path / "attach.py").write_text("x = 1\n", encoding="utf-8")
    check_compiled(tmp_path)
