"""Commands that need many plans: ``uncertainty``, ``replan``, ``sensitivity``, ``ladder``.

Their tasks run on the execution layer (a local Dask cluster, or ``--scheduler``); like the
rest of the CLI they parse, call the library, print, and return an exit code.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from prioritise.cli.execution import add_run_flags, executor_for
from prioritise.cli.flags import (
    GAP,
    NON_NEGATIVE,
    POSITIVE,
    SAMPLES,
    SECONDS,
    SEED,
    YEAR,
    number,
)
from prioritise.cli.loading import add_warning_flag, load_project
from prioritise.core.limits import FRACTION

EXIT_OK, EXIT_USAGE, EXIT_SOLVER = 0, 2, 5
OVERWRITE_HELP = "replace an earlier run in --out (removed once the new run is complete)"


def _folder(args: argparse.Namespace, problem: Any, *extra: Path | None) -> Any:
    """The checked run folder for ``--out`` (refused before any long work), or None."""
    from prioritise.outputs.files import RunFolder, project_inputs

    if getattr(args, "out", None) is None:
        return None
    folder = RunFolder(
        args.out, project_inputs(problem.settings, args.project, *extra), args.overwrite
    )
    folder.check()
    return folder


def add_commands(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register the commands on the CLI's sub-parser collection."""
    _add_uncertainty(sub, parents)
    _add_replan(sub, parents)
    _add_sensitivity(sub, parents)
    _add_ladder(sub, parents)


def _add_uncertainty(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "uncertainty",
        parents=parents,
        help="Monte Carlo: simulate the programme year by year with uncertain outcomes, "
        "re-planning each year (or replay the fixed plan with --fixed-plan)",
    )
    p.add_argument("project", type=Path, help="project TOML file")
    p.add_argument(
        "--scenarios",
        dest="scenario_file",
        type=Path,
        help="scenarios TOML; with --scenario, simulate that scenario",
    )
    p.add_argument("--scenario", help="name of the scenario to simulate")
    p.add_argument("--samples", type=number(SAMPLES), default=200, help="samples (default 200)")
    p.add_argument("--seed", type=number(SEED), default=0, help="random seed (default 0)")
    p.add_argument(
        "--fixed-plan",
        action="store_true",
        help="replay the optimised plan without re-planning (fast, one-sided: work can only slip)",
    )
    p.add_argument(
        "--concentration",
        type=number(POSITIVE),
        default=20.0,
        help="Beta concentration a+b of survey fractions (default 20; higher = tighter)",
    )
    for flag, default, what in (
        ("--productivity-sigma", 0.15, "team-days per team type, mean-preserving (default 0.15)"),
        ("--cost-sigma", 0.10, "each method's cost, mean-preserving (default 0.10)"),
        ("--area-sigma", 0.10, "the contaminated area found when clearing (default 0.10)"),
        ("--impact-sigma", 0.0, "the impact actually gained (default 0: as scored)"),
    ):
        p.add_argument(
            flag, type=number(NON_NEGATIVE), default=default, help=f"lognormal sigma of {what}"
        )
    p.add_argument(
        "--deadline",
        type=number(YEAR),
        metavar="YEAR",
        help="year for P(every Article 5 hazard done by then) (default: the project's)",
    )
    p.add_argument(
        "--time-limit", type=number(SECONDS), metavar="SECONDS", help="for the nominal plan's solve"
    )
    p.add_argument(
        "--replan-time-limit",
        type=number(SECONDS),
        default=10.0,
        metavar="SECONDS",
        help="per re-plan (default 10)",
    )
    p.add_argument(
        "--replan-gap",
        type=number(GAP),
        default=0.01,
        metavar="FRACTION",
        help="relative gap per re-plan (default 0.01)",
    )
    p.add_argument(
        "--out", type=Path, help="folder for uncertainty.json, samples.csv, late_hazards.csv"
    )
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    add_run_flags(p)
    p.set_defaults(run=cmd_uncertainty)


