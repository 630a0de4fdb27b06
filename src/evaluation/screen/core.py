"""The screen: every kommun × outcome on dask.distributed, cached, ranked and FDR-controlled.

::

    data (demo or a panel file) ──► ScreenData (checked once, shipped once to every worker)
        ──► cache keys per kommun × outcome × design ──► cached entries
        ──► batches of the rest ──► workers: evaluation.screen.tasks.run_batch
        ──► rows ──► Benjamini–Yekutieli q-values (evaluation.screen.fdr) ──► ranked table

:func:`screen` connects to a running scheduler (``scheduler="tcp://…"``), uses a given
``client``, or starts a :class:`distributed.LocalCluster` sized to the machine (one process
per core, one thread each, ``OMP_NUM_THREADS=1`` in the workers); ``inline=True`` runs the
batches in this process (small screens, tests). Each task is a batch of kommuner; the data go
to every worker once (``Client.scatter(broadcast=True)``), the tasks carry only codes, the
settings and the cached entries of their kommuner.

A kommun is **flagged** when its q-value is at most the level *and* the verdict rules call its
change a clear effect (:data:`FLAG_VERDICTS`; :func:`evaluation.verdict.decide`: the lead design
excludes zero, compares with other units, its own past did not widen its interval, and the
other counting designs agree) — a small p-value alone from a design the rules set aside is not
a finding. Flagged kommuner then leave the comparisons of a second pass (see :func:`screen`),
so that a change in a large kommun does not show up as a change in all the others.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.panel import NATIONAL_CODE, measure_info
from evaluation.errors import RunFailure
from evaluation.gc_tuning import fewer_collections
from evaluation.screen import fdr
from evaluation.screen.cache import FIT_COUNTS, ResultCache, default_cache_dir, entry_key
from evaluation.screen.data import ScreenData, load_screen_data, similar_sets, unit_hashes
from evaluation.screen.settings import MAX_PASSES, Resolved, ScreenSettings
from evaluation.screen.tasks import run_batch, summarise

#: Verdicts that allow a flag (besides q ≤ level).
FLAG_VERDICTS = ("clear_effect",)
#: Tasks per worker: enough to even out the load, few enough to keep the overhead small.
TASKS_PER_WORKER = 12
#: The screen's numeric statistics that passes add up (:func:`_add`); the others are the last
#: pass's (workers, pairs, seconds of the pass).
SUMMED_STATS = (*FIT_COUNTS, "similar_mismatch", "tasks", "cache_unwritten", "pairs_computed",
                "worker_seconds", "worker_cpu_seconds")
#: How long to try to reach a scheduler given with ``scheduler=``.
CONNECT_TIMEOUT = "15s"


@dataclass
class ScreenResult:
    """A finished screen.

    Attributes
    ----------
    table
        One row per kommun × outcome, ranked (:func:`finish_table`): the row of
        :func:`evaluation.screen.tasks.summarise` plus ``q_value`` (Benjamini–Yekutieli),
        ``q_value_bh`` (Benjamini–Hochberg, for comparison), ``flagged``, ``rank`` and
        ``rank_in_outcome``.
    entries
        ``(kommun, outcome) → {design: entry}`` (records and series, for the figure).
    stats
        What was computed and reused: ``computed``/``reused`` per design, ``its_fits`` made and
        ``its_fit_reused`` (the ITS's error models), ``count_model_fits`` and
        ``count_model_reused`` (its GLMs of counts), ``structural_fits`` and
        ``structural_fit_reused``, ``seconds``, ``workers``, ``tasks``; ``cache_unwritten``: entries
        the result cache could not store (locked by another run; computed again next time).
    """

    table: pd.DataFrame
    data: ScreenData
    settings: ScreenSettings
    entries: dict[tuple[str, str], dict[str, dict[str, Any]]]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def resolved(self) -> Resolved:
        return self.data.settings

    def row(self, kommun: str, outcome: str) -> pd.Series:
        sub = self.table[(self.table["kommun"] == kommun) & (self.table["outcome"] == outcome)]
        if sub.empty:
            raise KeyError((kommun, outcome))
        return sub.iloc[0]

    @property
    def flagged(self) -> pd.DataFrame:
        return self.table[self.table["flagged"]]


# =========================================================================== the table
def finish_table(rows: list[dict[str, Any]], level: float) -> pd.DataFrame:
    """Rows → the ranked table with q-values and flags.

    The family of the false discovery rate is every row with a p-value (all kommuner and
    outcomes of the screen). Rows are ranked by q-value, then p-value, then the size of the
    standardised deviation ``|z|``; rows without a p-value come last.
    """
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    p = table["p_value"].astype(float)
    ok = p.notna().to_numpy()
    q_by = np.full(len(table), np.nan)
    q_bh = np.full(len(table), np.nan)
    if ok.any():
        q_by[ok] = fdr.by_qvalues(p[ok].to_numpy())
        q_bh[ok] = fdr.bh_qvalues(p[ok].to_numpy())
    table["q_value"] = q_by
    table["q_value_bh"] = q_bh
    table["flagged"] = fdr.rejected(q_by, level) & table["verdict"].isin(FLAG_VERDICTS)
    table["_absz"] = -table["z"].abs().fillna(-np.inf)
    table = table.sort_values(["q_value", "p_value", "_absz", "outcome", "kommun"],
                              na_position="last", kind="stable").drop(columns="_absz")
    table = table.reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table.insert(1, "rank_in_outcome", table.groupby("outcome").cumcount() + 1)
    return table


# =========================================================================== cache keys
def _keys(data: ScreenData) -> tuple[dict[tuple[str, str, str], str],
                                     dict[str, dict[str, list[str]]]]:
    """The result-cache key of every kommun × outcome × design (see :mod:`.cache`), and the
    similar kommuner per outcome and kommun the decomposition keys name."""
    s = data.settings
    t1 = s.compare_periods[1]
    cutoffs = sorted({s.post_end, t1})
    hashes = unit_hashes(data, cutoffs)
    everyone_post = sorted(f"{u}:{h}" for u, h in hashes[s.post_end].items())
    everyone_t1 = sorted(f"{u}:{h}" for u, h in hashes[t1].items())
    similar: dict[str, dict[str, list[str]]] = {}
    if "decomposition" in s.designs and data.has_national:
        similar = {o: similar_sets(data, o) for o in s.outcomes}
    out = {}
    for outcome in s.outcomes:
        measure = data.measures.get(outcome) or measure_info(outcome)
        for kommun in data.kommuner:
            for design in s.designs:
                excluded = s.exclude_for(kommun)
                if design == "decomposition":
                    h = hashes[t1]
                    if data.has_national:
                        units = sorted({*similar[outcome].get(kommun, []), *excluded})
                        inputs = [f"{kommun}:{h[kommun]}", f"00:{h[NATIONAL_CODE]}",
                                  *(f"{u}:{h[u]}" for u in units if u in h)]
                    else:
                        inputs = everyone_t1
                else:
                    h = hashes[s.post_end]
                    inputs = ([f"{kommun}:{h[kommun]}", f"00:{h[NATIONAL_CODE]}",
                               *(f"{u}:{h[u]}" for u in excluded if u in h)]
                              if data.has_national else everyone_post)
                out[(kommun, outcome, design)] = entry_key(
                    design=design, outcome=outcome, kommun=kommun,
                    settings=s.for_design(design, kommun), measure=measure, inputs=inputs)
    return out, similar


# =========================================================================== dask
def default_workers() -> int:
    """One worker per core available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def dask_client(scheduler: str | None = None, n_workers: int | None = None) -> Iterator[Any]:
    """A client of the scheduler at ``scheduler``, else of a new LocalCluster with
    ``n_workers`` processes (default: one per core), one thread each and single-threaded
    numerical libraries; the cluster is closed afterwards."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise RunFailure(
                f"Kunde inte ansluta till dask-schemaläggaren {scheduler} ({exc}): kontrollera "
                "adressen och att schemaläggaren kör.",
                f"Could not connect to the dask scheduler {scheduler} ({exc}): check the "
                "address and that the scheduler is running.") from exc
        try:
            yield client
        finally:
            client.close()
        return
    threads = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    cluster = LocalCluster(n_workers=n_workers or default_workers(), threads_per_worker=1,
                           processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR, env=threads)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _batches(items: list[Any], n_workers: int, batch_size: int | None) -> list[list[Any]]:
    if not items:
        return []
    size = batch_size or max(1, math.ceil(len(items) / (n_workers * TASKS_PER_WORKER)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def _strip(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry without its series (what a worker needs to summarise a row)."""
    return {k: v for k, v in entry.items() if k != "series"}


def _run(data: ScreenData, todo: list[tuple[str, str, dict[str, Any], tuple[str, ...]]], *,
         get_client: Callable[[], Any] | None, batch_size: int | None, fit_dir: str | None,
         progress: Callable[[int, int], None] | None,
         absorb: Callable[[dict[str, Any]], None] = lambda out: None,
         ) -> tuple[list[dict[str, Any]], int, int]:
    """Run the batches (in this process when ``get_client`` is None); returns (batch
    outputs, workers, tasks). ``absorb(output)`` is called for each batch as it completes
    (the caller stores its entries while the workers compute the others)."""
    if not todo:
        return [], 0, 0
    if get_client is None:
        batches = _batches(todo, 1, batch_size)
        outputs = []
        for i, batch in enumerate(batches):
            outputs.append(run_batch(data, batch, fit_dir))
            absorb(outputs[-1])
            if progress:
                progress(i + 1, len(batches))
        return outputs, 1, len(batches)
    from distributed import as_completed

    cl = get_client()
    addresses = sorted(cl.scheduler_info().get("workers", {}))
    workers = max(1, len(addresses))
    batches = _batches(todo, workers, batch_size)
    shared = cl.scatter(data, broadcast=True, hash=False)
    position = {k: i for i, k in enumerate(data.kommuner)}

    def home(batch: list[Any]) -> dict[str, Any]:
        """A kommun's batches go to the same worker in every step of a pass (a preference,
        not a rule: an idle worker may take them), where its comparison tables already are."""
        if not addresses:
            return {}
        at = position.get(batch[0][0], 0) * len(addresses) // max(1, len(data.kommuner))
        return {"workers": [addresses[at]], "allow_other_workers": True}

    futures = [cl.submit(run_batch, shared, batch, fit_dir, pure=False, **home(batch))
               for batch in batches]
    outputs = []
    try:
        for i, fut in enumerate(as_completed(futures)):
            outputs.append(fut.result())
            absorb(outputs[-1])
            if progress:
                progress(i + 1, len(batches))
    finally:
        cl.cancel(futures)
        cl.cancel(shared)
    return outputs, workers, len(batches)


# =========================================================================== the screen


@fewer_collections()
def screen(
    data: str | ScreenData,
    settings: ScreenSettings | None = None,
    *,
    client: Any = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    inline: bool = False,
    cache_dir: str | Path | None = "default",
    kommuner: list[str] | None = None,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_passes: int = MAX_PASSES,
) -> ScreenResult:
    """Screen every kommun for the settings' date and outcomes.

    **Passes.** Every comparison is riket without the kommun itself. When some kommuner did
    change, they are still in riket, and the comparison of every other kommun moves with them
    (a reform in the capital, a tenth of the labour force, moves riket by a tenth of its
    effect; in the placebo study, effects injected into 10 kommuner including the capital gave
    7.6 % false discoveries with one pass, 2.0 % with the passes). So
    the kommuner flagged in one pass leave every comparison of the next — as an ordinary
    evaluation leaves out ``donors.similar_reforms`` — until the flagged set no longer changes
    (at most ``max_passes`` passes; ``stats["passes"]`` lists each pass's flags). Without a
    flag there is one pass. The drill-down spec names the excluded kommuner. The first pass
    finds its flags with the primary design and runs the other designs only for the rows
    whose flag depends on them (:func:`_flags_first`: the same flags, exactly); when they
    equal its exclusions it is completed, else the next pass runs every design for every row.

    Parameters
    ----------
    data
        ``"demo"``, a panel file, or a :class:`ScreenData` already loaded.
    settings
        What to screen (required unless ``data`` is a :class:`ScreenData`).
    client, scheduler, n_workers, inline
        Where to compute: a dask client; else the scheduler at ``scheduler``; else a new
        LocalCluster with ``n_workers`` processes (started only when something is not in the
        cache); ``inline=True``: in this process.
    cache_dir
        The result cache (:mod:`evaluation.screen.cache`): ``"default"`` (under
        ``data/processed``), a folder, or None for no cache.
    kommuner
        Screen only these kommuner (the comparisons still use all).
    batch_size
        Kommun × outcome pairs per task (default: about twelve tasks per worker).
    progress
        Called with (tasks done, tasks) as batches finish.

    The garbage collector runs less often meanwhile, here and in every task
    (:func:`evaluation.gc_tuning.fewer_collections`).
    """
    from contextlib import ExitStack

    start = time.perf_counter()
    if isinstance(data, ScreenData):
        screen_data = data
        settings = settings or ScreenSettings(intervention=data.settings.intervention,
                                              outcomes=data.settings.outcomes)
    else:
        if settings is None:
            raise TypeError("screen() needs settings when data is not a ScreenData")
        screen_data = load_screen_data(data, settings, kommuner=kommuner)
    folder = default_cache_dir() if cache_dir == "default" else cache_dir
    with ExitStack() as stack:
        opened: list[Any] = [client]

        def get_client() -> Any:
            if opened[0] is None:
                opened[0] = stack.enter_context(dask_client(scheduler, n_workers))
            return opened[0]

        exclude = tuple(screen_data.settings.exclude)
        passes: list[dict[str, Any]] = []
        total: dict[str, Any] = {}
        n_passes = max(1, int(max_passes))
        for i in range(n_passes):
            current = screen_data.with_exclude(exclude)
            run = functools.partial(_pass, current, settings.level, folder,
                                    None if inline else get_client, batch_size, progress,
                                    keyed=_keys(current) if folder is not None else ({}, {}))
            known: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
            steps: list[dict[str, Any]] = []
            flagged = None
            # the first pass finds its flags first; a later pass, whose exclusions came from
            # flags, is nearly always the last and runs in full (every design of a row at
            # once: the row's comparison tables are built once)
            if i == 0 < n_passes - 1 and _lazy(current.settings):
                flagged = _flags_first(current, settings.level, run, known, steps)
            if flagged is None or flagged == exclude or i == n_passes - 1:
                table, entries, stats = run(known=known)  # the pass in full
                steps.append(stats)
                flagged = tuple(sorted(set(table.loc[table["flagged"], "kommun"])))
            pass_stats: dict[str, Any] = {}
            for stats in steps:
                pass_stats = _add(pass_stats, stats)
            passes.append({"exclude": list(exclude), "flagged": list(flagged),
                           "computed": pass_stats["computed"],
                           "seconds": round(sum(st["seconds"] for st in steps), 2),
                           "steps": len(steps)})
            total = _add(total, pass_stats)
            if flagged == exclude:
                break
            exclude = flagged
        total["passes"] = passes
        total["converged"] = tuple(passes[-1]["flagged"]) == tuple(passes[-1]["exclude"])
        total["seconds"] = round(time.perf_counter() - start, 2)
    return ScreenResult(table=table, data=current, settings=settings, entries=entries,
                        stats=total)


def _lazy(settings: Resolved) -> bool:
    """Whether a pass can find its flags before running every design (:func:`_flags_first`):
    the primary design is screened, and is not the only design."""
    return settings.primary_design in settings.designs and len(settings.designs) > 1


def _primary_leads(found: dict[str, dict[str, Any]], primary: str) -> bool:
    """Whether the primary design leads the row's verdict whatever the other designs give:
    its result counts (:func:`evaluation.verdict.standing`, as :func:`~evaluation.verdict.
    decide` judges it in the screen: no reliability check, no sensitivity grid)."""
    from evaluation.verdict import standing

    record = (found.get(primary) or {}).get("record")
    return bool(record) and standing(record, None, ()).counts


def _flags_first(data: ScreenData, level: float, run: Callable[..., Any],
                 known: dict[tuple[str, str], dict[str, dict[str, Any]]],
                 steps: list[dict[str, Any]]) -> tuple[str, ...]:
    """The kommuner a pass flags, with the other designs run only where a flag depends on them.

    A row's p-value is its lead design's, and the lead is the primary design whenever the
    primary's result counts (:func:`evaluation.verdict.decide`). So: (1) the primary design
    for every row; (2) every design for the rows where the primary does not lead — now every
    row's p-value, and so every q-value, is the one the full pass gives; (3) every design for
    the rows with q ≤ level, whose verdict decides their flag (a row with q > level is never
    flagged). The flags are those of the full pass, exactly (a test checks it); a pass that is
    not the last (its flags differ from its exclusions) then needs nothing more, and the last
    pass is completed by the caller. With one flagged kommun, as on the demo data with the
    window open to the last month, the first pass costs the primary design alone."""
    s = data.settings
    pairs = [(k, o) for k in data.kommuner for o in s.outcomes]
    table, _, stats = run(need={p: (s.primary_design,) for p in pairs}, known=known)
    steps.append(stats)
    unled = {p: s.designs for p in pairs
             if not _primary_leads(known.get(p, {}), s.primary_design)}
    if unled:
        table, _, stats = run(need=unled, known=known)
        steps.append(stats)
    if table.empty:
        return ()
    rejected = fdr.rejected(table["q_value"].to_numpy(dtype=float), level)
    candidates = {(k, o): s.designs for k, o in
                  table.loc[rejected, ["kommun", "outcome"]].itertuples(index=False)
                  if (k, o) not in unled}
    if candidates:
        table, _, stats = run(need=candidates, known=known)
        steps.append(stats)
    return tuple(sorted(set(table.loc[table["flagged"], "kommun"])))


def _add(total: dict[str, Any], stats: dict[str, Any]) -> dict[str, Any]:
    """Sum two passes' statistics (counts per design, numbers; the rest from the last)."""
    out = dict(stats)
    for key, value in total.items():
        if isinstance(value, dict):
            out[key] = {d: value.get(d, 0) + stats.get(key, {}).get(d, 0)  # designs in order
                        for d in dict.fromkeys([*value, *stats.get(key, {})])}
        elif isinstance(value, (int, float)) and key in SUMMED_STATS:
            out[key] = value + stats.get(key, 0)
    return out


def _pass(data: ScreenData, level: float, folder: Any, get_client: Any,
          batch_size: int | None, progress: Any, *,
          need: dict[tuple[str, str], tuple[str, ...]] | None = None,
          known: dict[tuple[str, str], dict[str, dict[str, Any]]] | None = None,
          keyed: tuple[dict, dict],
          ) -> tuple[pd.DataFrame, dict, dict[str, Any]]:
    """One pass, or one step of one: cache lookups, the batches of the rest, the ranked table.

    ``need`` names the designs to have per kommun × outcome (default: every design for every
    pair); ``known`` holds the entries this pass already has, which are neither looked up nor
    computed again, and receives the new ones. Rows are summarised from every entry known.
    ``keyed``: the cache keys of :func:`_keys` for these settings (made once per pass; empty
    without a cache)."""
    start = time.perf_counter()
    s = data.settings
    cache = ResultCache(folder)
    keys, similar = keyed
    entries: dict[tuple[str, str], dict[str, dict[str, Any]]] = {} if known is None else known
    todo: list[tuple[str, str, dict[str, Any], tuple[str, ...]]] = []
    reused = {d: 0 for d in s.designs}
    for kommun in data.kommuner:
        for outcome in s.outcomes:
            pair = (kommun, outcome)
            found = entries.setdefault(pair, {})
            wanted = s.designs if need is None else need.get(pair, ())
            for design in wanted:
                if design in found:
                    continue
                entry = cache.get(keys[(kommun, outcome, design)]) if keys else None
                if entry is not None:
                    found[design] = entry
                    reused[design] += 1
            if any(d not in found for d in wanted):
                todo.append((kommun, outcome, {d: _strip(e) for d, e in found.items()},
                             tuple(wanted)))
    prepared_at = time.perf_counter()
    fit_dir = None if folder is None else str(folder)
    computed = {d: 0 for d in s.designs}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    mismatch = 0

    def absorb(out: dict[str, Any]) -> None:
        """One batch's rows and entries, stored as it completes (one transaction)."""
        nonlocal mismatch
        stored: list[tuple[str, dict[str, Any]]] = []
        for row, new in zip(out["rows"], out["entries"], strict=True):
            pair = (row["kommun"], row["outcome"])
            rows[pair] = row
            for design, entry in new.items():
                computed[design] += 1
                entries[pair][design] = entry
                if not keys:
                    continue
                expected = similar.get(pair[1], {}).get(pair[0], [])
                if design == "decomposition" and data.has_national and (
                        entry.get("similar") is not None
                        and sorted(entry["similar"]) != sorted(expected)):
                    mismatch += 1  # never stored under a key naming other kommuner
                    continue
                stored.append((keys[(pair[0], pair[1], design)], entry))
        cache.put_many(stored)

    try:
        outputs, workers, tasks = _run(data, todo, get_client=get_client,
                                       batch_size=batch_size, fit_dir=fit_dir,
                                       progress=progress, absorb=absorb)
    finally:
        cache.close()
    fitted = {name: sum(out.get(name, 0) for out in outputs) for name in FIT_COUNTS}
    worker_seconds = sum(out["seconds"] for out in outputs)
    worker_cpu = sum(out.get("cpu_seconds", 0.0) for out in outputs)
    for pair, found in entries.items():
        if pair not in rows:
            rows[pair] = summarise(pair[0], data.names.get(pair[0], pair[0]), pair[1],
                                   found, s)
    ordered = [rows[(k, o)] for k in data.kommuner for o in s.outcomes]
    table = finish_table(ordered, level)
    stats = {"computed": computed, "reused": reused, **fitted, "similar_mismatch": mismatch,
             "cache_unwritten": cache.failed,
             "workers": workers, "tasks": tasks, "pairs": len(ordered),
             "pairs_computed": len(todo), "worker_seconds": round(worker_seconds, 2),
             "worker_cpu_seconds": round(worker_cpu, 2),
             "seconds_prepare": round(prepared_at - start, 2),
             "seconds": round(time.perf_counter() - start, 2)}
    return table, entries, stats
