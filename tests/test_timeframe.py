"""Time frames of every kind of report: a new term's five-year review and goals, a
five-year plan's, glossary parts, estimates held in their clause, figures compared
with another place, and a report with no report year. Each case runs through the
whole pipeline (extract_text)."""

from __future__ import annotations

import pytest

from extract.pipeline import extract_text
from extract.serialize import document_json, rows


def _frames(text: str, extractor, report_year: int | None) -> dict[str, tuple[str, int | None]]:
    """text of every indicator -> (kind, year); texts must be unique in the input."""
    extraction = extract_text(text, report_year=report_year, extractor=extractor)
    frames = {i.text: (i.kind, i.year) for i in extraction.indicators}
    assert len(frames) == len(extraction.indicators), "indicator texts of a case must be unique"
    return frames


def _check(text: str, expected: dict[str, tuple[str, int | None]], extractor, report_year: int | None) -> None:
    frames = _frames(text, extractor, report_year)
    for figure, frame in expected.items():
        assert figure in frames, f"{figure!r} not found; found {list(frames)}"
        assert frames[figure] == frame, f"{figure!r}: {frames[figure]} instead of {frame}"


# 1. New-term reports -------------------------------------------------------------

NEW_TERM = """政府工作报告
一、过去五年工作回顾
过去五年，全市地区生产总值年均增长6.2%，累计新增城镇就业58万人。
2022年，面对多重压力，全市地区生产总值增长4.1%，新建学校12所。
二、今后五年的目标任务
今后五年，全市地区生产总值年均增长5.5%左右，新增高新技术企业2000家。
到2025年，研发投入强度达到3%。
2027年，全市常住人口城镇化率达到75%。
新建城市公园100个。
三、2023年工作安排
今年全市经济社会发展的主要预期目标是：地区生产总值增长6%左右，城镇新增就业11万人。
"""


def test_new_term_review_goals_and_plan(extractor):
    _check(
        NEW_TERM,
        {
            "6.2%": ("actual", 2022),
            "58万人": ("actual", 2022),
            "4.1%": ("actual", 2022),
            "12所": ("actual", 2022),
            # 今后五年: the report year and four more, never the report year.
            "5.5%左右": ("target", 2027),
            "2000家": ("target", 2027),
            "3%": ("target", 2025),
            # A sentence opening with a year inside the goals still names its year.
            "75%": ("target", 2027),
            "100个": ("target", 2027),
            # The year's plan after the five-year goals.
            "6%左右": ("target", 2023),
            "11万人": ("target", 2023),
        },
        extractor,
        2023,
    )


def test_report_year_found_in_a_new_term_report(extractor):
    # The plan heading names the report year: the frames are the same without it given.
    assert _frames(NEW_TERM, extractor, None) == _frames(NEW_TERM, extractor, 2023)


PLAN_REPORT = """一、“十四五”时期工作回顾
“十四五”时期，全区生产总值年均增长5.8%，建成保障性住房3.2万套。
2025年，全区生产总值增长5.2%。
二、“十五五”时期主要目标
“十五五”时期，全区研发投入强度提高到4%，新增上市企业30家。
到“十五五”末，全区森林覆盖率达到50%。
三、2026年工作安排
新的一年，新建学校8所。
"""


def test_first_report_of_a_five_year_plan(extractor):
    _check(
        PLAN_REPORT,
        {
            "5.8%": ("actual", 2025),
            "3.2万套": ("actual", 2025),
            "5.2%": ("actual", 2025),
            "4%": ("target", 2030),
            "30家": ("target", 2030),
            "50%": ("target", 2030),
            "8所": ("target", 2026),
        },
        extractor,
        2026,
    )


