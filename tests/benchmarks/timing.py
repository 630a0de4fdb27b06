"""The one timing helper of the benchmark scripts (imported as ``timing`` when a script runs
from this folder)."""

from __future__ import annotations

import time
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
