"""Donor pools chosen in the spec: members, reasons, the smallest p-value, errors, groups."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist

from evaluation import paths
from evaluation.data import demo as demo_module
from evaluation.data.demo import (
    TREATED_UNIT,
    build_demo,
    demo_groups,
    ensure_demo,
    load_demo,
    load_demo_groups,
    load_demo_units,
)
from evaluation.designs.donors import (
    MISSING,
    NEIGHBOUR,
    NOT_IN_GROUP,
    SAME_COUNTY,
    SIMILAR_REFORM,
    DonorPool,
    GroupTable,
    donor_pool,
    is_kommun,
    units_table_from_kommunkoder,
)
from evaluation.errors import DesignError, SpecError
from evaluation.spec import parse_spec

WINDOW = {"start": "2015-01", "end": "2023-03"}
KOLADA_GROUPS = "kolada/kolada_municipality_groups_long.csv"
KOMMUNKODER = "sweden/kommunkoder_290_lan_skrgrupp.csv"
ARBOGA = "1984"
# Kolada group G216099 "Liknande kommuner arbetsmarknad, Arboga, 2024" (Källa: Kolada).
ARBOGA_ARBETSMARKNAD = ["0562", "0583", "0687", "0881", "1083", "1781", "1961"]
# Kolada group G175909 "Liknande kommuner ekonomiskt bistånd, Arboga, 2023".
ARBOGA_BISTAND = ["0380", "1472", "1473", "1490", "1499", "2034", "2583"]


@pytest.fixture(scope="module")
def demo():
    panel, _ = load_demo()
    units = load_demo_units()
    groups = GroupTable.from_frame(load_demo_groups(), source="demo")
    return panel, units, groups


def _pool(demo, config, *, outcome="unemployment_rate", treated=TREATED_UNIT, panel=None,
          **kwargs) -> DonorPool:
    base_panel, units, groups = demo
    args = {"units": units, "groups": groups, **WINDOW, **kwargs}
    return donor_pool(panel if panel is not None else base_panel, treated=treated,
                      outcome=outcome, config=config, **args)


def _reasons(pool: DonorPool) -> dict[str, str]:
    return {d["unit"]: d["reason"] for d in pool.dropped}


def _nearest_reference(panel: pd.DataFrame, codes: list[str], rate: str, k: int = 7):
    """Independent nearest neighbours: groupby means and scipy's cdist on z-scores."""
    pre = panel[(panel["period"] < "2020-01") & panel["unit"].isin(codes)]
    means = pre.groupby(["unit", "measure"])["value"].mean().unstack()
    if rate == "households":
        pivot = pre.pivot_table(index=["unit", "period"], columns="measure", values="value")
        y = (pivot["households_assistance"] / pivot["population"] * 1000).groupby("unit").mean()
    else:
        y = means["unemployment_rate"]
    x = pd.DataFrame({"size": np.log(means["population"]), "y": y}).loc[codes]
    z = ((x - x.mean()) / x.std(ddof=0)).to_numpy()
    dist = cdist(z, z)
    out = {}
    for i, code in enumerate(codes):
        order = sorted((dist[i, j], codes[j]) for j in range(len(codes)) if j != i)
        out[code] = sorted(c for _, c in order[:k])
    return out


# --------------------------------------------------------------------------- pool kinds
def test_all_pool_is_every_other_kommun(demo):
    """Reference: the demo has 290 kommuner (docs of demo.py); pool = 289, p_min = 1/290 exactly."""
    pool = _pool(demo, None)
    panel, _, _ = demo
    kommuner = sorted(u for u in panel["unit"].unique() if len(u) == 4)
    assert len(kommuner) == 290
    assert pool.members == [u for u in kommuner if u != TREATED_UNIT]
    assert pool.n == 289 and pool.min_p_value == 1 / 290
    assert pool.dropped == [] and pool.pool == "all"
    assert all(is_kommun(u) for u in pool.members)


def test_kommungrupp_pool_is_the_units_table_group(demo):
    """Reference: load_demo_units' kommungrupp column (Exempelstad: Pendlingsort, 86 kommuner)."""
    _, units, _ = demo
    pool = _pool(demo, {"pool": "kommungrupp"})
    expected = sorted(units.loc[(units["kommungrupp"] == "Pendlingsort")
                                & (units["unit"] != TREATED_UNIT), "unit"])
    assert pool.group_title == "Pendlingsort"
    assert pool.members == expected and pool.n == 85
    assert pool.min_p_value == pytest.approx(1 / 86, abs=0)
    # Without a group table the same pool comes from the units table alone.
    alone = _pool(demo, {"pool": "kommungrupp"}, groups=None)
    assert alone.members == expected


