"""The chain of stages, and nothing else:

read -> normalize -> sentences -> quantities -> attach (metric, change, kind,
year) -> records with spans into the original text.

A report is streamed: after normalization, sentences are read in blocks of BLOCK
and their indicators handed on block by block as they are found
(`Extractor.stream`), so memory does not grow with the number of figures.

The document's language picks the rules it is normalized and split with; each
sentence is then read with the rules of its own language, so an English
paragraph in a Chinese page (or the reverse) is read as what it is.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from .attach import Comparison, place_comparison
from .canonical import canonical_indicators
from .languages import Language, available_languages, load_language
from .model import Extraction, Indicator, Quantity, RawDocument, Sentence, TimeFrame, Unit
from .normalize import Normalized, article, detect_language, normalize
from .read import read_document
from .rules import Canonical, Rules, load_rules
from .sentences import iter_sentences
from .timeframe import Item, assign_frames, find_region, find_report_year

UNTIMED = nullcontext()
T = TypeVar("T")


class Extractor:
    """Holds the compiled rules and the (lazily loaded) tokenizer for many documents."""

    def __init__(self, rules: Rules | None = None, timings: dict[str, float] | None = None):
        # Seconds spent per stage, added up over documents, when a dict is given (bench/).
        self.timings = timings
        self.languages: dict[str, Language] = {}
        if rules is not None:
            self.languages[rules.language] = load_language(rules.language, rules, timings)

    def _stage(self, name: str) -> AbstractContextManager[None]:
        # Entered three times per sentence: untimed runs share one do-nothing context
        # instead of building a generator-based one each time.
        return UNTIMED if self.timings is None else self._timed(name)

    @contextmanager
    def _timed(self, name: str) -> Iterator[None]:
        assert self.timings is not None
        start = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def language(self, code: str) -> Language:
        """The stages of a language, built the first time they are asked for."""
        if code not in self.languages:
            self.languages[code] = load_language(code, load_rules(code), self.timings)
        return self.languages[code]

    def rules_for(self, code: str) -> Rules:
        return self.language(code).rules

    @property
    def tokenizer(self) -> Any:
        """The word segmenter of the language that has one (the audit reads Chinese
        metrics with the same one)."""
        languages = (self.language(code) for code in available_languages())
        return next((language.segmenter for language in languages if language.segmenter is not None), None)

    def warm_up(self, languages: Iterable[str] | None = None) -> None:
        """Load what the stages of these languages (all when None) load lazily, before
        the first report (a worker)."""
        for code in languages or available_languages():
            self.language(code).warm_up()

    def extract(self, raw: RawDocument, report_year: int | None = None, region: str | None = None) -> Extraction:
        facts, indicators = self.stream(raw, report_year, region)
        return replace(facts, indicators=tuple(indicators))

    def stream(
        self, raw: RawDocument, report_year: int | None = None, region: str | None = None
    ) -> tuple[Extraction, Iterator[Indicator]]:
        """The document's facts now (with no indicators), and its indicators as they
        are found, sentence by sentence: a report of any size is never held whole.
        A report year or region given (a news story does not say) overrides the text's."""
        with self._stage("normalize"):
            # Told by the article: a page's head may hold more styles and scripts
            # (Latin letters) than its article has characters.
            text = article(raw.text, raw.markup)
            language = self.language(detect_language(text.text))
            rules = language.rules
            norm = normalize(raw.text, rules, raw.markup, text)
        with self._stage("attach"):
            year = report_year or find_report_year(norm.text, rules)
            region = region or find_region(norm.text, rules)
        facts = Extraction(
            doc_id=raw.doc_id,
            source=raw.source,
            sha256=raw.sha256,
            language=language.code,
            script=norm.script,
            region=region,
            report_year=year,
        )
        currency = rules.local_currency.get(region or "")
        return facts, self._stream_indicators(norm, language, year, region, currency)

    def _stream_indicators(
        self,
        norm: Normalized,
        language: Language,
        year: int | None,
        region: str | None,
        currency: str | None,
    ) -> Iterator[Indicator]:
        items = self._sentences_with_quantities(norm.text, language)
        for block in _blocks(assign_frames(items, year)):
            with self._stage("attach"):
                indicators = self._block_indicators(norm, block, year, region, currency)
            yield from indicators

    def _sentences_with_quantities(self, text: str, document: Language) -> Iterator[Item]:
        rules = document.rules
        sentences = _blocks(
            iter_sentences(text, rules.heading_max_chars, document.sentence_pieces, rules.heading_not_ending)
        )
        while True:
            with self._stage("sentences"):
                block = next(sentences, None)
                if block is None:
                    return
                languages = [self.language(_sentence_language(s.text, document.code)) for s in block]
            with self._stage("quantities"):
                found = [language.quantities(s) for s, language in zip(block, languages, strict=True)]
            for sentence, language, quantities in zip(block, languages, found, strict=True):
                yield sentence, language.rules, quantities

    def _block_indicators(
        self,
        norm: Normalized,
        block: list[tuple[Item, list[TimeFrame]]],
        year: int | None,
        region: str | None,
        currency: str | None,
    ) -> list[Indicator]:
        """The indicators of a block of sentences, each stage run over the whole block."""
        read = [
            _Read(sentence, language, found, language.frames(sentence, found, frames, year, region))
            for (sentence, rules, found), frames in block
            if found
            for language in [self.language(rules.language)]
        ]
        comparisons = [[place_comparison(r.sentence, q, r.language.rules) for q in r.found] for r in read]
        metrics = [r.language.metrics(r.sentence, r.found, c) for r, c in zip(read, comparisons, strict=True)]
        changes = [r.language.changes(r.sentence, r.found) for r in read]
        canonicals = [
            canonical_indicators(r.sentence, r.found, m, r.language.rules) for r, m in zip(read, metrics, strict=True)
        ]
        glosses = [r.language.glosses(m, c) for r, m, c in zip(read, metrics, canonicals, strict=True)]
        indicators: list[Indicator] = []
        for attached in zip(read, comparisons, metrics, changes, canonicals, glosses, strict=True):
            indicators += self._indicators(norm, currency, *attached)
        return indicators

    def _indicators(
        self,
        norm: Normalized,
        currency: str | None,
        read: _Read,
        comparisons: list[Comparison | None],
        metrics: list[str | None],
        changes: list[str | None],
        canonicals: list[Canonical | None],
        glosses: list[str | None],
    ) -> list[Indicator]:
        sentence, found, frames, rules = read.sentence, read.found, read.frames, read.language.rules
        indicators = []
        for quantity, metric, english, change, frame, canonical, compared in zip(
            found, metrics, glosses, changes, frames, canonicals, comparisons, strict=True
        ):
            start, end = norm.original_span(quantity.start, quantity.end)
            excerpt_start, excerpt_end = _excerpt(sentence, quantity)
            sentence_start, sentence_end = norm.original_span(excerpt_start, excerpt_end)
            indicators.append(
                Indicator(
                    span=(start, end),
                    text=norm.original[start:end],
                    sentence=sentence.text[excerpt_start - sentence.start : excerpt_end - sentence.start],
                    metric=metric,
                    indicator=canonical.code if canonical else None,
                    metric_en=english,
                    value=quantity.value,
                    value_max=quantity.value_max,
                    unit=quantity.unit.surface,
                    base_unit=_local(quantity.unit, currency, rules.local_dollars),
                    base_value=quantity.base_value,
                    base_value_max=quantity.base_value_max,
                    comparator=quantity.comparator,
                    change=(compared.change or change) if compared else change,
                    kind=frame.kind,
                    year=frame.year,
                    compared_with=compared.place if compared else None,
                    sentence_span=(sentence_start, sentence_end),
                    quote=norm.quote(sentence_start, sentence_end),
                )
            )
        return indicators


