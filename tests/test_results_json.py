"""``copy_json``: the copy of ``summary.json`` every caller of ``Evaluation.summary`` gets."""

from __future__ import annotations

import numpy as np

from evaluation.results import clean_json, copy_json


def _document() -> dict:
    shared = {"lo": -0.4, "hi": 0.1}
    return clean_json({
        "results": [{"design": "its", "ci": [-0.4, 0.1], "p_value": np.float64(0.2),
                     "n": np.int64(3), "ok": True, "note": None, "band": shared}],
        "checks": [], "again": shared, "title": "Exempelstad",
    })


def test_the_copy_equals_the_document_and_shares_no_container():
    doc = _document()
    copied = copy_json(doc)
    assert copied == doc

    def containers(value, out):
        if isinstance(value, (dict, list)):
            out.append(id(value))
            for v in (value.values() if isinstance(value, dict) else value):
                containers(v, out)
        return out

    assert not set(containers(copied, [])) & set(containers(doc, []))
    copied["results"][0]["ci"][0] = 99.0
    copied["results"][0]["band"]["lo"] = 99.0
    copied["checks"].append({"x": 1})
    assert doc == _document()


def test_what_is_not_json_is_still_copied_deeply():
    inner = np.array([1.0, 2.0])
    doc = {"a": (1, [2]), "b": inner, "c": {1, 2}}
    copied = copy_json(doc)
    assert copied["a"] == (1, [2]) and copied["a"][1] is not doc["a"][1]
    assert copied["b"] is not inner and np.array_equal(copied["b"], inner)
    copied["c"].add(3)
    assert doc["c"] == {1, 2}


def test_the_pre_period_mean_is_pandas_mean_of_the_observed_pre_period_values():
    """``pre_period_mean`` (the verdict's and the screen's level before the change) equals
    pandas' mean of ``frame.loc[~post, "observed"].dropna()`` to the bit, for series of many
    lengths and scales with missing values; None without any."""
    import numpy as np
    import pandas as pd

    from evaluation.results import pre_period_mean

    rng = np.random.default_rng(7)
    for n in [1, 2, 3, 7, 12, 45, 96, 131, 257, 1000]:
        for scale in (1e-3, 1.0, 1e5, 1e12):
            observed = rng.normal(size=n) * scale + rng.normal() * 10 * scale
            observed[rng.random(n) < 0.1] = np.nan
            post = np.arange(n) >= n * 2 // 3
            frame = pd.DataFrame({"observed": observed, "post": post})
            want = frame.loc[~frame["post"], "observed"].dropna()
            got = pre_period_mean(frame)
            if len(want):
                assert got == float(want.mean())
            else:
                assert got is None
    empty = pd.DataFrame({"observed": [np.nan, 1.0], "post": [False, True]})
    assert pre_period_mean(empty) is None
