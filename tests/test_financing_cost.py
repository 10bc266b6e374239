"""A facility charged in full: repayments after the horizon and net present cost, by hand,
and the comparison that no longer shows a longer loan's impact-years without its cost."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from prioritise.analyses.scenarios.apply import apply_scenario
from prioritise.analyses.scenarios.plan import comparison_row, plan_prepared
from prioritise.core.finance import FinancingTerms, financing_cost, financing_schedule
from prioritise.inputs.scenarios import parse_scenarios
from prioritise.outputs.report.comparison import render_comparison
from tests.conftest import hazard, make_problem


def test_repayments_after_the_horizon_and_net_present_cost_by_hand() -> None:
    """10 drawn in 2027 at 0%, repaid 2.5 a year over 2028-31; horizon 2027-29, d = 10%.

    After the horizon: 2030 and 2031, 5.0 nominal; present value 2.5 (1.1^-4 + 1.1^-5)
    (repayments at year end). Net present cost: 2.5 (1.1^-2 + ... + 1.1^-5) - 10 < 0: an
    interest-free loan is worth money at a 10% discount rate."""
    schedule = financing_schedule(
        FinancingTerms(draws={2027: 10.0}, rate=0.0, repay_years=4, schedule="annuity")
    )
    c = financing_cost(schedule, [2027, 2028, 2029], 0.10)
    assert c.drawn_usd == pytest.approx(10.0)
    assert c.repaid_in_horizon_usd == pytest.approx(5.0)
    assert c.repayments_after_horizon_usd == pytest.approx(5.0)
    assert c.repayments_after_horizon_pv_usd == pytest.approx(2.5 * (1.1**-4 + 1.1**-5))
    npc = 2.5 * sum(1.1**-k for k in (2, 3, 4, 5)) - 10.0
    assert c.net_present_cost_usd == pytest.approx(npc)
    assert c.last_repayment_year == 2031
    assert c.outlives_horizon
    inside = financing_cost(schedule, list(range(2027, 2032)), 0.0)
    assert not inside.outlives_horizon
    assert inside.net_present_cost_usd == pytest.approx(0.0, abs=1e-12)


def _scenario(repay_years: int) -> Any:
    doc = {
        "scenarios": {
            f"loan_{repay_years}": {
                "financing": {
                    "amount": 1200.0,
                    "draw_years": 2,
                    "rate": 0.04,
                    "repay_years": repay_years,
                    "schedule": "annuity",
                }
            }
        }
    }
    scenarios, findings = parse_scenarios(doc)
    assert not findings
    return scenarios[0]


def test_longer_loan_is_shown_with_the_repayments_it_leaves_after_the_plan() -> None:
    """A 10-year plan (2027-36), 1,200 drawn over 2027-28 at 4%, repaid from 2029 over 8
    years (ends 2036, inside) or 12 (ends 2040): the 12-year loan leaves less repaid inside
    the plan, so its plan can do more, but its row carries the repayments of 2037-40 and a
    higher net present cost, beside its impact-years, and the page says so."""
    hazards = [hazard(f"H{i}", 10 - i % 7, 100 + 10 * i, 1) for i in range(14)]
    problem = make_problem(
        hazards,
        years=10,
        budget=[150.0] * 10,
        toml={"plan": {"discount_rate": 0.03, "carry_over": True}},
    )
    rows, summaries = [], {}
    for n in (8, 12):
        prep = apply_scenario(problem, _scenario(n))
        result = plan_prepared(prep, time_limit=20)
        rows.append(comparison_row(prep, result))
        summaries[prep.name] = result.summary.to_dict()
        schedule = prep.financing
        assert schedule is not None
        after = float(schedule.loc[schedule.index > 2036, "repayment"].sum())
        assert rows[-1]["repayments_after_horizon_usd"] == pytest.approx(after, abs=0.01)
    eight, twelve = rows
    assert eight["repayments_after_horizon_usd"] == 0.0
    assert eight["debt_outlives_horizon"] is False
    assert twelve["debt_outlives_horizon"] is True
    assert twelve["financing_last_repayment_year"] == 2040
    assert twelve["repayments_after_horizon_usd"] > 400.0
    assert twelve["financing_net_present_cost_usd"] > eight["financing_net_present_cost_usd"]
    # The longer loan buys at least as much inside the plan, which is why it must not be
    # shown alone: its impact-years sit next to its repayments after the plan.
    assert twelve["impact_years"] > eight["impact_years"]
    comparison = pd.DataFrame(rows)
    cols = list(comparison.columns)
    assert cols.index("repayments_after_horizon_usd") == cols.index("impact_years") + 1
    assert cols.index("financing_net_present_cost_usd") == cols.index("impact_years") + 2
    page = render_comparison(comparison, summaries)
    assert "repayments after the horizon" in page
    assert "Debt beyond the plan" in page
    assert "of repayments after the plan, not charged to it" in page  # beside the lead
    assert "loan_12</b>: $" in page
    assert "loan_8</b>: $" not in page
    assert "(debt after the plan)" in page
