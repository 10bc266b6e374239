"""Explanations and marginal values on instances small enough to know the answer by hand."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli import main
from models.duals import marginal_values, solve_relaxation
from models.duals import marginal_values as relax
from models.eligibility import year_weights
from models.workplan import build_model
from prioritise import plan
from prioritise.analyses.explain import (
    ForcedResult,
    _force_lines,
    cost_interval_text,
    explain_hazard,
    explain_plan,
    force,
    force_cost_estimates,
    schedule_from_workplan,
)
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX
from tests.conftest import hazard, make_problem
from tests.test_bruteforce import random_problem


def explained(problem: Problem) -> pd.DataFrame:
    result = plan(problem, gap=0.0)
    return explain_plan(
        problem, result.solution.schedule, unscheduled=result.solution.unscheduled
    ).set_index("hazard_id")


def test_full_budget_in_year_one_pushes_a_hazard_to_year_two() -> None:
    """A and B cost 100 each, a year's budget is 100, team-days are plentiful: B waits."""
    p = make_problem([hazard("A", 10, 100, 1), hazard("B", 8, 100, 1)], years=2, budget=[100, 100])
    ex = explained(p)
    assert ex.loc["A", "year"] == 2027
    assert ex.loc["B", "year"] == 2028
    assert ex.loc["B", "binding"] == "budget 2027"
    assert "the 2027 budget is used up ($0 left" in ex.loc["B", "explanation"]
    assert "team-days" not in ex.loc["B", "binding"]
    assert ex.loc["A", "binding"] == "first year"


def test_team_days_used_up_push_a_hazard_to_year_two() -> None:
    """Money is plentiful, but the one team has 10 days a year and each hazard needs 10."""
    p = make_problem([hazard("A", 10, 1, 10), hazard("B", 8, 1, 10)], years=2, budget=[1000, 1000])
    ex = explained(p)
    assert ex.loc["B", "year"] == 2028
    assert ex.loc["B", "binding"] == "team-days manual 2027"
    assert (
        "manual team-days in 2027 are used up (0.0 left, needs 10.0)" in ex.loc["B", "explanation"]
    )


def test_prerequisite_done_later_and_lock_are_named() -> None:
    """A is locked to 2028; B needs A first, so B cannot be in 2027 whatever the money."""
    p = make_problem(
        [hazard("A", 1, 10, 1, lock="must", lock_year=2028), hazard("B", 10, 10, 1)],
        years=2,
        budget=[1000, 1000],
        deps=[("B", "A")],
    )
    ex = explained(p)
    assert ex.loc["A", "year"] == 2028
    assert ex.loc["A", "binding"] == "lock"
    assert "locked to 2028" in ex.loc["A", "explanation"]
    assert ex.loc["B", "year"] == 2028
    assert ex.loc["B", "binding"] == "requires A 2028"
    assert "it requires A, which is done in 2028" in ex.loc["B", "explanation"]


def test_unscheduled_reasons() -> None:
    """C is dearer than any year's money; E is locked out, so D (needing E) is blocked."""
    p = make_problem(
        [
            hazard("A", 10, 100, 1),
            hazard("C", 50, 500, 1),
            hazard("E", 5, 10, 1, lock="must_not"),
            hazard("D", 9, 10, 1),
        ],
        years=2,
        budget=[150, 150],
        deps=[("D", "E")],
    )
    ex = explained(p)
    assert (ex.loc[["C", "D", "E"], "status"] == "unscheduled").all()
    assert ex.loc["C", "binding"] == "budget 2027-2028"
    assert "it needs at least $500" in ex.loc["C", "explanation"]
    assert ex.loc["E", "binding"] == "lock must_not"
    assert ex.loc["D", "binding"] == "prerequisite"
    assert "requires E" in ex.loc["D", "explanation"]


