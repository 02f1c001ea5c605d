"""Time context: the report year, the issuing government, and for every quantity
whether it is a target, an actual or an estimate, and for which year.

A frame (kind, year) runs through the document: it starts as this year's plan
and changes where a cue in rules/zh/time.toml says so (a review heading, a
sentence opening with a year, 这一年, 今年, a new term's 过去五年 and 今后五年, a
five-year plan's period …). Sentence-scoped cues (到2027年, 年内) hold only inside
their sentence, clause-scoped ones (预计, 有望) only inside their clause; a cue after
a figure changes it only if it reaches back (a year span in brackets). A heading
with no cue of its own takes the frame of the paragraph it introduces. A glossary
heading (名词解释, 附件) starts a part of background figures (kind other, no year)
that only a heading naming a time of its own ends.

Figures compared with another place (高于全国0.9个百分点) are marked here too: what
they are compared with is no result of the region's own.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import regex

from . import patterns
from .model import Quantity, Sentence, TimeFrame
from .numbers import parse_number
from .rules import Cue, Gazetteer, Rules, built_once

# Heading numbers before a heading's words: 一、 （一） 1. 第一部分
ENUMERATION = patterns.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、]"
    r"|第[一二三四五六七八九十]+[章部分节][、，\s]*)\s*"
)


@dataclass(frozen=True)
class _Found:
    position: int
    end: int
    cue: Cue
    match: regex.Match


def find_report_year(text: str, rules: Rules) -> int | None:
    for pattern, offset in rules.report_year_patterns:
        if match := pattern.search(text):
            return int(next(group for group in match.groups() if group)) + offset
    return None


def find_region(text: str, rules: Rules) -> str | None:
    """The issuing government: the first pattern of document.toml whose name is a real
    one. A speaker line that names only a level (我代表区人民政府) gives no name but the
    level: then the region is the division of that level that the text names most."""
    level = None
    for pattern in rules.region_patterns:
        for match in pattern.finditer(text):
            name = match.group("region")
            if name in rules.admin_suffixes:
                level = level or name
            elif region := _region_name(name, rules):
                return region
    if rules.gazetteer.governments:
        return _most_mentioned(text, rules.gazetteer)
    return _most_named(text, level, rules.gazetteer) if level else None


def _most_mentioned(text: str, gazetteer: Gazetteer) -> str | None:
    """The government whose names (Singapore, Singaporeans) a text mentions most: a
    Budget Statement speaks of its own country far more than of any other."""
    counts = Counter(
        {
            name: len(regex.findall(r"\b(?:" + "|".join(map(regex.escape, words)) + r")", text))
            for name, words in gazetteer.governments.items()
        }
    )
    (name, count), (_, runner_up) = [*counts.most_common(2), ("", 0), ("", 0)][:2]
    return name if count >= gazetteer.min_mentions and count >= 2 * runner_up else None


def _region_name(name: str, rules: Rules) -> str | None:
    """The region a captured name stands for, or None when it is no name of a place:
    a known name, a gazetteer name (short ones completed: 广西), or a name before an
    administrative suffix (某某新区) that holds no word of an organ (市委市政府 is no
    place). A language with no suffixes (English) takes the name as it is."""
    if name in rules.region_names:
        return rules.region_names[name]
    full = rules.gazetteer.full_by_short.get(name, ())
    if len(full) == 1:
        return full[0]
    if not rules.admin_suffixes:
        return name
    suffix = next((s for s in rules.admin_suffixes if name.endswith(s)), None)
    if suffix is None or name == suffix or any(word in name for word in rules.organ_words):
        return None
    return _last_admin_unit(name, rules.admin_suffixes)


def _most_named(text: str, level: str, gazetteer: Gazetteer) -> str | None:
    # Only divisions of that level, each counted once. A name whose first two
    # characters never stand together in the text is not in it: of a thousand names
    # most are counted without a search of the whole text.
    names = _names_of_level(gazetteer, level)
    pairs = _pairs_in(text, frozenset(short[:2] for short, _ in names if len(short) >= 2))
    counts = Counter(
        {name: text.count(short) if len(short) < 2 or short[:2] in pairs else 0 for short, name in names}
    )
    (name, count), (_, runner_up) = [*counts.most_common(2), ("", 0), ("", 0)][:2]
    # A clear winner only: twice as often named as any other division of its level.
    return name if count >= gazetteer.min_mentions and count >= 2 * runner_up else None


PAIR_STRETCH = 100_000


def _pairs_in(text: str, wanted: frozenset[str]) -> set[str]:
    """The two-character strings of `wanted` that occur in `text`, read a stretch at
    a time: memory holds one stretch's pairs, whatever the size of the text."""
    found: set[str] = set()
    for at in range(0, max(len(text) - 1, 0), PAIR_STRETCH):
        stretch = text[at : at + PAIR_STRETCH + 1]
        found |= wanted.intersection(stretch[i : i + 2] for i in range(len(stretch) - 1))
    return found