def _nominal(args: argparse.Namespace, problem: Any) -> Any:
    """The optimised plan of the project (or of the chosen scenario)."""
    from prioritise.analyses.scenarios.apply import apply_scenario
    from prioritise.analyses.scenarios.plan import plan_prepared
    from prioritise.core.errors import UsageError
    from prioritise.inputs.scenarios import load_scenarios
    from prioritise.planning.planner import plan

    if args.scenario_file is not None or args.scenario is not None:
        if args.scenario_file is None or args.scenario is None:
            raise UsageError("Give both --scenarios FILE and --scenario NAME.")
        chosen = [s for s in load_scenarios(args.scenario_file) if s.name == args.scenario]
        if not chosen:
            raise UsageError(f"No scenario named {args.scenario!r} in {args.scenario_file}.")
        return plan_prepared(apply_scenario(problem, chosen[0]), time_limit=args.time_limit)
    return plan(problem, time_limit=args.time_limit)


def _interrupted() -> None:
    from prioritise.cli.flags import Interrupted
    from prioritise.core import cancel

    if cancel.requested():
        raise Interrupted("nothing written")


def cmd_uncertainty(args: argparse.Namespace) -> int:
    from prioritise.outputs.files import write_csv, write_json

    problem = load_project(args)
    folder = _folder(args, problem, args.scenario_file)
    print("Planning the nominal plan...", file=sys.stderr)
    result = _nominal(args, problem)
    _interrupted()
    if not result.solution.status.has_plan:
        print("No plan found within the time limit; nothing to simulate.", file=sys.stderr)
        return EXIT_SOLVER
    if args.fixed_plan:
        summary, frames = _fixed_plan(args, result)
    else:
        summary, frames = _replanning(args, result)
    _interrupted()
    print(render_uncertainty(summary))
    if folder is not None:
        with folder as run:
            written = [write_json(run.file("uncertainty.json"), summary)]
            written += [write_csv(run.file(name), frame) for name, frame in frames.items()]
        print(f"\nWrote {', '.join(p.name for p in written)} to {args.out}")
    return EXIT_OK


