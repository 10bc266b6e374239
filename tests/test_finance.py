"""Budget arithmetic checked by hand: financing schedules, profile shapes, funds, earmarks."""

from __future__ import annotations

import pandas as pd
import pytest

from prioritise import plan
from prioritise.analyses.scenarios.apply import apply_scenario
from prioritise.analyses.scenarios.plan import plan_prepared
from prioritise.core.finance import (
    BudgetProfile,
    FinancingTerms,
    annuity_payment,
    completion_fund_amounts,
    financing_schedule,
    shaped_budget,
)
from prioritise.inputs.scenarios import parse_scenarios
from tests.conftest import hazard, make_problem

BASE = pd.Series([100.0, 100.0, 100.0, 100.0], index=[2027, 2028, 2029, 2030], name="budget_usd")


def test_annuity_front_loaded_facility_by_hand() -> None:
    """10 drawn as 5 + 5 in 2027-28 at 5%, repaid as an annuity over 2029-32.

    2027: 5 drawn, interest 0.25 capitalised -> 5.25.  2028: 5.25 + 5 = 10.25, interest
    0.5125 -> 10.7625 = P.  A = P r / (1 - 1.05^-4) = 10.7625 x 0.2820118 = 3.035152.
    2029: interest 0.538125, principal 2.497027 -> 8.265473 ... and 0 after 2032.
    """
    t = financing_schedule(
        FinancingTerms(draws={2027: 5.0, 2028: 5.0}, rate=0.05, repay_years=4, schedule="annuity")
    )
    assert list(t.index) == [2027, 2028, 2029, 2030, 2031, 2032]
    assert t.loc[2028, "closing"] == pytest.approx(10.7625)
    a = 10.7625 * 0.05 / (1 - 1.05**-4)
    assert a == pytest.approx(3.035152, abs=1e-6)
    assert t.loc[2029:, "repayment"].tolist() == pytest.approx([a] * 4)
    assert t.loc[2029, "interest_paid"] == pytest.approx(0.538125)
    assert t.loc[2029, "closing"] == pytest.approx(8.265473, abs=1e-6)
    assert t.loc[2032, "closing"] == pytest.approx(0.0, abs=1e-9)
    assert t["net"].tolist() == pytest.approx([5.0, 5.0, -a, -a, -a, -a])
    # Total repaid = principal drawn + all interest (capitalised or paid).
    assert t["repayment"].sum() == pytest.approx(10 + t["interest"].sum())


def test_equal_principal_schedule_by_hand() -> None:
    """9 drawn in 2027 at 10%, repaid 2028-30: 0.9 capitalised -> 9.9; principal 3.3 a year
    plus interest on the balance: 0.99, 0.66, 0.33 -> repayments 4.29, 3.96, 3.63."""
    t = financing_schedule(
        FinancingTerms(draws={2027: 9.0}, rate=0.10, repay_years=3, schedule="equal_principal")
    )
    assert t.loc[2028:, "principal"].tolist() == pytest.approx([3.3, 3.3, 3.3])
    assert t.loc[2028:, "repayment"].tolist() == pytest.approx([4.29, 3.96, 3.63])
    assert t.loc[2030, "closing"] == pytest.approx(0.0, abs=1e-12)


def test_zero_rate_annuity_and_grace_period() -> None:
    assert annuity_payment(12.0, 0.0, 4) == 3.0
    t = financing_schedule(
        FinancingTerms(draws={2027: 10.0}, rate=0.1, repay_years=2, repay_start=2030)
    )
    # Two years of capitalised interest before repayment: 10 x 1.1^3 outstanding in 2030.
    assert t.loc[2029, "closing"] == pytest.approx(10 * 1.1**3)
    assert t.loc[2028:2029, "repayment"].tolist() == [0.0, 0.0]


