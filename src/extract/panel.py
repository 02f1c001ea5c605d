"""Many reports at once: each report paired with the next year's report of the same
region, and every target with its result, as one table of rows (a panel).

A row: region, year, indicator, metric, the target (value, comparator, unit) and the
result, the gap and the share achieved, the verdict with its confidence, and the
spans of both figures in their own reports. Reports with no region or report year,
or with no report of the next year, give no rows; `panel_series` says which pairs it
made and which reports it left alone, so that the CLI can say so.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from .track import TrackRules, track

# A pair a user forces or forbids (a pairs file): (target id, result id), the
# indicators' `id` fields.
PairChoice = tuple[str, str]


def panel_series(documents: list[dict[str, Any]]) -> tuple[list[tuple[dict, dict]], list[str]]:
    """The (earlier, later) pairs of reports: same region, consecutive report years.
    Also the reports left out, each with why."""
    by_region: dict[str, list[dict]] = defaultdict(list)
    left_out: list[str] = []
    for document in documents:
        if not document.get("region") or not document.get("report_year"):
            left_out.append(f"{document['doc_id']}: no region or report year")
            continue
        by_region[document["region"]].append(document)
    series = []
    for reports in by_region.values():
        reports.sort(key=lambda d: d["report_year"])
        for earlier, later in zip(reports, reports[1:], strict=False):
            if later["report_year"] - earlier["report_year"] == 1:
                series.append((earlier, later))
    paired = {d["doc_id"] for pair in series for d in pair}
    alone = [d for reports in by_region.values() for d in reports if d["doc_id"] not in paired]
    left_out += [f"{d['doc_id']}: no report of the year before or after" for d in alone]
    return series, left_out


def panel_rows(
    documents: list[dict[str, Any]],
    rules: TrackRules | None = None,
    forced: frozenset[PairChoice] = frozenset(),
    forbidden: frozenset[PairChoice] = frozenset(),
) -> list[dict[str, Any]]:
    """One row per target of every pair of consecutive reports."""
    series, _ = panel_series(documents)
    rows = []
    for earlier, later in series:
        for pair in track(earlier, later, rules, forced=forced, forbidden=forbidden):
            rows.append(panel_row(earlier, later, pair))
    return rows


def panel_row(earlier: dict, later: dict, pair: dict) -> dict[str, Any]:
    """One row of the panel: a target of `earlier`, its result in `later`, the verdict."""
    target, actual = pair["target"], pair["actual"]
    want = target["quantity"]["value"]
    got = actual["quantity"]["value"] if actual else None
    return {
        "region": earlier["region"],
        "year": earlier["report_year"],
        "indicator": target.get("indicator"),
        "metric": target["metric"],
        "target_value": want,
        "target_value_max": target["quantity"]["value_max"],
        "target_comparator": target["comparator"],
        "unit": target["quantity"]["unit"],
        "change": target["change"],
        "actual_value": got,
        "gap": _number(Decimal(str(got)) - Decimal(str(want))) if got is not None else None,
        "share_achieved": _number(Decimal(str(got)) / Decimal(str(want))) if got is not None and want else None,
        "verdict": pair["verdict"],
        "confidence": pair["confidence"],
        "reason": pair["reason"],
        "earlier": earlier["doc_id"],
        "later": later["doc_id"],
        "target_id": target["id"],
        "target_text": target["text"],
        "target_span": target["span"],
        "actual_id": actual["id"] if actual else None,
        "actual_metric": actual["metric"] if actual else None,
        "actual_text": actual["text"] if actual else None,
        "actual_span": actual["span"] if actual else None,
    }


def _number(value: Decimal) -> float | int:
    rounded = round(value, 4)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)
