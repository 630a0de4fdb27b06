"""The in-process papermill engine (evaluation.notebook_engine) against a Jupyter kernel.

Reference: papermill's own engine (nbclient with the ``python3`` kernel) run on the same
notebook. Outputs must be the kernel's — the same output types in the same order with the
same MIME bundles; streams compared as their text per cell (a kernel may split a stream
into several messages) and file names in warnings and tracebacks aside, since those name
the kernel's temporary files —, an error must end the run as papermill reports it, and a
run must leave the process as it found it.
"""

from __future__ import annotations

import re
import sys
import warnings

import nbformat
import papermill as pm
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from evaluation import notebook_engine
from evaluation.notebook_engine import ENGINE, engine_for

CELLS = [
    "x = 40",
    "print('a'); print('b', file=__import__('sys').stderr); print('c')",
    "from IPython.display import HTML, Markdown, display\n"
    "display(HTML('<b>fet</b>')); display(Markdown('*kursiv*'), metadata={'m': 1})",
    "x + 2",
    "x + 2;",
    "import warnings\nwarnings.warn('se upp')",
    "h = display(HTML('före'), display_id='d')\nh.update(HTML('efter'))\nprint('slut')",
    "from IPython.display import clear_output\nprint('bort')\nclear_output(wait=True)\n"
    "print('kvar')",
    "import pandas as pd\npd.DataFrame({'a': [1, 2]})",
    "from IPython.display import update_display\nupdate_display(HTML('senare'), display_id='d')",
]


