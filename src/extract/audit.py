"""What looks wrong in a batch of outputs: figures without a metric, metrics that
are verbs or time words, impossible years, units the extractor does not know,
numbers it left out, documents without region or report year.

The checks are pure functions over the contract's document dicts (and the
original text of a report when it is at hand); `Auditor.audit` adds them up over
a batch, keeping counts and a few examples only, so a batch of any size is never
held whole. Words come from rules/: the extraction rules themselves and the
`[audit]` table of rules/<lang>/audit.toml.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import regex
import tomli

from .html import looks_like_html
from .normalize import normalize
from .rules import EnglishPhraseRules, PhraseRules, RuleError, Rules, load_rules, rules_root
from .tokenize import Token, Tokenizer

# A figure's year this far from its report's year is taken for a misreading:
# reviews reach back a five-year plan, goals forward to a long-range vision (2035).
YEARS_BEFORE = 5
YEARS_AFTER = 10
MAX_EXAMPLES = 5
# Characters on either side of a figure in an example's excerpt.
EXCERPT = 30
# Arabic numbers only: a Chinese numeral before a classifier (一个, 两项) is far more
# often a word than a figure.
NUMBER = regex.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")
AUDIT_KEYS = ("metric_end_tags", "time_words", "measure_words", "calendar", "ordinal_before")


@dataclass(frozen=True)
class Check:
    """One row of the audit. `base` is what its share is of: figures, reports, or
    numbers (the numbers followed by a unit-like word in the texts read)."""

    name: str
    description: str
    base: str


CHECKS = (
    Check("no_metric", "figures with no metric", "figures"),
    Check("one_char_metric", "metric of one character", "figures"),
    Check("metric_ends_in_verb", "metric ending in a verb, adverb or predicate word", "figures"),
    Check("metric_time_word", "metric holding a time word", "figures"),
    Check("no_year", "figures with no year (kind other aside)", "figures"),
    Check("year_far", f"year over {YEARS_BEFORE} before or {YEARS_AFTER} after the report year", "figures"),
    Check("target_before_report_year", "kind target for a year before the report year", "figures"),
    Check("unknown_unit", "number followed by a measure word that is no known unit", "numbers"),
    Check("left_out", "number with a known unit that no indicator covers", "numbers"),
    Check("no_region", "documents with no region", "reports"),
    Check("no_report_year", "documents with no report year", "reports"),
)
CHECK_NAMES = tuple(check.name for check in CHECKS)


@dataclass(frozen=True)
class AuditRules:
    """The words of one language the checks use."""

    language: str
    extraction: Rules
    # Words a metric should not end in: predicates, leading verbs, change verbs.
    predicates: frozenset[str]
    # jieba tags of such words, and words that are nouns here whatever their tag.
    end_tags: frozenset[str]
    nouns: frozenset[str]
    time_words: frozenset[str]
    measure_words: frozenset[str]
    calendar: tuple[str, ...]
    ordinal_before: tuple[str, ...]
    # A metric's words (jieba's for Chinese, with tags; spaces for English).
    words: Callable[[str], Sequence[Token]]


@dataclass(frozen=True)
class Example:
    doc_id: str
    id: str | None
    text: str | None
    metric: str | None
    excerpt: str | None


@dataclass(frozen=True)
class Finding:
    """A check that fired, with what shows it."""

    check: str
    example: Example


@dataclass(frozen=True)
class NumberScan:
    """What a report's text holds beyond its indicators: how many numbers are followed
    by a unit-like word, and the findings among them."""

    numbers: int
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class CheckResult:
    check: Check
    count: int
    share: float | None
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class Audit:
    """The audit of a batch: totals and one result per check, in CHECKS order."""

    reports: int
    reports_with_text: int
    figures: int
    numbers: int
    distinct_metrics: int
    results: tuple[CheckResult, ...]

    @property
    def distinct_metrics_per_figure(self) -> float | None:
        return _share(self.distinct_metrics, self.figures)


# --- the rules -------------------------------------------------------------


def audit_table(lang: str) -> dict[str, list[str]]:
    """The [audit] table of rules/<lang>/audit.toml (RuleError when it is missing)."""
    path = rules_root() / lang / "audit.toml"
    try:
        table = tomli.loads(path.read_text(encoding="utf-8"))["audit"]
        return {key: list(table[key]) for key in AUDIT_KEYS}
    except (OSError, tomli.TOMLDecodeError, KeyError, TypeError) as exc:
        raise RuleError(f"{path} [audit]: {exc!r}; it needs the keys {', '.join(AUDIT_KEYS)}") from exc


def load_audit_rules(lang: str, tokenizer: Tokenizer | None = None) -> AuditRules:
    """The audit words of a language; Chinese metrics are cut by `tokenizer` (one made
    from the rules when none is given)."""
    rules = load_rules(lang)
    table = audit_table(lang)
    predicates, nouns = _predicates(rules)
    if lang == "zh":
        chinese = tokenizer or Tokenizer(rules)
        # Metrics repeat across a batch (生产总值 in every report): cut each once.
        words: Callable[[str], Sequence[Token]] = lru_cache(maxsize=1 << 16)(lambda text: tuple(chinese.tokens(text)))
    else:
        words = _english_words
    return AuditRules(
        language=lang,
        extraction=rules,
        predicates=predicates,
        end_tags=frozenset(table["metric_end_tags"]),
        nouns=nouns,
        time_words=frozenset(word.casefold() for word in table["time_words"]),
        measure_words=frozenset(table["measure_words"]),
        calendar=tuple(table["calendar"]),
        ordinal_before=tuple(table["ordinal_before"]),
        words=words,
    )


def _predicates(rules: Rules) -> tuple[frozenset[str], frozenset[str]]:
    """Words a metric should not end in, and the glossary's nouns (its head words and
    the words its terms end in), which may end one whatever jieba's tag says."""
    verbs = {word for word, _ in rules.change.words if " " not in word}
    nouns = {head for head, _ in rules.glossary_heads}
    nouns |= {term[-n:] for term in rules.glossary_terms for n in range(1, len(term) + 1)}
    phrase = rules.phrase
    if isinstance(phrase, PhraseRules):
        verbs |= phrase.predicates_after | phrase.left_words | set(phrase.trailing_adverbs)
    elif isinstance(phrase, EnglishPhraseRules):
        verbs |= phrase.verbs | phrase.predicates
        # English change words are nouns as well (GDP growth): the heads a metric may have.
        nouns |= phrase.change_nouns | phrase.generic_heads | phrase.quantity_heads
    nouns |= set(rules.nouns)
    return frozenset(word.casefold() for word in verbs - nouns), frozenset(nouns)


