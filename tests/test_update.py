"""`evaluation update` on successive demo vintages (issue 5 §3).

Vintage 1: the demo to 2025-12. Vintage 2: one more month (2026-01) and one revised month
(2025-06, the simulator's revision of that month's counts). Vintage 3: identical to 2.
Expected: a report per changed vintage, history.csv with both vintages, change notes naming the
new and the revised month at the top of the second report, and nothing new for the third.
"""

from __future__ import annotations

import json

import pytest

from evaluation import history, paths
from evaluation.cli import main
from evaluation.data import demo

SPEC = "exempelstad.yaml"


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALUATION_HOME", str(tmp_path))
    return tmp_path


def test_update_records_history_and_changes(home, tmp_path, capsys):
    # the shipped spec with one design: the point is the update's bookkeeping (new periods,
    # revisions, history, report folders), which every design's re-fits would only slow down
    spec_path = tmp_path / SPEC
    spec_path.write_text((paths.params_dir() / SPEC).read_text(encoding="utf-8")
                         + "\ndesigns: [decomposition]\n", encoding="utf-8")
    spec = str(spec_path)
    demo.ensure_demo(end="2025-12")
    assert main(["update", spec]) == 0
    first = history.previous_summary("exempelstad")
    assert first["changes"]["previous_vintage"] is None

    demo.ensure_demo(end="2026-01", revised=("2025-06",))
    assert main(["update", spec]) == 0
    second = history.previous_summary("exempelstad")
    changes = second["changes"]
    assert changes["previous_vintage"] == first["data_vintage"] != second["data_vintage"]
    assert changes["new_periods"] == ["2026-01"]
    assert {r["period"] for r in changes["revised"]} >= {"2025-06"}
    assert all(r["period"] >= "2025-06" for r in changes["revised"])
    # the post window ends 2023-03: the estimates themselves cannot change
    assert changes["results"] == []
    table = history.read_history("exempelstad")
    assert list(dict.fromkeys(table["data_vintage"])) == [first["data_vintage"],
                                                          second["data_vintage"]]
    report = (paths.reports_dir() / "exempelstad" / "senaste" / "report.html").read_text(
        encoding="utf-8")
    assert "Sedan förra körningen" in report and "januari 2026" in report
    assert "Tidigare körningar" in report

    out = capsys.readouterr().out
    assert "1 nya perioder" in out
    assert main(["update", spec]) == 0
    assert "inga nya uppgifter" in capsys.readouterr().out
    assert len(set(history.read_history("exempelstad")["data_vintage"])) == 2
    folders = [p.name for p in (paths.reports_dir() / "exempelstad").iterdir()
               if p.is_dir() and p.name[:4].isdigit()]
    assert first["settings"] == second["settings"]
    assert sorted(folders) == sorted(f"{s['data_vintage']}-{s['settings']}"
                                     for s in (first, second))
    summary = json.loads((paths.reports_dir() / "exempelstad"
                          / f"{second['data_vintage']}-{second['settings']}"
                          / "summary.json").read_text(encoding="utf-8"))
    assert summary["changes"] == changes


def test_update_lists_each_failure_and_goes_on(home, tmp_path, capsys):
    demo.ensure_demo(end="2025-12")
    bad = tmp_path / "bad.yaml"
    bad.write_text("evaluation_id: bad\ndata: saknas.csv\ntreated: \"1987\"\n"
                   "intervention: 2022-04\n", encoding="utf-8")
    # the yearly demo spec with one design: the cheapest good report (the point is that
    # update goes on)
    good_path = tmp_path / "exempelstad_ar.yaml"
    good_path.write_text((paths.params_dir() / "exempelstad_ar.yaml").read_text(encoding="utf-8")
                         + "\ndesigns: [decomposition]\n", encoding="utf-8")
    good = str(good_path)
    assert main(["update", str(bad), good]) == 2  # bad input: no data file
    captured = capsys.readouterr()
    assert "bad.yaml" in captured.err and "exempelstad-ar: första rapporten" in captured.out


def test_compare_names_changed_estimates_verdicts_and_weights():
    """Hand-made summaries: an estimate whose interval now excludes 0, a moved SC weight, a new
    and a revised month; the Swedish note says each."""
    from evaluation.report.text import changes_text

    old = {"data_vintage": "2025-12-aaaa", "treated_series": {"unemployment_rate": {
        "2025-11": 6.0, "2025-12": 6.1}}, "results": [
        {"outcome": "unemployment_rate", "design": "its", "average_effect": -0.5,
         "ci": [-1.0, 0.1]},
        {"outcome": "unemployment_rate", "design": "synthetic_control", "average_effect": -0.4,
         "ci": [-0.9, 0.2], "weights": {"0114": 0.5, "0115": 0.5}}]}
    new = {"data_vintage": "2026-01-bbbb", "treated_series": {"unemployment_rate": {
        "2025-11": 6.0, "2025-12": 6.3, "2026-01": 6.2}}, "results": [
        {"outcome": "unemployment_rate", "design": "its", "average_effect": -0.6,
         "ci": [-1.1, -0.1]},
        {"outcome": "unemployment_rate", "design": "synthetic_control", "average_effect": -0.4,
         "ci": [-0.9, 0.2], "weights": {"0114": 0.7, "0115": 0.3}}]}
    diff = history.compare(old, new)
    assert diff["new_periods"] == ["2026-01"]
    assert diff["revised"] == [{"outcome": "unemployment_rate", "period": "2025-12",
                                "old": 6.1, "new": 6.3}]
    assert [(r["design"], r["old_verdict"], r["new_verdict"]) for r in diff["results"]] == [
        ("its", "no_significant_effect", "significant_decrease")]
    assert [(w["unit"], w["old"], w["new"]) for w in diff["weights"]] == [
        ("0114", 0.5, 0.7), ("0115", 0.5, 0.3)]
    text = changes_text(diff, "sv")
    assert "januari 2026" in text and "december 2025 (6,10 → 6,30)" in text
    assert "bedömningen ändrades" in text and "0114 0,50 → 0,70" in text
    assert history.compare(new, new)["same_data"]
    assert "inga nya uppgifter" in changes_text(history.compare(new, new), "sv")


def test_preliminary_to_final_is_listed_apart_from_revisions():
    """Issue 5 §2: a preliminary → final change is listed separately from a revision; a value
    that stays preliminary and changes is a revision."""
    from evaluation.report.text import changes_text

    old = {"data_vintage": "2025-12-aaaa",
           "treated_series": {"unemployment_rate": {"2025-10": 5.9, "2025-11": 6.0,
                                                    "2025-12": 6.1}},
           "treated_status": {"unemployment_rate": {"2025-11": "preliminary",
                                                    "2025-12": "preliminary"}}}
    new = {"data_vintage": "2026-01-bbbb",
           "treated_series": {"unemployment_rate": {"2025-10": 5.9, "2025-11": 6.05,
                                                    "2025-12": 6.2, "2026-01": 6.2}},
           "treated_status": {"unemployment_rate": {"2025-12": "preliminary",
                                                    "2026-01": "preliminary"}}}
    diff = history.compare(old, new)
    assert [r["period"] for r in diff["finalised"]] == ["2025-11"]
    assert [r["period"] for r in diff["revised"]] == ["2025-12"]
    text = changes_text(diff, "sv")
    assert "preliminära värden som nu är slutliga: inskrivna arbetslösa, andel av arbetskraften november 2025 (6,00 → 6,05)" in text
    assert "reviderade värden: inskrivna arbetslösa, andel av arbetskraften december 2025 (6,10 → 6,20)" in text
