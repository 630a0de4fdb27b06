"""The cache recomputes only what changed (counted), and what it reuses is what a fresh run
gives."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from evaluation.screen import ScreenSettings, prepare_screen_data, screen
from evaluation.screen.data import similar_sets

KOMMUNER = ["1987", "0104"]
COLUMNS = ["kommun", "outcome", "verdict", "estimate", "ci_low", "ci_high", "p_value",
           "its_estimate", "its_ci_low", "structural_estimate", "decomposition_estimate"]


@pytest.fixture(scope="module")
def panels(evaluation_home):
    from evaluation.data import demo

    panel, _ = demo.load_demo("monthly")
    previous = panel[panel["period"] <= "2025-11"].reset_index(drop=True)
    return previous, panel


def _data(panel: pd.DataFrame, tag: str):
    settings = ScreenSettings(intervention="2022-04", outcomes=("unemployment_rate",))
    return prepare_screen_data(panel, settings, data="demo", vintage_hash=tag,
                               kommuner=KOMMUNER)


def test_a_new_month_recomputes_only_what_it_changes(panels, tmp_path):
    previous, panel = panels
    cache = tmp_path / "cache"
    first = screen(_data(previous, "a"), inline=True, cache_dir=cache)
    assert first.stats["computed"] == {"decomposition": 2, "its": 2, "structural": 2}
    assert first.stats["its_fits"] == 2

    # one new month: every post window grows (the default end is the last period)
    data = _data(panel, "b")
    assert data.settings.post_end == "2025-12"
    again = screen(data, inline=True, cache_dir=cache)
    assert again.stats["reused"] == {"decomposition": 2, "its": 0, "structural": 0}
    assert again.stats["computed"] == {"decomposition": 0, "its": 2, "structural": 2}
    # the ITS re-forecasts from its stored pre-period fit: no new REML grid
    assert again.stats["its_fits"] == 0 and again.stats["its_fit_reused"] == 2

    # ... and what was reused is exactly what a run without any cache gives
    fresh = screen(_data(panel, "b"), inline=True, cache_dir=None)
    pd.testing.assert_frame_equal(again.table[COLUMNS], fresh.table[COLUMNS])

    # nothing changed: nothing is computed
    same = screen(_data(panel, "b"), inline=True, cache_dir=cache)
    assert same.stats["computed"] == {"decomposition": 0, "its": 0, "structural": 0}
    pd.testing.assert_frame_equal(same.table[COLUMNS], fresh.table[COLUMNS])

    # a revised pre-period month of one kommun: its own designs (with a new ITS fit), and the
    # decompositions that use it as a similar kommun, are recomputed; nothing else
    revised = panel.copy()
    row = ((revised["unit"] == "0104") & (revised["measure"] == "unemployment_rate")
           & (revised["period"] == "2021-06"))
    assert row.sum() == 1
    revised.loc[row, "value"] += 0.4
    data = _data(revised, "c")
    sets = similar_sets(data, "unemployment_rate")
    users = sum("0104" in sets[k] for k in KOMMUNER if k != "0104")
    after = screen(data, inline=True, cache_dir=cache)
    assert after.stats["computed"] == {"decomposition": 1 + users, "its": 1, "structural": 1}
    assert after.stats["its_fits"] == 1 and after.stats["its_fit_reused"] == 0


def test_a_pass_with_excluded_kommuner_equals_the_ordinary_evaluation(panels):
    """The second pass leaves the flagged kommuner out of every comparison; the drill-down
    spec names them (``donors.similar_reforms``) and the ordinary evaluation agrees."""
    from evaluation.evaluate import Evaluation
    from evaluation.screen.drill import drill_spec, drill_values
    from evaluation.screen.tasks import screen_one

    _, panel = panels
    settings = ScreenSettings(intervention="2022-04", post_end="2023-03",
                              outcomes=("unemployment_rate",), designs=("decomposition", "its"))
    data = prepare_screen_data(panel, settings, data="demo", kommuner=KOMMUNER)
    data = data.with_exclude(["0104", "1987", "2510"])  # the capital among them
    assert drill_values(data, "1987")["donors"] == {"similar_reforms": ["0104", "2510"]}
    row, entries = screen_one(data, "1987", "unemployment_rate")
    assert "0104" not in entries["decomposition"]["similar"]
    evaluation = Evaluation.from_spec(drill_spec(data, "1987"))
    assert evaluation.inputs.excluded == ["0104", "2510"]
    for r in evaluation.estimate():
        assert r.diagnostics["comparison_diagnostics"]["subtracted"][1:] == ["0104", "2510"]
        np.testing.assert_allclose(
            [row[f"{r.design}_estimate"], row[f"{r.design}_ci_low"], row[f"{r.design}_ci_high"],
             row[f"{r.design}_p_value"]], [r.average_effect, *r.ci, r.p_value], rtol=1e-12)


def test_a_stored_its_fit_forecasts_as_the_fitted_one(tmp_path):
    """Fits are stored without correlation matrices. A default AR(1)+noise fit needs none; a
    grid fit with a second AR component keeps them when fitted and rebuilds them when read
    back (from the function it was fitted with): both forecast exactly as before storing,
    and an unreadable file is refitted, not trusted."""
    import numpy as np

    from evaluation.designs.its import AR1NoiseErrors, default_error_model
    from evaluation.screen.cache import FitStore

    rng = np.random.default_rng(2)
    n = 48
    times = np.arange(n, dtype=float)
    design = np.column_stack([np.ones(n), times / n])
    resid = np.convolve(rng.normal(size=n + 5), np.ones(6) / 6, mode="valid")[:n]
    post = np.arange(n, n + 6, dtype=float)
    post_design = np.column_stack([np.ones(6), post / n])
    store = FitStore(tmp_path)
    for i, model in enumerate((default_error_model("monthly"),
                               AR1NoiseErrors(phi2_grid=(0.0, 0.3)))):
        fit = model.fit(resid, times=times, design=design, weights=np.ones(n))
        store.put(f"k{i}", fit)
        back = store.get(f"k{i}")
        assert back is not None and back.corr_pp.size == 0
        for a, b in zip(fit.predict(post, np.ones(6), post_design),
                        back.predict(post, np.ones(6), post_design), strict=True):
            np.testing.assert_array_equal(a, b)
    assert fit.corr_pp.size  # the second model's fit was the dense kind
    store._path("k1").write_bytes(b"not a pickle")
    assert store.get("k1") is None


def test_the_similar_sets_of_the_keys_are_the_library_choice_for_every_kommun(panels):
    """The cache keys name each kommun's similar kommuner, chosen for all kommuner at once
    (:func:`similar_sets`); they equal the library's own choice (``comparison._similar``, what
    the decomposition uses) for every kommun of the demo, both outcomes, with and without a
    kommun left out of the comparisons."""
    from evaluation.designs.comparison import _pool, _similar
    from evaluation.designs.decomposition import N_SIMILAR
    from evaluation.screen.data import decomposition_windows

    _, panel = panels
    settings = ScreenSettings(intervention="2022-04")
    data = prepare_screen_data(panel, settings, data="demo", vintage_hash="s")
    w0, w1 = decomposition_windows(data.settings)
    checked = 0
    for exclude in ((), ("0161",)):
        current = data.with_exclude(exclude)
        for outcome in settings.outcomes:
            sets = similar_sets(current, outcome)
            pool = _pool(current.panel, outcome)
            for k in current.kommuner:
                want = _similar(pool, treated=k, n=N_SIMILAR, periods=[*w0, *w1],
                                exclude=list(current.settings.exclude_for(k)))
                assert sets[k] == want, (exclude, outcome, k)
                checked += 1
    assert checked == 4 * len(data.kommuner) > 1000


def _assert_same_pool(got, want) -> None:
    assert (got.kind, got.outcome, got.weight_name) == (want.kind, want.outcome,
                                                        want.weight_name)
    assert got.types == want.types and got.names == want.names
    for name in ("values", "weights", "population", "labour_force"):
        a, b = getattr(got, name), getattr(want, name)
        assert (a is None) == (b is None), name
        if a is not None:
            pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_kommun_panels_pool_cut_from_the_whole_panels_equals_building_it(panels):
    """The screen's panel of one kommun and riket (and the excluded kommuner) gets its pools
    cut from the whole panel's (``comparison.pool_of_units``): equal to building them from its
    own rows — tables, weights and their name, types, names — for every demo kommun and both
    outcomes, with and without a kommun left out."""
    from evaluation.designs.comparison import _pool, pool_of_units
    from evaluation.screen.data import prepared

    _, panel = panels
    data = prepare_screen_data(panel, ScreenSettings(intervention="2022-04"), data="demo",
                               vintage_hash="cut")
    prep = prepared(data)
    checked = 0
    for exclude in ((), ("0161",)):
        for k in data.kommuner:
            units = [k, "00", *(u for u in exclude if u != k)]
            small = pd.concat([prep.by_unit[u] for u in units], ignore_index=True)
            for outcome in data.settings.outcomes:
                _assert_same_pool(pool_of_units(data.panel, outcome, units),
                                  _pool.uncached(small, outcome))
                checked += 1
    assert checked == 4 * len(data.kommuner) > 1000


def test_a_cut_is_declined_where_it_would_differ_and_the_screen_then_builds_the_pool(panels):
    """Where a cut would not equal building the pool, ``pool_of_units`` declines: a panel
    where a kommun and riket both lack the first month that the other kommuner have (the
    kommun's table has no row for it, the whole panel's has). The naive cut does differ there,
    and the ITS on the screen's panel of that kommun equals the ITS on the whole panel. A
    kommun lacking a month of its labour force makes the whole panel ragged, but riket has
    every month, so the cuts are taken and equal building them. A kommun without labour force
    makes the whole panel's weights "labour force or population"; a cut for kommuner that
    have it says "labour_force", as building it does."""
    from evaluation.designs.comparison import _pool, pool_of_units
    from evaluation.designs.its import its
    from evaluation.screen.data import prepared

    _, panel = panels
    outcome = "unemployment_rate"
    settings = ScreenSettings(intervention="2022-04", outcomes=(outcome,))
    first = str(panel["period"].min())
    gap = panel[~((panel["unit"].isin(["1987", "00"])) & (panel["measure"] == outcome)
                  & (panel["period"] == first))].reset_index(drop=True)
    data = prepare_screen_data(gap, settings, data="demo", vintage_hash="gap")
    units = ["1987", "00"]
    assert "1987" in data.kommuner
    assert pool_of_units(data.panel, outcome, units) is None
    small = pd.concat([prepared(data).by_unit[u] for u in units], ignore_index=True)
    built = _pool.uncached(small, outcome)
    naive = _pool(data.panel, outcome).values[units]
    assert first in naive.index and first not in built.values.index
    screened = its(prepared(data).national_panel("1987"), outcome=outcome, treated="1987",
                   intervention="2022-04")
    whole = its(data.panel, outcome=outcome, treated="1987", intervention="2022-04")
    assert screened.average_effect == whole.average_effect and screened.ci == whole.ci

    ragged = panel[~((panel["unit"] == "0104") & (panel["measure"] == "labour_force")
                     & (panel["period"] == first))].reset_index(drop=True)
    data = prepare_screen_data(ragged, settings, data="demo", vintage_hash="ragged")
    for units in (["1987", "00"], ["0104", "00"]):
        small = pd.concat([prepared(data).by_unit[u] for u in units], ignore_index=True)
        cut = pool_of_units(data.panel, outcome, units)
        assert cut is not None
        _assert_same_pool(cut, _pool.uncached(small, outcome))

    no_lf = panel[~((panel["unit"] == "0104") & (panel["measure"] == "labour_force"))]
    data = prepare_screen_data(no_lf.reset_index(drop=True), settings, data="demo",
                               vintage_hash="nolf")
    assert _pool(data.panel, outcome).weight_name == "labour_force_or_population"
    units = ["1987", "00"]
    small = pd.concat([prepared(data).by_unit[u] for u in units], ignore_index=True)
    _assert_same_pool(pool_of_units(data.panel, outcome, units), _pool.uncached(small, outcome))
    # the kommun without labour force itself: its own panel's weights fall back to population
    assert pool_of_units(data.panel, outcome, ["0104", "00"]) is None
    small = pd.concat([prepared(data).by_unit[u] for u in ["0104", "00"]], ignore_index=True)
    assert _pool.uncached(small, outcome).weight_name == "labour_force_or_population"

    # a kommun without a population value (the column may still fill it): declined, as the
    # rules above do not cover a population table built from the column alone
    unpopulated = panel.copy()
    unpopulated.loc[(unpopulated["unit"] == "1987")
                    & (unpopulated["measure"] == "population"), "value"] = np.nan
    data = prepare_screen_data(unpopulated, settings, data="demo", vintage_hash="nopop")
    assert pool_of_units(data.panel, outcome, ["1987", "00"]) is None


def test_a_stored_structural_fit_keeps_its_starts_stacked_and_simulates_as_a_fresh_fit(
        panels, tmp_path):
    """The structural model's stored pre-period fit keeps its draws' simulation starts as one
    array per part (loaded in a tenth of the time); read back, they are the starts the fit
    made, bit for bit, and a longer window simulated from the stored fit equals a fresh fit."""
    import pickle

    from evaluation.designs import structural as module
    from evaluation.screen.cache import FitStore, StructuralPrefits

    _, panel = panels
    small = panel[panel["unit"].isin(["1987", "00"])].reset_index(drop=True)
    kw = dict(outcome="unemployment_rate", treated="1987", intervention="2022-04",
              n_paths=300, seed=4)
    made = []
    real = module._start_roots

    def kept(*args):
        made.append(real(*args))
        return made[-1]

    module._start_roots = kept
    try:
        short = module.structural(small, post_end="2023-03",
                                  prefit=StructuralPrefits(FitStore(tmp_path)), **kw)
    finally:
        module._start_roots = real
    (path,) = (tmp_path / "structural-fits").rglob("*.pkl")
    stored = pickle.loads(path.read_bytes())["starts"]
    assert set(stored) == {"draws", "start", "root", "transition", "selection", "noise_sd"}
    class Recorded(StructuralPrefits):
        def get(self, parts):
            self.found = super().get(parts)
            return self.found

    store = FitStore(tmp_path)
    prefit = Recorded(store)
    fresh = module.structural(small, post_end="2023-03", **kw)
    assert (short.average_effect, short.ci) == (fresh.average_effect, fresh.ci)
    longer = module.structural(small, post_end="2024-03", prefit=prefit, **kw)
    assert store.structural_hits == 1 and store.structural_fits == 0
    fresh = module.structural(small, post_end="2024-03", **kw)
    assert (longer.average_effect, longer.ci, longer.p_value) == (
        fresh.average_effect, fresh.ci, fresh.p_value)
    pd.testing.assert_frame_equal(longer.frame, fresh.frame)
    back = prefit.found
    (starts,) = made
    assert list(back["starts"]) == list(starts)
    for j, (a, root, (t, rq, sd)) in starts.items():
        b = back["starts"][j]
        for x, y in zip((a, root, t, rq), (b[0], b[1], *b[2][:2]), strict=True):
            np.testing.assert_array_equal(x, y)
        assert type(b[2][2]) is float and b[2][2] == sd


def test_the_result_cache_is_one_database_and_a_damaged_one_is_set_aside(tmp_path):
    """Entries live in one SQLite file: what is put is got back; a batch is written in one
    transaction; an entry that cannot be read is a miss; a file that is not a database is
    moved aside (nothing is lost: the cache holds only what can be computed again) and a new
    one started."""
    import sqlite3

    from evaluation.screen.cache import ResultCache

    cache = ResultCache(tmp_path)
    entries = [(f"k{i}", {"design": "its", "record": {"average_effect": i / 3}, "x": "å"})
               for i in range(50)]
    cache.put_many(entries)
    assert cache.written == 50 and cache.get("k7") == entries[7][1]
    assert cache.get("missing") is None and (cache.hits, cache.misses) == (1, 1)
    cache.close()
    with sqlite3.connect(tmp_path / "entries.sqlite") as db:
        db.execute("UPDATE entries SET entry = 'not json' WHERE key = 'k3'")
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 50
    again = ResultCache(tmp_path)
    assert again.get("k3") is None and again.get("k4") == entries[4][1]
    again.close()
    (tmp_path / "entries.sqlite").write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"entries.sqlite{suffix}").unlink(missing_ok=True)
    fresh = ResultCache(tmp_path)
    assert fresh.get("k4") is None
    fresh.put("k1", {"a": 1})
    assert fresh.get("k1") == {"a": 1}
    fresh.close()
    assert (tmp_path / "entries.sqlite.unreadable").read_bytes().startswith(b"this is not")
    assert ResultCache(None).get("k1") is None


def test_everything_a_kommun_panel_is_handed_equals_what_it_stands_for(panels):
    """Every table the screen hands the library's memory for a kommun's panel (its pools, each
    unit's outcome and population series, the units' names) equals what the library would
    build from that panel itself — for 40 demo kommuner, with and without an exclusion."""
    from evaluation.data import memo
    from evaluation.designs import comparison
    from evaluation.screen.data import prepared

    _, panel = panels
    data = prepare_screen_data(panel, ScreenSettings(intervention="2022-04"), data="demo",
                               vintage_hash="primed")
    functions = {f.__qualname__: f for f in (comparison._pool, comparison._outcome_series,
                                             comparison.population_series, memo.unit_names)}
    seen: dict[str, int] = {}
    for exclude in ((), ("0161",)):
        prep = prepared(data.with_exclude(exclude))
        for k in data.kommuner[::7][:40]:
            small = prep.national_panel(k, tuple(u for u in exclude if u != k))
            for (_, name, *args), value in list(memo._slot(small).items()):
                want = functions[name].uncached(small, *args)
                if name == "_pool":
                    _assert_same_pool(value, want)
                elif isinstance(want, pd.Series):
                    pd.testing.assert_series_equal(value, want, check_exact=True)
                else:
                    assert list(value.items()) == list(want.items())
                seen[name] = seen.get(name, 0) + 1
    assert set(seen) == set(functions) and seen["_pool"] >= 160


def test_a_locked_result_cache_stops_with_a_sentence_and_is_not_set_aside(tmp_path,
                                                                          monkeypatch):
    """A cache another run keeps locked is not damaged: it is not moved aside; opening it
    stops with one sentence saying what to do; entries that cannot be written while it is
    locked are counted (computed again next time), and a read is a miss."""
    import sqlite3

    from evaluation.errors import RunFailure
    from evaluation.screen.cache import ResultCache

    monkeypatch.setattr(ResultCache, "TIMEOUT", 0.1)
    opened = ResultCache(tmp_path)
    opened.put("k1", {"a": 1})
    other = sqlite3.connect(tmp_path / "entries.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(RunFailure, match="annan screening med samma cache") as caught:
            ResultCache(tmp_path).get("k1")
        assert "another screen using the same cache" in caught.value.en
        opened.put_many([("k2", {"b": 2}), ("k3", {"c": 3})])
        assert opened.failed == 2 and opened.written == 1
        assert opened.get("k1") is None  # locked: a miss, not an error
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not (tmp_path / "entries.sqlite.unreadable").exists()
    assert opened.get("k1") == {"a": 1} and opened.get("k2") is None
    opened.close()


def test_entries_the_cache_could_not_write_are_in_the_screens_statistics(panels, tmp_path,
                                                                          monkeypatch):
    """Entries the result cache could not store (a locked database) are counted in the
    screen's statistics, not silently lost; the next screen computes them again."""
    from evaluation.screen.cache import ResultCache

    _, panel = panels

    def refused(self, items):
        self.failed += len(items)

    monkeypatch.setattr(ResultCache, "put_many", refused)
    first = screen(_data(panel, "u"), inline=True, cache_dir=tmp_path)
    assert first.stats["cache_unwritten"] == 6  # 2 kommuner × 3 designs
    monkeypatch.undo()
    again = screen(_data(panel, "u"), inline=True, cache_dir=tmp_path)
    assert again.stats["computed"] == first.stats["computed"]
    assert again.stats["cache_unwritten"] == 0


