"""Golden regression: corpus/ -> outputs/, byte for byte.

outputs/ is rewritten only by `pytest --update-golden`; review `git diff outputs/`
before committing it. A corpus file without a golden output fails.
"""

from __future__ import annotations

import json

import pytest

from extract.pipeline import extract_file
from extract.serialize import document_json, dumps, write_atomic

from conftest import CORPUS, OUTPUTS, ROOT

CORPUS_FILES = sorted(CORPUS.glob("*.txt"))


def _output(path, extractor, monkeypatch) -> str:
    monkeypatch.chdir(ROOT)
    return dumps(document_json(extract_file(path.relative_to(ROOT), extractor=extractor)))


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_golden_output(path, extractor, monkeypatch, request):
    golden = OUTPUTS / f"{path.stem}.json"
    output = _output(path, extractor, monkeypatch)
    if request.config.getoption("--update-golden"):
        write_atomic(golden, output)
    assert golden.exists(), f"no golden output for {path.name}: run `pytest --update-golden` and review the diff"
    assert golden.read_text(encoding="utf-8") == output


def test_no_stale_golden_outputs():
    assert {p.stem for p in OUTPUTS.glob("*.json")} == {p.stem for p in CORPUS_FILES}


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_spans_point_into_the_original(path, extractor, validator, monkeypatch):
    document = json.loads(_output(path, extractor, monkeypatch))
    original = path.read_text(encoding="utf-8")
    validator.validate(document)
    assert document["indicators"], "every bundled report has indicators"
    for n, indicator in enumerate(document["indicators"], 1):
        start, end = indicator["span"]
        assert original[start:end] == indicator["text"]
        assert indicator["id"] == f"{document['doc_id']}#{n}"
        assert indicator["metric"] is None or indicator["metric"] in indicator["sentence"]
    starts = [i["span"][0] for i in document["indicators"]]
    assert starts == sorted(starts), "indicators are in document order"
