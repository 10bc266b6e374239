"""The optimiser's phases: proven bounds, checked plans, the shared deadline, no side effects."""

from __future__ import annotations

import os
import re
import threading
import time

import numpy as np
import pytest

from bench.realistic import RealisticSpec, build_realistic
from models import optimiser
from models.matrix import LinearModel, restrict
from models.optimiser import optimise
from models.solution import check_schedule, read_solution
from models.solvers import SolverOptions, SolveStatus, solve
from models.workplan import build_model
from prioritise import plan
from tests.test_bruteforce import brute_force_optimum, random_problem


def knapsack(seed: int, n: int = 40, m: int = 3) -> LinearModel:
    """A random multidimensional knapsack as a LinearModel (a few seconds for HiGHS at most)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    weights = rng.integers(5, 60, (m, n)).astype(float)
    model = LinearModel()
    cols = model.add_columns(
        "x",
        pd.DataFrame({"item": np.arange(n)}),
        lower=0.0,
        upper=1.0,
        cost=rng.integers(10, 90, n).astype(float),
        integer=True,
    )
    rows = np.repeat(np.arange(m), n)
    model.add_rows(
        "capacity",
        pd.DataFrame({"k": np.arange(m)}),
        rows,
        np.tile(cols, m),
        weights.ravel(),
        lower=-np.inf,
        upper=weights.sum(axis=1) / 3,
    )
    return model


def test_two_threads_solve_at_once_with_other_thread_counts(capfd: pytest.CaptureFixture) -> None:
    """Solves with different thread counts side by side, in threads, print nothing and leave
    file descriptor 1 as it was (no redirection, no scheduler reset: issue 8 item 5)."""
    models = [knapsack(s) for s in (1, 2)]
    serial = [solve(m, SolverOptions(gap=0.0, threads=1)).objective for m in models]
    before = os.fstat(1)
    results: dict[int, float | None] = {}
    seen_fd: list[os.stat_result] = []

    def worker(i: int) -> None:
        raw = solve(models[i], SolverOptions(gap=0.0, threads=1 + i))
        results[i] = raw.objective if raw.status == SolveStatus.OPTIMAL else None

    def watch() -> None:
        while any(t.is_alive() for t in threads):
            seen_fd.append(os.fstat(1))
            time.sleep(0.001)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    watch()
    for t in threads:
        t.join()
    assert [results[0], results[1]] == serial
    after = os.fstat(1)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
    assert all((s.st_dev, s.st_ino) == (before.st_dev, before.st_ino) for s in seen_fd)
    # A solve with yet another thread count in this thread still works afterwards.
    assert solve(models[0], SolverOptions(gap=0.0, threads=2)).objective == serial[0]
    out, _ = capfd.readouterr()
    assert out == ""  # no HiGHS banner or log on stdout


def test_restricted_model_expands_to_a_point_of_the_full_model() -> None:
    model = knapsack(3, n=12, m=2)
    full = solve(model, SolverOptions(gap=0.0))
    assert full.x is not None
    fixed = np.zeros(model.n_cols, bool)
    fixed[:6] = True
    sub = restrict(model, fixed, np.round(full.x))
    raw = solve(sub.model, SolverOptions(gap=0.0))
    assert raw.x is not None
    x = sub.expand(raw.x)
    _lo, up = model.row_bounds()
    activity = model.activity(x)
    assert (activity <= up + 1e-6).all()
    # Freeing half of an optimal point's columns cannot find anything better.
    cost = model.columns()[2]
    assert float(cost @ x) == pytest.approx(full.objective)


@pytest.mark.parametrize("seed", range(8))
def test_bound_never_below_brute_force_optimum(seed: int) -> None:
    problem = random_problem(seed)
    best = brute_force_optimum(problem)
    for gap in (0.0, 0.5):
        result = plan(problem, gap=gap)
        assert result.summary.best_bound >= best - 1e-6
        assert result.summary.objective <= best + 1e-6
        assert not check_schedule(problem, result.schedule)


def _realistic(n: int = 400) -> object:
    return build_realistic(RealisticSpec(hazards=n, seed=7))


@pytest.mark.parametrize("method", ["branch-and-bound", "neighbourhood", "constructive"])
def test_every_method_gives_a_plan_that_keeps_every_rule(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each search path, forced on a realistic instance (deadline, shares, carry-over,
    access chains), returns a plan that passes both independent checks."""
    problem = _realistic()
    built = build_model(problem)
    if method == "neighbourhood":
        monkeypatch.setattr(optimiser, "FULL_MIP_LIMIT", 0)
        monkeypatch.setattr(optimiser, "NEIGHBOURHOOD_BINARIES", 300)
    limit = 0.2 if method == "constructive" else 4.0
    if method == "constructive":
        monkeypatch.setattr(optimiser, "LP_SHARE", 0.01)
    options = SolverOptions(gap=0.0, threads=1)
    result = optimise(built, options, time.perf_counter() + limit)
    assert result.raw.status.has_plan
    solution = read_solution(built, result.raw)  # re-checks rows and rules, raises if broken
    assert not check_schedule(problem, solution.schedule)
    assert solution.schedule["cost"].sum() > 0
    if method == "neighbourhood":
        assert "neighbourhood" in result.method
        assert any(p.name == "neighbourhood search" for p in result.phases)
    if result.raw.best_bound is not None:
        assert result.raw.best_bound >= result.raw.objective - 1e-6


