"""Reading a long input is linear in its rows (issue 14: a 1 482-month file once ran 600 s).

Usage: ``python tests/benchmarks/bench_inputs.py``. Writes panels of 400 and 1 500 months
(riket and 32 kommuner, three measures: 39 600 and 148 500 rows), plainly and the way Swedish
Excel saves them (``;``, decimal comma, no-break-space thousands, Windows-1252, ``2022M04``),
and times ``read_panel`` and ``evaluation check`` (read + every data check + the donor pools),
best of three. Linear reading gives a ratio near 3.75 (fixed costs make it a little lower); the
script fails if either ratio exceeds 5. Runs in a temporary EVALUATION_HOME.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best_of  # noqa: E402

LENGTHS = (400, 1500)
LIMIT = 5.0


def _panel(n_months: int) -> tuple[pd.DataFrame, list[str]]:
    from corpus.world import CODES, NAMES

    months = [p.strftime("%Y-%m") for p in pd.period_range("1900-01", periods=n_months,
                                                           freq="M")]
    rng = np.random.default_rng(1)
    units = ["00", *CODES]
    unit = np.repeat(units, n_months * 3)
    measure = np.tile(["unemployment_rate", "households_assistance", "population"],
                      len(units) * n_months)
    value = np.where(measure == "unemployment_rate", np.round(rng.uniform(3, 9, len(unit)), 1),
                     np.where(measure == "population", 20000.0,
                              rng.poisson(200, len(unit)).astype(float)))
    frame = pd.DataFrame({"unit": unit, "unit_name": [NAMES[u] for u in unit],
                          "period": np.tile(np.repeat(months, 3), len(units)),
                          "measure": measure, "value": value})
    return frame, months


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="evaluation-bench-inputs-"))
    os.environ["EVALUATION_HOME"] = str(home)
    from corpus.world import CODE_LIST, render

    from evaluation.data import validity
    from evaluation.data.panel import read_panel
    from evaluation.run import check

    validity.codes_path = lambda: CODE_LIST
    variants = {"plain": {},
                "swedish": {"sep": ";", "decimal": ",", "thousands": "\u00a0",
                            "encoding": "cp1252", "period": lambda p: p.replace("-", "M")}}
    failed = False
    for name, fmt in variants.items():
        times = {}
        for n in LENGTHS:
            frame, months = _panel(n)
            data = home / f"panel-{n}-{name}.csv"
            data.write_bytes(render(frame, **fmt))
            spec = home / f"spec-{n}-{name}.yaml"
            spec.write_text(f'evaluation_id: bench\ndata: {data}\ntreated: "0114"\n'
                            f"intervention: {months[-60]}\n"
                            "outcomes: [unemployment_rate, households_assistance]\n",
                            encoding="utf-8")
            times[n] = (len(frame), best_of(lambda d=data: read_panel(d)).wall,
                        best_of(lambda s=spec: check(s)).wall)
            print(f"{name:8s} {n:5d} months {len(frame):7d} rows: read_panel "
                  f"{times[n][1]:6.3f} s, check {times[n][2]:6.3f} s")
        rows = times[LENGTHS[1]][0] / times[LENGTHS[0]][0]
        read = times[LENGTHS[1]][1] / times[LENGTHS[0]][1]
        whole = times[LENGTHS[1]][2] / times[LENGTHS[0]][2]
        print(f"{name:8s} rows ×{rows:.2f}: read_panel ×{read:.2f}, check ×{whole:.2f}")
        failed |= read > LIMIT or whole > LIMIT
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
