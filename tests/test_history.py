"""Reports keyed by data vintage *and* settings (issue "Bad input never becomes a published
finding"): another configuration of the same data never overwrites a report, and change notes
and history.csv compare only reports of one configuration."""

from __future__ import annotations

import json

from evaluation import history, paths
from evaluation.spec import parse_spec, settings_key

SPEC = 'evaluation_id: hist\ndata: demo\ntreated: "1987"\nintervention: 2022-04\n'


def _publish(summary: dict) -> None:
    """What evaluation.run does on success: the folder, senaste/ and the history rows."""
    root = paths.reports_dir() / "hist"
    folder = root / f"{summary['data_vintage']}-{summary['settings']}"
    for target in (folder, root / history.LATEST):
        target.mkdir(parents=True, exist_ok=True)
        (target / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    history.record("hist", summary)


def _summary(vintage: str, settings: str, effect: float) -> dict:
    return {"data_vintage": vintage, "settings": settings,
            "results": [{"outcome": "unemployment_rate", "design": "its",
                         "average_effect": effect, "ci": [effect - 1, effect + 1]}]}


def test_settings_key_changes_with_what_changes_results(tmp_path, monkeypatch):
    base = parse_spec(SPEC)
    assert settings_key(base) == settings_key(parse_spec(SPEC))
    assert settings_key(base) != settings_key(parse_spec(SPEC + "seed: 2\n"))
    assert settings_key(base) != settings_key(parse_spec(SPEC + "designs: [its]\n"))


def test_other_settings_keep_their_own_report_history_and_change_notes(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALUATION_HOME", str(tmp_path))
    _publish(_summary("2025-12-aaaaaaaa", "111111", -0.5))
    _publish(_summary("2025-12-aaaaaaaa", "222222", -0.9))  # same data, other settings
    root = paths.reports_dir() / "hist"
    assert {p.name for p in root.iterdir() if p.name[0].isdigit()} == {
        "2025-12-aaaaaaaa-111111", "2025-12-aaaaaaaa-222222"}
    table = history.read_history("hist")
    assert sorted(table["settings"]) == ["111111", "222222"]  # both rows kept
    # senaste/ is the newest report; the previous report *of a configuration* is its own
    assert history.previous_summary("hist")["settings"] == "222222"
    own = history.previous_summary("hist", "111111")
    assert own["results"][0]["average_effect"] == -0.5
    assert history.previous_summary("hist", "333333") is None
    # the same configuration again replaces only its own rows
    _publish(_summary("2025-12-aaaaaaaa", "111111", -0.6))
    table = history.read_history("hist")
    assert len(table) == 2
    assert table.loc[table["settings"] == "111111", "average_effect"].tolist() == [-0.6]
