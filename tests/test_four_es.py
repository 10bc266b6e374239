"""The four Es with economic value, hand-solved: economy per m² and per beneficiary,
efficiency in impact and benefit per dollar, effectiveness against Article 5 and recorded
casualties, equity of economic value by province."""

from __future__ import annotations

import math
from pathlib import Path

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
        npv_hazard("N", 0, 200, province="South", area_m2=200, article5=True, casualties_24m=1),
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
    # No hazard has an impact score: impact-years are unknown, never 0.
    assert math.isnan(efficiency["impact_years_per_usd1000_optimised"])

    effect = v.effectiveness.set_index("measure")["optimised"]
    assert math.isnan(effect["impact-years"])
    assert math.isnan(effect["impact-years per USD 1,000"])
    assert effect["hazards without an impact score (not in impact-years)"] == 2
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


def test_npv_plan_without_impact_scores_reports_impact_as_unknown(tmp_path: Path) -> None:
    """An NPV plan of hazards without impact: the report's and workbook's headline say
    impact-years are unknown and the objective is the NPV in USD, not 0 impact-years."""
    from openpyxl import load_workbook

    from prioritise.analyses.report_data import prepare_report
    from prioritise.outputs.plan import write_plan_outputs
    from prioritise.outputs.report.html import headline_cards, headline_meaning

    rows = [npv_hazard("V", 100, 300), npv_hazard("N", 0, 200), npv_hazard("M", 5, 100)]
    problem = make_problem(rows, budget=[1000] * 3, deps=[("V", "N")], toml={"plan": NPV_PLAN})
    result = plan(problem, gap=0)
    data = prepare_report(result)
    cards = {c.key: c for c in headline_cards(data)}
    assert cards["impact_years"].value == "unknown"
    assert "no hazard has an impact score" in cards["impact_years"].sub
    assert "$500" in cards["impact_years"].sub  # the objective, in USD
    assert cards["uplift"].label.startswith("NPV uplift")
    meaning = " ".join(headline_meaning(data.headline))
    assert "net present value" in meaning and "impact-years are unknown" in meaning
    write_plan_outputs(result, data, tmp_path)
    kpis = data.kpis["optimised"]
    assert kpis["impact_years"].isna().all()
    ws = load_workbook(tmp_path / "workplan.xlsx")["Summary"]
    items = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}
    assert items["Impact-years"] == "unknown (no hazard has an impact score)"
    assert items["Objective (NPV in USD, less lambda x the environmental score)"] == pytest.approx(
        500.0
    )
