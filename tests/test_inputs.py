"""Invalid data fails before any notebook runs, with one sentence naming the problem and the fix."""

from __future__ import annotations

import pytest

from evaluation.errors import DataError, SpecError
from evaluation.inputs import load_inputs
from evaluation.spec import parse_spec

from _panels import small_panel, spec_text


def _inputs(tmp_path, panel, **kw):
    path = tmp_path / "panel.csv"
    panel.to_csv(path, index=False)
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(spec_text("panel.csv", **kw), encoding="utf-8")
    spec = parse_spec(spec_path.read_text(), path=str(spec_path))
    return load_inputs(spec)


def test_valid_panel_loads_and_keeps_codes(tmp_path):
    inputs = _inputs(tmp_path, small_panel())
    assert inputs.treated == "0110" and inputs.treated_name == "Ort 0"
    assert inputs.data_vintage.startswith("2023-12-") and len(inputs.data_vintage) == 16
    assert inputs.dropped == {}


def test_treated_by_name(tmp_path):
    inputs = _inputs(tmp_path, small_panel(), treated="ort 3")
    assert inputs.treated == "0113"


def test_unknown_unit(tmp_path):
    with pytest.raises(SpecError, match=r"Fältet 'treated' \(rad 3\) '9999' finns inte i data"):
        _inputs(tmp_path, small_panel(), treated="9999")


def test_intervention_outside_data(tmp_path):
    with pytest.raises(SpecError, match=r"'intervention' \(rad 4\) \(2025-01\) ligger utanför data"):
        _inputs(tmp_path, small_panel(), intervention="2025-01")


def test_pre_period_too_short_monthly(tmp_path):
    with pytest.raises(SpecError, match="ger bara 12 månader förperiod .* minst 24 månader"):
        _inputs(tmp_path, small_panel(), intervention="2020-01")


def test_pre_period_too_short_yearly(tmp_path):
    panel = small_panel()
    panel = panel[panel["period"].str.endswith("-01")].assign(period=lambda d: d["period"].str[:4])
    with pytest.raises(SpecError, match="ger bara 3 år förperiod .* minst 6 år"):
        _inputs(tmp_path, panel, intervention="2022")


def test_wrong_period_format_for_data(tmp_path):
    with pytest.raises(SpecError, match="inte samma periodformat som data"):
        _inputs(tmp_path, small_panel(), intervention="2022")


def test_missing_period_for_treated(tmp_path):
    panel = small_panel()
    panel = panel[~((panel["unit"] == "0110") & (panel["period"] == "2021-06")
                    & (panel["measure"] == "unemployment_rate"))]
    with pytest.raises(DataError, match=r"saknar unemployment_rate för Ort 0 \(0110\) för 2021-06"):
        _inputs(tmp_path, panel)


def test_duplicated_period(tmp_path):
    panel = small_panel()
    import pandas as pd

    panel = pd.concat([panel, panel.iloc[[5]]])
    with pytest.raises(DataError, match="dubbla rader för 0110"):
        _inputs(tmp_path, panel)


def test_non_numeric_value(tmp_path):
    panel = small_panel()
    panel["value"] = panel["value"].astype(object)
    panel.iloc[7, panel.columns.get_loc("value")] = "sju"
    with pytest.raises(DataError, match="icke-numeriskt värde 'sju'"):
        _inputs(tmp_path, panel)


def test_suppressed_treated_value_is_fatal(tmp_path):
    panel = small_panel()
    panel["status"] = "final"
    mask = (panel["unit"] == "0110") & (panel["period"] == "2022-08") & (
        panel["measure"] == "households_assistance")
    panel.loc[mask, "status"] = "suppressed"
    with pytest.raises(DataError, match="households_assistance i Ort 0 2022-08 är skyddat"):
        _inputs(tmp_path, panel)


