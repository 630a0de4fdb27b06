"""The screen's false discovery rate on placebo dates: how often a flag is wrong.

For every placebo date the screen's flag rule — Benjamini–Yekutieli q ≤ level over the screened
kommuner, a verdict that allows a flag, and the passes that leave flagged kommuner out of the
comparisons (:func:`evaluation.screen.core.screen`) — is applied to the ITS (the screen's lead
design) of each kommun, as if every kommun had changed at that date. On the demo nothing changed at
those dates (Exempelstad, whose change is real, is left out), so every flag is false; with an
effect injected into some kommuner (:func:`inject_effect`) the flags of the others are false.
The realised FDR is the mean over dates of V / max(R, 1) (V false flags, R flags). The screen's
other designs only add the verdict's gate, which can only remove flags.

``tests/screen/test_screen.py`` runs a few dates; ``tests/benchmarks/bench_screen.py --fdr``
runs ≥ 100.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from evaluation.data.panel import NATIONAL_CODE, shift_period
from evaluation.screen.data import Prepared, ScreenData
from evaluation.screen.settings import Resolved


def inject_effect(panel: pd.DataFrame, units: Sequence[str], start: str, effect: float,
                  outcome: str, kind: str) -> pd.DataFrame:
    """A copy of ``panel`` in which ``units`` changed from ``start`` on by ``effect``.

    Rates: ``effect`` percentage points added; riket's row moves by the units' labour-force
    share of it (riket's rate is the labour-force-weighted mean). Counts: the count is
    multiplied by 1 + ``effect`` and riket's count gains the same households. So the national
    series stays the sum of its kommuner, as in real data.
    """
    out = panel.copy()
    units = [str(u) for u in units]
    rows = (out["measure"] == outcome) & (out["period"] >= start)
    mine = rows & out["unit"].isin(units)
    national = rows & (out["unit"] == NATIONAL_CODE)
    if kind == "count":
        added = out.loc[mine, "value"] * effect
        out.loc[mine, "value"] = out.loc[mine, "value"] + added
        extra = added.groupby(out.loc[mine, "period"]).sum()
    else:
        out.loc[mine, "value"] = out.loc[mine, "value"] + effect
        lf = out[(out["measure"] == "labour_force") & (out["period"] >= start)]
        own = lf[lf["unit"].isin(units)].groupby("period")["value"].sum()
        total = lf[lf["unit"] == NATIONAL_CODE].set_index("period")["value"]
        extra = (own / total * effect).dropna()
    periods = out.loc[national, "period"]
    out.loc[national, "value"] = (out.loc[national, "value"]
                                  + periods.map(extra).fillna(0.0).to_numpy())
    return out


def _settings(base: Resolved, date: str, post_months: int, outcome: str) -> Resolved:
    from evaluation.designs.decomposition import default_compare_periods

    return dataclasses.replace(
        base, intervention=date, post_end=shift_period(date, post_months - 1),
        compare_periods=tuple(default_compare_periods(date, base.compare_window)),
        outcomes=(outcome,), designs=("its",))


def date_rows(data: ScreenData, date: str, kommuner: Sequence[str], outcome: str,
              post_months: int, injected: Sequence[str] = (), effect: float = 0.0,
              level: float = 0.05, max_passes: int = 3) -> list[dict[str, Any]]:
    """One placebo date on a worker: the screen's ITS rows of the kommuner and its flags,
    with the screen's passes (the flagged kommuner leave the comparisons of the next pass,
    :func:`evaluation.screen.core.screen`)."""
    from evaluation.data.panel import declare_measures, measure_info
    from evaluation.screen.core import finish_table
    from evaluation.screen.tasks import run_designs, summarise

    declare_measures(data.measures)
    settings = _settings(data.settings, date, post_months, outcome)
    panel = data.panel
    if injected and effect:
        kind = (data.measures.get(outcome) or measure_info(outcome)).kind
        panel = inject_effect(panel, injected, date, effect, outcome, kind)
    by_unit = {str(u): g.reset_index(drop=True) for u, g in panel.groupby("unit")}
    prep = Prepared(data=dataclasses.replace(data, panel=panel, settings=settings),
                    by_unit=by_unit)
    exclude: tuple[str, ...] = ()
    for _ in range(max(1, max_passes)):
        current = dataclasses.replace(settings, exclude=exclude)
        rows = []
        for kommun in kommuner:
            entries = run_designs(prep, kommun, outcome, current, ["its"])
            rows.append(summarise(kommun, data.names.get(kommun, kommun), outcome, entries,
                                  current))
        table = finish_table(rows, level)
        flagged = tuple(sorted(table.loc[table["flagged"], "kommun"]))
        if flagged == exclude:
            break
        exclude = flagged
    table["date"] = date
    table["injected"] = table["kommun"].isin(list(injected))
    table["passes_excluded"] = ",".join(exclude)
    return table.to_dict(orient="records")


def _batch(data: ScreenData, jobs: list[tuple[Any, ...]]) -> list[list[dict[str, Any]]]:
    return [date_rows(data, *job) for job in jobs]


def placebo_study(data: ScreenData, *, dates: Sequence[str], kommuner: Sequence[str],
                  outcome: str, post_months: int = 12, level: float = 0.05,
                  injected: Sequence[str] = (), effect: float = 0.0, client: Any = None,
                  jobs_per_task: int = 2) -> pd.DataFrame:
    """The flag rule on each placebo date; one row per date.

    Columns: ``date``, ``tests`` (kommuner with a p-value), ``flags`` (R), ``false`` (V: flags
    of kommuner without an injected effect), ``true``, ``fdp`` (V / max(R, 1)) and ``power``
    (share of the injected kommuner flagged). ``attrs["fdr"]`` is the realised FDR (mean
    ``fdp``), ``attrs["power"]`` the mean power. ``client``: a dask client (else in process).
    """
    jobs = [(str(d), list(kommuner), outcome, int(post_months), list(injected), float(effect),
             float(level)) for d in dates]
    groups = [jobs[i:i + jobs_per_task] for i in range(0, len(jobs), jobs_per_task)]
    if client is None:
        results = [_batch(data, g) for g in groups]
    else:
        shared = client.scatter(data, broadcast=True, hash=False)
        futures = [client.submit(_batch, shared, g, pure=False) for g in groups]
        results = client.gather(futures)
        client.cancel(shared)
    records = []
    for date_rows_ in (rows for group in results for rows in group):
        table = pd.DataFrame(date_rows_)
        p = table["p_value"].astype(float)
        ok = p.notna().to_numpy()
        flags = table["flagged"].to_numpy(dtype=bool)
        injected_mask = table["injected"].to_numpy(dtype=bool)
        r, v = int(flags.sum()), int((flags & ~injected_mask).sum())
        n_inj = int(injected_mask.sum())
        records.append({"date": table["date"].iloc[0], "tests": int(ok.sum()), "flags": r,
                        "false": v, "true": r - v, "fdp": v / max(r, 1),
                        "power": (r - v) / n_inj if n_inj else math.nan,
                        "min_p_null": float(p[~injected_mask].min())})
    out = pd.DataFrame(records).sort_values("date").reset_index(drop=True)
    out.attrs["fdr"] = float(out["fdp"].mean()) if len(out) else math.nan
    out.attrs["power"] = float(out["power"].mean()) if len(out) and injected else math.nan
    return out
