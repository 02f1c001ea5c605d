"""A self-contained HTML review page: the original text with every indicator
highlighted (one colour per kind) and labelled with its metric, kind and year, then
a table of them with each figure marked in its sentence.

One file: inline CSS and a small inline script, no external file and no network,
so the page opens anywhere and can be mailed or archived. The script adds filters
(by kind, by indicator or metric, a search box) and sortable columns; without it
everything is shown. The pieces (page frame, highlighting, labels, marked quotes,
filters, sortable tables) are shared with the track page (`track_page.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from html import escape
from typing import Any
from urllib.parse import quote as url_quote

from .serialize import figure

KIND_COLOURS = {"target": "#ffd166", "actual": "#8ecae6", "estimate": "#cdb4db", "other": "#d9d9d9"}

STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif;
       margin: 1.5em auto; padding: 0 1em; max-width: 62em; line-height: 1.8; color: #222; }
body.wide { max-width: 110em; }
h1 { font-size: 1.4em; margin: 0 0 0.2em; }
h2 { font-size: 1.1em; margin: 0.3em 0; }
.facts, .note, .hint { color: #555; margin: 0.2em 0 0.6em; }
.hint { font-size: 0.85em; }
.note { border-left: 4px solid #e76f51; padding-left: 0.6em; }
.legend span, .badge { display: inline-block; padding: 0 0.5em; margin-right: 0.4em; border-radius: 3px; }
.filters { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #ddd;
           padding: 0.4em 0; display: flex; flex-wrap: wrap; gap: 0.4em 1em; align-items: center; }
.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.3em; }
.filters legend { float: left; margin-right: 0.3em; color: #555; }
.chip { border-radius: 1em; padding: 0 0.6em 0 0.2em; white-space: nowrap; cursor: pointer; }
.filters select, .filters input[type=search] { font: inherit; max-width: 100%; }
.filters select { width: 20em; }
.filters output { color: #555; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; border-top: 1px solid #ddd; padding-top: 1em; }
mark { border-radius: 3px; padding: 0 1px; color: inherit; }
mark a, .lab a { color: inherit; text-decoration: none; }
.lab { font-size: 0.68em; line-height: 1.2; color: #333; background: #f3f3f3; border-left: 3px solid #999;
       border-radius: 2px; padding: 0 0.35em; margin: 0 0.25em 0 0.1em; white-space: normal;
       -webkit-user-select: none; user-select: none; }
.fig.dim mark { background: transparent; outline: 1px dotted #bbb; }
.fig.dim .lab { opacity: 0.35; }
.plain { border-bottom: 1px dotted #999; }
:target { outline: 2px solid #e76f51; scroll-margin-top: 7em; }
tr:target td { background: #fff3b0; }
.scroll { overflow-x: auto; margin-top: 1.5em; }
table { border-collapse: collapse; font-size: 0.9em; width: 100%; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f6f6f6; position: relative; white-space: nowrap; }
th[tabindex] { cursor: pointer; }
th[aria-sort=ascending]::after { content: " \\25B2"; }
th[aria-sort=descending]::after { content: " \\25BC"; }
td.quote, .quote { min-width: 18em; color: #333; }
td .quote { font-size: 0.92em; line-height: 1.6; margin-top: 0.2em; }
small.en { color: #666; display: block; }
@media (max-width: 40em) {
  body { margin: 0.5em auto; padding: 0 0.5em; font-size: 15px; }
  .filters { position: static; }
  td.quote, .quote { min-width: 14em; }
}
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  .filters, .hint { display: none; }
  .legend { display: block !important; }
  mark, .lab, .badge, .legend span, tr td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .lab { display: inline; opacity: 1; }
  .scroll { overflow: visible; }
  :target { outline: none; }
  tr { break-inside: avoid; }
}
"""
STYLE += "".join(
    f"mark.k-{kind}, .legend .k-{kind}, .badge.k-{kind}, .chip.k-{kind} {{ background: {colour}; }}\n"
    f".lab.k-{kind} {{ border-left-color: {colour}; }}\n"
    for kind, colour in KIND_COLOURS.items()
)