def test_a_new_month_reuses_the_count_models_and_gives_a_fresh_runs_numbers(panels, tmp_path):
    """A count's ITS fits a quasi-Poisson GLM to the pre-period; after a new month the same
    pre-period is fitted again for every kommun, so the fit is stored with the error model's
    and read back: no GLM is fitted again, and the numbers are a run without a cache's."""
    previous, panel = panels
    settings = ScreenSettings(intervention="2022-04", outcomes=("households_assistance",),
                              designs=("its",))

    def data(frame, tag):
        return prepare_screen_data(frame, settings, data="demo", vintage_hash=tag,
                                   kommuner=KOMMUNER)

    cache = tmp_path / "cache"
    first = screen(data(previous, "a"), inline=True, cache_dir=cache)
    assert first.stats["count_model_fits"] == 2 and first.stats["count_model_reused"] == 0
    again = screen(data(panel, "b"), inline=True, cache_dir=cache)
    assert again.stats["computed"] == {"its": 2}
    assert again.stats["count_model_fits"] == 0 and again.stats["count_model_reused"] == 2
    fresh = screen(data(panel, "b"), inline=True, cache_dir=None)
    columns = ["kommun", "outcome", "verdict", "estimate", "ci_low", "ci_high", "p_value",
               "relative_estimate", "relative_ci_low", "relative_ci_high"]
    pd.testing.assert_frame_equal(again.table[columns], fresh.table[columns], check_exact=True)