def test_budget_shapes_keep_the_total() -> None:
    flat = shaped_budget(
        pd.Series([100.0, 200, 300, 400], index=BASE.index), BudgetProfile(shape="flat")
    )
    assert flat.tolist() == [250.0] * 4
    front = shaped_budget(BASE, BudgetProfile(shape="front_loaded", front_years=1, front_share=0.4))
    assert front.tolist() == pytest.approx([160.0, 80.0, 80.0, 80.0])
    declining = shaped_budget(BASE, BudgetProfile(shape="declining", decline_rate=0.5))
    assert declining.tolist() == pytest.approx([400 * w / 15 for w in (8, 4, 2, 1)])
    cut = shaped_budget(BASE, BudgetProfile(per_year={2027: 50.0}, multiplier={2030: 0.5}))
    assert cut.tolist() == [50.0, 100.0, 100.0, 50.0]
    assert BASE.tolist() == [100.0] * 4  # the input is untouched


def test_completion_fund_final_years() -> None:
    assert completion_fund_amounts(90.0, 3, [2027, 2028, 2029, 2030]) == {
        2028: 30.0,
        2029: 30.0,
        2030: 30.0,
    }


def _one_scenario(table: dict) -> object:
    scenarios, findings = parse_scenarios({"scenarios": {"s": table}})
    assert not findings, [f.message for f in findings]
    return scenarios[0]


def test_front_loaded_scenario_shrinks_later_budgets_by_the_repayments() -> None:
    """Budgets 200 a year; 100 drawn in 2027 at 0% and repaid in 2 equal annuities of 50 from
    2028: budgets become 300, 150, 150."""
    problem = make_problem([hazard("A", 1, 10, 1)], years=3, budget=[200, 200, 200])
    s = _one_scenario(
        {"financing": {"amount": 100.0, "draw_years": 1, "rate": 0.0, "repay_years": 2}}
    )
    prep = apply_scenario(problem, s)  # type: ignore[arg-type]
    assert prep.problem.budget.tolist() == [300.0, 150.0, 150.0]
    assert problem.budget.tolist() == [200.0, 200.0, 200.0]


def _earmark_problem(general: float) -> object:
    return make_problem(
        [
            hazard("A", 10, 100, 1, province="North"),
            hazard("B", 8, 100, 1, province="South"),
            hazard("C", 6, 100, 1, province="South"),
        ],
        years=1,
        budget=[general],
    )


def test_earmarked_money_only_pays_for_matching_work() -> None:
    """General 100 + 200 earmarked for North. Only A is in North, so the earmark can pay 100;
    B (South) takes the general 100; C cannot be paid: A + B = 18 with w = 1. The same 300
    as general money buys all three (24)."""
    problem = _earmark_problem(100.0)
    s = _one_scenario({"earmarks": [{"name": "north", "amount": 200.0, "provinces": ["North"]}]})
    result = plan_prepared(apply_scenario(problem, s), gap=0.0)  # type: ignore[arg-type]
    assert result.summary.objective == pytest.approx(18.0)
    assert set(result.schedule["hazard_id"]) == {"A", "B"}
    assert result.summary.scenario["funding_use"]["earmarks"]["north"] == {2027: 100.0}
    free = plan(_earmark_problem(300.0), gap=0.0)  # type: ignore[arg-type]
    assert free.summary.objective == pytest.approx(24.0)


def test_overlapping_earmarks_cannot_double_pay() -> None:
    """Earmarks for North (100) and for national operators (100) overlap on A (North,
    national, 100); B (South, international team, 100) matches neither and there is no
    general money. Without the pair row u_N + u_nat <= spend(North or national) the two
    earmarks would 'pay' 200 for A's 100 and fund B too; with it only A is done: 10."""
    teams = [
        {"team_type": "manual", "teams": 1, "days_per_year": 10, "operator": "national"},
        {
            "team_type": "intl",
            "kind": "manual2",
            "teams": 1,
            "days_per_year": 10,
            "operator": "international",
        },
    ]
    problem = make_problem(
        [
            hazard("A", 10, 100, 1, province="North"),
            hazard("B", 9, 100, 0, province="South", days_intl=1.0),
        ],
        years=1,
        budget=[0.0],
        teams=teams,
    )
    assert problem.options["operator"].tolist() == ["national", "international"]
    s = _one_scenario(
        {
            "earmarks": [
                {"name": "north", "amount": 100.0, "provinces": ["North"]},
                {"name": "local", "amount": 100.0, "operators": ["national"]},
            ]
        }
    )
    result = plan_prepared(apply_scenario(problem, s), gap=0.0)  # type: ignore[arg-type]
    assert result.summary.objective == pytest.approx(10.0)
    assert set(result.schedule["hazard_id"]) == {"A"}


