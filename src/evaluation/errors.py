"""Errors that reach the user as one sentence saying what is wrong and what to do.

Every error carries its message in Swedish (the default) and English; ``str(error)`` is the
Swedish text, ``error.text("en")`` the English one.

Exit codes of the command line (``error.exit_code``): 0 ok; **2 bad input** — something the user
fixes in their files or spec (:class:`SpecError`, :class:`DataError`, :class:`DesignError`);
**1 the run failed** — nothing wrong with the input, but the run could not be completed
(a notebook failed, a source could not be reached, the disk is full or read-only, the run was
interrupted: :class:`RunFailure` and its subclasses).
"""

from __future__ import annotations


class EvaluationError(Exception):
    """Base class: the message is a complete sentence meant for the evaluator."""

    #: The command line's exit code for this error (see the module docstring).
    exit_code: int = 2

    def __init__(self, sv: str, en: str | None = None):
        super().__init__(sv)
        self.sv = sv
        self.en = en or sv

    def text(self, language: str = "sv") -> str:
        return self.en if language == "en" else self.sv


class RunFailure(EvaluationError):
    """The input is fine but the run could not be completed (exit code 1)."""

    exit_code = 1


class SourceUnavailable(RunFailure):
    """A data source could not be reached or answered with an error (network, server)."""


class WriteFailure(RunFailure):
    """A file or folder could not be written (disk full, read-only, permission denied)."""


class SpecError(EvaluationError):
    """The evaluation spec (YAML) is invalid."""


class DataError(EvaluationError):
    """The panel data cannot support the requested evaluation."""


class DesignError(EvaluationError):
    """A design cannot be estimated on the given data."""


def field_where(key: str, line: int | None, language: str = "sv") -> str:
    """'Fältet 'treated' (rad 4)' / 'The field 'treated' (line 4)'."""
    if language == "en":
        return f"The field '{key}'" + (f" (line {line})" if line else "")
    return f"Fältet '{key}'" + (f" (rad {line})" if line else "")


def field_error(key: str, line: int | None, problem_sv: str, problem_en: str) -> SpecError:
    """A :class:`SpecError` about one field of a spec, naming the field and its line."""
    return SpecError(f"{field_where(key, line)} {problem_sv}",
                     f"{field_where(key, line, 'en')} {problem_en}")
