"""The spaCy component, on blank Chinese and English pipelines."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        (
            "zh",
            "2025年，全区生产总值增长5.5%以上，城镇新增就业2.2万人。",
            [("5.5%以上", "生产总值", "ge", "increase", "percent"), ("2.2万人", "城镇新增就业", "eq", None, "person")],
        ),
        (
            "en",
            "This year, we will aim for GDP growth of around 5 percent and over 12 million new urban jobs.",
            [
                ("5 percent", "GDP growth", "approx", "increase", "percent"),
                ("12 million new urban jobs", "new urban jobs", "gt", None, "count"),
            ],
        ),
    ],
)
def test_component_sets_indicators_and_spans(lang, text, expected):
    nlp = spacy.blank(lang)
    nlp.add_pipe("extract_indicators", config={"report_year": 2025})
    doc = nlp(text)
    found = [(i["text"], i["metric"], i["comparator"], i["change"], i["quantity"]["unit"]) for i in doc._.indicators]
    assert found == expected
    assert all(i["kind"] == "target" and i["year"] == 2025 for i in doc._.indicators)
    assert [span.label_ for span in doc.spans["indicators"]] == ["target"] * len(expected)
    for span, indicator in zip(doc.spans["indicators"], doc._.indicators, strict=True):
        assert indicator["text"] in span.text


def test_component_is_registered_by_the_package():
    assert "extract_indicators" in spacy.registry.factories.get_all()


def test_figures_of_two_documents_have_ids_of_their_own():
    nlp = spacy.blank("zh")
    nlp.add_pipe("extract_indicators")
    first, second = nlp.make_doc("城镇新增就业2.2万人。"), nlp.make_doc("新开工项目45个。")
    first.user_data["doc_id"] = "report-a"
    first.user_data["report_year"] = 2024
    first, second = nlp(first), nlp(second)
    assert [i["id"] for i in first._.indicators] == ["report-a#1"]
    assert first._.indicators[0]["year"] == 2024
    (made,) = [i["id"] for i in second._.indicators]
    assert made.startswith("doc-") and made.endswith("#1") and len(made) == len("doc-") + 12 + 2
    assert nlp("新开工项目45个。")._.indicators[0]["id"] == made, "the same text, the same id"
    assert nlp("新开工项目46个。")._.indicators[0]["id"] != made


def test_pipe_over_documents_named_by_the_caller():
    nlp = spacy.blank("en")
    nlp.add_pipe("extract_indicators", config={"report_year": 2025})
    named = []
    for text, name in [("We will build 40 new schools.", "plan-a"), ("We will hire 500 nurses.", "plan-b")]:
        doc = nlp.make_doc(text)
        doc.user_data["doc_id"] = name
        named.append(doc)
    ids = [i["id"] for doc in nlp.pipe(named) for i in doc._.indicators]
    assert ids == ["plan-a#1", "plan-b#1"]


def test_a_year_and_a_name_as_the_caller_writes_them():
    nlp = spacy.blank("zh")
    nlp.add_pipe("extract_indicators")
    doc = nlp.make_doc("城镇新增就业2.2万人。")
    doc.user_data.update(doc_id=7, report_year="2024")
    (indicator,) = nlp(doc)._.indicators
    assert indicator["id"] == "7#1" and indicator["year"] == 2024
    wrong = nlp.make_doc("城镇新增就业2.2万人。")
    wrong.user_data["report_year"] = "last year"
    with pytest.raises(ValueError, match="report_year must be a year"):
        nlp(wrong)
