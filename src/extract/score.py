"""Score extractor output against gold (spec ANNOTATION.md), as the reference scorer does.

A prediction matches a gold item when their spans overlap and their base values
and base units agree; on matched pairs the attributes are compared. Gold marked
optional is neither rewarded nor punished.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ATTRS = ("comparator", "change", "kind", "year", "metric")


class GoldError(ValueError):
    """Gold or output that cannot be scored: an item not located in its corpus text, a
    malformed or empty file, an unknown doc id. The message names the file."""


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    attrs: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ATTRS, 0))
    all_attrs: int = 0

    def add(self, other: _Tally) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        self.all_attrs += other.all_attrs
        for key in ATTRS:
            self.attrs[key] += other.attrs[key]


def locate(text: str, item: dict[str, Any], doc_id: str) -> tuple[int, int]:
    ctx, anchor = item["ctx"], item["anchor"]
    if (n := text.count(ctx)) != 1:
        raise GoldError(f"{doc_id}: ctx {ctx!r} occurs {n} times in the corpus text")
    if (i := ctx.find(anchor)) < 0:
        raise GoldError(f"{doc_id}: anchor {anchor!r} not inside ctx {ctx!r}")
    start = text.index(ctx) + i
    return start, start + len(anchor)


def same_number(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def _fold(s: str | None) -> str:
    return unicodedata.normalize("NFKC", s or "")


def metric_ok(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    core, got, sentence = _fold(gold["metric"]), _fold(pred.get("metric")), _fold(pred.get("sentence"))
    if not core:
        return not got
    return bool(got) and core in got and got in sentence and len(got) <= len(core) + 12


def attr_ok(key: str, pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    return metric_ok(pred, gold) if key == "metric" else pred.get(key) == gold.get(key)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def match_doc(gold: list[dict[str, Any]], preds: list[dict[str, Any]]) -> tuple[list, list, list]:
    """(matched pairs, false positives, false negatives) of one document."""
    used: set[int] = set()
    pairs, false_pos = [], []
    for pred in preds:
        span = tuple(pred["span"])
        quantity = pred.get("quantity") or {}
        hit = next(
            (
                gi
                for gi, g in enumerate(gold)
                if gi not in used
                and _overlaps(span, g["_span"])
                and same_number(quantity.get("value"), g["qvalue"])
                and quantity.get("unit") == g["qunit"]
                and same_number(quantity.get("value_max"), g.get("qvalue_max"))
            ),
            None,
        )
        if hit is None:
            if not any(g.get("optional") and _overlaps(span, g["_span"]) for g in gold):
                false_pos.append(pred)
        else:
            used.add(hit)
            pairs.append((pred, gold[hit]))
    false_neg = [g for gi, g in enumerate(gold) if gi not in used and not g.get("optional")]
    pairs = [(p, g) for p, g in pairs if not g.get("optional")]
    return pairs, false_pos, false_neg


def _f1(hits: int, tally: _Tally) -> float:
    return round(2 * hits / (2 * tally.tp + tally.fp + tally.fn), 4) if tally.tp else 0.0


def score(corpus: Path, gold_dir: Path, pred: Path, docs: set[str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The scores as the reference scorer reports them, and the list of errors."""
    total, per_doc, errors = _Tally(), {}, []
    for gold_path in _gold_files(gold_dir, docs):
        doc_id = gold_path.stem
        candidates = list(corpus.glob(doc_id + ".*"))
        if len(candidates) != 1:
            raise GoldError(f"{doc_id}: expected one corpus file, found {candidates}")
        text = _text(candidates[0])
        gold = _gold_items(gold_path)
        for item in gold:
            item["_span"] = locate(text, item, doc_id)
        preds = _predictions(pred / f"{doc_id}.json")
        pairs, false_pos, false_neg = match_doc(gold, preds)
        tally = _Tally(tp=len(pairs), fp=len(false_pos), fn=len(false_neg))
        for key in ATTRS:
            tally.attrs[key] = sum(attr_ok(key, p, g) for p, g in pairs)
        tally.all_attrs = sum(all(attr_ok(k, p, g) for k in ATTRS) for p, g in pairs)
        total.add(tally)
        per_doc[doc_id] = {
            "tp": tally.tp,
            "fp": tally.fp,
            "fn": tally.fn,
            **tally.attrs,
            "all_attrs": tally.all_attrs,
            "f1": _f1(tally.tp, tally),
            "strict_f1": _f1(tally.all_attrs, tally),
        }
        errors += _errors(doc_id, pairs, false_pos, false_neg)
    return _summary(total, per_doc), errors


