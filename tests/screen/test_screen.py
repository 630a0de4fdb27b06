"""The screen on a LocalCluster with 2 workers: 20 demo kommuner × 2 outcomes at 2022-04.

The subset is Exempelstad (a real simulated effect), Kontrollby (none) and every 15th other
kommun by code (the suite's time budget: 40 pairs × 3 designs); the comparisons (riket, the decomposition's similar kommuner) still use all 290,
so every row is the full screen's row. The window is the demo spec's (April 2022 – March 2023).
The full 290 × 2 screen is timed in ``tests/benchmarks/bench_screen.py``.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from evaluation.screen import ScreenSettings, dask_client, load_screen_data, screen
from evaluation.screen.settings import DEFAULT_DESIGNS

EXEMPELSTAD, KONTROLLBY = "1987", "0649"
SETTINGS = ScreenSettings(intervention="2022-04", post_end="2023-03")


def _warm() -> None:
    import evaluation.designs.registry as registry
    import evaluation.screen.tasks  # noqa: F401

    registry.designs(None)


@pytest.fixture(scope="module")
def client(evaluation_home):
    with dask_client(n_workers=2) as c:
        c.run(_warm)
        yield c


@pytest.fixture(scope="module")
def subset(evaluation_home):
    from evaluation.data import demo

    panel, _ = demo.load_demo("monthly")
    codes = sorted(panel.loc[panel["unit_type"] == "kommun", "unit"].unique())
    others = [c for c in codes if c not in (EXEMPELSTAD, KONTROLLBY)]
    return [EXEMPELSTAD, KONTROLLBY, *others[::15][:18]]


@pytest.fixture(scope="module")
def result(client, subset, tmp_path_factory):
    data = load_screen_data("demo", SETTINGS, kommuner=subset)
    return screen(data, SETTINGS, client=client,
                  cache_dir=tmp_path_factory.mktemp("screen-cache"))


def test_every_pair_runs_in_batches_on_the_workers(result, subset):
    table = result.table
    assert len(table) == len(subset) * 2 == 40
    # the pass runs in steps (the primary design first, core._flags_first), each in batches
    (only,) = result.stats["passes"]  # nothing flagged: one pass
    assert result.stats["workers"] == 2 and 1 < result.stats["tasks"] < 40 * only["steps"]
    assert result.stats["computed"] == {d: 40 for d in DEFAULT_DESIGNS}  # each design once
    assert result.stats["similar_mismatch"] == 0
    assert not table["designs_failed"].any()
    assert table["rank"].tolist() == list(range(1, 41))
    assert table["q_value"].between(0, 1).all()
    assert (table["q_value"] >= table["q_value_bh"]).all()


def test_exempelstad_ranks_among_the_top_deviations_and_kontrollby_does_not(result):
    table = result.table.set_index(["kommun", "outcome"])
    for outcome in SETTINGS.outcomes:
        # 20 kommuner per outcome: Exempelstad in the top 10 % (in the full 290-kommun screen
        # it ranks 11th and 15th, see the benchmark), Kontrollby not
        assert table.loc[(EXEMPELSTAD, outcome), "rank_in_outcome"] <= 2
        assert table.loc[(KONTROLLBY, outcome), "rank_in_outcome"] > 2
        assert table.loc[(EXEMPELSTAD, outcome), "estimate"] < 0  # the reform lowered both


def test_the_row_equals_the_ordinary_evaluation(result):
    """Drill-down: the same spec values through the library call an evaluation makes
    (:meth:`Evaluation.estimate` and its verdicts) give the screen's numbers and verdict."""
    from evaluation.evaluate import Evaluation
    from evaluation.screen.drill import drill_spec

    for kommun in (EXEMPELSTAD, KONTROLLBY):
        spec = drill_spec(result.data, kommun)
        assert spec.post_end == "2023-03" and spec.designs == list(DEFAULT_DESIGNS)
        evaluation = Evaluation.from_spec(spec)
        results = evaluation.estimate()
        verdicts = evaluation.verdicts({"results": [r.to_dict() for r in results],
                                        "checks": [], "primary_design": "its"})
        for outcome in SETTINGS.outcomes:
            row = result.row(kommun, outcome)
            verdict = verdicts[outcome]
            assert row["verdict"] == verdict["category"]
            assert row["verdict_rule"] == verdict["rule"]
            assert row["lead_design"] == verdict["lead"]
            lead = evaluation.result(outcome, verdict["lead"])
            np.testing.assert_allclose(
                [row["estimate"], row["ci_low"], row["ci_high"], row["p_value"]],
                [lead.average_effect, *lead.ci, lead.p_value], rtol=1e-12, atol=0)
            for design in DEFAULT_DESIGNS:
                r = evaluation.result(outcome, design)
                np.testing.assert_allclose(
                    [row[f"{design}_estimate"], row[f"{design}_ci_low"],
                     row[f"{design}_ci_high"], row[f"{design}_p_value"]],
                    [r.average_effect, *r.ci, r.p_value], rtol=1e-12, atol=0)


def test_outputs(result, tmp_path):
    from openpyxl import load_workbook

    from evaluation.screen import report

    files = report.write_outputs(result, tmp_path, top=6)
    xlsx, csv_path = files["table"]
    assert csv_path.name == "rangordning.csv" and files["figure"][0].stat().st_size > 10_000
    with csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 40 and rows[0]["rank"] == "1" and "q_value" in rows[0]
    sheet = load_workbook(xlsx).active
    header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "Rang")
    assert "q-värde (Benjamini–Yekutieli)" in header and "Flaggad" in header
    english = report.people_table(result.table, "en")
    assert "q-value (Benjamini–Yekutieli)" in english.columns
    assert set(english["Verdict"]) <= {"clear effect", "depends on the method",
                                       "no detectable effect", "the data are not enough"}


def test_cli_against_a_running_scheduler(client, tmp_path, capsys):
    from evaluation.cli import main

    address = client.scheduler.address
    code = main(["screen", "--date", "2022-04", "--post-end", "2023-03", "--kommuner",
                 EXEMPELSTAD, KONTROLLBY, "--designs", "its", "--scheduler", address,
                 "--out", str(tmp_path / "out"), "--cache", str(tmp_path / "cache"),
                 "--language", "en", "--top", "2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Screening 2 municipalities × 2 outcomes (its)" in out
    assert f"The dask scheduler {address}." in out
    assert (tmp_path / "out" / "rangordning.xlsx").is_file()


def test_false_discovery_rate_on_placebo_dates(client, subset):
    """A few placebo dates with an effect injected into 10 kommuner (≥ 100 dates, and the
    dates without any effect, are in the benchmark): the share of false flags stays below the
    level, and the injected effects are found."""
    from evaluation.data.panel import shift_period
    from evaluation.screen.placebo import placebo_study

    settings = ScreenSettings(intervention="2022-04", outcomes=("unemployment_rate",),
                              designs=("its",))
    kommuner = [k for k in subset if k != EXEMPELSTAD][:14]
    data = load_screen_data("demo", settings, kommuner=kommuner)
    dates = [shift_period("2017-01", 30 * i) for i in range(2)]  # 2017-01, 2019-07
    study = placebo_study(data, dates=dates, kommuner=kommuner, outcome="unemployment_rate",
                          post_months=6, injected=kommuner[:10], effect=-1.5, client=client,
                          jobs_per_task=1)
    assert len(study) == 2 and (study["tests"] == 14).all()
    assert study.attrs["fdr"] <= 0.05
    assert study.attrs["power"] >= 0.5