def _english_words(text: str) -> tuple[Token, ...]:
    return tuple(Token(word, None) for word in text.split())


# --- checks on a figure and on a document ------------------------------------


def figure_checks(indicator: dict[str, Any], report_year: int | None, rules: AuditRules) -> list[str]:
    """The names of the figure checks an indicator of the contract fails."""
    failed = []
    metric = indicator.get("metric")
    if metric is None or not metric.strip():
        failed.append("no_metric")
    else:
        if len(metric.strip()) == 1:
            failed.append("one_char_metric")
        if ends_in_verb(metric, rules):
            failed.append("metric_ends_in_verb")
        if holds_time_word(metric, rules):
            failed.append("metric_time_word")
    failed += _year_checks(indicator.get("year"), indicator.get("kind"), report_year)
    return failed


def ends_in_verb(metric: str, rules: AuditRules) -> bool:
    """Whether the last word of a metric is a predicate the grammar knows, or a word
    jieba tags as a verb or adverb that the glossary does not have as a noun."""
    words = rules.words(metric)
    if not words:
        return False
    last = words[-1]
    if last.word.casefold() in rules.predicates:
        return True
    return last.tag in rules.end_tags and last.word not in rules.nouns


def holds_time_word(metric: str, rules: AuditRules) -> bool:
    return any(token.word.casefold() in rules.time_words for token in rules.words(metric))