# Filters: rows (`tbody tr[data-group]`) are hidden and their figures in the text
# (`.fig[data-row=<row id>]`) dimmed; headers with `data-sort` sort their table.
SCRIPT = """
(() => {
  const form = document.getElementById('filters');
  if (!form) return;
  const all = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const rows = all('tbody tr[data-group]');
  const figures = new Map();
  for (const f of all('.fig[data-row]')) {
    if (!figures.has(f.dataset.row)) figures.set(f.dataset.row, []);
    figures.get(f.dataset.row).push(f);
  }
  const haystack = new Map(rows.map(r => [r, ((r.dataset.q || '') + ' ' + r.textContent).toLowerCase()]));
  function apply() {
    const groups = new Set(all('input[type=checkbox]:checked', form).map(c => c.value));
    const pick = form.elements.pick ? form.elements.pick.value : '';
    const words = form.elements.q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const ok = groups.has(row.dataset.group) && (!pick || row.dataset.pick === pick)
        && words.every(w => haystack.get(row).includes(w));
      row.hidden = !ok;
      shown += ok;
      for (const f of figures.get(row.id) || []) f.classList.toggle('dim', !ok);
    }
    form.elements.shown.value = shown + ' of ' + rows.length + ' shown';
  }
  function sortBy(th) {
    const table = th.closest('table'), body = table.tBodies[0];
    const column = Array.from(th.parentNode.children).indexOf(th);
    const up = th.getAttribute('aria-sort') !== 'ascending';
    for (const h of all('th', table)) h.removeAttribute('aria-sort');
    th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
    const numeric = th.dataset.sort === 'num';
    const keyed = Array.from(body.rows, r => {
      const cell = r.cells[column];
      return [cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim(), r];
    });
    const blank = v => (numeric ? isNaN(parseFloat(v)) : !v);
    keyed.sort(([x], [y]) => {
      if (blank(x) || blank(y)) return blank(x) - blank(y);
      const order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, 'zh');
      return up ? order : -order;
    });
    for (const [, r] of keyed) body.appendChild(r);
  }
  form.hidden = false;
  for (const e of all('.nojs')) e.hidden = true;
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', e => e.preventDefault());
  form.addEventListener('reset', () => setTimeout(apply));
  for (const th of all('th[data-sort]')) {
    th.tabIndex = 0;
    th.title = 'sort';
    th.addEventListener('click', () => sortBy(th));
    th.addEventListener('keydown', e => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(th); }
    });
  }
  apply();
})();
"""

HINT = ("Each figure is labelled metric · kind year (its fields on hover); click it for its row in the table, "
        "and a row's # for its place in the text.")
Column = tuple[str, str]  # (header, "num" or "text": how it sorts)


def review_page(original: str, document: dict[str, Any]) -> str:
    """The review page of one report; `document` is its contract JSON."""
    indicators = document["indicators"]
    counts = Counter(i["kind"] for i in indicators)
    groups = [(kind, f"k-{kind}", counts[kind]) for kind in KIND_COLOURS if counts[kind]]
    body = "\n".join(
        (
            f"<header><h1>{escape(document['doc_id'])}</h1>\n<p class=\"facts\">{_facts(document)}</p>"
            f'<p class="hint">{HINT}</p></header>',
            filters("kind", groups, pick_select(indicators), len(indicators)),
            legend(groups),
            f'<div class="text">{highlighted(original, indicators, _review_figure)}</div>',
            _review_table(indicators),
        )
    )
    return page(f"{document['doc_id']}: indicators", document.get("language") or "zh", body)


def page(title: str, lang: str, body: str, style: str = "", wide: bool = False) -> str:
    """A whole HTML page around `body` (already HTML), with the shared style and script."""
    klass = ' class="wide"' if wide else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}{style}</style>\n</head>\n"
        f"<body{klass}>\n{body}\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _facts(document: dict[str, Any]) -> str:
    parts = (
        document.get("region") or "region unknown",
        f"report year {document.get('report_year') or 'unknown'}",
        document.get("script") or document.get("language"),
        f"{len(document['indicators'])} indicators",
    )
    return " · ".join(escape(str(part)) for part in parts if part)


def anchor(element_id: str) -> str:
    """The href of an element of the page (`#` and non-ASCII percent-encoded)."""
    return "#" + url_quote(element_id, safe="")


def number(indicator: dict[str, Any]) -> str:
    """The indicator's number in its report: the n of `<doc_id>#<n>`."""
    return indicator["id"].rsplit("#", 1)[-1]


