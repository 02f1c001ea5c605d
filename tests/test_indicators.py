"""The canonical indicator (rules/<lang>/indicators.toml, CONTRACT.md `indicator`).

The figures of the main-targets paragraphs of the Chinese development reports,
listed by hand in tests/fixtures/main_targets.toml, must get their code; and the
catalogue itself must be usable: enough codes, unique, snake_case, each with an
English name.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

import pytest
import regex

from extract.canonical import canonical_indicator
from extract.pipeline import extract_file
from extract.read import read_document
from extract.rules import load_rules, rules_root

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "main_targets.toml"
SNAKE_CASE = regex.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")

FIGURES = tomllib.loads(FIXTURE.read_text(encoding="utf-8"))["figure"]


def _params() -> list:
    params, seen = [], {}
    for figure in FIGURES:
        n = seen[figure["doc_id"]] = seen.get(figure["doc_id"], 0) + 1
        marks = [pytest.mark.xfail(strict=True, reason=figure["xfail"])] if "xfail" in figure else []
        params.append(pytest.param(figure, marks=marks, id=f"{figure['doc_id']}-{n}"))
    return params


@cache
def _original(doc_id: str) -> str:
    return read_document(CORPUS / f"{doc_id}.txt").text


_extractions: dict[str, object] = {}


def _extraction(doc_id: str, extractor):
    if doc_id not in _extractions:
        _extractions[doc_id] = extract_file(CORPUS / f"{doc_id}.txt", extractor=extractor)
    return _extractions[doc_id]


def test_fixture_is_well_formed():
    assert FIGURES
    for figure in FIGURES:
        original = _original(figure["doc_id"])
        assert original.count(figure["ctx"]) == 1, f"ctx not unique in {figure['doc_id']}: {figure['ctx']}"
        assert figure["ctx"].count(figure["text"]) == 1, f"text not once in ctx: {figure['ctx']}"


@pytest.mark.parametrize("figure", _params())
def test_main_target_has_its_indicator(figure, extractor):
    original = _original(figure["doc_id"])
    start = original.index(figure["ctx"]) + figure["ctx"].index(figure["text"])
    extraction = _extraction(figure["doc_id"], extractor)
    found = [ind for ind in extraction.indicators if ind.span[0] == start]
    assert found, f"{figure['text']!r} at {start} is not extracted"
    indicator = found[0]
    assert indicator.text == figure["text"]
    assert indicator.indicator == figure["indicator"], f"metric {indicator.metric!r} gives {indicator.indicator!r}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_catalogue(lang):
    data = tomllib.loads((rules_root() / lang / "indicators.toml").read_text(encoding="utf-8"))
    entries = data["indicator"]
    codes = [entry["code"] for entry in entries]
    assert len(codes) == len(set(codes)), "a code is defined twice"
    for entry in entries:
        assert SNAKE_CASE.match(entry["code"]), f"code {entry['code']!r} is not snake_case"
        assert entry.get("en", "").strip(), f"{entry['code']} has no English name"
        assert entry["names"], f"{entry['code']} has no names"
    if lang == "zh":
        assert len(codes) >= 45
    # The loader accepts it (no name under two codes) and knows every code.
    table = load_rules(lang).indicators
    assert {c.code for c in table.by_name.values()} == set(codes)


def test_kinds_are_unit_kinds():
    """A `kinds` entry that names no unit kind would silently reject every figure."""
    rules = load_rules("zh")
    known = {unit.kind for unit in rules.units.values()} | {"rate", "share"}
    data = tomllib.loads((rules_root() / "zh" / "indicators.toml").read_text(encoding="utf-8"))
    for entry in data["indicator"]:
        unknown = set(entry.get("kinds", [])) - known
        assert not unknown, f"{entry['code']}: unknown unit kinds {unknown}"


def test_scope_words_in_letters_end_at_a_space():
    rules = load_rules("en")
    assert canonical_indicator("the GDP", "money", rules).code == "gdp"
    assert canonical_indicator("Total imports and exports", "rate", rules).code == "foreign_trade"
    assert canonical_indicator("anCPI", "rate", rules) is None
    assert canonical_indicator("Consumer prices", "rate", rules).code == "cpi"
