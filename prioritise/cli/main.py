"""Command line: parse, call the library, print, exit with a meaningful code.

Exit codes: 0 success; 1 internal error (a bug: rerun with --debug and report it); 2 bad
command line or a request that cannot be carried out as given (an --out that would overwrite
inputs or an earlier run, an unknown hazard id); 3 invalid project; 4 no feasible plan; 5
solver unavailable or stopped without a plan; 6 the file system refused (permission, disk
full); 130 interrupted (Ctrl-C or SIGTERM). ``python cli.py ...`` and the installed
``prioritise`` command run this same code.

Every number a flag takes is checked by the rules in :mod:`prioritise.core.limits`, the same
ones the project TOML and the tables follow. ``--debug`` and ``--quiet`` are accepted before
or after the command name.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from prioritise.cli.flags import (
    GAP,
    SECONDS,
    THREADS,
    Interrupted,
    add_global_flags,
    global_parent,
    number,
)
from prioritise.cli.interrupt import interruptible
from prioritise.cli.loading import add_warning_flag, load_project

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_SOLVER = 0, 1, 2, 3, 4, 5
EXIT_FILES, EXIT_INTERRUPTED = 6, 130


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="project TOML file")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    add_warning_flag(parser)


def _overwrite(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier run in --out (it is removed once the new run is complete)",
    )


def _solver_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--solver", choices=["highs", "cbc"], help="MILP solver (default highs)")
    parser.add_argument(
        "--time-limit",
        type=number(SECONDS),
        metavar="SECONDS",
        help="stop the solver after this long and report the best plan",
    )
    parser.add_argument(
        "--gap",
        type=number(GAP),
        metavar="FRACTION",
        help="stop when proven within this relative gap, in [0, 1) (e.g. 0.01)",
    )
    parser.add_argument(
        "--threads", type=number(THREADS), help="solver threads, >= 1 (default: solver's choice)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prioritise",
        description="Optimised, costed, multi-year clearance workplans for mine action.",
    )
    add_global_flags(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    parent = [global_parent()]

    p = sub.add_parser(
        "validate", parents=parent, help="check a project and report every problem at once"
    )
    _common(p)
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser(
        "score", parents=parent, help="write each hazard's impact score and its breakdown"
    )
    _common(p)
    p.add_argument("--out", type=Path, required=True, help="CSV file to write")
    _overwrite(p)
    p.set_defaults(run=cmd_score)

    p = sub.add_parser(
        "access",
        parents=parent,
        help="derive access dependencies from roads, bases and "
        "hazard polygons, and write them with the blocked network",
    )
    _common(p)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    _overwrite(p)
    p.set_defaults(run=cmd_access)

    p = sub.add_parser("plan", parents=parent, help="optimise the workplan and write its outputs")
    _common(p)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    _overwrite(p)
    p.add_argument(
        "--precedence",
        choices=["by", "cumulative", "aggregated"],
        help="access-precedence formulation (default from the project: by)",
    )
    p.add_argument(
        "--write-model", type=Path, metavar="FILE", help="also write the MILP as .lp or .mps"
    )
    p.add_argument(
        "--keep-on-interrupt",
        action="store_true",
        help="on Ctrl-C, write the best checked plan found so far (status 'interrupted') "
        "instead of nothing",
    )
    p.add_argument(
        "--frontier",
        type=Path,
        metavar="TRADEOFF_DIR",
        help="a finished `prioritise tradeoff` run of this project: report.html shows where "
        "the plan sits on its frontier",
    )
    _solver_flags(p)
    p.set_defaults(run=cmd_plan)

    p = sub.add_parser(
        "explain",
        parents=parent,
        help="why one hazard sits where it is, and what forcing it "
        "in (or one year earlier) would cost",
    )
    _common(p)
    p.add_argument("hazard_id", help="the hazard to explain")
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder of a previous `plan` run: explain that plan (its "
        "workplan.csv) instead of planning again",
    )
    p.add_argument(
        "--no-force",
        action="store_true",
        help="skip the re-solve that prices forcing the hazard in",
    )
    _solver_flags(p)
    p.set_defaults(run=cmd_explain)

    from prioritise.cli.manyplans import add_commands as add_manyplans
    from prioritise.cli.scenarios import add_commands  # scenarios, deadline

    add_commands(sub, parent)
    add_manyplans(sub, parent)  # uncertainty, replan, sensitivity, ladder
    from prioritise.cli.tradeoff import add_commands as add_tradeoff

    add_tradeoff(sub, parent)  # tradeoff
    from prioritise.cli.workspace import add_commands as add_workspace_commands  # serve, users

    add_workspace_commands(sub, parent)
    from prioritise.cli.rerun import add_command as add_rerun_command

    add_rerun_command(sub, parent)
    return parser


def cmd_validate(args: argparse.Namespace) -> int:
    from prioritise import load_problem

    problem = load_problem(args.project, strict=args.strict)
    warnings = [f for f in problem.findings if f.severity == "warning"]
    for f in warnings:
        print(f.render())
    print(
        f"{args.project}: valid ({len(problem.hazards)} hazards, {len(problem.years)} years,"
        f" {len(problem.options)} hazard-method options, {len(problem.dependencies)} access"
        f" dependencies; {len(warnings)} warning(s))."
    )
    return EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    from prioritise.inputs.scoring import score_breakdown
    from prioritise.outputs.files import output_file, project_inputs, write_csv

    problem = load_project(args)
    output_file(args.out, project_inputs(problem.settings, args.project), args.overwrite)
    table = score_breakdown(problem)
    write_csv(args.out, table)
    print(f"Wrote {len(table)} hazard scores to {args.out}")
    return EXIT_OK


def cmd_plan(args: argparse.Namespace) -> int:
    from models.solvers import write_model
    from prioritise import plan
    from prioritise.analyses.report_data import prepare_report
    from prioritise.cli.previous import load_tradeoff_run
    from prioritise.cli.tradeoff import frontier_extra
    from prioritise.core import cancel
    from prioritise.outputs.console import render_plan_summary
    from prioritise.outputs.files import RunFolder, output_file, project_inputs
    from prioritise.outputs.plan import write_plan_outputs
    from prioritise.planning.planner import TerminalProgress

    problem = load_project(args)
    frontier = load_tradeoff_run(args.frontier, problem) if args.frontier else None
    inputs = project_inputs(problem.settings, args.project)
    if args.write_model:
        output_file(args.write_model, inputs, overwrite=True)
    with RunFolder(args.out, inputs, args.overwrite) as run:
        if not args.quiet:
            print(
                f"Planning {len(problem.hazards)} hazards over {len(problem.years)} years...",
                file=sys.stderr,
            )
        result = plan(
            problem,
            solver=args.solver,
            time_limit=args.time_limit,
            gap=args.gap,
            threads=args.threads,
            precedence=args.precedence,
            progress=None if args.quiet else TerminalProgress(),
        )
        interrupted = cancel.requested()
        if interrupted and not (args.keep_on_interrupt and result.solution.status.has_plan):
            raise Interrupted("nothing written (add --keep-on-interrupt to keep the best plan)")
        if interrupted:
            result = dataclasses.replace(
                result, summary=dataclasses.replace(result.summary, status="interrupted")
            )
        extra = [] if frontier is None else [frontier_extra(result, frontier, args)]
        written = write_plan_outputs(result, prepare_report(result), run.path, extra)
    if args.write_model:
        write_model(result.built.model, args.write_model)
        written.append(args.write_model)
    print(render_plan_summary(result.summary))
    print(f"\nWrote {', '.join(p.name for p in written)} to {args.out}")
    if interrupted:
        print("Interrupted: the plan written is the best found so far.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not result.solution.status.has_plan:
        return EXIT_SOLVER
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from prioritise import plan
    from prioritise.analyses.explain import explain_hazard, schedule_from_workplan
    from prioritise.cli.previous import load_checked_run
    from prioritise.core import cancel
    from prioritise.core.errors import UsageError
    from prioritise.planning.planner import TerminalProgress

    problem = load_project(args)
    if args.hazard_id not in set(problem.hazards["hazard_id"]):
        raise UsageError(f"{args.project} has no hazard {args.hazard_id!r}; check the id.")
    previous = load_checked_run(args.out, problem) if args.out else None
    if previous is not None:
        workplan, summary = previous
        schedule = schedule_from_workplan(problem, workplan)
        unscheduled = workplan.loc[workplan["status"] == "unscheduled", ["hazard_id", "reason"]]
        objective, gap = summary.get("objective"), summary.get("gap")
        print(f"Explaining the plan in {args.out}.", file=sys.stderr)
    else:
        if args.out:
            print(f"No workplan.csv in {args.out}; planning again.", file=sys.stderr)
        result = plan(
            problem,
            solver=args.solver,
            time_limit=args.time_limit,
            gap=args.gap,
            threads=args.threads,
            progress=None if args.quiet else TerminalProgress(),
        )
        if cancel.requested():
            raise Interrupted("nothing explained")
        schedule, unscheduled = result.solution.schedule, result.solution.unscheduled
        objective, gap = result.summary.objective, result.summary.gap
    text, _ = explain_hazard(
        problem,
        schedule,
        args.hazard_id,
        objective=objective,
        gap=gap,
        unscheduled=unscheduled,
        do_force=not args.no_force,
        time_limit=args.time_limit or 30.0,
    )
    if cancel.requested():
        raise Interrupted("nothing explained")
    print(text)
    return EXIT_OK


def cmd_access(args: argparse.Namespace) -> int:
    from prioritise.inputs.loader import load_access
    from prioritise.outputs.access import write_access_outputs
    from prioritise.outputs.files import RunFolder, project_inputs

    result = load_access(args.project)
    for f in result.findings:
        print(f.render(), file=sys.stderr)
    inputs = project_inputs(getattr(result, "settings", None), args.project)
    inputs += _toml_data_paths(args.project)
    with RunFolder(args.out, inputs, args.overwrite) as run:
        written = write_access_outputs(result, run.path)
    s = result.summary
    print(
        f"Access from {s.get('n_segments', '?')} road segments ({s.get('crs', '')}): "
        f"{s.get('reachable_now', 0)} hazards reachable now, "
        f"{s.get('behind_one_blocker', 0)} behind one blocking hazard, "
        f"{s.get('behind_several', 0)} behind several, {s.get('off_network', 0)} off the "
        f"network, {s.get('unreachable', 0)} unreachable; {len(result.edges)} derived "
        f"dependencies."
    )
    print(f"Wrote {', '.join(p.name for p in written)} to {args.out}")
    return EXIT_OK


def _toml_data_paths(project: Path) -> list[Path]:
    """Files named in a project's [data] table (for commands that do not load the problem)."""
    import tomllib

    try:
        data = tomllib.loads(project.read_text(encoding="utf-8")).get("data", {})
    except (OSError, ValueError):
        return []
    root = project.resolve().parent
    return [root / v for v in data.values() if isinstance(v, str)] if isinstance(data, dict) else []


