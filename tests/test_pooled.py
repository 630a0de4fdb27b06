"""Pooled evidence from every kommun that made the same change (issue 15, part 3).

References: the known effects below are those injected into the simulated panel of
:func:`_panel` (−1.0 percentage point on the rate and −2.0 households per 1 000 inhabitants
from the year of adoption on); tolerances are the estimate's own 95 % interval (it must cover
the truth and exclude zero). On the demo the flags are simulated independently of the outcomes
(:func:`evaluation.data.demo.demo_flags`), so the pooled interval must cover zero.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evaluation import pooled as P
from evaluation.data.panel import period_range
from evaluation.errors import SpecError
from evaluation.report import pooled_report as R
from evaluation.report.language import leaks
from evaluation.spec import parse_spec, settings_key, validate_pooled

BASE = ('evaluation_id: t\ndata: demo\ntreated: "1987"\nintervention: 2022-04\n'
        "outcomes: [unemployment_rate, households_assistance]\n")


# --------------------------------------------------------------------------- spec
@pytest.mark.parametrize("block, key, line, value", [
    ("pooled: yes\n", "pooled", 6, "'yes'"),
    ("pooled:\n  flagg: demo\n", "pooled.flagg", 7, "pooled are flag"),
    ("pooled:\n  flag: demo\n  adopters: {\"0114\": 2019}\n", "pooled", 6, "adopters"),
    ("pooled:\n  control: never\n", "pooled", 6, "adopters"),
    ("pooled:\n  flag: [a.csv, b.csv]\n", "pooled.flag", 7, "a.csv"),
    ("pooled:\n  adopters: [\"0114\"]\n", "pooled.adopters", 7, "0114"),
    ("pooled:\n  adopters: {\"19x7\": 2022}\n", "pooled.adopters", 7, "'19x7'"),
    ("pooled:\n  adopters: {\"1987\": 22}\n", "pooled.adopters", 7, "'22'"),
    ("pooled:\n  flag: demo\n  control: sometimes\n", "pooled.control", 8, "'sometimes'"),
    ("pooled:\n  flag: demo\n  method: ols\n", "pooled.method", 8, "'ols'"),
])
def test_spec_errors_name_the_key_line_and_value_in_one_sentence(block, key, line, value):
    with pytest.raises(SpecError) as info:
        parse_spec(BASE + block)
    error = info.value
    for message, where in ((error.sv, f"Fältet '{key}' (rad {line}) "),
                           (error.en, f"The field '{key}' (line {line}) ")):
        assert message.startswith(where), message
        assert message.endswith(".") and "\n" not in message, message
    assert value in error.en


def test_spec_values_and_settings_key():
    spec = parse_spec(BASE + "pooled:\n  adopters: {114: 2019, \"1987\": 2022}\n")
    assert spec.pooled == {"flag": None, "adopters": {"0114": 2019, "1987": 2022},
                           "control": "notyet", "method": "dr"}
    assert validate_pooled(spec.pooled) == spec.pooled  # papermill's value validates to itself
    assert parse_spec(BASE + "pooled:\n  flag: demo\n  control: never\n").pooled["control"] \
        == "never"
    plain = parse_spec(BASE)
    assert plain.pooled == {}
    # a spec without the block keeps the settings key it had before the block existed
    import hashlib
    import json

    values = plain.parameters()
    values.pop("pooled")
    old = hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False,
                                    default=str).encode()).hexdigest()[:6]
    assert settings_key(plain) == old != settings_key(parse_spec(BASE + "pooled:\n  flag: demo\n"))


# --------------------------------------------------------------------------- simulated panel
ADOPTERS = {2018: 8, 2019: 8, 2020: 8}


def _panel(effect_rate=-1.0, effect_per_1000=-2.0, n=80, seed=3) -> tuple[pd.DataFrame, dict]:
    """A monthly panel of ``n`` kommuner 2015–2022 with a common trend, kommun levels and small
    noise; the adopters (cohorts :data:`ADOPTERS`, the first of them 1987 in 2019) get the
    effects from January of their year on."""
    rng = np.random.default_rng(seed)
    periods = period_range("2015-01", "2022-12")
    years = np.array([int(p[:4]) for p in periods])
    codes = ["1987"] + [f"{1000 + i:04d}" for i in range(1, n)]
    first = {}
    k = 1
    for year, size in ADOPTERS.items():
        for _ in range(size - (1 if year == 2019 else 0)):
            first[codes[k]] = year
            k += 1
    first["1987"] = 2019
    trend = 6 + 0.3 * np.sin(np.arange(len(periods)) / 9)
    rows = []
    for code in codes:
        pop = float(rng.integers(8_000, 60_000))
        level = rng.normal(0, 1)
        share = 20 + rng.normal(0, 3)  # households per 1 000
        treated = (years >= first[code]) if code in first else np.zeros(len(periods), bool)
        rate = trend + level + rng.normal(0, 0.15, len(periods)) + effect_rate * treated
        per = share + 0.5 * trend - 3 + rng.normal(0, 0.3, len(periods)) \
            + effect_per_1000 * treated
        for i, p in enumerate(periods):
            rows += [(code, f"Ort {code}", p, "unemployment_rate", rate[i]),
                     (code, f"Ort {code}", p, "households_assistance", per[i] * pop / 1000),
                     (code, f"Ort {code}", p, "population", pop)]
    panel = pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])
    return panel, first


def _flags(first: dict, codes, years=range(2015, 2023)) -> pd.DataFrame:
    return pd.DataFrame([(c, y, int(c in first and y >= first[c])) for c in codes for y in years],
                        columns=["unit", "year", "flag"])


def _evidence(panel, block, **kw):
    kw = {"treated": "1987", "intervention": "2019-01", "post_window": ("2019-01", "2019-12"),
          "outcomes": ["unemployment_rate", "households_assistance"]} | kw
    return P.pooled_evidence(panel, block, **kw)


def test_known_effect_recovered_end_to_end(tmp_path):
    panel, first = _panel()
    path = tmp_path / "flag.csv"
    _flags(first, sorted(panel["unit"].unique())).to_csv(path, index=False, sep=";")
    evidence = _evidence(panel, {"flag": "flag.csv", "control": "notyet", "method": "dr"},
                         base_dir=tmp_path)
    records = {"unemployment_rate": {"design": "its", "average_effect": -0.9,
                                     "ci": [-1.3, -0.5], "ci_level": 0.95,
                                     "post_window": ["2019-01", "2019-12"]},
               "households_assistance": {"design": "its", "average_effect": -50.0,
                                         "ci": [-80.0, -20.0], "ci_level": 0.95,
                                         "post_window": ["2019-01", "2019-12"]}}
    evidence.place_own(records)
    d = evidence.to_dict()
    assert d["n_adopters"] == 24 and d["treated"]["cohort"] == 2019 and not d["excluded"]
    for outcome, truth in (("unemployment_rate", -1.0), ("households_assistance", -2.0)):
        o = d["outcomes"][outcome]
        lo, hi = o["simple"]["ci"]
        assert lo < truth < hi and hi < 0, (outcome, o["simple"])
        assert o["pretrend"]["p_value"] > 0.01
        for c in o["cohorts"]:
            assert abs(c["att"] - truth) < 4 * c["se"]
        # the kommun's own cohort-of-one effect recovers its effect too
        own = o["own_cohort"]
        assert abs(own["estimate"] - truth) < 4 * own["se"]
    # the count's own estimate is put on the per 1 000 scale with the kommun's population
    pop = panel.loc[(panel["unit"] == "1987") & (panel["measure"] == "population"), "value"]
    own = d["outcomes"]["households_assistance"]["own"]
    assert own["source"] == "lead_design" and own["estimate"] == pytest.approx(
        -50.0 / pop.iloc[0] * 1000)
    assert own["event_times"] == [0, 0]
    rate = d["outcomes"]["unemployment_rate"]
    assert rate["own"]["estimate"] == -0.9 and rate["placement"]["cohort"] == 2019
    text = R.pooled_text(d, "sv")
    assert text.count("efter förändringen låg kommunerna som gjort den i genomsnitt lägre") == 2
    # a not-testable lead estimate: the kommun's own yearly effect is placed instead
    evidence.place_own({"unemployment_rate": dict(records["unemployment_rate"], ci=None)})
    placed = evidence.to_dict()["outcomes"]["unemployment_rate"]["own"]
    assert placed["source"] == "own_cohort"
    assert "kan inte räknas om till samma skala" in R.pooled_text(evidence.to_dict(), "sv")


def test_every_exclusion_reason(tmp_path):
    panel, first = _panel(n=40)
    codes = sorted(panel["unit"].unique())
    flags = _flags(first, codes, years=range(2014, 2023))  # 2014: before the panel starts
    never = [c for c in codes if c not in first and c != "1987"]
    always, back, gap, noflag, missing, neighbour, short, early = never[:8]
    flags.loc[flags["unit"] == always, "flag"] = 1
    flags.loc[(flags["unit"] == back) & flags["year"].between(2017, 2018), "flag"] = 1
    flags.loc[(flags["unit"] == gap) & (flags["year"] >= 2019), "flag"] = 1
    flags = flags[~((flags["unit"] == gap) & (flags["year"] == 2018))]
    flags.loc[flags["unit"] == noflag, "flag"] = np.nan
    flags = flags[flags["unit"] != missing]
    # flagged from the panel's first year, with a 0 in the year before it (not in the panel)
    flags.loc[(flags["unit"] == early) & (flags["year"] >= 2015), "flag"] = 1
    panel = panel[~((panel["unit"] == short) & (panel["period"] == "2016-05"))]
    flags.to_csv(tmp_path / "f.csv", index=False)
    d = _evidence(panel, {"flag": "f.csv", "control": "notyet"}, base_dir=tmp_path,
                  exclude=[neighbour]).to_dict()
    reasons = {e["unit"]: e["code"] for e in d["excluded"]}
    assert reasons == {always: "always_treated", back: "switch_back",
                       gap: "adoption_year_unknown", noflag: "no_flag",
                       missing: "excluded_by_caller", neighbour: "excluded_by_spec",
                       short: "unbalanced", early: "no_pre_period"}
    sv = R.pooled_text(d, "sv")
    assert "8 kommuner ingår inte" in sv and "som gick tillbaka" in sv
    listing = R.exclusions_text(d, "sv")
    assert listing.count("\n- ") == 8 and f"Ort {back} ({back})" in listing


def test_explicit_adopters_and_errors(tmp_path):
    panel, first = _panel(n=40)
    d = _evidence(panel, {"adopters": {c: y for c, y in first.items() if c != "1987"}
                          | {"9999": 2019}, "control": "never"}).to_dict()
    # the evaluated kommun is not listed: it is counted from its intervention's year
    assert d["treated"]["cohort"] == 2019 and d["source"]["not_in_data"] == ["9999"]
    assert "räknas här från 2019" in R.pooled_text(d, "sv")
    with pytest.raises(SpecError, match="pooled.flag"):
        _evidence(panel, {"flag": "saknas.csv"}, base_dir=tmp_path)
    (tmp_path / "bad.csv").write_text("kommun,year,flag\n0114,2019,1\n", encoding="utf-8")
    with pytest.raises(Exception, match="unit"):
        _evidence(panel, {"flag": "bad.csv"}, base_dir=tmp_path)


# --------------------------------------------------------------------------- demo
@pytest.fixture(scope="module")
def demo_pooled():
    from evaluation.data import demo

    panel, _ = demo.load_demo("monthly")
    evidence = P.pooled_evidence(
        panel, {"flag": "demo", "control": "notyet", "method": "dr"}, treated="1987",
        intervention="2022-04", post_window=("2022-04", "2023-03"),
        outcomes=["unemployment_rate", "households_assistance"], treated_name="Exempelstad")
    records = {o: {"design": "its", "average_effect": x, "ci": ci, "ci_level": 0.95,
                   "post_window": ["2022-04", "2023-03"]}
               for o, x, ci in (("unemployment_rate", -0.8, [-1.6, 0.0]),
                                ("households_assistance", -22.6, [-49.9, 1.1]))}
    evidence.place_own(records)
    from evaluation.results import clean_json

    return clean_json(evidence.to_dict())


def test_demo_shows_no_average_effect_and_places_exempelstad(demo_pooled):
    d = demo_pooled
    assert d["source"]["simulated"] and d["treated"] == {"code": "1987", "name": "Exempelstad",
                                                         "cohort": 2022}
    assert d["n_adopters"] == 41 and d["cohort_years"] == list(range(2016, 2024))
    codes = [e["code"] for e in d["excluded"]]
    assert codes.count("always_treated") == 6 and codes.count("switch_back") == 3
    for o in d["outcomes"].values():
        lo, hi = o["simple"]["ci"]
        assert lo < 0 < hi, o["simple"]
        place = o["placement"]
        assert place["cohort"] == 2022 and place["percentile_att_gt"] is not None
        assert o["own"]["source"] == "lead_design"
    assert d["outcomes"]["households_assistance"]["scale"] == "per_1000"
    sv = R.pooled_text(d, "sv")
    assert sv.count("visar ingen påvisbar genomsnittlig effekt") == 2
    assert "simulerade och saknar samband med utfallen" in sv
    assert "Exempelstads egen skattning" in sv
    names = ["Exempelstad"]
    assert leaks(sv, "sv", names) == [] and leaks(R.pooled_text(d, "en"), "en", names) == []


def test_demo_figure_and_table(demo_pooled, tmp_path):
    from evaluation.report.tables import write_table

    fig = R.pooled_figure(demo_pooled, "households_assistance", "sv", True,
                          source="demo (simulerade data)")
    ax = fig.axes[0]
    assert "samma förändring" in " ".join(ax.get_title(loc="left").split())
    assert "hushåll per" in ax.get_ylabel() and ax.get_xlabel() == "År sedan förändringen"
    assert any(t.get_gid() == "source" and t.get_text().startswith("Källa:") for t in fig.texts)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[0].startswith("Åren före")
    assert labels[-1].startswith("Egen skattning för Exempelstad")
    table = R.pooled_table(demo_pooled, "sv")
    assert list(table["Införandeår"])[:-1] == [str(y) for y in range(2016, 2024)]
    xlsx, csv = write_table(table, tmp_path, "samma_forandring", simulated=True,
                            source="demo (simulerade data)")
    raw = pd.read_csv(csv)
    col = "Hushåll med ekonomiskt bistånd: effekt"
    assert math.isclose(raw[col].iloc[-1],
                        demo_pooled["outcomes"]["households_assistance"]["simple"]["att"])
    assert xlsx.stat().st_size > 0
