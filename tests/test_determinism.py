"""Output does not depend on the hash seed: worker processes started with spawn,
and Dask workers, have seeds of their own, and must give the same JSON."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import CORPUS, ROOT

SCRIPT = """
import sys
from extract.pipeline import Extractor, extract_file
from extract.serialize import document_json, dumps
extractor = Extractor()
for path in sys.argv[1:]:
    sys.stdout.write(dumps(document_json(extract_file(path, extractor=extractor))))
"""


def _run(seed: str, paths: list[str]) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *paths], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    )
    return result.stdout


def test_output_is_the_same_under_different_hash_seeds():
    paths = [str(p.relative_to(ROOT)) for p in sorted(CORPUS.glob("*.txt")) if not p.stem.endswith("-en")]
    first = _run("1", paths)
    assert first.count('"doc_id"') == len(paths)
    assert first == _run("4242", paths)
