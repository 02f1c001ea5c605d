"""`extract audit`'s checks, each on small documents where it fires and where it
does not (src/extract/audit.py)."""

from __future__ import annotations

import pytest

from extract.audit import (
    CHECK_NAMES,
    MAX_EXAMPLES,
    YEARS_AFTER,
    YEARS_BEFORE,
    Auditor,
    audit_json,
    document_checks,
    ends_in_verb,
    figure_checks,
    holds_time_word,
    load_audit_rules,
    scan_numbers,
)
from extract.pipeline import extract_text
from extract.serialize import document_json


@pytest.fixture(scope="module")
def zh(extractor):
    return load_audit_rules("zh", extractor.tokenizer)


@pytest.fixture(scope="module")
def en():
    return load_audit_rules("en")


def _figure(metric="生产总值", year=2025, kind="target", text="5%"):
    return {
        "id": "d#1",
        "text": text,
        "metric": metric,
        "year": year,
        "kind": kind,
        "sentence": f"{metric}增长{text}。",
    }


def _document(text: str, report_year: int | None = 2025, doc_id: str = "d", extractor=None) -> dict:
    return document_json(extract_text(text, doc_id=doc_id, report_year=report_year, extractor=extractor))


# --- metrics ---------------------------------------------------------------


def test_no_metric(zh):
    assert "no_metric" in figure_checks(_figure(metric=None), 2025, zh)
    assert "no_metric" in figure_checks(_figure(metric="  "), 2025, zh)
    assert "no_metric" not in figure_checks(_figure(metric="生产总值"), 2025, zh)


def test_one_char_metric(zh):
    assert "one_char_metric" in figure_checks(_figure(metric="赛"), 2025, zh)
    assert "one_char_metric" not in figure_checks(_figure(metric="赛事"), 2025, zh)
    assert "one_char_metric" not in figure_checks(_figure(metric=None), 2025, zh), "no metric is its own check"


@pytest.mark.parametrize(
    "metric",
    [
        "累计改造",  # a verb of phrase.strip_left / predicates_after
        "道路设施整治",  # phrase.predicates_after
        "发热门诊增加",  # a change verb
        "污染治理",  # no rule lists it: jieba tags it a verb
        "必须",  # jieba: an adverb
    ],
)
def test_metric_ending_in_a_verb_fires(zh, metric):
    assert ends_in_verb(metric, zh)
    assert "metric_ends_in_verb" in figure_checks(_figure(metric=metric), 2025, zh)


@pytest.mark.parametrize(
    "metric",
    [
        "生产总值",
        "城镇新增就业",
        "群众诉求",  # jieba tags 诉求 a verb, but it is a glossary head word
        "项目投入",  # 投入 (a verb to jieba) ends a glossary term
        "一般公共预算收入",
        "固定资产投资",
        "重点项目",
    ],
)
def test_metric_ending_in_a_noun_does_not_fire(zh, metric):
    assert not ends_in_verb(metric, zh)


def test_english_metric_ending_in_a_verb(en):
    assert ends_in_verb("tax rates from", en)
    assert ends_in_verb("the frontier and grow", en)
    assert not ends_in_verb("GDP growth", en), "a change noun is a head, not a verb"
    assert not ends_in_verb("urban jobs", en)


@pytest.mark.parametrize("metric", ["四季度", "全年粮食产量", "2024年工业投资", "上半年"])
def test_metric_holding_a_time_word_fires(zh, metric):
    assert holds_time_word(metric, zh)
    assert "metric_time_word" in figure_checks(_figure(metric=metric), 2025, zh)


@pytest.mark.parametrize("metric", ["老年人口", "青年人才", "粮食产量", "年均增速"])
def test_metric_without_a_time_word_does_not_fire(zh, metric):
    assert not holds_time_word(metric, zh)


def test_english_time_word(en):
    assert holds_time_word("years old", en)
    assert not holds_time_word("urban jobs", en)


# --- years -----------------------------------------------------------------


def test_no_year(zh):
    assert "no_year" in figure_checks(_figure(year=None), 2025, zh)
    assert "no_year" not in figure_checks(_figure(year=2025), 2025, zh)
    assert "no_year" not in figure_checks(_figure(year=None, kind="other"), 2025, zh)


def test_year_far_from_the_report_year(zh):
    def far(year: int) -> bool:
        return "year_far" in figure_checks(_figure(year=year, kind="actual"), 2025, zh)

    assert far(2025 - YEARS_BEFORE - 1) and far(2025 + YEARS_AFTER + 1)
    assert not far(2025 - YEARS_BEFORE) and not far(2025 + YEARS_AFTER) and not far(2024)
    assert "year_far" not in figure_checks(_figure(year=1990), None, zh), "without a report year, no judgement"


def test_target_for_a_year_before_the_report_year(zh):
    def fires(kind: str, year: int) -> bool:
        return "target_before_report_year" in figure_checks(_figure(year=year, kind=kind), 2025, zh)

    assert fires("target", 2024)
    assert not fires("actual", 2024) and not fires("target", 2025) and not fires("target", 2027)


# --- documents -------------------------------------------------------------


def test_documents_without_region_or_report_year():
    assert document_checks({"region": None, "report_year": None}) == ["no_region", "no_report_year"]
    assert document_checks({"region": "崂山区", "report_year": 2025}) == []


