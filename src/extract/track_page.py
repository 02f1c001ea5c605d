"""The track page: the targets of reports and the results reported a year later,
side by side with their verdicts, and the texts of the reports with both figures
of every pair highlighted and linked to each other and to their row.

For two reports the figures' anchors are `#earlier-<n>` and `#later-<n>` (n: the
figure's number in its report, as in its `id`); for a panel of many reports each
report's anchors start with its doc_id. A report whose text is not there (a JSON
output whose source is gone or changed) is shown without its text, its figures
unlinked, and the page says so. Self-contained like the review page (`review.py`),
whose style, script and pieces it shares.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from html import escape
from typing import Any

from .review import (
    anchor,
    cell,
    filters,
    highlighted,
    label_text,
    legend,
    marked_quote,
    number,
    page,
    pick_select,
    pick_value,
    search_text,
    table,
    tooltip,
)
from .serialize import figure

VERDICT_COLOURS = {"met": "#95d5b2", "missed": "#f4978e", "no_result": "#dddddd"}

STYLE = "".join(
    f"mark.v-{verdict}, .legend .v-{verdict}, .badge.v-{verdict}, .chip.v-{verdict} {{ background: {colour}; }}\n"
    f".lab.v-{verdict} {{ border-left-color: {colour}; }}\n"
    for verdict, colour in VERDICT_COLOURS.items()
) + """
.texts { display: grid; grid-template-columns: repeat(auto-fit, minmax(24em, 1fr)); gap: 1.5em; margin-top: 2em; }
.pane { min-width: 0; }
.pairs { max-height: 62vh; overflow: auto; border-bottom: 1px solid #ddd; }
.pairs th { position: sticky; top: 0; z-index: 1; }
td.reason { min-width: 9em; color: #555; }
td.region { white-space: nowrap; }
nav.jump a { margin-right: 1em; }
.pane .text { max-height: 80vh; overflow-y: auto; padding-right: 0.5em; }
td.figure a { font-weight: 600; }
td small.en { display: block; }
@media (max-width: 40em) {
  .pairs { max-height: none; }
}
@media print {
  .texts { display: block; }
  .pairs { max-height: none; overflow: visible; }
  .pane .text { max-height: none; overflow: visible; }
}
"""

HINT = ("Click a figure in the table for its place in its text; there a figure links to the one it is paired "
        "with, and its label to its row.")
AROUND = 40  # characters of a figure's sentence shown on either side of it in the table
Series = tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]  # earlier, later, their pairs


class _Layout:
    """Where everything is: each report's anchor prefix and text, each pair's row id,
    and for every paired figure its row, its partner's anchor and its verdict."""

    def __init__(self, series: list[Series], text_of: Callable[[dict], str | None]) -> None:
        self.reports: list[dict] = []
        self.prefix: dict[int, str] = {}
        for earlier, later, _ in series:
            for document in (earlier, later):
                if id(document) not in self.prefix:
                    self.reports.append(document)
                    self.prefix[id(document)] = self._prefix(document, len(series) == 1)
        self.text = {id(d): text_of(d) for d in self.reports}
        self.rows = [(earlier, later, pair) for earlier, later, pairs in series for pair in pairs]
        self.figures: dict[tuple[int, str], tuple[str, str | None, str]] = {}
        for i, (earlier, later, pair) in enumerate(self.rows, 1):
            target, actual = pair["target"], pair["actual"]
            partner = self.anchor(later, actual) if actual else None
            self.figures[(id(earlier), target["id"])] = (f"pair-{i}", partner, pair["verdict"])
            if actual:
                self.figures[(id(later), actual["id"])] = (f"pair-{i}", self.anchor(earlier, target), pair["verdict"])

    def _prefix(self, document: dict, two: bool) -> str:
        if two:
            return "earlier" if not self.prefix else "later"
        prefix = re.sub(r"[^\w-]", "_", str(document["doc_id"])) or "report"
        taken, unique, n = set(self.prefix.values()), prefix, 1
        while unique in taken or unique in {"pair", "filters"}:
            n += 1
            unique = f"{prefix}_{n}"
        return unique

    def anchor(self, document: dict, indicator: dict) -> str | None:
        """The id of a figure's mark in its report's text; None without the text."""
        if self.text[id(document)] is None:
            return None
        return f"{self.prefix[id(document)]}-{number(indicator)}"


def track_page(series: list[Series], text_of: Callable[[dict], str | None]) -> str:
    """The page of one or more (earlier, later, pairs) series; `text_of(document)` is
    the report's original text, or None when it is not there."""
    layout = _Layout(series, text_of)
    pairs = [pair for _, _, pair in layout.rows]
    counts = Counter(p["verdict"] for p in pairs)
    groups = [(v, f"v-{v}", counts[v]) for v in VERDICT_COLOURS if counts[v]]
    panel = len(series) != 1
    body = "\n".join(
        (
            _header(series, layout, counts),
            filters("verdict", groups, pick_select([p["target"] for p in pairs]), len(pairs)),
            legend(groups),
            _pairs_table(layout, panel),
            '<div class="texts">' + "".join(_pane(layout, d) for d in layout.reports) + "</div>",
        )
    )
    return page(_title(series), (series[0][0].get("language") if series else None) or "zh", body, STYLE, wide=True)


def _title(series: list[Series]) -> str:
    if len(series) == 1:
        earlier, later, _ = series[0]
        return f"{earlier['doc_id']} targets for {earlier.get('report_year') or '?'} against {later['doc_id']}"
    return f"targets against results: {len(series)} pairs of consecutive reports"


def _header(series: list[Series], layout: _Layout, counts: Counter) -> str:
    summary = ", ".join(f"{counts[v]} {v.replace('_', ' ')}" for v in VERDICT_COLOURS)
    facts = f"{len(layout.rows)} targets: {summary}"
    notes = [
        f'<p class="note">The text of {escape(str(d["doc_id"]))} is not here ({escape(str(d.get("source")))} is '
        "gone or not the file this output was made from), so its figures are not linked.</p>"
        for d in layout.reports
        if layout.text[id(d)] is None
    ]
    if not series:
        notes.append('<p class="note">No two reports here form a series (same region, consecutive years).</p>')
    jump = "".join(f'<a href="{anchor(layout.prefix[id(d)])}">{escape(str(d["doc_id"]))}</a>' for d in layout.reports)
    return (
        f"<header><h1>{escape(_title(series))}</h1>\n<p class=\"facts\">{escape(facts)}</p>{''.join(notes)}"
        f'<p class="hint">{HINT}</p><nav class="jump">texts: {jump}</nav></header>'
    )


def _pairs_table(layout: _Layout, panel: bool) -> str:
    columns = [("#", "num")]
    if panel:
        columns += [("region", "text"), ("year", "num")]
    columns += [("metric", "text"), ("target", "num"), ("result", "num"), ("verdict", "text"),
                ("confidence", "num"), ("reason", "text")]
    rows = (_pair_row(layout, i, row, panel) for i, row in enumerate(layout.rows, 1))
    return table(columns, rows, "scroll pairs")


def _pair_row(layout: _Layout, i: int, row: Series, panel: bool) -> str:
    earlier, later, pair = row
    target, actual, verdict = pair["target"], pair["actual"], escape(pair["verdict"])
    cells = [cell(f'<a href="#pair-{i}">{i}</a>', i)]
    if panel:
        cells += [cell(escape(earlier.get("region") or ""), css="region"), cell(str(earlier.get("report_year") or ""))]
    english = f'<small class="en">{escape(target["metric_en"])}</small>' if target.get("metric_en") else ""
    cells += [
        cell(escape(target["metric"] or "") + english, target["metric"] or ""),
        _figure_cell(layout, earlier, target, verdict),
        _figure_cell(layout, later, actual, verdict) if actual else cell("", ""),
        cell(f'<mark class="v-{verdict}">{verdict}</mark>'),
        cell(f"{pair['confidence']:.2f}", pair["confidence"]),
        cell(escape(pair["reason"]), css="reason"),
    ]
    return (
        f'<tr id="pair-{i}" data-group="{verdict}" data-pick="{escape(pick_value(target))}" '
        f'data-q="{escape(search_text(target, actual))}">' + "".join(cells) + "</tr>"
    )


def _figure_cell(layout: _Layout, document: dict, indicator: dict, verdict: str) -> str:
    """A figure (linked to its mark when the text is there), whose metric it is when
    that is not the target's, and its sentence with the figure marked."""
    where = layout.anchor(document, indicator)
    shown = escape(figure(indicator))
    link = f'<a href="{anchor(where)}" title="{escape(str(document["doc_id"]))}">{shown}</a>' if where else shown
    metric = f'<small class="en">{escape(label_text(indicator))}</small>'
    quote = f'<div class="quote">{marked_quote(indicator, f"v-{verdict}", AROUND)}</div>'
    return cell(link + metric + quote, indicator["quantity"]["value"], "figure")


def _pane(layout: _Layout, document: dict) -> str:
    prefix, text = layout.prefix[id(document)], layout.text[id(document)]
    facts = f"{document.get('region') or '?'}, report year {document.get('report_year') or '?'}"
    name = str(document["doc_id"])
    name = name if name == prefix else f"{prefix} · {name}"
    head = f'<h2 id="{escape(prefix)}">{escape(name)} <small>{escape(facts)}</small></h2>'
    if text is None:
        return f'<section class="pane">{head}<p class="note">Its text is not here.</p></section>'

    def render(indicator: dict, inner: str) -> str:
        return _text_figure(layout, document, indicator, inner)

    marked = highlighted(text, document["indicators"], render)
    return f'<section class="pane">{head}<div class="text">{marked}</div></section>'


def _text_figure(layout: _Layout, document: dict, indicator: dict, inner: str) -> str:
    """A figure in a report's text: a pair's figure is marked in its verdict's colour,
    labelled, and links to its partner (else to its row); any other figure is only
    underlined, with its fields on hover."""
    own = layout.anchor(document, indicator)
    paired = layout.figures.get((id(document), indicator["id"]))
    title = escape(tooltip(indicator))
    if paired is None:
        return f'<span class="plain" id="{escape(own or "")}" title="{title}">{inner}</span>'
    row, partner, verdict = paired
    verdict = escape(verdict)
    text = f"{row.split('-')[1]} · {label_text(indicator)} · {verdict}"
    return (
        f'<span class="fig" data-row="{row}"><mark class="v-{verdict}" id="{escape(own or "")}" title="{title}">'
        f'<a href="{anchor(partner or row)}">{inner}</a></mark>'
        f'<small class="lab v-{verdict}"><a href="#{row}">{escape(text)}</a></small></span>'
    )
