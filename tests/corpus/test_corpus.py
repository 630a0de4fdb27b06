"""The corpus of hostile inputs and faults (issue 14), run in-process through the command line.

Every case (``table.CASES``) builds its input from the clean panel in a copy of a baseline home
(``EVALUATION_HOME``: ``data/raw`` with the clean files, ``reports/korpus`` with one published
report and its ``history.csv``), runs ``evaluation.cli.main([...])`` and asserts:

* the exit code (0 ok; 2 bad input; 1 the run failed);
* on failure exactly one sentence on stderr, in the spec's language ("Fel: " / "Error: "), no
  traceback, no catch-all, naming the case's file, row or key and its value (the case's
  patterns);
* ``data/raw`` is byte-identical except for added files;
* ``reports/korpus/senaste`` is still a complete report (its manifest's hashes match), no
  earlier report folder changed, ``history.csv`` changed only when a report was published, no
  temporary folder (``.staging-*``, ``.latest-*``, ``.old-*``, ``.attempt-*``) is left, and a
  failed run is under ``failed/``;
* a refusal of ``check`` is the same from ``run`` (before any notebook);
* an accepted variant reads to a panel equal to the clean one (``assert_frame_equal``) and its
  conversions are noted in ``Inputs.conversions`` for the data box.

No notebook runs here: ``papermill.execute_notebook`` is replaced by a fake executor that
writes a minimal complete report (notebook, summary.json, a figure, a table) into the staging
folder, and the HTML export by a one-line page written through the store's atomic write —
what is tested is that publishing cannot half-happen, not the report's content (the notebook
runs in tests/test_run.py); the manifest's git commit is a constant (no subprocess). Faults
(disk full, read-only, permission denied, Ctrl-C, SIGTERM) are injected where the run writes,
since CI runs as root and ``chmod`` would not stop it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from corpus import table
from corpus.world import CODE_LIST, ID, Ctx, clean_frame, digest, render
from evaluation.cli import main
from evaluation.data import validity
from evaluation.data.panel import COMPACT_COLUMNS, read_panel

TEMPORARY = re.compile(r"^\.(staging|latest|old|attempt)-")
CATCH_ALL = re.compile(r"oväntat fel|unexpected error|något gick fel|something went wrong",
                       re.IGNORECASE)
REQUIRED = ("report.html", "summary.json", "manifest.json", "evaluate.ipynb")


# --------------------------------------------------------------------------- the fake notebook
class Notebook:
    """Stands in for papermill: writes a minimal complete report, then the case's hook."""

    def __init__(self) -> None:
        self.calls = 0
        self.ctx: Ctx | None = None
        self.inputs = None

    def loading(self, load):
        """``run``'s ``load_inputs``, remembering what it loaded for the fake notebook."""
        def load_inputs(spec):
            self.inputs = load(spec)
            return self.inputs
        return load_inputs

    def __call__(self, input_path, output_path, parameters=None, **kwargs):
        from evaluation.spec import settings_key

        self.calls += 1
        staging = Path(parameters["output_dir"])
        inputs = self.inputs  # what `run` loaded (the real notebook loads the same again)
        spec = inputs.spec
        Path(output_path).write_text(json.dumps({
            "cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
            encoding="utf-8")
        summary = {
            "evaluation": spec.evaluation_id, "title": "Korpus", "settings": settings_key(spec),
            "data_vintage": inputs.data_vintage,
            "results": [{"outcome": o, "design": "its", "average_effect": 0.1,
                         "ci": [-0.1, 0.3], "p_value": 0.5} for o in spec.outcomes]}
        (staging / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        (staging / "figurer").mkdir()
        (staging / "figurer" / "effekt.png").write_bytes(b"\x89PNG fake")
        (staging / "tabeller").mkdir()
        (staging / "tabeller" / "resultat.csv").write_text("outcome,effect\n", encoding="utf-8")
        if self.ctx is not None and self.ctx.hook is not None:
            self.ctx.hook(parameters)


def fake_export(notebook, dest, *, title, language="sv"):
    from evaluation.data.store import write_bytes

    return write_bytes(dest, f"<html lang=\"{language}\"><title>{title}</title></html>"
                       .encode())


@pytest.fixture(scope="session")
def notebook() -> Notebook:
    return Notebook()


@pytest.fixture(autouse=True)
def _world(monkeypatch, notebook):
    """SCB's code list from the copy beside the case tests; the fake notebook and export."""
    import papermill

    from evaluation import run as run_module
    from evaluation.report import html

    monkeypatch.setattr(validity, "codes_path", lambda: CODE_LIST)
    monkeypatch.setattr(papermill, "execute_notebook", notebook)
    monkeypatch.setattr(html, "export_html", fake_export)
    monkeypatch.setattr(run_module, "load_inputs", notebook.loading(run_module.load_inputs))
    monkeypatch.setattr(run_module, "git_commit", lambda: "0" * 40)  # no `git` subprocess
    notebook.ctx = None
    yield


@pytest.fixture(scope="session")
def baseline(tmp_path_factory, notebook) -> Path:
    """A home with the clean data (and a second vintage) in data/raw and one published report."""
    import papermill

    from evaluation.report import html

    home = tmp_path_factory.mktemp("korpus") / "home"
    ctx = Ctx(home)
    ctx.csv(name="clean.csv")
    changed = clean_frame()
    changed.loc[(changed["unit"] == table.OTHER) & (changed["period"] == "2023-12")
                & (changed["measure"] == table.RATE), "value"] += 0.1
    ctx.csv(changed, name="clean-v2.csv")
    ctx.write("clean.csv.json", '{"source": "korpus", "note": "a sidecar, never rewritten"}\n')
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALUATION_HOME", str(home))
        mp.setattr(validity, "codes_path", lambda: CODE_LIST)
        mp.setattr(papermill, "execute_notebook", notebook)
        mp.setattr(html, "export_html", fake_export)
        from evaluation import run as run_module

        mp.setattr(run_module, "load_inputs", notebook.loading(run_module.load_inputs))
        mp.setattr(run_module, "git_commit", lambda: "0" * 40)
        assert main(["run", str(ctx.spec("clean.csv"))]) == 0
    assert complete(home / "reports" / ID / "senaste")
    (home / "specs" / "spec.yaml").unlink()
    return home


@pytest.fixture(scope="session")
def clean_panel(baseline) -> pd.DataFrame:
    return read_panel(baseline / "data" / "raw" / "korpus" / "clean.csv")


def complete(folder: Path) -> bool:
    """A report folder with every required file whose manifest's hashes match its files."""
    if not all((folder / name).is_file() for name in REQUIRED):
        return False
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = digest(folder)
    files.pop("manifest.json")
    return manifest.get("outputs") == files


# --------------------------------------------------------------------------- assertions
def one_sentence(case: table.Case, err: str) -> str:
    text = err.strip()
    assert text, "no message on stderr"
    assert "\n" not in text, f"more than one line:\n{text}"
    assert "Traceback" not in text and "File \"" not in text, text
    prefix = "Error: " if case.language == "en" else "Fel: "
    assert text.startswith(prefix), text
    assert not CATCH_ALL.search(text), text
    assert len(text) < 900, f"{len(text)} characters: {text[:300]}…"
    if case.language == "en":
        assert not re.search(r"\bFältet\b|\brad \d|\bsaknas\b", text), text
    for pattern in case.says:
        assert re.search(pattern, text), f"{pattern!r} not in: {text}"
    return text


def reports_state(home: Path) -> dict[str, str]:
    return digest(home / "reports")


def check_reports(case: table.Case, home: Path, before: dict[str, str], code: int) -> None:
    root = home / "reports" / ID
    after = reports_state(home)
    assert complete(root / "senaste"), "senaste/ is not a complete report"
    left = [p.name for p in root.iterdir() if TEMPORARY.match(p.name)] if root.is_dir() else []
    assert not left, f"temporary folders left: {left}"
    new_folders = {Path(k).parts[1] for k in set(after) - set(before)
                   if len(Path(k).parts) > 2 and Path(k).parts[0] == ID} - {"senaste", "failed"}
    for path, sha in before.items():
        parts = Path(path).parts
        if len(parts) > 1 and TEMPORARY.match(parts[1]):
            continue  # a killed run's leftovers: cleaned
        if case.publishes and (path == f"{ID}/history.csv" or parts[1:2] == ("senaste",)):
            continue
        assert after.get(path) == sha, f"{path} changed or vanished"
    if case.publishes and code == 0:
        assert len(new_folders) == 1, new_folders
        new = root / new_folders.pop()
        assert complete(new)
        assert digest(new) == digest(root / "senaste"), "senaste/ is not the new report"
        summary = json.loads((new / "summary.json").read_text(encoding="utf-8"))
        history = pd.read_csv(root / "history.csv", dtype=str)
        assert summary["data_vintage"] in set(history["data_vintage"])
    else:
        assert not new_folders, f"a report was published: {new_folders}"
    failed_before = {Path(k).parts[2] for k in before if Path(k).parts[1:2] == ("failed",)}
    failed_after = {Path(k).parts[2] for k in after if Path(k).parts[1:2] == ("failed",)}
    if case.command == "run" and code == 1 and case.kept:
        assert len(failed_after - failed_before) == 1, "the attempt is not under failed/"


# --------------------------------------------------------------------------- the corpus
@pytest.mark.parametrize("case", table.CASES, ids=[c.id for c in table.CASES])
def test_case(case: table.Case, baseline, clean_panel, tmp_path, monkeypatch, capsys,
              notebook):
    home = tmp_path / "home"
    shutil.copytree(baseline, home)
    monkeypatch.setenv("EVALUATION_HOME", str(home))
    ctx = Ctx(home)
    notebook.ctx = ctx
    spec = case.build(ctx)
    raw_before = digest(home / "data" / "raw")
    reports_before = reports_state(home)
    argv = [case.command, str(spec)] + (["--offline"] if case.command == "fetch" else [])
    calls = notebook.calls
    checked = []
    try:
        with pytest.MonkeyPatch.context() as mp:
            from evaluation import run as run_module

            original_check = run_module.check

            def check(path):  # keep what `check` loaded, to compare it with the clean panel
                checked.append(original_check(path))
                return checked[-1]
            mp.setattr(run_module, "check", check)
            if case.fault is not None:
                case.fault(mp, ctx)
            code = main(argv)
    finally:
        for undo in ctx.cleanup:
            undo()
    out, err = capsys.readouterr()
    assert code == case.code, f"exit {code}, expected {case.code}: {err or out}"
    if code != 0:
        said = one_sentence(case, err)
    else:
        assert "Traceback" not in out + err and not err.strip().startswith(("Fel", "Error")), \
            err
    raw_after = digest(home / "data" / "raw")
    assert {k: raw_after.get(k) for k in raw_before} == raw_before, "data/raw was modified"
    check_reports(case, home, reports_before, code)
    if case.category in ("data", "spec") and case.command == "check":
        assert notebook.calls == calls
    also_run = case.category == "data" if case.also_run is None else case.also_run
    if code != 0 and case.command == "check" and also_run and case.fault is None:
        # the same refusal from `run`, before any notebook
        code_run = main(["run", str(spec)])
        _, err_run = capsys.readouterr()
        assert notebook.calls == calls, "a notebook ran for a refused input"
        assert code_run == case.code, f"run: exit {code_run}: {err_run}"
        said_run = one_sentence(case, err_run)
        assert said_run.startswith(said.rstrip(".")), (said, said_run)
        check_reports(case, home, reports_before, code_run)
    if code == 0 and case.command == "check":
        accepted(case, checked[-1][1], clean_panel)


def accepted(case: table.Case, inputs, clean: pd.DataFrame) -> None:
    """An accepted variant: the panel equals the clean one, the conversions are noted."""
    if case.category == "data":
        # the panel as read, less the comparison units check_inputs left out (and named)
        expected = case.expected(clean) if case.expected else clean
        expected = expected[~expected["unit"].isin(list(inputs.dropped))]
        # the evaluation holds the descriptive text as categoricals (``with_compact_text``)
        as_text = {c: "str" for c in COMPACT_COLUMNS if c in inputs.panel.columns}
        pd.testing.assert_frame_equal(inputs.panel.astype(as_text),
                                      expected.reset_index(drop=True), check_exact=True)
    notes = " | ".join(inputs.conversion_notes("sv"))
    for word in case.notes:
        assert word in notes, f"{word!r} not in the conversions: {notes}"
    assert len(inputs.conversion_notes("en")) == len(inputs.conversions)
    assert inputs.data_info()["conversions"] == [{"sv": c.sv, "en": c.en}
                                                 for c in inputs.conversions]
    if inputs.conversions:  # the report's data box says how the file was read
        import html

        from evaluation.report.text import data_box

        for language in ("sv", "en"):
            box = data_box(inputs.data_info(), language)
            for note in inputs.conversion_notes(language):
                assert html.escape(note) in box, (language, note)
    if case.inspect is not None:
        case.inspect(inputs)


def test_the_corpus_is_large_and_covers_every_category():
    counts = pd.Series([c.category for c in table.CASES]).value_counts().to_dict()
    assert len(table.CASES) >= 150, counts
    assert set(counts) == {"data", "spec", "source", "fault"}, counts
    assert len({c.id for c in table.CASES}) == len(table.CASES), "case ids repeat"
    refused = [c for c in table.CASES if c.code != 0]
    assert all(c.says for c in refused), [c.id for c in refused if not c.says]


def test_clean_file_round_trips(clean_panel):
    """The clean file itself reads to the clean frame (values and codes kept exactly)."""
    frame = clean_frame()
    assert len(clean_panel) == len(frame)
    assert render(frame).startswith(b"unit,unit_name,period,measure,value,source\n")
    assert (clean_panel["status"] == "final").all()
