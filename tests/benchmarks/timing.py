"""The timing helpers of the benchmark scripts (imported as ``timing`` when a script runs
from this folder)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any, NamedTuple


class Timing(NamedTuple):
    """Best wall time and best CPU time (user + system of this process) of some runs, and the
    last run's result."""

    wall: float
    cpu: float
    result: Any


def best_of(fn: Callable[[], Any], repeat: int = 3) -> Timing:
    """Run ``fn`` ``repeat`` times; every package compared in a benchmark is timed with this,
    with the same ``repeat``."""
    wall = cpu = float("inf")
    result = None
    for _ in range(max(1, repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return Timing(wall, cpu, result)


#: The command line, run as ``python -c CLI <arguments>`` with a tree's ``src`` on the path.
CLI = "import sys; from evaluation.cli import main; sys.exit(main(sys.argv[1:]))"


def child_env(src: Path, home: Path) -> dict[str, str]:
    """The environment of a timed child process: the package from ``src``, its data and
    reports under ``home``, one BLAS thread, matplotlib's Agg backend."""
    return {**os.environ, "PYTHONPATH": str(src), "EVALUATION_HOME": str(home),
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "Agg"}


def build_demo(src: Path, home: Path) -> dict[str, str]:
    """Build the demo data in ``home`` with the tree at ``src`` (``evaluation demo``, not
    timed); returns the environment for the timed runs that follow."""
    env = child_env(src, home)
    subprocess.run([sys.executable, "-c", CLI, "demo"], env=env, cwd=src.parent,
                   capture_output=True, text=True, check=True)
    return env
