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
    from prioritise import load_problem
    from prioritise.analyses.tradeoff import TradeoffSettings, point_task
    from prioritise.analyses.tradeoff_position import show
    from prioritise.analyses.tradeoff_sweep import conclude, prepare
    from prioritise.execution.manyplans import run_tasks
    from prioritise.execution.progress import ProgressBar
    from prioritise.outputs.files import RunFolder, project_inputs
    from prioritise.outputs.tradeoff import PlanMark, write_tradeoff

    axis = args.between.split(",")[1]
    original = load_problem(args.project, strict=args.strict)
    folder = RunFolder(args.out, project_inputs(original.settings, args.project), args.overwrite)
    folder.check()
    settings = TradeoffSettings(axis, args.points, args.time_limit, args.gap)
    print("Planning the project as configured, then the ends of the range...", file=sys.stderr)
    sweep = prepare(original, settings)
    with executor_for(args, sweep.problem, tasks=len(sweep.caps)) as ex:
        rows = run_tasks(
            point_task,
            list(enumerate(sweep.caps)),
            (sweep.problem, settings, sweep.starts),
            ex,
            ProgressBar("points"),
        )
    points = [r.value for r in rows if r.ok]
    table, position = conclude(sweep, points)
    mark = PlanMark(sweep.own.workplan, sweep.own.summary.to_dict(), position)
    with folder as run:
        written = write_tradeoff(run.path, sweep, points, table, mark)
    label = sweep.objective_label
    print(f"Trade-off, {label} against {axis} ({len(points)} plans of {len(sweep.caps)}):")
    for r in table.to_dict(orient="records"):
        obj = "no plan" if r["objective"] != r["objective"] else f"{r['objective']:,.2f}"
        note = "knee" if r["knee"] else "frontier" if r["on_frontier"] else r["dominated_by"]
        cap = show(axis, r["cap"])
        print(f"  {r['point']:>2}  cap {cap:>14}  {obj:>16}  {r['status']:<12} {note}")
    if position is not None:
        print("\n" + "\n".join(position.sentences))
    else:
        status = sweep.own.summary.status
        print(f"\nThe project as configured has no plan ({status}): it is not placed.")
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
    try:
        links = os.path.relpath(args.frontier.resolve(), args.out.resolve()) + "/"
    except ValueError:  # another drive (Windows): link by the absolute path
        links = args.frontier.resolve().as_uri() + "/"
    return frontier_section(table, meta, position, links)
