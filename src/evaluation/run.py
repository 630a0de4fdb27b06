"""Run an evaluation notebook with papermill and publish the report only when it succeeded.

Layout under ``reports/<evaluation-id>/``:

* ``<data-vintage>-<settings>/`` — one folder per data vintage (last period + 8 hex of the
  data's sha256) and configuration (6 hex of the settings that change results,
  :func:`evaluation.spec.settings_key`): a run with other settings never overwrites a report;
* ``senaste/`` — a copy of the newest successful report;
* ``failed/<timestamp>/`` — runs that failed, kept for inspection; they never replace a report.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from evaluation import history, paths, plan
from evaluation.errors import EvaluationError, RunFailure
from evaluation.gc_tuning import fewer_collections
from evaluation.inputs import (Inputs, data_last_period, hand_over, load_inputs, release,
                               sha256_file)
from evaluation.results import clean_json
from evaluation.spec import Spec, load_spec, settings_key

LATEST = "senaste"
FAILED = "failed"
#: The inputs the command read and checked, left in the staging folder for a kernel (in memory
#: under this name for a notebook run in this process: :func:`~evaluation.inputs.hand_over`)
#: and removed when the notebook is done.
CHECKED_INPUTS = ".checked-inputs.pickle"
PACKAGES = (
    "evaluation", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "papermill",
    "nbconvert", "nbformat", "pyarrow", "openpyxl", "PyYAML", "babel", "python-docx",
    "XlsxWriter",
)


class RunError(RunFailure):
    """The notebook failed; the previous report is untouched."""


def check(spec_path: str | Path) -> tuple[Spec, Inputs]:
    """Validate a spec and its data without running anything."""
    spec = load_spec(spec_path)
    return spec, load_inputs(spec)


def run(spec_path: str | Path, *, kernel: str | None = None) -> Path:
    """Validate, execute the notebook into a staging folder and publish it on success.

    Returns the published report folder ``reports/<id>/<vintage>-<settings>/``.

    Publishing cannot half-happen: the report is complete in its staging folder before
    anything visible changes; then the report folder, ``senaste/`` and the rows of
    ``history.csv`` are put in place in that order, and if any step fails (disk full,
    read-only folder, permission denied) or is interrupted (Ctrl-C, SIGTERM) the steps already
    taken are undone, the attempt is moved to ``failed/`` (or removed when even that is not
    possible) and one sentence says what happened (:class:`RunError`, or
    :class:`~evaluation.errors.WriteFailure` for the disk). Staging folders of killed runs are
    removed by the next run.

    The notebook runs in this process (:mod:`evaluation.notebook_engine`), or in a Jupyter
    kernel when ``kernel`` names one (or an IPython shell already runs here). The garbage
    collector runs less often meanwhile (:func:`evaluation.gc_tuning.fewer_collections`).
    """
    with fewer_collections():
        return _run(spec_path, kernel=kernel)


def _run(spec_path: str | Path, *, kernel: str | None) -> Path:
    """:func:`run`'s work."""
    import papermill as pm

    from evaluation.notebook_engine import engine_for
    from evaluation.report.html import export_html

    spec = load_spec(spec_path)
    try:
        inputs = load_inputs(spec)
    except EvaluationError as exc:
        # data that end before the intervention cannot show the effect: lock the plan now
        last = data_last_period(spec)
        if last is not None and plan.record_if_before_post(spec, last_period=last):
            where = plan.plan_path(spec.evaluation_id)
            raise exc.__class__(
                f"{exc.sv.rstrip('.')} (Analysplanen har registrerats i {where} innan "
                "resultaten finns: kör igen när data för efterperioden har kommit).",
                f"{exc.en.rstrip('.')} (The analysis plan has been recorded in {where} before "
                "the results exist: run again when data for the post-period have arrived).",
            ) from exc
        raise
    root = paths.reports_dir() / spec.evaluation_id
    staging = _start(root)
    notebook_out = staging / "evaluate.ipynb"
    checked = staging / CHECKED_INPUTS
    parameters = {**spec.parameters(), "output_dir": str(staging),
                  "spec_path": spec.path or "", "checked_inputs": str(checked)}
    try:
        try:
            engine, engine_arguments = engine_for(kernel)
            # the notebook takes these instead of reading them again
            hand_over(inputs, checked, in_process=engine is not None)
            pm.execute_notebook(
                str(paths.evaluate_notebook()), str(notebook_out), parameters=parameters,
                engine_name=engine, cwd=str(staging), progress_bar=progress_bar(spec.language),
                log_output=False, request_save_on_cell_execute=False, **engine_arguments,
            )
        finally:
            release(checked)
        summary = json.loads((staging / "summary.json").read_text(encoding="utf-8"))
        title = summary.get("title") or spec.evaluation_id
        export_html(notebook_out, staging / "report.html", title=title, language=spec.language)
        write_manifest(staging, spec, inputs)
    except (Exception, KeyboardInterrupt) as exc:  # failed or interrupted (Ctrl-C, SIGTERM):
        # keep it aside, never replace a good report
        failed = _set_aside(root, staging)
        raise _failure(spec, exc, failed) from (None if isinstance(exc, KeyboardInterrupt)
                                                else exc)
    target = root / f"{inputs.data_vintage}-{settings_key(spec)}"
    _publish(root, staging, target, spec, summary)
    return target


