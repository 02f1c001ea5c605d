"""`extract track`: targets of one report against the results of the next."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.track import load_track_rules, track, verdict

from conftest import CORPUS, OUTPUTS, ROOT

RULES = load_track_rules()


def _indicator(metric, value, unit="count", comparator="eq", kind="target", year=2025, change=None, sentence=None):
    return {
        "id": "x#1",
        "span": [0, 1],
        "text": f"{value}",
        "sentence": sentence or f"完成{metric}{value}。",
        "metric": metric,
        "metric_en": None,
        "value": value,
        "value_max": None,
        "unit": "个",
        "quantity": {"value": value, "value_max": None, "unit": unit},
        "comparator": comparator,
        "change": change,
        "kind": kind,
        "year": year,
    }


def _document(*indicators, year=2025):
    return {"doc_id": "d", "source": "d", "region": None, "report_year": year, "indicators": list(indicators)}


@pytest.mark.parametrize(
    "comparator, target, actual, expected",
    [
        ("ge", 100, 125, "met"),
        ("ge", 100, 90, "missed"),
        ("eq", 18, 18, "met"),
        ("gt", 600, 600, "missed"),
        ("le", 3, 2.5, "met"),
        ("le", 3, 3.5, "missed"),
        ("approx", 5, 4.8, "met"),
        ("approx", 5, 4.5, "missed"),
    ],
)
def test_verdict_follows_the_comparator(comparator, target, actual, expected):
    assert verdict(_indicator("产值", target, comparator=comparator), _indicator("产值", actual), RULES) == expected


def test_lower_is_better_for_levels_but_not_for_decreases():
    unemployment = _indicator("城镇调查失业率", 5.5, unit="percent", comparator="approx")
    assert verdict(unemployment, _indicator("城镇调查失业率", 5.1, unit="percent"), RULES) == "met"
    assert verdict(unemployment, _indicator("城镇调查失业率", 6.2, unit="percent"), RULES) == "missed"
    energy = _indicator("单位生产总值能耗", 3, unit="percent", change="decrease")
    assert verdict(energy, _indicator("单位生产总值能耗", 3.4, unit="percent", change="decrease"), RULES) == "met"


def test_pairs_need_the_same_unit_change_and_year():
    target = _indicator("老旧小区", 18)
    later = _document(
        _indicator("老旧小区", 18, unit="m2", kind="actual"),
        _indicator("老旧小区", 18, change="increase", kind="actual"),
        _indicator("老旧小区", 18, kind="actual", year=2024),
    )
    assert track(_document(target), later)[0]["verdict"] == "no_result"


def test_synonyms_and_containment_pair_metrics():
    earlier = _document(_indicator("新招引过亿元项目", 100, comparator="ge"), _indicator("新增就业", 2))
    later = _document(_indicator("新引进过亿元项目", 125, kind="actual"), _indicator("城镇新增就业", 3, kind="actual"))
    assert [p["verdict"] for p in track(earlier, later)] == ["met", "met"]


def test_generic_metrics_need_a_shared_predicate():
    earlier = _document(_indicator("项目", 60, sentence="推动60个项目竣工。"))
    opened = _document(_indicator("项目", 124, kind="actual", sentence="124个项目实现新开工。"))
    finished = _document(_indicator("项目", 70, kind="actual", sentence="70个项目竣工投用。"))
    assert track(earlier, opened)[0]["actual"] is None
    assert track(earlier, finished)[0]["actual"]["value"] == 70


def test_bundled_pair_finds_the_right_pairs(validator):
    earlier = json.loads((OUTPUTS / "laoshan-2025.json").read_text(encoding="utf-8"))
    later = json.loads((OUTPUTS / "laoshan-2026.json").read_text(encoding="utf-8"))
    found = {
        (p["target"]["metric"], p["target"]["value"], p["actual"]["value"], p["verdict"])
        for p in track(earlier, later)
        if p["actual"]
    }
    assert found == {
        ("重点项目", 263, 263, "met"),
        ("过亿元项目", 100, 125, "met"),
        ("项目", 60, 70, "met"),
        ("完整社区", 4, 4, "met"),
        ("新改造老旧小区", 18, 18, "met"),
        ("城镇新增就业", 2.2, 3.19, "met"),
    }


def test_track_command_json_validates(monkeypatch):
    jsonschema = pytest.importorskip("jsonschema")
    from referencing import Registry, Resource

    schemas = ROOT / "src" / "extract" / "schema"
    report = json.loads((schemas / "report.schema.json").read_text(encoding="utf-8"))
    tracked = json.loads((schemas / "track.schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources(
        [
            ("https://extract.invalid/schema/report.schema.json", Resource.from_contents(report)),
        ]
    )
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["track", "corpus/laoshan-2025.txt", "corpus/laoshan-2026.txt", "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(tracked, registry=registry).validate(document)
    assert sum(p["actual"] is not None for p in document["pairs"]) == 6


def test_track_table_and_bad_input(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["track", str(CORPUS / "laoshan-2025.txt"), str(OUTPUTS / "laoshan-2026.json")])
    assert result.exit_code == 0 and "城镇新增就业" in result.stdout and "6 met" in result.stdout
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["track", str(broken), str(OUTPUTS / "laoshan-2026.json")])
    assert result.exit_code == 1 and "broken.json" in result.stderr


def test_track_on_hand_read_series_of_two_districts():
    """The 2023-2025 reports of 龙华 and 坪山 (tests/fixtures/track), whose clear
    target-result pairs were read by hand before the pairing was tuned: at least 80%
    found with the right verdict, and at most 5% of the printed pairs wrong (those that
    touch a listed figure, and those a reader judged in judged-printed.json)."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from measure_track import measure

    result = measure()
    assert result["listed"] == 128
    assert result["found_share"] >= 0.80, result
    assert result["wrong_share"] <= 0.05, result


