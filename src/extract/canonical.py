"""The canonical indicator of a metric (rules/<lang>/indicators.toml): a stable code
for the standard statistics of reports, so that figures group across reports.

A metric is an indicator when, without notes in brackets, quotes and the scope
words on its left (全省, 区级), it is one of the indicator's names. Anything
longer or shorter is not: 高技术制造业增加值 is not 工业增加值, and a wrong code
would group a figure with the wrong ones.
"""

from __future__ import annotations

import regex

from .rules import Canonical, Rules

BRACKETED = regex.compile(r"[(（][^()（）]*[)）]")
QUOTES = regex.compile(r"[“”‘’\"'《》「」『』]")


def canonical_indicator(metric: str | None, unit_kind: str, rules: Rules) -> Canonical | None:
    if not metric:
        return None
    table = rules.indicators
    key = QUOTES.sub("", BRACKETED.sub("", metric)).strip().casefold()
    canonical = table.by_name.get(key)
    while canonical is None and key.startswith(table.scope_prefixes):
        prefix = next(p for p in table.scope_prefixes if key.startswith(p))
        key = key[len(prefix) :].lstrip()
        canonical = table.by_name.get(key)
    if canonical is None or (canonical.unit_kinds and unit_kind not in canonical.unit_kinds):
        return None
    return canonical
