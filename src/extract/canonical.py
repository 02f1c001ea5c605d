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

from .attach import list_runs
from .model import Quantity, Sentence
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


def canonical_indicators(
    sentence: Sentence, quantities: list[Quantity], metrics: list[str | None], rules: Rules
) -> list[Canonical | None]:
    """The indicator of every figure of a sentence. A list of as many figures as a
    paired word has parts, all with the one metric that holds it (城乡居民人均可支配收入
    分别增长5%和7%), gives the n-th figure the indicator of the n-th part."""
    found = [canonical_indicator(m, q.unit.kind, rules) for m, q in zip(metrics, quantities, strict=True)]
    if not rules.indicators.paired:
        return found
    for run in list_runs(sentence, quantities, rules):
        metric = metrics[run[0]]
        if not metric or any(metrics[i] != metric for i in run):
            continue
        for word, parts in rules.indicators.paired.items():
            if word in metric and len(parts) == len(run):
                for index, part in zip(run, parts, strict=True):
                    kind = quantities[index].unit.kind
                    found[index] = canonical_indicator(metric.replace(word, part, 1), kind, rules)
                break
    return found