def _year_checks(year: int | None, kind: str | None, report_year: int | None) -> list[str]:
    if year is None:
        # Background figures (a glossary's) have no year by design.
        return [] if kind == "other" else ["no_year"]
    if report_year is None:
        return []
    failed = []
    if year < report_year - YEARS_BEFORE or year > report_year + YEARS_AFTER:
        failed.append("year_far")
    if kind == "target" and year < report_year:
        failed.append("target_before_report_year")
    return failed


def document_checks(document: dict[str, Any]) -> list[str]:
    """The names of the document checks a document of the contract fails."""
    failed = []
    if not document.get("region"):
        failed.append("no_region")
    if document.get("report_year") is None:
        failed.append("no_report_year")
    return failed


# --- checks on the original text ----------------------------------------------


def scan_numbers(document: dict[str, Any], original: str, rules: AuditRules) -> NumberScan:
    """Every number of the report's text followed by a unit-like word: one with a
    measure word that is no known unit is `unknown_unit`; one with a known unit that
    no indicator's span covers is `left_out`. Dates, durations and ordinals are
    skipped. The text is read as extraction reads it (HTML article, simplified)."""
    norm = normalize(original, rules.extraction, "html" if looks_like_html(original) else "text")
    covered = _Spans(document.get("indicators", []))
    numbers, findings = 0, []
    for match in NUMBER.finditer(norm.text):
        what = _unit_after(norm.text, match, rules)
        if what is None:
            continue
        numbers += 1
        start, end = match.start(), what[1]
        known = what[0]
        if known and covered.covers(norm.offsets.to_original(start)):
            continue
        example = Example(document.get("doc_id", "?"), None, norm.text[start:end], None, _around(norm.text, start, end))
        findings.append(Finding("left_out" if known else "unknown_unit", example))
    return NumberScan(numbers, tuple(findings))


def _unit_after(text: str, number: regex.Match, rules: AuditRules) -> tuple[bool, int] | None:
    """(whether it is a known unit, where the figure ends) when a unit-like word
    follows the number; None when none does, or the number is a date, a duration
    or an ordinal."""
    if any(text.endswith(word, 0, number.start()) for word in rules.ordinal_before):
        return None
    extraction = rules.extraction
    position = number.end()
    if text.startswith(tuple(extraction.between_comparators), position):
        position += 1
    position = _skip_spaces(text, position, extraction.spaces)
    if scale := extraction.scale_pattern.match(text, position):
        position = _skip_spaces(text, scale.end(), extraction.spaces)
    if _starts_with_any(text, position, rules.calendar):
        return None
    unit = extraction.unit_pattern.match(text, position)
    if unit and not _inside_word(text, unit, rules.language):
        return None if _starts_with_any(text, unit.end(), rules.calendar) else (True, unit.end())
    if position < len(text) and text[position] in rules.measure_words:
        return None if _starts_with_any(text, position + 1, rules.calendar) else (False, position + 1)
    return None


def _skip_spaces(text: str, position: int, spaces: str) -> int:
    while position < len(text) and text[position] in spaces:
        position += 1
    return position


def _starts_with_any(text: str, position: int, words: tuple[str, ...]) -> bool:
    return bool(words) and text.startswith(words, _skip_spaces(text, position, " "))


def _inside_word(text: str, unit: regex.Match, language: str) -> bool:
    """An English unit must be a word of its own (5 mu, not 5 museums)."""
    return language == "en" and unit.end() < len(text) and text[unit.end()].isalpha()


class _Spans:
    """The spans of a document's indicators, for asking whether one covers a position."""

    def __init__(self, indicators: Iterable[dict[str, Any]]):
        self._spans = sorted(tuple(ind["span"]) for ind in indicators if ind.get("span"))
        self._starts = [start for start, _ in self._spans]

    def covers(self, position: int) -> bool:
        index = bisect.bisect_right(self._starts, position) - 1
        return index >= 0 and self._spans[index][0] <= position < self._spans[index][1]


def _around(text: str, start: int, end: int) -> str:
    """The stretch of `text` around [start, end), on one line."""
    return " ".join(text[max(0, start - EXCERPT) : end + EXCERPT].split())


