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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from models.baseline import all_baselines
from models.duals import Relaxation
from models.optimiser import Optimised, PhaseReport, optimise
from models.solution import Solution, read_solution
from models.solvers import (
    ProgressFn,
    RawResult,
    SolverOptions,
    SolveStatus,
    solve,
)
from models.workplan import BuiltModel, build_model
from prioritise.core.errors import InfeasibleError
from prioritise.core.problem import Problem
from prioritise.planning.record import build_record
from prioritise.planning.summary import LpRelaxation, PlanSummary, build_summary, with_baselines
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
    """Prints a line when a phase starts or ends, and every few seconds within a phase."""

    def __init__(self, stream: Any = None, first_after: float = 3.0, every: float = 5.0):
        self.stream = stream or sys.stderr
        self.first_after = first_after
        self.every = every
        self.last = -math.inf
        self.phase = ""

    def __call__(
        self,
        elapsed: float,
        best: float | None,
        bound: float | None,
        gap: float | None,
        phase: str = "",
    ) -> None:
        new_phase = bool(phase) and phase != self.phase
        if not new_phase and (elapsed < self.first_after or elapsed - self.last < self.every):
            return
        self.phase = phase or self.phase
        self.last = elapsed
        print(self.line(elapsed, best, bound, gap), file=self.stream, flush=True)

    def line(
        self, elapsed: float, best: float | None, bound: float | None, gap: float | None
    ) -> str:
        parts = [f"  {elapsed:7.1f} s"]
        if self.phase:
            parts.append(f"{self.phase:<18}")
        parts.append(f"best plan {best:,.1f}" if best is not None else "no plan yet")
        if bound is not None:
            parts.append(f"bound {bound:,.1f}")
        if gap is not None:
            parts.append(f"gap {gap:.2%}")
        return "  ".join(parts)

    def final(self, elapsed: float, summary: PlanSummary) -> None:
        """After a run that showed progress, one last line with the summary's own figures
        (its bound may come from the LP relaxation, so its gap can differ from the last
        solver line)."""
        if self.last == -math.inf:
            return
        self.phase = "final"
        line = self.line(elapsed, summary.objective, summary.best_bound, summary.gap)
        print(line + "  (as in summary.json)", file=self.stream, flush=True)


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
    starts: Sequence[tuple[str, pd.DataFrame]] = (),
) -> PlanResult:
    """Optimise the workplan and compare it with the ranking baseline.

    The solver starts from a constructive plan that keeps every rule (models.heuristic), so
    a run stopped by its time limit still returns a checked plan and the bound it proved.
    ``extend`` adds further families to the built model (scenario earmarks, for instance);
    the constructive plan does not know them, so it is then only offered to the solver,
    unless ``start_from`` names a problem with the same eligibility every plan of which
    keeps the added rows (e.g. the general budget without earmarked money). ``starts`` are
    named schedules the caller has checked against every rule and every ``extend`` row (a
    trade-off point's cap): offered as incumbents, the plan is never worse than them.
    """
    options = solver_options(problem, name=solver, time_limit=time_limit, gap=gap, threads=threads)
    started = time.perf_counter()
    # One deadline for every phase; the reserve covers reading, checking and reporting.
    deadline = started + options.time_limit - reporting_reserve(problem, options.time_limit)
    report = _phase_report(progress)
    if report is not None:
        report("build", 0.0, None, None, None)
    built = build_model(problem, precedence)
    extension = extend(built) if extend is not None else None
    # The baselines do not depend on the plan: made before the solve, they count against
    # the time limit like every other phase.
    if report is not None:
        report("baselines (simple rules)", time.perf_counter() - started, None, None, None)
    baselines = all_baselines(problem)
    base = None if start_from is None else build_model(start_from, precedence)
    if not warm_start:
        base = built
    result = optimise(
        built,
        options,
        deadline,
        report,
        started,
        start_from=base,
        safe_start=warm_start and (extend is None or start_from is not None),
        # The plan is never worse than a simple rule that keeps every rule; with ``extend``
        # rows (earmarks, trade-off caps) the baselines know nothing of, none is offered.
        starts=(
            [(f"baseline: {b.name}", b.schedule) for b in baselines[1:] if b.feasible]
            if extend is None
            else []
        )
        + list(starts),
    )
    raw, relaxation = result.raw, result.relaxation
    raw = proven_by_integrality(built, raw)
    if raw.status == SolveStatus.INFEASIBLE:
        raise InfeasibleError(
            "No plan meets every lock, the deadline and the shares with these budgets and teams.",
            infeasibility_hints(problem),
        )
    solution = read_solution(built, raw)
    baseline = baselines[0].schedule  # today's practice
    workplan = build_workplan(problem, solution, baseline)
    summary = replace(
        build_summary(problem, solution, baseline, options, built),
        lp_relaxation=LpRelaxation(
            relaxation.status, relaxation.objective, round(relaxation.seconds, 3)
        ),
        optimiser=optimiser_record(result),
    )
    summary = with_baselines(summary, problem, baselines)
    overrides = dict(
        solver=solver, time_limit=time_limit, gap=gap, threads=threads, precedence=precedence
    )
    summary = replace(summary, record=build_record(problem, options, overrides))
    if isinstance(progress, TerminalProgress):
        progress.final(time.perf_counter() - started, summary)
    return PlanResult(
        problem, solution, baseline, workplan, summary, built, relaxation, raw.x, extension
    )


