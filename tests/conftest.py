"""Test session set-up: every test writes under a temporary EVALUATION_HOME, never into data/."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_SESSION_HOME: Path | None = None


def pytest_configure(config):
    """Point EVALUATION_HOME at a temporary folder before anything (incl. kernels) starts."""
    global _SESSION_HOME
    os.environ.setdefault("MPLBACKEND", "Agg")
    # kernels started by the notebook tests inherit these (see the Makefile)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    _SESSION_HOME = Path(tempfile.mkdtemp(prefix="evaluation-home-"))
    os.environ["EVALUATION_HOME"] = str(_SESSION_HOME)


def pytest_unconfigure(config):
    if _SESSION_HOME is not None and not os.environ.get("EVALUATION_KEEP_TEST_HOME"):
        shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def evaluation_home() -> Path:
    assert _SESSION_HOME is not None
    return _SESSION_HOME


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (or $EVALUATION_SHARED_DATA); skip when absent."""
    from evaluation.paths import shared_data_dir

    folder = shared_data_dir()
    if not folder.is_dir():
        pytest.skip(f"public reference data not found at {folder} (set EVALUATION_SHARED_DATA)")
    return folder


@pytest.fixture
def automatic_titles():
    """A context in which ``Axes.set_title`` ignores ``y``: matplotlib then places each title
    on every draw (what the report's figures did before they fixed theirs at the top)."""
    from contextlib import contextmanager

    from matplotlib.axes import Axes

    original = Axes.set_title

    def placed(self, label, fontdict=None, loc=None, pad=None, *, y=None, **kwargs):
        return original(self, label, fontdict, loc, pad, **kwargs)

    @contextmanager
    def context():
        Axes.set_title = placed
        try:
            yield
        finally:
            Axes.set_title = original

    return context
