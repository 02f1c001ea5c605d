"""`extract diff OLD NEW`: what a new output changes against a golden one.

The CLI tests compare real runs: of the bundled reports, and of a copy of
laoshan-2025 with one sentence deleted and one figure rewritten after it (so every
later span moves and only those two figures may show). The unit tests pin the
matching: ids are positions and never make a change, a grown span is one change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.diff import ABSENT, FieldChange, diff_document, field_changes, load_documents, match_figures
from extract.read import ReadError

from conftest import CORPUS, OUTPUTS, ROOT

REPORTS = ["corpus/laoshan-2025.txt", "corpus/laoshan-2026.txt"]
DELETED = "完善“工业上楼”标准，新开工载体面积20万平方米。"
REWRITTEN = ("全年旅游总收入达到220亿元", "全年旅游总收入达到250亿元以上")
# What the rewrite may change besides the figure's own number: its sentence, and
# the positions and quote of that sentence where the output has them.
REWRITE_FIELDS = {"span", "text", "value", "quantity.value", "comparator", "sentence"}
MAY_CHANGE = REWRITE_FIELDS | {"sentence_span", "quote"}


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Output folders, each made once: `old` and `same` (two runs of two reports),
    `edited` (laoshan-2025 edited, laoshan-2026 as it is) and `fresh` (all of corpus/)."""
    tmp = tmp_path_factory.mktemp("diff")
    edited = tmp / "edited" / "laoshan-2025.txt"
    edited.parent.mkdir()
    text = (CORPUS / "laoshan-2025.txt").read_text(encoding="utf-8")
    assert text.count(DELETED) == 1 and text.count(REWRITTEN[0]) == 1
    edited.write_text(text.replace(DELETED, "").replace(*REWRITTEN), encoding="utf-8")
    inputs = {"old": REPORTS, "same": REPORTS, "edited": [str(edited), REPORTS[1]], "fresh": ["corpus"]}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # sources as the golden outputs have them: corpus/<name>
        for name, paths in inputs.items():
            result = _invoke("run", *paths, "--out", str(tmp / name), "-q")
            assert result.exit_code == 0, result.output
    return {name: tmp / name for name in inputs}


def _figure(folder: Path, doc_id: str, text: str) -> dict:
    document = json.loads((folder / f"{doc_id}.json").read_text(encoding="utf-8"))
    (figure,) = [f for f in document["indicators"] if f["text"] == text]
    return figure