def highlighted(original: str, indicators: Iterable[dict[str, Any]], render: Callable[[dict, str], str]) -> str:
    """The escaped text with each indicator's span replaced by `render(indicator,
    escaped figure text)`."""
    pieces, position = [], 0
    for indicator in sorted(indicators, key=lambda i: tuple(i["span"])):
        start, end = indicator["span"]
        start = max(start, position)  # spans never overlap; if they did, no text twice
        pieces.append(escape(original[position:start]))
        pieces.append(render(indicator, escape(original[start:end])))
        position = max(position, end)
    pieces.append(escape(original[position:]))
    return "".join(pieces)


def _review_figure(indicator: dict[str, Any], inner: str) -> str:
    row = f"row-{escape(number(indicator))}"
    kind = escape(indicator["kind"])
    return (
        f'<span class="fig" data-row="{row}"><mark class="k-{kind}" id="{escape(indicator["id"])}" '
        f'title="{escape(tooltip(indicator))}"><a href="#{row}">{inner}</a></mark>{label(indicator)}</span>'
    )


def label_text(indicator: dict[str, Any]) -> str:
    """metric · kind year: what a reader needs to see beside a figure."""
    return f"{indicator['metric'] or '?'} · {indicator['kind']} {indicator['year'] or '?'}"


def label(indicator: dict[str, Any], text: str | None = None, href: str | None = None, css: str = "") -> str:
    """The small label after a figure in the text, visible without hovering."""
    inner = escape(text if text is not None else label_text(indicator))
    if href:
        inner = f'<a href="{escape(href)}">{inner}</a>'
    return f'<small class="lab {css or "k-" + escape(indicator["kind"])}">{inner}</small>'


def tooltip(indicator: dict[str, Any]) -> str:
    quantity = indicator["quantity"]
    english = f" ({indicator['metric_en']})" if indicator.get("metric_en") else ""
    lines = [
        f"metric: {indicator['metric'] or '?'}{english}",
        f"indicator: {indicator.get('indicator') or '-'}",
        f"value: {figure(indicator)}  =  {quantity['value']:g} {quantity['unit']}",
        f"comparator: {indicator['comparator']}, change: {indicator['change'] or 'none'}",
        f"{indicator['kind']} for {indicator['year'] or '?'}",
    ]
    if indicator.get("compared_with"):
        lines.append(f"compared with: {indicator['compared_with']}")
    return "\n".join(lines)


def marked_quote(indicator: dict[str, Any], css: str | None = None, around: int | None = None) -> str:
    """The figure's sentence as in the original, escaped, with the figure in a <mark>;
    with `around`, only that many characters on either side of the figure."""
    quote = indicator.get("quote") or indicator["sentence"]
    text = indicator["text"]
    at = _figure_in_quote(indicator, quote)
    if at < 0:
        return escape(quote)
    css = css or f"k-{indicator['kind']}"
    end = at + len(text)
    before, after = quote[:at], quote[end:]
    if around is not None:
        before = before if len(before) <= around else "…" + before[-around:]
        after = after if len(after) <= around else after[:around] + "…"
    return f'{escape(before)}<mark class="{escape(css)}">{escape(text)}</mark>{escape(after)}'


def _figure_in_quote(indicator: dict[str, Any], quote: str) -> int:
    """Where the figure's text is in its quote: its offset in the sentence for a plain
    text; in an HTML page's quote (tags left out) the occurrence nearest to where the
    offset would put it, scaled by the lengths. -1 when it is not there."""
    text, sentence_span = indicator["text"], indicator.get("sentence_span")
    if not sentence_span:
        return quote.find(text)
    offset = indicator["span"][0] - sentence_span[0]
    if quote[offset : offset + len(text)] == text and offset >= 0:
        return offset
    found = [m for m in range(len(quote)) if quote.startswith(text, m)] if text else []
    expected = offset * len(quote) / max(1, sentence_span[1] - sentence_span[0])
    return min(found, key=lambda m: abs(m - expected), default=-1)


def pick_value(indicator: dict[str, Any]) -> str:
    """What the indicator select matches a row by: its code, else its metric."""
    return f"i:{indicator['indicator']}" if indicator.get("indicator") else f"m:{indicator['metric'] or ''}"


