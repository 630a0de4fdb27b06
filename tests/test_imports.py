"""Every module imports on its own in a fresh interpreter (catches circular imports that a
test session, which has imported other modules first, would hide — the notebook's first import
is one such order)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import evaluation


def test_each_module_imports_first_in_a_fresh_interpreter():
    modules = sorted(m.name for m in pkgutil.walk_packages(evaluation.__path__, "evaluation."))
    assert "evaluation.spec" in modules and "evaluation.designs.donors" in modules
    code = (
        "import importlib, subprocess, sys\n"
        "failed = []\n"
        f"for name in {modules!r}:\n"
        "    r = subprocess.run([sys.executable, '-c', f'import {name}'], capture_output=True,"
        " text=True)\n"
        "    if r.returncode:\n"
        "        failed.append((name, r.stderr.strip().splitlines()[-1]))\n"
        "print(failed)\n"
        "sys.exit(1 if failed else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
