"""Calibration study: do the designs' 95 % intervals mean what they say on simulated panels?

Each design is run, through its public function only, on ``R`` seeded draws of a cell of
:mod:`evaluation.checks.calibration_dgp` without an effect (null) and with a known step (power).
Per replication we keep whether an interval was reported (``testable``), the estimate, the
interval, whether it excludes zero (``rejected``) and the treated kommun's size tercile. Per cell
and design :func:`summarise` gives

* ``share_interval`` — share of null replications with a finite interval;
* ``false_alarm_rate`` — share of the testable null replications whose interval excludes zero,
  with the exact one-sided binomial p-value against 5 % (H1: too many false alarms) and its Holm
  adjustment over all rows of the study;
* ``median_width``, ``oracle_width`` — the median interval width and the width of an interval
  that knew the true error distribution, ``2·t(0.975, R−1)·sd(estimate − true effect)``
  over the null replications, and their ``width_ratio``;
* ``power`` — share of the testable step replications whose interval excludes zero;
* the same figures by size tercile of the treated kommun (small / middle / large).

:func:`passes` fails a row when the false-alarm rate is significantly above 5 % (Holm-adjusted
binomial test at 5 %), when fewer than 95 % of the replications have an interval (in the cells the
design is meant for, :func:`expectations`) or when the median width exceeds 1.5 oracle widths.

A deliberately narrowed interval is fed with ``shrink`` (:func:`narrow`): every interval is
shrunk around its estimate by that fraction *before* the rejection is decided, so a test can show
that the study fails when the intervals are 25 % too narrow.

Seeds come from the base seed, the cell and the replication number (:func:`replication_seed`), so
every design sees the same panels in a cell, the power draw of a replication is its null draw
plus the step, and results do not depend on the number of worker processes.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation import distributions
from evaluation.checks.calibration_dgp import OUTCOME, Cell, Draw, draw, size_tercile
from evaluation.results import EffectResult

#: Designs the study knows (public functions, see :func:`run_design`).
DESIGNS = ("its", "decomposition", "synthetic_control", "did", "sdid")
#: Donor-based designs: their intervals rest on the other kommuner being like the treated one.
DONOR_DESIGNS = ("decomposition", "synthetic_control", "did", "sdid")
#: Known effect of the power replications, p.p. added to every post period of the treated
#: kommun: 1.3–1.7 oracle half-widths in the pilot (oracle widths 1.2–1.6 p.p. pooled over
#: sizes), so power is neither trivial nor saturated.
STEP = {"monthly": -1.0, "yearly": -1.0}
NOMINAL = 0.05
ALPHA = 0.05
MIN_SHARE_INTERVAL = 0.95
MAX_WIDTH_RATIO = 1.5
BASE_SEED = 20240611
TERCILES = ("small", "middle", "large")

DesignRunner = Callable[[Draw, Cell], EffectResult]


# ----------------------------------------------------------------------------- seeds and runs
def cell_key(cell: Cell) -> str:
    """Stable text key of a cell (frequency, φ, pool, variant, pre/post lengths)."""
    return (f"{cell.frequency}|{cell.phi:g}|{cell.n_donors}|{cell.variant}|"
            f"{cell.pre}|{cell.post}")


def replication_seed(base_seed: int, cell: Cell, rep: int) -> int:
    """Seed of replication ``rep`` of ``cell``: independent of design, worker and order.

    Parameters
    ----------
    base_seed
        Seed of the whole study.
    cell
        The cell (its :func:`cell_key` enters through a CRC-32).
    rep
        Replication number, 0-based.

    Returns
    -------
    int
        A 63-bit seed from ``numpy.random.SeedSequence([base_seed, crc32(cell), rep])``.
    """
    key = zlib.crc32(cell_key(cell).encode("utf-8"))
    state = np.random.SeedSequence([int(base_seed), key, int(rep)]).generate_state(2)
    return int((int(state[0]) << 32 | int(state[1])) >> 1)


def run_design(design: str, d: Draw, cell: Cell) -> EffectResult:
    """Run ``design`` on one draw through its public function, with the app's defaults.

    Parameters
    ----------
    design
        ``"its"``, ``"decomposition"``, ``"synthetic_control"``, ``"did"`` or ``"sdid"``.
    d
        The simulated panel.
    cell
        The cell the draw comes from (frequency for the decomposition's default window).

    Returns
    -------
    EffectResult
        The design's result: ITS and the comparison-group designs over the post window
        ``intervention..post_end``; the decomposition with ``default_compare_periods`` and
        ``COMPARE_WINDOW`` (monthly: the 12 months before against the first 12 after; yearly:
        the intervention year against the next, as the app does — so a step that starts in
        the intervention year, as in the simulation, cancels and the yearly power is about
        the false-alarm rate).
    """
    if design == "its":
        from evaluation.designs.its import its

        return its(d.panel, outcome=OUTCOME, treated=d.treated, intervention=d.intervention,
                   post_end=d.post_end)
    if design == "decomposition":
        from evaluation.designs.decomposition import (
            COMPARE_WINDOW,
            decomposition,
            default_compare_periods,
        )

        window = COMPARE_WINDOW[cell.frequency]
        t0, t1 = default_compare_periods(d.intervention, window)
        return decomposition(d.panel, outcome=OUTCOME, treated=d.treated,
                             compare_periods=(t0, t1), window=window)
    if design in ("synthetic_control", "did", "sdid"):
        from evaluation.designs.donor_designs import comparison_group_design

        return comparison_group_design(d.panel, design=design, outcome=OUTCOME,
                                       treated=d.treated, intervention=d.intervention,
                                       post_end=d.post_end, donors=None)
    raise ValueError(f"unknown design {design!r}; expected one of {DESIGNS}")


def narrow(estimate: float, low: float, high: float, shrink: float) -> tuple[float, float]:
    """Shrink the interval ``(low, high)`` around ``estimate`` by the fraction ``shrink``.

    ``shrink=0.25`` gives an interval 25 % narrower with the same asymmetry:
    ``estimate − 0.75·(estimate − low)``, ``estimate + 0.75·(high − estimate)``.
    """
    if not 0 <= shrink < 1:
        raise ValueError(f"shrink must lie in [0, 1), got {shrink}")
    keep = 1.0 - shrink
    return estimate - keep * (estimate - low), estimate + keep * (high - estimate)


def replicate(design: str | DesignRunner, cell: Cell, *, seed: int, effect: float = 0.0,
              shrink: float = 0.0) -> dict[str, Any]:
    """One replication: draw the panel, run the design, record the interval and the decision.

    Parameters
    ----------
    design
        A design name (see :func:`run_design`) or a callable ``(draw, cell) -> EffectResult``.
    cell, seed, effect
        Passed to :func:`~evaluation.checks.calibration_dgp.draw`.
    shrink
        Fraction by which the reported interval is narrowed before testing (:func:`narrow`).

    Returns
    -------
    dict
        ``seed, effect, testable, estimate, low, high, rejected, population, tercile, error,
        seconds, cpu_seconds`` (wall and CPU time of the fit). A design error (any
        exception) is recorded as not testable, with its message in ``error``.
    """
    d = draw(cell, seed=seed, effect=effect)
    row: dict[str, Any] = {"seed": seed, "effect": effect,
                           "population": d.treated_population,
                           "tercile": size_tercile(d.treated_population)}
    start, cpu = time.perf_counter(), time.process_time()
    try:
        result = run_design(design, d, cell) if isinstance(design, str) else design(d, cell)
    except Exception as exc:  # noqa: BLE001 — a failing fit is a finding, not a crash
        row.update(testable=False, estimate=np.nan, low=np.nan, high=np.nan, rejected=False,
                   error=f"{type(exc).__name__}: {exc}")
    else:
        estimate = float(result.average_effect)
        low = high = np.nan
        if result.testable:
            low, high = narrow(estimate, float(result.ci[0]), float(result.ci[1]), shrink)
        row.update(testable=bool(result.testable), estimate=estimate, low=low, high=high,
                   rejected=bool(result.testable and (low > 0 or high < 0)), error="")
    row["seconds"] = time.perf_counter() - start
    row["cpu_seconds"] = time.process_time() - cpu
    return row


def design_name(design: str | DesignRunner) -> str:
    """The name a design is reported under (its ``__name__`` for a callable)."""
    return design if isinstance(design, str) else getattr(design, "__name__", "design")


@dataclass(frozen=True)
class Task:
    """One cell × design of a study: ``reps`` null and ``power_reps`` step replications.

    ``design`` is a name or a callable ``(draw, cell) -> EffectResult`` (module-level, so that
    worker processes can pickle it).
    """

    cell: Cell
    design: str | DesignRunner
    reps: int
    power_reps: int | None = None  # default: as many as ``reps``; 0 skips the power run
    step: float | None = None  # default: :data:`STEP` of the cell's frequency

    @property
    def n_power(self) -> int:
        return self.reps if self.power_reps is None else self.power_reps

    @property
    def effect(self) -> float:
        return STEP[self.cell.frequency] if self.step is None else self.step

    @property
    def key(self) -> tuple[str, str]:
        return self.cell.label(), design_name(self.design)


def _chunk(task: Task, kind: str, reps: Sequence[int], base_seed: int,
           shrink: float) -> list[dict[str, Any]]:
    """Replications ``reps`` of one task (runs in a worker process)."""
    effect = 0.0 if kind == "no_effect" else task.effect
    cell_label, name = task.key
    rows = []
    for rep in reps:
        row = replicate(task.design, task.cell,
                        seed=replication_seed(base_seed, task.cell, rep),
                        effect=effect, shrink=shrink)
        rows.append({"cell": cell_label, "design": name, "kind": kind, "rep": rep, **row})
    return rows


def _jobs(tasks: Iterable[Task], chunk_size: int) -> list[tuple[Task, str, list[int]]]:
    """Split every task's null and power replications into chunks of ``chunk_size``."""
    jobs = []
    for task in tasks:
        for kind, n in (("no_effect", task.reps), ("step", task.n_power)):
            for first in range(0, n, chunk_size):
                jobs.append((task, kind, list(range(first, min(n, first + chunk_size)))))
    return jobs


def run_study(tasks: Sequence[Task], *, base_seed: int = BASE_SEED, shrink: float = 0.0,
              workers: int = 1, chunk_size: int = 25,
              progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Run every task's null and power replications; one row per replication.

    Parameters
    ----------
    tasks
        Cells × designs with their numbers of replications.
    base_seed
        Study seed; replication seeds come from :func:`replication_seed`.
    shrink
        Narrow every interval by this fraction before testing (0: as reported).
    workers
        Worker processes (``concurrent.futures.ProcessPoolExecutor``); 1 runs in this process.
        The result does not depend on it.
    chunk_size
        Replications per job sent to a worker.
    progress
        Called with a short line after each finished job (e.g. ``print``).

    Returns
    -------
    pandas.DataFrame
        Columns ``cell, design, kind ("no_effect"/"step"), rep, seed, effect, population,
        tercile, testable, estimate, low, high, rejected, error, seconds, cpu_seconds`` plus the
        cell's fields ``frequency, phi, n_donors, variant``; in task order, no-effect before
        step, by replication.
    """
    tasks = list(tasks)
    cells = {task.key[0]: task.cell for task in tasks}
    if len(cells) != len({cell_key(task.cell) for task in tasks}):
        raise ValueError("cells with the same label but different pre/post lengths: results "
                         "are grouped by label, give them distinct cells")
    jobs = _jobs(tasks, chunk_size)
    results: list[list[dict[str, Any]]] = [[] for _ in jobs]

    def report(done: int, i: int) -> None:
        if progress is not None:
            task, kind, reps = jobs[i]
            seconds = sum(r["seconds"] for r in results[i])
            progress(f"[{done + 1}/{len(jobs)}] {task.key[0]} {task.key[1]} {kind} "
                     f"reps {reps[0]}–{reps[-1]}: {seconds:.1f} s fitting")

    if workers <= 1:
        for i, (task, kind, reps) in enumerate(jobs):
            results[i] = _chunk(task, kind, reps, base_seed, shrink)
            report(i, i)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_chunk, task, kind, reps, base_seed, shrink): i
                       for i, (task, kind, reps) in enumerate(jobs)}
            for done, future in enumerate(as_completed(futures)):
                i = futures[future]
                results[i] = future.result()
                report(done, i)
    runs = pd.DataFrame([row for chunk in results for row in chunk])
    if runs.empty:
        return runs
    for name in ("frequency", "phi", "n_donors", "variant"):
        runs[name] = runs["cell"].map(lambda c, n=name: getattr(cells[c], n))
    return runs


def run_cell(cell: Cell, design: str | DesignRunner, *, reps: int, power_reps: int | None = 0,
             step: float | None = None, base_seed: int = BASE_SEED,
             shrink: float = 0.0) -> pd.DataFrame:
    """Replications of one cell and one design in this process (the small-scale entry point).

    Parameters
    ----------
    cell
        The cell to draw from.
    design
        Design name or a callable ``(draw, cell) -> EffectResult`` (e.g. a variant under test).
    reps, power_reps
        Null and step replications (``power_reps=None``: as many as ``reps``; 0: none).
    step
        Effect of the power replications (default :data:`STEP` of the frequency).
    base_seed, shrink
        See :func:`run_study`.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`run_study` for this cell and design.
    """
    task = Task(cell=cell, design=design, reps=reps, power_reps=power_reps, step=step)
    return run_study([task], base_seed=base_seed, shrink=shrink, workers=1,
                     chunk_size=max(1, reps, task.n_power))


def narrow_runs(runs: pd.DataFrame, shrink: float) -> pd.DataFrame:
    """The same replications with every interval narrowed by ``shrink`` (see :func:`narrow`)
    and the rejections recomputed: the study as if the designs had reported those intervals."""
    if not 0 <= shrink < 1:
        raise ValueError(f"shrink must lie in [0, 1), got {shrink}")
    out = runs.copy()
    keep = 1.0 - shrink
    out["low"] = out["estimate"] - keep * (out["estimate"] - out["low"])
    out["high"] = out["estimate"] + keep * (out["high"] - out["estimate"])
    out["rejected"] = out["testable"] & ((out["low"] > 0) | (out["high"] < 0))
    return out


# ----------------------------------------------------------------------------- summaries
def expectations(frequency: str, n_donors: int, variant: str, design: str) -> dict[str, bool]:
    """Which criteria of :func:`passes` apply to a design in a cell ("meant for").

    * ITS: every cell (it needs no donors).
    * Decomposition: an interval with any pool (the rank interval from 39 similar kommuner, the
      placebo-variance t interval below).
    * Synthetic control, DiD, SDID: every pool of 7 or more donors.
    * ``variant="unlike"`` for the donor-based designs: the treated kommun is unlike every donor,
      so "we cannot tell" — no interval, or a wide one — is a correct answer; only the false
      alarms are judged.

    Returns
    -------
    dict
        ``requires_interval`` (share with interval ≥ 95 % is required) and ``checks_width``
        (width ratio ≤ 1.5 is required); the false-alarm test always applies.
    """
    if design in DONOR_DESIGNS and variant == "unlike":
        return {"requires_interval": False, "checks_width": False}
    if design == "decomposition":
        ok = n_donors >= 2
        return {"requires_interval": ok, "checks_width": ok}
    if design in DONOR_DESIGNS:
        ok = n_donors >= 7
        return {"requires_interval": ok, "checks_width": ok}
    return {"requires_interval": True, "checks_width": True}


def binomial_p(false_alarms: int, n: int, nominal: float = NOMINAL) -> float:
    """Exact one-sided binomial p-value of ``false_alarms`` of ``n`` against ``nominal``
    (H1: the rate is above nominal); 1.0 when ``n == 0``."""
    from scipy import stats

    if n <= 0:
        return 1.0
    return float(stats.binomtest(int(false_alarms), int(n), nominal,
                                 alternative="greater").pvalue)


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error rate), in the input order."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[idx]))
        adjusted[idx] = running
    return adjusted


def oracle_width(errors: np.ndarray, level: float = 0.95) -> float:
    """Width of an interval that knows the error distribution: ``2·t(level, R−1)·sd(errors)``
    (t ≈ z for large R); NaN with fewer than two finite errors."""
    e = np.asarray(errors, dtype=float)
    e = e[np.isfinite(e)]
    if len(e) < 2:
        return float("nan")
    return float(2 * distributions.t_ppf(0.5 + level / 2, len(e) - 1) * np.std(e, ddof=1))


def _rates(null: pd.DataFrame, power: pd.DataFrame) -> dict[str, Any]:
    """Figures of one group of replications (a whole cell or one tercile)."""
    testable = null[null["testable"]]
    n_test = len(testable)
    false_alarms = int(testable["rejected"].sum())
    widths = (testable["high"] - testable["low"]).to_numpy(float)
    oracle = oracle_width((null["estimate"] - null["effect"]).to_numpy(float))
    median_width = float(np.median(widths)) if n_test else float("nan")
    p_test = power[power["testable"]]
    return {
        "reps": len(null),
        "testable": n_test,
        "share_interval": n_test / len(null) if len(null) else float("nan"),
        "false_alarms": false_alarms,
        "false_alarm_rate": false_alarms / n_test if n_test else float("nan"),
        "median_width": median_width,
        "oracle_width": oracle,
        "width_ratio": median_width / oracle if oracle > 0 else float("nan"),
        "power_reps": len(power),
        "power": float(p_test["rejected"].mean()) if len(p_test) else float("nan"),
    }


def summarise(runs: pd.DataFrame, *, alpha: float = ALPHA) -> pd.DataFrame:
    """One row per cell and design: the calibration figures, the criteria and the verdict.

    Parameters
    ----------
    runs
        Rows of :func:`run_study` / :func:`run_cell` (several cells and designs allowed).
    alpha
        Level of the Holm-adjusted false-alarm test.

    Returns
    -------
    pandas.DataFrame
        Columns of the whole group (``reps, testable, share_interval, false_alarms,
        false_alarm_rate, binom_p, holm_p, median_width, oracle_width, width_ratio, power_reps,
        power, step``), per tercile (``fa_small, n_small, width_small, oracle_small,
        power_small``, … for ``middle`` and ``large``), ``errors`` (replications where the
        design raised), the cell fields, ``requires_interval, checks_width``, ``passes`` and
        ``failures`` (the reasons, "; "-separated). Holm runs over all rows.
    """
    rows = []
    keys = ["cell", "design"]
    for (cell, design), group in runs.groupby(keys, sort=False):
        null = group[group["kind"] == "no_effect"]
        power = group[group["kind"] == "step"]
        first = group.iloc[0]
        row: dict[str, Any] = {"cell": cell, "design": design}
        for name in ("frequency", "phi", "n_donors", "variant"):
            if name in group:
                row[name] = first[name]
        row.update(_rates(null, power))
        row["binom_p"] = binomial_p(row["false_alarms"], row["testable"])
        row["step"] = float(power["effect"].iloc[0]) if len(power) else float("nan")
        error = group["error"]
        row["errors"] = int((error.notna() & (error.astype(str) != "")).sum())
        for t, name in enumerate(TERCILES):
            sub = _rates(null[null["tercile"] == t], power[power["tercile"] == t])
            row[f"n_{name}"] = sub["testable"]
            row[f"fa_{name}"] = sub["false_alarm_rate"]
            row[f"width_{name}"] = sub["median_width"]
            row[f"oracle_{name}"] = sub["oracle_width"]
            row[f"power_{name}"] = sub["power"]
        for column, name in (("seconds", "seconds_per_fit"), ("cpu_seconds", "cpu_per_fit")):
            row[name] = float(group[column].mean()) if column in group else float("nan")
        if {"frequency", "n_donors", "variant"} <= set(row):
            row.update(expectations(row["frequency"], int(row["n_donors"]), row["variant"],
                                    design))
        else:
            row.update(requires_interval=True, checks_width=True)
        rows.append(row)
    summary = pd.DataFrame(rows)
    if summary.empty:
        return summary
    summary["holm_p"] = holm(summary["binom_p"].to_numpy())
    summary["failures"] = [
        "; ".join(failures(r, alpha=alpha)) for r in summary.to_dict("records")]
    summary["passes"] = summary["failures"] == ""
    return summary


def failures(row: dict[str, Any] | pd.Series, *, alpha: float = ALPHA) -> list[str]:
    """Reasons a summary row fails (empty: it passes); see :func:`passes`."""
    out = []
    p = row.get("holm_p", row.get("binom_p"))
    if p is not None and math.isfinite(p) and p < alpha:
        out.append(f"false alarms {row['false_alarm_rate']:.3f} > {NOMINAL:.0%} "
                   f"(Holm p = {p:.2g})")
    share = row["share_interval"]
    if row.get("requires_interval", True) and not share >= MIN_SHARE_INTERVAL:
        out.append("no replications" if not math.isfinite(share)
                   else f"interval in {share:.0%} < {MIN_SHARE_INTERVAL:.0%}")
    ratio = row["width_ratio"]
    if row.get("checks_width", True) and math.isfinite(ratio) and ratio > MAX_WIDTH_RATIO:
        out.append(f"width ratio {ratio:.2f} > {MAX_WIDTH_RATIO}")
    return out


def passes(row: dict[str, Any] | pd.Series, *, alpha: float = ALPHA) -> bool:
    """Verdict for one summary row of :func:`summarise`.

    Fails when the false-alarm rate is significantly above 5 % (Holm-adjusted one-sided exact
    binomial test at ``alpha``; the unadjusted p-value when the row has no ``holm_p``), when
    the share with an interval is below 95 % although the design is meant for the cell
    (``requires_interval``), or when the median width exceeds 1.5 oracle widths
    (``checks_width``).
    """
    return not failures(row, alpha=alpha)


def study_passes(summary: pd.DataFrame, *, alpha: float = ALPHA) -> bool:
    """True when every row of the study passes."""
    return bool(all(passes(r, alpha=alpha) for r in summary.to_dict("records")))


# ----------------------------------------------------------------------------- output
def _pct(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{100 * x:.1f} %"


def _num(x: float, digits: int = 3) -> str:
    if not math.isfinite(x):
        return "–"
    return f"{x:.{digits}g}" if abs(x) < 1e4 else f"{x:.2e}"


def to_markdown(summary: pd.DataFrame) -> str:
    """The study as a markdown table: cell, design, R, share with interval, false-alarm rate,
    binomial and Holm p, median and oracle width, ratio (and by size tercile), power at the
    step, false alarms by size tercile (small / middle / large, testable replications in
    brackets) and the verdict."""
    header = ("| cell | design | R | interval | false alarms | binom p | Holm p | median width "
              "| oracle width | ratio | ratio S/M/L | power (step) | FA S/M/L | verdict |")
    lines = [header, "|" + "---|" * 14]
    for r in summary.to_dict("records"):
        fa = " / ".join("–" if not r[f"n_{t}"] else f"{100 * r[f'fa_{t}']:.0f} % ({r[f'n_{t}']})"
                        for t in TERCILES)
        ratios = " / ".join(_num(r[f"width_{t}"] / r[f"oracle_{t}"], 2)
                            if r[f"oracle_{t}"] > 0 else "–" for t in TERCILES)
        power = "–" if not r["power_reps"] else f"{_pct(r['power'])} ({r['step']:+g})"
        verdict = "pass" if r["passes"] else "FAIL: " + r["failures"]
        lines.append(
            f"| {r['cell']} | {r['design']} | {r['reps']} | {_pct(r['share_interval'])} "
            f"| {_pct(r['false_alarm_rate'])} ({r['false_alarms']}/{r['testable']}) "
            f"| {_num(r['binom_p'], 2)} | {_num(r['holm_p'], 2)} | {_num(r['median_width'])} "
            f"| {_num(r['oracle_width'])} | {_num(r['width_ratio'])} | {ratios} | {power} "
            f"| {fa} | {verdict} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- study plans
#: Pool sizes of the comparison-group cells: Kolada's "Liknande kommuner" (7), a län (about
#: 20), Proposition 99 (38), the exact 95 % rank pool (79) and every kommun (289).
POOLS = (7, 20, 38, 79, 289)
#: Pool of the ITS cells (ITS compares with the national series; the pool size hardly matters).
ITS_POOL = 20


def full_plan() -> list[Task]:
    """The full study: cells × designs with their null and power replications.

    * ITS (pool 20): monthly 72/12 φ ∈ {0.5, 0.7, 0.9, 0.97}, drift and unlike at φ = 0.7
      (R = 1000, 500 power); yearly 10/3 φ = 0.6 base, drift and unlike (R = 1000, 1000 power).
    * Decomposition, DiD, synthetic control: pools 7, 20, 38, 79, 289 at φ = 0.7, monthly and
      yearly, plus the unlike variant at pool 79 (R = 1000, 500 power; SC with 289: 250 power).
    * SDID (the expensive one, 1–6 s a fit from 79 donors): pools 7 and 20 R = 1000 / 500,
      38 R = 1000 / 250, 79 R = 500 / 100, 289 monthly R = 300 / 100, 289 yearly R = 150 / 50,
      unlike at 79 R = 300 / 100.
    """
    tasks = []
    for phi in (0.5, 0.7, 0.9, 0.97):
        tasks.append(Task(Cell("monthly", phi, ITS_POOL), "its", 1000, 500))
    for variant in ("drift", "unlike"):
        tasks.append(Task(Cell("monthly", 0.7, ITS_POOL, variant), "its", 1000, 500))
    for variant in ("base", "drift", "unlike"):
        tasks.append(Task(Cell("yearly", 0.6, ITS_POOL, variant), "its", 1000, 1000))
    sdid_reps = {7: (1000, 500), 20: (1000, 500), 38: (1000, 250), 79: (500, 100)}
    for design in ("decomposition", "did", "synthetic_control", "sdid"):
        for frequency in ("monthly", "yearly"):
            for pool in POOLS:
                reps, power = 1000, 500
                if design == "synthetic_control" and pool == 289:
                    power = 250
                if design == "sdid":
                    reps, power = sdid_reps.get(pool, (300, 100) if frequency == "monthly"
                                                else (150, 50))
                tasks.append(Task(Cell(frequency, 0.7, pool), design, reps, power))
            reps, power = (300, 100) if design == "sdid" else (1000, 500)
            tasks.append(Task(Cell(frequency, 0.7, 79, "unlike"), design, reps, power))
    return tasks


def reduced_plan() -> list[Task]:
    """The CI version (``tests/checks/test_calibration_study.py``): a few cheap cells per design,
    null replications only (about 70 s of fitting on one core).

    ITS monthly φ = 0.7 (R = 60) and yearly φ = 0.6 (R = 200); decomposition with 289 donors
    (R = 250, also the cell of the narrowed-interval test) and with 20 (R = 20, no interval by
    construction); DiD with 79 and 7 donors, SC with 20 and 7, SDID with 7 (R = 100 each).
    """
    return [
        Task(Cell("monthly", 0.7, ITS_POOL), "its", 60, 0),
        Task(Cell("yearly", 0.6, ITS_POOL), "its", 200, 0),
        Task(Cell("monthly", 0.7, 289), "decomposition", 250, 0),
        Task(Cell("monthly", 0.7, 20), "decomposition", 20, 0),
        Task(Cell("monthly", 0.7, 79), "did", 100, 0),
        Task(Cell("monthly", 0.7, 7), "did", 100, 0),
        Task(Cell("monthly", 0.7, 20), "synthetic_control", 100, 0),
        Task(Cell("monthly", 0.7, 7), "synthetic_control", 100, 0),
        Task(Cell("monthly", 0.7, 7), "sdid", 100, 0),
    ]
