"""The English glossary: its size and how much of the corpus it glosses."""

from __future__ import annotations

import json

import pytest

from extract.attach import gloss
from extract.rules import load_rules

from conftest import OUTPUTS

RULES = load_rules("zh")


def test_glossary_has_the_common_metrics():
    assert len(RULES.glossary_terms) >= 200
    assert RULES.glossary_terms["一般公共预算收入"] == "general public budget revenue"


def test_most_corpus_metrics_are_glossed():
    indicators = [i for p in OUTPUTS.glob("*.json") for i in json.loads(p.read_text(encoding="utf-8"))["indicators"]]
    assert sum(bool(i["metric_en"]) for i in indicators) / len(indicators) >= 0.9


@pytest.mark.parametrize(
    "metric, english",
    [
        ("全区生产总值", "GDP"),
        ("区级一般公共预算收入", "general public budget revenue"),
        ("规模以上工业增加值", "value added of industry above designated size"),
        ("海洋生产总值", "gross ocean product"),
        ("营商环境", None),
        ("新兴产业企业", "enterprises"),
        ("社康中心品质", "centers"),
        ("老旧小区(楼院)", "old residential compounds"),
    ],
)
def test_gloss_prefers_the_term_at_the_end_then_the_head(metric, english):
    assert gloss(metric, RULES) == english