def test_score_breakdown_is_in_the_explanation() -> None:
    p = make_problem(
        [
            hazard("A", 10, 100, 1, casualties=5, farm=1),
            hazard("B", 8, 100, 1, casualties=1, farm=3),
        ],
        years=1,
        budget=[200],
        toml={
            "scoring": {
                "criteria": [
                    {"name": "Casualties", "column": "casualties", "weight": 2},
                    {"name": "Farmland", "column": "farm", "weight": 1},
                ]
            }
        },
    )
    ex = explained(p)
    assert "Casualties" in ex.loc["A", "contributions"]
    assert ex.loc["A", "impact_rank"] == 1


def test_forcing_an_unscheduled_hazard_costs_what_it_displaces() -> None:
    """One year, money for one hazard: A (10) is chosen; forcing E (1) in costs 9."""
    p = make_problem([hazard("A", 10, 100, 1), hazard("E", 1, 100, 1)], years=1, budget=[100])
    result = plan(p, gap=0.0)
    forced = force(
        p,
        result.solution.schedule,
        "E",
        year=None,
        objective=result.summary.objective,
        gap=result.summary.gap,
    )
    assert forced.method == "MILP re-solve"
    assert forced.cost == pytest.approx(9.0)
    assert forced.dropped == ["A"]
    text, _ = explain_hazard(
        p, result.solution.schedule, "E", objective=result.summary.objective, gap=0.0
    )
    assert "a cost of exactly 9.00 impact-years" in text
    assert "drops 1: A" in text
    assert (forced.lower, forced.upper) == (pytest.approx(9.0), pytest.approx(9.0))


def test_moving_a_scheduled_hazard_one_year_earlier() -> None:
    """Two years, w = (2, 1): moving B to 2027 pushes A to 2028: 10*2+8 -> 8*2+10 = 2."""
    p = make_problem([hazard("A", 10, 100, 1), hazard("B", 8, 100, 1)], years=2, budget=[100, 100])
    result = plan(p, gap=0.0)
    text, info = explain_hazard(
        p, result.solution.schedule, "B", objective=result.summary.objective, gap=0.0
    )
    assert info["force"].what == "B moved to 2027"
    assert info["force"].cost == pytest.approx(2.0)
    assert "A 2027->2028" in text


def test_budget_dual_on_a_tiny_lp() -> None:
    """max 3a + 2b s.t. 2a + 2b <= 3 (one year, w = 1): a = 1, b = 1/2, one more dollar adds
    half of b, i.e. 2 / 2 = 1 impact-year; team-days are slack, so they are worth 0."""
    p = make_problem([hazard("A", 3, 2, 1), hazard("B", 2, 2, 1)], years=1, budget=[3])
    rel = marginal_values(build_model(p).model)
    assert rel.ok
    assert rel.objective == pytest.approx(4.0)
    m = rel.marginal.set_index(["resource", "year"])
    assert m.loc[("budget", 2027), "marginal_value"] == pytest.approx(1.0)
    assert m.loc[("team-days", 2027), "marginal_value"] == pytest.approx(0.0)


def test_capacity_dual_on_a_tiny_lp_and_by_perturbation() -> None:
    """Money is plentiful; 10 team-days: A (10 per 5 days) fills 5, B (6 per 10 days) half:
    a team-day is worth 6 / 10 = 0.6 impact-years, and re-solving with 11 days agrees."""

    def model(days: float) -> Problem:
        return make_problem(
            [hazard("A", 10, 1, 5), hazard("B", 6, 1, 10)],
            years=1,
            budget=[1000],
            teams=[{"team_type": "manual", "teams": 1, "days_per_year": days}],
        )

    rel = marginal_values(build_model(model(10)).model)
    m = rel.marginal.set_index(["resource", "year"])
    assert m.loc[("team-days", 2027), "marginal_value"] == pytest.approx(0.6)
    assert m.loc[("budget", 2027), "marginal_value"] == pytest.approx(0.0)
    assert m.loc[("team-days", 2027), "team_type"] == "manual"
    _, obj10, *_ = solve_relaxation(build_model(model(10)).model)
    _, obj11, *_ = solve_relaxation(build_model(model(11)).model)
    assert obj11 - obj10 == pytest.approx(0.6)