def test_the_its_reads_a_stored_count_model_only_for_the_same_pre_period(evaluation_home):
    """The stored GLM is keyed by every input of the fit: the same call reads it back (same
    numbers), a call with one pre-period count, population or comparison value changed fits
    its own."""
    from evaluation.data import demo
    from evaluation.designs.its import its

    panel, _ = demo.load_demo("monthly")
    stored: dict[bytes, object] = {}
    asked: list[tuple] = []

    class Store:
        def get(self, parts):
            asked.append(parts)
            return stored.get(pickle.dumps(parts))

        def put(self, parts, value):
            stored[pickle.dumps(parts)] = value

    kw = dict(outcome="households_assistance", treated="1987", intervention="2022-04",
              post_end="2023-03")
    plain = its(panel, **kw)
    first = its(panel, **kw, prefit=Store())
    again = its(panel, **kw, prefit=Store())
    assert len(stored) == 1 and len(asked) == 2
    for result in (first, again):
        assert (result.average_effect, result.ci, result.p_value) == \
            (plain.average_effect, plain.ci, plain.p_value)
    # riket's rows move with the kommun's, so its comparison (riket without it, per 1 000
    # inhabitants) stays: only the kommun's own count, then only its population (the GLM's
    # offset), differs
    at = panel["unit"].isin(["1987", "00"]) & (panel["period"] == "2019-06")
    count = at & (panel["measure"] == "households_assistance")
    population = at & (panel["measure"] == "population")
    changed = panel.copy()
    changed.loc[count, "value"] += 7
    its(changed, **kw, prefit=Store())
    assert count.sum() == 2 and len(stored) == 2
    changed = panel.copy()
    changed.loc[at, "population"] += 1000
    changed.loc[population, "value"] += 1000
    its(changed, **kw, prefit=Store())
    assert len(stored) == 3
    changed = panel.copy()  # riket's count alone: the comparison (a column of the design)
    changed.loc[count & (panel["unit"] == "00"), "value"] += 50
    its(changed, **kw, prefit=Store())
    assert len(stored) == 4