def _gold_files(gold_dir: Path, docs: set[str] | None) -> list[Path]:
    """The gold files to score: every one, or those of `docs`, each of which must have
    one (a misspelt id would otherwise score nothing and print 0.0 everywhere)."""
    files = sorted(gold_dir.glob("*.jsonl"))
    if not files:
        raise GoldError(f"{gold_dir}: no gold <doc_id>.jsonl files in this folder")
    if docs is None:
        return files
    unknown = docs - {path.stem for path in files}
    if unknown:
        raise GoldError(f"--docs: no gold file for {', '.join(sorted(unknown))} in {gold_dir}")
    return [path for path in files if path.stem in docs]


# What scoring reads of a gold item (comparator, change, kind and year may be absent).
GOLD_FIELDS = ("ctx", "anchor", "qvalue", "qunit", "metric")


def _gold_items(path: Path) -> list[dict[str, Any]]:
    """The items of a gold file, or a GoldError naming the file and line at fault."""
    items = []
    for n, line in enumerate(_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise GoldError(f"{path}:{n}: not a line of JSON ({exc})") from exc
        if not isinstance(item, dict) or not all(isinstance(item.get(key), str) for key in ("ctx", "anchor")):
            raise GoldError(f"{path}:{n}: a gold item is an object with the fields {', '.join(GOLD_FIELDS)}")
        missing = [key for key in GOLD_FIELDS if key not in item]
        if missing:
            raise GoldError(f"{path}:{n}: the gold item has no {', '.join(missing)}")
        items.append(item)
    if not items:
        raise GoldError(f"{path}: no gold items (the file is empty); give one JSON object per line")
    return items


def _predictions(path: Path) -> list[dict[str, Any]]:
    """The indicators of an output of `extract run` (none when it is not there)."""
    if not path.exists():
        return []
    try:
        indicators = json.loads(_text(path))["indicators"]
    except (ValueError, TypeError, KeyError) as exc:
        raise GoldError(f"{path}: not an output of `extract run` ({type(exc).__name__}: {exc})") from exc
    if not isinstance(indicators, list) or not all(isinstance(i, dict) and "span" in i for i in indicators):
        raise GoldError(f"{path}: not an output of `extract run` (indicators without spans)")
    return indicators


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read it as UTF-8 text ({exc})") from exc


def _errors(doc_id: str, pairs: list, false_pos: list, false_neg: list) -> list[str]:
    lines = [
        f"{doc_id} FP {p.get('text')!r} value={p.get('quantity')} sentence={p.get('sentence', '')[:40]!r}"
        for p in false_pos
    ]
    lines += [f"{doc_id} FN {g['anchor']!r} ctx={g['ctx']!r}" for g in false_neg]
    lines += [
        f"{doc_id} {k}: {g['anchor']!r} predicted {p.get(k)!r} gold {g.get(k)!r}"
        for p, g in pairs
        for k in ATTRS
        if not attr_ok(k, p, g)
    ]
    return lines


def _summary(total: _Tally, per_doc: dict[str, Any]) -> dict[str, Any]:
    tp, fp, fn = total.tp, total.fp, total.fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        **{f"{k}_acc": round(total.attrs[k] / tp, 4) if tp else 0.0 for k in ATTRS},
        "all_attrs_acc": round(total.all_attrs / tp, 4) if tp else 0.0,
        "strict_f1": round(2 * total.all_attrs / (2 * tp + fp + fn) if tp else 0.0, 4),
        "counts": {"tp": tp, "fp": fp, "fn": fn},
        "per_doc": per_doc,
    }


def report_lines(result: dict[str, Any]) -> list[str]:
    """The plain-text report, line for line as the reference scorer prints it."""
    lines = [f"{k}: {v}" for k, v in result.items() if k != "per_doc"]
    lines += [
        f"  {doc_id}: f1 {d['f1']}  strict_f1 {d['strict_f1']}  tp {d['tp']} fp {d['fp']} fn {d['fn']}"
        for doc_id, d in result["per_doc"].items()
    ]
    return lines
