"""Where the CPU of one ``evaluation run`` goes, part by part.

Usage: ``python tests/benchmarks/bench_parts.py [--repeat N] [--spec PATH]``.

Runs ``evaluation.run.run`` of the spec (default: the demo's ``exempelstad.yaml``) N times, each
in a fresh process and a fresh ``EVALUATION_HOME`` whose demo data are built first (not timed),
with one BLAS thread. In each run the CPU time (user + system of the process; the notebook runs
in it, see :mod:`evaluation.notebook_engine`) is recorded for

* the imports: the command's (``evaluation.run``, papermill, nbformat) and those of the
  notebook and the estimation libraries the designs import where they use them (:data:`LATER`,
  imported up front so that no later part pays for them);
* the parts the command and the notebook call (:data:`PARTS`): reading and checking the data,
  the estimates, the reliability re-fits, the sensitivity grid, the horizon, each report section
  that draws figures, the files, the HTML page;
* the rest: the notebook engine, the texts, the manifest, publishing the report.

It prints each part's CPU seconds per run and their median, and the total. The figures of
``docs/speed.md`` ("Where it stands") are this script's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import build_demo  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

#: Modules a run imports after the command's own imports: the notebook's and the libraries
#: the designs and the report import where they use them (since the fifteenth session a run
#: imports neither scipy.stats nor statsmodels nor scipy.optimize: tests/test_imports.py).
LATER = ["evaluation.evaluate", "evaluation.report.show", "evaluation.report.html",
         "evaluation.distributions", "scipy.special", "scipy.linalg",
         "IPython.core.interactiveshell", "docx", "xlsxwriter"]

#: (label, module, attribute, method of a class or None): the functions timed.
PARTS = [
    ("reading and checking the data", "evaluation.run", "load_inputs", None),
    ("estimates", "evaluation.evaluate", "Evaluation", "estimate"),
    ("reliability (placebo re-fits)", "evaluation.evaluate", "Evaluation", "assess"),
    ("sensitivity grid", "evaluation.evaluate", "Evaluation", "sensitivity"),
    ("horizon", "evaluation.evaluate", "Evaluation", "horizon"),
    ("peers and target", "evaluation.evaluate", "Evaluation", "peers"),
    ("peers and target", "evaluation.evaluate", "Evaluation", "target_follow_up"),
    ("figures: results", "evaluation.report.show", "results", None),
    ("figures: sensitivity", "evaluation.report.show", "sensitivity", None),
    ("figures: target, peers, pooled", "evaluation.report.show", "target", None),
    ("figures: target, peers, pooled", "evaluation.report.show", "peers", None),
    ("figures: target, peers, pooled", "evaluation.report.show", "pooled", None),
    ("figures: data (page only)", "evaluation.report.show", "data_text", None),
    ("summary and verdict", "evaluation.report.show", "verdict", None),
    ("files: tables, Word, Markdown, JSON", "evaluation.evaluate", "Evaluation", "write_outputs"),
    ("HTML page", "evaluation.report.html", "export_html", None),
]

CHILD = r'''
import importlib, json, resource, sys, time

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

spent = {}
t = cpu()
import nbformat, papermill
from evaluation import run
spent["imports: the command"] = cpu() - t
t = cpu()
for name in LATER:
    importlib.import_module(name)
spent["imports: notebook and estimation libraries"] = cpu() - t

depth = [0]  # a part called inside another counts for the outer one only

def timed(label, function):
    def wrapper(*args, **kwargs):
        started = cpu()
        depth[0] += 1
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                spent[label] = spent.get(label, 0.0) + cpu() - started
    return wrapper

for label, module, attribute, method in PARTS:
    owner = importlib.import_module(module)
    if method is None:
        setattr(owner, attribute, timed(label, getattr(owner, attribute)))
    else:
        cls = getattr(owner, attribute)
        setattr(cls, method, timed(label, getattr(cls, method)))
start = cpu()
run.run(sys.argv[1])
total = cpu()
spent["the rest (engine, texts, manifest, publishing)"] = (
    total - start - sum(v for k, v in spent.items() if not k.startswith("imports")))
spent["total"] = total
print(json.dumps(spent))
'''


def one_run(spec: Path) -> dict[str, float]:
    """One run in a fresh process and ``EVALUATION_HOME``: CPU seconds per part."""
    with tempfile.TemporaryDirectory(prefix="bench-parts-") as home:
        env = build_demo(ROOT / "src", Path(home))
        source = f"LATER = {LATER!r}\nPARTS = {PARTS!r}\n" + CHILD
        done = subprocess.run([sys.executable, "-c", source, str(spec)], env=env, cwd=ROOT,
                              check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spec", type=Path,
                        default=ROOT / "notebooks" / "params" / "exempelstad.yaml")
    args = parser.parse_args()
    runs = [one_run(args.spec.resolve()) for _ in range(max(1, args.repeat))]
    labels = list(dict.fromkeys(k for r in runs for k in r))
    width = max(len(k) for k in labels)
    print(f"{'part':{width}}  " + "  ".join(f"run {i + 1:>2}" for i in range(len(runs)))
          + "   median   (CPU s)")
    for label in labels:
        values = [r.get(label, 0.0) for r in runs]
        print(f"{label:{width}}  " + "  ".join(f"{v:6.2f}" for v in values)
              + f"   {statistics.median(values):6.2f}")


if __name__ == "__main__":
    main()