def test_suppressed_comparison_unit_is_dropped_and_named(tmp_path):
    panel = small_panel()
    panel["status"] = "final"
    mask = (panel["unit"] == "0112") & (panel["period"] == "2022-08")
    panel.loc[mask, "status"] = "suppressed"
    inputs = _inputs(tmp_path, panel)
    assert inputs.dropped == {"0112": "skyddade värden"}
    assert "0112" not in set(inputs.panel["unit"])


def test_unknown_comparison_code(tmp_path):
    with pytest.raises(SpecError, match="'comparison' .* nämner 7777"):
        _inputs(tmp_path, small_panel(), extra='comparison: ["0111", "7777"]\n')


def test_unknown_outcome(tmp_path):
    panel = small_panel()
    panel = panel[panel["measure"] != "households_assistance"]
    with pytest.raises(SpecError, match="nämner 'households_assistance', som inte finns i data"):
        _inputs(tmp_path, panel)


def test_missing_data_file(tmp_path):
    spec = parse_spec(spec_text("finns_inte.csv"), path=str(tmp_path / "s.yaml"))
    with pytest.raises(SpecError, match="'data' .* pekar på finns_inte.csv, som inte finns"):
        load_inputs(spec)


def test_malformed_file(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    spec = parse_spec(spec_text("panel.csv"), path=str(tmp_path / "s.yaml"))
    with pytest.raises(DataError, match="saknar kolumnerna unit, unit_name, period, measure, value"):
        load_inputs(spec)


def test_outcome_kinds_resolved_once_spec_data_kolada_shipped(monkeypatch):
    """Precedence: the spec's outcome_kinds, the panel's kind column, Kolada's KPI title, the
    shipped list; an outcome nobody declared is a level in neutral units."""
    import pandas as pd

    from evaluation.inputs import resolve_measures
    from evaluation.sources import kolada

    catalog = pd.DataFrame({"id": ["N31001", "N31910"],
                            "title": ["Kostnad ekonomiskt bistånd, kr/inv",
                                      "Biståndshushåll, ekonomiskt bistånd, antal"]})
    monkeypatch.setattr(kolada, "fetch_kpi_catalog", lambda **kw: catalog)
    spec = parse_spec(
        "evaluation_id: t\ntreated: \"0110\"\nintervention: 2020\n"
        "outcomes: [cost, households_assistance, own, paket, unemployment_rate]\n"
        "sources:\n  cost: {source: kolada, kpi: N31001}\n"
        "  households_assistance: {source: kolada, kpi: N31910}\n"
        "  own: {source: file, path: x.csv, mapping: own_series_template}\n"
        "  paket: {source: file, path: x.csv, mapping: own_series_template}\n"
        "  unemployment_rate: {source: file, path: x.csv, mapping: own_series_template}\n"
        "outcome_kinds:\n  paket: {kind: level, unit_sv: paket per invånare}\n")
    panel = pd.DataFrame({"unit": "0110", "unit_name": "A", "period": "2020",
                          "measure": ["cost", "households_assistance", "own", "paket",
                                      "unemployment_rate"], "value": 1.0,
                          "kind": ["", "", "", "count", ""]})
    measures = resolve_measures(spec, panel)
    got = {name: (m.kind, m.unit_sv, m.origin) for name, m in measures.items()}
    assert got == {
        "cost": ("level", "kr per invånare", "kolada"),
        # Kolada agrees with the shipped measure: the shipped words are kept
        "households_assistance": ("count", "hushåll", "shipped"),
        "own": ("level", "enheter", "undeclared"),
        "paket": ("level", "paket per invånare", "spec"),  # the spec beats the data
        "unemployment_rate": ("rate", "procentenheter", "shipped"),
    }
    assert measures["cost"].label_sv == "Kostnad ekonomiskt bistånd, kr/inv"


def test_inputs_declare_the_measures_for_the_designs(tmp_path):
    """check_inputs registers what it resolved: the designs read it through measure_info."""
    from evaluation.data.panel import declare_measures, measure_info

    panel = small_panel()
    panel["kind"] = panel["measure"].map({"households_assistance": "level"}).fillna("")
    panel["unit_text"] = panel["measure"].map({"households_assistance": "hushåll"}).fillna("")
    try:
        inputs = _inputs(tmp_path, panel)
        assert inputs.measures["households_assistance"].kind == "level"
        assert measure_info("households_assistance").kind == "level"
        assert measure_info("unemployment_rate").kind == "rate"
    finally:
        declare_measures({})
    assert measure_info("households_assistance").kind == "count"


def test_design_post_requirements_names_what_each_design_needs():
    """The decomposition needs its later compare period inside the post window; the other
    designs one period after the change (the spec already guarantees it)."""
    from evaluation.inputs import design_post_requirements

    spec = parse_spec(spec_text("x.csv", extra="post_end: 2022-04\n"))
    needs = design_post_requirements(spec, post_end="2022-04", first="2019-01")
    assert needs["decomposition"]["needs"] == "2023-03" and not needs["decomposition"]["ok"]
    assert needs["decomposition"]["key"] == "post_end"
    assert "2023-03" in needs["decomposition"]["sv"] and "skipped" in needs["decomposition"]["en"]
    assert all(entry["ok"] for name, entry in needs.items() if name != "decomposition")
    assert design_post_requirements(spec, post_end="2023-03")["decomposition"]["ok"]


def test_a_short_post_window_is_a_note_and_conversions_are_recorded(tmp_path):
    path = tmp_path / "panel.csv"
    panel = small_panel()
    panel["value"] = panel["value"].map(lambda v: f"{v}".replace(".", ","))
    panel.to_csv(path, index=False, sep=";")
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(spec_text("panel.csv", extra="post_end: 2022-06\n"), encoding="utf-8")
    inputs = load_inputs(parse_spec(spec_path.read_text(), path=str(spec_path)))
    assert [n["design"] for n in inputs.design_notes] == ["decomposition"]
    assert "decomposition" in inputs.skipped_designs("unemployment_rate")
    assert any("semikolon" in note for note in inputs.conversion_notes("sv"))
    assert any("decimal comma" in note for note in inputs.conversion_notes("en"))
    assert inputs.data_info()["conversions"][0] == {"sv": inputs.conversions[0].sv,
                                                    "en": inputs.conversions[0].en}


def test_a_design_whose_window_is_missing_is_skipped_and_says_why(tmp_path):
    """post_end at the intervention month: the decomposition (which compares April 2022 with
    March 2023) is skipped with its sentence instead of reporting a twelve-month comparison;
    the ITS still answers."""
    from evaluation import paths
    from evaluation.data import demo
    from evaluation.evaluate import Evaluation
    from evaluation.spec import load_spec

    demo.ensure_demo()
    spec_path = tmp_path / "kort.yaml"
    text = (paths.params_dir() / "exempelstad.yaml").read_text(encoding="utf-8")
    assert "post_end: 2023-03" in text
    spec_path.write_text(text.replace("post_end: 2023-03", "post_end: 2022-04")
                         + "\ndesigns: [decomposition, its]\n", encoding="utf-8")
    ev = Evaluation.from_spec(load_spec(spec_path))
    results = ev.estimate()
    assert {r.design for r in results} == {"its"}
    reason = ev.skipped[("unemployment_rate", "decomposition")]
    assert "post_end" in reason.sv and "2023-03" in reason.sv
    assert "post_end" in reason.en


def test_the_whole_panel_is_read_once_and_kept_as_read(tmp_path, monkeypatch):
    """The descriptive sections (peers, target) read the whole panel — the dropped comparison
    unit included — from what :func:`load_inputs` read, not from a second read of the file."""
    import evaluation.inputs as inputs_module
    from evaluation.evaluate import Evaluation

    panel = small_panel()
    panel["status"] = "final"
    panel.loc[(panel["unit"] == "0112") & (panel["period"] == "2022-08"), "status"] = "suppressed"
    reads = []
    real = inputs_module.read_panel

    def counted(*args, **kwargs):
        reads.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(inputs_module, "read_panel", counted)
    inputs = _inputs(tmp_path, panel)
    full = Evaluation(inputs=inputs).full_panel
    assert len(reads) == 1
    assert full is inputs.as_read
    assert "0112" in set(full["unit"]) and "0112" not in set(inputs.panel["unit"])
    assert len(full) == len(panel)


# ---------------------------------------------------------- inputs handed to the notebook
def _handed(tmp_path, *, in_process=False, **kw):
    """Inputs read and handed over, marked so that a taken-over copy can be told from a new
    read (a new read never has the marker)."""
    from evaluation.inputs import hand_over

    inputs = _inputs(tmp_path, small_panel(), **kw)
    inputs.dropped["MARK"] = "handed over"
    return inputs, hand_over(inputs, tmp_path / ".checked-inputs.pickle", in_process=in_process)


@pytest.mark.parametrize("in_process", [False, True], ids=["file", "memory"])
def test_the_notebook_takes_over_the_inputs_the_command_checked(tmp_path, in_process):
    """In a file for a kernel, in memory for a notebook run in the command's process; in
    memory the notebook gets a copy, so what it changes is not what the command keeps."""
    from evaluation.inputs import handed_over, release, take_over
    from evaluation.spec import validate_values

    inputs, path = _handed(tmp_path, in_process=in_process)
    assert handed_over(path) and path.is_file() is not in_process
    # the notebook's spec is rebuilt from its parameters, as from_parameters does
    spec = validate_values(inputs.spec.parameters(), path=inputs.spec.path)
    got = take_over(spec, path)
    assert got.dropped.get("MARK") == "handed over" and got.spec is spec
    assert got.panel.equals(inputs.panel) and got.data_sha256 == inputs.data_sha256
    got.dropped["NOTEBOOK"] = "added"
    got.design_notes.append({"design": "x"})
    assert "NOTEBOOK" not in inputs.dropped and {"design": "x"} not in inputs.design_notes
    assert inputs.spec is not spec  # the command's own spec stays its own
    release(path)
    assert not handed_over(path) and "MARK" not in take_over(spec, path).dropped


@pytest.mark.parametrize("in_process", [False, True], ids=["file", "memory"])
@pytest.mark.parametrize("change", ["parameters", "spec_path", "data", "no_file", "cut_short"])
def test_the_notebook_reads_the_data_itself_when_the_handed_inputs_are_not_its_own(
        tmp_path, change, in_process):
    """Another spec, another spec file, a data file changed since it was checked, or nothing
    handed over: the inputs are read and checked again, never taken from the file."""
    from evaluation.inputs import release, take_over
    from evaluation.spec import validate_values

    if in_process and change == "cut_short":
        pytest.skip("no file to cut short in memory")
    inputs, path = _handed(tmp_path, in_process=in_process)
    parameters, spec_path = inputs.spec.parameters(), inputs.spec.path
    if change == "parameters":
        parameters = {**parameters, "seed": "7"}
    elif change == "spec_path":
        spec_path = str(tmp_path / "other.yaml")
    elif change == "data":
        frame = small_panel()
        frame.loc[0, "value"] = frame.loc[0, "value"] + 1.0
        frame.to_csv(tmp_path / "panel.csv", index=False)
    elif change == "cut_short":
        path.write_bytes(path.read_bytes()[:1000])
    else:
        release(path)
    got = take_over(validate_values(parameters, path=spec_path), path)
    release(path)
    assert "MARK" not in got.dropped
    assert take_over(validate_values(inputs.spec.parameters(), path=inputs.spec.path),
                     "").dropped.get("MARK") is None  # an empty path: read here


def test_inputs_that_cannot_be_written_are_not_handed_over(tmp_path, monkeypatch):
    """No room for the file: nothing is left behind, and the kernel reads the data itself."""
    from pathlib import Path

    from evaluation.inputs import hand_over

    inputs = _inputs(tmp_path, small_panel())

    def full(self, data):
        self.open("wb").write(data[:10])  # a part written, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    path = hand_over(inputs, tmp_path / ".checked-inputs.pickle")
    assert not path.exists()
