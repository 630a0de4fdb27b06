"""Every module imports on its own, first, in an interpreter that has imported no other module
of the package (catches circular imports that a test session, which has imported other modules
first, would hide — the notebook's first import is one such order).

The third-party libraries (numpy, pandas, scipy, statsmodels, matplotlib, yaml) are imported
once in a parent process, which then forks one child per module: the child starts with no
``evaluation`` module loaded, exactly like a fresh interpreter as far as the package's own
import order is concerned, without paying pandas' import 60 times.
"""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys

import pytest

import evaluation

CODE = r"""
import importlib, os, sys, traceback
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot, numpy, pandas, scipy.optimize, scipy.stats, statsmodels.api, yaml
assert not any(m == "evaluation" or m.startswith("evaluation.") for m in sys.modules)
failed = []
for name in MODULES:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status):
        failed.append(name)
print(failed)
sys.exit(1 if failed else 0)
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_each_module_imports_first_in_a_fresh_interpreter():
    modules = sorted(m.name for m in pkgutil.walk_packages(evaluation.__path__, "evaluation."))
    assert "evaluation.spec" in modules and "evaluation.designs.donors" in modules
    code = CODE.replace("MODULES", repr(modules))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_fails_on_a_circular_import(tmp_path):
    """The same parent/fork check on a package whose two modules import each other's names at
    import time: the child of the first fails, so the check can fail."""
    pkg = tmp_path / "circ"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "a.py").write_text("from circ.b import B\nA = 1\n", encoding="utf-8")
    (pkg / "b.py").write_text("from circ.a import A\nB = 2\n", encoding="utf-8")
    code = ("import sys\nsys.path.insert(0, %r)\n" % str(tmp_path)) + CODE.replace(
        "MODULES", repr(["circ.a"])).replace(
        'assert not any(m == "evaluation" or m.startswith("evaluation.") for m in sys.modules)',
        "")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1 and "circ.a" in result.stdout, result.stdout + result.stderr


def test_reading_a_spec_does_not_import_the_designs():
    """The spec module reads the decomposition's default windows from
    :mod:`evaluation.windows`, not from the designs package, whose import pulls scipy and
    statsmodels (about 0.7 s); only a spec that names its designs imports the registry, when
    it is checked."""
    code = ("import sys, evaluation.spec; print(sorted(m for m in ('scipy', 'statsmodels', "
            "'evaluation.designs') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


#: What the command imports for checking a spec and its data (``evaluation check``, and
#: ``evaluation run`` before its notebook starts) must not include the libraries only the
#: estimation needs: a check, or a run whose data fail it, would pay about 0.7 CPU-s for them
#: (the command took 2.8–3.3 CPU-s with them, 2.2–2.4 without, when the notebook still ran
#: in a kernel of its own). SciPy's linear algebra and special functions
#: too: the designs import them where they use them (the check 0.1–0.25 CPU-s faster).
HEAVY = ("scipy.stats", "statsmodels", "scipy.optimize", "scipy.interpolate", "matplotlib",
         "scipy.linalg", "scipy.special")
CHECK = r"""
import sys
PRELUDE
from evaluation import paths
from evaluation.run import check
check(paths.params_dir() / "exempelstad.yaml")
print(sorted(m for m in HEAVY if m in sys.modules))
"""


def _heavy_after_check(prelude: str = "") -> list[str]:
    from evaluation.data import demo

    demo.ensure_demo()  # in this session's EVALUATION_HOME, which the child inherits
    code = CHECK.replace("PRELUDE", prelude).replace("HEAVY", repr(HEAVY))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_checking_a_run_imports_no_estimation_library():
    """``evaluation run`` checks the spec and the data (:func:`evaluation.run.check`, the same
    calls as :func:`evaluation.run.run` makes) before the kernel starts: that reads the
    designs' registry and the panel, but the designs import scipy.stats, statsmodels and
    scipy.optimize where they are used, not at the top of their modules."""
    assert _heavy_after_check() == []


def test_the_import_check_sees_a_heavy_import():
    """The same check fails when one module on the path imports scipy.stats at its top."""
    assert "scipy.stats" in _heavy_after_check("import scipy.stats")


def test_the_report_draws_without_pyplot():
    """The report's modules make their figures without pyplot and do not import it (0.2–0.25
    CPU-s of every kernel's start-up): a figure drawn and closed leaves pyplot unimported; a
    figure that pyplot holds is closed by pyplot (:func:`evaluation.report.figures.close`)."""
    code = """
import sys
import matplotlib
matplotlib.use("Agg")
from evaluation.report import figure_files, figures, show  # noqa: F401
from matplotlib.figure import Figure
fig = Figure()
fig.add_subplot().plot([0, 1])
figures.render_figure(fig)
figures.close(fig)
before = "matplotlib.pyplot" in sys.modules
import matplotlib.pyplot as plt
held = plt.figure()
figures.close(held)
print(before, plt.get_fignums())
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False []"


#: What a whole evaluation (every notebook cell: estimates, placebo re-fits, sensitivity grid,
#: horizon, target, figures, files) must not import: scipy.stats (with scipy.spatial, about
#: 0.5 CPU-s), statsmodels (the GLM of the count model, 0.15) and scipy.optimize (0.2) —
#: :mod:`evaluation.distributions`, the written-out Poisson fit and the curve's NNLS stand in
#: (docs/speed.md, fifteenth session). The structural model (not in the demo) still uses
#: statsmodels.
NOT_IN_A_RUN = ("scipy.stats", "statsmodels", "scipy.optimize", "scipy.spatial")
RUN_CELLS = r"""
import sys
import matplotlib
matplotlib.use("Agg")
import nbformat
import IPython.display
from evaluation import paths
from evaluation.data import demo
from evaluation.spec import load_spec
PRELUDE
IPython.display.display = lambda *a, **k: None
spec = load_spec(paths.params_dir() / "exempelstad.yaml")
nb = nbformat.read(str(paths.evaluate_notebook()), 4)
cells = [c.source for c in nb.cells if c.cell_type == "code"]
ns = {}
exec(cells[0], ns)
ns.update(spec.parameters())
ns["output_dir"], ns["spec_path"] = OUT, str(spec.path)
for source in cells[1:LAST]:
    exec(source, ns)
print(sorted(m for m in NOT_IN_A_RUN if m in sys.modules))
"""


def _imported_by_cells(tmp_path, prelude: str = "", last: str = "None") -> list[str]:
    from evaluation.data import demo

    demo.ensure_demo()  # in this session's EVALUATION_HOME, which the child inherits
    code = (RUN_CELLS.replace("PRELUDE", prelude).replace("NOT_IN_A_RUN", repr(NOT_IN_A_RUN))
            .replace("OUT", repr(str(tmp_path / "out"))).replace("LAST", last))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_whole_evaluation_imports_neither_scipy_stats_nor_statsmodels(tmp_path):
    """Every cell of the notebook with the demo spec's parameters, in a fresh interpreter."""
    assert _imported_by_cells(tmp_path) == []


def test_the_run_import_check_sees_an_import(tmp_path):
    """The same check, with the cells after the parameters skipped, fails when the code it
    runs imports statsmodels' GLM (which imports scipy.stats, scipy.optimize, scipy.spatial)."""
    assert _imported_by_cells(tmp_path, last="1") == []
    found = _imported_by_cells(
        tmp_path, "import statsmodels.genmod.generalized_linear_model", last="1")
    assert set(found) == set(NOT_IN_A_RUN)