def _notebook(path, cells):
    nb = new_notebook(cells=[new_markdown_cell("# Test")] + [new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(path))
    return path


def _execute(tmp_path, cells, engine, name="out.ipynb"):
    source = _notebook(tmp_path / f"in-{name}", cells)
    kwargs = {"engine_name": ENGINE} if engine == "inprocess" else {
        "kernel_name": "python3", "extra_arguments": ["--IPKernelApp.log_level=CRITICAL"]}
    if engine == "inprocess":
        notebook_engine.register()
    return pm.execute_notebook(str(source), str(tmp_path / name), progress_bar=False,
                               cwd=str(tmp_path), **kwargs)


def _comparable(output):
    """An output as compared across engines: whole, without its execution count (given per
    cell); an error by its name and value, since its traceback names the kernel's temporary
    files or IPython's cell names and carries their colours."""
    out = dict(output)
    out.pop("execution_count", None)
    if out["output_type"] == "error":
        return ("error", out["ename"], out["evalue"])
    return out


def _per_cell(nb):
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        streams: dict[str, str] = {}
        rest = []
        for output in cell.outputs:
            if output["output_type"] == "stream":
                streams[output["name"]] = streams.get(output["name"], "") + output["text"]
            else:
                rest.append(_comparable(output))
        if "stderr" in streams:  # a warning names the file it came from: keep what it says
            streams["stderr"] = re.sub(r"^.*?:\d+: ", "", streams["stderr"], flags=re.M)
        cells.append((cell.execution_count, streams, rest))
    return cells


def test_outputs_equal_those_of_a_jupyter_kernel(tmp_path):
    kernel = _per_cell(_execute(tmp_path, CELLS, "kernel", "kernel.ipynb"))
    here = _per_cell(_execute(tmp_path, CELLS, "inprocess", "here.ipynb"))
    assert here == kernel
    # what the cells show, spelled out (so that the comparison cannot pass on two empty runs)
    counts, streams, rest = zip(*here)
    assert list(counts) == list(range(1, len(CELLS) + 1))
    assert streams[1] == {"stdout": "a\nc\n", "stderr": "b\n"}
    assert [o["data"]["text/html"] for o in rest[2][:1]] == ["<b>fet</b>"]
    assert rest[2][1]["metadata"] == {"m": 1}
    assert rest[3] == [{"output_type": "execute_result", "metadata": {},
                        "data": {"text/plain": "42"}}]
    assert rest[4] == []  # a trailing semicolon shows nothing
    assert "UserWarning: se upp" in streams[5]["stderr"]
    # updated in its cell, then by a later one
    assert rest[6][0]["data"]["text/html"] == "senare" and streams[6] == {"stdout": "slut\n"}
    assert rest[9] == [] and streams[9] == {}
    assert streams[7] == {"stdout": "kvar\n"}
    assert "text/html" in rest[8][0]["data"]


def test_an_error_ends_the_run_as_papermill_reports_it(tmp_path):
    cells = ["print('före')", "raise ValueError('avsiktligt')", "print('aldrig')"]
    with pytest.raises(pm.PapermillExecutionError) as raised:
        _execute(tmp_path, cells, "inprocess")
    assert (raised.value.ename, raised.value.evalue) == ("ValueError", "avsiktligt")
    nb = nbformat.read(str(tmp_path / "out.ipynb"), 4)
    code = [c for c in nb.cells if c.cell_type == "code"
            and "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    assert code[1].outputs[-1]["output_type"] == "error"
    assert any("avsiktligt" in line for line in code[1].outputs[-1]["traceback"])
    assert code[1].metadata["papermill"]["exception"] is True
    assert code[2].outputs == [] and code[2].execution_count is None  # never run


def test_a_syntax_error_is_an_error_too(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as raised:
        _execute(tmp_path, ["x = (1,"], "inprocess")
    assert raised.value.ename == "SyntaxError"


def test_an_interrupt_in_a_cell_is_raised_on_and_the_process_is_put_back(tmp_path):
    stdout, stderr, main = sys.stdout, sys.stderr, sys.modules["__main__"]
    filters = list(warnings.filters)
    with pytest.raises(KeyboardInterrupt):
        _execute(tmp_path, ["import warnings\nwarnings.simplefilter('ignore')\nprint('x')",
                            "raise KeyboardInterrupt", "print('aldrig')"], "inprocess")
    from IPython.core.interactiveshell import InteractiveShell

    assert (sys.stdout, sys.stderr, sys.modules["__main__"]) == (stdout, stderr, main)
    assert warnings.filters == filters
    assert not InteractiveShell.initialized()


def test_every_run_starts_with_a_new_namespace(tmp_path):
    _execute(tmp_path, ["hemlig = 1"], "inprocess", "first.ipynb")
    with pytest.raises(pm.PapermillExecutionError) as raised:
        _execute(tmp_path, ["hemlig"], "inprocess", "second.ipynb")
    assert raised.value.ename == "NameError"
    nb = _execute(tmp_path, ["1"], "inprocess", "third.ipynb")
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1]


def test_dropping_the_shell_collects_no_garbage(tmp_path, monkeypatch):
    """The shell keeps no output cache (``_``, ``_1`` …), so dropping it does not flush one:
    IPython's flush ends in a full ``gc.collect()`` of everything the notebook made (0.15 CPU-s
    on the demo). A value the notebook shows is still its output."""
    import gc

    collected = []
    monkeypatch.setattr(gc, "collect", lambda *a: collected.append(a) or 0)
    nb = _execute(tmp_path, ["x = [1]\nx", "x.append(2)"], "inprocess")
    assert collected == []
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "[1]"


def test_what_earlier_cells_made_is_frozen_while_the_notebook_runs(tmp_path):
    """Each cell starts with what its predecessors left frozen (the collector's full
    collections walk only the running cell's objects: on the demo 0.75–0.8 → 0.25 CPU-s);
    after the run nothing is frozen, and a garbage cycle an earlier cell left is freed."""
    import builtins
    import gc
    import weakref

    class Node:
        pass

    probe: list = []  # what the cells hand back, through a builtin name they can see
    builtins_key = "_freeze_probe"
    setattr(builtins, builtins_key, (probe, Node, weakref))
    try:
        nb = _execute(tmp_path, [
            "probe, Node, weakref = _freeze_probe\n"
            "a = Node(); a.self = a\n"
            "probe.append(weakref.ref(a))\n"
            "tracked = [object()]",
            "import gc\n"
            "probe.append(gc.get_freeze_count())\n"
            "probe.append(any(o is tracked for o in gc.get_objects()))\n"
            "del a",
        ], "inprocess")
    finally:
        delattr(builtins, builtins_key)
    assert [o.get("ename") for c in nb.cells for o in c.get("outputs", [])] == []
    ref, frozen_in_cell, walked = probe
    assert frozen_in_cell > 0, "the second cell started with nothing frozen"
    assert not walked, "an object of the first cell is still walked by the collector"
    assert gc.get_freeze_count() == 0, "the run left objects frozen"
    gc.collect()
    assert ref() is None, "a cycle the notebook dropped was not freed after the run"


def test_a_process_that_froze_objects_itself_keeps_them_as_they_were(tmp_path):
    import gc

    gc.freeze()
    try:
        before = gc.get_freeze_count()
        _execute(tmp_path, ["x = [1]", "y = [x]"], "inprocess")
        # nothing frozen more, nothing unfrozen (frozen objects can still die of their count)
        assert 0 < gc.get_freeze_count() <= before
    finally:
        gc.unfreeze()


def test_a_kernel_is_used_when_asked_for_or_when_ipython_already_runs():
    import threading

    assert engine_for(None) == (ENGINE, {})
    name, arguments = engine_for("python3")
    assert name is None and arguments["kernel_name"] == "python3"
    in_thread = []
    worker = threading.Thread(target=lambda: in_thread.append(engine_for(None)))
    worker.start()
    worker.join()
    assert in_thread[0][0] is None  # another thread: a kernel of its own
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        name, arguments = engine_for(None)
        assert name is None and arguments["kernel_name"] == "python3"
    finally:
        notebook_engine._drop(shell)