def test_an_edited_report_shows_just_its_changed_and_removed_figure(runs):
    result = _invoke("diff", str(runs["old"]), str(runs["edited"]))
    assert result.exit_code == 1, result.output
    removed, changed = (
        _figure(runs["old"], "laoshan-2025", "20万平方米"),
        _figure(runs["old"], "laoshan-2025", "220亿元"),
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "laoshan-2025: 0 figures added, 1 removed, 1 changed"
    assert [line.split()[0] for line in lines[1:3]] == ["source", "sha256"]
    start, end = removed["span"]
    assert lines[3] == f"- removed  [{start},{end}] 20万平方米  载体面积"
    start, end = changed["span"]
    assert lines[4].startswith(f"~ changed  [{start},{end}] 220亿元: span [{start},{end}] → ")
    for part in (
        "text 220亿元 → 250亿元以上",
        "value 220 → 250",
        "quantity.value 22000000000 → 25000000000",
        "comparator eq → ge",
    ):
        assert part in lines[4]
    assert lines[5:] == ["extract diff: 1 of 2 documents differs: 0 figures added, 1 removed, 1 changed"]


def test_the_json_format_has_the_full_figures_and_their_field_changes(runs):
    result = _invoke("diff", str(runs["old"]), str(runs["edited"]), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert list(report["documents"]) == ["laoshan-2025"]
    document = report["documents"]["laoshan-2025"]
    assert document["status"] == "changed"
    assert [f["field"] for f in document["fields"]] == ["source", "sha256"]
    assert document["removed"] == [_figure(runs["old"], "laoshan-2025", "20万平方米")]
    assert document["added"] == []
    (change,) = document["changed"]
    assert change["old"] == _figure(runs["old"], "laoshan-2025", "220亿元")
    assert change["new"] == _figure(runs["edited"], "laoshan-2025", "250亿元以上")
    fields = {f["field"]: f for f in change["fields"]}
    assert REWRITE_FIELDS <= set(fields) <= MAY_CHANGE
    assert fields["value"] == {"field": "value", "old": 220, "new": 250}
    assert fields["comparator"] == {"field": "comparator", "old": "eq", "new": "ge"}
    assert report["summary"] == {
        "documents": 2,
        "differ": 1,
        "figures_added": 0,
        "figures_removed": 1,
        "figures_changed": 1,
        "documents_added": 0,
        "documents_removed": 0,
    }


def test_ignored_fields_are_not_compared(runs):
    result = _invoke("diff", str(runs["old"]), str(runs["edited"]), "--ignore", "source", "--ignore", "sha256")
    assert result.exit_code == 1
    assert not [line for line in result.stdout.splitlines() if line.startswith("  ")]


def test_identical_runs_do_not_differ(runs):
    result = _invoke("diff", str(runs["old"]), str(runs["same"]))
    assert result.exit_code == 0, result.output
    assert result.stdout == "extract diff: no differences in 2 documents\n"
    report = json.loads(_invoke("diff", str(runs["old"]), str(runs["same"]), "-f", "json").stdout)
    assert report["documents"] == {} and report["summary"]["differ"] == 0


def test_the_golden_outputs_are_those_of_a_fresh_run(runs):
    result = _invoke("diff", str(OUTPUTS), str(runs["fresh"]))
    assert result.exit_code == 0, result.stdout[-2000:]
    assert result.stdout == f"extract diff: no differences in {len(list(OUTPUTS.glob('*.json')))} documents\n"


def test_documents_of_one_side_only_are_added_or_removed(runs):
    result = _invoke("diff", str(runs["old"]), str(runs["fresh"]))
    assert result.exit_code == 1
    added = len(list(runs["fresh"].glob("*.json"))) - 2
    assert "d-hebei-2025: document added (" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        f"extract diff: {added} of {added + 2} documents differ: 0 figures added, 0 removed, 0 changed "
        f"({added} documents added, 0 removed)"
    )
    result = _invoke("diff", str(runs["fresh"]), str(OUTPUTS / "laoshan-2025.json"))
    assert result.stdout.splitlines()[-1].endswith(f"(0 documents added, {added + 1} removed)")


def test_a_file_of_several_documents_and_other_files_in_a_folder(runs, tmp_path):
    folder = tmp_path / "out"
    shutil.copytree(runs["old"], folder)
    (folder / "indicators.csv").write_text("doc_id\n", encoding="utf-8")
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(runs["old"].glob("*.json"))]
    lines = tmp_path / "documents.jsonl"
    lines.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
    concatenated = tmp_path / "documents.json"
    concatenated.write_text(
        "".join(p.read_text(encoding="utf-8") for p in sorted(runs["old"].glob("*.json"))), encoding="utf-8"
    )
    array = tmp_path / "array.json"
    array.write_text(json.dumps(documents, ensure_ascii=False, indent=2), encoding="utf-8")
    for path in (lines, concatenated, array):
        result = _invoke("diff", str(folder), str(path))
        assert result.exit_code == 0, result.output


