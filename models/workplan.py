"""Build the workplan MILP from a problem: the families, in order, in one readable block."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from models import families as fam
from models.eligibility import Eligibility, build_eligibility
from models.matrix import LinearModel
from prioritise.core.problem import Problem


@dataclass(frozen=True)
class BuiltModel:
    problem: Problem
    eligibility: Eligibility
    model: LinearModel
    x: np.ndarray  # column of each eligibility row
    build_seconds: float
    formulation: str


def build_model(
    problem: Problem, precedence: str | None = None, objective: str | None = None
) -> BuiltModel:
    """Assemble every family; ``precedence`` and ``objective`` override [solver] settings."""
    start = time.perf_counter()
    formulation = precedence or problem.settings.solver.precedence
    where = objective or problem.settings.solver.objective
    elig = build_eligibility(problem)
    ctx = fam.Context(
        problem=problem, elig=elig, model=LinearModel(), x=np.zeros(0, np.int64), objective=where
    )
    fam.add_assignment_variables(ctx)
    if where == "completion":
        fam.add_completed_by(ctx)
    fam.add_complete_once(ctx)
    fam.add_required_completion(ctx)
    fam.add_budget_per_year(ctx)
    fam.add_team_capacity(ctx)
    fam.add_access_precedence(ctx, formulation)
    fam.add_province_equity(ctx)
    fam.add_localisation(ctx)
    return BuiltModel(problem, elig, ctx.model, ctx.x, time.perf_counter() - start, formulation)