def test_pairs_carry_a_confidence_and_a_reason():
    earlier = _document(_indicator("无人机航线", 4, year=2023), year=2023)
    later = _document(_indicator("无人机配送航线", 5, kind="actual", year=2023), year=2024)
    (pair,) = track(earlier, later, RULES)
    assert pair["actual"] is not None and pair["verdict"] == "met"
    assert 0 < pair["confidence"] < 1 and pair["reason"].startswith("similar metrics")


def test_a_result_serves_the_target_most_like_it_not_the_first():
    # 新建学校 is contained in 新建学校学位: a first match would give the schools target
    # the places' result.
    earlier = _document(_indicator("新建学校", 5, year=2023), _indicator("新建学校学位", 3000, year=2023), year=2023)
    later = _document(
        _indicator("新建学校学位", 3200, kind="actual", year=2023),
        _indicator("新建学校", 6, kind="actual", year=2023),
        year=2024,
    )
    pairs = {p["target"]["metric"]: p["actual"]["metric"] for p in track(earlier, later, RULES)}
    assert pairs == {"新建学校": "新建学校", "新建学校学位": "新建学校学位"}


@pytest.mark.parametrize(
    "earlier, later, problem",
    [
        ("2023-shenzhen-longhua", "2024-shenzhen-pingshan", "different regions"),
        ("2024-shenzhen-longhua", "2023-shenzhen-longhua", "wrong order"),
        ("2023-shenzhen-longhua", "2025-shenzhen-longhua", "2 years apart"),
    ],
)
def test_track_refuses_reports_that_are_no_series_unless_forced(tmp_path, earlier, later, problem):
    fixtures = ROOT / "tests" / "fixtures" / "track"
    args = ["track", str(fixtures / f"{earlier}.txt"), str(fixtures / f"{later}.txt"), "--format", "json"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1 and problem in refused.stderr and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1
    forced = CliRunner().invoke(app, [*args, "--force"])
    assert forced.exit_code == 0 and "warning" in forced.stderr and problem in forced.stderr
    assert json.loads(forced.stdout)["pairs"]


def test_a_folder_of_reports_gives_one_panel_that_validates(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    fixtures = ROOT / "tests" / "fixtures" / "track"
    result = CliRunner().invoke(app, ["track", str(fixtures), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    schema = json.loads((ROOT / "src" / "extract" / "schema" / "panel.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(rows)
    # Two districts, three reports each: four pairs of consecutive years.
    assert {(r["earlier"], r["later"]) for r in rows} == {
        ("2023-shenzhen-longhua", "2024-shenzhen-longhua"),
        ("2024-shenzhen-longhua", "2025-shenzhen-longhua"),
        ("2023-shenzhen-pingshan", "2024-shenzhen-pingshan"),
        ("2024-shenzhen-pingshan", "2025-shenzhen-pingshan"),
    }
    assert "pairs-longhua.json: JSON, but not an output of `extract run`" in result.stderr
    csv_rows = CliRunner().invoke(app, ["track", str(fixtures), "--format", "csv"]).stdout.splitlines()
    assert len(csv_rows) == len(rows) + 1 and csv_rows[0].startswith("\ufeff")


def test_a_pairs_file_forces_and_forbids_pairs(tmp_path):
    earlier = tmp_path / "a.json"
    later = tmp_path / "b.json"
    target = _indicator("新建学校", 5, year=2023)
    result = _indicator("新建学校", 6, kind="actual", year=2023) | {"id": "b#1"}
    other = _indicator("幼儿园", 4, kind="actual", year=2023) | {"id": "b#2"}
    earlier.write_text(json.dumps(_document(target | {"id": "a#1"}, year=2023) | {"doc_id": "a"}), encoding="utf-8")
    later.write_text(json.dumps(_document(result, other, year=2024) | {"doc_id": "b"}), encoding="utf-8")
    choices = tmp_path / "pairs.csv"
    choices.write_text("target_id,actual_id,action\na#1,b#1,forbid\na#1,b#2,force\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["track", str(earlier), str(later), "--format", "json", "--pairs", str(choices)])
    (pair,) = json.loads(out.stdout)["pairs"]
    assert pair["actual"]["id"] == "b#2" and pair["reason"] == "forced by the pairs file"
