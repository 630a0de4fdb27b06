"""``evaluation screen`` on bad input: one sentence in the chosen language, exit code 2; an
unreachable scheduler: exit code 1."""

from __future__ import annotations

import pytest

from evaluation.cli import main


@pytest.mark.parametrize(("args", "sv", "en"), [
    (["--date", "2022-13"], "Fel: Datumet:", "Error: The date:"),
    (["--date", "2022-04", "--designs", "synthetic_control"], "kan inte screenas",
     "cannot be screened"),
    (["--date", "2022-04", "--outcomes", "nope"], "Utfallen nope finns inte i data",
     "The outcomes nope are not in the data"),
    (["--date", "2030-01"], "ligger utanför data", "lies outside the data"),
    (["--date", "2022-04", "--drill", "9999"], "Kommunen 9999 finns inte bland",
     "The municipality 9999 is not among"),
])
def test_bad_input_is_exit_code_2(evaluation_home, capsys, args, sv, en):
    assert main(["screen", *args]) == 2
    assert sv in capsys.readouterr().err
    if args[1] == "2022-13" or "--drill" in args:  # English too (each call reads the data)
        assert main(["screen", *args, "--language", "en"]) == 2
        assert en in capsys.readouterr().err


def test_unreachable_scheduler_is_exit_code_1(evaluation_home, capsys, monkeypatch, tmp_path):
    from evaluation.screen import core

    monkeypatch.setattr(core, "CONNECT_TIMEOUT", "1s")
    code = main(["screen", "--date", "2022-04", "--post-end", "2023-03", "--kommuner", "1987",
                 "--designs", "its", "--no-cache", "--scheduler", "tcp://127.0.0.1:9",
                 "--out", str(tmp_path)])
    assert code == 1
    assert "Kunde inte ansluta till dask-schemaläggaren tcp://127.0.0.1:9" in capsys.readouterr().err
