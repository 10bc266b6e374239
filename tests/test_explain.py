"""Explanations and marginal values on instances small enough to know the answer by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli import main
from models.duals import marginal_values, solve_relaxation
from models.workplan import build_model
from prioritise import plan
from prioritise.analyses.explain import explain_hazard, explain_plan, force, schedule_from_workplan
from prioritise.core.problem import Problem
from tests.conftest import hazard, make_problem


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
    assert "a cost of 9.00" in text
    assert "drops 1: A" in text


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
