"""English kind and year of each figure, from the words of its own sentence.

`assign_frames` (timeframe.py) gives each figure the running frame of its part of
the text: a heading (Revised Estimates 2024-25), a sentence that opens with its
time (Last year, In FY2022,). An English sentence then says more about each of its
figures (rules/en/time.toml [tense] and [[when]]):

- the tense of the figure's clause tells a plan (will, is proposed) from a result
  (grew, has added) and from an estimate (expected, likely, Revised Estimate);
- a time phrase next to the figure names its year: $700 in 2023, $850 from 2024
  onwards, 75,000 seats in the next 5 years, 100 GW by 2047;
- the first value of `from X to Y` is the level before the change: what is, not
  what is planned (from $500 to $700: $500 is this year's level).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from . import patterns
from .english import number_words
from .model import Quantity, Sentence, TimeFrame
from .rules import Rules, TenseRules, When


@dataclass(frozen=True)
class _TimePhrase:
    start: int
    end: int
    year: int | None
    kind: str | None
    # For a span of past years (in the past 10 years): the year it starts from.
    since: int | None
    # in 5 years: the year it ends in a plan (the year named is that of a review).
    ahead: int | None = None


def refine_frames(
    sentence: Sentence,
    quantities: list[Quantity],
    frames: list[TimeFrame],
    report_year: int | None,
    region: str | None,
    rules: Rules,
) -> list[TimeFrame]:
    tense = rules.tense
    if tense is None or not quantities:
        return frames
    text = sentence.text
    phrases = _time_phrases(text, report_year, tense.whens)
    spans = [(q.start - sentence.start, q.end - sentence.start) for q in quantities]
    refined = []
    for index, ((start, end), base) in enumerate(zip(spans, frames, strict=True)):
        if base.kind == "other" and not _default(base, report_year):
            refined.append(base)  # a glossary part: background figures stay so
            continue
        next_start = spans[index + 1][0] if index + 1 < len(spans) else len(text)
        # A time phrase of a relative clause after the figure is that clause's own:
        # $2,000 for companies that employed a worker in 2023.
        relative = tense.relative.search(text, end)
        own = [p for p in phrases if relative is None or p.start < relative.start() or p.end <= start]
        # …, and in 2025 we will give $700: a time phrase of the next clause is its own.
        limit = min(next_start, _clause(text, start, end, tense)[1], relative.start() if relative else len(text))
        phrase = _phrase_for(own, start, end, limit)
        frame = _frame(text, start, end, phrase, phrases, base, report_year, tense)
        # Another country's figure keeps its year but is background, no result of ours.
        refined.append(TimeFrame("other", frame.year) if _foreign(text, start, end, region, rules) else frame)
    return refined


def _frame(
    text: str,
    start: int,
    end: int,
    phrase: _TimePhrase | None,
    phrases: list[_TimePhrase],
    base: TimeFrame,
    report_year: int | None,
    tense: TenseRules,
) -> TimeFrame:
    if _starts_a_change(text, start, end, tense):
        since = next((p.since for p in phrases if p.since is not None), None)
        return TimeFrame("actual", since if since is not None else _previous(report_year))
    kind = _kind(text, start, end, phrase, base, report_year, tense)
    if phrase is not None and phrase.ahead is not None and kind == "target":
        return TimeFrame(kind, phrase.ahead)
    if phrase is not None and phrase.year is not None:
        return TimeFrame(kind, phrase.year)
    if not _default(base, report_year) and (kind == base.kind or kind == "other"):
        return TimeFrame(kind, base.year)
    if kind == "actual":
        year = base.year if base.kind == "actual" else _previous(report_year)
        return TimeFrame(kind, year)
    if kind == "estimate" and not _default(base, report_year):
        return TimeFrame(kind, base.year)
    return TimeFrame(kind, report_year)


def _kind(
    text: str,
    start: int,
    end: int,
    phrase: _TimePhrase | None,
    base: TimeFrame,
    report_year: int | None,
    tense: TenseRules,
) -> str:
    clause = _clause(text, start, end, tense)
    if tense.background.search(text[clause[0] : start]):
        return "other"
    for scope in (text[clause[0] : clause[1]], text):
        if tense.estimate.search(scope):
            return "estimate"
        if phrase is not None and phrase.kind is not None:
            return phrase.kind
        if tense.future.search(scope):
            return "target"
        if _past(scope, tense):
            return "actual"
    if phrase is not None and phrase.year is not None and report_year is not None:
        return "actual" if phrase.year < report_year else "target"
    if not _default(base, report_year):
        return base.kind
    # A figure stated in the present tense is how things stand: the state of the
    # year before the budget (the programme provides support to 3 crore children).
    # A clause with no verb (a list item of a plan: GDP growth of around 5 percent)
    # keeps the frame of its part of the text.
    return "actual" if tense.present.search(text) else base.kind


def _foreign(text: str, start: int, end: int, region: str | None, rules: Rules) -> bool:
    """A figure of another country (Japan will allocate ¥2 trillion; their governments
    spend above 30%): the subject of its clause names a government other than the
    text's own, or other countries in general (time.toml `foreign`)."""
    tense = rules.tense
    clause_start, _ = _clause(text, start, end, tense)
    subject = text[clause_start:start]
    if tense.foreign.search(subject):
        return True
    own = rules.gazetteer.governments.get(region or "", ())
    others = tuple(m for name, words in rules.gazetteer.governments.items() if name != region for m in words)
    return bool(_places_pattern(own, others + tense.foreign_places).search(subject))


