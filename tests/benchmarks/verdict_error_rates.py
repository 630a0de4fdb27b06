"""Error rates of the verdict (issue: "Stated error rates"): P(tydlig effekt | no effect) and power.

Usage::

    python tests/benchmarks/verdict_error_rates.py --panel demo \\
        [--outcomes unemployment_rate households_assistance] [--pairs 500] [--dates 50] \\
        [--units 30] [--designs its decomposition ...] [--seed 1] [--out x.md [--append]] \\
        [--save-runs DIR] [--from-runs DIR]
    python tests/benchmarks/verdict_error_rates.py --panel county [--out x.md --append]

* demo: ``evaluation.data.demo.simulate()`` (2015-01..2025-12), Exempelstad (the treated
  kommun, a real effect from 2022-04) left out of the panel. ``--dates`` distinct monthly dates,
  evenly spread over those leaving ≥ 24 months before and a 12-month post window inside the
  data; a seeded pool of ``--units`` kommuner, two thirds with 10 000–20 000 inhabitants and the
  rest spread over the other sizes; at each date ``ceil(pairs / dates)`` kommuner of the pool
  (seeded draw), so each date has several units for the date bootstrap.
* county: the real SCB BAS monthly unemployment of the 21 län (``../shared/data/sweden``, or
  ``$EVALUATION_SHARED_DATA``), 2020-01..2024-01: only 14 dates leave 24 months before and 12
  after, so every one of them is used with every län (fewer than the issue's 50 dates; stated in
  the output). No län has 10–20 k inhabitants: the detectable step is over all län.

For every pair every design runs (:func:`evaluation.checks.verdict_rates.null_runs`), the verdict
is decided without reliability checks (see the module), and the power at the frozen reference
effect (−1.0 p.p.; −15 %) and the detectable step are read off the null runs by shifting each
design's estimate and interval (:func:`~evaluation.checks.verdict_rates.stepped_verdicts`).
Targets: P(clear | null) ≤ 5 %; P(clear | −1.0 p.p. / −15 %) ≥ 80 % for kommuner of 10–20 k.
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.checks import verdict_rates as vr
from evaluation.checks.placebo import placebo_dates
from evaluation.verdict import CATEGORIES

DEMO_OUTCOMES = ("unemployment_rate", "households_assistance")
POST_LENGTH = 12
MIN_PRE = 24


# ------------------------------------------------------------------------------ panels
def demo_setup(args: argparse.Namespace) -> tuple[pd.DataFrame, list[tuple[str, str]], str]:
    from evaluation.data import demo

    data = demo.simulate()
    panel = data.monthly[data.monthly["unit"] != demo.TREATED_UNIT]
    periods = sorted(panel.loc[panel["measure"] == "unemployment_rate", "period"].unique())
    eligible = placebo_dates(periods, min_pre=MIN_PRE, post_length=POST_LENGTH)
    idx = np.unique(np.linspace(0, len(eligible) - 1, min(args.dates, len(eligible)))
                    .round().astype(int))
    dates = [eligible[i] for i in idx]
    pop = panel[(panel["measure"] == "population") & (panel["unit"].str.len() == 4)] \
        .groupby("unit")["value"].mean()
    rng = np.random.default_rng(args.seed)
    band = pop[pop.between(*vr.SIZE_BAND)].index.to_numpy()
    other = pop[~pop.between(*vr.SIZE_BAND)].sort_values().index.to_numpy()
    n_band = min(len(band), math.ceil(2 * args.units / 3))
    n_other = min(len(other), args.units - n_band)
    pool = list(rng.choice(band, n_band, replace=False))
    # the others spread over the size distribution: one from each of n_other size strata
    pool += [str(rng.choice(s)) for s in np.array_split(other, n_other) if len(s)]
    per_date = min(len(pool), math.ceil(args.pairs / len(dates)))
    pairs = [(str(u), d) for d in dates for u in rng.choice(pool, per_date, replace=False)]
    note = (f"demo (simulate(), Exempelstad {demo.TREATED_UNIT} left out); {len(dates)} dates "
            f"{dates[0]}..{dates[-1]} of {len(eligible)} eligible; pool of {len(pool)} kommuner "
            f"({n_band} with 10–20 k inhabitants), {per_date} per date")
    return panel, pairs, note


def county_setup(args: argparse.Namespace) -> tuple[pd.DataFrame, list[tuple[str, str]], str]:
    from evaluation.data.reference import county_unemployment_panel
    from evaluation.paths import shared_data_dir

    panel = county_unemployment_panel()
    periods = sorted(panel.loc[panel["measure"] == "unemployment_rate", "period"].unique())
    dates = placebo_dates(periods, min_pre=MIN_PRE, post_length=POST_LENGTH)
    units = sorted(u for u in panel["unit"].unique() if u != "00")
    pairs = [(u, d) for d in dates for u in units]
    note = (f"real county panel ({shared_data_dir()}; SCB BAS 20–64, {periods[0]}..{periods[-1]}):"
            f" every one of the {len(dates)} dates {dates[0]}..{dates[-1]} with {MIN_PRE} months "
            f"before and {POST_LENGTH} after (fewer than 50: the data are 49 months long) × all "
            f"{len(units)} län; no län has 10–20 k inhabitants, so the band rows are empty and "
            "the detectable step is over all län")
    return panel, pairs, note


# ------------------------------------------------------------------------------ table
def pct(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{100 * x:.1f} %"


def band(row: pd.Series) -> str:
    if not row["pairs"]:
        return "–"
    return f"{pct(row['share'])} [{pct(row['low'])}, {pct(row['high'])}]"


def step_text(kind: str, step: float | None) -> str:
    if step is None:
        return "not reached by 4×"
    return f"{step:+.2f} p.p." if kind == "rate" else f"{100 * step:+.1f} %"


def summarise(panel_name: str, label: str, runs: pd.DataFrame, args: argparse.Namespace
              ) -> dict:
    kind = runs.attrs["kind"]
    ref = vr.reference_step(kind)
    shares = vr.category_shares(runs, n_boot=args.n_boot, seed=args.seed)
    pw = vr.power(runs, ref, kind, n_boot=args.n_boot, seed=args.seed)
    in_band = int(pw.set_index("group").loc["band", "pairs"])
    det = vr.detectable_step(runs, kind, band=vr.SIZE_BAND if in_band else None)
    check = vr.null_check(runs, n_boot=args.n_boot, seed=args.seed)
    design_cols = [c for c in runs.columns if c.endswith("__seconds")]
    return {
        "panel": panel_name, "designs": label, "outcome": runs.attrs["outcome"], "kind": kind,
        "pairs": len(runs), "dates": runs["date"].nunique(), "units": runs["unit"].nunique(),
        "shares": {c: shares[c].set_index("group") for c in CATEGORIES},
        "power": pw.set_index("group"), "detectable": det, "check": check,
        "seconds": float(runs["seconds"].mean()),
        "design_seconds": {c.split("__")[0]: float(runs[c].mean()) for c in design_cols},
        "errors": {c.split("__")[0]: int((runs[c] != "").sum())
                   for c in runs.columns if c.endswith("__error")},
        "rules": runs["rule"].value_counts().to_dict(),
        "leads": runs["lead"].value_counts(dropna=False).to_dict(),
        "ref": ref,
    }


def markdown(summaries: list[dict], notes: list[str], command: str, runtime: float,
             n_boot: int) -> str:
    out = [f"Command: `{command}`", "",
           f"Run {time.strftime('%Y-%m-%d %H:%M')}, total runtime {runtime / 60:.1f} min "
           "(one process, OMP_NUM_THREADS=1).", ""]
    out += [f"* {n}" for n in notes]
    out += [f"* {vr.RELIABILITY_NOTE}.",
            f"* Bands: 95 % percentile bootstrap resampling whole dates ({n_boot} draws). Power: "
            "P(clear_effect in the step's direction) with the frozen reference step (−1.0 p.p. "
            "rates, −15 % counts) added as a full step over the 12-month post window, read off "
            "the null runs by shifting each design's estimate and interval "
            "(stepped_verdicts). 10–20 k: kommuner with 10 000–20 000 inhabitants "
            "(mean population up to the window's end). Detectable step: the smallest multiple "
            "of the reference (grid 0.25…4×) with power ≥ 80 % among 10–20 k kommuner (there "
            "and at every larger grid step).", ""]
    out += ["| panel | designs | outcome | pairs | dates | units | P(clear \\| null) [band] | "
            "P(method_dep \\| null) | P(no_effect \\| null) | P(insufficient \\| null) | "
            "power at ref, all [band] | power at ref, 10–20 k [band] | detectable step "
            "(power there) | s / pair |",
            "|" + "---|" * 14]
    for s in summaries:
        det = s["detectable"]
        det_txt = step_text(s["kind"], det["step"])
        if det["multiple"] is not None:
            det_txt += f" ({det['multiple']:g}×, {pct(det['power'][det['multiple']])})"
        if det["band"] is None:
            det_txt += " — all län"
        sh = s["shares"]
        out.append(
            f"| {s['panel']} | {s['designs']} | {s['outcome']} | {s['pairs']} | {s['dates']} | "
            f"{s['units']} | {band(sh['clear_effect'].loc['all'])} | "
            f"{pct(sh['method_dependent'].loc['all', 'share'])} | "
            f"{pct(sh['no_effect'].loc['all', 'share'])} | "
            f"{pct(sh['insufficient'].loc['all', 'share'])} | {band(s['power'].loc['all'])} | "
            f"{band(s['power'].loc['band'])} | {det_txt} | {s['seconds']:.2f} |")
    out += ["", "Power by multiple of the reference step (P(clear_effect, right direction); "
            "among 10–20 k kommuner, all län on the county panel):", ""]
    grid = list(vr.STEP_MULTIPLES)
    out += ["| panel | designs | outcome | pairs | " + " | ".join(f"{m:g}×" for m in grid) + " |",
            "|" + "---|" * (4 + len(grid))]
    for s in summaries:
        det = s["detectable"]
        out.append(f"| {s['panel']} | {s['designs']} | {s['outcome']} | {det['pairs']} | "
                   + " | ".join(pct(det["power"][float(m)]) for m in grid) + " |")
    out += ["", "Null check (exact one-sided binomial test of P(clear | null) ≤ 5 %, as the "
            "reliability check; it treats pairs as independent), null verdict rules and leads, "
            "runtime per pair by design (s), designs with no result:", ""]
    for s in summaries:
        c = s["check"]
        by_band = s["shares"]["clear_effect"]
        out.append(
            f"* {s['panel']} / {s['designs']} / {s['outcome']}: **{c['status']}** "
            f"({c['false_alarms']}/{c['pairs']}, binomial band [0, {pct(c['binomial_band'][1])}]"
            f", p = {c['binomial_p']:.3g}); P(clear | null) 10–20 k "
            f"{band(by_band.loc['band'])}, others {band(by_band.loc['outside_band'])}; rules "
            f"{s['rules']}; leads {s['leads']}; seconds "
            + ", ".join(f"{k} {v:.2f}" for k, v in s["design_seconds"].items())
            + f"; no result {s['errors']}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--panel", choices=("demo", "county"), default="demo")
    p.add_argument("--outcomes", nargs="+", default=None)
    p.add_argument("--pairs", type=int, default=500)
    p.add_argument("--dates", type=int, default=50)
    p.add_argument("--units", type=int, default=30)
    p.add_argument("--designs", nargs="+", default=None,
                   help="design names (default: the registry's default set)")
    p.add_argument("--also-without", nargs="+", default=None, metavar="DESIGN",
                   help="add rows for the same runs with these designs left out (no re-fit)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--n-boot", type=int, default=2000)
    p.add_argument("--out", default=None, help="write (or with --append add) the markdown here")
    p.add_argument("--append", action="store_true")
    p.add_argument("--title", default=None, help="section heading in the markdown")
    p.add_argument("--save-runs", default=None, help="folder for the null runs (pickle)")
    p.add_argument("--from-runs", default=None, help="re-summarise runs saved by --save-runs")
    args = p.parse_args(argv)

    start = time.perf_counter()
    setup = demo_setup if args.panel == "demo" else county_setup
    panel, pairs, note = setup(args)
    outcomes = args.outcomes or (DEMO_OUTCOMES if args.panel == "demo"
                                 else ("unemployment_rate",))
    from evaluation.designs.registry import designs as registered
    names = [d.name for d in registered(args.designs)]
    label = "all five" if args.designs is None and len(names) == 5 else "+".join(names)
    summaries = []
    for outcome in outcomes:
        cache = Path(args.from_runs or args.save_runs or ".") / \
            f"runs_{args.panel}_{outcome}_{'-'.join(names)}.pkl"
        if args.from_runs:
            runs = pd.read_pickle(cache)
        else:
            t0 = time.perf_counter()

            def progress(i, n, row, t0=t0, outcome=outcome):
                if i == 1 or i % 25 == 0 or i == n:
                    el = time.perf_counter() - t0
                    print(f"{outcome}: {i}/{n} pairs, {el / 60:.1f} min, eta "
                          f"{el / i * (n - i) / 60:.1f} min", file=sys.stderr, flush=True)

            runs = vr.null_runs(panel, outcome=outcome, pairs=pairs,
                                post_length=POST_LENGTH, designs=names, progress=progress)
            if args.save_runs:
                os.makedirs(args.save_runs, exist_ok=True)
                with open(cache, "wb") as fh:
                    pickle.dump(runs, fh)
        summaries.append(summarise(args.panel, label, runs, args))
        if args.also_without:
            kept = [n for n in names if n not in args.also_without]
            summaries.append(summarise(args.panel, "+".join(kept) + " (same pairs)",
                                       vr.restrict(runs, kept), args))
    runtime = time.perf_counter() - start
    command = "OMP_NUM_THREADS=1 PYTHONPATH=src python tests/benchmarks/verdict_error_rates.py " \
        + shlex.join(argv if argv is not None else sys.argv[1:])
    title = args.title or f"{args.panel}, designs: {label}"
    text = f"## {title}\n\n" + markdown(summaries, [note], command, runtime, args.n_boot)
    print(text)
    if args.out:
        mode = "a" if args.append and Path(args.out).exists() else "w"
        with open(args.out, mode) as fh:
            fh.write(("\n" if mode == "a" else "") + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
