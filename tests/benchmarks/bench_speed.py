"""CPU time of one demo evaluation, side by side with the version before the speed work.

Usage: ``python tests/benchmarks/bench_speed.py [--base COMMIT] [--repeat N]``.

The version before the speed work (default :data:`BASE`) is checked out with ``git worktree``
into a temporary folder; both versions then run the same thing in fresh processes, one after
the other, on the same demo data in one temporary ``EVALUATION_HOME``: every code cell of
their own ``notebooks/evaluate.ipynb`` with their own demo spec's parameters, executed
in-process (no kernel, no papermill: what is measured is the library's work). For each the
script prints user + system CPU seconds of

* the numeric work (the cell that builds the evaluation: designs, placebo re-fits, the
  reliability section, the sensitivity grid, the horizon check),
* the report cells (figures for the page, texts) and ``write_outputs`` (files),

and then compares every number the two ``summary.json`` files share under ``results``,
``checks``, ``sensitivity`` and ``verdict`` (relative tolerance 1e-6). One BLAS thread for both
(``OMP_NUM_THREADS=1``), the best of ``--repeat`` runs for both.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The last commit before the speed work of issue 15 (Kalman REML, memoised panel tables,
#: the one-problem QP with warm starts).
BASE = "e609394"

RUNNER = r'''
import json, os, resource, sys, tempfile, time
import matplotlib
matplotlib.use("Agg")
import nbformat
from evaluation import paths
from evaluation.data import demo
from evaluation.spec import load_spec

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

demo.ensure_demo()
spec = load_spec(paths.params_dir() / "exempelstad.yaml")
nb = nbformat.read(str(paths.evaluate_notebook()), 4)
cells = [c.source for c in nb.cells if c.cell_type == "code"]
ns = {}
exec(cells[0], ns)
out = sys.argv[1]
ns.update(spec.parameters())
ns["output_dir"], ns["spec_path"] = out, str(spec.path or "")
import IPython.display as d
d.display = lambda *a, **k: None
t0 = cpu()
exec(cells[1], ns)
t1 = cpu()
for source in cells[2:]:
    exec(source, ns)
t2 = cpu()
print(json.dumps({"numeric": t1 - t0, "report": t2 - t1}))
'''


def _run(src: Path, home: Path, out: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src), "EVALUATION_HOME": str(home),
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", RUNNER, str(out)], env=env, cwd=src.parent,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _numbers(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, f"{path}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _numbers(v, f"{path}[{i}]")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, float(value)


def compare(before: dict, after: dict) -> tuple[int, list[str]]:
    """Numbers under the shared keys: how many were compared, and those that differ."""
    compared, differ = 0, []
    for key in ("results", "checks", "sensitivity", "verdict"):
        old = dict(_numbers(before.get(key), key))
        new = dict(_numbers(after.get(key), key))
        for path in old.keys() & new.keys():
            a, b = old[path], new[path]
            compared += 1
            same = a == b or (math.isnan(a) and math.isnan(b)) or (
                abs(a - b) <= 1e-6 * max(1.0, abs(a)))
            if not same:
                differ.append(f"{path}: {a!r} → {b!r}")
    return compared, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        tmp = Path(tmp)
        before_tree = tmp / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(before_tree), args.base],
                       cwd=ROOT, check=True, capture_output=True)
        try:
            home = tmp / "home"
            timings: dict[str, dict[str, float]] = {}
            summaries = {}
            for label, tree in (("before", before_tree), ("now", ROOT)):
                best = None
                for i in range(args.repeat):
                    out = tmp / f"{label}-{i}"
                    t = _run(tree / "src", home, out)
                    if best is None or t["numeric"] + t["report"] < sum(best.values()):
                        best = t
                    summaries[label] = json.loads((out / "summary.json").read_text("utf-8"))
                timings[label] = best
            print(f"{'':8s} {'numeric':>9s} {'report+files':>13s} {'total':>8s}  (CPU s)")
            for label, t in timings.items():
                print(f"{label:8s} {t['numeric']:9.2f} {t['report']:13.2f} "
                      f"{t['numeric'] + t['report']:8.2f}")
            compared, differ = compare(summaries["before"], summaries["now"])
            print(f"{compared} numbers compared (results, checks, sensitivity, verdict): "
                  f"{len(differ)} differ by more than 1e-6")
            for line in differ[:20]:
                print("  ", line)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)],
                           cwd=ROOT, check=False, capture_output=True)


if __name__ == "__main__":
    main()
