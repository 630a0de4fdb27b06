"""Public reference data beside the repository (``../shared/data``) in the canonical panel.

These loaders are for validation tests and benchmark scripts; users' own data come through the
spec's ``data`` path. Each raises :class:`DataError` with a clear sentence when the folder is
absent (tests skip on that).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evaluation.data.panel import validate_panel
from evaluation.errors import DataError
from evaluation.paths import shared_data_dir

COUNTY_PANEL = Path("sweden") / "scb_bas_monthly_lan_riket_2020-01_2024-01.csv"

# Approximate population of each län at the end of 2023, thousands (SCB folkmängd, rounded to
# 10 000). Only used as weights to take one län out of riket; riket rebuilt from the län rates
# with these weights is checked against the published riket series (see the tests).
COUNTY_POPULATION_2023 = {
    "01": 2450, "03": 400, "04": 300, "05": 470, "06": 370, "07": 200, "08": 250, "09": 60,
    "10": 160, "12": 1420, "13": 340, "14": 1760, "17": 280, "18": 310, "19": 280, "20": 290,
    "21": 290, "22": 240, "23": 130, "24": 280, "25": 250,
}


def _shared_file(relative: Path) -> Path:
    path = shared_data_dir() / relative
    if not path.is_file():
        raise DataError(
            f"Referensdata saknas: {path} finns inte (sätt EVALUATION_SHARED_DATA).",
            f"Reference data missing: {path} does not exist (set EVALUATION_SHARED_DATA).",
        )
    return path


def county_unemployment_panel() -> pd.DataFrame:
    """Real monthly registered unemployment (SCB BAS, 20–64) for riket and the 21 län.

    Source: ``shared/data/sweden/scb_bas_monthly_lan_riket_2020-01_2024-01.csv``. The panel gets
    constant ``population`` per län (:data:`COUNTY_POPULATION_2023`), so riket can be recomputed
    without a given län (weights ∝ population; riket rebuilt this way is within about 0.1 p.p.
    of the published series).
    """
    raw = pd.read_csv(_shared_file(COUNTY_PANEL), dtype={"regionkod": str, "period": str})
    raw = raw.drop_duplicates(["regionkod", "period"], keep="last")
    panel = pd.DataFrame({
        "unit": raw["regionkod"].str.zfill(2), "unit_name": raw["region"],
        "period": raw["period"], "measure": "unemployment_rate",
        "value": raw["unemployment_rate_pct"].astype(float), "status": "preliminary",
        "source": "SCB BAS via Region Dalarna",
    })
    periods = sorted(panel["period"].unique())
    names = dict(zip(panel["unit"], panel["unit_name"], strict=False))
    total = float(sum(COUNTY_POPULATION_2023.values()))
    pop = [
        {"unit": c, "unit_name": names[c], "period": p, "measure": "population",
         "value": 1000.0 * (total if c == "00" else COUNTY_POPULATION_2023[c]),
         "status": "final", "source": "SCB folkmängd 2023 (avrundad)"}
        for c in sorted(names) for p in periods
    ]
    return validate_panel(pd.concat([panel, pd.DataFrame(pop)], ignore_index=True),
                          source=str(COUNTY_PANEL))
