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
