"""Command line: parse, call the library, print, exit with a meaningful code.

Exit codes: 0 success; 1 internal error (a bug: rerun with --debug and report it); 2 bad
command line; 3 invalid project; 4 no feasible plan; 5 solver unavailable or stopped without a
plan. ``python cli.py ...`` and the installed ``prioritise`` command run this same code.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_SOLVER = 0, 1, 2, 3, 4, 5


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", type=Path, help="project TOML file")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _solver_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--solver", choices=["highs", "cbc"], help="MILP solver (default highs)")
    parser.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="stop the solver after this long and report the best plan",
    )
    parser.add_argument(
        "--gap",
        type=float,
        metavar="FRACTION",
        help="stop when proven within this relative gap (e.g. 0.01)",
    )
    parser.add_argument("--threads", type=int, help="solver threads (default: solver's choice)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prioritise",
        description="Optimised, costed, multi-year clearance workplans for mine action.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a project and report every problem at once")
    _common(p)
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("score", help="write each hazard's impact score and its breakdown")
    _common(p)
    p.add_argument("--out", type=Path, required=True, help="CSV file to write")
    p.set_defaults(run=cmd_score)

    p = sub.add_parser(
        "access",
        help="derive access dependencies from roads, bases and "
        "hazard polygons, and write them with the blocked network",
    )
    _common(p)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.set_defaults(run=cmd_access)

    p = sub.add_parser("plan", help="optimise the workplan and write its outputs")
    _common(p)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument(
        "--precedence",
        choices=["by", "cumulative", "aggregated"],
        help="access-precedence formulation (default from the project: by)",
    )
    p.add_argument(
        "--write-model", type=Path, metavar="FILE", help="also write the MILP as .lp or .mps"
    )
    _solver_flags(p)
    p.set_defaults(run=cmd_plan)

    p = sub.add_parser(
        "explain",
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

    from prioritise.cli.scenarios import add_commands  # scenarios, deadline, uncertainty

    add_commands(sub)
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
    from prioritise import load_problem
    from prioritise.inputs.scoring import score_breakdown
    from prioritise.outputs.files import write_csv

    problem = load_problem(args.project, strict=args.strict)
    table = score_breakdown(problem)
    write_csv(args.out, table)
    print(f"Wrote {len(table)} hazard scores to {args.out}")
    return EXIT_OK


def cmd_plan(args: argparse.Namespace) -> int:
    from models.solvers import write_model
    from prioritise import load_problem, plan
    from prioritise.analyses.report_data import prepare_report
    from prioritise.outputs.console import render_plan_summary
    from prioritise.outputs.plan import write_plan_outputs
    from prioritise.planning.planner import TerminalProgress

    problem = load_problem(args.project, strict=args.strict)
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
    written = write_plan_outputs(result, prepare_report(result), args.out)
    if args.write_model:
        write_model(result.built.model, args.write_model)
        written.append(args.write_model)
    print(render_plan_summary(result.summary))
    print(f"\nWrote {', '.join(p.name for p in written)} to {args.out}")
    if not result.solution.status.has_plan:
        return EXIT_SOLVER
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from prioritise import load_problem, plan
    from prioritise.analyses.explain import explain_hazard, load_previous, schedule_from_workplan
    from prioritise.planning.planner import TerminalProgress

    problem = load_problem(args.project, strict=args.strict)
    previous = load_previous(args.out) if args.out else None
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
    print(text)
    return EXIT_OK


def cmd_access(args: argparse.Namespace) -> int:
    from prioritise.inputs.loader import load_access
    from prioritise.outputs.access import write_access_outputs

    result = load_access(args.project)
    for f in result.findings:
        print(f.render(), file=sys.stderr)
    written = write_access_outputs(result, args.out)
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    from prioritise.core.errors import (
        InfeasibleError,
        PrioritiseError,
        ProjectError,
        SolverUnavailableError,
    )

    try:
        return run(args)
    except ProjectError as exc:
        print(exc.report.render(), file=sys.stderr)
        print(f"\n{args.project}: not valid.", file=sys.stderr)
        return EXIT_INVALID
    except InfeasibleError as exc:
        print(f"No feasible plan: {exc}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except SolverUnavailableError as exc:
        print(f"Solver unavailable: {exc}", file=sys.stderr)
        return EXIT_SOLVER
    except (PrioritiseError, ValueError, OSError) as exc:
        if args.debug:
            traceback.print_exc()
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_BUG if not isinstance(exc, (ValueError, OSError)) else EXIT_INVALID
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # a defect: one line by default, the traceback with --debug
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"Internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in prioritise; rerun with --debug and report the traceback.",
                file=sys.stderr,
            )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
