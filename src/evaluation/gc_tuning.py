"""How often Python's cyclic garbage collector runs while the package does its heavy work.

CPython starts a collection of its youngest generation after every 700 net allocations of
container objects (lists, dicts, pandas' and matplotlib's objects), of the middle one after ten
of those and a full collection after ten more (when a quarter of the oldest generation is new).
An evaluation or a screen allocates millions of such objects and frees nearly all of them by
reference counting, so those collections find little garbage and, each time, walk every young
object and, in a full collection, the whole heap. Measured with :data:`gc.callbacks` (the time
inside the collections, CPU-s):

======================================================  =====================  ===============
                                                        default (700, 10, 10)  ``THRESHOLDS``
======================================================  =====================  ===============
``evaluation run`` of the demo spec                     0.38–0.55              0.12–0.13
the screen's re-screen after one new month (inline)     1.03                   0.23
the screen's own process, a re-screen with 2 workers    0.20                   0.04
======================================================  =====================  ===============

(935 young, 81 middle and 5 full collections in a run; with :data:`THRESHOLDS` about ten young
ones and none of the others; the run's peak memory the same, 707–740 MB either way. The run's
time as a whole moves by more than that from run to run on the development machine, and in
paired runs the saving did not show in the whole: docs/speed.md, twelfth session.)
:func:`fewer_collections` sets :data:`THRESHOLDS` for the duration of a run
(:func:`evaluation.run.run`) and of a screen (:func:`evaluation.screen.screen`, and each of its
tasks: :func:`evaluation.screen.tasks.run_batch`) and puts the previous ones back afterwards,
as mypy does for its own build (``gc.set_threshold(200_000, 30, 30)``): importing the package,
or calling its functions otherwise, leaves the collector as it is. Garbage cycles are still
collected, after every 50 000 net allocations instead of 700.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: The collector's thresholds during a run, a screen and a screen task (young, middle and old
#: generation).
THRESHOLDS = (50_000, 20, 20)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Within: the collector's thresholds are :data:`THRESHOLDS`; afterwards, also after an
    exception, they are what they were. A process that turned the collector off keeps it off
    (the thresholds are set, but nothing is collected while it is disabled)."""
    previous = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