@cache
def _places_pattern(own: tuple[str, ...], places: tuple[str, ...]) -> patterns.Pattern:
    """One pattern for the names of other places (built once per region, not per
    figure); a name that is one of the text's own (the US in a US text) is left out."""
    foreign = [m for m in places if not any(o in m or m in o for o in own)]
    if not foreign:
        return patterns.compile("(?!)")
    return patterns.compile(r"\b(?:" + "|".join(map(regex.escape, foreign)) + r")\b")


def _default(frame: TimeFrame, report_year: int | None) -> bool:
    """The frame a text starts with, which no cue has set."""
    return frame.kind == "target" and frame.year == report_year


def _previous(report_year: int | None) -> int | None:
    return report_year - 1 if report_year is not None else None


def _clause(text: str, start: int, end: int, tense: TenseRules) -> tuple[int, int]:
    """The clause of a figure: the sentence cut at semicolons, dashes and clause
    conjunctions (, and / , but / , while)."""
    left = max((m.end() for m in tense.clause_break.finditer(text, 0, start)), default=0)
    after = tense.clause_break.search(text, end)
    return left, after.start() if after else len(text)


def _past(text: str, tense: TenseRules) -> bool:
    if tense.past.search(text):
        return True
    # A regular past after its subject: the MAS tightened, we increased, I rolled out.
    return any(
        match.group("before").lower() not in tense.not_subjects for match in tense.past_regular.finditer(text)
    )


def _starts_a_change(text: str, start: int, end: int, tense: TenseRules) -> bool:
    """from $500 to $700, instead of 15 per cent: the level before the change."""
    if tense.level_before.search(text[:start]):
        return True
    return bool(tense.change_from.search(text[:start]) and tense.change_to.match(text, end))


def _time_phrases(text: str, report_year: int | None, whens: tuple[When, ...]) -> list[_TimePhrase]:
    found: list[_TimePhrase] = []
    taken: list[tuple[int, int]] = []
    for when in whens:
        for match in when.pattern.finditer(text):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue  # an earlier, more specific phrase holds these words
            year, since = _when_year(when.year, match, report_year)
            ahead = None
            if when.year == "in_years":
                ahead, _ = _when_year("next_years", match, report_year)
                year, since = _when_year("past_years", match, report_year)
            taken.append(match.span())
            found.append(_TimePhrase(match.start(), match.end(), year, when.kind, since, ahead))
    return sorted(found, key=lambda p: p.start)


def _when_year(how: str, match: regex.Match, report_year: int | None) -> tuple[int | None, int | None]:
    """The year a time phrase names and, for a span of past years, the year it starts."""
    if how == "captured":
        return int(match.group("year")), None
    if how == "financial_year":
        first = int(match.group("year"))
        last = match.group("last")
        if last and len(last) == 4 and int(last) > first + 1:
            return int(last), None  # a calendar span, 2021-2025: its last year
        # 2025-26 is one financial year, 2025-30 a plan whose last year starts in 2029.
        if last and int(last[-2:]) % 100 > (first + 1) % 100:
            return first + (int(last[-2:]) - first % 100) - 1, None
        return first, None
    if report_year is None:
        return None, None
    if how == "report":
        return report_year, None
    if how.startswith("report"):
        return report_year + int(how.removeprefix("report")), None
    count = _count(match.group("count"))
    if count is None:
        return None, None
    if how == "next_years":
        return report_year + count - 1, None
    if how == "past_years":
        return report_year - 1, report_year - 1 - count
    return None, None


def _count(word: str | None) -> int | None:
    if not word:
        return 10  # the last decade
    low = word.lower()
    return int(low) if low.isdigit() else number_words().get(low)


def _phrase_for(phrases: list[_TimePhrase], start: int, end: int, next_start: int) -> _TimePhrase | None:
    """The time phrase of a figure: the first after it and before the next figure
    ($700 in 2023), else the nearest before it (By the end of last year, … 9%), else
    the first after the next figure (a deficit of $2 billion, or 0.3% of GDP, for FY2022)."""
    after = [p for p in phrases if end <= p.start < next_start]
    if after:
        return after[0]
    before = [p for p in phrases if p.end <= start]
    if before:
        return before[-1]
    later = [p for p in phrases if p.start >= end]
    return later[0] if later else None