def test_exclude_same_county_drops_the_county_with_its_reason(demo):
    """Reference: the demo's county 19 holds six Pendlingsort kommuner besides Exempelstad."""
    _, units, _ = demo
    pool = _pool(demo, {"pool": "kommungrupp", "exclude_same_county": True})
    same = sorted(units.loc[(units["kommungrupp"] == "Pendlingsort") & (units["lan"] == "19")
                            & (units["unit"] != TREATED_UNIT), "unit"])
    assert same == ["1902", "1905", "1924", "1925", "1973", "1982"]
    assert _reasons(pool) == dict.fromkeys(same, SAME_COUNTY)
    assert pool.n == 85 - 6 and not any(u.startswith("19") for u in pool.members)
    entry = pool.dropped[0]
    assert entry["reason_sv"] == "samma län" and entry["reason_en"] == "same county"
    assert entry["unit_name"] == units.set_index("unit").at[entry["unit"], "unit_name"]
    assert "utan kommuner i samma län" in pool.description_sv


@pytest.mark.parametrize(("outcome", "rate", "group_id"), [
    ("unemployment_rate", "unemployment", "DLA1987"),
    ("households_assistance", "households", "DLB1987"),
])
def test_liknande_default_family_follows_the_outcome(demo, outcome, rate, group_id):
    """Reference: 7 nearest kommuner recomputed with scipy cdist on z-scored (log population,
    pre-2020 mean outcome); exact set equality; a 7-member pool gives p_min = 1/8."""
    panel, units, _ = demo
    pool = _pool(demo, {"pool": "liknande"}, outcome=outcome)
    kommuner = sorted(units.loc[units["unit_type"] == "kommun", "unit"])
    reference = _nearest_reference(panel, kommuner, rate)
    assert pool.group_id == group_id
    assert pool.members == reference[TREATED_UNIT]
    assert pool.n == 7 and pool.min_p_value == 0.125
    assert "1/8 = 0,125" in pool.text("sv") and "1/8 = 0.125" in pool.text("en")


def test_liknande_family_named_in_group(demo):
    """Reference: group ids of demo_groups (DLA = arbetsmarknad, DLB = ekonomiskt bistånd)."""
    for group in ("Liknande kommuner, ekonomiskt bistånd", "ekonomiskt bistånd",
                  "liknande kommuner ekonomiskt bistånd"):
        pool = _pool(demo, {"pool": "liknande", "group": group})
        assert pool.group_id == "DLB1987"
    # An explicit group id or title is used as it is (here another kommun's group).
    pool = _pool(demo, {"pool": "liknande", "group": "DLA0649"})
    assert pool.group_id == "DLA0649" and TREATED_UNIT not in pool.members
    with pytest.raises(DesignError, match="arbetsmarknad, ekonomiskt bistånd") as info:
        _pool(demo, {"pool": "liknande", "group": "skola"})
    assert "skola" in info.value.text("en")


def test_list_pool_with_every_exclusion_in_order(demo):
    """Reference: the reasons the brief defines, first applicable one wins (county first)."""
    config = {
        "pool": "list",
        "units": ["0649", "1982", "0104", "0110", "0112", "1987"],
        "exclude_same_county": True,
        "exclude": ["1982", "0104", "2510"],  # 1982 is also same county; 2510 not in the list
        "similar_reforms": ["0110"],
    }
    pool = _pool(demo, config)
    assert pool.members == ["0112", "0649"]  # the treated unit 1987 is never a donor
    assert _reasons(pool) == {"1982": SAME_COUNTY, "0104": NEIGHBOUR, "0110": SIMILAR_REFORM,
                              "2510": NOT_IN_GROUP}
    assert pool.dropped_counts() == {SAME_COUNTY: 1, NEIGHBOUR: 1, SIMILAR_REFORM: 1,
                                     NOT_IN_GROUP: 1}
    assert pool.min_p_value == 1 / 3
    text = pool.text("en")
    assert "listed neighbour" in text and "was not in the group" in text


