"""Find quantities (number + unit, with comparator words) in a sentence.

The grammar, all of whose words come from rules/:

    [before-comparator] NUMBER [余|多] [SCALE] [余|多] UNIT [after-comparator]
    NUMBER [UNIT] JOINER NUMBER [SCALE] UNIT            (a range: 5%—6%, 5-6%)

A number with no unit is not a quantity (dates, years, codes, names). Exclusion
rules then drop ordinals, names, durations and category thresholds.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import NamedTuple

import regex

from . import patterns
from .model import CONTEXT, Quantity, Sentence, Unit, text_before
from .numbers import DIGITS, LARGE_UNITS, NUMBER, has_digit, is_chinese, parse_number
from .rules import Exclusion, Rules, any_of, built_once


class _Reading(NamedTuple):
    """One number read with its unit: local offsets in the sentence. A named tuple:
    one is made for every number of a report, and this one is built in C."""

    number_start: int
    number_text: str
    value: Decimal
    unit: Unit | None
    unit_end: int
    between: str | None


def find_quantities(sentence: Sentence, rules: Rules) -> list[Quantity]:
    text = sentence.text
    found: list[Quantity] = []
    consumed = 0
    prefixed = {q.start: q for q in _prefixed_quantities(text, rules)}
    for match in _number_starts(text, prefixed):
        if match.start() < consumed:
            continue
        quantity = prefixed.get(match.start()) or _quantity_at(text, match.start(), match.group(), rules)
        if quantity is None:
            continue
        consumed = quantity.end
        if found and quantity.comparator == "eq" and _continues_list(text, found[-1], quantity, rules):
            # 分别突破40万吨、10万吨: a comparator written before the first value of a
            # list holds for every value of it.
            head = _list_head(text, found, rules)
            quantity = quantity._replace(comparator=_before_comparator(text_before(text, head.start), rules) or "eq")
        found.append(quantity)
    return [_shift(q, sentence.start) for q in found]


def _number_starts(text: str, prefixed: dict[int, Quantity]) -> list:
    """Every number, and the starts of quantities whose unit comes first, in order."""
    if not prefixed:
        return list(NUMBER.finditer(text))
    starts = [_At(start) for start in prefixed]
    return sorted([*NUMBER.finditer(text), *starts], key=lambda m: m.start())


class _At(NamedTuple):
    """A position that behaves like a match object for the loop above."""

    position: int

    def start(self) -> int:
        return self.position

    def group(self) -> str:
        return ""


def _prefixed_quantities(text: str, rules: Rules) -> list[Quantity]:
    """百分之五 and 千分之三 (unit before the number), 三分之一 (a fraction)."""
    found = []
    for prefix in rules.prefix_units:
        if prefix.surface not in text:
            continue
        for match in _number_after(prefix.surface).finditer(text):
            value = _value(match.group(1))
            if value is not None:
                found.append(_prefixed(text, match.start(), match.end(), value, prefix.unit, rules))
    fraction = rules.fraction
    if fraction.surface not in text:
        return found
    taken = {q.start for q in found}
    for match in _numbers_around(fraction.surface).finditer(text):
        if match.start() in taken:  # 百分之十 is a percentage, not a hundredth
            continue
        denominator, numerator = _value(match.group(1)), _value(match.group(2))
        if denominator and numerator is not None and numerator <= denominator:
            value = (numerator / denominator).quantize(Decimal("0.000001"))
            found.append(_prefixed(text, match.start(), match.end(), value, fraction.unit, rules))
    return found


LARGE_UNIT_PREFIXES = "".join(LARGE_UNITS) + "千百"


@cache
def _number_after(word: str) -> patterns.Pattern:
    return patterns.compile(rf"{regex.escape(word)}({NUMBER.pattern})")


@cache
def _numbers_around(word: str) -> patterns.Pattern:
    return patterns.compile(rf"({NUMBER.pattern}){regex.escape(word)}({NUMBER.pattern})")


def _value(number_text: str) -> Decimal | None:
    try:
        return parse_number(number_text) if has_digit(number_text) or number_text[0].isdigit() else None
    except ValueError:
        return None


def _prefixed(text: str, start: int, unit_end: int, value: Decimal, unit: Unit, rules: Rules) -> Quantity:
    end, after_comparator = _after_comparator(text, unit_end, rules)
    comparator = after_comparator or _before_comparator(text_before(text, start), rules) or "eq"
    return Quantity(start=start, end=end, value=value, value_max=None, unit=unit, comparator=comparator)


def _list_head(text: str, found: list[Quantity], rules: Rules) -> Quantity:
    index = len(found) - 1
    while index > 0 and _continues_list(text, found[index - 1], found[index], rules):
        index -= 1
    return found[index]


def _continues_list(text: str, previous: Quantity, quantity: Quantity, rules: Rules) -> bool:
    return text[previous.end : quantity.start] in rules.phrase.list_separators


def _quantity_at(text: str, start: int, number_text: str, rules: Rules) -> Quantity | None:
    first = _read(text, start, number_text, rules)
    if first is None:
        return None
    second = _range_end(text, first, rules)
    last = second or first
    if last.unit is None or _excluded(text, first, last, rules):
        return None
    end, after_comparator = _after_comparator(text, last.unit_end, rules)
    if second is not None:
        comparator = "range"
    else:
        comparator = (
            after_comparator
            or (rules.between_comparators[first.between] if first.between else None)
            or _before_comparator(text_before(text, first.number_start), rules)
            or "eq"
        )
    return Quantity(
        start=first.number_start,
        end=end,
        value=first.value,
        value_max=second.value if second else None,
        unit=last.unit,
        comparator=comparator,
    )


def _read(text: str, start: int, number_text: str, rules: Rules) -> _Reading | None:
    """Read NUMBER [余|多] [SCALE] [余|多] [UNIT] at `start`."""
    core, scale_text = number_text, ""
    if is_chinese(number_text) and _digit_string(number_text):
        return None
    if is_chinese(number_text):
        core, scale_text = _split_trailing_scale(number_text)
        if scale_text and scale_text not in rules.scales:
            return None
        # A bare 万 counts as one only after words such as 近 or 超 (近万家).
        bare_scale = not core and scale_text and _bare_scale_allowed(text_before(text, start), rules)
        if not has_digit(core) and not bare_scale:
            return None
    position = start + len(core) + len(scale_text)
    between = _between(text, position, rules)
    position += len(between or "")
    unit, position, between_after_scale = _unit(text, position, scale_text, rules)
    if unit is None and not text.startswith(rules.range_joiners, position):
        # No unit and no range: no quantity, whatever the value (most numbers of a
        # report are dates and names; their value is not worth parsing).
        return None
    try:
        value = parse_number(core) if core else Decimal(1)
    except ValueError:
        return None
    return _Reading(start, core, value, unit, position, between or between_after_scale)


def _digit_string(number_text: str) -> bool:
    """一一, 二〇二五: Chinese digits read one by one are codes or years, or a word
    boundary (唯一一所), never an amount."""
    return len(number_text) > 1 and all(c in DIGITS for c in number_text)


def _split_trailing_scale(number_text: str) -> tuple[str, str]:
    """三千五百万 -> (三千五百, 万): a trailing 万/亿 is a scale word of the unit."""
    core = number_text
    while core and core[-1] in LARGE_UNITS:
        core = core[:-1]
    return core, number_text[len(core) :]


def _bare_scale_allowed(before: str, rules: Rules) -> bool:
    return any(before.endswith(word) for word in rules.bare_scale_after)


def _between(text: str, position: int, rules: Rules) -> str | None:
    char = text[position : position + 1]
    return char if char and char in rules.between_comparators else None


def _unit(text: str, position: int, scale_text: str, rules: Rules) -> tuple[Unit | None, int, str | None]:
    """The unit at `position` with any scale word before it folded in, its end,
    and a 余/多 written between scale and unit (15万余人). One typed space before
    the scale or unit is read through (2.2 万人)."""
    if text[position : position + 1] in rules.spaces and text[position : position + 1]:
        unit, end, between = _unit(text, position + 1, scale_text, rules)
        return (unit, end, between) if unit is not None else (None, position, None)
    if not scale_text and (direct := _unit_match(text, position, rules)):
        return direct, position + len(direct.surface), None
    if not scale_text:
        scale = rules.scale_pattern.match(text, position)
        if scale is None:
            return None, position, None
        scale_text = scale.group()
        position = scale.end()
    between = _between(text, position, rules)
    unit_position = position + len(between or "")
    unit = _unit_match(text, unit_position, rules)
    if unit is None:
        return None, position, None
    scaled = Unit(scale_text + unit.surface, unit.base, unit.factor * rules.scales[scale_text], unit.kind)
    return scaled, unit_position + len(unit.surface), between


def _unit_match(text: str, position: int, rules: Rules) -> Unit | None:
    match = rules.unit_pattern.match(text, position)
    if match is None:
        return None
    surface = match.group()
    # A unit in Latin letters must end a word: 2600P, but not 5G or 4A.
    if (
        surface[-1].isascii()
        and surface[-1].isalpha()
        and text[match.end() : match.end() + 1].isascii()
        and text[match.end() : match.end() + 1].isalpha()
    ):
        return None
    return rules.units[surface]


def _range_end(text: str, first: _Reading, rules: Rules) -> _Reading | None:
    """The upper end of a range written after `first`, if any."""
    position = first.unit_end
    if not text.startswith(rules.range_joiners, position):  # in C: most figures are no range
        return None
    for joiner in rules.range_joiners:
        if text.startswith(joiner, position):
            match = NUMBER.match(text, position + len(joiner))
            if match is None:
                return None
            second = _read(text, match.start(), match.group(), rules)
            if second is None or second.unit is None or second.value <= first.value:
                return None
            if first.unit is not None and first.unit.surface != second.unit.surface:
                return None
            return second
    return None


def _after_comparator(text: str, position: int, rules: Rules) -> tuple[int, str | None]:
    for word, name in rules.after_comparators:
        if text.startswith(word, position):
            return position + len(word), name
    return position, None


def _before_comparator(before: str, rules: Rules) -> str | None:
    if not before.endswith(rules.before_comparator_words):
        return None
    for word, name in rules.before_comparators:
        if before.endswith(word):
            return name
    return None


def _excluded(text: str, first: _Reading, last: _Reading, rules: Rules) -> bool:
    start = first.number_start
    before, after = text_before(text, start), text[last.unit_end : last.unit_end + CONTEXT]
    chinese = bool(first.number_text) and is_chinese(first.number_text)
    joined = _exclusions_for(rules, last.unit.kind, chinese)
    return (
        (joined.before is not None and joined.before.search(before) is not None)
        or (joined.number is not None and joined.number.search(first.number_text) is not None)
        or (joined.after is not None and joined.after.search(after) is not None)
        or any(_matches(rule, before, first, after, last.unit) for rule in joined.others)
    )


class _Exclusions(NamedTuple):
    """The exclusions that apply to one kind of unit and one kind of number (Chinese
    numerals or not). A rule whose one condition is the text before, the number or
    the text after is joined with the others of that condition into one pattern,
    which matches where any of them does: one search instead of one per rule."""

    before: patterns.Pattern | None
    number: patterns.Pattern | None
    after: patterns.Pattern | None
    # Rules of two or more conditions, or for some unit words only: one at a time.
    others: tuple[Exclusion, ...]


def _exclusions_for(rules: Rules, kind: str, chinese: bool) -> _Exclusions:
    # Built when a kind of unit is first met, once per rules.
    return built_once(rules, ("exclusions", kind, chinese), _applicable_exclusions, rules, kind, chinese)


def _applicable_exclusions(rules: Rules, kind: str, chinese: bool) -> _Exclusions:
    applicable = [
        rule
        for rule in rules.exclusions_by_kind.get(kind, rules.exclusions)
        if (chinese or not rule.chinese_only) and (not rule.unit_kinds or kind in rule.unit_kinds)
    ]
    return _joined_exclusions(applicable)


def _joined_exclusions(rules: list[Exclusion]) -> _Exclusions:
    def only(condition: str) -> list[patterns.Pattern]:
        return [p for rule in rules if (p := _single(rule)) is not None and _conditions(rule) == [condition]]

    single = {condition: only(condition) for condition in ("before", "number", "after")}
    others = tuple(rule for rule in rules if _single(rule) is None)
    return _Exclusions(any_of(single["before"]), any_of(single["number"]), any_of(single["after"]), others)


def _single(rule: Exclusion) -> patterns.Pattern | None:
    """The one pattern of a rule that can be joined with others: a rule of one
    condition, for every unit word, whose pattern has no groups (a group reference
    or a DEFINE, as `(?&currency)` makes, would clash with another pattern's) and
    no flag that would hold for the whole joined pattern (V1)."""
    conditions = _conditions(rule)
    if rule.unit_surfaces or len(conditions) != 1:
        return None
    pattern = getattr(rule, conditions[0])
    return pattern if pattern.groups == 0 and not pattern.flags & regex.VERSION1 else None


def _conditions(rule: Exclusion) -> list[str]:
    return [name for name in ("before", "number", "after") if getattr(rule, name) is not None]


def _matches(rule: Exclusion, before: str, reading: _Reading, after: str, unit: Unit) -> bool:
    if rule.chinese_only and not (reading.number_text and is_chinese(reading.number_text)):
        return False
    if rule.unit_kinds and unit.kind not in rule.unit_kinds:
        return False
    if rule.unit_surfaces and unit.surface.lstrip(LARGE_UNIT_PREFIXES) not in rule.unit_surfaces:
        return False
    return (
        (rule.before is None or rule.before.search(before) is not None)
        and (rule.number is None or rule.number.search(reading.number_text) is not None)
        and (rule.after is None or rule.after.search(after) is not None)
    )


def _shift(quantity: Quantity, offset: int) -> Quantity:
    """Sentence offsets -> offsets in the whole normalized text."""
    q = quantity
    return Quantity(q.start + offset, q.end + offset, q.value, q.value_max, q.unit, q.comparator)