def test_carry_over_makes_early_money_worth_at_least_later_money() -> None:
    p = make_problem(
        [hazard(f"H{i}", 10 - i, 100, 1) for i in range(6)],
        years=3,
        budget=[100, 100, 100],
        toml={"plan": {"carry_over": True}},
    )
    m = marginal_values(build_model(p).model).marginal
    b = m[m["resource"] == "budget"]["marginal_value"].to_numpy()
    assert (np.diff(b) <= 1e-9).all()
    assert b[0] > 0


def test_schedule_from_a_previous_workplan(tmp_path: Path) -> None:
    p = make_problem(
        [hazard("A", 10, 100, 1), hazard("B", 8, 100, 1), hazard("C", 1, 500, 1)],
        years=2,
        budget=[100, 100],
    )
    result = plan(p, gap=0.0)
    result.workplan.to_csv(tmp_path / "workplan.csv", index=False)
    loaded = schedule_from_workplan(
        p, pd.read_csv(tmp_path / "workplan.csv", dtype={"hazard_id": str})
    )
    pd.testing.assert_frame_equal(
        loaded[["hazard_id", "year", "method", "cost"]],
        result.solution.schedule[["hazard_id", "year", "method", "cost"]],
    )


PROJECT = """[plan]
start_year = 2027
years = 2

[data]
hazards = "hazards.csv"
teams = "teams.csv"
budget = "budget.csv"
"""


def cli_project(tmp: Path) -> Path:
    (tmp / "hazards.csv").write_text(
        "hazard_id,province,impact,cost_usd,days_manual\n"
        "A,North,10,100,1\nB,North,8,100,1\nC,South,1,500,1\n"
    )
    (tmp / "teams.csv").write_text("team_type,teams,days_per_year\nmanual,1,10\n")
    (tmp / "budget.csv").write_text("year,budget_usd\n2027,100\n2028,100\n")
    (tmp / "project.toml").write_text(PROJECT)
    return tmp / "project.toml"


