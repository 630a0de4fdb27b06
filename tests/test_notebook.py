"""The committed notebook: clean, parameters equal the demo spec, and it executes under nbval."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

from evaluation import paths
from evaluation.spec import load_spec


def _notebook() -> dict:
    return json.loads(paths.evaluate_notebook().read_text(encoding="utf-8"))


def test_committed_without_outputs_and_python3_kernel():
    nb = _notebook()
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_one_parameters_cell_of_literals_equal_to_the_demo_spec():
    nb = _notebook()
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse("".join(tagged[0]["source"]))
    values = {}
    for node in tree.body:
        assert isinstance(node, ast.Assign), "the parameters cell holds only assignments"
        values[node.targets[0].id] = ast.literal_eval(node.value)  # typed literals only
    spec = load_spec(paths.params_dir() / "exempelstad.yaml").parameters()
    assert {k: values[k] for k in spec} == spec
    assert set(values) - set(spec) == {"output_dir", "spec_path", "checked_inputs"}


def test_no_computation_in_the_notebook():
    """Every code cell is a library call: no loops over data, no imports beyond the library."""
    nb = _notebook()
    for cell in nb["cells"][1:]:
        src = "".join(cell["source"])
        for line in src.splitlines():
            if line.startswith(("import ", "from ")):
                assert line.startswith("from evaluation"), line
            assert not line.lstrip().startswith(("for ", "while ", "if ", "def ")), line


@pytest.mark.slow
def test_nbval_executes_the_committed_notebook(evaluation_home, tmp_path):
    """nbval runs every cell of the committed notebook, with its parameters cell set to the
    yearly demo spec (the monthly demo's own parameters are executed, through papermill, by
    tests/test_run.py; the yearly demo runs the same cells in a third of the time)."""
    import ast

    nb = _notebook()
    yearly = load_spec(paths.params_dir() / "exempelstad_ar.yaml").parameters()
    lines = []
    for node in ast.parse("".join(nb["cells"][0]["source"])).body:
        name = node.targets[0].id
        value = yearly[name] if name in yearly else ast.literal_eval(node.value)
        lines.append(f"{name} = {value!r}\n")
    nb["cells"][0]["source"] = lines
    copy = tmp_path / "evaluate.ipynb"
    copy.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "EVALUATION_HOME": str(evaluation_home)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         str(copy)],
        env=env, capture_output=True, text=True, timeout=600, cwd=str(evaluation_home),
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "passed" in proc.stdout


def test_papermill_reads_every_parameter():
    import papermill as pm

    found = pm.inspect_notebook(str(paths.evaluate_notebook()))
    spec = load_spec(paths.params_dir() / "exempelstad.yaml").parameters()
    assert set(found) == set(spec) | {"output_dir", "spec_path", "checked_inputs"}
    assert all(p["help"] for p in found.values())  # every parameter is explained


def _calls() -> list[str]:
    """The ``show.*`` calls of the display cells, in order (``show.heading`` with its key)."""
    out = []
    for cell in _notebook()["cells"][2:]:
        src = "".join(cell["source"]).strip()
        if src.startswith("show."):
            out.append(src.removeprefix("show.").replace("(ev)", "").replace("(ev, ", ":")
                       .replace('"', "").rstrip(")"))
    return out


def test_the_first_screen_answers_before_anything_else():
    """Issue 13: the title, the question, the verdicts, the small estimates table and the data
    box, then the change notes and the table of contents; the rest after them."""
    assert _calls()[:8] == ["title", "heading:section_summary", "question", "verdict",
                            "estimates", "data_box", "changes", "contents"]
    nb = _notebook()
    tagged = {tag: [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]
              for tag in ("verdict", "headline")}
    assert ["".join(c["source"]) for c in tagged["verdict"]] == ["show.verdict(ev)"]
    assert ["".join(c["source"]) for c in tagged["headline"]] == ["show.headline(ev)"]


def test_sections_follow_the_table_of_contents():
    """The headings the notebook shows come in the order of show.SECTIONS, which the table of
    contents links to (target, peers and pooled print their own headings)."""
    from evaluation.report import show

    own = {"target": "section_target", "peers": "section_peers",
           "pooled": "section_pooled", "glossary": "section_glossary"}
    shown = []
    for call in _calls():
        key = call.removeprefix("heading:") if call.startswith("heading:") else own.get(call)
        if key and key not in shown:
            shown.append(key)
    assert shown == list(show.SECTIONS)