def _not_outputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"doc_id": "x", "span_start": 1, "span_end": 2}) + "\n", encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text('{"name": "not a report"}', encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"doc_id": "x", "indicators": [', encoding="utf-8")
    return {
        "missing": (tmp_path / "nowhere", "no such file or folder"),
        "no outputs": (CORPUS, "no JSON outputs of `extract run`"),
        "rows": (rows, "rows of `extract run --format jsonl`"),
        "other": (other, "not a JSON output of `extract run`"),
        "broken": (broken, "not JSON"),
        "report": (CORPUS / "laoshan-2025.txt", "not JSON"),
    }


@pytest.mark.parametrize("case", ["missing", "no outputs", "rows", "other", "broken", "report"])
def test_an_unusable_input_is_one_line_and_exit_2(runs, tmp_path, case):
    path, reason = _not_outputs(tmp_path)[case]
    for args in ([str(path), str(runs["old"])], [str(runs["old"]), str(path)]):
        result = _invoke("diff", *args)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith(f"extract: {path}: {reason}")
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_doc_id_twice_is_unusable(tmp_path):
    document = (OUTPUTS / "laoshan-2025.json").read_text(encoding="utf-8")
    twice = tmp_path / "twice.json"
    twice.write_text(document + document, encoding="utf-8")
    with pytest.raises(ReadError, match="doc_id laoshan-2025 appears twice"):
        load_documents(twice)


# The matching, on figures made up for it


def _fig(start: int, end: int, text: str, n: int = 0, **fields) -> dict:
    return {"id": f"d#{n}", "span": [start, end], "text": text, "sentence": fields.pop("sentence", "s"), **fields}


def _doc(*figures: dict, sha256: str = "same") -> dict:
    return {"doc_id": "d", "sha256": sha256, "indicators": list(figures)}


def test_shifted_ids_are_no_changes():
    old = _doc(_fig(10, 12, "5%", 1), _fig(20, 22, "6%", 2))
    new = _doc(_fig(2, 4, "9个", 1), _fig(10, 12, "5%", 2), _fig(20, 22, "6%", 3))
    result = diff_document("d", old, new)
    assert result.added == (new["indicators"][0],)
    assert result.removed == () and result.changed == () and result.fields == ()


def test_a_grown_span_is_one_change():
    old = _doc(_fig(10, 12, "5%", comparator="eq"), _fig(20, 22, "6%", comparator="eq"))
    new = _doc(_fig(10, 14, "5%以上", comparator="ge"), _fig(20, 22, "6%", comparator="eq"))
    result = diff_document("d", old, new)
    assert result.removed == () and result.added == ()
    (change,) = result.changed
    assert change.fields == (
        FieldChange("span", [10, 12], [10, 14]),
        FieldChange("text", "5%", "5%以上"),
        FieldChange("comparator", "eq", "ge"),
    )


def test_the_same_span_goes_before_an_overlapping_one():
    old = [_fig(10, 20, "a")]
    new = [_fig(5, 12, "b"), _fig(10, 20, "a")]
    matching = match_figures(old, new)
    assert [(p.old, p.new) for p in matching.pairs] == [(0, 1)] and matching.added == (0,)


def test_overlapping_spans_pair_in_order():
    old = [_fig(10, 12, "5%"), _fig(13, 15, "6%")]
    new = [_fig(10, 13, "5%左"), _fig(13, 17, "6%以上")]
    assert [(p.old, p.new) for p in match_figures(old, new).pairs] == [(0, 0), (1, 1)]


def test_when_the_text_changed_spans_are_compared_where_the_text_moved():
    """A sentence of 30 characters deleted before two figures: the one that is the
    same is no change, the one rewritten is one change (not its span's move)."""
    old = _doc(_fig(0, 2, "1%", sentence="a"), _fig(40, 42, "2%", sentence="b"), _fig(80, 82, "3%", sentence="c"))
    old["indicators"].append(_fig(120, 122, "4%", sentence="d"))
    new = _doc(_fig(0, 2, "1%", sentence="a"), _fig(50, 53, "3.5%", sentence="c'"), sha256="edited")
    new["indicators"].append(_fig(90, 92, "4%", sentence="d"))
    result = diff_document("d", old, new)
    assert result.removed == (old["indicators"][1],) and result.added == ()
    (change,) = result.changed
    assert [f.field for f in change.fields] == ["span", "text", "sentence"]
    assert change.fields[0] == FieldChange("span", [80, 82], [50, 53])
    # Taken as the same text, every span after the deleted sentence would be off.
    same = match_figures(old["indicators"], new["indicators"], same_text=True)
    assert len(same.removed) > 1


def test_nested_and_absent_fields():
    old = {"quantity": {"value": 5, "unit": "percent"}, "kind": None, "value": 5}
    new = {"quantity": {"value": 5, "unit": "CNY"}, "value": 5.0, "quote": "q"}
    assert field_changes(old, new) == (
        FieldChange("quantity.unit", "percent", "CNY"),
        FieldChange("kind", None, ABSENT),
        FieldChange("value", 5, 5.0),
        FieldChange("quote", ABSENT, "q"),
    )
    assert field_changes(old, new, ignore={"quantity", "kind", "value", "quote"}) == ()


def test_every_difference_is_one_line_when_texts_hold_line_breaks():
    from extract.diff import diff_outputs, text_lines

    old = _doc(_fig(10, 16, "14\n.2万台", quote="完成更新14\n.2万台。"), _fig(30, 33, "5\n%"))
    new = _doc(_fig(10, 16, "14\n.2万台", quote="完成更新14\n.3万台。"), _fig(40, 43, "6\n%"))
    lines = list(text_lines(diff_outputs({"d": old}, {"d": new})))
    assert any(line.startswith("~ changed") and "14⏎.2万台" in line for line in lines)
    assert any(line.startswith("- removed") and "5⏎%" in line for line in lines)
    assert any(line.startswith("+ added") and "6⏎%" in line for line in lines)
    assert not any("\n" in line for line in lines)
