"""Records passed between the stages. All frozen: a stage returns new records.

The two made for every sentence and every number of a report (Sentence, Quantity)
are named tuples: built in one call, where a frozen dataclass sets each field
through object.__setattr__ (four times the cost; 1.6% of the instructions of a run).
The records a caller of the API receives are frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

# How far before or after a number the grammar looks (comparator words, change
# verbs, exclusions). Bounded, so that a run-on sentence of any length costs time
# in proportion to its length, not to its square.
CONTEXT = 80


def text_before(text: str, position: int, size: int = CONTEXT) -> str:
    """The `size` characters of `text` that end at `position`."""
    return text[position - size if position > size else 0 : position]


@dataclass(frozen=True)
class RawDocument:
    """A report as read from disk: decoded text plus where it came from."""

    doc_id: str
    source: str
    sha256: str
    text: str
    encoding: str
    # "text", or "html" for a web page whose article text is extracted.
    markup: str = "text"


class Sentence(NamedTuple):
    """A sentence of the normalized text. `start`/`end` index the normalized text."""

    start: int
    end: int
    text: str
    paragraph: int
    is_heading: bool


@dataclass(frozen=True)
class Unit:
    """A unit as written (`亿元`) and its base unit (`CNY`, factor 1e8)."""

    surface: str
    base: str
    factor: Decimal
    kind: str


class Quantity(NamedTuple):
    """A number with its unit, found in a sentence. Offsets index the normalized text:
    `start` is where the number begins, `end` is after the unit and any trailing
    comparator word (以上)."""

    start: int
    end: int
    value: Decimal
    value_max: Decimal | None
    unit: Unit
    comparator: str

    @property
    def base_value(self) -> Decimal:
        return self.value * self.unit.factor

    @property
    def base_value_max(self) -> Decimal | None:
        return None if self.value_max is None else self.value_max * self.unit.factor


@dataclass(frozen=True)
class TimeFrame:
    """What a figure is (target, actual, estimate, other) and the year it refers to."""

    kind: str
    year: int | None


@dataclass(frozen=True)
class Indicator:
    """One quantity with everything attached, offsets into the ORIGINAL text."""

    span: tuple[int, int]
    text: str
    sentence: str
    metric: str | None
    # The code of a standard indicator (rules/<lang>/indicators.toml), or None.
    indicator: str | None
    metric_en: str | None
    value: Decimal
    value_max: Decimal | None
    unit: str
    base_unit: str
    base_value: Decimal
    base_value_max: Decimal | None
    comparator: str
    change: str | None
    kind: str
    year: int | None
    # The place or average the figure is compared with (高于全国0.9个百分点: 全国),
    # None for the region's own figures.
    compared_with: str | None = None
    # The figure's sentence in the original text: its half-open span, and the text of
    # that span as a reader quotes it (original script and punctuation).
    sentence_span: tuple[int, int] = (0, 0)
    quote: str = ""


@dataclass(frozen=True)
class Extraction:
    """The result for one report: document facts and its indicators in order."""

    doc_id: str
    source: str
    sha256: str
    language: str
    script: str | None
    region: str | None
    report_year: int | None
    indicators: tuple[Indicator, ...] = field(default_factory=tuple)
