"""One trade-off run, from the project to the frontier: the plans that fix the range and
start the points, the caps, and (after the points) the table and the plan's position.

Before the points: the project's own plan as configured; the uncapped plan (the same plan
unless lambda > 0 on the environment axis, where the sweep sets lambda = 0); on the
environment axis the least-score anchor (:func:`~prioritise.analyses.tradeoff.anchor_plan`).
The uncapped plan and the anchor are the starts every point trims to its cap.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from prioritise.analyses.tradeoff import (
    Starts,
    TradeoffPoint,
    TradeoffSettings,
    anchor_plan,
    epsilons,
    frontier_table,
    measure,
    problem_for,
    with_cap,
)
from prioritise.analyses.tradeoff_position import Position, place, plan_objective
from prioritise.core.problem import Problem
from prioritise.planning.planner import PlanResult, plan


@dataclass(frozen=True)
class Sweep:
    """What the points need (problem, settings, caps, starts) and what the report says."""

    problem: Problem  # the sweep's problem: lambda = 0 on the environment axis
    settings: TradeoffSettings
    own: PlanResult  # the project planned as configured
    caps: list[float]
    starts: Starts
    span: str  # how the range was chosen, in words

    @property
    def objective_label(self) -> str:
        return "NPV, USD" if self.problem.settings.plan.objective == "npv" else "impact-years"


def prepare(original: Problem, settings: TradeoffSettings) -> Sweep:
    """Plan the project, the uncapped plan and the anchor; choose the caps."""
    axis = settings.axis
    problem = problem_for(original, axis)
    own = plan(original, time_limit=settings.time_limit, gap=settings.gap)
    same = axis != "environment" or original.settings.plan.environment_weight == 0
    free = own if same else plan(problem, time_limit=settings.time_limit, gap=settings.gap)
    anchor = anchor_plan(problem, settings, free)
    caps = epsilons(problem, settings, free, anchor)
    own_measure = measure(original, own.schedule, axis)
    if not same and own_measure is not None:
        caps = with_cap(caps, own_measure)  # the frontier point at the plan's own score
    starts: Starts = [("uncapped plan", free.schedule)]
    span = f"The caps run from the uncapped plan's {axis} figure to "
    if anchor is not None:
        starts.append((f"least-{axis} plan", anchor))
        span += (
            f"the least {axis} figure of a plan found (the project weighted to all but "
            f"minimise it): a plan exists there, but it is not proven the least."
        )
    elif axis == "equity":
        span += "equal shares (1 / number of provinces)."
    else:
        span += "the least the required work (locks, Article 5 under a deadline) needs."
    return Sweep(problem, settings, own, caps, starts, span)


def conclude(sweep: Sweep, points: list[TradeoffPoint]) -> tuple[pd.DataFrame, Position | None]:
    """The frontier table and where the project's own plan sits against it."""
    axis = sweep.settings.axis
    table = frontier_table(points, axis)
    objective = plan_objective(sweep.own.summary.to_dict())
    if objective is None:
        return table, None
    own_measure = measure(sweep.problem, sweep.own.schedule, axis)
    return table, place(table, axis, objective, own_measure, sweep.objective_label)
