"""The four Es with economic value, hand-solved: economy per m² and per beneficiary,
efficiency in impact and benefit per dollar, effectiveness against Article 5 and recorded
casualties, equity of economic value by province."""

from __future__ import annotations

import pytest

from prioritise import plan
from prioritise.analyses.indicators import value_for_money
from tests.conftest import make_problem
from tests.test_economics import NPV_PLAN, npv_hazard


def test_four_es_count_economic_value_by_hand() -> None:
    """r = 0, ten years of benefit. V (North): 100/yr x 10 - 300 = +700, needs N (South):
    0 - 200 = -200; M (North): 5 x 10 - 100 = -50 is left. The plan clears V and N:
    cost 500 for 300 m² (1.667/m²) and 10 beneficiaries (50 each); PV benefits 1,000 over
    PV costs 500 (2.0 per dollar); N is the only Article 5 hazard (no deadline set); the
    released hazards carry 3 of the 6 recorded casualties."""
    rows = [
        npv_hazard("V", 100, 300, area_m2=100, beneficiaries=10, casualties_24m=2),
        npv_hazard(
            "N", 0, 200, province="South", area_m2=200, article5=True, casualties_24m=1
        ),
        npv_hazard("M", 5, 100, area_m2=50, beneficiaries=4, casualties_24m=3),
    ]
    problem = make_problem(rows, budget=[1000] * 3, deps=[("V", "N")], toml={"plan": NPV_PLAN})
    result = plan(problem, gap=0)
    assert set(result.schedule["hazard_id"]) == {"V", "N"}
    v = value_for_money(problem, result.schedule, result.baseline)

    economy = v.economy.set_index("operator").loc["all"]
    assert economy["cost_per_m2_optimised"] == pytest.approx(500 / 300)
    assert economy["cost_per_beneficiary_optimised"] == pytest.approx(50.0)

    efficiency = v.efficiency.set_index("method").loc["all"]
    assert efficiency["benefit_per_usd_optimised"] == pytest.approx(2.0)
    assert efficiency["impact_years_per_usd1000_optimised"] == pytest.approx(0.0)

    effect = v.effectiveness.set_index("measure")["optimised"]
    assert effect["Article 5 hazards completed (of 1)"] == 1
    assert effect["recorded casualties at released hazards (casualties_24m)"] == 3
    assert effect[
        "share of all recorded casualties (casualties_24m) at released hazards"
    ] == pytest.approx(0.5)
    assert effect["benefit-cost ratio (PV benefit per USD PV cost)"] == pytest.approx(2.0)
    words = v.targets.set_index("measure")["optimised"]
    year = int(result.schedule.set_index("hazard_id").loc["N", "year"])
    assert words["Article 5 completion year"] == str(year)
    assert words["Article 5 deadline met"] == "no deadline set ([plan] deadline_year)"

    equity = v.equity_provinces.set_index("province")
    assert equity.loc["North", "pv_benefit_usd_optimised"] == pytest.approx(1000.0)
    assert equity.loc["North", "share_of_benefit_optimised"] == pytest.approx(1.0)
    assert equity.loc["North", "npv_usd_optimised"] == pytest.approx(700.0)
    assert equity.loc["South", "npv_usd_optimised"] == pytest.approx(-200.0)


def test_deadline_is_judged_and_projects_without_value_get_no_money_columns() -> None:
    """With a deadline the Article 5 target is judged; without any benefit figure no economic
    column appears (never a column of zeros)."""
    from tests.conftest import hazard

    rows = [hazard("A", 10, 100, 5, article5=True), hazard("B", 8, 100, 5)]
    problem = make_problem(rows, toml={"plan": {"deadline_year": 2028}})
    result = plan(problem, gap=0)
    v = value_for_money(problem, result.schedule, result.baseline)
    words = v.targets.set_index("measure")["optimised"]
    assert words["Article 5 deadline 2028 met"] == "yes"
    assert not any("benefit" in c or "npv" in c for c in v.efficiency.columns)
    assert not any("benefit" in c or "npv" in c for c in v.equity_provinces.columns)
    assert v.effectiveness["measure"].str.contains("NPV").sum() == 0