def test_document_facts_from_extraction(extractor):
    story = _document("新建学校6所。", report_year=None, extractor=extractor)
    assert document_checks(story) == ["no_region", "no_report_year"]
    report = _document("现在，我代表崂山区人民政府，向大会报告工作。2025年新建学校6所。", extractor=extractor)
    assert document_checks(report) == []


# --- the original text -----------------------------------------------------


def test_unknown_unit(zh, extractor):
    text = "新建3孔窑洞，推进110千伏线路改造，开通12条公交线路。"
    scan = scan_numbers(_document(text, extractor=extractor), text, zh)
    found = {(f.check, f.example.text) for f in scan.findings}
    assert found == {("unknown_unit", "3孔"), ("unknown_unit", "110千伏")}
    assert scan.numbers == 3


def test_left_out(zh, extractor):
    text = "开通12条公交线路，新建学校6所。"
    document = _document(text, extractor=extractor)
    assert scan_numbers(document, text, zh).findings == (), "every figure is an indicator"
    missing = {**document, "indicators": [i for i in document["indicators"] if i["text"] != "6所"]}
    findings = scan_numbers(missing, text, zh).findings
    assert [(f.check, f.example.text) for f in findings] == [("left_out", "6所")]
    assert "新建学校6所" in findings[0].example.excerpt


def test_dates_durations_and_ordinals_are_no_figures(zh, extractor):
    text = "2024年3月5日召开会议，用12个月时间编制第14个五年规划，工期3个季度。"
    scan = scan_numbers({"doc_id": "d", "indicators": []}, text, zh)
    assert scan.numbers == 0 and scan.findings == ()


def test_left_out_reads_html_and_traditional_text_as_extraction_does(zh, extractor):
    page = "<html><body><p>導航</p><article><p>全年開通12條公交線路，新建學校6所。</p></article></body></html>"
    document = _document(page, extractor=extractor)
    assert {i["text"] for i in document["indicators"]} >= {"12條", "6所"}
    scan = scan_numbers(document, page, zh)
    assert scan.numbers == 2 and scan.findings == (), "spans point into the HTML source"
    scan = scan_numbers({**document, "indicators": []}, page, zh)
    assert sorted(f.example.text for f in scan.findings) == ["12条", "6所"]


def test_english_left_out(en, extractor):
    text = "We will build 300 kilometers of railways. Spending rose by 3 percent."
    document = _document(text, extractor=extractor)
    assert scan_numbers(document, text, en).findings == ()
    scan = scan_numbers({**document, "indicators": []}, text, en)
    assert sorted(f.example.text for f in scan.findings) == ["3 percent", "300 kilometers"]
    assert scan_numbers({"indicators": []}, "It took 5 years and 3 museums.", en).numbers == 0


# --- the batch ---------------------------------------------------------------


def test_audit_counts_shares_and_examples(extractor):
    texts = {
        "a": "现在，我代表崂山区人民政府，向大会报告工作。2025年新建学校6所，开通12条公交线路。",
        "b": "新建学校6所，新建3孔窑洞。",
    }
    documents = [
        _document(t, report_year=2025 if k == "a" else None, doc_id=k, extractor=extractor) for k, t in texts.items()
    ]
    audit = Auditor(extractor.tokenizer).audit([(documents[0], texts["a"]), (documents[1], None)])
    assert (audit.reports, audit.reports_with_text) == (2, 1)
    assert audit.figures == sum(len(d["indicators"]) for d in documents)
    assert audit.numbers == 2, "only the text at hand is scanned"
    rows = {r.check.name: r for r in audit.results}
    assert [r.check.name for r in audit.results] == list(CHECK_NAMES)
    assert rows["no_region"].count == 1 and rows["no_region"].share == 0.5
    assert rows["no_report_year"].examples[0].doc_id == "b"
    assert rows["unknown_unit"].count == 0, "the text of b was not given"
    assert audit.distinct_metrics == len({i["metric"] for d in documents for i in d["indicators"] if i["metric"]})


def test_examples_are_few_and_from_several_documents(zh, extractor):
    many = [
        {
            "doc_id": "a",
            "language": "zh",
            "region": "x",
            "report_year": 2025,
            "indicators": [_figure(metric=None) for _ in range(10)],
        }
    ]
    many.append({**many[0], "doc_id": "b", "indicators": [_figure(metric=None)]})
    audit = Auditor(extractor.tokenizer).audit((d, None) for d in many)
    row = next(r for r in audit.results if r.check.name == "no_metric")
    assert row.count == 11 and len(row.examples) == MAX_EXAMPLES
    assert [e.doc_id for e in row.examples[:2]] == ["a", "b"], "each document's first example first"


def test_audit_json_shape(extractor):
    text = "新建学校6所。"
    audit = Auditor(extractor.tokenizer).audit([(_document(text, extractor=extractor), text)])
    result = audit_json(audit, ["x.txt: file is empty"])
    assert set(result) == {
        "reports",
        "reports_with_text",
        "figures",
        "numbers",
        "distinct_metrics",
        "distinct_metrics_per_figure",
        "unread",
        "checks",
    }
    assert result["unread"] == ["x.txt: file is empty"]
    check = result["checks"][0]
    assert set(check) == {"name", "description", "base", "count", "share", "examples"}
    assert [c["name"] for c in result["checks"]] == list(CHECK_NAMES)
    assert next(c for c in result["checks"] if c["name"] == "no_region")["examples"] == [
        {"doc_id": "d", "id": None, "text": None, "metric": None, "excerpt": "<text>"}
    ]
