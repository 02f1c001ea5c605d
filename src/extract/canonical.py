"""The canonical indicator of a metric (rules/<lang>/indicators.toml): a stable code
for the standard statistics of reports, so that figures group across reports.

A metric is an indicator when, without notes in brackets, quotes and the scope
words on its left (全省, 区级; `the`, `total`), it is one of the indicator's names.
Anything longer or shorter is not: 高技术制造业增加值 is not 工业增加值, and a wrong
code would group a figure with the wrong ones. A figure whose unit is of a kind the
indicator does not allow (a share of GDP written as 45%) is not it either.

A scope word written in letters must end at a space (`the GDP`, not `theft`).
"""

from __future__ import annotations

import regex

from .rules import Canonical, Rules

BRACKETED = regex.compile(r"[(（][^()（）]*[)）]")
QUOTES = regex.compile(r"[“”‘’\"'《》「」『』]")


def _scope_prefix(key: str, prefixes: tuple[str, ...]) -> str | None:
    """The longest scope word at the start of `key` (prefixes come longest first)."""
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            if prefix[-1].isascii() and prefix[-1].isalpha() and not key[len(prefix)].isspace():
                continue
            return prefix
    return None


def canonical_indicator(metric: str | None, unit_kind: str, rules: Rules) -> Canonical | None:
    if not metric:
        return None
    table = rules.indicators
    key = QUOTES.sub("", BRACKETED.sub("", metric)).strip().casefold()
    canonical = table.by_name.get(key)
    while canonical is None and (prefix := _scope_prefix(key, table.scope_prefixes)):
        key = key[len(prefix) :].lstrip()
        canonical = table.by_name.get(key)
    if canonical is None or (canonical.unit_kinds and unit_kind not in canonical.unit_kinds):
        return None
    return canonical
