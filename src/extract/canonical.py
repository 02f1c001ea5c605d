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

from . import patterns
from .attach import BRACKETED, list_runs
from .model import Quantity, Sentence
from .rules import Canonical, Rules

CLAUSE = patterns.compile(r"[，,；;。]")
LIST_MARK = patterns.compile(r"[、和及与]")
# An item of a list this short may be a modifier of the last item's head (城镇, 一).
SHORT_ITEM = 2
QUOTES = patterns.compile(r"[“”‘’\"'《》「」『』]")


def _scope_prefix(key: str, prefixes: tuple[str, ...]) -> str | None:
    """The longest scope word at the start of `key` (prefixes come longest first)."""
    if not key.startswith(prefixes):  # in C: most metrics start with none
        return None
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
    for pattern in table.prefix_patterns if canonical is None else ():
        if (match := pattern.match(key)) and (canonical := table.by_name.get(key[match.end() :])):
            break
    if canonical is None or (canonical.unit_kinds and unit_kind not in canonical.unit_kinds):
        return None
    return canonical


def canonical_indicators(
    sentence: Sentence, quantities: list[Quantity], metrics: list[str | None], rules: Rules
) -> list[Canonical | None]:
    """The indicator of every figure of a sentence. In a list of figures, a short
    item that names no indicator shares the head of the last item (城镇、农村居民人均
    可支配收入分别增长5%、6%: 城镇 + 居民人均可支配收入), and a paired word gives its
    n-th part to the n-th figure (城乡居民人均可支配收入分别增长5%和7%)."""
    found = [
        None if _inherited_share(sentence, q, m, rules) else canonical_indicator(m, q.unit.kind, rules)
        for m, q in zip(metrics, quantities, strict=True)
    ]
    for run in list_runs(sentence, quantities, rules):
        if len(run) < 2 or any(not metrics[i] for i in run):
            continue
        kinds = [quantities[i].unit.kind for i in run]
        shared = _shared_head(run, metrics, kinds, rules)
        for index, canonical in zip(run, shared, strict=True):
            found[index] = canonical or found[index]
    return found


def _inherited_share(sentence: Sentence, quantity: Quantity, metric: str | None, rules: Rules) -> bool:
    """占GDP比重3.85% after 研发投入113.7亿元: the share's metric is the amount's, its
    indicator is not."""
    markers = rules.indicators.share_markers
    if not metric or not markers or any(m in metric for m in markers):
        return False
    clause = CLAUSE.split(sentence.text[: quantity.start - sentence.start])[-1]
    return any(m in clause for m in markers)


def _shared_head(
    run: list[int], metrics: list[str | None], kinds: list[str], rules: Rules
) -> list[Canonical | None]:
    metric = metrics[run[0]] or ""
    same = all(metrics[i] == metric for i in run)
    if same:
        for word, parts in rules.indicators.paired.items():
            if word in metric and len(parts) == len(run):
                return [
                    canonical_indicator(metric.replace(word, part, 1), kind, rules)
                    for part, kind in zip(parts, kinds, strict=True)
                ]
    items = LIST_MARK.split(metric) if same else [metrics[i] or "" for i in run]
    if len(items) != len(run):
        return [None] * len(run)
    last = items[-1]
    result = [canonical_indicator(item, kind, rules) for item, kind in zip(items, kinds, strict=True)]
    for k, (item, kind) in enumerate(zip(items[:-1], kinds, strict=False)):
        if result[k] is None and len(item) <= SHORT_ITEM:
            heads = (last[cut:] for cut in range(1, len(last)))
            result[k] = next((c for h in heads if (c := canonical_indicator(item + h, kind, rules))), None)
    return result