def test_since_a_plan_began_is_a_review_up_to_the_year_before(extractor):
    text = "“十四五”以来，全省地区生产总值年均增长6.1%。\n今年，新建学校9所。"
    _check(text, {"6.1%": ("actual", 2024), "9所": ("target", 2025)}, extractor, 2025)
    # After the figure (为“十四五”以来最高) it does not change the figure's frame.
    text = "一、2024年工作回顾\n原煤产量1.3亿吨，为“十四五”以来最高。"
    _check(text, {"1.3亿吨": ("actual", 2024)}, extractor, 2025)


@pytest.mark.parametrize("opening", ["本届政府履职以来", "五年来", "过去五年"])
def test_term_review_openings(opening, extractor):
    text = f"{opening}，累计建成保障性住房8万套。\n今年，新建学校9所。"
    _check(text, {"8万套": ("actual", 2022), "9所": ("target", 2023)}, extractor, 2023)


# 4. Ordinary reports are unchanged; no report year ---------------------------------

ORDINARY = """一、2024年工作回顾
2024年，全市地区生产总值增长5.1%，新建学校10所。
这一年，新增上市企业6家。
二、2025年工作安排
今年主要预期目标：地区生产总值增长5%左右。
到2027年，高新技术企业达到3000家。
"""


def test_ordinary_report(extractor):
    _check(
        ORDINARY,
        {
            "5.1%": ("actual", 2024),
            "10所": ("actual", 2024),
            "6家": ("actual", 2024),
            "5%左右": ("target", 2025),
            "3000家": ("target", 2027),
        },
        extractor,
        2025,
    )


def test_review_paragraph_sentences_opening_with_a_year(extractor):
    text = (
        "过去一年，经济持续回升。2024年，全市一般公共预算收入增长3.2%。2023年，全市新建学校7所。\n今年，新建学校11所。"
    )
    _check(text, {"3.2%": ("actual", 2024), "7所": ("actual", 2023), "11所": ("target", 2025)}, extractor, 2025)


def test_no_report_year_leaves_years_unknown(extractor):
    text = "过去五年，累计新增城镇就业58万人。\n今后五年，新增高新技术企业2000家。\n今年，新建学校8所。"
    _check(
        text,
        {"58万人": ("actual", None), "2000家": ("target", None), "8所": ("target", None)},
        extractor,
        None,
    )
    # A year written in the text is not a guess.
    _check("到2030年，新能源汽车产量达到50万辆。", {"50万辆": ("target", 2030)}, extractor, None)


# 2. Glossary parts ------------------------------------------------------------------

GLOSSARY = """今年，新建学校10所。
名词解释
1.“一园三区”：总面积约45平方公里的产业园区。
2.“百千行动”：培育100家骨干企业，到2027年带动1000个村发展。
附件
2025年10件民生实事
新建社区养老服务站40个。
"""


def test_glossary_part_is_other_until_a_heading_that_names_a_time(extractor):
    _check(
        GLOSSARY,
        {
            "10所": ("target", 2025),
            "45平方公里": ("other", None),
            "100家": ("other", None),
            "1000个": ("other", None),
            # An annex of the year's promises names its year: targets again.
            "40个": ("target", 2025),
        },
        extractor,
        2025,
    )


@pytest.mark.parametrize("heading", ["有关名词解释", "名词注释", "报告中有关名词的注释", "注释", "附件"])
def test_glossary_headings(heading, extractor):
    text = f"今年，新建学校10所。\n{heading}\n3.“双百工程”：建成100个示范社区。\n4.“两链”：培育20条产业链。"
    _check(text, {"100个": ("other", None), "20条": ("other", None)}, extractor, 2025)


def test_glossary_word_inside_a_sentence_starts_no_glossary(extractor):
    _check("具体项目清单见附件。新建学校10所。", {"10所": ("target", 2025)}, extractor, 2025)


# 3. Estimates hold in their own clause ----------------------------------------------


def test_estimate_holds_in_its_clause_only(extractor):
    text = "过去一年，新增省级工程中心16家、累计40家，研发投入强度预计达2.8%，新增发明专利5000件。"
    _check(
        text,
        {
            "16家": ("actual", 2024),
            "40家": ("actual", 2024),
            "2.8%": ("estimate", 2024),
            "5000件": ("actual", 2024),
        },
        extractor,
        2025,
    )


