"""The HTML review and track pages, opened in headless Chromium: every indicator is
highlighted and labelled in the rendered page, the filters, the search box and the
sorting work, print keeps the labels, and the track page's links resolve in both
texts. CI installs Debian's chromium (.ci/run); elsewhere the browser tests are
skipped when no Chromium is installed."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.review import review_page

from conftest import CORPUS, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TRACK = ROOT / "tests" / "fixtures" / "track"
EARLIER, LATER = TRACK / "2024-shenzhen-longhua.txt", TRACK / "2025-shenzhen-longhua.txt"

# Appended to a copy of a page: its script writes what the browser did to a <pre>.
REPORT_BACK = """<script>
window.addEventListener('load', () => {
  const all = (s, root = document) => Array.from(root.querySelectorAll(s));
  const box = r => { const b = r.getBoundingClientRect(); return {width: b.width, height: b.height}; };
  const shown = e => !e.hidden && e.getClientRects().length > 0;
  const target = a => document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
  const result = (() => { %s })();
  const out = document.createElement('pre');
  out.id = 'browser-check';
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>"""

# Every highlight as rendered: painted, its size, its label beside it.
MARKS = """
  const painted = m => !['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(m).backgroundColor);
  return all('.text mark').map(m => {
    const lab = m.nextElementSibling;
    return {id: m.id, text: m.textContent, kind: m.className, title: m.title, painted: painted(m),
            width: box(m).width, label: lab && lab.classList.contains('lab') ? lab.textContent : null,
            label_box: lab ? box(lab) : null, label_shown: lab ? shown(lab) : false};
  });
"""

# Uncheck a kind, search, pick an indicator, sort: what rows and marks show each time.
INTERACT = """
  const form = document.getElementById('filters');
  const rows = () => all('tbody tr');
  const visible = () => rows().filter(shown);
  const fire = (e, type) => e.dispatchEvent(new Event(type, {bubbles: true}));
  const state = () => ({rows: visible().map(r => r.id), kinds: [...new Set(visible().map(r => r.dataset.group))],
                        dimmed: all('.fig.dim mark').map(m => m.id), output: form.elements.shown.value});
  const out = {form_shown: shown(form), all_rows: rows().length, start: state()};
  const targets = form.querySelector('input[value=target]');
  targets.checked = false; fire(targets, 'change');
  out.no_targets = state();
  targets.checked = true; fire(targets, 'change');
  form.elements.q.value = '生产总值'; fire(form.elements.q, 'input');
  out.search = state();
  out.search_texts = visible().map(r => r.textContent);
  form.elements.q.value = ''; fire(form.elements.q, 'input');
  form.elements.pick.value = 'i:gdp'; fire(form.elements.pick, 'change');
  out.gdp = state();
  form.elements.pick.value = ''; fire(form.elements.pick, 'change');
  const headers = all('thead th');
  const column = (name, key) => {
    const th = headers.find(h => h.textContent.trim() === name);
    const index = headers.indexOf(th);
    th.click();
    const up = rows().map(r => key(r.cells[index]));
    th.click();
    return {up, down: rows().map(r => key(r.cells[index])), sort: th.getAttribute('aria-sort')};
  };
  out.by_number = column('#', c => Number(c.textContent));
  out.by_figure = column('figure', c => Number(c.dataset.v));
  out.by_metric = column('metric', c => c.textContent);
  out.row_links = rows().map(r => {
    const t = target(r.querySelector('a'));
    return t && t.closest('.text') ? t.id : null;
  });
  out.mark_links = all('.text mark a').map(a => { const t = target(a); return t ? t.id : null; });
  return out;
"""

# The track page: its rows, and where each of their links and marks leads.
TRACK_LINKS = """
  const pane = id => {
    const t = document.getElementById(id);
    return t ? t.closest('.pane').querySelector('h2').id : null;
  };
  const rows = all('tbody tr').map(r => {
    const links = all('td.figure a', r).map(a => ({href: a.getAttribute('href'), to: target(a) && target(a).id,
                                                     pane: target(a) && pane(target(a).id),
                                                     text: target(a) && target(a).textContent}));
    const marks = links.map(l => document.getElementById(l.to)).filter(Boolean).map(m => ({
      to: target(m.querySelector('a')) && target(m.querySelector('a')).id,
      label_to: target(m.parentNode.querySelector('.lab a')).id, label: m.parentNode.querySelector('.lab').textContent,
      label_box: box(m.parentNode.querySelector('.lab'))}));
    return {id: r.id, verdict: r.dataset.group, links, marks};
  });
  const form = document.getElementById('filters');
  const box2 = form.querySelector('input[value=no_result]');
  box2.checked = false; box2.dispatchEvent(new Event('change', {bubbles: true}));
  const left = all('tbody tr').filter(shown).map(r => r.dataset.group);
  return {rows, left, panes: all('.pane h2').map(h => h.id)};
"""


def _chromium():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed")
    return CHROMIUM


def _in_browser(page, script: str, tmp_path, size: str = "1200,1400", print_media: bool = False):
    """Open a copy of `page` with `script` run on load; what the script returns."""
    chromium = _chromium()
    source = page.read_text(encoding="utf-8")
    if print_media:  # as it prints: the print rules apply to the screen
        source = source.replace("@media print", "@media all")
    checked = tmp_path / f"checked-{page.stem}.html"
    checked.write_text(source.replace("</body>", REPORT_BACK % script + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [
            chromium,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--window-size={size}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            checked.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert '<pre id="browser-check">' in dom, dom[-2000:]
    return json.loads(html.unescape(dom.split('<pre id="browser-check">', 1)[1].split("</pre>", 1)[0]))


def _review(name: str, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    page = tmp_path / f"review-{name}.html"
    result = CliRunner().invoke(app, ["show", f"corpus/{name}.txt", "--html", str(page)])
    assert result.exit_code == 0, result.output
    document = json.loads(CliRunner().invoke(app, ["run", f"corpus/{name}.txt"]).stdout)
    return page, document


def _labelled(marks, indicators):
    assert [m["id"] for m in marks] == [i["id"] for i in indicators]
    for mark, indicator in zip(marks, indicators, strict=True):
        assert mark["label"] is not None, mark
        for word in (indicator["metric"] or "?", indicator["kind"], str(indicator["year"] or "?")):
            assert word in mark["label"], (word, mark)
        assert mark["label_shown"] and mark["label_box"]["width"] > 0 and mark["label_box"]["height"] > 0, mark


@pytest.mark.parametrize("name", ["laoshan-2025", "laoshan-2026"])
def test_every_indicator_is_highlighted_and_labelled_in_the_browser(name, tmp_path, monkeypatch):
    page, document = _review(name, tmp_path, monkeypatch)
    marks = _in_browser(page, MARKS, tmp_path)
    _labelled(marks, document["indicators"])
    for mark, indicator in zip(marks, document["indicators"], strict=True):
        assert mark["painted"] and mark["width"] > 0, mark
        assert mark["text"] == indicator["text"]
        assert mark["kind"] == f"k-{indicator['kind']}"
        assert (indicator["metric"] or "?") in mark["title"]
    assert len({m["kind"] for m in marks}) >= 2, "kinds are told apart by colour"


def test_labels_stay_in_print_and_on_a_phone(tmp_path, monkeypatch):
    page, document = _review("laoshan-2025", tmp_path, monkeypatch)
    _labelled(_in_browser(page, MARKS, tmp_path, print_media=True), document["indicators"])
    phone = "return {marks: (() => {" + MARKS + "})(), wide: document.documentElement.scrollWidth, inner: innerWidth};"
    seen = _in_browser(page, phone, tmp_path, size="500,900")  # headless Chromium's narrowest window
    _labelled(seen["marks"], document["indicators"])
    assert seen["wide"] <= seen["inner"], "no sideways scrolling on a phone (the table scrolls in its box)"
    pdf = tmp_path / "review.pdf"
    subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'pdf'}", f"--print-to-pdf={pdf}",
                    "--no-pdf-header-footer", page.as_uri()], capture_output=True, timeout=120)
    assert pdf.read_bytes()[:4] == b"%PDF"


def test_filters_search_sorting_and_links_in_the_browser(tmp_path, monkeypatch):
    page, document = _review("laoshan-2025", tmp_path, monkeypatch)
    indicators = document["indicators"]
    seen = _in_browser(page, INTERACT, tmp_path)
    n = len(indicators)
    assert seen["form_shown"] and seen["all_rows"] == n
    assert len(seen["start"]["rows"]) == n and not seen["start"]["dimmed"]
    assert seen["start"]["output"] == f"{n} of {n} shown"
    targets = [i["id"] for i in indicators if i["kind"] == "target"]
    assert set(seen["no_targets"]["kinds"]) == {i["kind"] for i in indicators} - {"target"}
    assert len(seen["no_targets"]["rows"]) == n - len(targets)
    assert seen["no_targets"]["dimmed"] == targets, "the filtered-out figures are dimmed in the text"
    assert 0 < len(seen["search"]["rows"]) < n and all("生产总值" in text for text in seen["search_texts"])
    gdp = [f"row-{i['id'].rsplit('#', 1)[1]}" for i in indicators if i["indicator"] == "gdp"]
    assert seen["gdp"]["rows"] == gdp and gdp
    numbers = list(range(1, n + 1))
    assert seen["by_number"] == {"up": numbers, "down": numbers[::-1], "sort": "descending"}
    values = [i["quantity"]["value"] for i in indicators]
    assert seen["by_figure"]["up"] == sorted(values) and seen["by_figure"]["down"] == sorted(values, reverse=True)
    assert seen["by_metric"]["up"] != seen["by_metric"]["down"]
    assert sorted(seen["row_links"]) == sorted(i["id"] for i in indicators), "each row links to its mark"
    assert sorted(seen["mark_links"]) == sorted(f"row-{i}" for i in numbers), "each mark links to its row"


def test_review_page_is_self_contained_and_complete_without_script(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    page = tmp_path / "review.html"
    assert CliRunner().invoke(app, ["show", str(CORPUS / "laoshan-2025.txt"), "--html", str(page)]).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]*>", text) == ["<script>"], "one inline script, no external one"
    for outside in ("http", "<link", "src=", "@import", "url("):
        assert outside not in text
    assert '<meta name="viewport"' in text and "@media print" in text
    assert text.count('<mark class="k-') >= 3 * 108  # in the text, the kind column, the quote
    assert len(re.findall(r'<td class="quote">[^<]*<mark class="k-', text)) == 108, "every quote marks its figure"
    assert '<form id="filters" class="filters" role="search" hidden>' in text, "no filters without the script"
    assert not re.search(r"<tr[^>]* hidden", text) and 'class="fig dim"' not in text, "without it, all is shown"


def test_everything_on_the_page_is_escaped():
    original = 'a <u>"x"</u> & </script> 5%以上 end'
    start = original.index("5%")
    indicator = {
        "id": 'x<y>#1', "span": [start, start + 5], "text": "5%以上", "sentence": original,
        "sentence_span": [0, len(original)], "quote": original, "metric": "<i>metric</i>", "indicator": None,
        "metric_en": '"en"', "value": 5, "value_max": None, "unit": "%",
        "quantity": {"value": 5, "value_max": None, "unit": "percent"}, "comparator": "ge", "change": None,
        "kind": "target", "year": 2025, "compared_with": None,
    }
    document = {"doc_id": "<doc>", "region": "<r>", "report_year": 2025, "language": "zh", "indicators": [indicator]}
    page = review_page(original, document)
    assert "<u>" not in page and "<i>" not in page and "<doc>" not in page and "<r>" not in page
    assert page.count("</script>") == 1  # the page's own script only
    assert "&lt;i&gt;metric&lt;/i&gt; · target 2025" in page
    assert '<td class="quote">a &lt;u&gt;' in page and '<mark class="k-target">5%以上</mark> end' in page


def _track(tmp_path, *args: str):
    page = tmp_path / "track.html"
    result = CliRunner().invoke(app, ["track", *args, "--html", str(page)])
    assert result.exit_code == 0, result.output
    return page


def test_track_page_has_a_row_per_pair_linked_to_both_texts(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    pairs = json.loads(CliRunner().invoke(app, ["track", str(EARLIER), str(LATER), "-f", "json"]).stdout)["pairs"]
    seen = _in_browser(_track(tmp_path, str(EARLIER), str(LATER)), TRACK_LINKS, tmp_path)
    assert seen["panes"] == ["earlier", "later"]
    assert [r["verdict"] for r in seen["rows"]] == [p["verdict"] for p in pairs]
    assert {"met", "missed", "no_result"} <= {p["verdict"] for p in pairs}
    for row, pair in zip(seen["rows"], pairs, strict=True):
        n = lambda indicator: indicator["id"].rsplit("#", 1)[1]  # noqa: E731
        expected = [("earlier", pair["target"])] + ([("later", pair["actual"])] if pair["actual"] else [])
        assert [(link["pane"], link["to"], link["text"]) for link in row["links"]] == [
            (side, f"{side}-{n(i)}", i["text"]) for side, i in expected
        ]
        partners = [link["to"] for link in row["links"]][::-1] if pair["actual"] else [row["id"]]
        assert [mark["to"] for mark in row["marks"]] == partners, "target and result marks link to each other"
        for mark in row["marks"]:
            assert mark["label_to"] == row["id"] and pair["verdict"] in mark["label"] and mark["label_box"]["width"] > 0
    assert seen["left"] and "no_result" not in seen["left"], "unchecking a verdict hides its rows"


def test_track_page_without_a_report_text_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    document = json.loads(CliRunner().invoke(app, ["run", str(EARLIER)]).stdout)
    document["source"] = str(tmp_path / "gone.txt")
    output = tmp_path / "earlier.json"
    output.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    pairs = json.loads(CliRunner().invoke(app, ["track", str(output), str(LATER), "-f", "json"]).stdout)["pairs"]
    text = _track(tmp_path, str(output), str(LATER)).read_text(encoding="utf-8")
    assert "is not here" in text and "its figures are not linked" in text
    assert 'id="earlier-' not in text and 'href="#earlier-' not in text
    assert text.count('<tr id="pair-') == len(pairs) and 'href="#later-' in text


def test_track_panel_page_links_resolve(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    reports = [str(path) for path in sorted(TRACK.glob("*.txt"))]
    rows = json.loads(CliRunner().invoke(app, ["track", *reports, "-f", "json"]).stdout)
    text = _track(tmp_path, *reports).read_text(encoding="utf-8")
    assert text.count('<tr id="pair-') == len(rows) > 100
    ids = set(re.findall(r' id="([^"]+)"', text))
    hrefs = {html.unescape(unquote(h)) for h in re.findall(r' href="#([^"]+)"', text)}
    assert hrefs <= ids and {f"pair-{i}" for i in range(1, len(rows) + 1)} <= hrefs
    assert sum(h.endswith(tuple(f"-{r['target_id'].rsplit('#', 1)[1]}" for r in rows)) for h in hrefs) >= len(rows)
    assert len(re.findall(r'<section class="pane">', text)) == 6


def test_an_html_report_marks_each_figure_in_its_quote(tmp_path):
    report = tmp_path / "page.html"
    report.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>2025年崂山区政府工作报告</title></head><body>'
        "<nav>首页 | 新闻</nav><div class=\"article\"><h1>2025年崂山区政府工作报告</h1>"
        "<p>2025年，崂山区的主要预期目标是：全区<b>生产总值</b>增长5%以上，区级一般公共预算收入增长5%以上。</p>"
        "</div></body></html>",
        encoding="utf-8",
    )
    page = tmp_path / "review.html"
    assert CliRunner().invoke(app, ["show", str(report), "--html", str(page)]).exit_code == 0
    quotes = re.findall(r'<td class="quote">(.*?)</td>', page.read_text(encoding="utf-8"))
    assert [q.split("<mark", 1)[1].split("</mark>", 1)[1][:2] for q in quotes] == ["，区", "。"], quotes
