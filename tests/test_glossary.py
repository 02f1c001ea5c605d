"""The English glossary: its size and how much of the corpus it glosses."""

from __future__ import annotations

import json

import pytest

from extract.attach import BRACKETED, _strip_left_words, gloss
from extract.rules import load_rules

from conftest import OUTPUTS

RULES = load_rules("zh")


def test_glossary_has_the_common_metrics():
    assert len(RULES.glossary_terms) >= 200
    assert RULES.glossary_terms["一般公共预算收入"] == "general public budget revenue"


def _chinese_indicators() -> list[dict]:
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in OUTPUTS.glob("*.json")]
    return [i for d in documents if d["language"] == "zh" for i in d["indicators"]]


def test_half_the_corpus_metrics_are_glossed():
    indicators = _chinese_indicators()
    assert sum(bool(i["metric_en"]) for i in indicators) / len(indicators) >= 0.5


def test_no_metric_is_glossed_by_a_bare_head_word():
    # 企业 -> enterprises for 专精特新中小企业 and 85 other kinds helps no one.
    scope = RULES.phrase.modal_left | RULES.phrase.strip_left
    checked = 0
    for indicator in _chinese_indicators():
        bare = BRACKETED.sub("", _strip_left_words(indicator["metric"] or "", scope))
        head = next(((w, e) for w, e in RULES.glossary_heads if bare.endswith(w)), None)
        if head is None or indicator["indicator"] is not None or bare in RULES.glossary_terms:
            continue
        checked += 1
        assert bare == head[0] or indicator["metric_en"] != head[1], indicator["metric"]
    assert checked > 100


@pytest.mark.parametrize(
    "metric, english",
    [
        ("全区生产总值", "GDP"),
        ("区级一般公共预算收入", "district general public budget revenue"),
        ("规模以上工业增加值", "value added of industry above designated size"),
        ("海洋生产总值", "gross ocean product"),
        ("营商环境", None),
        ("新兴产业企业", "emerging industry enterprises"),
        ("国家级制造业单项冠军", "national manufacturing single-product champions"),
        ("科技型企业", "technology-based enterprises"),
        ("社康中心品质", None),
        ("重点片区投资", None),
        ("天然气产量", None),
        ("粮食产量", "grain output"),
        ("企业", "enterprises"),
        ("老旧小区(楼院)", "old residential compounds"),
    ],
)
def test_gloss_prefers_the_term_at_the_end_then_the_head(metric, english):
    assert gloss(metric, RULES) == english