def test_missing_or_suppressed_data_in_the_window_drops(demo):
    """Reference: the brief's rule — any NaN, suppressed status or absent period of the outcome
    in [start, end] drops a unit; a gap outside the window or in another measure does not."""
    panel, _, _ = demo
    broken = panel.copy()
    measure = broken["measure"] == "unemployment_rate"
    broken.loc[measure & (broken["unit"] == "0649") & (broken["period"] == "2018-05"),
               "value"] = np.nan
    broken.loc[measure & (broken["unit"] == "0104") & (broken["period"] == "2023-03"),
               "status"] = "suppressed"
    broken = broken[~(measure & (broken["unit"] == "0110") & (broken["period"] == "2015-01"))]
    broken.loc[measure & (broken["unit"] == "0112") & (broken["period"] == "2023-04"),
               "value"] = np.nan  # after the window
    broken.loc[(broken["measure"] == "households_assistance") & (broken["unit"] == "0124"),
               "value"] = np.nan  # another outcome
    pool = _pool(demo, {"pool": "list", "units": ["0649", "0104", "0110", "0112", "0124"]},
                 panel=broken)
    assert pool.members == ["0112", "0124"]
    assert _reasons(pool) == dict.fromkeys(["0104", "0110", "0649"], MISSING)
    households = _pool(demo, None, outcome="households_assistance", panel=broken)
    assert _reasons(households) == {"0124": MISSING} and households.n == 288


# --------------------------------------------------------------------------- errors
def test_unknown_codes_are_named(demo):
    """Reference: the brief — unknown codes in units/exclude lists raise a DesignError naming
    them (with the YAML line when the spec's lines are given)."""
    with pytest.raises(DesignError) as info:
        _pool(demo, {"exclude": ["9999", "0104", "9998"]}, lines={"donors.exclude": 12})
    assert "9999, 9998" in str(info.value) and "(rad 12)" in str(info.value)
    assert "(line 12)" in info.value.text("en") and str(info.value).endswith(".")
    with pytest.raises(DesignError, match="0001"):
        _pool(demo, {"pool": "list", "units": ["0001", "0104"]})  # a region, not a kommun


def test_too_small_pool_says_what_emptied_it(demo):
    """Reference: the brief — fewer than two donors raises, naming the exclusions and the fix."""
    liknande = _pool(demo, {"pool": "liknande"}).members
    with pytest.raises(DesignError) as info:
        _pool(demo, {"pool": "liknande", "exclude": liknande[:5], "similar_reforms":
                     liknande[5:6]}, lines={"donors": 9})
    sv, en = str(info.value), info.value.text("en")
    assert "har 1 kommun av 7 sedan dessa tagits bort – angiven granne: 5, liknande reform: 1" in sv
    assert "korta listan exclude" in sv and "pool: all" in sv and "(rad 9)" in sv
    assert "shorten the exclude list" in en and "shorten the similar_reforms list" in en
    with pytest.raises(DesignError, match="ange fler kommuner under units"):
        _pool(demo, {"pool": "list", "units": ["0104"]})
    with pytest.raises(DesignError, match="exclude_same_county: false"):
        _pool(demo, {"pool": "list", "units": ["1982", "1973", "0104"],
                     "exclude_same_county": True})


def test_other_errors(demo):
    """Reference: the brief — liknande needs a group table; config errors are SpecErrors."""
    with pytest.raises(DesignError, match="grupptabell"):
        _pool(demo, {"pool": "liknande"}, groups=None)
    with pytest.raises(DesignError, match="donors.group"):
        _pool(demo, {"pool": "kommungrupp", "group": "Huvudstad"})
    with pytest.raises(DesignError, match="kommungrupp"):
        _pool(demo, {"pool": "kommungrupp"}, units=None, groups=None)
    with pytest.raises(DesignError, match="saknar måttet"):
        _pool(demo, None, outcome="sysselsättning")
    with pytest.raises(SpecError, match="donors.pool"):
        _pool(demo, {"pool": "grannar"})


def test_to_dict_is_json_and_complete(demo):
    """Reference: DonorPool fields; json.dumps must succeed (summary.json)."""
    pool = _pool(demo, {"pool": "kommungrupp", "exclude_same_county": True})
    record = json.loads(json.dumps(pool.to_dict(), ensure_ascii=False))
    assert record["n"] == pool.n == len(record["members"])
    assert record["min_p_value"] == 1 / 80
    assert record["dropped_counts"] == {SAME_COUNTY: 6}
    assert record["window"] == ["2015-01", "2023-03"] and record["config"]["pool"] == "kommungrupp"
    assert record["member_names"]["0649"] == "Kontrollby"
    assert pool.text("sv").count(".") == 1  # one sentence (the decimal is a comma)


