"""Language per document and per sentence."""

from __future__ import annotations

from extract.normalize import detect_language
from extract.pipeline import extract_text


def test_document_language():
    assert detect_language("全区生产总值增长5.5%以上。") == "zh"
    assert detect_language("GDP grew by 5 percent.") == "en"
    assert detect_language("嶗山區生產總值增長5%以上。Notice: uploaded by a user.") == "zh"


def test_document_language_counts_past_the_prefix_when_it_must():
    # Latin letters lead, Han characters decide only further on (and the other way).
    english_head = "Notice: " + "uploaded by a user of the platform. " * 40
    assert detect_language(english_head + "全区生产总值增长5.5%以上。" * 200) == "zh"
    assert detect_language("政府工作报告" + "GDP grew by 5 percent. " * 400) == "en"
    assert detect_language("政府工作报告" * 60 + "GDP grew by 5 percent. " * 400) == "en"


def test_each_sentence_is_read_in_its_own_language(extractor):
    text = (
        "2025年，全区生产总值增长5.5%以上，城镇新增就业2.2万人。\n"
        "着力扩大有效投资，突出抓好重点项目建设，推动产业结构持续优化升级，加快建设现代化产业体系，"
        "持续增进民生福祉，扎实推进共同富裕，全面提升城市治理水平，奋力谱写高质量发展新篇章。\n"
        "English summary: this year, GDP growth of around 5.5 percent and over 22,000 new urban jobs are targeted.\n"
    )
    extraction = extract_text(text, report_year=2025, extractor=extractor)
    assert extraction.language == "zh"
    found = {i.text: (i.metric, i.base_unit, i.kind) for i in extraction.indicators}
    assert found["5.5%以上"] == ("生产总值", "percent", "target")
    assert found["5.5 percent"] == ("GDP growth", "percent", "target")
    assert found["22,000 new urban jobs"] == ("new urban jobs", "count", "target")


def test_english_document_facts(extractor):
    text = (
        "Report on the Work of the Government\n"
        "Delivered at the Third Session of the 14th National People's Congress on March 5, 2025\n"
        "On behalf of the State Council, I will now report to you.\n"
        "I. A Review of Our Work in 2024\n"
        "Grain output exceeded 700 million metric tons.\n"
    )
    extraction = extract_text(text, extractor=extractor)
    assert (extraction.language, extraction.script, extraction.region, extraction.report_year) == (
        "en",
        None,
        "国务院",
        2025,
    )
    (grain,) = extraction.indicators
    assert (grain.metric, grain.kind, grain.year, grain.comparator) == ("Grain output", "actual", 2024, "gt")
