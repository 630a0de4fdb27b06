"""Calibration study of every design's 95 % intervals on simulated panels ("Intervals that hold").

Usage::

    python tests/benchmarks/calibration_study.py [--cells full|reduced] [--designs its did ...]
        [--frequency monthly|yearly] [--pools 7 20 ...] [--reps R] [--workers 2] [--seed S] [--shrink 0.25] [--out study.md --out study.csv]
        [--dry-run]

Every design is run through its public function on R seeded draws of
:mod:`evaluation.checks.calibration_dgp` without an effect, and on the same draws with a step of
−1.0 p.p. in every post period (monthly and yearly: 1.3–1.7 oracle half-widths in the pilot, so
power is neither trivial nor saturated; the yearly decomposition's default compares the
intervention year with the next, where the step cancels, so its power is about its false-alarm
rate). The table (:func:`to_markdown`) gives per
cell and design: share with an interval, false-alarm rate with the exact one-sided binomial
p-value against 5 % and its Holm adjustment over all rows, median width, oracle width
(2·t·sd(estimate − truth)), their ratio (overall and by size tercile), power at the step,
false alarms by size tercile, and the verdict of :func:`evaluation.checks.calibration.passes`
(fails on Holm p < 0.05, interval in < 95 % of the replications of a cell the design is meant
for, or width ratio > 1.5).

Cell plan (``--cells full``, :func:`evaluation.checks.calibration.full_plan`; R no-effect /
R step; CPU seconds per fit measured on this 2-core machine with single-threaded BLAS, draw
included, while other jobs ran, so somewhat pessimistic)::

    design          cells                                            R        step R   s/fit
    its             monthly 72/12, pool 20, φ 0.5 0.7 0.9 0.97,      1000     500      0.20
                    drift and unlike at φ 0.7
    its             yearly 10/3, pool 20, φ 0.6 base/drift/unlike    1000     1000     0.03
    decomposition   pools 7 20 38 79 289, φ 0.7, monthly + yearly,   1000     500      0.03–0.12
                    unlike at 79 (monthly + yearly)
    did             as decomposition                                 1000     500      0.03–0.12
    synth. control  as decomposition (289: 250 step reps)            1000     500      0.03–0.66
    sdid            pools 7 and 20                                   1000     500      0.05–0.24
                    pool 38                                          1000     250      0.37–0.55
                    pool 79                                          500      100      1.2–1.5
                    pool 289 monthly / yearly                        300/150  100/50   2.2 / 6.3
                    unlike at 79 (monthly + yearly)                  300      100      1.2–1.5

Expected runtime (``--dry-run`` prints it from :data:`COST`): about 13 200 CPU seconds, i.e.
about 1 h 50 min with ``--workers 2`` on an otherwise idle 2-core machine (ITS ≈ 2 000 s,
decomposition ≈ 1 000 s, DiD ≈ 1 000 s, SC ≈ 2 600 s, SDID ≈ 6 700 s). SDID with 79 and 289
donors is the expensive part: each fit runs 79 placebo SDID fits, and the yearly 289-donor
solver takes 1–15 s a fit, hence the smaller R there (Monte Carlo SD of a 5 % rate: 0.7 pp at
R = 1000, 1.0 pp at 500, 1.8 pp at 150). Jobs are submitted most expensive first.

``--cells reduced`` runs the CI cells of ``tests/checks/test_calibration_study.py``
(:func:`evaluation.checks.calibration.reduced_plan`, about 70 CPU seconds). ``--reps R`` sets
every cell's no-effect R (and scales its step R in proportion), e.g. ``--reps 100`` for a pilot.
Results do not depend on ``--workers`` (seeds come from the study seed, the cell and the
replication number).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

# Small dense problems: multi-threaded BLAS only adds synchronisation on a shared 2-core box.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from evaluation.checks.calibration import (  # noqa: E402
    BASE_SEED,
    DESIGNS,
    Task,
    full_plan,
    reduced_plan,
    run_study,
    summarise,
    to_markdown,
)

#: CPU seconds per fit (draw included) by design, frequency and pool size, measured on the
#: development machine (2 cores, single-threaded BLAS, under load from other jobs).
COST = {
    "its": {"monthly": 0.20, "yearly": 0.045},
    "decomposition": {7: 0.03, 20: 0.035, 38: 0.04, 79: 0.055, 289: 0.12},
    "did": {7: 0.03, 20: 0.035, 38: 0.04, 79: 0.055, 289: 0.12},
    "synthetic_control": {"monthly": {7: 0.035, 20: 0.055, 38: 0.07, 79: 0.15, 289: 0.66},
                          "yearly": {7: 0.03, 20: 0.045, 38: 0.07, 79: 0.12, 289: 0.40}},
    "sdid": {"monthly": {7: 0.06, 20: 0.24, 38: 0.55, 79: 1.5, 289: 2.2},
             "yearly": {7: 0.05, 20: 0.13, 38: 0.37, 79: 1.15, 289: 6.3}},
}


def cost_per_fit(task: Task) -> float:
    """Expected CPU seconds of one fit of ``task`` (nearest measured pool size)."""
    table = COST[str(task.design)]
    if task.design == "its":
        return table[task.cell.frequency]
    if task.design in ("synthetic_control", "sdid"):
        table = table[task.cell.frequency]
    pool = min(table, key=lambda n: abs(math.log(n) - math.log(task.cell.n_donors)))
    return table[pool]


def expected_seconds(tasks: list[Task]) -> float:
    """Expected CPU seconds of a plan (no-effect and step fits)."""
    return sum(cost_per_fit(t) * (t.reps + t.n_power) for t in tasks)


def plan(cells: str, designs: list[str] | None, reps: int | None,
         frequency: str | None = None, pools: list[int] | None = None) -> list[Task]:
    """The tasks to run: the full or reduced plan, filtered by design, frequency and donor
    pool size, R overridden."""
    tasks = full_plan() if cells == "full" else reduced_plan()
    if designs:
        tasks = [t for t in tasks if t.design in designs]
    if frequency:
        tasks = [t for t in tasks if t.cell.frequency == frequency]
    if pools:
        tasks = [t for t in tasks if t.cell.n_donors in pools]
    if reps is not None:
        tasks = [replace(t, reps=reps, power_reps=math.ceil(reps * t.n_power / t.reps))
                 for t in tasks]
    return tasks


def describe(tasks: list[Task], workers: int) -> str:
    """One line per task and the expected runtime."""
    lines = [f"{'cell':<34} {'design':<18} {'R':>5} {'step R':>6} {'s/fit':>6} {'CPU s':>7}"]
    for t in tasks:
        c = cost_per_fit(t)
        lines.append(f"{t.cell.label():<34} {t.design:<18} {t.reps:>5} {t.n_power:>6} "
                     f"{c:>6.3f} {c * (t.reps + t.n_power):>7.0f}")
    total = expected_seconds(tasks)
    lines.append(f"expected: {total:.0f} CPU s, about {total / max(1, workers) / 60:.0f} min "
                 f"with {workers} worker(s) on idle cores")
    return "\n".join(lines)


def write(out: Path, runs, summary, header: str) -> None:
    """``.md``: header and markdown table; ``.csv``: the summary, and the replications next to
    it (``<name>_runs.csv``)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".csv":
        summary.to_csv(out, index=False)
        runs.to_csv(out.with_name(out.stem + "_runs.csv"), index=False)
    else:
        out.write_text(header + "\n\n" + to_markdown(summary) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", choices=("full", "reduced"), default="full")
    parser.add_argument("--designs", nargs="*", choices=DESIGNS, default=None,
                        help="only these designs (default: all)")
    parser.add_argument("--frequency", choices=("monthly", "yearly"), default=None,
                        help="only cells of this frequency (default: both)")
    parser.add_argument("--pools", type=int, nargs="*", default=None,
                        help="only cells with these donor pool sizes (default: all)")
    parser.add_argument("--reps", type=int, default=None,
                        help="no-effect replications per cell (default: the plan's R)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=BASE_SEED)
    parser.add_argument("--shrink", type=float, default=0.0,
                        help="narrow every interval by this fraction before testing")
    parser.add_argument("--chunk", type=int, default=25, help="replications per worker job")
    parser.add_argument("--out", type=Path, action="append", default=[],
                        help="write the table (.md) or summary + replications (.csv)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the plan and the expected runtime only")
    args = parser.parse_args(argv)

    tasks = plan(args.cells, args.designs, args.reps, args.frequency, args.pools)
    print(describe(tasks, args.workers), flush=True)
    if args.dry_run:
        return 0
    # most expensive jobs first, so that no long chunk starts last; output keeps plan order
    order = sorted(range(len(tasks)), key=lambda i: -cost_per_fit(tasks[i]))
    start = time.perf_counter()
    runs = run_study([tasks[i] for i in order], base_seed=args.seed, shrink=args.shrink,
                     workers=args.workers, chunk_size=args.chunk,
                     progress=lambda line: print(line, flush=True))
    elapsed = time.perf_counter() - start
    rank = {t.key: k for k, t in enumerate(tasks)}
    summary = summarise(runs)
    summary = summary.iloc[sorted(range(len(summary)), key=lambda i: rank[
        (summary["cell"].iloc[i], summary["design"].iloc[i])])].reset_index(drop=True)
    header = (f"Calibration study: --cells {args.cells}, seed {args.seed}, shrink {args.shrink}, "
              f"{len(runs)} fits in {elapsed / 60:.1f} min with {args.workers} worker(s).")
    print("\n" + header + "\n\n" + to_markdown(summary), flush=True)
    for out in args.out:
        write(out, runs, summary, header)
    failed = int((~summary["passes"]).sum())
    print(f"\n{len(summary) - failed} of {len(summary)} rows pass.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