# --------------------------------------------------------------------------- demo groups
def test_demo_groups_shape_and_determinism(demo):
    """Reference: the brief — per kommun one arbetsmarknad and one ekonomiskt bistånd group of 7
    other kommuner; kommungrupp and county groups partition the kommuner; deterministic."""
    panel, units, groups = demo
    frame = groups.frame
    kommuner = units[units["unit_type"] == "kommun"]
    titles = groups.titles()
    for prefix in ("DLA", "DLB"):
        similar = frame[frame["group_id"].str.startswith(prefix)]
        sizes = similar.groupby("group_id").size()
        assert len(sizes) == 290 and (sizes == 7).all()
        owners = similar["group_id"].str[3:]
        assert not (owners == similar["member_id"]).any()
    for pattern, column in ((r"^DKG\d{2}$", "kommungrupp"), (r"^DL\d{2}$", "lan")):
        part = frame[frame["group_id"].str.match(pattern)]
        assert sorted(part["member_id"]) == sorted(kommuner["unit"])  # a partition
        values = part["member_id"].map(kommuner.set_index("unit")[column])
        assert values.groupby(part["group_id"]).nunique().eq(1).all()
    assert titles["DLA1987"] == "Liknande kommuner, arbetsmarknad, Exempelstad"
    assert titles["DL19"] == "Järnbygdens läns kommuner"
    again = demo_groups(panel, units)
    pd.testing.assert_frame_equal(again, demo_groups(panel.sample(frac=1, random_state=1),
                                                     units))


def test_older_demo_build_gets_its_groups_without_resimulating(tmp_path, monkeypatch):
    """Reference: an older build had every processed file but groups.parquet; ensure_demo must
    add it (same table as a fresh build) and leave every other file byte-identical."""
    monkeypatch.setenv(paths.HOME_VARIABLE, str(tmp_path))
    folder = build_demo()
    fresh = pd.read_parquet(folder / "groups.parquet")
    manifest = json.loads((folder / "demo.json").read_text())
    assert "groups.parquet" in manifest["files"]
    (folder / "groups.parquet").unlink()
    manifest["files"].remove("groups.parquet")
    (folder / "demo.json").write_text(json.dumps(manifest))
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".parquet"}

    def no_simulation(**kwargs):
        raise AssertionError("the demo was simulated again")

    monkeypatch.setattr(demo_module, "simulate", no_simulation)
    assert ensure_demo() == folder
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "groups.parquet"), fresh)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".parquet"}
    assert {k: v for k, v in after.items() if k != "groups.parquet"} == before
    assert "groups.parquet" in json.loads((folder / "demo.json").read_text())["files"]
    (folder / "groups.parquet").unlink()  # load_demo_groups repairs it too
    assert len(load_demo_groups()) == len(fresh)


# --------------------------------------------------------------------------- real Kolada groups
@pytest.fixture(scope="module")
def kolada(shared_data):
    groups = GroupTable.from_path(shared_data / KOLADA_GROUPS)
    units = units_table_from_kommunkoder(shared_data / KOMMUNKODER)
    periods = [f"{y}-{m:02d}" for y in (2022, 2023) for m in range(1, 13)]
    rng = np.random.default_rng(1984)
    rows = [(u, n, p, measure, float(rng.uniform(1, 10)))
            for u, n in zip(units["unit"], units["unit_name"], strict=True)
            for p in periods for measure in ("unemployment_rate", "households_assistance")]
    panel = pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])
    return groups, units, panel


def test_kolada_group_table_has_arboga_similar_groups(kolada):
    """Reference: kolada_municipality_groups_long.csv (Kolada via rKolada @8afe11f9): Arboga has
    12 "Liknande kommuner" families, each of 7 four-digit kommun codes; G216099's members."""
    groups, units, _ = kolada
    similar = groups.similar_groups(ARBOGA)
    assert len(similar) == 12 and similar["family"].is_unique
    assert "liknande kommuner arbetsmarknad" in set(similar["family"])
    assert "liknande kommuner övergripande" in set(similar["family"])
    for group_id in similar["group_id"]:
        members = groups.members(group_id)
        assert len(members) == 7 and all(is_kommun(u) for u in members)
        assert set(members) <= set(units["unit"]) and ARBOGA not in members
    assert groups.members("G216099") == ARBOGA_ARBETSMARKNAD
    member_of = set(groups.groups_for(ARBOGA)["group_title"])
    assert {"Pendlingskommun nära mindre tätort (ovägt medel)", "Alla kommuner (ovägt medel)",
            "Västmanlands läns kommuner (ovägt medel)"} <= member_of
    assert len(units) == 290 and units["unit"].str.len().eq(4).all()
    assert units.set_index("unit").at["0114", "unit_name"] == "Upplands Väsby"


