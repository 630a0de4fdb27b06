"""Wall time of the demo evaluation (run + render) and of each design.

Usage: ``make bench`` (or ``python tests/benchmarks/bench_demo.py``). Runs in a temporary
EVALUATION_HOME so the user's data/ and reports/ are untouched. Target: whole demo evaluation
≤ 20 s on 2 cores after install.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time


def _time(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    os.environ["EVALUATION_HOME"] = tempfile.mkdtemp(prefix="evaluation-bench-")
    from evaluation import paths
    from evaluation.data import demo
    from evaluation.designs.decomposition import decomposition
    from evaluation.designs.donor_designs import DESIGN_NAMES, comparison_group_design
    from evaluation.designs.its import its
    from evaluation.run import run

    t0 = time.perf_counter()
    demo.build_demo()
    print(f"demo build (simulate + raw + processed): {time.perf_counter() - t0:6.2f} s")
    panel, _ = demo.load_demo("monthly")
    for outcome in ("unemployment_rate", "households_assistance"):
        t = _time(lambda: decomposition(panel, outcome=outcome, treated="1987",
                                        compare_periods=("2022-03", "2023-03"), window=12))
        print(f"decomposition {outcome:24s}: {t:6.3f} s")
        t = _time(lambda: its(panel, outcome=outcome, treated="1987", intervention="2022-04"))
        print(f"its           {outcome:24s}: {t:6.3f} s")
        for design in DESIGN_NAMES:  # fit + 79 studentised placebo fits
            t = _time(lambda d=design: comparison_group_design(
                panel, design=d, outcome=outcome, treated="1987", intervention="2022-04",
                post_end="2023-03"))
            print(f"{design:13s} {outcome:24s}: {t:6.3f} s")
    spec = paths.params_dir() / "exempelstad.yaml"
    for label in ("first run", "second run"):
        t0 = time.perf_counter()
        run(spec)
        print(f"demo evaluation, {label} (papermill + HTML): {time.perf_counter() - t0:6.2f} s")


if __name__ == "__main__":
    main()
