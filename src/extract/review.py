"""A self-contained HTML review page: the original text with every indicator
highlighted (one colour per kind) and its fields on hover, then a table of them.

Plain HTML and CSS: <mark> elements with a `title` tooltip, no script and no
external file, so the page opens anywhere and can be mailed or archived.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .serialize import figure

KIND_COLOURS = {"target": "#ffd166", "actual": "#8ecae6", "estimate": "#cdb4db", "other": "#d9d9d9"}

STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em auto;
       max-width: 60em; line-height: 1.8; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
.facts { color: #555; margin-bottom: 1em; }
.legend span { display: inline-block; padding: 0 0.6em; margin-right: 0.5em; border-radius: 3px; }
.text { white-space: pre-wrap; border-top: 1px solid #ddd; padding-top: 1em; }
mark { border-radius: 3px; padding: 0 1px; cursor: help; }
table { border-collapse: collapse; margin-top: 2em; font-size: 0.9em; width: 100%; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
"""
STYLE += "".join(f"mark.k-{k}, .legend .k-{k} {{ background: {colour}; }}\n" for k, colour in KIND_COLOURS.items())


def review_page(original: str, document: dict[str, Any]) -> str:
    """The review page of one report; `document` is its contract JSON."""
    indicators = document["indicators"]
    counts = {kind: sum(i["kind"] == kind for i in indicators) for kind in KIND_COLOURS}
    legend = "".join(f'<span class="k-{kind}">{kind} {n}</span>' for kind, n in counts.items())
    facts = " · ".join(
        escape(str(part))
        for part in (
            document.get("region") or "region unknown",
            f"report year {document.get('report_year') or 'unknown'}",
            document.get("script") or document.get("language"),
            f"{len(indicators)} indicators",
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(document['doc_id'])}: indicators</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<h1>{escape(document["doc_id"])}</h1>\n<div class="facts">{facts}</div>\n'
        f'<div class="legend">{legend}</div>\n'
        f'<div class="text">{_highlighted(original, indicators)}</div>\n'
        f"{_table(indicators)}\n</body>\n</html>\n"
    )


def _highlighted(original: str, indicators: list[dict[str, Any]]) -> str:
    pieces, position = [], 0
    for indicator in indicators:
        start, end = indicator["span"]
        pieces.append(escape(original[position:start]))
        pieces.append(
            f'<mark class="k-{indicator["kind"]}" id="{escape(indicator["id"])}" '
            f'title="{escape(_tooltip(indicator))}">{escape(original[start:end])}</mark>'
        )
        position = end
    pieces.append(escape(original[position:]))
    return "".join(pieces)


def _tooltip(indicator: dict[str, Any]) -> str:
    quantity = indicator["quantity"]
    lines = [
        f"metric: {indicator['metric'] or '?'}" + (f" ({indicator['metric_en']})" if indicator["metric_en"] else ""),
        f"value: {figure(indicator)}  =  {quantity['value']:g} {quantity['unit']}",
        f"comparator: {indicator['comparator']}, change: {indicator['change'] or 'none'}",
        f"{indicator['kind']} for {indicator['year'] or '?'}",
    ]
    return "\n".join(lines)


def _table(indicators: list[dict[str, Any]]) -> str:
    header = "".join(f"<th>{h}</th>" for h in ("#", "metric", "English", "figure", "kind", "year", "quote"))
    rows = []
    for indicator in indicators:
        cells = (
            f'<a href="#{escape(indicator["id"])}">{escape(indicator["id"].rsplit("#", 1)[1])}</a>',
            escape(indicator["metric"] or ""),
            escape(indicator["metric_en"] or ""),
            escape(figure(indicator)),
            f'<mark class="k-{indicator["kind"]}">{indicator["kind"]}</mark>',
            str(indicator["year"] or ""),
            escape(indicator["text"]),
        )
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table>\n<tr>{header}</tr>\n" + "\n".join(rows) + "\n</table>"