def pick_select(indicators: list[dict[str, Any]]) -> str:
    """A select of the standard indicators, then the other metrics, present (with counts)."""
    codes = Counter(i["indicator"] for i in indicators if i.get("indicator"))
    metrics = Counter(i["metric"] or "" for i in indicators if not i.get("indicator"))
    english = {i["indicator"]: i.get("metric_en") for i in indicators if i.get("indicator")}

    def option(value: str, text: str, count: int) -> str:
        return f'<option value="{escape(value)}">{escape(text)} ({count})</option>'

    by_code = "".join(
        option(f"i:{code}", f"{code} · {english[code]}" if english[code] else code, n)
        for code, n in sorted(codes.items())
    )
    by_metric = "".join(option(f"m:{m}", m or "(no metric)", n) for m, n in sorted(metrics.items()))
    groups = "".join(
        f'<optgroup label="{name}">{options}</optgroup>'
        for name, options in (("standard indicators", by_code), ("other metrics", by_metric))
        if options
    )
    return f'<label>indicator <select name="pick"><option value="">all</option>{groups}</select></label>'


def filters(name: str, groups: list[tuple[str, str, int]], select: str, total: int) -> str:
    """The filter bar (hidden until the script shows it): a checkbox per group (kind
    or verdict: value, label, count), the select, a search box, how many are shown."""
    boxes = "".join(
        f'<label class="chip {escape(css)}"><input type="checkbox" name="group" value="{escape(value)}" checked> '
        f"{escape(value)} <b>{count}</b></label>"
        for value, css, count in groups
    )
    return (
        f'<form id="filters" class="filters" role="search" hidden>\n<fieldset><legend>{escape(name)}</legend>'
        f"{boxes}</fieldset>\n{select}\n"
        '<label>search <input type="search" name="q" placeholder="metric, figure or sentence"></label>\n'
        f'<output name="shown">{total} of {total} shown</output> <button type="reset">show all</button>\n</form>'
    )


def legend(groups: list[tuple[str, str, int]]) -> str:
    """The colours and counts, for a page read without its script (and in print)."""
    spans = "".join(f'<span class="{escape(css)}">{escape(value)} {count}</span>' for value, css, count in groups)
    return f'<p class="legend nojs">{spans}</p>'


def table(columns: list[Column], rows: Iterable[str], css: str = "scroll") -> str:
    """A table whose headers the script makes sortable; `rows` are <tr> elements."""
    head = "".join(f'<th scope="col" data-sort="{kind}">{escape(name)}</th>' for name, kind in columns)
    body = "\n".join(rows)
    return f'<div class="{css}"><table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>'


def cell(content: str, sort: Any = None, css: str = "") -> str:
    """A <td> of HTML `content`; `sort` is its sort key when that is not its text."""
    key = "" if sort is None else f' data-v="{escape(str(sort))}"'
    klass = f' class="{css}"' if css else ""
    return f"<td{klass}{key}>{content}</td>"


def search_text(*indicators: dict[str, Any] | None) -> str:
    """Words a row is found by beyond its visible text: figures as written, codes."""
    fields = ("text", "metric", "metric_en", "indicator")
    return " ".join(str(i[f]) for i in indicators if i for f in fields if i.get(f))


def _review_table(indicators: list[dict[str, Any]]) -> str:
    columns = [("#", "num"), ("metric", "text"), ("indicator", "text"), ("figure", "num"), ("kind", "text"),
               ("year", "num"), ("sentence", "text")]
    return table(columns, (_review_row(i) for i in indicators))


def _review_row(indicator: dict[str, Any]) -> str:
    n, kind = escape(number(indicator)), escape(indicator["kind"])
    english = f'<small class="en">{escape(indicator["metric_en"])}</small>' if indicator.get("metric_en") else ""
    cells = (
        cell(f'<a href="{anchor(indicator["id"])}">{n}</a>', n),
        cell(escape(indicator["metric"] or "") + english, indicator["metric"] or ""),
        cell(escape(indicator.get("indicator") or "")),
        cell(escape(figure(indicator)), indicator["quantity"]["value"]),
        cell(f'<mark class="k-{kind}">{kind}</mark>'),
        cell(str(indicator["year"] or ""), indicator["year"] or ""),
        cell(marked_quote(indicator), css="quote"),
    )
    return (
        f'<tr id="row-{n}" data-group="{kind}" data-pick="{escape(pick_value(indicator))}" '
        f'data-q="{escape(search_text(indicator))}">' + "".join(cells) + "</tr>"
    )