def _start(root: Path) -> Path:
    """The report root (created if needed, stale staging of killed runs removed) and a new
    staging folder in it; a folder that cannot be made is one sentence."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        _clean_stale(root)
        return _folder(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=root))
    except OSError as exc:
        from evaluation.data.store import write_failure

        raise write_failure(root, exc, done_sv=", inget publicerades och tidigare rapporter är "
                            "orörda", done_en=", nothing was published and earlier reports "
                            "are untouched") from exc


def _set_aside(root: Path, attempt: Path) -> Path | None:
    """Move a failed or interrupted attempt to ``failed/<timestamp>/`` (a rename: it needs no
    space); when even that is impossible, remove it. The folder, or None."""
    failed = root / FAILED / dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    try:
        failed.parent.mkdir(parents=True, exist_ok=True)
        os.replace(attempt, failed)
        return failed
    except OSError:
        shutil.rmtree(attempt, ignore_errors=True)
        return None


def _failure(spec: Spec, exc: BaseException, failed: Path | None) -> EvaluationError:
    """One sentence for a run that failed, was interrupted or could not write."""
    from evaluation.data.store import os_reason
    from evaluation.errors import WriteFailure

    kept_sv = (f"det påbörjade finns i {failed}" if failed is not None
               else "det påbörjade har tagits bort")
    kept_en = (f"what had started is kept in {failed}" if failed is not None
               else "what had started has been removed")
    name = spec.evaluation_id
    if isinstance(exc, KeyboardInterrupt):
        return RunError(
            f"Körningen av {name} avbröts; den tidigare rapporten är orörd och {kept_sv}.",
            f"The run of {name} was interrupted; the previous report is untouched and "
            f"{kept_en}.")
    code = _errno(exc)
    if code is not None:
        reason_sv, reason_en, fix_sv, fix_en = os_reason(OSError(code, os.strerror(code)))
        path = getattr(exc, "path", None) or getattr(exc, "filename", None) or getattr(
            exc.__cause__, "filename", None)
        # the file or folder that could not be written, unless it is one of the run's own
        # temporary folders (".staging-…", ".latest-…"), which would mean nothing to a reader
        at = f"{Path(path).name}: " if path and not Path(path).name.startswith(".") else ""
        return WriteFailure(
            f"Rapporten för {name} kunde inte skrivas ({at}{reason_sv}); den tidigare rapporten "
            f"är orörd och {kept_sv}: {fix_sv}.",
            f"The report of {name} could not be written ({at}{reason_en}); the previous report "
            f"is untouched and {kept_en}: {fix_en}.")
    if isinstance(exc, WriteFailure):
        return WriteFailure(f"{exc.sv.rstrip('.')}; den tidigare rapporten är orörd och "
                            f"{kept_sv}.",
                            f"{exc.en.rstrip('.')}; the previous report is untouched and "
                            f"{kept_en}.")
    if isinstance(exc, RunFailure) and not isinstance(exc, RunError):
        return exc
    reason = _short_reason(exc)
    failed_sv = (f"den misslyckade körningen finns i {failed}" if failed is not None
                 else "den misslyckade körningen har tagits bort")
    failed_en = (f"the failed run is kept in {failed}" if failed is not None
                 else "the failed run has been removed")
    return RunError(
        f"Körningen av {name} misslyckades ({reason}); den tidigare rapporten är orörd och "
        f"{failed_sv}.",
        f"The run of {name} failed ({reason}); the previous report is untouched and "
        f"{failed_en}.",
    )


def _errno(exc: BaseException) -> int | None:
    """The errno of a disk error, also one raised inside the notebook's kernel (papermill
    gives its text: "[Errno 28] No space left on device")."""
    import errno as errnos
    import re

    disk = (errnos.ENOSPC, errnos.EDQUOT, errnos.EROFS, errnos.EACCES, errnos.EPERM)
    for error in (exc, exc.__cause__):
        if isinstance(error, OSError) and error.errno in disk:
            return error.errno
        if error is None:
            continue
        # a shutil.Error lists its failures; a kernel's error comes as text
        text = f"{getattr(error, 'ename', '')} {getattr(error, 'evalue', '')} {error}"[:100_000]
        match = re.search(r"\[Errno (\d+)\]", text)
        if match and int(match.group(1)) in disk:
            return int(match.group(1))
    return None


def _publish(root: Path, staging: Path, target: Path, spec: Spec,
             summary: dict[str, Any]) -> None:
    """Put a complete report in place: its folder, ``senaste/``, then its ``history.csv``
    rows — all or nothing (see :func:`run`)."""
    latest = root / LATEST
    latest_tmp = root / f".latest-{os.getpid()}-{os.urandom(3).hex()}"
    undo: list[tuple[str, Path | None]] = []
    try:
        shutil.copytree(staging, latest_tmp)  # the copy needs space: before anything visible
        _folder(latest_tmp)
        undo.append(("target", _swap_in(staging, target)))
        undo.append(("latest", _swap_in(latest_tmp, latest)))
        history.record(spec.evaluation_id, summary)
    except (Exception, KeyboardInterrupt) as exc:
        try:
            attempt = _undo(root, staging, target, latest, undo)
        except OSError:  # the undo itself failed: leave what is there, say what failed
            attempt = None
        shutil.rmtree(latest_tmp, ignore_errors=True)
        failed = _set_aside(root, attempt) if attempt is not None else None
        raise _failure(spec, exc, failed) from (None if isinstance(exc, KeyboardInterrupt)
                                                else exc)
    for _what, old in undo:  # the replaced folders, kept until everything was in place
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _undo(root: Path, staging: Path, target: Path, latest: Path,
          undo: list[tuple[str, Path | None]]) -> Path | None:
    """Take back the steps of :func:`_publish` already made, newest first; the attempt's
    folder (to set aside), or None if it is gone."""
    attempt: Path | None = staging if staging.exists() else None
    for what, old in reversed(undo):
        place = target if what == "target" else latest
        if what == "target":
            aside = root / f".attempt-{os.getpid()}-{os.urandom(3).hex()}"
            os.replace(place, aside)
            attempt = aside
        else:
            shutil.rmtree(place, ignore_errors=True)
        if old is not None:
            os.replace(old, place)
    return attempt


def progress_bar(language: str) -> dict[str, Any] | bool:
    """Papermill's per-cell progress on stderr ("Kör utvärderingen: 12/31 avsnitt …") when
    stderr is a terminal — each cell is one section of the report (the designs, the
    reliability section, …) —, nothing when it is not (a log, CI, the tests)."""
    import sys

    from evaluation.report.text import t

    if not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        return False
    return {"desc": t("run.progress", language), "unit": t("run.progress.unit", language),
            "file": sys.stderr, "leave": False}


def _clean_stale(root: Path) -> None:
    """Remove the temporary folders of runs that were killed (their process no longer
    exists): ``.staging-<pid>-…``, ``.latest-<pid>-…``, ``.attempt-<pid>-…`` and
    ``.old-<name>-<pid>``."""
    for folder in root.glob(".*-*"):
        kind, _, rest = folder.name[1:].partition("-")
        if kind in ("staging", "latest", "attempt"):
            first = rest.split("-")[0]
        elif kind == "old":
            first = rest.rsplit("-", 1)[-1]
        else:
            continue
        pid = int(first) if first.isdigit() else None
        if pid is not None and pid != os.getpid() and _alive(pid):
            continue
        if folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def _folder(path: str | Path) -> Path:
    """A folder made by ``tempfile.mkdtemp`` (mode 0700) given the mode the user's umask asks
    for, as any other folder the tool makes: the report is shared with colleagues."""
    from evaluation.data.store import _umask

    path = Path(path)
    os.chmod(path, 0o777 & ~_umask())
    return path


def _swap_in(new: Path, target: Path) -> Path | None:
    """Replace ``target`` by ``new`` with renames only (no half-written report is visible).

    The replaced folder is kept beside it (``.old-<name>-<pid>``) and returned, so that the
    caller can put it back or remove it; None when there was none."""
    old = None
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    return old


def _short_reason(exc: BaseException) -> str:
    if isinstance(exc, EvaluationError):
        return str(exc).rstrip(".")
    name = getattr(exc, "ename", None) or exc.__class__.__name__
    value = getattr(exc, "evalue", None) or str(exc)
    first = value.strip().splitlines()[0] if value.strip() else ""
    return f"{name}: {first}"[:300]


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=paths.project_root(), capture_output=True,
            text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and len(commit) == 40 else None


def _sources_provenance(spec: Spec) -> dict[str, Any]:
    """For a spec with ``sources:``: per outcome, the source settings and the raw-store records
    the panel was built from, and the build's content hash (empty otherwise)."""
    if not spec.sources:
        return {}
    from evaluation.sources.collect import build_record

    build = build_record(spec.evaluation_id)
    return {key: build.get(key) for key in ("built_at", "content_sha256", "sources",
                                            "series_breaks") if key in build}


def write_manifest(folder: Path, spec: Spec, inputs: Inputs) -> Path:
    """``manifest.json``: spec, data vintage and hashes, package versions, commit, seed."""
    files = {
        str(path.relative_to(folder)): sha256_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "manifest.json"
    }
    manifest: dict[str, Any] = {
        "evaluation": spec.evaluation_id,
        "spec": spec.parameters(),
        "spec_path": spec.path,
        "data": {
            "path": str(inputs.data_path),
            "sha256": inputs.data_sha256,
            "data_vintage": inputs.data_vintage,
            "first_period": inputs.first_period,
            "last_period": inputs.last_period,
            "preliminary": inputs.preliminary_periods(),
            "dropped_units": inputs.dropped,
            "simulated": inputs.simulated,
            "sources": _sources_provenance(spec),
        },
        "seed": spec.seed,
        "packages": package_versions(),
        "git_commit": git_commit(),
        "platform": sys.platform,
        "outputs": files,
    }
    path = folder / "manifest.json"
    path.write_text(json.dumps(clean_json(manifest), ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    return path