def _names_of_level(gazetteer: Gazetteer, level: str) -> tuple[tuple[str, str], ...]:
    """(short name, full name) of every short name that names one division of the
    level; made once per gazetteer and level, not per report."""
    return built_once(gazetteer, ("names of level", level), _make_names_of_level, gazetteer, level)


def _make_names_of_level(gazetteer: Gazetteer, level: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (short, full_names[0])
        for short, full in gazetteer.full_by_short.items()
        if len(full_names := sorted({n for n in full if n.endswith(level)})) == 1
    )


def _last_admin_unit(name: str, suffixes: tuple[str, ...]) -> str:
    """青岛市崂山区 -> 崂山区: the innermost unit of a nested name."""
    # Each unit has a name of two characters at least: 杭州市 is one unit, not 杭州 + 市.
    if not suffixes:
        return name
    units = regex.findall(rf".{{2,}}?(?:{'|'.join(map(regex.escape, suffixes))})", name)
    return units[-1] if units and "".join(units) == name else name


# A sentence with its rules and quantities, as the pipeline streams them.
Item = tuple[Sentence, Rules, list[Quantity]]

# The kind of a part whose figures are background (a glossary): it lasts until a
# heading that names a time of its own.
OTHER = "other"
# What ends a clause, for cues of scope "clause" (预计 … ，).
CLAUSE_ENDS = frozenset("，,；;。！？!?")


def assign_frames(items: Iterable[Item], report_year: int | None) -> Iterator[tuple[Item, list[TimeFrame]]]:
    """Each item with the frame of every one of its quantities, in order. Reads ahead
    only past a heading with no cue of its own, to the next paragraph."""
    running = TimeFrame("target", report_year)
    source, ahead = iter(items), deque[Item]()
    while ahead or _pull(source, ahead):
        item = ahead.popleft()
        sentence, rules, quantities = item
        cues = _cues(sentence, rules)
        if running.kind == OTHER and not _names_a_time(sentence, cues):
            yield item, [running] * len(quantities)
            continue
        base = running
        if sentence.is_heading and not cues:
            base = _introduced_frame(sentence, source, ahead, running, report_year)
        text = sentence.text
        first = quantities[0].start - sentence.start if quantities else 0
        yield item, [_frame_for(q.start - sentence.start, text, cues, base, report_year, first) for q in quantities]
        for found in cues:
            if found.cue.running:
                running = _resolve(found, running, report_year)


def _names_a_time(sentence: Sentence, cues: list[_Found]) -> bool:
    """A heading that sets a time of its own (2025年重点工作) ends a glossary part."""
    return sentence.is_heading and any(f.cue.running and f.cue.kind != OTHER for f in cues)


def _pull(source: Iterator[Item], ahead: deque[Item]) -> bool:
    """Move the next item of `source` to the end of `ahead`; False at the end."""
    item = next(source, None)
    if item is None:
        return False
    ahead.append(item)
    return True


