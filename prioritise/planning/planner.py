"""Plan a problem: build and solve the MILP, run the baseline, assemble the workplan.

This is the Python entry point the CLI, the scenario runner and the reports share::

    problem = load_problem("sample_data/province/project.toml")
    result = plan(problem)
    result.workplan      # one row per input hazard
    result.summary       # PlanSummary: status, objective, bound, gap, per year, baseline
    result.summary.to_dict()  # summary.json
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from models.baseline import ranking_baseline
from models.duals import Relaxation, marginal_values
from models.heuristic import constructive_result, greedy_plan
from models.solution import Solution, read_solution
from models.solvers import (
    OPTIMAL_GAP,
    ProgressFn,
    RawResult,
    SolverOptions,
    SolveStatus,
    relative_gap,
    solve,
)
from models.workplan import BuiltModel, build_model
from prioritise.core.errors import InfeasibleError
from prioritise.core.problem import Problem
from prioritise.planning.summary import LpRelaxation, PlanSummary, build_summary
from prioritise.planning.workplan import build_workplan

__all__ = [
    "PlanResult",
    "TerminalProgress",
    "build_summary",
    "build_workplan",
    "infeasibility_hints",
    "plan",
    "solver_options",
]


@dataclass(frozen=True)
class PlanResult:
    problem: Problem
    solution: Solution
    baseline: pd.DataFrame
    workplan: pd.DataFrame
    summary: PlanSummary
    built: BuiltModel
    relaxation: Relaxation | None = None  # LP relaxation: bound, duals, and the plan's guide
    x: np.ndarray | None = None  # column values (a constructive plan sets only the integers)
    extension: Any = None  # what the ``extend`` hook of plan() returned

    @property
    def schedule(self) -> pd.DataFrame:
        return self.solution.schedule


class TerminalProgress:
    """Prints a progress line every few seconds once a solve has run for a few seconds."""

    def __init__(self, stream: Any = None, first_after: float = 3.0, every: float = 5.0):
        self.stream = stream or sys.stderr
        self.first_after = first_after
        self.every = every
        self.last = -math.inf

    def __call__(
        self, elapsed: float, best: float | None, bound: float | None, gap: float | None
    ) -> None:
        if elapsed < self.first_after or elapsed - self.last < self.every:
            return
        self.last = elapsed
        parts = [f"  {elapsed:7.1f} s"]
        parts.append(f"best plan {best:,.1f}" if best is not None else "no plan yet")
        if bound is not None:
            parts.append(f"bound {bound:,.1f}")
        if gap is not None:
            parts.append(f"gap {gap:.2%}")
        print("  ".join(parts), file=self.stream, flush=True)


def solver_options(problem: Problem, **overrides: Any) -> SolverOptions:
    s = problem.settings.solver
    base = SolverOptions(name=s.name, time_limit=s.time_limit, gap=s.gap, threads=s.threads)
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})


def plan(
    problem: Problem,
    *,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    threads: int | None = None,
    precedence: str | None = None,
    progress: ProgressFn | None = None,
    warm_start: bool = True,
    extend: Callable[[BuiltModel], Any] | None = None,
    start_from: Problem | None = None,
) -> PlanResult:
    """Optimise the workplan and compare it with the ranking baseline.

    The solver starts from a constructive plan that keeps every rule (models.heuristic), so
    a run stopped by its time limit still returns a checked plan and the bound it proved.
    ``extend`` adds further families to the built model (scenario earmarks, for instance);
    the constructive plan does not know them, so it is then only offered to the solver,
    unless ``start_from`` names a problem with the same eligibility every plan of which
    keeps the added rows (e.g. the general budget without earmarked money).
    """
    options = solver_options(problem, name=solver, time_limit=time_limit, gap=gap, threads=threads)
    started = time.perf_counter()
    built = build_model(problem, precedence)
    extension = extend(built) if extend is not None else None
    relaxation = marginal_values(built.model, time_limit=max(10.0, options.time_limit))
    guide = relaxation.x[built.x] if relaxation.x is not None else None
    base = built if start_from is None else build_model(start_from, precedence)
    greedy = greedy_plan(base, guide) if warm_start else None
    safe_start = extend is None or start_from is not None
    lp_bound = relaxation.objective if relaxation.ok else None
    if relaxation.status == "infeasible":
        raw = RawResult(
            SolveStatus.INFEASIBLE,
            None,
            None,
            None,
            None,
            relaxation.seconds,
            options.name,
            "the LP relaxation is infeasible",
        )
    elif (
        greedy is not None
        and safe_start
        and options.name == "highs"
        and _proven(built, greedy, lp_bound, options.gap)
    ):
        # The constructive plan is already within the requested gap of the LP bound:
        # branch-and-bound could only confirm it.
        raw = constructive_result(
            built,
            RawResult(
                SolveStatus.NO_SOLUTION, None, None, lp_bound, None, 0.0, "highs", "not needed"
            ),
            greedy,
        )
        raw = replace(
            raw,
            status=_gap_status(raw.gap),
            message=(
                "the LP-guided plan is within the requested gap of the LP relaxation's bound, "
                "so no branch-and-bound was needed"
            ),
        )
    else:
        start = (built.x, greedy.astype(float)) if greedy is not None else None
        # The relaxation and the constructive plan count against the time limit.
        left = max(5.0, options.time_limit - (time.perf_counter() - started))
        raw = solve(built.model, replace(options, time_limit=left), progress, start)
        if (
            not raw.status.has_plan
            and greedy is not None
            and safe_start
            and raw.status != SolveStatus.INFEASIBLE
        ):
            raw = constructive_result(built, raw, greedy)
        raw = _tighten(raw, lp_bound, options.gap)
    if raw.status == SolveStatus.INFEASIBLE:
        raise InfeasibleError(
            "No plan meets every lock, the deadline and the shares with these budgets and teams.",
            infeasibility_hints(problem),
        )
    solution = read_solution(built, raw)
    baseline = ranking_baseline(problem)
    workplan = build_workplan(problem, solution, baseline)
    summary = replace(
        build_summary(problem, solution, baseline, options, built),
        lp_relaxation=LpRelaxation(
            relaxation.status, relaxation.objective, round(relaxation.seconds, 3)
        ),
    )
    return PlanResult(
        problem, solution, baseline, workplan, summary, built, relaxation, raw.x, extension
    )


def _proven(built: BuiltModel, mask: np.ndarray, bound: float | None, gap: float) -> bool:
    value = float(built.eligibility.frame["value"].to_numpy()[mask].sum())
    proven = relative_gap(value, bound)
    return proven is not None and proven <= gap


def _tighten(raw: RawResult, lp_bound: float | None, gap: float) -> RawResult:
    """Use the relaxation's bound when the solver's is weaker (e.g. stopped before its root
    LP finished); a plan proven within the requested gap is a gap stop, not a time stop."""
    if not raw.status.has_plan or lp_bound is None or raw.objective is None:
        return raw
    bound = lp_bound if raw.best_bound is None else min(raw.best_bound, lp_bound)
    achieved = relative_gap(raw.objective, bound)
    status = raw.status
    if (
        status in (SolveStatus.TIME_LIMIT, SolveStatus.GAP_LIMIT)
        and achieved is not None
        and achieved <= gap
    ):
        status = _gap_status(achieved)
    return replace(raw, best_bound=bound, gap=achieved, status=status)


def _gap_status(gap: float | None) -> SolveStatus:
    """'optimal' only for a proven gap below OPTIMAL_GAP, else a gap stop."""
    return SolveStatus.OPTIMAL if gap is not None and gap <= OPTIMAL_GAP else SolveStatus.GAP_LIMIT


def infeasibility_hints(problem: Problem) -> list[str]:
    """Which optional rule, dropped alone, makes a plan possible (each checked by a re-solve)."""
    s = problem.settings
    trials: list[tuple[str, Problem]] = []
    if s.plan.deadline_year is not None:
        trials.append(
            (
                "the Article 5 deadline",
                problem.replace(settings=replace(s, plan=replace(s.plan, deadline_year=None))),
            )
        )
    if s.constraints.equity_min_share or s.constraints.equity_default_share:
        trials.append(
            (
                "the province equity shares",
                problem.replace(
                    settings=replace(
                        s,
                        constraints=replace(
                            s.constraints, equity_min_share={}, equity_default_share=0.0
                        ),
                    )
                ),
            )
        )
    if s.constraints.localisation_min_share:
        trials.append(
            (
                "the localisation share",
                problem.replace(
                    settings=replace(
                        s, constraints=replace(s.constraints, localisation_min_share=0.0)
                    )
                ),
            )
        )
    h = problem.hazards
    if (h["lock"] == "must").any():
        unlocked = h.assign(lock=h["lock"].replace("must", ""), lock_year=np.nan)
        trials.append(("the 'must' locks", problem.replace(hazards=unlocked)))
    hints = []
    quick = SolverOptions(time_limit=10.0, gap=1.0)
    for label, trial in trials:
        raw = solve(build_model(trial).model, quick)
        if raw.status != SolveStatus.INFEASIBLE:
            hints.append(f"dropping {label} alone gives a feasible plan")
    if not hints:
        hints.append("no single rule explains it; several together exceed the resources")
    return hints
