"""The small-model solver portfolio and CBC as a child process (models/portfolio.py, cbc.py).

Brute force settles the tiny knapsacks; the CBC runs check the deadline, a stop request,
the temporary folder and that no process is left behind.
"""

from __future__ import annotations

import itertools
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bench.orlib import MKPInstance, chosen_items, to_problem
from models import portfolio, solvers
from models.cbc import (
    KILL_AFTER,
    KILL_AFTER_CANCEL,
    STOP_GRACE,
    read_bound,
    read_solution,
    run_cbc,
)
from models.solution import check_schedule
from models.solvers import SolverOptions, SolveStatus, cbc_binary, solve
from models.workplan import build_model
from prioritise import plan
from prioritise.core import cancel

needs_cbc = pytest.mark.skipif(cbc_binary() is None, reason="no CBC binary on this platform")


def knapsack(seed: int, n: int = 14, m: int = 3, tight: float = 0.3) -> MKPInstance:
    """A random multidimensional knapsack (Chu & Beasley's shape, small)."""
    rng = np.random.default_rng(seed)
    w = rng.integers(5, 60, (m, n)).astype(float)
    p = rng.integers(10, 90, n).astype(float)
    return MKPInstance(f"k{seed}", n, m, p, w, np.floor(w.sum(axis=1) * tight), None, None, 0)


def hard_knapsack(seed: int = 0, n: int = 100, m: int = 10) -> MKPInstance:
    """Chu & Beasley's recipe (weights U[1,1000], capacity a quarter of their sum, profits
    correlated with the weights): 10 x 100 is not proved in seconds by CBC or HiGHS."""
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 1001, (m, n)).astype(float)
    p = np.round(w.sum(axis=0) / m + 500 * rng.random(n))
    return MKPInstance(f"hard{seed}", n, m, p, w, np.floor(w.sum(axis=1) / 4), None, None, 0)


def brute_force(inst: MKPInstance) -> float:
    x = np.array(list(itertools.product((0.0, 1.0), repeat=inst.n)))
    ok = np.all(x @ inst.weights.T <= inst.capacities, axis=1)
    return float((x[ok] @ inst.profits).max())


@needs_cbc
@pytest.mark.parametrize("seed", range(3))
def test_portfolio_solves_a_tiny_knapsack_to_the_brute_force_optimum(seed: int) -> None:
    """Up to CBC_PAIR_LIMIT binaries both CBC runs start at once; the first proof stops
    the other."""
    inst = knapsack(seed)
    problem = to_problem(inst, time_limit=30.0)
    result = plan(problem, gap=0.0)
    best = brute_force(inst)
    x = chosen_items(result.schedule, inst.n)
    assert inst.feasible(x)
    assert inst.value(x) == best
    assert result.summary.best_bound >= best - 1e-6
    assert result.solution.status == "optimal"
    assert not check_schedule(problem, result.schedule)
    record = result.summary.optimiser
    assert record["method"].startswith(
        "portfolio (CBC and CBC (threaded search) side by side) branch-and-bound"
    )
    bnb = [p for p in record["phases"] if p["phase"] == "branch-and-bound"]
    assert len(bnb) == 1 and "optimal" in bnb[0]["note"]
    assert "had proved it" in bnb[0]["note"] or bnb[0]["note"].count("optimal") == 2


