"""Every path the tool uses, defined once.

Data and reports live under one root: the ``EVALUATION_HOME`` environment variable if set,
else the project folder (the one holding ``pyproject.toml``). The notebooks and the shipped
specs are always read from the project folder, so tests can point ``EVALUATION_HOME`` at a
temporary folder and still run the real notebook.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_VARIABLE = "EVALUATION_HOME"
SHARED_DATA_VARIABLE = "EVALUATION_SHARED_DATA"


def project_root() -> Path:
    """The folder holding ``pyproject.toml`` (source checkout), else the current directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "notebooks").is_dir():
            return parent
    cwd = Path.cwd().resolve()
    for parent in (cwd, *cwd.parents):
        if (parent / "pyproject.toml").is_file():
            return parent
    return cwd


def home() -> Path:
    """Root for ``data/`` and ``reports/``."""
    value = os.environ.get(HOME_VARIABLE)
    return Path(value).expanduser().resolve() if value else project_root()


def raw_dir() -> Path:
    return home() / "data" / "raw"


def processed_dir() -> Path:
    return home() / "data" / "processed"


def reports_dir() -> Path:
    return home() / "reports"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def params_dir() -> Path:
    return notebooks_dir() / "params"


def evaluate_notebook() -> Path:
    return notebooks_dir() / "evaluate.ipynb"


def shared_data_dir() -> Path:
    """Public reference data beside the repository (``../shared/data``), overridable."""
    value = os.environ.get(SHARED_DATA_VARIABLE)
    if value:
        return Path(value).expanduser().resolve()
    return (project_root().parent / "shared" / "data").resolve()
