"""Small hand-made long panels for input-validation tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.data.panel import period_range


def small_panel(*, start="2019-01", end="2023-12", n_units=45, seed=0) -> pd.DataFrame:
    """A few kommuner with a rate and a count outcome plus population (long format)."""
    rng = np.random.default_rng(seed)
    periods = period_range(start, end)
    rows = []
    for i in range(n_units):
        code = f"{1 + i // 20:02d}{10 + i % 20:02d}"
        pop = int(rng.integers(5_000, 50_000))
        for p in periods:
            rows.append((code, f"Ort {i}", p, "unemployment_rate", round(6 + rng.normal(0, 0.5), 2)))
            rows.append((code, f"Ort {i}", p, "households_assistance", float(rng.poisson(pop / 70))))
            rows.append((code, f"Ort {i}", p, "population", float(pop)))
    return pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])


def spec_text(data: str, *, treated: str = "0110", intervention: str = "2022-04", extra: str = "") -> str:
    return (
        f"evaluation_id: t\ndata: {data}\ntreated: \"{treated}\"\nintervention: {intervention}\n"
        "outcomes: [unemployment_rate, households_assistance]\n" + extra
    )
