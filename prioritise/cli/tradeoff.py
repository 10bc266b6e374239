"""``prioritise tradeoff``: an efficient frontier by the epsilon-constraint method.

One plan per cap, run as tasks on the execution layer (a local Dask cluster, or
``--scheduler``); the command parses, calls the library, prints and returns an exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prioritise.cli.execution import add_execution_flags, executor_for
from prioritise.cli.flags import GAP, SECONDS, number
from prioritise.core.limits import Limit

if TYPE_CHECKING:
    import pandas as pd

    from prioritise.outputs.report.html import ExtraSection
    from prioritise.planning.planner import PlanResult

EXIT_OK = 0
PAIRS = ("impact,environment", "impact,cost", "impact,equity")
POINTS = Limit("a whole number in 2..50", "7", integer=True, low=2, high=50)


def add_commands(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "tradeoff",
        parents=parents,
        help="efficient frontier of the plan's objective against the environment, cost or "
        "equity (epsilon-constraint, one plan per point)",
    )
    p.add_argument("project", type=Path, help="project TOML file")
    p.add_argument("--between", choices=PAIRS, default=PAIRS[0], help="the two measures")
    p.add_argument("--points", type=number(POINTS), default=7, help="plans (default 7)")
    p.add_argument("--time-limit", type=number(SECONDS), metavar="SECONDS", help="per plan")
    p.add_argument("--gap", type=number(GAP), metavar="FRACTION", help="per plan")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier run in --out (removed once the new run is complete)",
    )
    p.add_argument("--strict", action="store_true", help="treat project warnings as errors")
    add_execution_flags(p)
    p.set_defaults(run=cmd_tradeoff)


def cmd_tradeoff(args: argparse.Namespace) -> int:
    from prioritise import load_problem, plan
    from prioritise.analyses.tradeoff import (
        TradeoffSettings,
        epsilons,
        frontier_table,
        measure,
        point_task,
        problem_for,
        with_cap,
    )
    from prioritise.analyses.tradeoff_position import place, plan_objective
    from prioritise.execution.manyplans import run_tasks
    from prioritise.execution.progress import ProgressBar
    from prioritise.outputs.files import RunFolder, project_inputs
    from prioritise.outputs.tradeoff import PlanMark, write_tradeoff

    axis = args.between.split(",")[1]
    original = load_problem(args.project, strict=args.strict)
    problem = problem_for(original, axis)
    folder = RunFolder(args.out, project_inputs(problem.settings, args.project), args.overwrite)
    folder.check()
    settings = TradeoffSettings(axis, args.points, args.time_limit, args.gap)
    print("Planning the project as configured (and without a cap: the range)...", file=sys.stderr)
    own = plan(original, time_limit=args.time_limit, gap=args.gap)
    same = axis != "environment" or original.settings.plan.environment_weight == 0
    free = own if same else plan(problem, time_limit=args.time_limit, gap=args.gap)
    caps = epsilons(problem, settings, free)
    own_measure = measure(original, own.schedule, axis)
    if not same and own_measure is not None:
        caps = with_cap(caps, own_measure)  # the frontier point at the plan's own score
    with executor_for(args, problem, tasks=len(caps)) as ex:
        rows = run_tasks(
            point_task,
            list(enumerate(caps)),
            (problem, settings, free.schedule),
            ex,
            ProgressBar("points"),
        )
    points = [r.value for r in rows if r.ok]
    table = frontier_table(points, axis)
    npv = problem.settings.plan.objective == "npv"
    label = "NPV, USD" if npv else "impact-years"
    summary = own.summary.to_dict()
    objective = plan_objective(summary)
    position = None if objective is None else place(table, axis, objective, own_measure, label)
    mark = PlanMark(own.workplan, summary, position)
    with folder as run:
        written = write_tradeoff(
            run.path, points, table, axis, label, problem.settings.name, mark, settings
        )
    print(f"Trade-off, {label} against {axis} ({len(points)} plans of {len(caps)}):")
    for r in table.to_dict(orient="records"):
        obj = "no plan" if r["objective"] != r["objective"] else f"{r['objective']:,.2f}"
        note = "knee" if r["knee"] else "frontier" if r["on_frontier"] else r["dominated_by"]
        print(f"  {r['point']:>2}  cap {r['cap']:>14,.4g}  {obj:>16}  {r['status']:<12} {note}")
    if position is not None:
        print("\n" + "\n".join(position.sentences))
    else:
        print(f"\nThe project's own plan has no plan ({own.summary.status}): not placed.")
    print(f"\nWrote {', '.join(p.name for p in written)}, plan/ and point_NN/ to {args.out}")
    return EXIT_OK


def frontier_extra(
    result: PlanResult, frontier: tuple[pd.DataFrame, dict[str, Any]], args: argparse.Namespace
) -> ExtraSection:
    """The report's Trade-offs section: this plan placed against the frontier read back."""
    from prioritise.analyses.tradeoff import measure
    from prioritise.analyses.tradeoff_position import place, plan_objective
    from prioritise.outputs.tradeoff import frontier_section

    table, meta = frontier
    objective = plan_objective(result.summary.to_dict())
    axis = meta["axis"]
    position = (
        None
        if objective is None
        else place(
            table,
            axis,
            objective,
            measure(result.problem, result.schedule, axis),
            meta["objective"],
        )
    )
    links = os.path.relpath(args.frontier.resolve(), args.out.resolve()) + "/"
    return frontier_section(table, meta, position, links)
