"""Wall time of ``evaluation screen`` on the demo, and its false discovery rate on placebo dates.

Usage::

    OMP_NUM_THREADS=1 PYTHONPATH=src python tests/benchmarks/bench_screen.py [--workers 1 2]
        [--designs decomposition its structural] [--post-end 2023-03] [--fdr] [--fdr-dates 103]

Runs in a temporary EVALUATION_HOME (data, cache and reports there). For each worker count: a
LocalCluster is started (its start-up is timed apart), then

1. the full screen — 290 kommuner × 2 outcomes at 2022-04, empty cache (target ≤ 60 s on
   2 cores);
2. a re-screen after one new month: the demo rebuilt with one more month (the simulator never
   changes earlier months) and screened again with the same cache (target ≤ 15 s): the
   decomposition is reused, the ITS re-forecast from its stored pre-period fit, the structural
   model recomputed (see :mod:`evaluation.screen.cache`);
3. an unchanged re-screen (everything from the cache).

With ``--fdr``: the placebo study (:mod:`evaluation.screen.placebo`) over ``--fdr-dates``
monthly dates from 2017-01 (6-month windows, ITS, unemployment and households, 30 kommuner
without Exempelstad), once with no effect and once with an effect injected into 10 of them;
prints the realised FDR and the power.

Prints the machine's load average too: the development machine's 2 cores are shared, and wall
times scale with what else runs.

Measured 2026-12-01 on the 2-core development machine, otherwise idle, designs decomposition,
ITS and structural (the default), 45-month post windows; both passes (Ljusfors, 0161, is
flagged for unemployment, so every kommun is screened a second time without it in the
comparisons). The first pass runs the ITS (the primary design) for every kommun and the other
designs only where a flag depends on them (``core._flags_first``: the same flags); the second
runs every design:

=====================================  ====================  ====================  =========
                                       1 worker              2 workers             speed-up
=====================================  ====================  ====================  =========
cluster start + imports                3.2 s                 2.8 s
full screen 290 × 2, two passes        145.5 s (144 s CPU)   71.3 s (128 s CPU)    2.04×
re-screen, one new month               60.1 s (58 s CPU)     32.6 s (55 s CPU)     1.84×
unchanged re-screen                    2.5 s                 3.3 s
=====================================  ====================  ====================  =========

After the unit names and types were taken from each unit's first row without a copy of the
panel (the kommun panels' tables), 2 workers: full screen 70.5 s (124 s CPU), re-screen 29.0 s
(46 s CPU), unchanged re-screen 2.7 s. A second session that day (SDID pivoting and smaller
changes to the decomposition and the comparison pools; the machine faster that hour), 2 workers:
full screen 48.5 s (86 s CPU in the workers), re-screen 22.4 s — pass one (the ITS for every
kommun and the designs one flag depends on) 7.2 s, pass two (ITS and structural model for every
kommun; the decomposition reused) 13.7 s, the cache keys 1.1 s; 36 s CPU in the workers, 3.8 s
in the main process. At the end of that session (the structural model's draws keep their
dynamics; the machine about 5 % slower that hour): 1 worker 99.5 s, re-screen 36.2 s (34 s CPU);
2 workers 51.6 s, re-screen 22.8 s (37 s CPU); speed-up 1.93× and 1.59× (the main process's
cache keys, loading and cache writes, about 2 s, do not divide). Ranks as before. At the very
end of that session (the ITS's forecast covariance summed over its grid, the similar sets of
the keys from the library's table, the screen entries read from arrays, cache writes as
batches complete): 1 worker 87.0 s, re-screen 32.1 s; 2 workers 47.8 s, re-screen 17.5 s (29 s
CPU; repeated runs 16.8–18.1 s); speed-up 1.82× and 1.83×. A third session that day (a
kommun's comparison tables cut from the whole panel's and built once per worker, the
structural model's stored starts stacked, the result cache one SQLite file): 1 worker 71.7 s,
re-screen 21.1 s; 2 workers 43.0 s, re-screen 12.8 s (20 s CPU in the workers; an earlier run
of the same code 12.6 s), unchanged re-screen 1.5 s; speed-up 1.67× and 1.65× (the main
process's loading, cache keys and reads do not divide). Both targets are met. With the cache's
rollback journal instead of its write-ahead log, 2 workers: 43.7 s, re-screen 12.3 s. A fourth
session that day (the decomposition's similar units, deviations and size scales and the ITS's
design matrix on arrays; the machine about a fifth slower that hour: 1 worker 87.2 s against
71.7): 2 workers 43.1 s (77 s CPU in the workers), re-screen 13.8 s (22 s CPU), unchanged 1.9 s;
speed-up 2.02× for the full screen. Ranks as before. 2026-12-02, in a slower hour (a count's
ITS GLM stored with its error model, SciPy's quantiles and the period grids remembered, fewer
pandas Series per design call), 2 workers, against that session's start in ABBA order, three
runs each: re-screen 17.1 / 15.7 / 17.2 → 13.4 / 14.7 / 13.9 s (workers' CPU 27.9 / 24.2 /
26.7 → 20.9 / 22.5 / 22.7 s), full screen 42.3 / 42.0 / 41.3 → 37.4 / 37.3 / 46.3 s; the
re-screen's table equal to the bit. Later that day, the garbage collector running less often in
the tasks (``evaluation.gc_tuning``), ABBA against b25f72a, three runs each: re-screen 13.5 /
12.1 / 11.4 → 11.0 / 12.8 / 11.0 s, full screen 42.0 / 41.2 / 35.0 → 42.8 / 33.8 / 31.7 s; a
second set (the screen's own process too) 18.3 / 11.3 / 10.0 → 11.4 / 13.4 / 9.7 s: no saving
this VM can show (docs/speed.md).

(2026-11-30, both passes in full: 213.0 s / 108.7 s, re-screen 99.1 s / 50.9 s.)

With the demo spec's 12-month window (``--post-end 2023-03``; no kommun flagged, one pass),
2 workers: full screen 47.8 s (88 s CPU; 2026-11-30: 51.2 s), re-screen after one new month
3.0 s. 1 worker (2026-11-30): 108.7 s; speed-up 2.1×.

Exempelstad ranks 11th and 15th of 290 (unemployment, households), Kontrollby 76th and 157th;
with the 45-month window 27th and 71st (its change fades), Kontrollby 103rd and 196th.

Per kommun × outcome in-process: the structural model about 60 ms, the ITS 45 ms and the
decomposition 35 ms (a re-screen: the structural model 21 ms and the ITS 40 ms, most of it the
kommun's comparison tables, not the fit). The targets (≤ 60 s, and ≤ 15 s for a re-screen)
are met with the 12-month window (a new month outside the window changes nothing the calls
read), not with the 45-month window and its second pass: 71 s and 29 s. Before this round:
452 s / 358 s on the shared machine (the structural model's simulation then filtered once per
parameter draw through the results object and stepped each draw's paths separately, and its
pre-period fit was not reused).

Placebo FDR (``--fdr``, 103 dates 2017-01 … 2025-07, 6-month windows, ITS, 30 kommuner, level
0.05): unemployment no effect 0.029 (false flags on 3 dates, all at the pandemic's onset),
−1.5 p.p. in 10 kommuner 0.020 (one pass: 0.076), power 0.97; households no effect 0.049,
−25 % in 10 kommuner 0.016 (one pass: 0.038), power 0.99.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time


def _load() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:  # pragma: no cover
        return "load average n/a"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--designs", nargs="+", default=None)
    parser.add_argument("--post-end", default=None)
    parser.add_argument("--date", default="2022-04")
    parser.add_argument("--fdr", action="store_true")
    parser.add_argument("--fdr-only", action="store_true")
    parser.add_argument("--fdr-dates", type=int, default=103)
    parser.add_argument("--fdr-kommuner", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("EVALUATION_HOME", tempfile.mkdtemp(prefix="evaluation-bench-"))
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from evaluation.data import demo
    from evaluation.screen import ScreenSettings, dask_client, load_screen_data, screen
    from evaluation.screen.settings import DEFAULT_DESIGNS

    designs = tuple(args.designs or DEFAULT_DESIGNS)
    settings = ScreenSettings(intervention=args.date, post_end=args.post_end, designs=designs)
    print(f"designs {', '.join(designs)}; date {args.date}; post_end "
          f"{args.post_end or 'last period'}; cpus {os.cpu_count()}; {_load()}")
    t0 = time.perf_counter()
    demo.ensure_demo(end="2025-12")
    print(f"demo build: {time.perf_counter() - t0:6.1f} s")
    if not args.fdr_only:
        for n in args.workers:
            cache = tempfile.mkdtemp(prefix=f"screen-cache-{n}-")
            demo.ensure_demo(end="2025-12")
            t0 = time.perf_counter()
            with dask_client(n_workers=n) as client:
                client.run(_warm)
                started = time.perf_counter() - t0
                print(f"[{n} worker(s)] cluster start + imports: {started:6.1f} s ({_load()})")
                t0 = time.perf_counter()
                data = load_screen_data("demo", settings)
                first = screen(data, settings, client=client, cache_dir=cache)
                wall = time.perf_counter() - t0
                print(f"[{n} worker(s)] full screen {len(data.kommuner)} × "
                      f"{len(settings.outcomes)}: {wall:6.1f} s (in the workers "
                      f"{first.stats['worker_seconds']:.0f} s wall, "
                      f"{first.stats.get('worker_cpu_seconds', 0):.0f} s CPU; "
                      f"{first.stats['tasks']} tasks; {_load()})")
                print(f"    passes {[(p['exclude'], p['flagged']) for p in first.stats['passes']]}"
                      f"; Exempelstad ranks {_ranks(first, demo.TREATED_UNIT)}, Kontrollby "
                      f"{_ranks(first, demo.PLACEBO_UNIT)} (per outcome, of "
                      f"{len(data.kommuner)})")
                demo.ensure_demo(end="2026-01")
                t0 = time.perf_counter()
                data = load_screen_data("demo", settings)
                again = screen(data, settings, client=client, cache_dir=cache)
                wall = time.perf_counter() - t0
                st = again.stats
                print(f"[{n} worker(s)] re-screen after one new month: {wall:6.1f} s — "
                      f"computed {st['computed']}, reused {st['reused']}, ITS fits reused "
                      f"{st['its_fit_reused']} / made {st['its_fits']}, structural pre-period "
                      f"fits reused {st.get('structural_fit_reused', 0)} / made "
                      f"{st.get('structural_fits', 0)}; in the workers "
                      f"{st.get('worker_cpu_seconds', 0):.0f} s CPU ({_load()})")
                t0 = time.perf_counter()
                data = load_screen_data("demo", settings)
                same = screen(data, settings, client=client, cache_dir=cache)
                print(f"[{n} worker(s)] unchanged re-screen: {time.perf_counter() - t0:6.1f} s"
                      f" — computed {same.stats['computed']}")
        demo.ensure_demo(end="2025-12")
    if args.fdr or args.fdr_only:
        _fdr(args)


def _ranks(result, kommun: str) -> list[int]:
    table = result.table
    return table.loc[table["kommun"] == kommun, "rank_in_outcome"].tolist()


def _warm() -> None:
    """Import the designs in a worker (part of the cluster's start-up, timed with it)."""
    import evaluation.designs.registry as registry
    import evaluation.screen.tasks  # noqa: F401

    registry.designs(None)


def _fdr(args: argparse.Namespace) -> None:
    from evaluation.data import demo
    from evaluation.data.panel import shift_period
    from evaluation.screen import ScreenSettings, dask_client, load_screen_data
    from evaluation.screen.placebo import placebo_study

    demo.ensure_demo(end="2025-12")
    dates = [shift_period("2017-01", i) for i in range(args.fdr_dates)]
    effects = {"unemployment_rate": -1.5, "households_assistance": -0.25}
    with dask_client(n_workers=max(args.workers)) as client:
        client.run(_warm)
        for outcome, effect in effects.items():
            settings = ScreenSettings(intervention="2022-04", outcomes=(outcome,),
                                      designs=("its",))
            data = load_screen_data("demo", settings)
            pool = [k for k in data.kommuner if k != demo.TREATED_UNIT]
            step = max(1, len(pool) // args.fdr_kommuner)
            kommuner = pool[::step][:args.fdr_kommuner]
            injected = kommuner[::3][:10]
            for label, inj, eff in (("no effect", (), 0.0),
                                    (f"effect {effect:+g} in {len(injected)}", injected,
                                     effect)):
                t0 = time.perf_counter()
                study = placebo_study(data, dates=dates, kommuner=kommuner, outcome=outcome,
                                      post_months=6, injected=inj, effect=eff, client=client)
                worst = study.sort_values("fdp", ascending=False).head(3)
                print(f"FDR {outcome}, {label}: {len(dates)} dates {dates[0]}–{dates[-1]}, "
                      f"{len(kommuner)} kommuner, realised FDR {study.attrs['fdr']:.3f}, "
                      f"power {study.attrs['power']:.3f}, dates with a false flag "
                      f"{int((study['false'] > 0).sum())}, worst "
                      f"{', '.join(f'{r.date} ({r.false}/{r.flags})' for r in worst.itertuples() if r.false)}"
                      f" — {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
