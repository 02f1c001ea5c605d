"""English as published: PDF line breaks, Hansard noise, local dollars, and one
pipeline for both languages. The sentences here are made up for the tests; the
published texts are in corpus/ (d-sg-budget-2023, d-in-budget-2025)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from extract.pipeline import extract_text
from extract.rules import rules_root

SRC = Path(__file__).resolve().parents[1] / "src" / "extract"


def _found(text: str, **kwargs) -> dict[str, dict]:
    extraction = extract_text(text, **kwargs)
    return {i.text: i for i in extraction.indicators}


def test_a_figure_broken_over_a_pdf_line_keeps_its_span_in_the_original():
    text = (
        "52. A new Centre of Excellence will be set up with a total outlay of ` 500\n"
        "crore. Each infrastructure ministry will come up with a pipeline\n"
        "\n 9\n\n"
        "of projects worth ` 2 lakh crore in the next 5 years.\n"
    )
    extraction = extract_text(text, report_year=2025)
    by_text = {i.text: i for i in extraction.indicators}
    assert set(by_text) == {"` 500\ncrore", "` 2 lakh crore"}, "the page number 9 and paragraph 52 are no figures"
    for indicator in extraction.indicators:
        assert text[indicator.span[0] : indicator.span[1]] == indicator.text
    outlay = by_text["` 500\ncrore"]
    assert (outlay.base_value, outlay.base_unit, outlay.metric) == (5_000_000_000, "INR", "total outlay")
    # The line break inside the sentence is a space, not glued words (pipelineof).
    assert "pipeline of projects" in by_text["` 2 lakh crore"].sentence
    assert (by_text["` 2 lakh crore"].kind, by_text["` 2 lakh crore"].year) == ("target", 2029)


def test_a_hyphen_at_a_line_end_joins_the_word():
    found = _found("Gig workers of the new-\nage services economy will get 2 crore health cards.", report_year=2025)
    assert "new-age services economy" in found["2 crore health cards"].sentence


def test_hansard_notes_and_scraper_markdown_are_noise():
    text = (
        "# Budget Speech\n\n**Time:** 3.30 pm\n\n---\n\n**The Minister for Finance (Mr Tan)**\n\n"
        ": Mr Speaker, Sir, our economy grew by 2.1% in 2030. [Applause.]\n"
    )
    extraction = extract_text(text, report_year=2031)
    assert [(i.text, i.metric, i.kind, i.year) for i in extraction.indicators] == [("2.1%", "economy", "actual", 2030)]
    assert "[Applause.]" not in extraction.indicators[0].sentence


@pytest.mark.parametrize(
    "text, region, base",
    [
        ("Singapore will help Singaporeans. Singapore's firms grow. Each Singaporean gets $100.", "Singapore", "SGD"),
        ("India will help Indians. India's firms grow. India will receive $100 in aid.", "India", "USD"),
        ("Each household will get $100.", None, "USD"),
        ("Singapore helps Singaporeans. Singapore grows. We hold 10 billion Hong Kong dollars.", "Singapore", "HKD"),
    ],
)
def test_the_plain_dollar_is_the_local_dollar_only_where_there_is_one(text, region, base):
    extraction = extract_text(text)
    (indicator,) = extraction.indicators
    assert (extraction.region, indicator.base_unit) == (region, base)


def test_dates_ages_durations_and_bounds_of_a_group_are_no_figures():
    text = (
        "From 1 April, seniors aged 65 and above in homes with annual values of $21,000 and below "
        "will get $300 each over the next two years, and we repaid the loan two years later."
    )
    assert list(_found(text, report_year=2031)) == ["$300"]


def test_rules_of_both_languages_have_the_same_files():
    root = rules_root()
    assert {p.name for p in (root / "zh").glob("*.toml")} == {p.name for p in (root / "en").glob("*.toml")}


def test_the_pipeline_never_asks_which_language_it_reads():
    tree = ast.parse((SRC / "pipeline.py").read_text(encoding="utf-8"))
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not {"zh", "en"} & strings, "a language code in pipeline.py is a language branch"