def _cues(sentence: Sentence, rules: Rules) -> list[_Found]:
    text = sentence.text
    opening = ENUMERATION.match(text)
    start = opening.end() if opening else 0
    found: list[_Found] = []
    # Most sentences have no cue: one search tells, instead of one per cue.
    searched = rules.cue_filter is not None and rules.cue_filter.search(text) is not None
    opening_text = text[start:] if start else text
    starts_with_cue = rules.start_cue_filter is not None and rules.start_cue_filter.match(opening_text) is not None
    if not (searched or starts_with_cue):
        return found
    for cue in rules.cues:
        if cue.at_start:
            if starts_with_cue and (match := cue.pattern.match(opening_text)):
                found.append(_Found(start, start + match.end(), cue, match))
        elif searched:
            found += [_Found(m.start(), m.end(), cue, m) for m in cue.pattern.finditer(text)]
    return sorted(found, key=lambda f: f.position)


def _introduced_frame(
    heading: Sentence, source: Iterator[Item], ahead: deque[Item], running: TimeFrame, report_year: int | None
) -> TimeFrame:
    """A heading's frame is that of the first sentence of the next paragraph, if it names one."""
    index = 0
    while True:
        if index == len(ahead) and not _pull(source, ahead):
            return running
        sentence, rules, _ = ahead[index]
        if sentence.paragraph > heading.paragraph:
            break
        index += 1
    cues = [f for f in _cues(sentence, rules) if f.cue.running]
    return _resolve(cues[0], running, report_year) if cues else running


def _frame_for(
    position: int, text: str, cues: list[_Found], base: TimeFrame, report_year: int | None, first: int
) -> TimeFrame:
    """The cues that stand before the quantity and still hold there build its frame,
    in their order: running and sentence cues, a clause cue (预计) only in the
    quantity's own clause, unless it stands before the sentence's first figure (…方面，
    预计产煤12.9亿吨，完成保供任务8.3亿吨: it heads the list), and a whole-sentence cue
    (English "expected") wherever it stands. When none stands before it, the first cue
    after it that reaches back (a year span in brackets) governs it; other cues after a
    figure never change it."""
    holding = [
        f
        for f in cues
        if (
            f.position <= position
            and not (f.cue.clause and f.position > first and _clause_ends(text, f.end, position))
        )
        or (f.position > position and f.cue.whole_sentence)
    ]
    if not holding:
        holding = [f for f in cues if f.position > position and f.cue.reach_back][:1]
    frame = base
    for found in holding:
        frame = _resolve(found, frame, report_year)
    return frame


def _clause_ends(text: str, start: int, end: int) -> bool:
    return any(c in CLAUSE_ENDS for c in text[start:end])


def _resolve(found: _Found, running: TimeFrame, report_year: int | None) -> TimeFrame:
    cue = found.cue
    year = _year(cue.year, found.match, running, report_year)
    if cue.kind != "by_year":
        return TimeFrame(cue.kind, year)
    if report_year is None or year is None:
        return TimeFrame(running.kind, year)
    return TimeFrame("actual" if year < report_year else "target", year)


# year = "report+4" (今后五年: the report year and four more), "report-1" …
REPORT_OFFSET = patterns.compile(r"report([+-]\d+)")


def _year(how: str, match: regex.Match, running: TimeFrame, report_year: int | None) -> int | None:
    if how == "captured":
        return int(next(group for group in match.groups() if group))
    if how == "five_year_plan_end":
        return _plan_end(match)
    if how == "five_year_plan_past":
        # Since the plan began: its figures run to the last year before the report.
        return min(_plan_end(match), report_year - 1) if report_year else None
    if how == "none":
        return None
    if how == "report":
        return report_year
    if how == "previous":
        return report_year - 1 if report_year else None
    if offset := REPORT_OFFSET.fullmatch(how):
        return report_year + int(offset.group(1)) if report_year else None
    if how == "current_past":
        if running.kind == "actual":
            return running.year
        return report_year - 1 if report_year else running.year
    return running.year


def _plan_end(match: regex.Match) -> int:
    """“十四五” ends in 2025, “十五五” in 2030: the Nth plan from the third on ends in 1955 + 5N."""
    return 1955 + 5 * (10 + int(parse_number(match.group(1))))
