"""A spaCy pipeline component: `nlp.add_pipe("extract_indicators")`.

Works on a blank `zh` or `en` pipeline (no model needed) and on any other: it
reads `doc.text` with this project's extractor and sets `doc._.indicators`, a
list of dicts with the same fields as the JSON output, and `doc.spans["indicators"]`,
one span per indicator labelled with its kind (where the span falls on token
boundaries). Registered through the `spacy_factories` entry point, so installing
the package is enough.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .pipeline import Extractor, extract_text
from .serialize import document_json


class IndicatorExtractor:
    def __init__(self, nlp: Language, name: str, report_year: int | None):
        self.name = name
        self.report_year = report_year
        self.extractor = Extractor()
        if not Doc.has_extension("indicators"):
            Doc.set_extension("indicators", default=None)

    def __call__(self, doc: Doc) -> Doc:
        extraction = extract_text(doc.text, doc_id="doc", report_year=self.report_year, extractor=self.extractor)
        indicators = document_json(extraction)["indicators"]
        doc._.indicators = indicators
        spans = []
        for indicator in indicators:
            span = doc.char_span(*indicator["span"], label=indicator["kind"], alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["indicators"] = spans
        return doc


@Language.factory(
    "extract_indicators",
    default_config={"report_year": None},
    assigns=["doc._.indicators", "doc.spans"],
)
def make_indicators(nlp: Language, name: str, report_year: int | None) -> IndicatorExtractor:
    return IndicatorExtractor(nlp, name, report_year)
