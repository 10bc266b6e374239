"""The maximum-closure subproblem and the bounds built on it, against brute force and the LP."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from models import optimiser
from models.closure import best_closure, closure_graph
from models.duals import marginal_values
from models.lagrangian import lagrangian_bound
from models.optimiser import optimise
from models.pricing import PricedLP
from models.solution import check_schedule, read_solution
from models.solvers import SolverOptions
from models.workplan import build_model
from prioritise import plan
from tests.test_bruteforce import brute_force_optimum, random_problem


def _enumerate(worth, eligible, after, before, forced):  # type: ignore[no-untyped-def]
    """Best total worth over every (hazard -> year or none) keeping precedence and forcing."""
    n = eligible.shape[0]
    best = -np.inf
    years = [[-1, *np.flatnonzero(eligible[h]).tolist()] for h in range(n)]
    for choice in itertools.product(*years):
        if any(choice[f] < 0 for f in forced):
            continue
        if any(
            choice[a] >= 0 and (choice[b] < 0 or choice[b] > choice[a])
            for a, b in zip(after, before, strict=True)
        ):
            continue
        best = max(best, sum(worth[h, t] for h, t in enumerate(choice) if t >= 0))
    return best


@pytest.mark.parametrize("seed", range(60))
def test_closure_matches_enumeration(seed: int) -> None:
    """Random hazards, eligible years, access edges (cycles included) and forced hazards: the
    cut's value and its choice both equal the best of every assignment enumerated."""
    rng = np.random.default_rng(seed)
    n, T = int(rng.integers(1, 6)), int(rng.integers(1, 4))
    eligible = rng.random((n, T)) < 0.7
    m = int(rng.integers(0, 6))
    after, before = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = after != before
    after, before = after[keep], before[keep]
    forced = np.flatnonzero(rng.random(n) < 0.25)
    worth = rng.normal(size=(n, T)) * 10
    found = best_closure(closure_graph(eligible, after, before, forced), worth)
    best = _enumerate(worth, eligible, after, before, forced)
    if not np.isfinite(best):
        assert not found.feasible
        return
    assert found.feasible
    # The value is rounded up (a bound), by far less than this.
    assert best - 1e-9 <= found.value <= best + 1e-6
    chosen = sum(worth[h, t] for h, t in enumerate(found.year) if t >= 0)
    assert chosen == pytest.approx(best, abs=1e-6)
    for a, b in zip(after, before, strict=True):
        if found.year[a] >= 0:
            assert 0 <= found.year[b] <= found.year[a]


def test_a_loss_making_hazard_is_chosen_when_a_valuable_one_requires_it() -> None:
    eligible = np.ones((2, 2), bool)
    worth = np.array([[10.0, 8.0], [-3.0, -3.0]])  # hazard 0 requires hazard 1
    found = best_closure(closure_graph(eligible, np.array([0]), np.array([1]), np.array([])), worth)
    assert found.year.tolist() == [0, 0]
    assert found.value == pytest.approx(7.0)


@pytest.mark.parametrize("seed", range(12))
def test_lagrangian_bound_reaches_the_lp_bound(seed: int) -> None:
    """With the precedence kept, the subproblem's polytope is integral, so the Lagrangian's
    best bound equals the LP relaxation's (not only >= it)."""
    problem = random_problem(seed)
    built = build_model(problem)
    found = lagrangian_bound(built, time.perf_counter() + 10.0, max_iter=400)
    assert found is not None
    lp = marginal_values(built.model)
    assert lp.objective is not None
    assert found.bound >= brute_force_optimum(problem) - 1e-6
    assert found.bound == pytest.approx(lp.objective, rel=1e-4)


@pytest.mark.parametrize("seed", range(8))
def test_pricing_proves_the_whole_lp_optimum(seed: int) -> None:
    """The LP solved on the columns the prices favour, with pricing rounds, ends at the whole
    LP's optimum, and says so; its point is feasible for the whole relaxation."""
    problem = random_problem(seed)
    built = build_model(problem)
    found = lagrangian_bound(built, time.perf_counter() + 5.0, max_iter=200)
    assert found is not None and found.reduced is not None
    priced = PricedLP(built, threads=1)
    assert priced.start(found.reduced, found.choice, time.perf_counter() + 30)
    assert priced.price(time.perf_counter() + 30)
    full = marginal_values(built.model)
    relaxation = priced.relaxation()
    assert relaxation is not None and relaxation.objective is not None
    assert relaxation.objective == pytest.approx(full.objective, rel=1e-7, abs=1e-6)
    assert priced.x is not None
    activity = built.model.activity(priced.x)
    lower, upper = built.model.row_bounds()
    assert (activity >= lower - 1e-6).all() and (activity <= upper + 1e-6).all()


@pytest.mark.parametrize("seed", range(8))
def test_priced_path_bound_and_plan_against_brute_force(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The large-model path forced on small instances: the bound is never below the optimum
    found by brute force, and the plan passes the independent checks."""
    monkeypatch.setattr(optimiser, "FULL_MIP_LIMIT", 0)
    problem = random_problem(seed)
    best = brute_force_optimum(problem)
    result = plan(problem, gap=0.0, time_limit=10.0)
    assert result.summary.best_bound >= best - 1e-6
    assert result.summary.objective <= best + 1e-6
    assert not check_schedule(problem, result.schedule)
    built = build_model(problem)
    out = optimise(built, SolverOptions(gap=0.0, threads=1), time.perf_counter() + 5.0)
    names = [p.name for p in out.phases]
    assert "LP relaxation (priced columns)" in names
    assert not check_schedule(problem, read_solution(built, out.raw).schedule)