def test_neighbourhood_parts_keep_within_their_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every search part frees at most ``size`` binaries (a single hazard may exceed it), the
    parts of a set cover it once, and the search says the size of its last parts, which
    only grows (by doubling from NEIGHBOURHOOD_BINARIES) when a pass improved nothing."""
    problem = _realistic()
    built = build_model(problem)
    monkeypatch.setattr(optimiser, "FULL_MIP_LIMIT", 0)
    monkeypatch.setattr(optimiser, "NEIGHBOURHOOD_BINARIES", 100)
    result = optimise(built, SolverOptions(gap=0.0, threads=1), time.perf_counter() + 6.0)
    note = next(p.note for p in result.phases if p.name == "neighbourhood search")
    match = re.search(r"last parts of ([\d,]+) binaries at most", note)
    assert match is not None, note
    assert int(match.group(1).replace(",", "")) in (100, 200, 400, 800)
    run = optimiser._Run(built, SolverOptions(), time.perf_counter() + 5.0, None, 0.0)
    run.best.mask = result.raw.x[built.x] > 0.5
    rows = np.bincount(built.eligibility.frame["hazard"], minlength=len(problem.hazards))
    provinces = problem.hazards["province"].nunique()
    for size in (100, 400):
        parts = optimiser._neighbourhoods(run, None, size)
        assert all(rows[p].sum() <= size or len(p) == 1 for p in parts)
        # No guide: the provinces only, each cut into parts that cover it once.
        covered = np.concatenate(parts)
        assert len(covered) == len(problem.hazards) == len(np.unique(covered))
        assert len(parts) >= provinces


def test_plan_never_below_the_simple_rule() -> None:
    problem = _realistic()
    built = build_model(problem)
    from models.heuristic import greedy_plan

    rule = greedy_plan(built)
    assert rule is not None
    rule_value = float(built.eligibility.frame["value"].to_numpy()[rule].sum())
    for limit in (1.0, 5.0):
        result = plan(problem, time_limit=limit, gap=0.0)
        assert result.summary.objective >= rule_value - 1e-6


def test_run_returns_within_the_time_limit_on_an_instance_that_cannot_finish() -> None:
    """3,000 hazards x 10 years cannot be solved in 6 s: plan() still returns a checked plan
    within the limit plus 5%, every phase included (the constructive plans, the LP relaxation
    and reading the plan back)."""
    problem = build_realistic(RealisticSpec(hazards=3000, seed=3))
    limit = 6.0
    started = time.perf_counter()
    result = plan(problem, time_limit=limit, gap=0.0)
    elapsed = time.perf_counter() - started
    assert elapsed <= limit * 1.05, elapsed
    assert result.summary.status in ("time_limit", "feasible", "gap_limit")
    assert result.summary.objective is not None
    assert not check_schedule(problem, result.schedule)


@pytest.mark.parametrize("seed", range(12))
def test_lagrangian_bound_never_below_brute_force_optimum(seed: int) -> None:
    from models.duals import marginal_values
    from models.lagrangian import lagrangian_bound

    problem = random_problem(seed)
    built = build_model(problem)
    found = lagrangian_bound(built, time.perf_counter() + 5.0, max_iter=200)
    assert found is not None
    best = brute_force_optimum(problem)
    assert found.bound >= best - 1e-6
    # It relaxes the LP relaxation further (precedence of optional hazards dropped).
    lp = marginal_values(built.model)
    assert lp.objective is not None
    assert found.bound >= lp.objective - 1e-6 * max(1.0, lp.objective)


def test_a_stop_request_ends_every_phase_with_the_plan_so_far() -> None:
    """Ctrl-C (core.cancel) during a long limit: the run returns at once with a checked plan."""
    from prioritise.core import cancel

    problem = _realistic()
    built = build_model(problem)
    cancel.request()
    try:
        started = time.perf_counter()
        result = optimise(built, SolverOptions(gap=0.0, threads=1), started + 120.0)
        elapsed = time.perf_counter() - started
    finally:
        cancel.clear()
    assert elapsed < 20.0
    assert result.raw.status.has_plan
    assert not check_schedule(problem, read_solution(built, result.raw).schedule)


def test_large_model_without_any_constructive_plan_still_searches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When no constructive plan keeps every rule, the large-model path has no incumbent to
    search around: it hands the whole model to the solver instead of failing."""
    monkeypatch.setattr(optimiser, "FULL_MIP_LIMIT", 0)
    monkeypatch.setattr(optimiser, "greedy_plan", lambda *a, **k: None)
    problem = random_problem(3)
    built = build_model(problem)
    result = optimise(built, SolverOptions(gap=0.0, threads=1), time.perf_counter() + 5.0)
    assert "from nothing" in result.method
    assert result.raw.status.has_plan
    assert not check_schedule(problem, read_solution(built, result.raw).schedule)
