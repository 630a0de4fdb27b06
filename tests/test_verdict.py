"""The verdict across designs (issue "One answer", part 2): each rule, each gate, the texts.

Records are built by hand (the ``summary.json`` shape), so every rule is shown to decide — and
every gate to exclude — exactly when its stated threshold says so.
"""

from __future__ import annotations

import pytest

from evaluation.report import text
from evaluation.verdict import PRETREND_ALPHA, decide, significance


def rec(design, est, ci, *, outcome="unemployment_rate", kind="rate", relative_ci=None,
        **inference):
    return {"outcome": outcome, "design": design, "kind": kind,
            "unit": "pp" if kind == "rate" else "households", "average_effect": est,
            "ci": list(ci) if ci else None, "relative_ci": relative_ci, "ci_level": 0.95,
            "post_window": ["2022-04", "2023-03"], "inference": inference or None}


def chk(design, status="passed", outcome="unemployment_rate"):
    return {"design": design, "outcome": outcome, "status": status}


DESIGNS = ("decomposition", "its", "synthetic_control", "did", "sdid")


def test_significance_is_decided_in_one_place():
    assert significance({"ci": [-2, -0.1]}) == "significant_decrease"
    assert significance({"ci": [0.1, 2]}) == "significant_increase"
    assert significance({"ci": [-1, 1]}) == "no_significant_effect"
    assert significance({"ci": None}) == "not_testable"
    assert significance({"ci": [float("nan"), 1]}) == "not_testable"
    assert text.verdict({"ci": [-2, -0.1]}) == "significant_decrease"


def test_clear_effect_needs_lead_agreement_and_a_second_design():
    results = [rec("its", -1.2, (-2.0, -0.4)), rec("sdid", -1.0, (-1.8, -0.2)),
               rec("did", -0.8, (-1.9, 0.3))]
    v = decide("unemployment_rate", results, [chk(d) for d in ("its", "sdid", "did")])
    assert (v.category, v.rule, v.lead, v.direction) == ("clear_effect", "R2", "its", -1)
    # the lead alone excludes zero: method-dependent
    alone = [rec("its", -1.2, (-2.0, -0.4)), rec("sdid", -0.6, (-1.5, 0.3))]
    assert decide("unemployment_rate", alone).category == "method_dependent"
    # a counting design pointing the other way: method-dependent
    flip = [*results, rec("synthetic_control", 0.2, (-0.5, 0.9))]
    assert decide("unemployment_rate", flip).category == "method_dependent"
    # the lead's own past widened its interval: it cannot lead a clear effect
    widened = [rec("its", -1.2, (-2.0, -0.4), in_time_widened=True),
               rec("sdid", -1.0, (-1.8, -0.2))]
    assert decide("unemployment_rate", widened).category == "method_dependent"
    # a before–after model never leads a clear effect
    no_comp = [rec("its", -1.2, (-2.0, -0.4), has_comparison=False)]
    assert decide("unemployment_rate", no_comp).category == "method_dependent"


def test_gates_exclude_designs_at_their_stated_thresholds():
    results = [rec("its", -1.2, (-2.0, -0.4)),
               rec("did", -1.5, (-2.5, -0.5), pretrend_p_value=PRETREND_ALPHA / 2),
               rec("synthetic_control", -1.3, (-2.1, -0.5), pre_rmspe=2.1,
                   placebo_pre_rmspe_median=1.0),
               rec("sdid", -1.1, (-1.9, -0.3))]
    checks = [chk("its"), chk("did"), chk("synthetic_control"), chk("sdid", "failed")]
    v = decide("unemployment_rate", results, checks)
    why = {s.design: s.excluded_because for s in v.standings}
    assert why == {"its": [], "did": ["pretrend"], "synthetic_control": ["pre_fit"],
                   "sdid": ["reliability_failed"]}
    # only ITS counts, so it decides alone (one counting design is enough)
    assert [s.design for s in v.counting] == ["its"] and v.category == "clear_effect"
    # at the thresholds the designs count again
    ok = [rec("did", -1.5, (-2.5, -0.5), pretrend_p_value=PRETREND_ALPHA),
          rec("synthetic_control", -1.3, (-2.1, -0.5), pre_rmspe=2.0,
              placebo_pre_rmspe_median=1.0)]
    assert all(s.counts for s in decide("unemployment_rate", ok).standings)