def test_hopeful_is_an_estimate(extractor):
    text = "一、2024年工作回顾\n前三季度工业增加值增长6%，全年有望突破800亿元，外贸进出口增长3%。新建学校5所。"
    _check(
        text,
        {"6%": ("actual", 2024), "800亿元": ("estimate", 2024), "3%": ("actual", 2024), "5所": ("actual", 2024)},
        extractor,
        2025,
    )


def test_estimate_never_runs_into_following_sentences(extractor):
    text = "过去一年，预计全市地区生产总值增长5%左右。新建学校6所。城镇新增就业2万人。"
    _check(
        text,
        {"5%左右": ("estimate", 2024), "6所": ("actual", 2024), "2万人": ("actual", 2024)},
        extractor,
        2025,
    )


def test_estimate_word_as_a_clause_of_its_own_covers_its_sentence(extractor):
    text = "过去一年，经济回升向好。初步预计，全市地区生产总值增长5%左右，一般公共预算收入增长3%。新建学校6所。"
    _check(
        text,
        {"5%左右": ("estimate", 2024), "3%": ("estimate", 2024), "6所": ("actual", 2024)},
        extractor,
        2025,
    )


def test_cues_after_a_figure(extractor):
    # 到2027年 after a figure qualifies what follows it only ...
    text = "今年，新建学校10所，到2027年累计达到50所。"
    _check(text, {"10所": ("target", 2025), "50所": ("target", 2027)}, extractor, 2025)
    # ... but a span of years in brackets after the figure is its period.
    _check("培育专精特新企业300家（2025—2027年）。", {"300家": ("target", 2027)}, extractor, 2025)


# 5. Figures compared with another place --------------------------------------------


@pytest.mark.parametrize(
    "text, figure, place, change",
    [
        ("全市地区生产总值增长5.8%，增速高于全国0.9个百分点。", "0.9个百分点", "全国", "increase"),
        ("农村居民收入增长7%，高于全市平均水平3个百分点。", "3个百分点", "全市平均水平", "increase"),
        ("工业投资增长9%，快于全省1.2个百分点。", "1.2个百分点", "全省", "increase"),
        ("居民消费价格上涨1%，低于全国0.5个百分点。", "0.5个百分点", "全国", "decrease"),
        ("城镇登记失业率比全国低1.1个百分点。", "1.1个百分点", "全国", "decrease"),
        ("人均研发经费接近全国平均水平2倍。", "2倍", "全国平均水平", None),
    ],
)
def test_comparison_with_another_place(text, figure, place, change, extractor):
    indicators = {i.text: i for i in extract_text(text, report_year=2025, extractor=extractor).indicators}
    assert indicators[figure].compared_with == place
    assert indicators[figure].change == change
    others = [i for t, i in indicators.items() if t != figure]
    assert all(i.compared_with is None for i in others)


def test_compared_with_in_json_and_rows(extractor, validator):
    text = "全市地区生产总值增长5.8%，增速高于全国0.9个百分点。"
    document = document_json(extract_text(text, report_year=2025, extractor=extractor))
    validator.validate(document)
    assert [i["compared_with"] for i in document["indicators"]] == [None, "全国"]
    assert [row["compared_with"] for row in rows(document)] == [None, "全国"]
    keys = list(document["indicators"][1])
    assert keys.index("compared_with") == keys.index("year") + 1


def test_english_comparison(extractor):
    text = "Retail sales grew 7.2 percent, 0.9 percentage points higher than the national average."
    indicators = {i.text: i for i in extract_text(text, report_year=2025, extractor=extractor).indicators}
    assert indicators["0.9 percentage points"].compared_with == "the national average"
    assert indicators["0.9 percentage points"].change == "increase"
    assert indicators["7.2 percent"].compared_with is None
