"""The exclusion rules joined into one pattern per condition decide as the rules
do one by one (quantities._excluded), on the numbers of the development corpus."""

from __future__ import annotations

from extract import patterns
from extract.model import CONTEXT, Unit, text_before
from extract.numbers import NUMBER
from extract.quantities import _excluded, _joined_exclusions, _matches, _Reading
from extract.rules import Exclusion

from conftest import CORPUS


def _one_by_one(rules, kind, before, reading, after, unit) -> bool:
    applicable = rules.exclusions_by_kind.get(kind, rules.exclusions)
    return any(_matches(rule, before, reading, after, unit) for rule in applicable)


def test_joined_exclusions_decide_as_the_rules_one_by_one(extractor):
    rules = extractor.rules_for("zh")
    units = {}
    for unit in rules.units.values():
        units.setdefault(unit.kind, unit)
    # Unit words that some rules name (台, 位, 回 …) as well as one unit of each kind.
    named = {surface for rule in rules.exclusions for surface in rule.unit_surfaces}
    units.update({f"surface {s}": rules.units[s] for s in named if s in rules.units})
    checked = excluded = 0
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for match in NUMBER.finditer(text):
            start, end = match.span()
            before, after = text_before(text, start), text[end : end + CONTEXT]
            for unit in units.values():
                # The number read with this unit right after it, as quantities reads it.
                reading = _Reading(start, match.group(), None, unit, end, None)
                decision = _one_by_one(rules, unit.kind, before, reading, after, unit)
                assert _excluded(text, reading, reading, rules) == decision, (path.name, start, unit.surface)
                checked, excluded = checked + 1, excluded + decision
    assert checked > 10_000 and 0 < excluded < checked


def test_patterns_with_groups_are_not_joined():
    # Two rules that call a group each, as (?&currency) does: joined, the group
    # reference would be ambiguous; they are kept apart and still decide.
    define = "(?(DEFINE)(?P<currency>US\\$|HK\\$))"
    rules = [
        Exclusion(
            f"r{n}", patterns.compile(f"{word}(?&currency)$" + define), None, None, frozenset(), frozenset(), False
        )
        for n, word in enumerate(("about ", "some "))
    ]
    joined = _joined_exclusions(rules)
    assert joined.before is None and joined.others == tuple(rules)
    reading = _Reading(0, "5", None, None, 0, None)
    unit = Unit("billion", "USD", 1, "money")
    assert _matches(joined.others[1], "some US$", reading, "", unit)
    assert not any(_matches(rule, "many US$", reading, "", unit) for rule in joined.others)
