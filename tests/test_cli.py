"""The console script: check validates only and errors are one Swedish sentence."""

from __future__ import annotations

from evaluation import paths
from evaluation.cli import main


def test_check_demo_spec(capsys):
    assert main(["check", str(paths.params_dir() / "exempelstad.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: exempelstad – Exempelstad (1987)")


def test_check_reports_bad_spec_in_one_sentence(tmp_path, capsys):
    spec = tmp_path / "bad.yaml"
    spec.write_text('evaluation_id: x\ndata: demo\ntreated: "9998"\nintervention: 2022-04\n',
                    encoding="utf-8")
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Fel: Fältet 'treated' (rad 3) '9998' finns inte i data")
    assert err.count("\n") == 0


def test_check_english_message(tmp_path, capsys):
    spec = tmp_path / "bad.yaml"
    spec.write_text('evaluation_id: x\ndata: demo\ntreated: "1987"\nintervention: 2030-04\n'
                    "language: en\n", encoding="utf-8")
    assert main(["check", str(spec)]) == 2
    assert "The field 'intervention' (line 4) (2030-04) is outside the data" in capsys.readouterr().err


def test_environment_yml_installs_the_package():
    import yaml

    env = yaml.safe_load((paths.project_root() / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict))
    assert any(item.startswith("-e .") for item in pip_section)


def test_spec_error_comes_in_the_spec_language_even_when_the_spec_is_invalid(tmp_path, capsys):
    """The language is read from the raw file: an invalid month in an English spec gets an
    English sentence with 'Error:', and --language overrides the spec."""
    spec = tmp_path / "bad.yaml"
    spec.write_text('evaluation_id: x\ndata: demo\ntreated: "1987"\nintervention: 2022-13\n'
                    "language: en\n", encoding="utf-8")
    assert main(["check", str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: The field 'intervention' (line 4) has the value '2022-13'")
    assert err.count("\n") == 1
    assert main(["check", "--language", "sv", str(spec)]) == 2
    assert capsys.readouterr().err.startswith("Fel: Fältet 'intervention' (rad 4)")


def test_exit_codes_bad_input_2_run_failed_1_unexpected_1(tmp_path, capsys, monkeypatch):
    """0 ok, 2 bad input, 1 run failed; an unexpected exception is one sentence naming it."""
    import evaluation.run as run_module
    from evaluation.errors import DataError, SourceUnavailable

    spec = str(paths.params_dir() / "exempelstad.yaml")
    outcomes = iter([SourceUnavailable("Källan svarar inte.", "The source does not answer."),
                     DataError("Filen är fel.", "The file is wrong."),
                     ZeroDivisionError("division by zero")])

    def failing(*_args, **_kw):
        raise next(outcomes)

    monkeypatch.setattr(run_module, "run", failing)
    assert main(["run", spec]) == 1
    assert capsys.readouterr().err == "Fel: Källan svarar inte.\n"
    assert main(["run", spec, "--language", "en"]) == 2
    assert capsys.readouterr().err == "Error: The file is wrong.\n"
    monkeypatch.setattr(run_module, "check", failing)
    assert main(["check", spec]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Fel: Ett oväntat fel inträffade (ZeroDivisionError: division by zero)")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_every_cli_message_comes_from_the_catalogue():
    """cli.py prints nothing typed inline: every message is a ``cli.*`` key of the catalogue,
    and every key it uses exists in both languages."""
    import re

    from evaluation.report.text import TEXTS

    source = (paths.project_root() / "src" / "evaluation" / "cli.py").read_text(encoding="utf-8")
    assert not re.search(r"print\(\s*f?[\"']", source)
    keys = set(re.findall(r"\"(cli\.[a-z_.]+)\"", source))
    keys |= {f"cli.help.{k}" for k in re.findall(r"\bh\(\"([a-z_]+)\"\)", source)}
    keys |= {f"cli.help.{k}" for k in ("fetch", "update")}
    assert len(keys) > 20
    for key in keys:
        assert set(TEXTS[key]) == {"sv", "en"}, key


def test_run_progress_only_on_a_terminal(monkeypatch):
    """`run` shows papermill's per-section progress on stderr in the report's language when
    stderr is a terminal, and nothing in a log or CI."""
    import io
    import sys

    from evaluation.run import progress_bar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress_bar("sv") is False
    monkeypatch.setattr(sys, "stderr", Terminal())
    bar = progress_bar("sv")
    assert bar["desc"] == "Kör utvärderingen" and bar["file"] is sys.stderr
    assert progress_bar("en")["desc"] == "Running the evaluation"
