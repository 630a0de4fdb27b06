"""Command line: ``evaluation check|run|fetch|update|verify|plan|demo``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evaluation.errors import EvaluationError


def _language_of(spec_path: str) -> str:
    try:
        from evaluation.spec import load_spec

        return load_spec(spec_path).language
    except Exception:  # the error itself is reported in Swedish by default
        return "sv"


def main(argv: list[str] | None = None) -> int:
    """The command line. SIGTERM (a killed job, a CI timeout) ends a run like Ctrl-C: the
    attempt is moved to ``failed/`` with one sentence instead of leaving a staging folder."""
    import signal
    import threading

    def interrupt(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("Avbrutet: inget publicerades; tidigare rapporter och data är orörda.",
              file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="evaluation",
        description="Utvärdera om en lokal förändring påverkade utfallen, utöver rikets utveckling.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="validera en specifikation och dess data")
    p_check.add_argument("spec", help="YAML-specifikation, t.ex. notebooks/params/exempelstad.yaml")
    p_run = sub.add_parser("run", help="kör utvärderingen och skriv rapporten")
    p_run.add_argument("spec", nargs="+", help="en eller flera YAML-specifikationer")
    for name, what in (("fetch", "hämta data för specifikationer med sources: och bygg panelen"),
                       ("update", "hämta det nya och kör om utvärderingarna vars data har "
                                  "ändrats sedan förra rapporten")):
        command = sub.add_parser(name, help=what)
        command.add_argument("spec", nargs="*",
                             help="specifikationer (standard: alla i notebooks/params/)")
        command.add_argument("--offline", action="store_true",
                             help="hämta inget från nätet, bygg om från det som redan är lagrat")
    p_verify = sub.add_parser("verify", help="kontrollera källornas koder och KPI-id:n mot "
                                             "källornas egna metadata (kräver nätverk)")
    p_verify.add_argument("spec", help="YAML-specifikation med sources:")
    p_plan = sub.add_parser("plan", help="registrera analysplanen innan resultaten finns")
    p_plan.add_argument("spec", help="YAML-specifikation")
    p_demo = sub.add_parser("demo", help="bygg demodata (simulerade, fiktiva kommuner)")
    p_demo.add_argument("--end", default="2025-12", help="sista månad (ÅÅÅÅ-MM)")
    p_demo.add_argument("--revised", nargs="*", default=[], help="reviderade månader")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from evaluation.data import demo

        try:
            folder = demo.ensure_demo(end=args.end, revised=tuple(args.revised))
        except EvaluationError as exc:
            print(f"Fel: {exc}", file=sys.stderr)
            return 2
        print(f"Demodata klara i {folder}")
        return 0

    if args.command == "plan":
        return _plan(args.spec)
    if args.command == "verify":
        return _verify(args.spec)

    if args.command == "check":
        from evaluation.run import check

        try:
            spec, inputs = check(args.spec)
        except EvaluationError as exc:
            print(f"Fel: {exc.text(_language_of(args.spec))}", file=sys.stderr)
            return 2
        dropped = ""
        if inputs.dropped:
            dropped = " Utelämnade jämförelseenheter: " + ", ".join(
                f"{u} ({why})" for u, why in sorted(inputs.dropped.items())) + "."
        print(f"OK: {spec.evaluation_id} – {inputs.treated_name} ({inputs.treated}), "
              f"data {inputs.first_period}–{inputs.last_period}, version {inputs.data_vintage}."
              + dropped)
        return 0

    if args.command == "update":
        return _update(args.spec, offline=args.offline)
    if args.command == "fetch":
        return _fetch(args.spec, offline=args.offline)

    from evaluation.run import run

    failures = 0
    for spec_path in args.spec:
        try:
            folder = run(spec_path)
        except EvaluationError as exc:
            failures += 1
            print(f"Fel: {exc.text(_language_of(spec_path))}", file=sys.stderr)
            continue
        print(f"Rapport: {Path(folder) / 'report.html'}")
    return 1 if failures else 0


def _plan(spec_path: str) -> int:
    """Record the analysis plan (never overwritten), or say how the spec relates to it."""
    from evaluation import plan
    from evaluation.inputs import data_last_period
    from evaluation.spec import load_spec

    language = _language_of(spec_path)
    try:
        spec = load_spec(spec_path)
        last = data_last_period(spec)
        document, written = plan.record(spec, last_period=last or "", how="explicit")
        status = plan.compare(spec)
    except EvaluationError as exc:
        print(f"{'Error' if language == 'en' else 'Fel'}: {exc.text(language)}", file=sys.stderr)
        return 2
    where = plan.plan_path(spec.evaluation_id)
    if written:
        print(f"Analysplanen för {spec.evaluation_id} är registrerad i {where} "
              f"(sha256 {document['sha256'][:12]}); data slutar {last or 'okänt'}.")
    elif status["status"] == "follows":
        print(f"Analysplanen finns redan ({where}, registrerad {document.get('recorded_at')}); "
              "specifikationen följer den.")
    else:
        items = "; ".join(f"{d['key']}: {d['planned']} → {d['actual']}"
                          for d in status["deviations"])
        print(f"Analysplanen finns redan ({where}) och skrivs inte över; specifikationen "
              f"avviker: {items}. Rapporten kommer att visa avvikelserna.")
    return 0


def _verify(spec_path: str) -> int:
    """Check the spec's source codes online: 0 all match, 1 problems found, 2 spec error."""
    from evaluation.sources.verify import verify, verify_report
    from evaluation.spec import load_spec

    language = _language_of(spec_path)
    try:
        spec = load_spec(spec_path)
        problems = verify(spec)
    except EvaluationError as exc:
        print(f"{'Error' if language == 'en' else 'Fel'}: {exc.text(language)}", file=sys.stderr)
        return 2
    if not problems and not spec.sources:
        print(f"{spec_path}: inga källor (sources:) att kontrollera – data läses från filen."
              if language == "sv" else
              f"{spec_path}: no sources (sources:) to check – the data are read from the file.")
        return 0
    print(verify_report(problems, language))
    return 1 if problems else 0


