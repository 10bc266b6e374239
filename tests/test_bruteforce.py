"""Brute force: enumerate every plan of small random instances and compare optima."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from models.eligibility import year_weights
from prioritise import plan
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX
from tests.conftest import make_problem

TEAMS = [
    {"team_type": "manual", "teams": 1, "days_per_year": 20, "cost_per_day": 10},
    {"team_type": "mechanical", "teams": 1, "days_per_year": 3, "cost_per_day": 60},
]
METHODS = {
    "methods": {
        "manual": {"productivity": {"manual": 100}},
        "mechanical": {"productivity": {"mechanical": 800, "manual": 400}},
    }
}


def random_problem(seed: int) -> Problem:
    """5 hazards, 2 methods, 3 years, random dependencies (a DAG by id order), tight money."""
    rng = np.random.default_rng(seed)
    n = 5
    rows = [
        {
            "hazard_id": f"H{i}",
            "province": "P" if i % 2 else "Q",
            "impact": float(rng.integers(1, 20)),
            "area_m2": float(rng.integers(300, 1500)),
        }
        for i in range(n)
    ]
    deps = [(f"H{j}", f"H{i}") for i in range(n) for j in range(i + 1, n) if rng.random() < 0.25]
    budget = [float(rng.integers(100, 250)) for _ in range(3)]
    carry = bool(rng.random() < 0.5)
    return make_problem(
        rows,
        years=3,
        budget=budget,
        teams=TEAMS,
        deps=deps,
        toml={
            **METHODS,
            "plan": {"discount_rate": float(rng.choice([0, 0.1])), "carry_over": carry},
        },
    )


def brute_force_optimum(problem: Problem) -> float:
    """Best objective over every assignment of (option, year) or nothing to each hazard."""
    w = year_weights(len(problem.years), problem.settings.plan.discount_rate)
    impact = problem.hazards["impact"].to_numpy(float)
    return best_assignment(problem, lambda h, r, t: impact[h] * w[t])


def best_assignment(
    problem: Problem,
    gain: Callable[[int, int, int], float],
    required: np.ndarray | None = None,
) -> float:
    """The most ``gain(hazard, option row, year)`` summed over every assignment of (option,
    year) or nothing to each hazard (``required`` hazards: never nothing) that keeps access,
    the budgets (cumulative with carry-over) and the team-days; -inf when none does."""
    opts = problem.options
    T = len(problem.years)
    teams = list(problem.capacity.columns)
    choices = []
    for h in range(len(problem.hazards)):
        rows = opts[opts["hazard"] == h]
        none = [] if required is not None and required[h] else [None]
        choices.append(none + [(r, t) for r in rows.index for t in range(T)])
    pos = {hid: i for i, hid in enumerate(problem.hazards["hazard_id"])}
    edges = [
        (pos[a], pos[b])
        for a, b in zip(
            problem.dependencies["hazard_id"], problem.dependencies["requires"], strict=True
        )
    ]
    cost = opts["cost"].to_numpy()
    days = opts[[DAYS_PREFIX + t for t in teams]].to_numpy()
    cap = problem.capacity[teams].to_numpy()
    budget = problem.budget.to_numpy()
    carry = problem.settings.plan.carry_over
    limit = np.cumsum(budget) if carry else budget
    best = -math.inf
    for combo in itertools.product(*choices):
        year = [c[1] if c else None for c in combo]
        if any(year[a] is not None and (year[b] is None or year[b] > year[a]) for a, b in edges):
            continue
        spend = np.zeros(T)
        used = np.zeros_like(cap)
        value = 0.0
        for h, c in enumerate(combo):
            if c is None:
                continue
            r, t = c
            spend[t] += cost[r]
            used[t] += days[r]
            value += gain(h, r, t)
        if ((np.cumsum(spend) if carry else spend) > limit + 1e-9).any():
            continue
        if (used > cap + 1e-9).any():
            continue
        best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_solver_matches_brute_force(seed: int) -> None:
    problem = random_problem(seed)
    expected = brute_force_optimum(problem)
    for precedence in ("by", "cumulative", "aggregated"):
        result = plan(problem, gap=0.0, precedence=precedence)
        assert result.summary.objective == pytest.approx(expected, abs=1e-6), precedence
        assert result.summary.status == "optimal"
    # The baseline is a feasible plan too, so it can never beat the optimum.
    assert result.summary.baseline.objective <= expected + 1e-6


def test_random_instances_are_not_trivial() -> None:
    """Guard the generator: most instances must leave work undone and use dependencies."""
    problems = [random_problem(s) for s in range(12)]
    with_deps = sum(not p.dependencies.empty for p in problems)
    assert with_deps >= 6
    optima = [brute_force_optimum(p) for p in problems[:4]]
    full = [float((p.hazards["impact"] * 3).sum()) for p in problems[:4]]
    assert any(o < f for o, f in zip(optima, full, strict=True))
    assert pd.Series(optima).gt(0).all()