def _run(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command, mapping our errors to exit codes; anything else is a bug (exit 1)."""
    from prioritise.core.errors import (
        InfeasibleError,
        PrioritiseError,
        ProjectError,
        SolverUnavailableError,
    )

    try:
        return _debuggable(run, args)
    except ProjectError as exc:
        print(exc.report.render(), file=sys.stderr)
        print(f"\n{getattr(args, 'project', 'the project')}: not valid.", file=sys.stderr)
        return EXIT_INVALID
    except InfeasibleError as exc:
        print(f"No feasible plan: {exc}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except SolverUnavailableError as exc:
        print(f"Solver unavailable: {exc}", file=sys.stderr)
        return EXIT_SOLVER
    except PrioritiseError as exc:  # UsageError and the rest raised on purpose
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (Interrupted, KeyboardInterrupt) as exc:
        why = f": {exc}" if isinstance(exc, Interrupted) else "; nothing written"
        print(f"\nInterrupted{why}.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        print(f"File error: {exc}", file=sys.stderr)
        return EXIT_FILES


def _debuggable(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run under the interrupt handlers; with --debug, print any error's traceback first."""
    try:
        with interruptible(args.command):
            return run(args)
    except BaseException as exc:
        if args.debug and not isinstance(exc, SystemExit):
            traceback.print_exc()
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args.run, args)
    except Exception as exc:  # a defect: one line by default, the traceback with --debug
        text = str(exc)
        print(
            f"Internal error: {type(exc).__name__}: {text[:300]}\n"
            "This is a bug in prioritise; please report it with the output of the same "
            "command rerun with --debug.",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
