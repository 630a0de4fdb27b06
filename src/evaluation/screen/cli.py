"""``evaluation screen``: the command line of the screen.

::

    evaluation screen --date 2022-04 [--data demo|FILE] [--outcomes …] [--post-end P]
                      [--designs …] [--level 0.05] [--scheduler tcp://HOST:8786]
                      [--workers N] [--kommuner KOD …] [--out DIR] [--no-cache]
                      [--passes 3] [--drill KOMMUNKOD] [--language sv|en]

Wired into :mod:`evaluation.cli` with :func:`add_parser` and :func:`run`. Messages come from
:mod:`evaluation.screen.text`, Swedish unless ``--language en``. Exit codes as for every
command: 0 ok, 2 bad input (a date, an outcome, a kommun or a file to fix), 1 the run failed
(the scheduler could not be reached, a worker died, the disk).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from evaluation.errors import EvaluationError
from evaluation.screen.settings import (
    DEFAULT_DESIGNS,
    DEFAULT_LEVEL,
    DEFAULT_OUTCOMES,
    MAX_PASSES,
)
from evaluation.screen.text import t

OK, RUN_FAILED, BAD_INPUT = 0, 1, 2


def add_parser(subparsers: Any, language: str = "sv") -> argparse.ArgumentParser:
    """Add the ``screen`` command to ``subparsers`` (help texts in ``language``). The main
    parser adds ``--language`` to every command itself."""

    def h(key: str) -> str:
        return t(f"help.{key}", language)

    p = subparsers.add_parser("screen", help=h("screen"), description=h("screen"))
    p.add_argument("--date", required=True, help=h("date"))
    p.add_argument("--data", default="demo", help=h("data"))
    p.add_argument("--outcomes", nargs="+", default=list(DEFAULT_OUTCOMES), help=h("outcomes"))
    p.add_argument("--post-end", default=None, help=h("post_end"))
    p.add_argument("--designs", nargs="+", default=list(DEFAULT_DESIGNS), help=h("designs"))
    p.add_argument("--level", type=float, default=DEFAULT_LEVEL, help=h("level"))
    p.add_argument("--seed", type=int, default=1, help=h("seed"))
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help=h("scheduler"))
    p.add_argument("--workers", type=int, default=None, help=h("workers"))
    p.add_argument("--batch-size", type=int, default=None, help=h("batch_size"))
    p.add_argument("--kommuner", nargs="+", default=None, metavar="KOD", help=h("kommuner"))
    p.add_argument("--out", default=None, help=h("out"))
    p.add_argument("--cache", default=None, help=h("cache"))
    p.add_argument("--no-cache", action="store_true", help=h("no_cache"))
    p.add_argument("--top", type=int, default=12, help=h("top"))
    p.add_argument("--passes", type=int, default=MAX_PASSES, help=h("passes"))
    p.add_argument("--drill", default=None, metavar="KOMMUNKOD", help=h("drill"))
    return p


def _say(key: str, language: str, **kw: Any) -> None:
    print(t(key, language, **kw))


def _error(message: str, language: str) -> None:
    print(t("error", language, message=message), file=sys.stderr)


def output_dir(data: Any, level: float) -> Path:
    """``reports/screen/<date>/<data vintage>-<6 hex of the settings>/``."""
    from evaluation import paths

    text = json.dumps({**data.settings.to_dict(), "level": level}, sort_keys=True)
    key = hashlib.sha256(text.encode()).hexdigest()[:6]
    return (paths.reports_dir() / "screen" / data.settings.intervention
            / f"{data.vintage}-{key}")


def run(args: argparse.Namespace) -> int:
    """Run ``evaluation screen`` for parsed ``args``; returns the exit code."""
    language = getattr(args, "language", None) or "sv"
    try:
        return _run(args, language)
    except EvaluationError as exc:
        _error(exc.text(language), language)
        return exc.exit_code
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - a worker died, the scheduler went away …
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        _error(t("unexpected", language, what=what), language)
        return RUN_FAILED


def _run(args: argparse.Namespace, language: str) -> int:
    from evaluation.screen.cache import default_cache_dir
    from evaluation.screen.core import default_workers, screen
    from evaluation.screen.data import load_screen_data
    from evaluation.screen.settings import ScreenSettings

    settings = ScreenSettings(intervention=str(args.date), outcomes=tuple(args.outcomes),
                              post_end=args.post_end, designs=tuple(args.designs),
                              seed=int(args.seed), level=float(args.level))
    data = load_screen_data(args.data, settings, kommuner=args.kommuner)
    folder = Path(args.out) if args.out else output_dir(data, settings.level)
    if args.drill:
        code = str(args.drill)
        if code not in data.kommuner:
            _error(t("drill.unknown", language, code=code), language)
            return BAD_INPUT
        from evaluation.screen.drill import drill_down

        _say("drill.start", language, name=data.names.get(code, code), code=code)
        report = drill_down(data, code, folder / "drill", language=language)
        _say("drill.done", language, path=Path(report) / "report.html")
        return OK
    s = data.settings
    _say("start", language, n=len(data.kommuner), m=len(s.outcomes),
         designs=", ".join(s.designs), date=s.intervention, end=s.post_end)
    if data.skipped:
        _say("skipped", language, n=len(data.skipped),
             items=", ".join(f"{data.names.get(k, k)} ({k})" for k in sorted(data.skipped)))
    if args.scheduler:
        _say("cluster.remote", language, address=args.scheduler)
    else:
        _say("cluster.local", language, n=args.workers or default_workers())
    cache_dir = None if args.no_cache else (args.cache or default_cache_dir())
    result = screen(data, settings, scheduler=args.scheduler, n_workers=args.workers,
                    cache_dir=cache_dir, batch_size=args.batch_size, max_passes=args.passes)
    from evaluation.screen import report

    files = report.write_outputs(result, folder, language=language, top=args.top)
    stats = result.stats
    from evaluation.report import format as fmt

    level = fmt.number(settings.level, 2, language)
    _say("done", language, seconds=stats["seconds"], computed=sum(stats["computed"].values()),
         reused=sum(stats["reused"].values()))
    if len(stats["passes"]) > 1:
        _say("passes", language, n=len(stats["passes"]),
             unsettled="" if stats["converged"] else t("passes.unsettled", language))
    if result.flagged.empty:
        _say("flagged.none", language, level=level)
    else:
        _say("flagged.some", language, n=len(result.flagged), level=level,
             items=report.flagged_items(result.table, language))
    _say("top", language, items=report.top_items(result.table, 5, language))
    _say("files", language, table=files["table"][0], figure=files["figure"][0])
    return OK
