"""Every example and counter-example written in rules/ runs through the whole
pipeline here; the test code lists no cases of its own."""

from __future__ import annotations

import tomllib

import pytest

from extract.pipeline import extract_text
from extract.rules import RULE_FILES, RuleCase, rule_cases, rules_root
from extract.serialize import document_json

LANGUAGES = ("zh", "en")
CASES = [(lang, case) for lang in LANGUAGES for case in rule_cases(lang)]

# Example keys -> where the value sits in an indicator of the JSON output.
FIELDS = {
    "value": ("value",),
    "value_max": ("value_max",),
    "unit": ("unit",),
    "quantity": ("quantity", "value"),
    "quantity_max": ("quantity", "value_max"),
    "base": ("quantity", "unit"),
    "comparator": ("comparator",),
    "change": ("change",),
    "kind": ("kind",),
    "year": ("year",),
    "metric": ("metric",),
    "metric_en": ("metric_en",),
    "indicator": ("indicator",),
    "compared_with": ("compared_with",),
}


def _document(case: dict, extractor) -> dict:
    return document_json(extract_text(case["text"], report_year=case.get("report_year"), extractor=extractor))


def _get(indicator: dict, path: tuple[str, ...]):
    for key in path:
        indicator = indicator[key]
    return indicator


def _expected(value):
    return None if value == "none" else value


def test_rules_have_cases():
    chinese = [case for lang, case in CASES if lang == "zh"]
    assert sum(c.positive for c in chinese) >= 300
    assert sum(not c.positive for c in chinese) >= 100
    assert any(lang == "en" for lang, _ in CASES)


@pytest.mark.parametrize("lang, rule_case", CASES, ids=lambda c: c if isinstance(c, str) else c.id)
def test_rule_case(lang: str, rule_case: RuleCase, extractor):
    case = rule_case.case
    print(f"rules/{lang}/{rule_case.file}.toml [{rule_case.entry}]: {case['text']}")
    document = _document(case, extractor)
    found = {ind["text"]: ind for ind in document["indicators"]}
    if not rule_case.positive:
        if "absent" in case:
            assert case["absent"] not in found, f"{case['absent']!r} should not be a quantity"
        elif "absent_change" in case:
            assert all(ind["change"] != case["absent_change"] for ind in found.values())
        elif "absent_indicator" in case:
            assert all(ind["indicator"] != case["absent_indicator"] for ind in found.values())
        else:
            assert not found, f"expected no quantity, found {list(found)}"
        return
    if "region" in case:
        assert document["region"] == _expected(case["region"])
    if "find" not in case:
        return
    assert case["find"] in found, f"{case['find']!r} not found; found {list(found)}"
    indicator = found[case["find"]]
    for key, path in FIELDS.items():
        if key in case:
            assert _get(indicator, path) == _expected(case[key]), f"{key} of {case['find']!r}"


def _entries(node, path=""):
    """Every table in a list of tables ([[unit]], [[cue]] …) of a rule file."""
    if isinstance(node, dict):
        for key, value in node.items():
            if (
                isinstance(value, list)
                and value
                and all(isinstance(v, dict) for v in value)
                and key not in {"examples", "negatives"}
            ):
                yield from ((f"{path}{key}[{i}]", v) for i, v in enumerate(value))
            elif isinstance(value, dict):
                yield from _entries(value, f"{path}{key}.")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", RULE_FILES)
def test_every_rule_entry_has_a_case(lang, name):
    data = tomllib.loads((rules_root() / lang / f"{name}.toml").read_text(encoding="utf-8"))
    bare = [path for path, entry in _entries(data) if not entry.get("examples") and not entry.get("negatives")]
    assert not bare, f"{name}.toml entries without an example or counter-example: {bare}"
