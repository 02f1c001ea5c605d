"""The chain of stages, and nothing else:

read -> normalize -> sentences -> quantities -> attach (metric, change, kind,
year) -> records with spans into the original text.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .attach import attach_changes, attach_metrics, gloss
from .model import Extraction, Indicator, RawDocument, Unit
from .normalize import normalize
from .quantities import find_quantities
from .read import read_document
from .rules import Rules, load_rules
from .sentences import split_sentences
from .timeframe import assign_frames, find_region, find_report_year
from .tokenize import Tokenizer


class Extractor:
    """Holds the compiled rules and the (lazily loaded) tokenizer for many documents."""

    def __init__(self, rules: Rules | None = None):
        self.rules = rules or load_rules("zh")
        self.tokenizer = Tokenizer(self.rules)

    def extract(self, raw: RawDocument, report_year: int | None = None) -> Extraction:
        rules = self.rules
        norm = normalize(raw.text, rules, raw.markup)
        sentences = split_sentences(norm.text, rules.heading_max_chars)
        year = report_year or find_report_year(norm.text, rules)
        region = find_region(norm.text, rules)
        currency = rules.local_currency.get(region or "")
        quantities = [find_quantities(s, rules) for s in sentences]
        frames = assign_frames(sentences, quantities, year, rules)
        indicators: list[Indicator] = []
        for sentence, found, frames_of in zip(sentences, quantities, frames, strict=True):
            metrics = attach_metrics(sentence, found, self.tokenizer, rules) if found else []
            changes = attach_changes(sentence, found, rules)
            for quantity, metric, change, frame in zip(found, metrics, changes, frames_of, strict=True):
                start, end = norm.offsets.span_to_original(quantity.start, quantity.end)
                indicators.append(
                    Indicator(
                        span=(start, end),
                        text=raw.text[start:end],
                        sentence=sentence.text,
                        metric=metric,
                        metric_en=gloss(metric, rules),
                        value=quantity.value,
                        value_max=quantity.value_max,
                        unit=quantity.unit.surface,
                        base_unit=_local(quantity.unit, currency),
                        base_value=quantity.base_value,
                        base_value_max=quantity.base_value_max,
                        comparator=quantity.comparator,
                        change=change,
                        kind=frame.kind,
                        year=frame.year,
                    )
                )
        return Extraction(
            doc_id=raw.doc_id,
            source=raw.source,
            sha256=raw.sha256,
            language="zh",
            script=norm.script,
            region=region,
            report_year=year,
            indicators=tuple(indicators),
        )


def _local(unit: Unit, currency: str | None) -> str:
    """元 is the local currency of a government that has one; 人民币 stays CNY."""
    if currency and unit.base == "CNY" and "人民币" not in unit.surface:
        return currency
    return unit.base


def extract_text(
    text: str, doc_id: str = "text", report_year: int | None = None, extractor: Extractor | None = None
) -> Extraction:
    """Extract the indicators of a report given as a string."""
    raw = RawDocument(
        doc_id=doc_id,
        source="<text>",
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text=text,
        encoding="utf-8",
    )
    return (extractor or Extractor()).extract(raw, report_year)


def extract_file(path: str | Path, doc_id: str | None = None, extractor: Extractor | None = None) -> Extraction:
    """Read a report file and extract its indicators (ReadError if it cannot be read)."""
    return (extractor or Extractor()).extract(read_document(path, doc_id))
