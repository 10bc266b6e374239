"""The ``scenarios`` and ``deadline`` commands (registered by cli.py; ``uncertainty`` moved
to :mod:`prioritise.cli.manyplans` with the other many-plans commands).

Kept apart from cli.py so that adding them there is a two-line change; like the rest of the
CLI they parse, call the library, print, and return an exit code (0 = done; ``scenarios``
returns 4 when any scenario ended without a plan, after writing every output).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prioritise.cli.execution import (
    add_execution_flags,
    add_run_flags,
    executor_for,
    scheduler_for,
    workers_for,
)
from prioritise.cli.flags import (
    GAP,
    SAMPLES_OR_NONE,
    SECONDS,
    SEED,
    YEAR,
    YEARS_ADDED,
    YEARS_AHEAD,
    Interrupted,
    number,
)
from prioritise.cli.loading import add_warning_flag, load_project

EXIT_OK, EXIT_INFEASIBLE = 0, 4

OVERWRITE_HELP = "replace an earlier run in --out (removed once the new run is complete)"


def add_commands(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register the two commands on the CLI's sub-parser collection."""
    p = sub.add_parser(
        "scenarios",
        parents=parents,
        help="plan every scenario of a scenarios TOML in parallel and compare them",
    )
    p.add_argument("project", type=Path, help="project TOML file")
    p.add_argument("scenarios", type=Path, help="scenarios TOML file")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    add_execution_flags(p)
    p.add_argument(
        "--time-limit", type=number(SECONDS), metavar="SECONDS", help="per scenario solve"
    )
    p.add_argument(
        "--gap", type=number(GAP), metavar="FRACTION", help="relative gap to stop at, in [0, 1)"
    )
    p.add_argument(
        "--outlook",
        choices=["extrapolate", "replan"],
        default="extrapolate",
        help="completion beyond the horizon: extrapolate the last years' release "
        "rate (default) or re-plan over a longer horizon",
    )
    p.add_argument(
        "--outlook-years",
        type=number(YEARS_ADDED),
        default=10,
        help="years added for --outlook replan (default 10)",
    )
    p.add_argument(
        "--samples",
        type=number(SAMPLES_OR_NONE),
        default=0,
        help="Monte Carlo samples per scenario (0 = none; see `uncertainty`)",
    )
    p.add_argument("--seed", type=number(SEED), default=0, help="Monte Carlo seed")
    p.add_argument("--strict", action="store_true", help="treat project warnings as errors")
    add_warning_flag(p)
    p.set_defaults(run=cmd_scenarios)

    p = sub.add_parser(
        "deadline",
        parents=parents,
        help="can every Article 5 hazard be done by a year; if not, "
        "the least extra budget or teams, and the earliest feasible year",
    )
    p.add_argument("project", type=Path, help="project TOML file")
    p.add_argument("--year", type=number(YEAR), required=True, help="the deadline year")
    p.add_argument("--out", type=Path, help="folder for the extension-request tables")
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    p.add_argument(
        "--time-limit",
        type=number(SECONDS),
        default=120.0,
        metavar="SECONDS",
        help="per solve (default 120)",
    )
    p.add_argument(
        "--teams-objective",
        choices=["count", "cost"],
        default="count",
        help="minimise the number of extra teams or their cost",
    )
    p.add_argument(
        "--max-extension",
        type=number(YEARS_AHEAD),
        default=15,
        help="years past the horizon searched for the earliest year (default 15)",
    )
    add_run_flags(p)
    p.set_defaults(run=cmd_deadline)