def _fixed_plan(args: argparse.Namespace, result: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    from prioritise.analyses.uncertainty import (
        UncertaintySettings,
        fixed_plan_summary,
        simulate,
    )

    problem = result.problem
    if args.deadline is not None:
        s = problem.settings
        problem = problem.replace(
            settings=replace(s, plan=replace(s.plan, deadline_year=args.deadline))
        )
    settings = UncertaintySettings(
        samples=args.samples,
        seed=args.seed,
        concentration=args.concentration,
        productivity_sigma=args.productivity_sigma,
    )
    sim = simulate(problem, result.schedule, settings)
    summary = fixed_plan_summary(sim, float(result.summary.totals.released_m2))
    return summary, {"samples.csv": sim.samples}


def _replanning(args: argparse.Namespace, result: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    from prioritise.analyses.monte_carlo import MonteCarloSettings
    from prioritise.execution.manyplans import run_monte_carlo
    from prioritise.execution.progress import ProgressBar

    settings = MonteCarloSettings(
        samples=args.samples,
        seed=args.seed,
        concentration=args.concentration,
        productivity_sigma=args.productivity_sigma,
        cost_sigma=args.cost_sigma,
        area_sigma=args.area_sigma,
        impact_sigma=args.impact_sigma,
        time_limit=args.replan_time_limit,
        gap=args.replan_gap,
    )
    with executor_for(args, result.problem, tasks=args.samples) as ex:
        print(
            f"Simulating {args.samples} histories with re-planning on {ex.workers} worker(s)...",
            file=sys.stderr,
        )
        mc = run_monte_carlo(
            result,
            settings,
            executor=ex,
            progress=ProgressBar("samples"),
            deadline_year=args.deadline,
        )
    return mc.summary, {"samples.csv": mc.samples, "late_hazards.csv": mc.hazards}


def render_uncertainty(summary: dict[str, Any]) -> str:
    """The headline figures, labelled as sample estimates."""
    iy = summary["impact_years"]
    rel = summary["released_m2"]
    what = "with annual re-planning" if summary["replan"] else "fixed-plan replay"
    n = summary["samples"]
    lines = [f"Monte Carlo, {what}: {n} samples (estimates; seed {summary['settings']['seed']})."]
    if iy["p50"] is not None:
        lines.append(
            f"  impact-years: nominal plan {iy['nominal']:,.1f}; P10 {iy['p10']:,.1f}  "
            f"P50 {iy['p50']:,.1f}  P90 {iy['p90']:,.1f}; "
            f"{iy['share_of_samples_above_nominal']:.0%} of samples beat the nominal plan"
        )
        lines.append(
            f"  released m²: nominal {rel['nominal']:,.0f}; P10 {rel['p10']:,.0f}  "
            f"P50 {rel['p50']:,.0f}  P90 {rel['p90']:,.0f}"
        )
    if summary.get("article5_hazards") is not None:
        lines.append(
            f"  Article 5 hazards: {summary['article5_hazards']}, of which "
            f"{summary['article5_in_nominal_plan']} are in the nominal plan"
        )
    if summary["p_meet_deadline"] is not None:
        lines.append(
            f"  P(every Article 5 hazard done by {summary['deadline_year']}): "
            f"{summary['p_meet_deadline']:.1%}"
        )
    else:
        lines.append("  No deadline given (--deadline YEAR or [plan] deadline_year).")
    dist = ", ".join(f"{y}: {p:.0%}" for y, p in summary["completion_year"].items() if p)
    lines.append(f"  year every Article 5 hazard is done: {dist or '-'}")
    if summary.get("failed_samples"):
        lines.append(f"  {summary['failed_samples']} sample(s) failed (see samples.csv).")
    return "\n".join(lines)


def _add_replan(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "replan",
        parents=parents,
        help="re-plan the remaining years from reported progress (work done locked, "
        "partial hazards keep what is left, budgets reduced by what was spent)",
    )
    p.add_argument("project", type=Path, help="project TOML file")
    p.add_argument(
        "--progress",
        type=Path,
        required=True,
        help="CSV: hazard_id, year, released_m2, cost_usd [, status, ...]",
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument(
        "--from-year",
        type=number(YEAR),
        metavar="YEAR",
        help="first year to re-plan (default: the year after the last one reported)",
    )
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    p.add_argument("--time-limit", type=number(SECONDS), metavar="SECONDS", help="per solve")
    p.add_argument("--gap", type=number(GAP), metavar="FRACTION", help="relative gap to stop at")
    p.add_argument("--strict", action="store_true", help="treat project warnings as errors")
    add_warning_flag(p)
    p.set_defaults(run=cmd_replan)


def cmd_replan(args: argparse.Namespace) -> int:
    import pandas as pd

    from prioritise.analyses.replan import (
        plan_against_actual,
        read_progress,
        replan_problem,
        replan_record,
    )
    from prioritise.outputs.replan import write_replan_outputs
    from prioritise.planning.planner import plan

    problem = load_project(args)
    folder = _folder(args, problem, args.progress)
    progress = read_progress(
        problem, pd.read_csv(args.progress), args.progress.name, args.from_year
    )
    print("Planning as before any progress (for plan against actual)...", file=sys.stderr)
    before = plan(problem, time_limit=args.time_limit, gap=args.gap)
    inputs = replan_problem(problem, progress)
    rest = inputs.remaining.problem
    print(
        f"Re-planning {len(rest.hazards)} hazards over {rest.years[0]}-{rest.years[-1]} "
        f"({len(progress.done)} done, {len(progress.fraction_left)} partly done)...",
        file=sys.stderr,
    )
    result = plan(rest, time_limit=args.time_limit, gap=args.gap)
    by_hazard, by_year = plan_against_actual(problem, before.schedule, progress)
    record = replan_record(problem, before.schedule, inputs, result.schedule, result.summary)
    _interrupted()
    with folder as run:
        written = write_replan_outputs(result, by_hazard, by_year, record, run.path)
    print(render_replan(record, by_year))
    print(f"\nWrote {', '.join(p.name for p in written)} to {args.out}")
    return EXIT_OK if result.solution.status.has_plan else EXIT_SOLVER


def render_replan(record: dict[str, Any], by_year: Any) -> str:
    lines = [
        f"Re-planned from {record['start_year']}: {record['hazards_done']} hazard(s) done and "
        f"locked, {len(record['hazards_partly_done'])} partly done; money carried in "
        f"{record['money_in_usd']:,.0f} (negative = overspend repaid).",
        "  Plan against actual (years reported):",
    ]
    for r in by_year.to_dict(orient="records"):
        lines.append(
            f"    {r['year']}: cost planned {r['planned_cost_usd']:,.0f}, actual "
            f"{r['actual_cost_usd']:,.0f} (budget {r['budget_usd']:,.0f}); released planned "
            f"{r['planned_released_m2']:,.0f} m², actual {r['actual_released_m2']:,.0f} m²"
        )
    lines.append(
        "  Remaining years, impact-years: planned before "
        f"{record['rest_impact_years_planned_before']:,.1f}, re-planned "
        f"{record['rest_impact_years_replanned']:,.1f} ({record['status']})"
    )
    lines += [f"  Note: {n}" for n in record["notes"]]
    return "\n".join(lines)


def _add_sensitivity(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sensitivity",
        parents=parents,
        help="re-plan with the scoring weights drawn around their values: how often each "
        "hazard is planned, the robust core, rank correlation with the plan",
    )
    p.add_argument("project", type=Path, help="project TOML file")
    p.add_argument("--samples", type=number(SAMPLES), default=100, help="samples (default 100)")
    p.add_argument("--seed", type=number(SEED), default=0, help="random seed (default 0)")
    p.add_argument(
        "--spread",
        type=number(NON_NEGATIVE),
        default=0.2,
        help="each weight uniform within +/- this share of its value (default 0.2)",
    )
    p.add_argument(
        "--dirichlet",
        type=number(POSITIVE),
        metavar="CONCENTRATION",
        help="draw the weight shares from a Dirichlet around them instead (e.g. 50)",
    )
    p.add_argument(
        "--core",
        type=number(FRACTION),
        default=0.9,
        help="robust core: share of samples (default 0.9)",
    )
    p.add_argument(
        "--time-limit", type=number(SECONDS), default=20.0, metavar="SECONDS", help="per plan"
    )
    p.add_argument(
        "--gap", type=number(GAP), default=0.01, metavar="FRACTION", help="per plan (default 0.01)"
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    add_run_flags(p)
    p.set_defaults(run=cmd_sensitivity)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from prioritise.analyses.sensitivity import (
        SensitivitySettings,
        check_criteria,
        tau_distribution,
    )
    from prioritise.execution.manyplans import run_sensitivity
    from prioritise.execution.progress import ProgressBar
    from prioritise.outputs.manyplans import write_tables
    from prioritise.outputs.report.manyplans import sensitivity_page, write_page
    from prioritise.planning.planner import plan

    problem = load_project(args)
    check_criteria(problem)
    folder = _folder(args, problem)
    settings = SensitivitySettings(
        samples=args.samples,
        seed=args.seed,
        spread=args.spread,
        dirichlet=args.dirichlet,
        core_share=args.core,
        time_limit=args.time_limit,
        gap=args.gap,
    )
    print("Planning with the project's weights...", file=sys.stderr)
    nominal = plan(problem, time_limit=args.time_limit, gap=args.gap)
    with executor_for(args, problem, tasks=args.samples) as ex:
        print(
            f"Re-planning {args.samples} weight samples on {ex.workers} worker(s)...",
            file=sys.stderr,
        )
        result = run_sensitivity(nominal, settings, executor=ex, progress=ProgressBar("weights"))
    _interrupted()
    taus = tau_distribution(result.samples)
    page = sensitivity_page(problem.settings.name, result.summary, result.hazards, taus)
    with folder as run:
        written = write_tables(
            run.path,
            "sensitivity",
            result.summary,
            {
                "sensitivity_hazards.csv": result.hazards,
                "sensitivity_samples.csv": result.samples,
                "sensitivity_tau.csv": taus,
            },
            {
                "sensitivity_hazards.csv": "Hazards",
                "sensitivity_samples.csv": "Samples",
                "sensitivity_tau.csv": "Kendall tau-b",
            },
        )
        written.append(write_page(run.path / "sensitivity.html", page))
    s = result.summary
    tau = s["kendall_tau_b"]
    print(
        f"Weight sensitivity, {s['samples']} samples ({s['draw']}; estimates):\n"
        f"  robust core (in the plan in >= {s['robust_core_threshold']:.0%} of samples): "
        f"{s['robust_core_hazards']} hazards; the plan has {s['hazards_in_plan']}\n"
        f"  Kendall tau-b of each sample's ranking to the plan's: median {tau['median']}, "
        f"min {tau['min']}"
    )
    print(f"\nWrote {', '.join(p.name for p in written)} to {args.out}")
    return EXIT_OK


def _levels(text: str) -> tuple[float, ...]:
    try:
        values = tuple(sorted({float(x) for x in text.split(",") if x.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"levels must be numbers: {text!r}") from None
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError("levels must be positive, e.g. 0.6,0.8,1.0,1.2")
    return values


def _add_ladder(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "ladder",
        parents=parents,
        help="plans at several funding levels, nested as far as the rules allow, and one "
        "priority list (what to drop first, what to add next)",
    )
    p.add_argument("project", type=Path, help="project TOML file")
    p.add_argument(
        "--levels",
        type=_levels,
        default=(0.6, 0.8, 1.0, 1.2),
        help="budget multipliers (default 0.6,0.8,1.0,1.2)",
    )
    p.add_argument("--time-limit", type=number(SECONDS), metavar="SECONDS", help="per plan")
    p.add_argument("--gap", type=number(GAP), metavar="FRACTION", help="per plan")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    add_run_flags(p)
    p.set_defaults(run=cmd_ladder)


def cmd_ladder(args: argparse.Namespace) -> int:
    from prioritise.analyses.ladder import LadderSettings, ladder_summary
    from prioritise.execution.manyplans import run_ladder
    from prioritise.execution.progress import ProgressBar
    from prioritise.outputs.manyplans import write_tables
    from prioritise.outputs.report.manyplans import ladder_page, write_page

    problem = load_project(args)
    folder = _folder(args, problem)
    settings = LadderSettings(levels=args.levels, time_limit=args.time_limit, gap=args.gap)
    with executor_for(args, problem, tasks=len(args.levels)) as ex:
        ladder = run_ladder(problem, settings, executor=ex, progress=ProgressBar("levels"))
    summary = ladder_summary(ladder, settings)
    page = ladder_page(
        problem.settings.name, summary, ladder.levels, ladder.priority, ladder.exceptions
    )
    _interrupted()
    with folder as run:
        written = write_tables(
            run.path,
            "ladder",
            summary,
            {
                "ladder_priority.csv": ladder.priority,
                "ladder_levels.csv": ladder.levels,
                "ladder_exceptions.csv": ladder.exceptions,
            },
            {
                "ladder_priority.csv": "Priority list",
                "ladder_levels.csv": "Levels",
                "ladder_exceptions.csv": "Exceptions",
            },
        )
        written.append(write_page(run.path / "ladder.html", page))
    print("Funding ladder (budget x level; teams and rules unchanged):")
    for r in ladder.levels.to_dict(orient="records"):
        print(
            f"  {r['level']:>5g}: {r['status']:<10} {r['hazards_funded']:>5} hazards, cost "
            f"{r['cost_usd']:,.0f} of {r['budget_usd']:,.0f}, impact-years "
            f"{r['impact_years']:,.1f} ({r['how']})"
        )
    print(
        "  Nested at every level."
        if ladder.exceptions.empty
        else f"  {len(ladder.exceptions)} exception(s) where the rules forced a hazard out "
        "(ladder_exceptions.csv)."
    )
    print(f"\nWrote {', '.join(p.name for p in written)} to {args.out}")
    failed = ladder.levels["status"].isin(["failed", "infeasible"]).any()
    return 4 if failed else EXIT_OK
