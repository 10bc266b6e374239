"""Present values of a schedule: benefits, costs, NPV and benefit-cost ratios.

A hazard completed in horizon year t (0-based) with yearly benefit B earns B x w_t, where w_t
is the plan's year weight (benefit lifetime and discount rate, ``plan_weights``); its cost is
discounted to the year it is spent in, (1+r)^-t x cost. The figures exist only for hazards with
a known benefit: a hazard without one is left out of every ratio and counted, never valued at 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.eligibility import plan_weights
from prioritise.core.problem import Problem


@dataclass(frozen=True)
class ValueForMoney:
    """PV of benefits and costs (USD, discounted to the plan's first year) over some work."""

    hazards: int  # scheduled hazards with a known benefit (the ones counted)
    pv_benefits_usd: float
    pv_costs_usd: float
    npv_usd: float
    bcr: float | None  # None when nothing is spent


@dataclass(frozen=True)
class EconomicSummary:
    """The plan's economics; absent from summary.json when no hazard has a benefit."""

    basis: str
    benefit_years: int | str
    discount_rate: float
    unvalued_scheduled: int  # scheduled hazards without a benefit figure (not in the sums)
    plan: ValueForMoney
    per_province: dict[str, ValueForMoney]
    per_year: dict[str, ValueForMoney]


def hazard_values(problem: Problem, schedule: pd.DataFrame) -> pd.DataFrame:
    """Per scheduled row: pv_benefit_usd, pv_cost_usd, npv_usd, bcr (NaN without a benefit)."""
    plan = problem.settings.plan
    t = schedule["year"].to_numpy(int) - problem.years[0]
    benefit = problem.hazards["benefit_usd_per_year"].to_numpy(float)[schedule["hazard"]]
    pv_benefit = benefit * plan_weights(plan)[t]
    pv_cost = schedule["cost"].to_numpy(float) * (1.0 + plan.discount_rate) ** -t.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        bcr = np.where(pv_cost > 0, pv_benefit / pv_cost, np.nan)
    return pd.DataFrame(
        {
            "pv_benefit_usd": pv_benefit,
            "pv_cost_usd": np.where(np.isnan(benefit), np.nan, pv_cost),
            "npv_usd": pv_benefit - pv_cost,
            "bcr": bcr,
        },
        index=schedule.index,
    )


def _total(values: pd.DataFrame) -> ValueForMoney:
    known = values.dropna(subset=["pv_benefit_usd"])
    benefits = float(known["pv_benefit_usd"].sum())
    costs = float(known["pv_cost_usd"].sum())
    return ValueForMoney(
        hazards=len(known),
        pv_benefits_usd=round(benefits, 2),
        pv_costs_usd=round(costs, 2),
        npv_usd=round(benefits - costs, 2),
        bcr=round(benefits / costs, 4) if costs > 0 else None,
    )


def economic_summary(problem: Problem, schedule: pd.DataFrame) -> EconomicSummary | None:
    """Plan, province and year totals over hazards with a known benefit; None without any."""
    if problem.hazards["benefit_usd_per_year"].isna().all():
        return None
    plan = problem.settings.plan
    values = hazard_values(problem, schedule)
    province = problem.hazards["province"].to_numpy()[schedule["hazard"]]
    years = schedule["year"].to_numpy(int)
    return EconomicSummary(
        basis=(
            f"present values in USD of {problem.years[0]}, discounted at {plan.discount_rate:g} "
            f"a year; benefits counted for {plan.benefit_years} year(s) from completion "
            "(horizon = to the plan's last year); costs in the year spent; hazards without a "
            "benefit figure are left out"
        ),
        benefit_years=plan.benefit_years,
        discount_rate=plan.discount_rate,
        unvalued_scheduled=int(values["pv_benefit_usd"].isna().sum()),
        plan=_total(values),
        per_province={
            str(p): _total(values[province == p]) for p in sorted(set(province.tolist()))
        },
        per_year={str(y): _total(values[years == y]) for y in problem.years},
    )
