"""CPU time of one demo evaluation, side by side with the version before the speed work.

Usage: ``python tests/benchmarks/bench_speed.py [--base COMMIT] [--repeat N]``.

The version before the speed work (default :data:`BASE`) and this repository's files as they
are now are checked out with ``git worktree`` side by side into a temporary folder; both versions
then run the same thing in fresh processes, one after the other, on the same demo data in
one temporary ``EVALUATION_HOME``: every code cell of their own ``notebooks/evaluate.ipynb``
with their own demo spec's parameters, executed in-process (no kernel, no papermill: what is
measured is the library's work), with the garbage collector's thresholds the version's own
``evaluation.run.run`` sets (:mod:`evaluation.gc_tuning`, from the twelfth session on; the
engine's freezing of each cell's start is not reproduced). For each the script prints user +
system CPU seconds of

* the numeric work (the cell that builds the evaluation: designs, placebo re-fits, the
  reliability section, the sensitivity grid, the horizon check),
* the report cells (figures for the page, texts) and ``write_outputs`` (files),

then the work each did, counted by function name in each version (:data:`COUNTERS`): fits per
design, weight problems, ITS REML grid points, sensitivity rows and random variates — equal
counts mean both did the same work — and compares every number the two ``summary.json`` files
share under ``results``, ``checks``, ``sensitivity`` and ``verdict`` (relative tolerance 1e-6).
One BLAS thread for both (``OMP_NUM_THREADS=1``), the best of ``--repeat`` runs for both,
the runs alternating between the two versions in ABBA order (before, now, now, before, …:
with an even ``--repeat`` each version runs first as often as the other).

The numeric work is the floor: what remains when nothing is drawn or written.
``--end-to-end N`` also times ``evaluation run`` itself, the command and its notebook, N runs
per version, alternating in the same order, each in a fresh ``EVALUATION_HOME`` with its demo
data built first (not timed). The measurements, session by session, and where the time goes are in
``docs/speed.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import CLI, build_demo, child_env  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
#: The last commit before the speed work of issue 15 (Kalman REML, memoised panel tables,
#: the one-problem QP with warm starts).
BASE = "e609394"

RUNNER = r'''
import json, os, resource, sys, tempfile, time
counts = {}
install_counters(counts)
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
for key in counts:  # what the demo data's build drew is not part of the evaluation
    counts[key] = {} if key == "draws" else 0
try:  # the collector's thresholds of the version's own run (evaluation.run.run)
    from evaluation.gc_tuning import fewer_collections as as_in_a_run
except ImportError:  # versions before it ran with the collector's defaults
    from contextlib import nullcontext as as_in_a_run
with as_in_a_run():
    t0 = cpu()
    exec(cells[1], ns)
    t1 = cpu()
    for source in cells[2:]:
        exec(source, ns)
    t2 = cpu()
print(json.dumps({"numeric": t1 - t0, "report": t2 - t1, "counts": counts}))
'''

#: The work counted in both versions, by the functions that do it (looked up by name in each
#: version; a name missing from a version counts nothing there and shows as a difference).
#: ``fits``: calls of each design's estimator, re-fits included; ``qp``: weight problems
#: solved; ``grid``: points of the ITS error model's REML grid (the dense criterion takes a
#: stack of correlation matrices, the Kalman one a vector of φ); ``draws``: random variates
#: drawn, by the module that made the generator. A ``*`` marks a count that differs: fits and
#: draws must not; a weight-problem count may fall when problems whose answer no number uses
#: are no longer solved (the report's numbers are compared separately).
COUNTERS = r'''
import importlib, sys
import numpy as np
# scipy.stats draws 18 variates of its own when it is imported: imported before the counting
# starts, so that the counts are the evaluation's work whenever the designs import it
import scipy.stats  # noqa: F401

FITS = {
    "fits: decomposition": ("evaluation.designs.decomposition", "decomposition"),
    "fits: its": ("evaluation.designs.its", "its"),
    "fits: structural": ("evaluation.designs.structural", "_engine"),
    "fits: sdid/sc/did (synthdid)": ("evaluation.designs.sdid", "_fit"),
    "fits: synthetic control": ("evaluation.designs.synth", "fit_synth"),
    "fits: did (twfe)": ("evaluation.designs.did", "twfe_did"),
    "qp: sdid weights": ("evaluation.designs.sdid", "_solve_weights"),
    "qp: synth weights": ("evaluation.designs.simplex", "solve_simplex_qp"),
}
#: Functions whose result's length is counted (rows of the sensitivity grid, points of the
#: horizon check).
ROWS = {
    "grid: sensitivity rows": ("evaluation.checks.sensitivity", "run_grid"),
}
GRIDS = {
    "grid: its reml points": [("evaluation.designs.its", "_reml_neg", "stack"),
                              ("evaluation.designs.its", "_reml_neg_ar1_noise", "vector")],
}


def _wrap(module, name, bump, after=None):
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        bump(args, kwargs)
        out = original(*args, **kwargs)
        if after is not None:
            after(out)
        return out

    setattr(module, name, wrapper)
    for other in list(sys.modules.values()):  # names imported elsewhere before the wrap
        if getattr(other, "__name__", "").startswith("evaluation") and (
                getattr(other, name, None) is original):
            setattr(other, name, wrapper)


def install_counters(counts):
    for mod, _ in [*FITS.values(), *ROWS.values()]:
        importlib.import_module(mod)
    for label, (mod, name) in FITS.items():
        counts[label] = 0
        module = importlib.import_module(mod)
        if hasattr(module, name):
            def bump(args, kwargs, label=label):
                counts[label] += 1
            _wrap(module, name, bump)
    for label, (mod, name) in ROWS.items():
        counts[label] = 0
        module = importlib.import_module(mod)
        if hasattr(module, name):
            def rows(out, label=label):
                counts[label] += len(out)
            _wrap(module, name, lambda args, kwargs: None, rows)
    for label, places in GRIDS.items():
        counts[label] = 0
        for mod, name, kind in places:
            module = importlib.import_module(mod)
            if hasattr(module, name):
                def bump(args, kwargs, label=label, kind=kind):
                    counts[label] += len(args[0])
                _wrap(module, name, bump)
    counts["draws"] = {}

    def draws():
        return counts["draws"]

    class Counting(np.random.Generator):
        pass

    def counted(method):
        original = getattr(np.random.Generator, method)

        def drawing(self, *args, **kwargs):
            out = original(self, *args, **kwargs)
            d = draws()
            d[self._origin] = d.get(self._origin, 0) + int(np.size(out))
            return out
        return drawing

    for method in ("random", "standard_normal", "normal", "integers", "choice", "permutation",
                   "chisquare", "gamma", "uniform", "standard_t", "poisson", "binomial",
                   "multivariate_normal", "negative_binomial", "exponential"):
        setattr(Counting, method, counted(method))
    plain = np.random.default_rng

    def default_rng(seed=None):
        caller = sys._getframe(1).f_globals.get("__name__", "?")
        g = Counting(plain(seed).bit_generator)
        g._origin = caller
        return g
    np.random.default_rng = default_rng
'''


def _run(src: Path, home: Path, out: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", COUNTERS + RUNNER, str(out)],
                          env=child_env(src, home), cwd=src.parent, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_command(src: Path, home: Path) -> float:
    """CPU seconds (user + system) of ``evaluation run notebooks/params/exempelstad.yaml``, in a
    new ``EVALUATION_HOME`` whose demo data are built first (not timed): the command, the
    notebook (in a kernel, for versions that start one) and everything they start, as a user's
    run costs."""
    env = build_demo(src, home)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", CLI, "run", "notebooks/params/exempelstad.yaml"],
                   env=env, cwd=src.parent, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def end_to_end(trees: dict[str, Path], tmp: Path, repeat: int) -> dict[str, list[float]]:
    """``evaluation run`` of the demo spec, the versions alternating, ``repeat`` times each,
    every run in a new ``EVALUATION_HOME`` (nothing remembered from an earlier run)."""
    runs: dict[str, list[float]] = {label: [] for label in trees}
    for i in range(repeat):
        for label, tree in _in_turn(list(trees.items()), i):
            runs[label].append(_run_command(tree / "src", tmp / f"e2e-{label}-{i}"))
    return runs


def _working_tree_commit() -> str:
    """A commit of this repository's files as they are now (tracked files with their changes,
    new files once added to the index; ``git stash create``, which changes nothing), or HEAD
    when nothing changed: the "now" of the comparison."""
    made = subprocess.run(["git", "stash", "create"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    return made or "HEAD"


def _in_turn(pairs: list, i: int) -> list:
    """The versions in the order of round ``i``: ABBA (before, now, now, before, …), so that
    neither is always the one that runs right after the other; with an even number of rounds
    each runs first equally often."""
    return pairs if i % 2 == 0 else pairs[::-1]


def _flat_counts(t: dict) -> dict[str, int]:
    out = {k: v for k, v in t.get("counts", {}).items() if k != "draws"}
    out["draws: all random variates"] = sum(t.get("counts", {}).get("draws", {}).values())
    for module, n in sorted(t.get("counts", {}).get("draws", {}).items()):
        out[f"draws: {module}"] = n
    return out


def print_counts(timings: dict[str, dict]) -> None:
    """The work both versions did, side by side (fits, weight problems, grid points, random
    variates); ``*`` marks a count that differs."""
    flat = {label: _flat_counts(t) for label, t in timings.items()}
    labels = list(flat)
    keys = sorted(set().union(*flat.values()))
    print(f"{'work counted':46s} " + " ".join(f"{lab:>9s}" for lab in labels))
    for key in keys:
        vals = [flat[lab].get(key, 0) for lab in labels]
        mark = " *" if len(set(vals)) > 1 else ""
        print(f"{key:46s} " + " ".join(f"{v:9d}" for v in vals) + mark)


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
    parser.add_argument("--end-to-end", type=int, default=0, metavar="N",
                        help="also time N runs of `evaluation run` of each version (command "
                             "and notebook, alternating)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        tmp = Path(tmp)
        # both versions as worktrees side by side, so that they differ in nothing but their
        # code (not in their folder, nor in which runs second: see _in_turn)
        before_tree, now_tree = tmp / "before", tmp / "now"
        try:  # the worktrees are added inside: a failed second one leaves no first one behind
            for tree, commit in ((before_tree, args.base), (now_tree, _working_tree_commit())):
                subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit],
                               cwd=ROOT, check=True, capture_output=True)
            # both versions from bytecode, as after their install (where PYTHONDONTWRITEBYTECODE
            # is set, each process would otherwise compile the package's sources)
            for tree in (before_tree, now_tree):
                subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "src")],
                               check=True, capture_output=True)
            home = tmp / "home"
            timings: dict[str, dict[str, float]] = {}
            summaries = {}
            # alternating, ABBA (before, now, now, before, …): this VM's speed drifts over
            # minutes, and a slow spell then costs both versions alike
            for i in range(args.repeat):
                for label, tree in _in_turn([("before", before_tree), ("now", now_tree)], i):
                    out = tmp / f"{label}-{i}"
                    t = _run(tree / "src", home, out)
                    best = timings.get(label)
                    if best is None or (t["numeric"] + t["report"]
                                        < best["numeric"] + best["report"]):
                        timings[label] = t
                    summaries[label] = json.loads((out / "summary.json").read_text("utf-8"))
            print(f"{'':8s} {'numeric':>9s} {'report+files':>13s} {'total':>8s}  (CPU s)")
            for label, t in timings.items():
                print(f"{label:8s} {t['numeric']:9.2f} {t['report']:13.2f} "
                      f"{t['numeric'] + t['report']:8.2f}")
            print_counts(timings)
            compared, differ = compare(summaries["before"], summaries["now"])
            print(f"{compared} numbers compared (results, checks, sensitivity, verdict): "
                  f"{len(differ)} differ by more than 1e-6")
            for line in differ[:20]:
                print("  ", line)
            if args.end_to_end:
                runs = end_to_end({"before": before_tree, "now": now_tree}, tmp,
                                  args.end_to_end)
                print("evaluation run (command and notebook, CPU s, runs in order; best):")
                for label, times in runs.items():
                    print(f"{label:8s} " + " ".join(f"{t:6.2f}" for t in times)
                          + f"   best {min(times):6.2f}")
        finally:
            for tree in (before_tree, now_tree):
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)],
                               cwd=ROOT, check=False, capture_output=True)


if __name__ == "__main__":
    main()
