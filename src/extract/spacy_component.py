"""A spaCy pipeline component: `nlp.add_pipe("extract_indicators")`.

Works on a blank `zh` or `en` pipeline (no model needed) and on any other: it
reads `doc.text` with this project's extractor and sets `doc._.indicators`, a
list of dicts with the same fields as the JSON output, and `doc.spans["indicators"]`,
one span per indicator labelled with its kind (where the span falls on token
boundaries). Registered through the `spacy_factories` entry point, so installing
the package is enough.

Figure ids are `<doc_id>#<n>` as in the JSON output. The doc_id is
`doc.user_data["doc_id"]` when the caller set it (and `doc.user_data["report_year"]`
overrides the component's report year for that Doc); else it is made from the
text, `doc-` and the first 12 hex digits of its SHA-256, so that the figures of
two different texts never share ids and the same text always gets the same ones.
"""

from __future__ import annotations

import hashlib

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
        report_year = _year(doc.user_data.get("report_year", self.report_year))
        extraction = extract_text(doc.text, doc_id=doc_id(doc), report_year=report_year, extractor=self.extractor)
        indicators = document_json(extraction)["indicators"]
        doc._.indicators = indicators
        spans = []
        for indicator in indicators:
            span = doc.char_span(*indicator["span"], label=indicator["kind"], alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["indicators"] = spans
        return doc


def doc_id(doc: Doc) -> str:
    """The caller's name for a Doc (a number is a name too), else one made from its text."""
    given = doc.user_data.get("doc_id")
    if given is not None and str(given):
        return str(given)
    return "doc-" + hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _year(value: object) -> int | None:
    """A report year as the caller gave it: 2025 or "2025"; anything else is an error
    that says so, not a failure deep in the extractor."""
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(f"report_year must be a year such as 2025, not {value!r}")


@Language.factory(
    "extract_indicators",
    default_config={"report_year": None},
    assigns=["doc._.indicators", "doc.spans"],
)
def make_indicators(nlp: Language, name: str, report_year: int | None) -> IndicatorExtractor:
    return IndicatorExtractor(nlp, name, report_year)
