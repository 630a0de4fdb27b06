"""Command line: ``evaluation check|run|fetch|update|verify|plan|demo``.

Every message comes from the text catalogue (:mod:`evaluation.report.text`, keys ``cli.*``) in
one language: ``--language`` if given, otherwise the spec's ``language`` — read from the raw
file when the spec itself is invalid, so that errors about the spec come in the language it
asks for —, otherwise Swedish.

Exit codes (documented in the README): 0 ok; 2 bad input (the spec or the data must be fixed);
1 the run failed (a notebook, a source, the disk, an interruption). See
:mod:`evaluation.errors`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from evaluation.errors import EvaluationError
from evaluation.gc_tuning import fewer_collections

OK, RUN_FAILED, BAD_INPUT = 0, 1, 2
LANGUAGES = ("sv", "en")


def _t(key: str, language: str, **kw) -> str:
    from evaluation.report.text import t

    return t(key, language, **kw)


def spec_language(spec_path: str | Path, override: str | None = None) -> str:
    """The language of every message about ``spec_path``.

    ``override`` (``--language``) wins. Otherwise the spec's own ``language`` key, read from the
    raw text so that it holds even when the spec is invalid or unreadable YAML.
    """
    if override in LANGUAGES:
        return override
    try:
        from evaluation.spec import read_text

        text = read_text(Path(spec_path))
    except Exception:  # unreadable: the error about it is given in the default language
        return "sv"
    match = re.search(r"^language\s*:\s*['\"]?(sv|en)['\"]?\s*(#.*)?$", text, re.MULTILINE)
    return match.group(1) if match else "sv"


def _argv_language(argv: list[str]) -> str | None:
    """``--language X`` / ``--language=X`` anywhere in argv (read before the parser is built,
    so that the parser's own help comes in that language)."""
    for i, arg in enumerate(argv):
        if arg == "--language" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--language="):
            return arg.split("=", 1)[1]
    return os.environ.get("EVALUATION_LANGUAGE") or None


def _error(message: str, language: str) -> None:
    print(_t("cli.error", language, message=message), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """The command line. SIGTERM (a killed job, a CI timeout) ends a run like Ctrl-C: the
    attempt is moved to ``failed/`` with one sentence instead of leaving a staging folder. An
    unexpected exception is one sentence naming it, never a traceback."""
    import signal
    import threading

    argv = list(sys.argv[1:] if argv is None else argv)
    language = _argv_language(argv)
    language = language if language in LANGUAGES else "sv"

    def interrupt(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, interrupt) if in_main else None
    try:
        # the command's own imports (pandas, the run's modules) with the run's collector
        # settings too: a full collection fewer (evaluation.gc_tuning)
        with fewer_collections():
            return _main(argv)
    except KeyboardInterrupt:
        print(_t("cli.interrupted", language), file=sys.stderr)
        return RUN_FAILED
    except EvaluationError as exc:  # an error outside a spec's own handling (e.g. demo)
        _error(exc.text(language), language)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the last line of defence against a traceback
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        _error(_t("cli.unexpected", language,
                  what=f"{type(exc).__name__}: {first}" if first else type(exc).__name__),
               language)
        return RUN_FAILED
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


def _parser(language: str) -> argparse.ArgumentParser:
    def h(key: str) -> str:
        return _t(f"cli.help.{key}", language)

    parser = argparse.ArgumentParser(prog="evaluation", description=_t("cli.description",
                                                                         language))
    parser.add_argument("--language", choices=LANGUAGES, default=None, help=h("language"))
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help=h("check"))
    p_check.add_argument("spec", help=h("spec"))
    p_run = sub.add_parser("run", help=h("run"))
    p_run.add_argument("spec", nargs="+", help=h("specs"))
    for name in ("fetch", "update"):
        command = sub.add_parser(name, help=h(name))
        command.add_argument("spec", nargs="*", help=h("spec_list"))
        command.add_argument("--offline", action="store_true", help=h("offline"))
    p_verify = sub.add_parser("verify", help=h("verify"))
    p_verify.add_argument("spec", help=h("spec"))
    p_plan = sub.add_parser("plan", help=h("plan"))
    p_plan.add_argument("spec", help=h("spec"))
    p_demo = sub.add_parser("demo", help=h("demo"))
    p_demo.add_argument("--end", default="2025-12", help=h("demo_end"))
    p_demo.add_argument("--revised", nargs="*", default=[], help=h("demo_revised"))
    try:
        from evaluation.screen.cli import add_parser as add_screen
    except ImportError:  # the screen is optional while it is being built
        add_screen = None
    if add_screen is not None:
        add_screen(sub, language)
    for action in sub.choices.values():  # --language also after the subcommand
        action.add_argument("--language", choices=LANGUAGES, default=argparse.SUPPRESS,
                            help=argparse.SUPPRESS)
    return parser


def _main(argv: list[str]) -> int:
    override = _argv_language(argv)
    override = override if override in LANGUAGES else None
    args = _parser(override or "sv").parse_args(argv)
    override = args.language or override

    if args.command == "demo":
        from evaluation.data import demo

        language = override or "sv"
        try:
            folder = demo.ensure_demo(end=args.end, revised=tuple(args.revised))
        except EvaluationError as exc:
            _error(exc.text(language), language)
            return exc.exit_code
        print(_t("cli.demo_ready", language, folder=folder))
        return OK
    if args.command == "screen":
        from evaluation.screen.cli import run as run_screen

        return run_screen(args)
    if args.command == "plan":
        return _plan(args.spec, override)
    if args.command == "verify":
        return _verify(args.spec, override)
    if args.command == "check":
        return _check(args.spec, override)
    if args.command == "update":
        return _update(args.spec, offline=args.offline, override=override)
    if args.command == "fetch":
        return _fetch(args.spec, offline=args.offline, override=override)
    return _run(args.spec, override)


def _worst(codes: list[int]) -> int:
    """One exit code for several specs: bad input (2) if any spec's input is bad, else 1 if
    any run failed, else 0."""
    return BAD_INPUT if BAD_INPUT in codes else (RUN_FAILED if codes else OK)


def _check(spec_path: str, override: str | None) -> int:
    from evaluation.run import check

    language = spec_language(spec_path, override)
    try:
        spec, inputs = check(spec_path)
    except EvaluationError as exc:
        _error(exc.text(language), language)
        return exc.exit_code
    language = override or spec.language
    dropped = ""
    if inputs.dropped:
        items = ", ".join(f"{u} ({_dropped_reason(why, language)})"
                          for u, why in sorted(inputs.dropped.items()))
        dropped = _t("cli.check_dropped", language, items=items)
    print(_t("cli.check_ok", language, id=spec.evaluation_id, name=inputs.treated_name,
             code=inputs.treated, first=inputs.first_period, last=inputs.last_period,
             vintage=inputs.data_vintage) + dropped)
    return OK


def _dropped_reason(reason: str, language: str) -> str:
    from evaluation.report.text import TEXTS

    entry = TEXTS.get(f"cli.dropped.{reason}")
    return entry[language] if entry else reason


def _run(spec_paths: list[str], override: str | None) -> int:
    from evaluation.run import run

    codes: list[int] = []
    for spec_path in spec_paths:
        language = spec_language(spec_path, override)
        try:
            folder = run(spec_path)
        except EvaluationError as exc:
            codes.append(exc.exit_code)
            _error(exc.text(language), language)
            continue
        print(_t("cli.report", language, path=Path(folder) / "report.html"))
    return _worst(codes)


def _plan(spec_path: str, override: str | None) -> int:
    """Record the analysis plan (never overwritten), or say how the spec relates to it."""
    from evaluation import plan
    from evaluation.inputs import data_last_period
    from evaluation.spec import load_spec

    language = spec_language(spec_path, override)
    try:
        spec = load_spec(spec_path)
        last = data_last_period(spec)
        document, written = plan.record(spec, last_period=last or "", how="explicit")
        status = plan.compare(spec)
    except EvaluationError as exc:
        _error(exc.text(language), language)
        return exc.exit_code
    where = plan.plan_path(spec.evaluation_id)
    if written:
        print(_t("cli.plan_recorded", language, id=spec.evaluation_id, where=where,
                 sha=document["sha256"][:12], last=last or _t("cli.unknown", language)))
    elif status["status"] == "follows":
        print(_t("cli.plan_follows", language, where=where, when=document.get("recorded_at")))
    else:
        items = "; ".join(f"{d['key']}: {d['planned']} → {d['actual']}"
                          for d in status["deviations"])
        print(_t("cli.plan_deviates", language, where=where, items=items))
    return OK


def _verify(spec_path: str, override: str | None) -> int:
    """Check the spec's source codes online: 0 all match, 1 problems found, 2 spec error."""
    from evaluation.sources.verify import verify, verify_report
    from evaluation.spec import load_spec

    language = spec_language(spec_path, override)
    try:
        spec = load_spec(spec_path)
        problems = verify(spec)
    except EvaluationError as exc:
        _error(exc.text(language), language)
        return exc.exit_code
    if not problems and not spec.sources:
        print(_t("cli.verify_no_sources", language, spec=spec_path))
        return OK
    print(verify_report(problems, language))
    return RUN_FAILED if problems else OK


def _spec_paths(specs: list[str]) -> list[Path]:
    """The specs named, or every spec in ``notebooks/params/``."""
    from evaluation import paths

    return [Path(s) for s in specs] or sorted(paths.params_dir().glob("*.yaml"))


def _fetch_one(spec_path: Path, *, offline: bool, language: str) -> str | None:
    """Fetch and rebuild one spec's sources; the line to print, or None without sources."""
    from evaluation.sources.collect import fetch
    from evaluation.spec import load_spec

    spec = load_spec(spec_path)
    if not spec.sources:
        return None
    build = fetch(spec, offline=offline)
    return _t("cli.fetched", language, id=spec.evaluation_id, what=build.text(language),
              path=build.path)


def _fetch(specs: list[str], *, offline: bool, override: str | None) -> int:
    """Fetch the sources of the given specs (default: every spec with ``sources:``)."""
    from evaluation import paths

    codes: list[int] = []
    failures: list[tuple[str, str]] = []
    fetched = 0
    for spec_path in _spec_paths(specs):
        language = spec_language(spec_path, override)
        try:
            line = _fetch_one(spec_path, offline=offline, language=language)
        except EvaluationError as exc:
            codes.append(exc.exit_code)
            failures.append((language, _t("cli.failed_spec", language, spec=spec_path,
                                          message=exc.text(language))))
            continue
        if line is None and specs:
            print(_t("cli.fetch_no_sources", language, spec=spec_path))
        elif line is not None:
            fetched += 1
            print(line)
    if not specs and not fetched and not failures:
        print(_t("cli.fetch_nothing", override or "sv", folder=paths.params_dir()))
    for language, line in failures:
        _error(line, language)
    return _worst(codes)


def _update(specs: list[str], *, offline: bool, override: str | None) -> int:
    """Fetch what is new, then rerun every evaluation whose data changed.

    Specs with ``sources:`` are fetched first (``--offline``: rebuilt from what is stored);
    specs with a data file read the file as it is now. One failing spec does not stop the
    others; each failure is listed at the end.
    """
    from evaluation import history
    from evaluation.history import compare
    from evaluation.run import check, run
    from evaluation.spec import settings_key

    codes: list[int] = []
    failures: list[tuple[str, str]] = []
    for spec_path in _spec_paths(specs):
        language = spec_language(spec_path, override)
        try:
            fetched = _fetch_one(spec_path, offline=offline, language=language)
            if fetched is not None:
                print(fetched)
            spec, inputs = check(spec_path)
            previous = history.previous_summary(spec.evaluation_id, settings_key(spec))
            if previous and previous.get("data_vintage") == inputs.data_vintage:
                print(_t("cli.update_unchanged", language, id=spec.evaluation_id,
                         vintage=inputs.data_vintage))
                continue
            folder = run(spec_path)
        except EvaluationError as exc:
            codes.append(exc.exit_code)
            failures.append((language, _t("cli.failed_spec", language, spec=spec_path,
                                          message=exc.text(language))))
            continue
        summary = json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8"))
        report = Path(folder) / "report.html"
        if not previous:
            print(_t("cli.update_first", language, id=spec.evaluation_id, path=report))
            continue
        diff = summary.get("changes") or compare(None, summary)
        print(_t("cli.update_new", language, id=spec.evaluation_id, path=report,
                 periods=len(diff.get("new_periods") or []),
                 revised=len(diff.get("revised") or []),
                 results=len(diff.get("results") or [])))
    for language, line in failures:
        _error(line, language)
    return _worst(codes)


if __name__ == "__main__":
    raise SystemExit(main())
