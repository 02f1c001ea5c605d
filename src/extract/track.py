"""Targets of one report against the results reported in a later one.

A target for year N (kind `target`) in the earlier report pairs with an actual for
year N in the later report when their base units and kind of change agree and
their metrics are the same after the synonyms of rules/zh/track.toml are folded
(a generic metric such as 项目 also needs a shared predicate verb). The verdict
follows the target's comparator.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import regex

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


@cache
def load_track_rules(root: Path | None = None, language: str = "zh") -> TrackRules:
    data = tomllib.loads(((root or rules_root()) / language / "track.toml").read_text(encoding="utf-8"))
    canonical = {word: group[0] for group in data["synonyms"] for word in group}
    return TrackRules(
        generic_max_chars=data["generic_max_chars"],
        min_contained_chars=data["min_contained_chars"],
        approx_tolerance=Decimal(data["approx_tolerance"]),
        canonical=canonical,
        folding=tuple(sorted(((w, c) for w, c in canonical.items() if w != c), key=lambda p: -len(p[0]))),
        lower_is_better=tuple(data["lower_is_better"]),
        predicates=tuple(data["predicates"]),
    )


def track(earlier: dict[str, Any], later: dict[str, Any], rules: TrackRules | None = None) -> list[dict[str, Any]]:
    """Pair every target of `earlier` (for its report year) with a result in `later`."""
    rules = rules or load_track_rules(language=earlier.get("language") or "zh")
    year = earlier.get("report_year")
    targets = _distinct([i for i in earlier["indicators"] if i["kind"] == "target" and i["year"] == year])
    actuals = [i for i in later["indicators"] if i["kind"] in {"actual", "estimate"} and i["year"] == year]
    used: set[int] = set()
    pairs = []
    for target in targets:
        match = next(
            (n for n, actual in enumerate(actuals) if n not in used and _same_measure(target, actual, rules)), None
        )
        if match is not None:
            used.add(match)
        actual = actuals[match] if match is not None else None
        pairs.append({"target": target, "actual": actual, "verdict": verdict(target, actual, rules)})
    return pairs


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
