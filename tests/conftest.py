"""Shared fixtures and the --update-golden switch for the golden regression test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.pipeline import Extractor

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
OUTPUTS = ROOT / "outputs"
GOLD = Path(__file__).resolve().parent / "gold"
SCHEMA = ROOT / "src" / "extract" / "schema" / "report.schema.json"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite outputs/ from corpus/ instead of comparing; review the diff before committing",
    )


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="session")
def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def validator(schema):
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="session")
def row_validator(schema):
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator({**schema["$defs"]["row"], "$defs": schema["$defs"]})