def test_kolada_pools_for_arboga(kolada):
    """Reference: Kolada groups G216099 / G175909 and the SKR kommungrupp column of
    kommunkoder_290_lan_skrgrupp.csv (Arboga: Pendlingskommun nära mindre tätort, 51 kommuner);
    Hallstahammar (1961) is Arboga's only same-county peer in G216099."""
    groups, units, panel = kolada
    args = {"units": units, "groups": groups, "start": "2022-01", "end": "2023-12"}
    pool = donor_pool(panel, treated=ARBOGA, outcome="unemployment_rate",
                      config={"pool": "liknande", "exclude_same_county": True}, **args)
    assert pool.group_id == "G216099"
    assert pool.members == [u for u in ARBOGA_ARBETSMARKNAD if u != "1961"]
    assert _reasons(pool) == {"1961": SAME_COUNTY} and pool.min_p_value == 1 / 7
    assert pool.dropped[0]["unit_name"] == "Hallstahammar"
    households = donor_pool(panel, treated=ARBOGA, outcome="households_assistance",
                            config={"pool": "liknande"}, **args)
    assert households.members == ARBOGA_BISTAND and households.group_id == "G175909"
    group = donor_pool(panel, treated=ARBOGA, outcome="unemployment_rate",
                       config={"pool": "kommungrupp"}, **args)
    assert group.group_title == "Pendlingskommun nära mindre tätort (ovägt medel)"
    assert group.n == 50
    # Without a units table (a user's fetched data): the kommungrupp comes from Kolada's
    # groups of SKR's kommungrupper, and gives the same pool.
    from_groups = donor_pool(panel, treated=ARBOGA, outcome="unemployment_rate",
                             config={"pool": "kommungrupp"}, units=None, groups=groups,
                             start="2022-01", end="2023-12")
    assert groups.kommungrupp_of(ARBOGA) == "Pendlingskommun nära mindre tätort (ovägt medel)"
    assert from_groups.members == group.members
    county = donor_pool(panel, treated=ARBOGA, outcome="unemployment_rate",
                        config={"pool": "kommungrupp", "group": "Västmanlands läns kommuner"},
                        **args)
    assert county.members == ["1904", "1907", "1960", "1961", "1962", "1980", "1981", "1982",
                              "1983"]


# --------------------------------------------------------------------------- spec
def test_spec_donors_block_reaches_the_pool(demo):
    """Reference: spec.parse_spec keeps unquoted codes as text ("0104", not the integer 68)."""
    spec = parse_spec('evaluation_id: t\ndata: demo\ntreated: "1987"\nintervention: 2022-04\n'
                      "donors:\n  pool: list\n  units: [0104, 0110, 0649]\n  exclude: [0110]\n")
    pool = _pool(demo, spec.donors, lines=spec.lines)
    assert pool.members == ["0104", "0649"] and _reasons(pool) == {"0110": NEIGHBOUR}


def test_a_lan_gets_the_other_lan_as_donors(demo):
    """A treated county is compared with counties (the comparison-group designs used to skip a
    län with 'har inga andra kommuner att jämföra med')."""
    panel = demo[0]
    pool = donor_pool(panel, treated="19", outcome="unemployment_rate", config=None, units=None,
                      groups=None, **WINDOW)
    lan = sorted(u for u in panel["unit"].unique() if len(u) == 2 and u not in ("00", "19"))
    assert pool.members == lan and pool.unit_type == "lan"
    assert pool.description_sv == "alla län i data"
    assert f": {len(lan)} län;" in pool.text()
    listed = donor_pool(panel, treated="19", outcome="unemployment_rate",
                        config={"pool": "list", "units": ["01", "03", "04"],
                                "exclude": ["03"]}, units=None, groups=None, **WINDOW)
    assert listed.members == ["01", "04"]
    only = panel[panel["unit"].isin(["19", "00", "1987"])]
    with pytest.raises(DesignError, match="har inga andra län att jämföra med"):
        donor_pool(only, treated="19", outcome="unemployment_rate", config=None, units=None,
                   groups=None, **WINDOW)
