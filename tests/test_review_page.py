"""The HTML review page, opened in headless Chromium: every indicator is highlighted
in the rendered page. CI installs Debian's chromium (.ci/run); elsewhere the test
is skipped when no Chromium is installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from extract.cli import app

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
# Appended to a copy of the page: what the browser actually renders, per highlight.
CHECK = """<script>
window.addEventListener('load', () => {
  const marks = [...document.querySelectorAll('.text mark')];
  const painted = m => !['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(m).backgroundColor);
  const result = marks.map(m => ({id: m.id, text: m.textContent, kind: m.className, title: m.title,
                                  painted: painted(m), width: m.getBoundingClientRect().width}));
  const out = document.createElement('pre');
  out.id = 'browser-check';
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
});
</script>"""


def _chromium():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed")
    return CHROMIUM


@pytest.mark.parametrize("name", ["laoshan-2025", "laoshan-2026"])
def test_every_indicator_is_highlighted_in_the_browser(name, tmp_path, monkeypatch):
    chromium = _chromium()
    monkeypatch.chdir(ROOT)
    page = tmp_path / "review.html"
    result = CliRunner().invoke(app, ["show", f"corpus/{name}.txt", "--html", str(page)])
    assert result.exit_code == 0, result.output
    document = json.loads(CliRunner().invoke(app, ["run", f"corpus/{name}.txt"]).stdout)
    checked = tmp_path / "checked.html"
    checked.write_text(page.read_text(encoding="utf-8").replace("</body>", CHECK + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [
            chromium,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            checked.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    marks = json.loads(dom.split('<pre id="browser-check">', 1)[1].split("</pre>", 1)[0].replace("&amp;", "&"))
    assert [m["id"] for m in marks] == [i["id"] for i in document["indicators"]]
    for mark, indicator in zip(marks, document["indicators"], strict=True):
        assert mark["painted"] and mark["width"] > 0, mark
        assert mark["text"] == indicator["text"]
        assert mark["kind"] == f"k-{indicator['kind']}"
        assert (indicator["metric"] or "?") in mark["title"]
    assert len({m["kind"] for m in marks}) >= 2, "kinds are told apart by colour"


def test_review_page_is_self_contained(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    page = tmp_path / "review.html"
    assert CliRunner().invoke(app, ["show", str(CORPUS / "laoshan-2025.txt"), "--html", str(page)]).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http" not in html and "<link" not in html
    assert html.count('<mark class="k-') >= 2 * 108