def cmd_scenarios(args: argparse.Namespace) -> int:
    from prioritise.analyses.scenarios.apply import scenario_findings
    from prioritise.execution.batch import RunOptions, run_scenarios, write_comparison
    from prioritise.execution.progress import ProgressBar
    from prioritise.inputs.scenarios import load_scenarios
    from prioritise.outputs.files import RunFolder, project_inputs

    problem = load_project(args)
    scenarios = load_scenarios(args.scenarios)
    inputs = project_inputs(problem.settings, args.project, args.scenarios)
    for s in scenarios:
        for f in scenario_findings(problem, s, args.scenarios.name):
            print(f.render(), file=sys.stderr)
    scheduler = scheduler_for(args, problem)
    workers = min(workers_for(args, problem), len(scenarios) or 1)
    where = f"the Dask cluster at {scheduler}" if scheduler else f"{workers} local worker(s)"
    print(
        f"Planning {len(scenarios)} scenario(s) of {len(problem.hazards)} hazards on {where}...",
        file=sys.stderr,
    )
    options = RunOptions(
        time_limit=args.time_limit,
        gap=args.gap,
        outlook=args.outlook,
        outlook_years=args.outlook_years,
        samples=args.samples,
        seed=args.seed,
    )
    with RunFolder(args.out, inputs, args.overwrite) as run:
        for s in scenarios:
            run.child(s.name)  # a checked single folder name, before any solve
        with executor_for(args, problem, tasks=len(scenarios)) as ex:
            batch = run_scenarios(
                problem,
                scenarios,
                options=options,
                out_dir=run.path,
                progress=ProgressBar("scenarios"),
                executor=ex,
            )
        written = write_comparison(batch, run.path)
    print(render_comparison(batch.comparison))
    print(
        f"\n{len(scenarios)} scenario(s) in {batch.seconds:.1f} s with {batch.workers} "
        f"worker(s). Wrote {', '.join(p.name for p in written)} and one folder per "
        f"scenario to {args.out}"
    )
    if batch.failed:
        print(
            f"{len(batch.failed)} scenario(s) without a plan: {', '.join(batch.failed)} "
            "(their rows carry the error).",
            file=sys.stderr,
        )
        return EXIT_INFEASIBLE
    return EXIT_OK


def render_comparison(frame: Any) -> str:
    """A few headline columns per scenario for the terminal."""
    from prioritise.outputs.console import render_comparison as render

    return render(frame.to_dict(orient="records"))


def cmd_deadline(args: argparse.Namespace) -> int:
    from prioritise.analyses.deadline import analyse_deadline
    from prioritise.core import cancel
    from prioritise.outputs.deadline import render_answer, write_answer
    from prioritise.outputs.files import RunFolder, project_inputs

    problem = load_project(args, ignore_deadline=True)
    if args.year < problem.settings.plan.start_year:
        from prioritise.core.errors import UsageError

        raise UsageError(
            f"--year {args.year} is before the plan starts ({problem.settings.plan.start_year})."
        )
    folder = None
    if args.out is not None:
        inputs = project_inputs(problem.settings, args.project)
        folder = RunFolder(args.out, inputs, args.overwrite)
        folder.check()  # refuse a bad --out before the analysis, not after
    print(
        f"Analysing the deadline {args.year} for {len(problem.hazards)} hazards...", file=sys.stderr
    )
    with _deadline_fanout(args, problem) as fanout:
        answer = analyse_deadline(
            problem,
            args.year,
            time_limit=args.time_limit,
            teams_objective=args.teams_objective,
            max_extension=args.max_extension,
            plan_tables=args.out is not None,
            fanout=fanout,
        )
    if cancel.requested():
        raise Interrupted("no answer given, nothing written")
    print(render_answer(answer))
    if folder is not None:
        with folder as run:
            written = write_answer(answer, run.path)
        print(f"\nWrote {', '.join(p.name for p in written)} to {args.out}")
    return EXIT_OK


@contextmanager
def _deadline_fanout(args: argparse.Namespace, problem: Any) -> Iterator[Any]:
    """The deadline's independent solves on the execution layer when --workers or
    --scheduler (or the project's [execution] scheduler) asks for it; else one by one."""
    if not (args.workers or scheduler_for(args, problem)):
        yield None
        return
    from prioritise.analyses.deadline import Fanout
    from prioritise.execution.manyplans import executor_mapper

    with executor_for(args, problem, tasks=max(2, args.max_extension)) as ex:
        where = f"the Dask cluster at {ex.scheduler}" if ex.scheduler else "local Dask"
        print(f"Independent solves on {ex.workers} worker(s) of {where}.", file=sys.stderr)
        yield Fanout(executor_mapper(ex), ex.workers)
