"""Calibration of the structural time-series design (``evaluation.designs.structural``).

Usage::

    python tests/benchmarks/structural_calibration.py [--vignette-reps 200] [--reps 300]
        [--power-reps 300] [--no-ablation] [--out table.md]

Prints a markdown table with, per set-up:

* **CausalImpact vignette** (R package CausalImpact, ``vignette("CausalImpact")``; built by
  ``tests/designs/test_structural.py::vignette_panel`` with seeds 0 … R − 1): coverage of the
  true +10 by the 95 % interval of the average effect, the binomial band 0.95 ± 2·√(0.05·0.95/R),
  median width, oracle width 2·1.96·sd(estimate), mean estimate;
* **calibration DGP** (``evaluation.checks.calibration_dgp``, 20 donors, seeds 0 … R − 1, no
  effect): false-alarm rate (interval excludes 0), the band 0.05 ± 2·√(0.05·0.95/R), median width,
  oracle width, their ratio, the size-matched ratio (median of width/size over
  2·1.96·sd(error/size), size = √(20 000/population), as in ``evaluation.designs.its``), power
  at a −1.0 p.p. step (seeds 1000 …), median seconds per fit (draw excluded).

Ablation rows (default on) show why the defaults are what they are: the same model without
parameter uncertainty (plug-in maximum likelihood), with an AR(1) component (monthly), and with
a spike-and-slab prior on the level's standard deviation (probability ½ of a constant level,
else flat on [0, sd(y_pre)]) instead of the flat prior.
Seconds per fit are CPU seconds (``time.process_time``), single-threaded. Runtime ≈ 15–20 min
on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "designs"))

from test_structural import VIGNETTE_EFFECT, band, vignette_panel  # noqa: E402

from evaluation.checks.calibration_dgp import OUTCOME, Cell, draw  # noqa: E402
from evaluation.designs.structural import _default_spec, _Spec, structural  # noqa: E402

STEP = -1.0


def _spec_for(freq: str, variant: str) -> _Spec | None:
    """The model of an ablation row (None: the defaults)."""
    if variant == "default":
        return None
    base = _default_spec(freq, "auto")
    if variant == "plug-in":
        return replace(base, param_draws="none")
    if variant == "ar1":
        return replace(base, ar=True)
    if variant == "spike-slab":
        return replace(base, level_spike=0.5, slab_max=1.0)
    raise ValueError(variant)


def vignette(R: int, variant: str) -> dict[str, object]:
    spec = _spec_for("yearly", variant)  # the model without seasonality
    covered, widths, estimates, seconds = [], [], [], []
    for seed in range(R):
        panel, start = vignette_panel(seed)
        t0 = time.process_time()
        res = structural(panel, outcome="unemployment_rate", treated="0001", intervention=start,
                         seasonality="none", seed=seed, _spec=spec)
        seconds.append(time.process_time() - t0)
        covered.append(res.ci[0] <= VIGNETTE_EFFECT <= res.ci[1])
        widths.append(res.ci[1] - res.ci[0])
        estimates.append(res.average_effect)
    lo, hi = band(0.95, R)
    return {"setup": "CausalImpact vignette (coverage of +10)", "model": variant, "R": R,
            "rate": float(np.mean(covered)), "band": f"{lo:.3f}–{hi:.3f}",
            "width": float(np.median(widths)), "oracle": 2 * 1.96 * float(np.std(estimates)),
            "size_ratio": float("nan"), "power": float("nan"),
            "mean": float(np.mean(estimates)), "seconds": float(np.median(seconds))}


def dgp(cell: Cell, R: int, power_R: int, variant: str) -> dict[str, object]:
    spec = _spec_for(cell.frequency, variant)
    rejected, widths, errors, sizes, seconds = [], [], [], [], []
    for seed in range(R):
        d = draw(cell, seed=seed)
        t0 = time.process_time()
        res = structural(d.panel, outcome=OUTCOME, treated=d.treated,
                         intervention=d.intervention, post_end=d.post_end, seed=seed,
                         _spec=spec)
        seconds.append(time.process_time() - t0)
        rejected.append(res.significant)
        widths.append(res.ci[1] - res.ci[0])
        errors.append(res.average_effect - d.effect)
        sizes.append(math.sqrt(20_000 / d.treated_population))
    power = []
    for seed in range(1000, 1000 + power_R):
        d = draw(cell, seed=seed, effect=STEP)
        res = structural(d.panel, outcome=OUTCOME, treated=d.treated,
                         intervention=d.intervention, post_end=d.post_end, seed=seed,
                         _spec=spec)
        power.append(res.ci[1] < 0)
    widths_a, errors_a, sizes_a = map(np.asarray, (widths, errors, sizes))
    oracle = 2 * 1.96 * float(np.std(errors_a))
    size_ratio = float(np.median(widths_a / sizes_a)) / (2 * 1.96 * float(np.std(errors_a
                                                                                / sizes_a)))
    lo, hi = band(0.05, R)
    return {"setup": f"{cell.frequency} φ={cell.phi} {cell.variant} (false alarms)",
            "model": variant, "R": R, "rate": float(np.mean(rejected)),
            "band": f"{lo:.3f}–{hi:.3f}", "width": float(np.median(widths_a)),
            "oracle": oracle, "size_ratio": size_ratio,
            "power": float(np.mean(power)) if power else float("nan"),
            "mean": float(np.mean(errors_a)), "seconds": float(np.median(seconds))}


def to_markdown(rows: list[dict[str, object]]) -> str:
    head = ("| set-up | model | R | rate | MC band | median width | oracle | width/oracle "
            "(size-matched) | power −1.0 p.p. | mean est. (error) | s/fit |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        ratio = r["width"] / r["oracle"]
        sm = "" if math.isnan(r["size_ratio"]) else f" ({r['size_ratio']:.2f})"
        power = "" if math.isnan(r["power"]) else f"{r['power']:.3f}"
        lines.append(f"| {r['setup']} | {r['model']} | {r['R']} | {r['rate']:.3f} | "
                     f"{r['band']} | {r['width']:.3f} | {r['oracle']:.3f} | {ratio:.2f}{sm} | "
                     f"{power} | {r['mean']:+.3f} | {r['seconds']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vignette-reps", type=int, default=200)
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--power-reps", type=int, default=300)
    ap.add_argument("--no-ablation", action="store_true")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    t0 = time.time()
    rows = [vignette(args.vignette_reps, "default")]
    cells = [Cell("monthly", 0.7, 20, "base"), Cell("monthly", 0.9, 20, "base"),
             Cell("monthly", 0.7, 20, "unlike"), Cell("monthly", 0.7, 20, "drift"),
             Cell("yearly", 0.6, 20, "base"),
             Cell("yearly", 0.6, 20, "unlike")]
    for cell in cells:
        power_R = args.power_reps if cell.variant == "base" else 0
        rows.append(dgp(cell, args.reps, power_R, "default"))
        print(to_markdown(rows[-1:]).splitlines()[-1], flush=True)
    if not args.no_ablation:
        for variant in ("plug-in", "spike-slab"):
            rows.append(vignette(args.vignette_reps, variant))
        for cell in (cells[1], cells[4]):
            for variant in ("plug-in", "ar1", "spike-slab"):
                if variant == "ar1" and cell.frequency == "yearly":
                    continue
                rows.append(dgp(cell, args.reps, 0, variant))
                print(to_markdown(rows[-1:]).splitlines()[-1], flush=True)
    table = to_markdown(rows)
    print()
    print(table)
    print(f"\ntotal {time.time() - t0:.0f} s")
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