def test_conditional_top_up_is_paid_only_when_article5_is_done() -> None:
    """T = 2, so w = (2, 1); budget 100 a year; every hazard costs 100. A (Article 5) has
    impact 1; B 5; C, D, E 6. A top-up of 300 in 2028 is paid only if A is done by 2027.

    Without it: one hazard a year, best C 2027 (12) + D 2028 (6) = 18.
    With it: A 2027 (2), then 400 in 2028 buys B, C, D, E (5 + 6 + 6 + 6 = 23): 25 > 18.
    """
    problem = make_problem(
        [
            hazard("A", 1, 100, 1, article5=True),
            hazard("B", 5, 100, 1),
            hazard("C", 6, 100, 1),
            hazard("D", 6, 100, 1),
            hazard("E", 6, 100, 1),
        ],
        years=2,
        budget=[100, 100],
    )
    s = _one_scenario({"completion_fund": {"per_year": {"2028": 300.0}, "condition_year": 2027}})
    prep = apply_scenario(problem, s)  # type: ignore[arg-type]
    assert prep.problem.budget.tolist() == [100.0, 400.0]  # B_t is the total money
    result = plan_prepared(prep, gap=0.0)
    years = dict(zip(result.schedule["hazard_id"], result.schedule["year"], strict=True))
    assert result.summary.scenario["funding_use"]["top_up_released"] is True
    assert years == {"A": 2027, "B": 2028, "C": 2028, "D": 2028, "E": 2028}
    assert result.summary.objective == pytest.approx(25.0)


def test_conditional_top_up_withheld_when_the_condition_fails() -> None:
    """As above but the condition is Article 5 done by 2027 and A is locked out: no top-up,
    so 2028 has only 100 again: C 2027 (12) + one of D/E 2028 (6) = 18."""
    problem = make_problem(
        [
            hazard("A", 1, 100, 1, article5=True, lock="must_not"),
            hazard("B", 5, 100, 1),
            hazard("C", 6, 100, 1),
            hazard("D", 6, 100, 1),
            hazard("E", 6, 100, 1),
        ],
        years=2,
        budget=[100, 100],
    )
    s = _one_scenario({"completion_fund": {"per_year": {"2028": 300.0}, "condition_year": 2027}})
    result = plan_prepared(apply_scenario(problem, s), gap=0.0)  # type: ignore[arg-type]
    assert result.summary.scenario["funding_use"]["top_up_released"] is False
    assert result.summary.objective == pytest.approx(18.0)


def test_longer_horizon_keeps_the_profile_and_sees_later_repayments() -> None:
    """Project 2027-29 at 200 a year, cut to 70%, 100 drawn in 2027 and repaid at 0% over
    2028-31 (25 a year): over 6 years the cut persists (140) and the repayments after 2029
    are charged: 240, 115, 115, 115, 115, 140."""
    problem = make_problem([hazard("A", 1, 10, 1)], years=3, budget=[200, 200, 200])
    s = _one_scenario(
        {
            "budget": {"multiplier": 0.7},
            "years": 6,
            "financing": {"amount": 100.0, "rate": 0.0, "repay_years": 4},
        }
    )
    prep = apply_scenario(problem, s)  # type: ignore[arg-type]
    assert prep.problem.budget.tolist() == pytest.approx([240, 115, 115, 115, 115, 140])
