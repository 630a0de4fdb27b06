"""The analysis plan, locked before the results (issue "One answer", part 3).

An evaluation decides *before* it sees post-period data what it will call its answer: the
primary outcome, the primary design, the post window, the smallest relevant effect, the designs
and outcomes, the comparison and donors. :func:`plan_of` takes these from the spec;
:func:`record` writes them once, with their SHA-256 hash, to
``reports/<evaluation_id>/analysplan.json`` — automatically the first time the evaluation runs
on data that end before the intervention (nothing of the effect can have been seen), or
explicitly with ``evaluation plan <spec>``. A plan is never overwritten: every plan ever written
is also appended to ``analysplan-logg.jsonl``, so a deleted and re-created plan shows.

Every later run compares its spec with the plan (:func:`compare`) and the report flags each
deviation ("avviker från analysplanen: …"), a missing plan, a plan recorded only after
post-period data existed, and a re-created plan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from evaluation import paths
from evaluation.errors import EvaluationError

#: What the plan fixes (spec keys; ``post_end`` is the post window's end).
PLAN_KEYS = ("primary_outcome", "primary_design", "intervention", "post_end",
             "smallest_relevant_effect", "outcomes", "designs", "comparison", "donors")
PLAN_FILE = "analysplan.json"
LOG_FILE = "analysplan-logg.jsonl"


class PlanError(EvaluationError):
    """The plan could not be written or read."""


def plan_of(spec: Any) -> dict[str, Any]:
    """The plan a spec stands for, defaults filled in (so an unchanged default is no
    deviation, and a default made explicit is none either)."""
    from evaluation.designs.registry import names

    values = {key: getattr(spec, key, None) for key in PLAN_KEYS}
    values["primary_outcome"] = values["primary_outcome"] or spec.outcomes[0]
    values["primary_design"] = values["primary_design"] or "its"
    values["designs"] = list(values["designs"] or names(default_only=True))
    values["outcomes"] = list(spec.outcomes)
    return json.loads(json.dumps(values, sort_keys=True, default=str))


def plan_hash(plan: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(plan, sort_keys=True, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def plan_path(evaluation_id: str) -> Path:
    return paths.reports_dir() / evaluation_id / PLAN_FILE


def read(evaluation_id: str) -> dict[str, Any] | None:
    """The recorded plan document, or None."""
    path = plan_path(evaluation_id)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlanError(
            f"Analysplanen {path} går inte att läsa ({exc}): återställ den från en "
            "säkerhetskopia; skapas den om flaggas det i rapporten.",
            f"The analysis plan {path} cannot be read ({exc}): restore it from a backup; if "
            "it is re-created the report flags it.") from exc


def _log(evaluation_id: str) -> list[dict[str, Any]]:
    path = plan_path(evaluation_id).with_name(LOG_FILE)
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def record(spec: Any, *, last_period: str, how: str = "explicit") -> tuple[dict[str, Any], bool]:
    """Write the plan unless one exists; returns ``(plan document, written)``.

    ``last_period`` is the last period of the data at the time (the plan says whether it was
    locked before any post-period data existed).
    """
    existing = read(spec.evaluation_id)
    if existing is not None:
        return existing, False
    plan = plan_of(spec)
    document = {
        "evaluation": spec.evaluation_id,
        "plan": plan,
        "sha256": plan_hash(plan),
        "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "data_last_period": last_period,
        "before_post_period": str(last_period) < str(spec.intervention),
        "how": how,
    }
    path = plan_path(spec.evaluation_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{PLAN_FILE}.tmp")
        tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
        tmp.replace(path)
        with path.with_name(LOG_FILE).open("a", encoding="utf-8") as log:
            log.write(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n")
    except OSError as exc:
        raise PlanError(
            f"Analysplanen kunde inte skrivas till {path} ({exc.strerror or exc}): kontrollera "
            "att mappen går att skriva i.",
            f"The analysis plan could not be written to {path} ({exc.strerror or exc}): check "
            "that the folder is writable.") from exc
    return document, True


def record_if_before_post(spec: Any, *, last_period: str) -> bool:
    """Record the plan automatically when the data end before the intervention."""
    if read(spec.evaluation_id) is None and str(last_period) < str(spec.intervention):
        record(spec, last_period=last_period, how="automatic")
        return True
    return False


def compare(spec: Any) -> dict[str, Any]:
    """How this run's spec relates to the recorded plan.

    Returns ``{"status", "deviations", "recorded_at", "before_post_period", "recreated",
    "sha256"}``: status ``"missing"`` (no plan), ``"deviates"`` or ``"follows"``;
    ``deviations`` lists ``{"key", "planned", "actual"}``; ``recreated`` is True when more
    than one plan was ever written for this evaluation.
    """
    document = read(spec.evaluation_id)
    if document is None:
        return {"status": "missing", "deviations": [], "recorded_at": None,
                "before_post_period": None, "recreated": len(_log(spec.evaluation_id)) > 0,
                "sha256": None}
    planned = document.get("plan") or {}
    actual = plan_of(spec)
    deviations = [{"key": key, "planned": planned.get(key), "actual": actual.get(key)}
                  for key in PLAN_KEYS if planned.get(key) != actual.get(key)]
    hashes = {entry.get("sha256") for entry in _log(spec.evaluation_id)}
    return {"status": "deviates" if deviations else "follows", "deviations": deviations,
            "recorded_at": document.get("recorded_at"),
            "before_post_period": bool(document.get("before_post_period")),
            "recreated": len(_log(spec.evaluation_id)) > 1 or len(hashes) > 1,
            "sha256": document.get("sha256")}
