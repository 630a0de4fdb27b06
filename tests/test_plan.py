"""The analysis plan, locked before the results (issue "One answer", part 3)."""

from __future__ import annotations

import json

import pytest

from _panels import small_panel, spec_text
from evaluation import plan
from evaluation.errors import EvaluationError, SpecError
from evaluation.spec import load_spec


def _spec(tmp_path, name, *, end="2023-12", extra=""):
    data = tmp_path / f"{name}.csv"
    if not data.exists():
        small_panel(end=end).to_csv(data, index=False)
    path = tmp_path / f"{name}.yaml"
    path.write_text(spec_text(data.name, extra=extra).replace("evaluation_id: t",
                                                             f"evaluation_id: {name}"),
                    encoding="utf-8")
    return path


def test_plan_is_recorded_once_and_a_changed_primary_outcome_is_flagged(tmp_path):
    spec = load_spec(_spec(tmp_path, "plan-a", extra="primary_outcome: households_assistance\n"))
    document, written = plan.record(spec, last_period="2022-02")
    assert written and document["before_post_period"] is True
    assert document["plan"]["primary_outcome"] == "households_assistance"
    assert plan.compare(spec)["status"] == "follows"
    # a second record never overwrites
    changed = load_spec(_spec(tmp_path, "plan-a2", extra="primary_outcome: unemployment_rate\n")
                        .rename(tmp_path / "plan-a2.yaml"))
    changed.evaluation_id = "plan-a"
    again, written = plan.record(changed, last_period="2023-12")
    assert not written and again["sha256"] == document["sha256"]
    status = plan.compare(changed)
    assert status["status"] == "deviates" and not status["recreated"]
    assert status["deviations"] == [{"key": "primary_outcome",
                                     "planned": "households_assistance",
                                     "actual": "unemployment_rate"}]
    from evaluation.report import text

    assert "Avviker från analysplanen: huvudutfallet var antalet biståndshushåll, nu " \
           "arbetslösheten." in text.plan_text(status, "sv")


def test_a_missing_or_recreated_plan_is_flagged(tmp_path):
    spec = load_spec(_spec(tmp_path, "plan-b"))
    status = plan.compare(spec)
    assert status["status"] == "missing" and not status["recreated"]
    plan.record(spec, last_period="2023-12")
    assert plan.compare(spec)["before_post_period"] is False  # recorded after the data
    plan.plan_path("plan-b").unlink()  # deleted …
    changed = load_spec(_spec(tmp_path, "plan-b", extra="smallest_relevant_effect: 0.5\n"))
    plan.record(changed, last_period="2023-12")  # … and re-created with another plan
    status = plan.compare(changed)
    assert status["status"] == "follows" and status["recreated"]
    from evaluation.report import text

    assert "skapats om" in text.plan_text(status, "sv")


def test_a_run_on_data_ending_before_the_intervention_records_the_plan(tmp_path):
    from evaluation.run import run

    path = _spec(tmp_path, "plan-c", end="2022-02")
    with pytest.raises(EvaluationError) as err:
        run(path)
    assert "Analysplanen har registrerats" in err.value.sv
    document = json.loads(plan.plan_path("plan-c").read_text(encoding="utf-8"))
    assert document["how"] == "automatic" and document["before_post_period"] is True
    assert document["data_last_period"] == "2022-02"


def test_the_plan_command_records_and_reports_deviations(tmp_path, capsys):
    from evaluation.cli import main

    path = _spec(tmp_path, "plan-d")
    assert main(["plan", str(path)]) == 0
    assert "registrerad" in capsys.readouterr().out
    path.write_text(path.read_text(encoding="utf-8") + "primary_design: did\n",
                    encoding="utf-8")
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "skrivs inte över" in out and "primary_design: its → did" in out


def test_plan_keys_are_validated():
    from evaluation.spec import validate_values

    base = {"evaluation_id": "x", "data": "demo", "treated": "1987", "intervention": "2022-04"}
    with pytest.raises(SpecError, match="primary_outcome"):
        validate_values({**base, "primary_outcome": "gdp"})
    with pytest.raises(SpecError, match="primary_design"):
        validate_values({**base, "primary_design": "bsts"})
    with pytest.raises(SpecError, match="smallest_relevant_effect"):
        validate_values({**base, "smallest_relevant_effect": "-"})
    spec = validate_values({**base, "smallest_relevant_effect": "0,5"})
    assert spec.smallest_relevant_effect == {"unemployment_rate": 0.5}