@needs_cbc
def test_a_member_that_joins_late_is_not_started_when_the_proof_comes_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above CBC_PAIR_LIMIT binaries HiGHS joins CBC after JOIN_AFTER seconds: when CBC
    proves the plan first (a tiny knapsack, the limit lowered), HiGHS never starts."""
    monkeypatch.setattr(portfolio, "CBC_PAIR_LIMIT", 5)
    inst = knapsack(0)
    result = plan(to_problem(inst, time_limit=30.0), gap=0.0)
    assert chosen_items(result.schedule, inst.n) @ inst.profits == brute_force(inst)
    record = result.summary.optimiser
    assert record["method"].startswith(
        "portfolio (CBC; HiGHS not started: proved first) branch-and-bound"
    )
    bnb = [p for p in record["phases"] if p["phase"] == "branch-and-bound"]
    assert len(bnb) == 1 and bnb[0]["note"].startswith("CBC: optimal")
    assert "HiGHS: not started (CBC had proved it first)" in bnb[0]["note"]


@needs_cbc
def test_portfolio_runs_both_when_cbc_cannot_prove_at_once() -> None:
    """Both CBC runs search a knapsack neither proves in 3 s: the plan is the better of the
    two, the bound the least, and both are named."""
    inst = hard_knapsack(4)
    problem = to_problem(inst, time_limit=3.0)
    result = plan(problem, gap=0.0)
    record = result.summary.optimiser
    assert record is not None
    assert record["method"].startswith(
        "portfolio (CBC and CBC (threaded search) side by side) branch-and-bound"
    )
    note = next(p["note"] for p in record["phases"] if p["phase"] == "branch-and-bound")
    assert note.startswith("CBC: ") and "; CBC (threaded search): " in note
    assert inst.feasible(chosen_items(result.schedule, inst.n))
    assert result.summary.best_bound >= result.summary.objective


def test_without_cbc_the_portfolio_falls_back_to_highs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portfolio, "cbc_binary", lambda: None)
    inst = knapsack(1)
    result = plan(to_problem(inst, time_limit=30.0), gap=0.0)
    assert chosen_items(result.schedule, inst.n) @ inst.profits == brute_force(inst)
    record = result.summary.optimiser
    assert record["method"].startswith("HiGHS branch-and-bound on the whole model")
    note = next(p["note"] for p in record["phases"] if p["phase"] == "branch-and-bound")
    assert note.startswith("CBC not found (PuLP without its cbc binary): HiGHS alone")


def test_portfolio_rule() -> None:
    """Which solvers run: both on small models when a proof is asked for, else one."""
    proof = SolverOptions(gap=0.0)
    assert portfolio.choose(proof, small=False) == (("highs",), "")
    assert portfolio.choose(SolverOptions(name="cbc", gap=0.0), small=True) == (("cbc",), "")
    assert portfolio.choose(SolverOptions(threads=1, gap=0.0), small=True) == (("highs",), "")
    assert portfolio.choose(SolverOptions(gap=0.005), small=True) == (("highs",), "")
    if cbc_binary() is not None:
        assert portfolio.choose(proof, small=True, binaries=100) == (("cbc", "cbc-worker"), "")
        assert portfolio.choose(proof, small=True, binaries=4_350) == (("cbc", "highs"), "")


@needs_cbc
def test_cbc_plan_keeps_every_rule_on_a_realistic_instance() -> None:
    """CBC alone (``--solver cbc``) on a workplan with a deadline, shares, carry-over and
    access chains (16,000 binaries: CBC's preprocessing alone outlasts the limit, so it is
    stopped): the plan passes the row check and the independent rule check, in time."""
    from bench.realistic import RealisticSpec, build_realistic

    problem = build_realistic(RealisticSpec(hazards=400, seed=7))
    started = time.perf_counter()
    result = plan(problem, solver="cbc", time_limit=4.0, gap=0.0)
    assert time.perf_counter() - started <= 4.0 * 1.05
    assert result.solution.objective is not None
    assert not check_schedule(problem, result.schedule)
    assert result.summary.best_bound >= result.summary.objective - 1e-6
    assert result.summary.optimiser["method"].startswith("CBC branch-and-bound")


@needs_cbc
def test_cbc_returns_within_a_short_time_limit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A knapsack CBC cannot prove in 5 s: plan() returns within the limit + 5% with
    CBC's plan and bound, and CBC's temporary folder is gone."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    inst = hard_knapsack()
    limit = 5.0
    problem = to_problem(inst, time_limit=limit)
    started = time.perf_counter()
    result = plan(problem, solver="cbc", gap=0.0)
    elapsed = time.perf_counter() - started
    assert elapsed <= limit * 1.05, elapsed
    assert result.solution.status == "time_limit"
    assert inst.feasible(chosen_items(result.schedule, inst.n))
    assert result.summary.best_bound > result.summary.objective
    assert list(tmp_path.iterdir()) == []


@needs_cbc
def test_a_stop_request_ends_cbc_at_once_with_its_plan() -> None:
    """Ctrl-C (core.cancel) while CBC has a minute left, once it has a plan: SIGINT, CBC
    writes its best plan, and the process has ended (reaped) when the solve returns."""
    built = build_model(to_problem(hard_knapsack(1)))
    asked: list[float] = []

    def progress(_t: float, best: float | None, _b: float | None, _g: float | None) -> None:
        if best is not None and not asked:
            asked.append(time.perf_counter())
            cancel.request()

    try:
        raw = solve(built.model, SolverOptions(name="cbc", time_limit=60.0, gap=0.0), progress)
        returned = time.perf_counter()
    finally:
        cancel.clear()
    assert asked, "CBC reported no plan"
    assert returned - asked[0] < KILL_AFTER_CANCEL + 1.0, returned - asked[0]
    assert raw.status == SolveStatus.TIME_LIMIT
    assert raw.x is not None and raw.objective is not None
    assert "stopped at the deadline or on request" in raw.message


@needs_cbc
def test_cbc_past_its_deadline_is_stopped_then_killed(tmp_path: Path) -> None:
    """The backstop: a CBC told to run 60 s is stopped at the run's deadline, never left."""
    binary = cbc_binary()
    assert binary is not None
    built = build_model(to_problem(hard_knapsack(2)))
    solvers._write_min_mps(built.model, tmp_path / "model.mps")
    args = [binary, "model.mps", "-timeMode", "elapsed", "-sec", "60", "-solve"]
    args += ["-solution", "solution.txt"]
    started = time.perf_counter()
    run = run_cbc(args, tmp_path, deadline=started + 1.0)
    assert time.perf_counter() - started < 1.0 + STOP_GRACE + KILL_AFTER + 0.5
    assert run.stopped_by_us and run.returncode is not None  # ended and reaped
    # SIGINT first: CBC either wrote its plan or was killed 0.3 s later without one.
    assert run.killed or read_solution(run.solution).objective is not None