def _spec_paths(specs: list[str]) -> list[Path]:
    """The specs named, or every spec in ``notebooks/params/``."""
    from evaluation import paths

    return [Path(s) for s in specs] or sorted(paths.params_dir().glob("*.yaml"))


def _fetch_one(spec_path: Path, *, offline: bool) -> str | None:
    """Fetch and rebuild one spec's sources; the line to print, or None without sources."""
    from evaluation.sources.collect import fetch
    from evaluation.spec import load_spec

    spec = load_spec(spec_path)
    if not spec.sources:
        return None
    build = fetch(spec, offline=offline)
    return f"{spec.evaluation_id}: {build.text(spec.language)} ({build.path})."


def _fetch(specs: list[str], *, offline: bool) -> int:
    """Fetch the sources of the given specs (default: every spec with ``sources:``)."""
    from evaluation import paths

    spec_paths = _spec_paths(specs)
    failures: list[str] = []
    fetched = 0
    for spec_path in spec_paths:
        try:
            line = _fetch_one(spec_path, offline=offline)
        except EvaluationError as exc:
            failures.append(f"{spec_path}: {exc.text(_language_of(str(spec_path)))}")
            continue
        if line is None and specs:
            print(f"{spec_path}: inga källor (sources:) att hämta – data läses från filen.")
        elif line is not None:
            fetched += 1
            print(line)
    if not specs and not fetched and not failures:
        print(f"Ingen specifikation i {paths.params_dir()} har ett block sources: – inget att "
              "hämta (se notebooks/examples/).")
    for line in failures:
        print(f"Fel: {line}", file=sys.stderr)
    return 1 if failures else 0


def _update(specs: list[str], *, offline: bool) -> int:
    """Fetch what is new, then rerun every evaluation whose data changed.

    Specs with ``sources:`` are fetched first (``--offline``: rebuilt from what is stored);
    specs with a data file read the file as it is now. One failing spec does not stop the
    others; each failure is listed at the end.
    """
    from evaluation import history
    from evaluation.history import compare
    from evaluation.run import check, run
    from evaluation.spec import settings_key

    spec_paths = _spec_paths(specs)
    failures: list[str] = []
    for spec_path in spec_paths:
        try:
            fetched = _fetch_one(spec_path, offline=offline)
            if fetched is not None:
                print(fetched)
            spec, inputs = check(spec_path)
            previous = history.previous_summary(spec.evaluation_id, settings_key(spec))
            if previous and previous.get("data_vintage") == inputs.data_vintage:
                print(f"{spec.evaluation_id}: inga nya uppgifter ({inputs.data_vintage}).")
                continue
            folder = run(spec_path)
        except EvaluationError as exc:
            failures.append(f"{spec_path}: {exc.text(_language_of(str(spec_path)))}")
            continue
        summary = json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8"))
        if not previous:
            print(f"{spec.evaluation_id}: första rapporten {folder / 'report.html'}.")
            continue
        diff = summary.get("changes") or compare(None, summary)
        print(f"{spec.evaluation_id}: ny rapport {folder / 'report.html'} "
              f"({len(diff.get('new_periods') or [])} nya perioder, "
              f"{len(diff.get('revised') or [])} reviderade värden, "
              f"{len(diff.get('results') or [])} ändrade skattningar).")
    for line in failures:
        print(f"Fel: {line}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