def test_the_stores_counts_reach_the_screens_statistics_by_name():
    """Each counter of a :class:`FitStore` under its own statistic, zeros without a store, and
    summed over passes (``core._add``)."""
    from evaluation.screen import core
    from evaluation.screen.cache import FIT_COUNTS, FitStore, fit_counts

    store = FitStore(None)
    store.fits, store.hits = 1, 2
    store.structural_fits, store.structural_hits = 3, 4
    store.count_model_fits, store.count_model_hits = 5, 6
    counts = fit_counts(store)
    assert counts == {"its_fits": 1, "its_fit_reused": 2, "structural_fits": 3,
                      "structural_fit_reused": 4, "count_model_fits": 5,
                      "count_model_reused": 6}
    assert fit_counts(None) == dict.fromkeys(FIT_COUNTS, 0)
    assert core._add(counts, {**counts, "its_fits": 10}) == {**{k: 2 * v for k, v in
                                                                counts.items()}, "its_fits": 11}


def test_per_design_counts_summed_over_passes_keep_the_designs_order_in_every_process():
    """``core._add`` once iterated a set of design names, so the order of ``computed`` and
    ``reused`` in the screen's statistics (and its summary file) changed with the
    process's string hashing; it keeps the designs' order now, whatever ``PYTHONHASHSEED``."""
    import os
    import subprocess
    import sys

    code = ("from evaluation.screen import core\n"
            "a = {'computed': {'decomposition': 1, 'its': 2, 'structural': 3}}\n"
            "b = {'computed': {'decomposition': 4, 'its': 5, 'structural': 6}}\n"
            "print(list(core._add(a, b)['computed']))")
    seen = set()
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout.strip()
        seen.add(out)
    assert seen == {"['decomposition', 'its', 'structural']"}
