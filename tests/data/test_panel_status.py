"""The panel's status column as ``validate_panel`` leaves it: casefolded, empty cells
``final``, anything else one clear sentence."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.data.panel import validate_panel
from evaluation.errors import DataError


def _panel(statuses):
    n = len(statuses)
    return pd.DataFrame({"unit": ["0114"] * n, "unit_name": ["Upplands Väsby"] * n,
                         "period": [f"2022-{m:02d}" for m in range(1, n + 1)],
                         "measure": ["unemployment_rate"] * n, "value": [5.0] * n,
                         "status": statuses})


def test_statuses_are_casefolded_and_empty_cells_final():
    out = validate_panel(_panel(["Final", "", None, " PRELIMINARY ", "Suppressed"]))
    assert out["status"].tolist() == ["final", "final", "final", "preliminary", "suppressed"]
    assert pd.isna(out["value"].iloc[-1])  # suppressed cells lose their value
    assert pd.api.types.is_string_dtype(out["status"])


def test_statuses_already_in_canonical_form_are_kept():
    out = validate_panel(_panel(["final", "preliminary", "suppressed"]))
    assert out["status"].tolist() == ["final", "preliminary", "suppressed"]


def test_an_unknown_status_is_one_sentence():
    with pytest.raises(DataError, match="okänd status 'maybe'"):
        validate_panel(_panel(["final", "Maybe"]))