def test_cli_explain_replans_or_reads_a_previous_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = cli_project(tmp_path)
    assert main(["explain", str(project), "B", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "the 2027 budget is used up" in out
    assert "MILP re-solve, B moved to 2027" in out
    assert main(["plan", str(project), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["explain", str(project), "C", "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "Explaining the plan in" in captured.err
    assert "Not scheduled" in captured.out
    assert "C forced in" in captured.out
    assert main(["explain", str(project), "C", "--no-force", "--quiet"]) == 0
    assert "What it would cost" not in capsys.readouterr().out
    # An unknown hazard id is a bad argument (2), not a bad project (3).
    assert main(["explain", str(project), "nope", "--quiet"]) == 2


def brute_force(problem: Problem, must: int | None = None, year: int | None = None) -> float:
    """The best objective over every plan, enumerated; with ``must`` that hazard is done (in
    year index ``year`` if given). -inf when no plan does it."""
    opts = problem.options
    n_years = len(problem.years)
    w = year_weights(n_years, problem.settings.plan.discount_rate)
    impact = problem.hazards["impact"].to_numpy(float)
    teams = list(problem.capacity.columns)
    cost = opts["cost"].to_numpy()
    days = opts[[DAYS_PREFIX + t for t in teams]].to_numpy()
    cap = problem.capacity[teams].to_numpy()
    budget = problem.budget.to_numpy()
    pos = {hid: i for i, hid in enumerate(problem.hazards["hazard_id"])}
    deps = problem.dependencies
    edges = [(pos[a], pos[b]) for a, b in zip(deps["hazard_id"], deps["requires"], strict=True)]
    choices = []
    for h in range(len(problem.hazards)):
        rows = [(r, t) for r in opts.index[opts["hazard"] == h] for t in range(n_years)]
        if h == must:
            choices.append([c for c in rows if year is None or c[1] == year])
        else:
            choices.append([None, *rows])
    best = -np.inf
    for combo in itertools.product(*choices):
        yr = [c[1] if c else None for c in combo]
        if any(yr[a] is not None and (yr[b] is None or yr[b] > yr[a]) for a, b in edges):
            continue
        spend, used, value = np.zeros(n_years), np.zeros_like(cap), 0.0
        for h, c in enumerate(combo):
            if c is not None:
                spend[c[1]] += cost[c[0]]
                used[c[1]] += days[c[0]]
                value += impact[h] * w[c[1]]
        money = (
            np.cumsum(spend) - np.cumsum(budget)
            if problem.settings.plan.carry_over
            else (spend - budget)
        )
        if (money > 1e-9).any() or (used > cap + 1e-9).any():
            continue
        best = max(best, value)
    return float(best)


def tight_problem(seed: int) -> Problem:
    """7 hazards, one option each, 2 years, money and team-days for about half of them."""
    rng = np.random.default_rng(seed)
    rows = [
        hazard(
            f"H{i}",
            float(rng.integers(1, 30)),
            float(rng.integers(20, 120)),
            float(rng.integers(1, 6)),
        )
        for i in range(7)
    ]
    return make_problem(
        rows,
        years=2,
        budget=[float(rng.integers(80, 160)) for _ in range(2)],
        teams=[{"team_type": "manual", "teams": 1, "days_per_year": 8}],
        toml={"plan": {"carry_over": bool(seed % 2)}},
    )


def _loose(problem: Problem) -> Problem:
    """The same problem solved to a 30% gap (the forced re-solve reads the project's gap)."""
    solver = replace(problem.settings.solver, gap=0.3)
    return problem.replace(settings=replace(problem.settings, solver=solver))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("generator", [random_problem, tight_problem])
def test_forcing_cost_interval_contains_the_brute_force_cost(
    generator: Callable[[int], Problem], seed: int
) -> None:
    """Every unscheduled hazard forced in, and every scheduled one moved a year earlier: the
    interval holds the true cost (optima enumerated), both with exact figures and when the
    plan explained is a weaker one (the baseline, with a loose bound) and the forced solve
    stops at a 30% gap."""
    problem = generator(seed)
    result = plan(problem, gap=0.0)
    schedule = result.solution.schedule
    best = brute_force(problem)
    assert result.summary.objective == pytest.approx(best)
    weak = float(result.summary.baseline.objective or 0.0)
    loose_gap = (best * 1.2 - weak) / max(abs(weak), 1e-9)  # bound 20% above the optimum
    ids = list(problem.hazards["hazard_id"])
    year_of = schedule.set_index("hazard_id")["year"]
    checked = 0
    for pos, hid in enumerate(ids):
        if hid in year_of.index:
            t = problem.years.index(int(year_of[hid]))
            if t == 0:
                continue
            year, truth = int(year_of[hid]) - 1, best - brute_force(problem, pos, t - 1)
        else:
            year, truth = None, best - brute_force(problem, pos)
        for p, obj, gap in ((problem, best, 0.0), (_loose(problem), weak, loose_gap)):
            r = force(p, schedule, hid, year=year, objective=obj, gap=gap)
            assert r.lower is not None
            assert r.upper is not None
            if np.isinf(truth):
                assert r.status == "infeasible"
                assert np.isinf(r.lower)
                continue
            assert r.lower - 1e-6 <= truth <= r.upper + 1e-6, (hid, r, truth)
            if p is problem:  # exact figures on both sides: the interval is the cost
                assert r.upper - r.lower <= 1e-6
            checked += 1
    assert checked > 0


def test_interval_ends_follow_the_bounds_by_hand() -> None:
    """Before: plan 100, bound 110; forced: plan 80, bound 95. The cost U* - F* is at least
    100 - 95 = 5 and at most 110 - 80 = 30; with no forced plan, only 'at least 5' is known;
    without any bound, nothing, and the text says so rather than printing 0."""
    r = ForcedResult(
        "X forced in",
        "MILP re-solve",
        "gap_limit",
        100.0,
        80.0,
        0.1,
        0.1875,
        [],
        [],
        [],
        110.0,
        95.0,
    )
    assert (r.lower, r.upper) == (5.0, 30.0)
    assert "between 5.00 and 30.00" in cost_interval_text(r)
    no_plan = replace(r, objective_after=None)
    assert (no_plan.lower, no_plan.upper) == (5.0, None)
    assert "at least 5.00" in cost_interval_text(no_plan)
    nothing = replace(r, objective_after=None, bound_after=None)
    assert (nothing.lower, nothing.upper) == (None, None)
    assert cost_interval_text(nothing).startswith("not computed")
    # A forced plan better than the plan explained raises the lower end's reference.
    better = replace(r, objective_after=104.0, bound_after=106.0)
    assert (better.lower, better.upper) == (0.0, 6.0)
    text = "\n".join(_force_lines(better, 30.0))
    assert "between 0.00 and 6.00" in text
    assert "which is therefore not optimal" in text  # -4 is no cost: the plan was not optimal


def plan_wide(problem: Problem) -> pd.DataFrame:
    result = plan(problem, gap=0.0)
    costs = force_cost_estimates(result.built, result.relaxation or relax(result.built.model))
    return explain_plan(
        problem,
        result.solution.schedule,
        unscheduled=result.solution.unscheduled,
        force_costs=costs,
    )


def test_plan_wide_lower_bound_by_hand() -> None:
    """One year, 110 of money: A-E (20 each, impact 10) are done, F (20, impact 9) is half
    done in the LP (money is worth 9/20 = 0.45 an impact-year per dollar, LP 54.5 vs the
    plan's 50), Z (100, impact 5) is priced at 0.45 x 100 - 5 = 40 by the LP: an estimate.
    Proven: at least 40 - 4.5 = 35.5. Truly, forcing Z in leaves 10, room for nothing
    else: 50 -> 5, a cost of 45."""
    rows = [hazard(h, 10, 20, 1) for h in "ABCDE"]
    rows += [hazard("F", 9, 20, 1), hazard("Z", 5, 100, 1)]
    problem = make_problem(rows, years=1, budget=[110])
    ex = plan_wide(problem).set_index("hazard_id")
    assert ex.loc["Z", "force_cost_lp_estimate"] == pytest.approx(40.0)
    assert ex.loc["Z", "force_cost_at_least"] == pytest.approx(35.5)
    assert "proven at least 35.50" in ex.loc["Z", "force_cost_note"]
    assert "not a bound" in ex.loc["Z", "explanation"]
    assert brute_force(problem) - brute_force(problem, 6) == pytest.approx(45.0)
    assert np.isnan(ex.loc["F", "force_cost_lp_estimate"])  # the LP does half of it
    assert ex.loc["F", "force_cost_note"].startswith("not computed")


@pytest.mark.parametrize("seed", range(6))
def test_plan_wide_lower_bounds_hold_and_unknown_is_never_zero(seed: int) -> None:
    """The LP first-order figures in explanations.csv: 'at least' never exceeds the true
    cost; a hazard without a figure says why instead of showing 0."""
    problem = tight_problem(seed)
    ex = plan_wide(problem)
    best = brute_force(problem)
    un = ex[ex["status"] == "unscheduled"]
    assert len(un) >= 2
    for pos, row in un.iterrows():
        assert row["force_cost_note"]
        estimate = row["force_cost_lp_estimate"]
        assert np.isnan(estimate) or estimate > 0
        low = row["force_cost_at_least"]
        if np.isfinite(low):
            assert low <= best - brute_force(problem, int(pos)) + 1e-6
            assert "proven at least" in row["force_cost_note"]
    assert ex.loc[ex["status"] == "scheduled", "force_cost_at_least"].isna().all()