class _Read(NamedTuple):
    """A sentence with figures, read: its language's stages, quantities and frames."""

    sentence: Sentence
    language: Language
    found: list[Quantity]
    frames: list[TimeFrame]


# Sentences go through the stages in blocks: each stage runs over a block's
# sentences in turn. Measured: the same calls cost about a quarter more when every
# sentence goes through all the stages before the next one (bench/RESULTS.md),
# most likely because a stage's code and rules then fall out of the processor's
# caches. A block is small, so a report is still streamed.
BLOCK = 64


def _blocks(items: Iterable[T]) -> Iterator[list[T]]:
    """`items` in lists of BLOCK, the last one shorter."""
    iterator = iter(items)
    while block := list(itertools.islice(iterator, BLOCK)):
        yield block


LONG_SENTENCE = 500
EXCERPT = 200
CLAUSE_END = "，,；;。：:、"


def _excerpt(sentence: Sentence, quantity: Quantity) -> tuple[int, int]:
    """Where the sentence of an indicator lies in the normalized text; of a run-on
    sentence (a page with no full stops), the stretch around the figure, cut at
    clause ends, so that output stays in proportion to the input."""
    text = sentence.text
    if len(text) <= LONG_SENTENCE:
        return sentence.start, sentence.end
    start = max(0, quantity.start - sentence.start - EXCERPT)
    end = min(len(text), quantity.end - sentence.start + EXCERPT)
    cut = next((i + 1 for i in range(start, quantity.start - sentence.start) if text[i] in CLAUSE_END), start)
    stop = next((i for i in range(end - 1, quantity.end - sentence.start, -1) if text[i] in CLAUSE_END), end)
    return sentence.start + cut, sentence.start + stop


def _sentence_language(text: str, document_language: str) -> str:
    """A sentence of the other language keeps its own rules (an English notice in a
    Chinese page); a short one goes with the document."""
    return detect_language(text) if len(text) >= 20 else document_language


def _local(unit: Unit, currency: str | None, dollars: frozenset[str]) -> str:
    """元 is the local currency of a government that has one of its own (Hong Kong);
    a plain `$` or "dollars" is the local dollar where the local currency is one
    (Singapore); 人民币, RMB, yuan, US$ and US dollars keep their own."""
    if not currency:
        return unit.base
    words = unit.surface.split()
    if unit.base == "CNY" and unit.surface.endswith("元") and "人民币" not in unit.surface:
        return currency
    # Only the plain forms: `$ 3 billion`, `3 billion dollars`; a named dollar (Hong
    # Kong dollars, US$) keeps its own currency.
    plain = bool(words) and (words[0] == "$" or (words[-1] == "dollars" and len(words) <= 2))
    plain_dollar = unit.base == "USD" and plain
    return currency if plain_dollar and currency in dollars else unit.base


def extract_text(
    text: str, doc_id: str = "text", report_year: int | None = None, extractor: Extractor | None = None
) -> Extraction:
    """Extract the indicators of a report given as a string."""
    raw = RawDocument(
        doc_id=doc_id,
        source="<text>",
        # surrogatepass: a lone surrogate (text cut from UTF-16 data) has no UTF-8
        # form but is text all the same.
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        text=text,
        encoding="utf-8",
    )
    return (extractor or Extractor()).extract(raw, report_year)


def extract_file(path: str | Path, doc_id: str | None = None, extractor: Extractor | None = None) -> Extraction:
    """Read a report file and extract its indicators (ReadError if it cannot be read)."""
    return (extractor or Extractor()).extract(read_document(path, doc_id))
