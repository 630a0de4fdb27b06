"""The 2 × 2 difference-in-differences reproduces Card & Krueger (1994) on the PoEdata extract.

Reference: Card D, Krueger AB. Minimum wages and employment: a case study of the fast-food
industry in New Jersey and Pennsylvania. American Economic Review 1994;84(4):772–793, Table 3.
Data: ``benchmarks/card_krueger/njmin3_poedata.csv`` in the shared data folder (410 stores × 2
waves, from ccolonescu/PoEdata @c41bee8f data/njmin3.rda; columns nj = New Jersey store,
d = after the April 1992 increase, fte = full-time-equivalent employment).

Published on this extract (shared data README): OLS ``fte ~ nj + d + nj:d`` gives 2.7536 with
n = 794 after dropping missing fte (Card & Krueger's own Table 3 sample gives +2.76). Tolerance
±0.001 on the estimate (published to 4 decimals), exact n, cell means ±0.005 against the
paper's Table 3 row 1 (20.44, 21.03, 23.33, 21.17; published to 2 decimals).

Only the point estimate is checked. The textbook SE (1.688) treats the 794 store-waves as
independent, but the treatment varies at the level of one state against one state: the
state-level shocks are one cluster each, exactly the one-treated-cluster inference that
Conley & Taber (2011) show to be invalid and that this design replaces by placebo inference.
"""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.designs.did import did_2x2


@pytest.fixture(scope="module")
def njmin(shared_data) -> pd.DataFrame:
    path = shared_data / "benchmarks" / "card_krueger" / "njmin3_poedata.csv"
    if not path.is_file():
        pytest.skip(f"Card & Krueger extract not available ({path})")
    return pd.read_csv(path)


def test_card_krueger_1994_did_point_estimate(njmin):
    """Interaction coefficient 2.7536 ± 0.001, n = 794 (README reference for this extract)."""
    res = did_2x2(njmin, outcome="fte", group="nj", post="d")
    assert res.n == 794
    assert res.estimate == pytest.approx(2.7536, abs=0.001)


def test_card_krueger_1994_cell_means_table3(njmin):
    """Cell means match Card & Krueger Table 3 (NJ 20.44→21.03, PA 23.33→21.17) ± 0.005, and
    the interaction equals the difference of differences of the cell means (1e-10)."""
    res = did_2x2(njmin, outcome="fte", group="nj", post="d")
    m = res.cell_means
    assert m[(1, 0)] == pytest.approx(20.44, abs=0.005)
    assert m[(1, 1)] == pytest.approx(21.03, abs=0.005)
    assert m[(0, 0)] == pytest.approx(23.33, abs=0.005)
    assert m[(0, 1)] == pytest.approx(21.17, abs=0.005)
    dd = (m[(1, 1)] - m[(1, 0)]) - (m[(0, 1)] - m[(0, 0)])
    assert res.estimate == pytest.approx(dd, abs=1e-10)