def test_cbc_files_are_read_back() -> None:
    text = (
        "Stopped on time - objective value -23044.00000000\n"
        "      4 c4                     1                       0\n"
        "**   17 c17                    1                       0\n"
    )
    sol = read_solution(text)
    assert (sol.status, sol.objective, sol.values) == ("stopped", 23044.0, {4: 1.0, 17: 1.0})
    none = read_solution("Stopped on time (no integer solution - continuous used)\n")
    assert none.objective is None
    assert read_solution("Infeasible - objective value 0\n").objective is None
    log = "Result - Stopped on time limit\nObjective value: -23044\nLower bound: -23460.465\n"
    assert read_bound(log, 23044.0) == pytest.approx(23460.465)


@needs_cbc
def test_a_stop_request_ends_both_solvers_of_the_portfolio() -> None:
    """Ctrl-C during the side-by-side search: both stop, the best plan so far comes back."""
    built = build_model(to_problem(hard_knapsack(3)))
    options = SolverOptions(gap=0.0, deadline=time.perf_counter() + 60.0)
    timer = threading.Timer(1.5, cancel.request)
    timer.start()
    try:
        started = time.perf_counter()
        outcome = portfolio.solve_whole(built.model, options, None, None, small=True)
        elapsed = time.perf_counter() - started
    finally:
        timer.cancel()
        cancel.clear()
    assert elapsed < 5.0, elapsed
    assert outcome.solvers == ("cbc", "cbc-worker")
    assert outcome.raw.status.has_plan and outcome.raw.objective is not None
    assert outcome.raw.best_bound is not None
    assert outcome.raw.best_bound >= outcome.raw.objective
