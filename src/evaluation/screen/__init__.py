"""``evaluation screen``: every kommun at once against the national development.

For a date and outcomes, the national designs — the decomposition, the ITS with the national
series as control and the structural model — run for every kommun of a panel as library calls
on dask.distributed (:func:`screen`), results are cached so that a re-screen recomputes only
what changed (:mod:`.cache`), the kommuner are ranked with Benjamini–Yekutieli q-values
(:mod:`.fdr`), written as a table and a figure (:mod:`.report`), and any kommun can be opened as
an ordinary evaluation with the same settings (:mod:`.drill`).

    from evaluation.screen import ScreenSettings, screen
    result = screen("demo", ScreenSettings(intervention="2022-04", post_end="2023-03"))
    result.table.head()
"""

# The names below are imported on first use: ``evaluation screen``'s parser is built for every
# command of the tool, and the designs (statsmodels, scipy) take seconds to import.
_EXPORTS = {
    "FLAG_VERDICTS": "core", "ScreenResult": "core", "dask_client": "core",
    "finish_table": "core", "screen": "core",
    "ScreenData": "data", "load_screen_data": "data", "prepare_screen_data": "data",
    "drill_down": "drill", "drill_spec": "drill",
    "bh_qvalues": "fdr", "by_qvalues": "fdr",
    "DEFAULT_DESIGNS": "settings", "ScreenSettings": "settings",
    "screen_one": "tasks",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(f"evaluation.screen.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'evaluation.screen' has no attribute {name!r}")
