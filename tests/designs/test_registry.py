"""The design registry (issue "One answer", part 0): every part of the tool loops over it."""

from __future__ import annotations

import pytest

from evaluation.designs import registry
from evaluation.errors import SpecError


def test_the_registry_finds_every_design_module_in_report_order():
    names = registry.names()
    assert names[:2] == ("decomposition", "its")
    assert {"synthetic_control", "did", "sdid"} <= set(names)
    for d in registry.designs():
        assert callable(d.estimate) and callable(d.rerun) and callable(d.run_at)
        assert callable(d.figures) and d.method_key
    assert [d.name for d in registry.designs() if d.needs_donors] == [
        "synthetic_control", "did", "sdid"]


def test_selecting_designs_keeps_report_order_and_names_unknown_ones():
    assert [d.name for d in registry.designs(["sdid", "its"])] == ["its", "sdid"]
    with pytest.raises(KeyError, match="known"):
        registry.designs(["its", "bsts"])
    with pytest.raises(KeyError, match="known"):
        registry.design("nope")


def test_spec_designs_key_is_validated_with_the_known_names():
    from evaluation.spec import validate_designs

    assert validate_designs(None) is None
    assert validate_designs(["its", "its", "decomposition"]) == ["its", "decomposition"]
    assert validate_designs("its") == ["its"]
    with pytest.raises(SpecError) as err:
        validate_designs(["its", "bsts"], 7)
    assert "bsts" in err.value.sv and "rad 7" in err.value.sv and "decomposition" in err.value.en
    with pytest.raises(SpecError):
        validate_designs([])


def test_an_evaluation_runs_only_the_designs_its_spec_names():
    """``designs: [its]`` runs the ITS alone (no donor pool is built), and the reliability
    check and figures come from the same registry entry."""
    from evaluation.evaluate import Evaluation, spec_from_parameters

    spec = spec_from_parameters(evaluation_id="reg", data="demo", treated="1987",
                                intervention="2022-04", outcomes=["unemployment_rate"],
                                post_end="2023-03", designs=["its"])
    ev = Evaluation.from_spec(spec)
    results = ev.estimate()
    assert [r.design for r in results] == ["its"]
    assert ev.donor_pools == {}
    from evaluation.report.figures import design_figures

    suffixes = [s for s, fig in design_figures(results[0])]
    assert suffixes == ["", "_effekt"]
