"""A pass finds its flags with the primary design first (evaluation.screen.core._flags_first):
the other designs run only for the rows whose flag depends on them, and the flags are exactly
those of the pass run in full. Synthetic design records stand in for the designs, so every
case the rule must get right is present: rows the primary does not lead, candidates that the
other design confirms and candidates it contradicts."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from evaluation.screen import core
from evaluation.screen.settings import Resolved
from evaluation.screen.tasks import summarise

SETTINGS = Resolved(intervention="2022-04", post_end="2023-03",
                    compare_periods=("2021-04", "2023-03"), compare_window=12,
                    outcomes=("unemployment_rate",), designs=("its", "structural"), seed=1,
                    ci_level=0.95, primary_design="its", relevant=(), frequency="monthly")


def _record(design: str, estimate: float, se: float, p: float, **inference) -> dict:
    return {"design": design, "outcome": "unemployment_rate", "kind": "rate",
            "average_effect": estimate, "ci": [estimate - 1.96 * se, estimate + 1.96 * se],
            "p_value": p, "inference": {"has_comparison": True, **inference}}


def _entries() -> dict[tuple[str, str], dict[str, dict]]:
    """60 kommuner: most with nothing; 4 with a clear ITS change that the structural model
    confirms (flagged), 3 with a clear ITS change it contradicts (not flagged: the designs
    disagree), 2 whose ITS result does not count (no interval), so the structural model leads
    (one of them clearly changed: flagged only if the structural model is run for it)."""
    rng = np.random.default_rng(4)
    out = {}
    for i in range(60):
        k = f"{1000 + i:04d}"
        p = float(rng.uniform(0.2, 1.0))
        its = _record("its", 0.1, 0.5, p)
        structural = _record("structural", 0.1, 0.5, p)
        if i < 4:
            its, structural = (_record("its", -2.0, 0.3, 1e-6),
                               _record("structural", -1.8, 0.4, 1e-5))
        elif i < 7:
            its, structural = (_record("its", -2.0, 0.3, 1e-6),
                               _record("structural", 1.5, 0.4, 1e-4))
        elif i < 9:
            its = {**_record("its", -2.0, 0.3, 1e-6), "ci": None}
            structural = _record("structural", -2.0 if i == 7 else 0.1, 0.3,
                                 1e-6 if i == 7 else 0.6)
        out[(k, "unemployment_rate")] = {
            "its": {"record": its, "pre_mean": 5.0},
            "structural": {"record": structural, "pre_mean": 5.0}}
    return out


def _fake_run(everything: dict, asked: list[tuple[tuple[str, str], str]]):
    """A pass step as core._pass does it, with the synthetic entries as the designs' results."""

    def run(*, need=None, known=None):
        known = {} if known is None else known
        for pair, found in everything.items():
            entries = known.setdefault(pair, {})
            for design in (SETTINGS.designs if need is None else need.get(pair, ())):
                if design not in entries:
                    asked.append((pair, design))
                    entries[design] = found[design]
        rows = [summarise(k, k, o, known[(k, o)], SETTINGS) for k, o in everything]
        return core.finish_table(rows, 0.05), known, {}

    return run


def test_the_flags_found_with_the_primary_first_are_those_of_the_full_pass():
    everything = _entries()
    data = SimpleNamespace(settings=SETTINGS, kommuner=[k for k, _ in everything])
    full_table, _, _ = _fake_run(everything, [])(need=None)
    full = tuple(sorted(full_table.loc[full_table["flagged"], "kommun"]))
    assert full == ("1000", "1001", "1002", "1003", "1007")

    asked: list = []
    known: dict = {}
    steps: list = []
    flags = core._flags_first(data, 0.05, _fake_run(everything, asked), known, steps)
    assert flags == full
    structural = sorted(k for (k, _), d in asked if d == "structural")
    # the structural model ran only where a flag depends on it: the rows its ITS result does
    # not lead (1007, 1008) and the candidates with q ≤ 0.05 (1000–1006)
    assert structural == [f"{1000 + i:04d}" for i in range(9)]
    assert len(steps) == 3 and sum(d == "its" for _, d in asked) == 60


def test_without_the_primary_or_with_it_alone_a_pass_runs_in_full():
    import dataclasses

    assert core._lazy(SETTINGS)
    assert not core._lazy(dataclasses.replace(SETTINGS, designs=("its",)))
    assert not core._lazy(dataclasses.replace(SETTINGS, designs=("structural", "decomposition")))


def test_a_row_entry_reads_the_pre_mean_and_the_series_as_before():
    """The pre-period mean (``results.pre_period_mean``: the verdict's, the reliability
    check's and the screen entry's) and the entry's figure series are read from arrays: equal
    to the pandas expressions they replace (``.loc[~post, "observed"].dropna().mean()``; every
    value a float, NaN and ±inf as None), on frames with gaps, infinities, a count of zero
    pre-period values and a ``post`` column of objects."""
    import pandas as pd

    from evaluation.results import pre_period_mean
    from evaluation.screen.tasks import _series

    rng = np.random.default_rng(4)
    for trial in range(30):
        n = int(rng.integers(3, 40))
        observed = rng.normal(100, 20, n)
        observed[rng.random(n) < 0.2] = np.nan
        if trial % 5 == 0:
            observed[0] = np.inf
        post = np.arange(n) >= int(rng.integers(0, n))
        if trial % 7 == 0:
            observed[~post] = np.nan  # no pre-period value
        frame = pd.DataFrame({
            "observed": observed, "counterfactual": rng.normal(100, 20, n),
            "counterfactual_low": np.where(rng.random(n) < 0.3, np.nan, 90.0),
            "counterfactual_high": np.where(rng.random(n) < 0.1, -np.inf, 110.0),
            "post": post.astype(object) if trial % 2 else post},
            index=[f"2020-{i:03d}" for i in range(n)])
        result = SimpleNamespace(frame=frame)
        pre = frame.loc[~frame["post"].astype(bool), "observed"].dropna()
        want = float(pre.mean()) if len(pre) else None
        got = pre_period_mean(frame)
        assert (got is None and want is None) or got == want or (
            np.isnan(got) and np.isnan(want))
        series = _series(result)
        for column, key in (("observed", "observed"), ("counterfactual", "counterfactual"),
                            ("counterfactual_low", "low"), ("counterfactual_high", "high")):
            assert series[key] == [None if not np.isfinite(v) else float(v)
                                   for v in frame[column].to_numpy(dtype=float)]
            assert all(v is None or type(v) is float for v in series[key])
