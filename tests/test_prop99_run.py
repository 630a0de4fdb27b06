"""Proposition 99 as a user's own yearly CSV through `evaluation run` (issue 10 acceptance).

Data: shared/data/benchmarks/prop99/california_prop99_synthdid.csv (synth-inference/synthdid
@70c1ce3e), written as the long format with the 39 states as units ("1001".. in alphabetical
order; California "1003"), the outcome declared a level in packs per capita, and the 38 other
states as donors (Kolada-free: `donors: {pool: all}`).

References (shared/data/README.md; Arkhangelsky et al. 2021, AER, Table 1; reference_synthdid_R.json):
DiD −27.349, SDID −15.604 (tolerance ±0.05), SC −19.62 (ours: outcome-only weights on every
pre-period row, −19.51; tolerance ±0.15 around −19.5); placebo standard errors SDID 8.4, SC 9.9,
DiD 17.7 — placebo draws vary, so within ±35 % (ours: 38 placebos, the placebo variance of all
controls: 9.4, 10.6, 17.3). SC's ADH permutation p on the post/pre RMSPE ratio with outcome-only
weights: 3/39 (California ranks third).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from scipy import stats

from evaluation.run import run

pytestmark = pytest.mark.slow

REFERENCE = {"did": (-27.349, 0.05, 17.7), "sdid": (-15.604, 0.05, 8.4),
             "synthetic_control": (-19.5, 0.15, 9.9)}


@pytest.fixture(scope="module")
def summary(shared_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("prop99")
    df = pd.read_csv(shared_data / "benchmarks" / "prop99" / "california_prop99_synthdid.csv",
                     sep=";")
    states = sorted(df["State"].unique())
    code = {s: str(1001 + i) for i, s in enumerate(states)}
    pd.DataFrame({"unit": df["State"].map(code), "unit_name": df["State"],
                  "period": df["Year"].astype(str), "measure": "cigarette_sales",
                  "value": df["PacksPerCapita"]}).to_csv(folder / "prop99.csv", index=False)
    (folder / "prop99.yaml").write_text(
        "evaluation_id: prop99\n"
        "data: prop99.csv\n"
        "treated: \"1003\"\n"
        "intervention: \"1989\"\n"
        "outcomes: [cigarette_sales]\n"
        "outcome_kinds:\n"
        "  cigarette_sales: {kind: level, unit_sv: \"paket per invånare\",\n"
        "                    unit_en: \"packs per capita\"}\n"
        "donors: {pool: all}\n"
        "language: en\n", encoding="utf-8")
    report = run(folder / "prop99.yaml")
    return json.loads((report / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("design", sorted(REFERENCE))
def test_prop99_estimates_and_intervals(summary, design):
    ref, tol, paper_se = REFERENCE[design]
    r = next(x for x in summary["results"] if x["design"] == design)
    assert r["average_effect"] == pytest.approx(ref, abs=tol)
    assert r["ci"] is not None, f"{design} has no interval"
    se = (r["ci"][1] - r["ci"][0]) / 2 / stats.t.ppf(0.975, 37)
    assert 0.65 * paper_se <= se <= 1.35 * paper_se, se
    assert (r["p_value"] <= 0.05) == (r["ci"][0] > 0 or r["ci"][1] < 0)


def test_prop99_synthetic_control_permutation_p(summary):
    sc = next(x for x in summary["results"] if x["design"] == "synthetic_control")
    assert sc["inference"]["rmspe_ratio_rank"] == 3
    assert sc["inference"]["rmspe_ratio_p_value"] == pytest.approx(3 / 39)