def _excerpt(indicator: dict[str, Any]) -> str | None:
    """The figure's sentence around the figure (the whole of a short one)."""
    sentence = indicator.get("sentence")
    if sentence is None:
        return None
    at = sentence.find(indicator.get("text") or "\0")
    if at < 0:
        return _around(sentence, 0, min(len(sentence), EXCERPT))
    return _around(sentence, at, at + len(indicator["text"]))


# --- the batch ---------------------------------------------------------------


@dataclass
class _Row:
    """One check's count and examples, added up as documents come: the first example
    of each document first, so that the examples show several documents."""

    count: int = 0
    firsts: list[Example] = field(default_factory=list)
    others: list[Example] = field(default_factory=list)

    def add(self, example: Example) -> None:
        self.count += 1
        if all(e.doc_id != example.doc_id for e in self.firsts):
            if len(self.firsts) < MAX_EXAMPLES:
                self.firsts.append(example)
        elif len(self.others) < MAX_EXAMPLES:
            self.others.append(example)

    def examples(self) -> tuple[Example, ...]:
        return tuple((self.firsts + self.others)[:MAX_EXAMPLES])


class Auditor:
    """Audits documents one after another, with the audit rules of each language
    loaded once (and jieba shared with an Extractor when one is given)."""

    def __init__(self, tokenizer: Tokenizer | None = None):
        self._tokenizer = tokenizer
        self._rules: dict[str, AuditRules] = {}

    def rules_for(self, language: str) -> AuditRules:
        if language not in self._rules:
            self._rules[language] = load_audit_rules(language, self._tokenizer if language == "zh" else None)
        return self._rules[language]

    def audit(self, documents: Iterable[tuple[dict[str, Any], str | None]]) -> Audit:
        """The audit of (document, original text or None) pairs."""
        rows = {name: _Row() for name in CHECK_NAMES}
        metrics: set[str] = set()
        reports = with_text = figures = numbers = 0
        for document, original in documents:
            rules = self.rules_for(document.get("language") or "zh")
            reports += 1
            for name in document_checks(document):
                rows[name].add(Example(document.get("doc_id", "?"), None, None, None, document.get("source")))
            for indicator in document.get("indicators", []):
                figures += 1
                if indicator.get("metric"):
                    metrics.add(indicator["metric"])
                for name in figure_checks(indicator, document.get("report_year"), rules):
                    rows[name].add(_figure_example(document, indicator))
            if original is not None:
                with_text += 1
                scan = scan_numbers(document, original, rules)
                numbers += scan.numbers
                for finding in scan.findings:
                    rows[finding.check].add(finding.example)
        bases = {"figures": figures, "reports": reports, "numbers": numbers}
        results = tuple(
            CheckResult(
                check,
                rows[check.name].count,
                _share(rows[check.name].count, bases[check.base]),
                rows[check.name].examples(),
            )
            for check in CHECKS
        )
        return Audit(reports, with_text, figures, numbers, len(metrics), results)


def _figure_example(document: dict[str, Any], indicator: dict[str, Any]) -> Example:
    return Example(
        document.get("doc_id", "?"),
        indicator.get("id"),
        indicator.get("text"),
        indicator.get("metric"),
        _excerpt(indicator),
    )


def _share(count: int, base: int) -> float | None:
    return round(count / base, 4) if base else None


def audit_json(audit: Audit, unread: Sequence[str] = ()) -> dict[str, Any]:
    """The audit as one JSON object (its shape is in the README)."""
    return {
        "reports": audit.reports,
        "reports_with_text": audit.reports_with_text,
        "figures": audit.figures,
        "numbers": audit.numbers,
        "distinct_metrics": audit.distinct_metrics,
        "distinct_metrics_per_figure": audit.distinct_metrics_per_figure,
        "unread": list(unread),
        "checks": [
            {
                "name": result.check.name,
                "description": result.check.description,
                "base": result.check.base,
                "count": result.count,
                "share": result.share,
                "examples": [asdict(example) for example in result.examples],
            }
            for result in audit.results
        ],
    }