def objective_step(built: BuiltModel) -> float | None:
    """The step every plan's objective moves in, when there is one: a plan's objective is the
    sum of the values of the rows it chooses, so when every value is a whole multiple of
    10^-k (whole impacts with no discounting or environmental term, say; k <= 4), so is
    every objective. None when the values have no such step."""
    value = built.eligibility.frame["value"].to_numpy(float)
    if not len(value):
        return None
    for k in range(5):
        scaled = value * 10**k
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            return float(10.0**-k)
    return None


def proven_by_integrality(built: BuiltModel, raw: RawResult) -> RawResult:
    """A plan less than one step below the bound is optimal: no achievable objective lies
    between them, so the bound rounds down to the plan (status, bound and gap say so)."""
    if (
        raw.status not in (SolveStatus.GAP_LIMIT, SolveStatus.TIME_LIMIT)
        or raw.objective is None
        or raw.best_bound is None
        or not math.isfinite(raw.best_bound)
    ):
        return raw
    step = objective_step(built)
    if step is None:
        return raw
    bound = math.floor(raw.best_bound / step + 1e-6) * step
    if bound > raw.objective + 1e-6 * step:
        return raw
    return replace(
        raw,
        status=SolveStatus.OPTIMAL,
        best_bound=float(raw.objective),
        gap=0.0,
        message=raw.message
        + f"; proven optimal by integrality (every plan's objective is a multiple of {step:g}, "
        f"and the bound {raw.best_bound:,.4f} is less than one step above this plan)",
    )


def reporting_reserve(problem: Problem, time_limit: float) -> float:
    """Seconds kept back from the solve for reading, checking and writing the plan.

    About 4 s per 10,000 hazards (measured at 6,000 hazards under load: reading and checking
    the solution, the ranking baseline, the unscheduled reasons and the summary take 2-4 s)
    plus 5% of the limit, never more than half of it: the run then ends within the limit
    unless the limit is too short for the instance's reporting alone.
    """
    need = 0.5 + 4.0 * len(problem.hazards) / 10_000 + 0.05 * time_limit
    return min(need, time_limit / 2)


def _phase_report(progress: ProgressFn | None) -> PhaseReport | None:
    """Adapt a progress callback to the optimiser's phase reports (phase passed if taken)."""
    if progress is None:
        return None
    takes_phase = isinstance(progress, TerminalProgress)

    def report(
        phase: str, elapsed: float, best: float | None, bound: float | None, gap: float | None
    ) -> None:
        if takes_phase:
            progress(elapsed, best, bound, gap, phase=phase)  # type: ignore[call-arg]
        else:
            progress(elapsed, best, bound, gap)

    return report


def optimiser_record(result: Optimised) -> dict[str, Any]:
    """What ran and what each phase gave (``summary.json``'s ``optimiser``)."""
    return {
        "method": result.method,
        "phases": [
            {
                "phase": ph.name,
                "seconds": ph.seconds,
                "best_plan": ph.objective,
                "bound": ph.bound,
                "note": ph.note,
            }
            for ph in result.phases
        ],
    }


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
