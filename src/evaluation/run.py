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
from evaluation.errors import EvaluationError
from evaluation.inputs import Inputs, data_last_period, load_inputs, sha256_file
from evaluation.results import clean_json
from evaluation.spec import Spec, load_spec, settings_key

LATEST = "senaste"
FAILED = "failed"
PACKAGES = (
    "evaluation", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "papermill",
    "nbconvert", "nbformat", "pyarrow", "openpyxl", "PyYAML", "babel",
)


class RunError(EvaluationError):
    """The notebook failed; the previous report is untouched."""


def check(spec_path: str | Path) -> tuple[Spec, Inputs]:
    """Validate a spec and its data without running anything."""
    spec = load_spec(spec_path)
    return spec, load_inputs(spec)


def run(spec_path: str | Path, *, kernel: str = "python3") -> Path:
    """Validate, execute the notebook into a staging folder and publish it on success.

    Returns the published report folder ``reports/<id>/<vintage>/``.
    """
    import papermill as pm

    from evaluation.report.html import export_html

    spec = load_spec(spec_path)
    try:
        inputs = load_inputs(spec)
    except EvaluationError as exc:
        # data that end before the intervention cannot show the effect: lock the plan now
        last = data_last_period(spec)
        if last is not None and plan.record_if_before_post(spec, last_period=last):
            raise RunError(
                f"{exc.sv} Analysplanen har registrerats i {plan.plan_path(spec.evaluation_id)} "
                "innan resultaten finns; kör igen när data för efterperioden har kommit.",
                f"{exc.en} The analysis plan has been recorded in "
                f"{plan.plan_path(spec.evaluation_id)} before the results exist; run again when "
                "data for the post-period have arrived.") from exc
        raise
    root = paths.reports_dir() / spec.evaluation_id
    root.mkdir(parents=True, exist_ok=True)
    _clean_stale(root)
    staging = _folder(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=root))
    notebook_out = staging / "evaluate.ipynb"
    parameters = {**spec.parameters(), "output_dir": str(staging),
                  "spec_path": spec.path or ""}
    try:
        pm.execute_notebook(
            str(paths.evaluate_notebook()), str(notebook_out), parameters=parameters,
            kernel_name=kernel, cwd=str(staging), progress_bar=False, log_output=False,
            request_save_on_cell_execute=False,
            # no kernel chatter on the terminal: the kernel's shutdown logs a caught
            # KeyboardInterrupt at ERROR level after a successful run
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        summary = json.loads((staging / "summary.json").read_text(encoding="utf-8"))
        title = summary.get("title") or spec.evaluation_id
        export_html(notebook_out, staging / "report.html", title=title, language=spec.language)
        write_manifest(staging, spec, inputs)
    except (Exception, KeyboardInterrupt) as exc:  # failed or interrupted (Ctrl-C, SIGTERM):
        # keep it aside, never replace a good report
        failed = root / FAILED / dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        failed.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), failed)
        if isinstance(exc, KeyboardInterrupt):
            raise RunError(
                f"Körningen av {spec.evaluation_id} avbröts; den tidigare rapporten är orörd och "
                f"det påbörjade finns i {failed}.",
                f"The run of {spec.evaluation_id} was interrupted; the previous report is "
                f"untouched and what had started is kept in {failed}.") from None
        reason = _short_reason(exc)
        raise RunError(
            f"Körningen av {spec.evaluation_id} misslyckades ({reason}); den tidigare rapporten "
            f"är orörd och den misslyckade körningen finns i {failed}.",
            f"The run of {spec.evaluation_id} failed ({reason}); the previous report is "
            f"untouched and the failed run is kept in {failed}.",
        ) from exc
    target = root / f"{inputs.data_vintage}-{settings_key(spec)}"
    _swap_in(staging, target)
    history.record(spec.evaluation_id, summary)
    latest_tmp = Path(tempfile.mkdtemp(prefix=".latest-", dir=root))
    shutil.rmtree(latest_tmp)
    shutil.copytree(target, latest_tmp)
    _folder(latest_tmp)
    _swap_in(latest_tmp, root / LATEST)
    return target


def _clean_stale(root: Path) -> None:
    """Remove staging folders of runs that were killed (their process no longer exists)."""
    for folder in root.glob(".staging-*"):
        parts = folder.name.split("-")
        pid = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None
        if pid is not None and pid != os.getpid() and _alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _folder(path: str | Path) -> Path:
    """A folder made by ``tempfile.mkdtemp`` (mode 0700) given the mode the user's umask asks
    for, as any other folder the tool makes: the report is shared with colleagues."""
    from evaluation.data.store import _umask

    path = Path(path)
    os.chmod(path, 0o777 & ~_umask())
    return path


def _swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with renames only (no half-written report is visible)."""
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)


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
