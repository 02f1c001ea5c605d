"""Targets of one report against the results reported in a later one.

A target for year N (kind `target`) in the earlier report pairs with an actual for
year N in the later report when their base units and kind of change agree and
their metrics are the same after the synonyms of rules/zh/track.toml are folded
(a generic metric such as 项目 also needs a shared predicate verb). The verdict
follows the target's comparator.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import regex
import tomli

from .attach import BRACKETED
from .rules import rules_root

CLAUSE_END = regex.compile(r"[，,、；;。！？!?：:]")


@dataclass(frozen=True)
class TrackRules:
    generic_max_chars: int
    min_contained_chars: int
    approx_tolerance: Decimal
    canonical: dict[str, str]
    # Synonyms longest first, so that 新招引 folds before 招引.
    folding: tuple[tuple[str, str], ...]
    lower_is_better: tuple[str, ...]
    predicates: tuple[str, ...]
    # Two metrics this alike (Dice of character pairs) may be one measure.
    min_similarity: float = 1.0
    # 人均, 每万人: a metric with one of these is not one without it.
    scope_words: tuple[str, ...] = ()
    # 新增, 新引进: a target that counts additions; 总数, 累计: a result that is a total.
    flow_words: tuple[str, ...] = ()
    stock_words: tuple[str, ...] = ()


@cache
def load_track_rules(root: Path | None = None, language: str = "zh") -> TrackRules:
    data = tomli.loads(((root or rules_root()) / language / "track.toml").read_text(encoding="utf-8"))
    canonical = {word: group[0] for group in data["synonyms"] for word in group}
    return TrackRules(
        generic_max_chars=data["generic_max_chars"],
        min_contained_chars=data["min_contained_chars"],
        approx_tolerance=Decimal(data["approx_tolerance"]),
        canonical=canonical,
        folding=tuple(sorted(((w, c) for w, c in canonical.items() if w != c), key=lambda p: -len(p[0]))),
        lower_is_better=tuple(data["lower_is_better"]),
        predicates=tuple(data["predicates"]),
        min_similarity=float(data["min_similarity"]),
        scope_words=tuple(data["scope_words"]),
        flow_words=tuple(data["flow_words"]),
        stock_words=tuple(data["stock_words"]),
    )


def track(
    earlier: dict[str, Any],
    later: dict[str, Any],
    rules: TrackRules | None = None,
    forced: frozenset[tuple[str, str]] = frozenset(),
    forbidden: frozenset[tuple[str, str]] = frozenset(),
) -> list[dict[str, Any]]:
    """Pair every target of `earlier` (for its report year) with a result in `later`.

    Every (target, result) that could be the same measure gets a score; the pairs are
    then chosen one to one, best score first, so that each result serves one target
    and a target takes the result most like it, not the first one in the text. A
    target with no candidate good enough stays without a result. `forced` and
    `forbidden` are (target id, result id) pairs a user has decided (a pairs file)."""
    rules = rules or load_track_rules(language=earlier.get("language") or "zh")
    year = earlier.get("report_year")
    targets = _distinct([i for i in earlier["indicators"] if i["kind"] == "target" and i["year"] == year])
    actuals = [i for i in later["indicators"] if i["kind"] in {"actual", "estimate"} and i["year"] == year]
    candidates = []
    for t_index, target in enumerate(targets):
        for a_index, actual in enumerate(actuals):
            chosen_by_user = (target["id"], actual["id"])
            if chosen_by_user in forbidden:
                continue
            scored = (1.0, "forced by the pairs file") if chosen_by_user in forced else _score(target, actual, rules)
            if chosen_by_user in forced:
                scored = (2.0, scored[1])  # before any pair the tool found
            if scored is not None:
                candidates.append((-scored[0], t_index, a_index, scored[1]))
    chosen: dict[int, tuple[int, float, str]] = {}
    used: set[int] = set()
    for negative, t_index, a_index, reason in sorted(candidates):
        if t_index not in chosen and a_index not in used:
            chosen[t_index] = (a_index, min(1.0, -negative), reason)
            used.add(a_index)
    pairs = []
    for t_index, target in enumerate(targets):
        a_index, confidence, reason = chosen.get(t_index, (None, 0.0, "no result of the same measure"))
        actual = actuals[a_index] if a_index is not None else None
        pairs.append(
            {
                "target": target,
                "actual": actual,
                "verdict": verdict(target, actual, rules),
                "confidence": round(confidence, 2),
                "reason": reason,
            }
        )
    return pairs


def _score(target: dict, actual: dict, rules: TrackRules) -> tuple[float, str] | None:
    """How surely `actual` is the result of `target` (1 = the same metric), and why;
    None when it cannot be (another unit or kind of change, another predicate)."""
    if target["quantity"]["unit"] != actual["quantity"]["unit"] or target["change"] != actual["change"]:
        return None
    a, b = _fold(target["metric"], rules), _fold(actual["metric"], rules)
    if _scope(a, rules) != _scope(b, rules):
        return None  # 体育场地面积 and 人均体育场地面积
    if _flow(target, rules) and _stock(actual, rules):
        return None  # 新增国高企业100家 is no total of 3700 国高企业
    verbs_a, verbs_b = _verbs(target, rules), _verbs(actual, rules)
    other_verbs = bool(verbs_a and verbs_b and not verbs_a & verbs_b)
    if a == b and _same_measure(target, actual, rules):
        return 1.0, "same metric"
    if other_verbs:
        return None  # 社康机构标准化改造 and 新增社康机构: alike things, not one measure
    if _same_measure(target, actual, rules):
        # The same metric beats one that contains it (学校 is not 学校学位).
        return 0.95, "one metric contains the other"
    if not a or not b or min(len(a), len(b)) <= rules.generic_max_chars:
        return None
    if target.get("indicator") and target.get("indicator") == actual.get("indicator"):
        return 0.9, f"same indicator {target['indicator']}"
    similarity = _similarity(a, b)
    if similarity >= rules.min_similarity:
        return round(0.8 * similarity, 3), f"similar metrics ({similarity:.2f})"
    return None


def _scope(metric: str, rules: TrackRules) -> frozenset[str]:
    """The scope words of a metric (人均, 每万人): a figure per head is no total."""
    return frozenset(word for word in rules.scope_words if word in metric)


def _flow(indicator: dict, rules: TrackRules) -> bool:
    """Whether a figure counts what is added (新增, 新引进), by its clause."""
    clause = _clause(indicator) or (indicator["metric"] or "")
    return any(word in clause for word in rules.flow_words)


def _stock(indicator: dict, rules: TrackRules) -> bool:
    """Whether a figure is a total reached (总数超3700家, 累计创建…1600个, 从26家), by the
    words of its clause before it."""
    sentence, text = indicator["sentence"], indicator["text"]
    at = sentence.find(text) if text else -1
    if at < 0:
        return False
    before = CLAUSE_END.split(sentence[max(0, at - 20) : at])[-1]
    return any(word in before for word in rules.stock_words)


def _similarity(a: str, b: str) -> float:
    """Dice coefficient of the character pairs of two metrics (无人机航线, 无人机配送航线)."""
    pairs_a = {a[i : i + 2] for i in range(len(a) - 1)}
    pairs_b = {b[i : i + 2] for i in range(len(b) - 1)}
    if not pairs_a or not pairs_b:
        return 0.0
    return 2 * len(pairs_a & pairs_b) / (len(pairs_a) + len(pairs_b))


def series_problem(earlier: dict[str, Any], later: dict[str, Any]) -> str | None:
    """Why two reports are no target-and-result pair, or None: another region, the
    wrong order, or more than one year apart (a result is checked in the next year's
    report)."""
    names = f"{earlier.get('doc_id')} and {later.get('doc_id')}"
    if earlier.get("region") and later.get("region") and earlier["region"] != later["region"]:
        return f"{names} are reports of different regions ({earlier['region']}, {later['region']})"
    first, second = earlier.get("report_year"), later.get("report_year")
    if first is None or second is None:
        return None
    if second <= first:
        return f"{names} are in the wrong order ({first}, {second}): the earlier report comes first"
    if second - first > 1:
        gap = second - first
        return f"{names} are {gap} years apart ({first}, {second}): results are checked in the next year's report"
    return None


def _distinct(indicators: list[dict]) -> list[dict]:
    """A figure written twice (in a headline and in the body) is one target."""
    seen, kept = set(), []
    for indicator in indicators:
        key = (
            indicator["metric"],
            indicator["quantity"]["value"],
            indicator["quantity"]["unit"],
            indicator["comparator"],
        )
        if key not in seen:
            seen.add(key)
            kept.append(indicator)
    return kept


def _same_measure(target: dict, actual: dict, rules: TrackRules) -> bool:
    if target["quantity"]["unit"] != actual["quantity"]["unit"] or target["change"] != actual["change"]:
        return False
    a, b = _fold(target["metric"], rules), _fold(actual["metric"], rules)
    if not a or not b:
        return False
    shorter = min(a, b, key=len)
    same = a == b or (len(shorter) >= rules.min_contained_chars and (a in b or b in a))
    if not same:
        return False
    if len(shorter) > rules.generic_max_chars:
        return True
    return bool(_verbs(target, rules) & _verbs(actual, rules))


def _fold(text: str | None, rules: TrackRules) -> str:
    """Fold synonyms into their group's first word, longest words first; a note in
    brackets (老旧小区(楼院)) is not part of what is measured."""
    if not text:
        return ""
    text = BRACKETED.sub("", text)
    for word, canonical in rules.folding:
        if word in text:
            text = text.replace(word, canonical)
    return text


def _clause(indicator: dict) -> str:
    """The clause of the indicator's sentence that holds its metric and, when it is
    written in digits, its number."""
    metric = indicator["metric"] or ""
    digits = regex.match(r"[\d.,]+", indicator["text"])
    clauses = [part for part in CLAUSE_END.split(indicator["sentence"]) if metric and metric in part]
    with_number = [part for part in clauses if digits and digits.group() in part]
    return (with_number or clauses or [""])[0]


def _verbs(indicator: dict, rules: TrackRules) -> set[str]:
    clause = _fold(_clause(indicator), rules)
    return {rules.canonical.get(p, p) for p in rules.predicates if p in clause}


def verdict(target: dict, actual: dict | None, rules: TrackRules) -> str:
    """met / missed by the target's comparator; no_result without an actual."""
    if actual is None:
        return "no_result"
    want = Decimal(str(target["quantity"]["value"]))
    got = Decimal(str(actual["quantity"]["value"]))
    lower_better = any(word in (target["metric"] or "") for word in rules.lower_is_better)
    if lower_better and target["change"] != "decrease":
        want, got = -want, -got
        comparator = {"le": "ge", "lt": "gt", "ge": "le", "gt": "lt"}.get(target["comparator"], target["comparator"])
    else:
        comparator = target["comparator"]
    met = {
        "gt": got > want,
        "lt": got < want,
        "le": got <= want,
        "approx": got >= want - abs(want) * rules.approx_tolerance,
    }.get(comparator, got >= want)
    return "met" if met else "missed"
