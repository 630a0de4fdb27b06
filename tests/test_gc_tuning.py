"""The garbage collector's thresholds during a run and a screen task
(:mod:`evaluation.gc_tuning`): set for the work, put back afterwards."""

from __future__ import annotations

import gc
from pathlib import Path
from types import SimpleNamespace

import pytest

from evaluation import gc_tuning, run
from evaluation.data.panel import declared_measures
from evaluation.screen import tasks

DEFAULT = (700, 10, 10)


@pytest.fixture(autouse=True)
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(*DEFAULT)
    yield
    gc.set_threshold(*before)


def test_the_thresholds_hold_within_and_are_put_back_also_after_an_error():
    assert gc_tuning.THRESHOLDS[0] > 10 * DEFAULT[0]
    with gc_tuning.fewer_collections():
        assert gc.get_threshold() == gc_tuning.THRESHOLDS
    assert gc.get_threshold() == DEFAULT
    gc.set_threshold(1234, 5, 6)  # whatever the process had
    with pytest.raises(RuntimeError), gc_tuning.fewer_collections():
        raise RuntimeError("a failed run")
    assert gc.get_threshold() == (1234, 5, 6)


def test_young_collections_become_rare():
    """The point of it: 200 000 containers kept alive start about 285 young collections at
    the default thresholds and at most a handful at the package's."""

    def young_collections() -> int:
        seen = []

        def count(phase, info):
            if phase == "start" and info["generation"] == 0:
                seen.append(1)
        gc.callbacks.append(count)
        try:
            kept = [[i] for i in range(200_000)]
        finally:
            gc.callbacks.remove(count)
        del kept
        return len(seen)

    assert young_collections() > 100
    with gc_tuning.fewer_collections():
        assert young_collections() <= 5


def test_a_run_does_its_work_with_the_thresholds(monkeypatch, tmp_path):
    seen = []

    def work(spec_path, *, kernel):
        seen.append(gc.get_threshold())
        return Path(tmp_path)

    monkeypatch.setattr(run, "_run", work)
    assert run.run("spec.yaml") == Path(tmp_path)
    assert seen == [gc_tuning.THRESHOLDS]
    assert gc.get_threshold() == DEFAULT


def test_a_screen_task_screens_its_kommuner_with_the_thresholds(monkeypatch):
    seen = []

    def screen_one(data, kommun, outcome, *, cached, fit_store, designs):
        seen.append((kommun, gc.get_threshold()))
        return {"kommun": kommun}, {}

    monkeypatch.setattr(tasks, "screen_one", screen_one)
    kept = declared_measures()
    try:
        items = [("0114", "unemployment_rate", {}), ("1987", "unemployment_rate", {})]
        out = tasks.run_batch(SimpleNamespace(measures={}), items)
    finally:
        from evaluation.data.panel import declare_measures

        declare_measures(kept)
    assert [row["kommun"] for row in out["rows"]] == ["0114", "1987"]
    assert seen == [("0114", gc_tuning.THRESHOLDS), ("1987", gc_tuning.THRESHOLDS)]
    assert gc.get_threshold() == DEFAULT


def test_a_screen_runs_with_the_thresholds(monkeypatch):
    from evaluation.screen import ScreenSettings, core, screen

    seen = []

    def load(data, settings, *, kommuner=None):
        seen.append(gc.get_threshold())
        raise LookupError("stop here")

    monkeypatch.setattr(core, "load_screen_data", load)
    with pytest.raises(LookupError, match="stop here"):
        screen("demo", ScreenSettings(intervention="2022-04"), inline=True, cache_dir=None)
    assert seen == [gc_tuning.THRESHOLDS]
    assert gc.get_threshold() == DEFAULT


def test_the_command_imports_and_dispatches_with_the_thresholds(monkeypatch):
    """``evaluation ...`` (cli.main) sets them before its subcommand imports anything (the run's
    modules and pandas: one full collection fewer) and puts the previous ones back."""
    from evaluation import cli

    seen = []

    def dispatch(argv):
        seen.append(gc.get_threshold())
        return 0

    monkeypatch.setattr(cli, "_main", dispatch)
    assert cli.main(["check", "spec.yaml"]) == 0
    assert seen == [gc_tuning.THRESHOLDS]
    assert gc.get_threshold() == DEFAULT
