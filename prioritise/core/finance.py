"""Budget arithmetic for scenarios: profile shapes, front-loaded financing, completion funds.

Everything here is a pure function from a per-year budget (a Series indexed by year) and some
terms to another per-year Series or table, so each rule can be checked by hand in a test.

Financing follows the IFFIm pattern (domain notes §8): money is raised early against later
pledges, so early budgets grow by the draws and later budgets shrink by the repayments.
Conventions (annual periods, all amounts in the project currency):

* draws arrive at the start of their year and count towards that year's budget;
* interest accrues once a year on the balance outstanding during the year (the opening
  balance plus that year's draw); before repayment starts it is capitalised (added to the
  balance), because the programme has no pledge income to pay it from yet;
* repayments are made at the end of each repayment year from the programme's budget;
  ``annuity`` pays the same total every year, A = P r / (1 - (1 + r)^-n) with P the balance
  when repayment starts (A = P / n when r = 0); ``equal_principal`` repays P / n of principal
  each year plus interest on the balance outstanding that year;
* repayment starts the year after the last draw unless ``repay_start`` says otherwise, and
  may run past the planning horizon: those payments cannot touch the plan's budgets, so
  :func:`financing_cost` charges them in full beside it instead (nominal, present value, and
  the net present cost of the whole facility).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SHAPES = ("flat", "declining", "front_loaded")
SCHEDULES = ("annuity", "equal_principal")


@dataclass(frozen=True)
class BudgetProfile:
    """How a scenario rewrites the general budget, applied in this order.

    1. ``per_year``: absolute amounts for the years listed (others keep the project's);
    2. ``shape``: redistribute the total (``total`` if given, else the budget after step 1)
       as ``flat`` (equal), ``declining`` (each year ``1 - decline_rate`` times the last) or
       ``front_loaded`` (``front_share`` of the total spread over the first ``front_years``,
       the rest over the remaining years);
    3. ``multiplier``: one factor for every year, or factors for the years listed.
    """

    per_year: Mapping[int, float] = field(default_factory=dict)
    shape: str | None = None
    total: float | None = None
    decline_rate: float = 0.1
    front_years: int = 3
    front_share: float = 0.5
    multiplier: float | Mapping[int, float] = 1.0


@dataclass(frozen=True)
class FinancingTerms:
    """A front-loaded facility: what is drawn when, and how it is repaid."""

    draws: Mapping[int, float]
    rate: float = 0.0
    repay_years: int = 1
    repay_start: int | None = None
    schedule: str = "annuity"

    @property
    def first_repayment_year(self) -> int:
        return self.repay_start if self.repay_start is not None else max(self.draws) + 1


@dataclass(frozen=True)
class CompletionFund:
    """Extra money in the final years; ``condition_year`` makes it payable only when every
    Article 5 hazard is completed by that year (results-based, decided by the model)."""

    per_year: Mapping[int, float]
    condition_year: int | None = None

    @property
    def conditional(self) -> bool:
        return self.condition_year is not None


def shaped_budget(base: pd.Series, profile: BudgetProfile) -> pd.Series:
    """The general budget after a profile (see :class:`BudgetProfile` for the order)."""
    out = base.astype(float).copy()
    for year, amount in profile.per_year.items():
        if year in out.index:
            out[year] = float(amount)
    if profile.shape is not None:
        total = float(out.sum()) if profile.total is None else float(profile.total)
        out = pd.Series(total * shape_weights(len(out), profile), index=out.index, name=base.name)
    if isinstance(profile.multiplier, Mapping):
        factors = pd.Series(profile.multiplier, dtype=float).reindex(out.index).fillna(1.0)
        out = out * factors
    else:
        out = out * float(profile.multiplier)
    return out.rename(base.name)


def shape_weights(years: int, profile: BudgetProfile) -> np.ndarray:
    """Shares of the total per year (they add up to 1)."""
    if profile.shape == "flat":
        w = np.ones(years)
    elif profile.shape == "declining":
        w = (1.0 - profile.decline_rate) ** np.arange(years, dtype=float)
    elif profile.shape == "front_loaded":
        n_front = min(profile.front_years, years)
        n_back = years - n_front
        if n_back == 0:
            return np.full(years, 1.0 / years)
        w = np.concatenate(
            [
                np.full(n_front, profile.front_share / n_front),
                np.full(n_back, (1.0 - profile.front_share) / n_back),
            ]
        )
    else:
        raise ValueError(f"unknown budget shape {profile.shape!r}; use one of {SHAPES}")
    return w / w.sum()


def financing_schedule(terms: FinancingTerms) -> pd.DataFrame:
    """Year-by-year cash flows of a facility, from the first draw to the last repayment.

    Columns: ``opening`` balance, ``draw``, ``interest`` (accrued that year), ``capitalised``
    interest, ``principal`` and ``interest_paid`` (together the ``repayment``), ``closing``
    balance and ``net`` = draw - repayment, the change to that year's budget.
    """
    if terms.schedule not in SCHEDULES:
        raise ValueError(f"unknown repayment schedule {terms.schedule!r}; use {SCHEDULES}")
    first_draw = min(terms.draws)
    start = terms.first_repayment_year
    if start <= max(terms.draws):
        raise ValueError("repayment must start after the last draw")
    n, r = terms.repay_years, terms.rate
    years = range(first_draw, start + n)
    rows = []
    balance = 0.0
    payment = None
    principal_each = None
    for year in years:
        opening = balance
        draw = float(terms.draws.get(year, 0.0))
        outstanding = opening + draw
        interest = outstanding * r
        if year < start:
            capitalised, principal, interest_paid = interest, 0.0, 0.0
            balance = outstanding + interest
        else:
            if payment is None:  # the first repayment year fixes the schedule
                payment = annuity_payment(outstanding, r, n)
                principal_each = outstanding / n
            capitalised = 0.0
            interest_paid = interest
            if terms.schedule == "annuity":
                principal = payment - interest
            else:
                principal = float(principal_each or 0.0)
            principal = min(principal, outstanding)
            balance = outstanding - principal
        rows.append(
            {
                "year": year,
                "opening": opening,
                "draw": draw,
                "interest": interest,
                "capitalised": capitalised,
                "principal": principal,
                "interest_paid": interest_paid,
                "repayment": principal + interest_paid,
                "closing": balance,
            }
        )
    table = pd.DataFrame(rows).set_index("year")
    table["net"] = table["draw"] - table["repayment"]
    return table


def annuity_payment(principal: float, rate: float, years: int) -> float:
    """Level payment that repays ``principal`` over ``years`` at ``rate``: P r / (1-(1+r)^-n)."""
    if years <= 0:
        raise ValueError("an annuity needs at least one year")
    if rate == 0:
        return principal / years
    return principal * rate / (1.0 - (1.0 + rate) ** -years)


def financing_effect(terms: FinancingTerms, years: list[int]) -> tuple[pd.Series, pd.DataFrame]:
    """The change to each horizon year's budget, and the full schedule (which may extend
    beyond the horizon; the caller reports repayments left outside it)."""
    table = financing_schedule(terms)
    net = table["net"].reindex(years, fill_value=0.0).rename("financing_net")
    return net, table


def completion_fund_amounts(amount: float, final_years: int, years: list[int]) -> dict[int, float]:
    """``amount`` split equally over the last ``final_years`` years of the horizon."""
    n = max(1, min(final_years, len(years)))
    return {y: amount / n for y in years[-n:]}


@dataclass(frozen=True)
class FinancingCost:
    """What a facility costs in full, including what falls after the horizon.

    Present values are at the project's discount rate d to the start of the first horizon
    year y0, with the conventions above: a draw in year y is worth (1 + d)^-(y - y0) and a
    repayment (paid at year end) (1 + d)^-(y - y0 + 1). The net present cost is
    PV(all repayments) - PV(all draws): positive when the facility costs more than it brings
    at that rate, negative when it borrows more cheaply than the rate.
    """

    drawn_usd: float
    repaid_in_horizon_usd: float
    repayments_after_horizon_usd: float
    repayments_after_horizon_pv_usd: float
    net_present_cost_usd: float
    last_repayment_year: int
    discount_rate: float

    @property
    def outlives_horizon(self) -> bool:
        return self.repayments_after_horizon_usd > 0


def financing_cost(schedule: pd.DataFrame, years: list[int], discount_rate: float) -> FinancingCost:
    """The full cost of a facility's ``schedule`` (from :func:`financing_schedule`) seen
    from a horizon of ``years`` (see :class:`FinancingCost` for the conventions)."""
    y0, last = years[0], years[-1]
    k = schedule.index.to_numpy(int) - y0
    draw_pv = (schedule["draw"].to_numpy(float) * (1.0 + discount_rate) ** -k.astype(float)).sum()
    rep = schedule["repayment"].to_numpy(float)
    rep_pv = rep * (1.0 + discount_rate) ** -(k + 1.0)
    after = schedule.index.to_numpy(int) > last
    within = ~after & (schedule.index.to_numpy(int) >= y0)
    paid = schedule.index[rep > 0]
    return FinancingCost(
        drawn_usd=float(schedule["draw"].sum()),
        repaid_in_horizon_usd=float(rep[within].sum()),
        repayments_after_horizon_usd=float(rep[after].sum()),
        repayments_after_horizon_pv_usd=float(rep_pv[after].sum()),
        net_present_cost_usd=float(rep_pv.sum() - draw_pv),
        last_repayment_year=int(paid.max()) if len(paid) else int(schedule.index.max()),
        discount_rate=float(discount_rate),
    )
