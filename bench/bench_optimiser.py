"""The optimiser benchmark (issue 11): one instance per process, every figure the issue asks.

Run from the repository root, one heavy run at a time (the machine is shared)::

    python -m bench.bench_optimiser national --time-limit 60
    python -m bench.bench_optimiser realistic --hazards 10000 --time-limit 60
    python -m bench.bench_optimiser realistic --hazards 50000 --time-limit 300
    python -m bench.bench_optimiser dense --hazards 15000 --years 12 --time-limit 600
    python -m bench.bench_optimiser realistic --hazards 10000 --time-limit 60 --plain

It prints the instance (hazards, dependencies, model size), the build seconds, each phase of
``plan()`` (simple rule, LP relaxation, LP-guided plan, search) with its seconds, the plan,
the proven bound and the gap, the best simple rule's value (deadline hazards first, then
impact per dollar: the constructive plan without guidance), which team types bind in some
year (LP duals), the total wall seconds against the limit, the machine load, and the peak
resident memory of the process. ``--plain`` also gives HiGHS the model directly (default
options, no split rows, no start) for the same time limit, for the "never below HiGHS"
comparison. ``--json FILE`` appends the figures as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.realistic import RealisticSpec, build_realistic
from models import solvers
from models.heuristic import greedy_plan
from models.workplan import build_model
from prioritise.core.problem import Problem
from prioritise.inputs.loader import load_problem
from prioritise.planning.planner import TerminalProgress, plan

NATIONAL = Path(__file__).resolve().parents[1] / "sample_data" / "national" / "project.toml"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def instance(args: argparse.Namespace) -> Problem:
    if args.kind == "national":
        return load_problem(NATIONAL)
    spec = RealisticSpec(hazards=args.hazards, years=args.years, dense=args.kind == "dense")
    return build_realistic(spec)


def simple_rule(problem: Problem) -> float | None:
    built = build_model(problem)
    mask = greedy_plan(built)
    if mask is None:
        return None
    return float(built.eligibility.frame["value"].to_numpy()[mask].sum())


def plain_highs(problem: Problem, time_limit: float) -> dict[str, Any]:
    """HiGHS on the model as built, default options (presolve on, no row split, no start)."""
    built = build_model(problem)
    h = solvers._highs_model(built.model)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("threads", 2)
    start = time.perf_counter()
    # HiGHS does not check its own time limit inside MIP presolve: the deadline is enforced
    # through the interrupt callbacks, as in production.
    solvers.run_highs(h, threads=2, deadline=start + time_limit)
    info = h.getInfo()
    has = info.primal_solution_status == 2
    return {
        "plain_objective": float(info.objective_function_value) if has else None,
        "plain_bound": float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None,
        "plain_seconds": round(time.perf_counter() - start, 1),
        "plain_status": h.modelStatusToString(h.getModelStatus()),
    }


def binding_teams(result: Any) -> list[str]:
    m = result.relaxation.marginal if result.relaxation is not None else None
    if m is None or m.empty:
        return []
    teams = m[(m["resource"] == "team-days") & (m["marginal_value"] > 1e-9)]
    return sorted(set(teams["team_type"]))


def full_team_types(summary: dict[str, Any]) -> list[str]:
    """Team types the plan uses to at least 98% of their team-days in some year."""
    full = set()
    for year in summary["per_year"]:
        for team, used in year["team_days"].items():
            if used >= 0.98 * year["team_days_available"].get(team, float("inf")):
                full.add(team)
    return sorted(full)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["national", "realistic", "dense"])
    parser.add_argument("--hazards", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--plain", action="store_true", help="also HiGHS on the plain model")
    parser.add_argument("--no-rule", action="store_true", help="skip the simple-rule timing")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    load = os.getloadavg()
    t0 = time.perf_counter()
    problem = instance(args)
    built = build_model(problem)
    figures: dict[str, Any] = {
        "instance": args.kind,
        "hazards": len(problem.hazards),
        "years": len(problem.years),
        "dependencies": len(problem.dependencies),
        "article5": int(problem.hazards["article5"].sum()),
        "problem_seconds": round(time.perf_counter() - t0 - built.build_seconds, 2),
        "build_seconds": round(built.build_seconds, 2),
        "variables": built.model.n_cols,
        "rows": built.model.n_rows,
        "nonzeros": built.model.n_nonzeros,
        "time_limit": args.time_limit,
        "load_before": [round(v, 2) for v in load],
    }
    del built
    print(json.dumps(figures), flush=True)
    started = time.perf_counter()
    result = plan(
        problem,
        time_limit=args.time_limit,
        gap=args.gap,
        threads=args.threads,
        progress=TerminalProgress(first_after=0.0, every=10.0),
    )
    s = result.summary.to_dict()
    figures.update(
        {
            "plan_seconds": round(time.perf_counter() - started, 1),
            "status": s["status"],
            "objective": s["objective"],
            "bound": s["best_bound"],
            "gap": s["gap"],
            "method": s["optimiser"]["method"],
            "phases": s["optimiser"]["phases"],
            "binding_team_types": binding_teams(result),
            "team_types_full_in_plan": full_team_types(s),
            "peak_rss_mib": round(peak_rss_mib()),
            "load_after": [round(v, 2) for v in os.getloadavg()],
        }
    )
    if not args.no_rule:
        t = time.perf_counter()
        figures["simple_rule"] = simple_rule(problem)
        figures["simple_rule_seconds"] = round(time.perf_counter() - t, 1)
    if args.plain:
        figures.update(plain_highs(problem, args.time_limit))
    figures["peak_rss_mib"] = round(peak_rss_mib())
    print(json.dumps(figures, indent=1), flush=True)
    if args.json:
        with args.json.open("a") as f:
            f.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