def test_primary_design_leads_and_is_replaced_only_when_it_does_not_count():
    results = [rec("its", -0.2, (-0.9, 0.5)), rec("sdid", -1.0, (-1.8, -0.2))]
    v = decide("unemployment_rate", results, primary="its")
    assert v.lead == "its" and v.category == "method_dependent"
    v = decide("unemployment_rate", results, [chk("its", "failed")], primary="its")
    assert v.lead == "sdid" and v.category == "clear_effect"


def test_no_effect_needs_the_interval_inside_the_relevant_effect():
    inside = [rec("its", -0.3, (-0.86, 0.28))]
    v = decide("unemployment_rate", inside)
    assert (v.category, v.rule) == ("no_effect", "R4")
    assert v.equivalence == {"low": -0.86, "high": 0.28} and v.relevant_effect == 1.0
    wide = [rec("its", -0.3, (-1.2, 0.6))]
    assert decide("unemployment_rate", wide).category == "insufficient"
    # the spec's smallest relevant effect moves the line
    assert decide("unemployment_rate", wide, relevant=1.5).category == "no_effect"
    # counts: on the relative interval, 15 % by default
    count = [rec("its", -5, (-20, 10), outcome="h", kind="count", relative_ci=[-0.12, 0.06])]
    v = decide("h", count)
    assert v.category == "no_effect" and v.relevant_scale == "relative"
    assert v.relevant_effect == pytest.approx(0.15)


def test_nothing_counts_means_insufficient_data():
    results = [rec("its", -0.3, None), rec("did", -1.0, (-2, -0.1), pretrend_p_value=0.01)]
    v = decide("unemployment_rate", results)
    assert (v.category, v.rule, v.lead) == ("insufficient", "R1", None)
    sentence = text.verdict_sentence(v.to_dict(), results, "sv")
    assert "data räcker inte" in sentence and "förtrenden avviker" in sentence


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_category_has_a_sentence_and_the_rules_text_names_the_rule(language):
    cases = {
        "clear_effect": [rec("its", -1.2, (-2.0, -0.4)), rec("sdid", -1.0, (-1.8, -0.2))],
        "method_dependent": [rec("its", -1.2, (-2.0, -0.4)), rec("sdid", -0.5, (-1.8, 0.2))],
        "no_effect": [rec("its", -0.3, (-0.86, 0.28))],
        "insufficient": [rec("its", -0.3, (-1.5, 0.9))],
    }
    for category, results in cases.items():
        v = decide("unemployment_rate", results).to_dict()
        assert v["category"] == category
        sentence = text.verdict_sentence(v, results, language)
        label = text.t(f"verdict.category.{category}", language)
        assert label in sentence.lower() or category == "method_dependent", sentence
        assert "{" not in sentence and "None" not in sentence
        rules = text.verdict_rules_text(v, results, language)
        assert v["rule"] in rules
    no_effect = decide("unemployment_rate", cases["no_effect"]).to_dict()
    sv = text.verdict_sentence(no_effect, cases["no_effect"], "sv")
    assert "en minskning större än 0,86 procentenheter" in sv and "kan uteslutas" in sv


def test_a_sensitivity_flip_of_the_lead_blocks_a_clear_effect():
    results = [rec("its", -1.2, (-2.0, -0.4)), rec("sdid", -1.0, (-1.8, -0.2))]
    assert decide("unemployment_rate", results).category == "clear_effect"
    flip = [{"outcome": "unemployment_rate", "design": "its", "variant": "phase_in_6",
             "flip": True, "status": "ok"}]
    v = decide("unemployment_rate", results, sensitivity=flip)
    assert v.category == "method_dependent"
    assert "sensitivity_flip" in v.standings[0].notes


def test_a_count_without_relative_interval_takes_its_share_of_the_pre_period_level():
    """The relevant effect of a count is a share (15 % by default, or the spec's); without a
    relative interval it applies to the pre-period mean, never as a number of households."""
    from evaluation.verdict import relevant_bound

    record = rec("its", -5, (-20, 10), outcome="h", kind="count")
    assert relevant_bound(record, None, 200.0) == (pytest.approx(30.0), "absolute")
    assert relevant_bound(record, 0.10, 200.0) == (pytest.approx(20.0), "absolute")
    assert relevant_bound(record, 0.10, None) == (None, "absolute")
