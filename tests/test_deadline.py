"""Deadline analysis on instances whose answers are known by hand, checked minimal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cli import main
from prioritise.analyses.deadline import (
    analyse_deadline,
    check_feasible,
    earliest_year,
    min_extra_budget,
    min_extra_teams,
    with_deadline,
)
from prioritise.core.problem import Problem
from prioritise.inputs.roster import read_roster
from prioritise.outputs.deadline import render_answer
from tests.conftest import hazard, make_problem

TEAMS = [{"team_type": "manual", "teams": 1, "days_per_year": 10, "cost_per_day": 1.0}]


def three_article5(budget: float = 100.0, days: float = 3.0) -> Problem:
    """Three Article 5 hazards of cost 100 and `days` manual team-days; one team of 10
    days a year; budget per year as given; no carry-over; one non-Article-5 hazard."""
    return make_problem(
        [
            hazard("A", 5, 100, days, article5=True),
            hazard("B", 4, 100, days, article5=True),
            hazard("C", 3, 100, days, article5=True),
            hazard("X", 50, 100, days),
        ],
        years=3,
        budget=[budget] * 3,
        teams=TEAMS,
    )


def test_minimum_extra_budget_is_exact_and_minimal() -> None:
    """By 2027 the three need 300 in 2027 against 100: alpha = 2 (+200 in 2027, the same
    +200% in 2028 and 2029). Just under it, 1.99, is infeasible."""
    problem = with_deadline(three_article5(), 2027)
    assert check_feasible(problem, 30).feasible is False
    req = min_extra_budget(problem, 30)
    assert req.status == "optimal"
    assert req.value == pytest.approx(2.0, abs=1e-6)
    assert req.extra is not None
    assert req.extra["extra_usd"].tolist() == pytest.approx([200.0, 200.0, 200.0], abs=1e-3)
    enough = problem.replace(budget=problem.budget * (1 + req.value))
    assert check_feasible(enough, 30).feasible is True
    short = problem.replace(budget=problem.budget * (1 + 1.99))
    assert check_feasible(short, 30).feasible is False


def test_minimum_extra_teams_is_exact_and_minimal() -> None:
    """Plenty of money (1000 a year) but 3 x 5 = 15 team-days by 2027 against 10: one extra
    team of 10 days suffices and none does not. No budget increase helps (capacity binds)."""
    base = three_article5(budget=1000.0, days=5.0)
    problem = with_deadline(base, 2027)
    roster = read_roster(base, pd.DataFrame(TEAMS))
    req = min_extra_teams(problem, roster, 30)
    assert req.extra is not None
    assert req.extra.set_index("team_type")["extra_teams"].to_dict() == {"manual": 1}
    assert req.problem is not None
    assert req.problem.capacity["manual"].tolist() == [20.0, 20.0, 20.0]
    assert check_feasible(req.problem, 30).feasible is True
    assert check_feasible(problem, 30).feasible is False
    assert not min_extra_budget(problem, 30).found


def test_earliest_year_by_hand_and_beyond_the_horizon() -> None:
    """One Article 5 hazard a year fits the budget of 100: the three are done by 2029. With
    five of them and a three-year horizon, the fifth needs 2031 (horizon extended)."""
    assert earliest_year(three_article5(), 30)[0] == 2029
    five = make_problem(
        [hazard(h, 1, 100, 1, article5=True) for h in "ABCDE"],
        years=3,
        budget=[100] * 3,
        teams=TEAMS,
    )
    year, note = earliest_year(five, 30, max_extension=5)
    assert year == 2031
    assert "repeats its last year's budget" in note


def test_analysis_answers_and_tables() -> None:
    base = three_article5()
    answer = analyse_deadline(
        base, 2028, time_limit=30, roster=read_roster(base, pd.DataFrame(TEAMS))
    )
    assert answer.current.feasible is False
    assert answer.extra_budget is not None
    # Hazards are indivisible and there is no carry-over: one of 2027-28 must hold two of
    # them (200 against 100), so alpha = 1, not the 0.5 that 300 vs 200 in total suggests.
    assert answer.extra_budget.value == pytest.approx(1.0, abs=1e-6)
    target = with_deadline(base, 2028)
    assert check_feasible(target.replace(budget=target.budget * 1.99), 30).feasible is False
    assert answer.extra_teams is not None
    assert not answer.extra_teams.found  # the budget binds, not the teams
    assert answer.extra_teams.status == "infeasible"
    assert "(b) No number of extra teams alone meets the deadline (proven)" in render_answer(answer)
    assert answer.earliest_year == 2029
    tables = answer.tables["extra budget"]
    by_year = tables["by_year"].set_index("year")
    assert by_year.loc[[2027, 2028], "article5_hazards"].sum() == 3
    assert (by_year["cost_usd"] <= by_year["budget_usd"] + 1e-6).all()
    assert {"teams_manual", "team_days_manual"} <= set(by_year.columns)
    assert set(tables["by_year_province"]["province"]) == {"North"}


def test_cli_deadline_prints_the_answer(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A project whose own deadline is out of reach still loads for the analysis."""
    pd.DataFrame([hazard(h, 5, 100, 3, article5=True) for h in "ABC"]).to_csv(
        tmp_path / "hazards.csv", index=False
    )
    pd.DataFrame(TEAMS).to_csv(tmp_path / "teams.csv", index=False)
    pd.DataFrame({"year": [2027, 2028, 2029], "budget_usd": [100] * 3}).to_csv(
        tmp_path / "budget.csv", index=False
    )
    (tmp_path / "project.toml").write_text(
        "[plan]\nstart_year = 2027\nyears = 3\ndeadline_year = 2027\n[data]\n"
        'hazards = "hazards.csv"\nteams = "teams.csv"\nbudget = "budget.csv"\n'
    )
    assert main(["validate", str(tmp_path / "project.toml")]) == 3
    code = main(
        [
            "deadline",
            str(tmp_path / "project.toml"),
            "--year",
            "2027",
            "--time-limit",
            "30",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "NO (proven infeasible)" in out
    assert "+200.00% every year" in out
    assert "Earliest completion with current resources: 2029" in out
    assert (tmp_path / "out" / "extension_request.xlsx").exists()
    assert (tmp_path / "out" / "extra_budget__by_year.csv").exists()


def test_core_never_drops_a_province_share() -> None:
    """A (Article 5, North, 100) must be done in 2027 with 100 of budget.

    North must get at least 50% of spending: the core (A alone) meets it at once.
    With a 60% share for South instead, the core (North only) must not drop South's share:
    the whole problem is used, where S (South, 150) has to join: A + S = 250, 150 >= 60%,
    so alpha = 1.5 on a budget of 100."""
    rows = [hazard("A", 1, 100, 1, article5=True), hazard("S", 1, 150, 1, province="South")]
    easy = make_problem(
        rows,
        years=1,
        budget=[100],
        teams=TEAMS,
        toml={"constraints": {"equity": {"min_share": {"North": 0.5}}}},
    )
    assert check_feasible(with_deadline(easy, 2027), 30).feasible is True
    hard = make_problem(
        rows,
        years=1,
        budget=[100],
        teams=TEAMS,
        toml={"constraints": {"equity": {"min_share": {"South": 0.6}}}},
    )
    target = with_deadline(hard, 2027)
    assert check_feasible(target, 30).feasible is False
    req = min_extra_budget(target, 30)
    assert req.value == pytest.approx(1.5, abs=1e-6)


def test_both_together_when_neither_alone_suffices() -> None:
    """By 2027 the three need 300 of money (100 available) and 15 team-days (10 available):
    more money alone or more teams alone cannot do it; together alpha = 2 and one team."""
    base = three_article5(days=5.0)
    roster = read_roster(base, pd.DataFrame(TEAMS))
    answer = analyse_deadline(base, 2027, time_limit=30, roster=roster, plan_tables=False)
    assert answer.extra_budget is not None
    assert not answer.extra_budget.found
    assert answer.extra_teams is not None
    assert not answer.extra_teams.found
    both = answer.extra_both
    assert both is not None
    assert both.value == pytest.approx(2.0, abs=1e-6)
    assert both.extra is not None
    assert both.extra.set_index("team_type")["extra_teams"].to_dict() == {"manual": 1}
    assert both.budget_by_year is not None
    assert both.budget_by_year["extra_usd"].tolist() == pytest.approx([200.0] * 3, abs=1e-3)
    assert "(a+b) Both together" in render_answer(answer)
