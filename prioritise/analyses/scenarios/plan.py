"""Plan one prepared scenario, and reduce its result to a row of the comparison.

Scenarios without restricted money are planned with :func:`prioritise.planning.planner.plan` as
they are; earmarks and conditional top-ups add the :mod:`models.funding` families to the
built model before it is solved, then the result is assembled exactly as ``plan`` does.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import pandas as pd

from models.funding import (
    add_conditional_top_up,
    add_earmarks,
    funding_use,
    restricted_per_year,
)
from models.solvers import SolverOptions
from models.workplan import BuiltModel
from prioritise.analyses.outlook import completion_from_summary
from prioritise.analyses.scenarios.apply import PreparedScenario
from prioritise.core.errors import InfeasibleError
from prioritise.planning.planner import PlanResult, plan, solver_options

NOT_WITHIN = "not within horizon"


def plan_prepared(
    prep: PreparedScenario,
    *,
    time_limit: float | None = None,
    gap: float | None = None,
    threads: int | None = None,
    solver: str | None = None,
) -> PlanResult:
    """The optimised plan of a prepared scenario, its summary carrying the scenario record."""
    problem = prep.problem
    funding: dict[str, Any] = {}
    if not prep.earmarks and prep.top_up is None:
        result = plan(problem, solver=solver, time_limit=time_limit, gap=gap, threads=threads)
    else:
        result, funding = _plan_with_funding(
            prep,
            solver_options(problem, name=solver, time_limit=time_limit, gap=gap, threads=threads),
        )
    record = scenario_record(prep)
    record["funding_use"] = funding
    return replace(result, summary=replace(result.summary, scenario=record))


def _plan_with_funding(
    prep: PreparedScenario,
    options: SolverOptions,
) -> tuple[PlanResult, dict[str, Any]]:
    """As :func:`prioritise.planning.planner.plan`, with the funding families added to the model.

    The warm start is the constructive plan of the *general* money only: spending no
    earmarked money and not counting on the top-up keeps every funding row (u = 0, z = 0),
    so the solver always starts from a valid plan.
    """
    problem = prep.problem

    def add_funding(built: BuiltModel) -> Any:
        columns = add_earmarks(built, prep.earmarks)
        if prep.top_up is not None:
            columns = add_conditional_top_up(built, prep.top_up, columns)
        return columns

    restricted = restricted_per_year(problem.years, prep.earmarks, prep.top_up)
    general = problem.replace(budget=problem.budget - restricted.to_numpy())
    try:
        result = plan(
            problem,
            solver=options.name,
            time_limit=options.time_limit,
            gap=options.gap,
            threads=options.threads,
            extend=add_funding,
            start_from=general,
        )
    except InfeasibleError as exc:
        raise InfeasibleError(
            "No plan meets the rules with this scenario's money and teams "
            "(earmarks and top-up conditions included).",
            exc.hints,
        ) from None
    # A constructive fallback spends general money only: its u = 0 and z = 0 are exact.
    return result, funding_use(result.built, result.extension, result.x, prep.earmarks)


def scenario_record(prep: PreparedScenario) -> dict[str, Any]:
    """What the scenario changed, for summary.json and the comparison workbook."""
    s = prep.scenario
    table = prep.budget_table.reset_index()
    return {
        "name": s.name,
        "description": s.description,
        "inherits": list(s.lineage),
        "overrides": dict(s.raw),
        "notes": list(prep.notes),
        "budget": table.to_dict(orient="records"),
        "financing": (
            prep.financing.reset_index().to_dict(orient="records")
            if prep.financing is not None
            else None
        ),
        "financing_cost": (
            {
                **asdict(prep.financing_cost),
                "outlives_horizon": prep.financing_cost.outlives_horizon,
            }
            if prep.financing_cost is not None
            else None
        ),
    }


def financing_columns(prep: PreparedScenario) -> dict[str, Any]:
    """The facility charged in full, kept beside the impact-years it buys: repayments after
    the horizon (nominal and present value at the discount rate) and the net present cost of
    the financing (zero when the scenario borrows nothing)."""
    c = prep.financing_cost
    if c is None:
        return {
            "repayments_after_horizon_usd": 0.0,
            "financing_net_present_cost_usd": 0.0,
            "debt_outlives_horizon": False,
            "repayments_after_horizon_pv_usd": 0.0,
            "financing_last_repayment_year": None,
        }
    return {
        "repayments_after_horizon_usd": round(c.repayments_after_horizon_usd, 2),
        "financing_net_present_cost_usd": round(c.net_present_cost_usd, 2),
        "debt_outlives_horizon": c.outlives_horizon,
        "repayments_after_horizon_pv_usd": round(c.repayments_after_horizon_pv_usd, 2),
        "financing_last_repayment_year": c.last_repayment_year,
    }


def released_by_year_method(result: PlanResult) -> pd.DataFrame:
    """Long table: year, method, hazards, released/cleared/reduced/cancelled m², cost."""
    wp = result.workplan[result.workplan["status"] == "scheduled"]
    return wp.groupby(["year", "method"], as_index=False).agg(
        hazards=("hazard_id", "count"),
        released_m2=("released_m2", "sum"),
        cleared_m2=("cleared_m2", "sum"),
        reduced_m2=("reduced_m2", "sum"),
        cancelled_m2=("cancelled_m2", "sum"),
        cost_usd=("cost_usd", "sum"),
    )


def comparison_row(
    prep: PreparedScenario, result: PlanResult, outlook: tuple[int | None, str] | None = None
) -> dict[str, Any]:
    """One scenario's figures, flat, for comparison.csv."""
    s = result.summary
    totals = s.totals
    a5 = s.article5
    table = prep.budget_table
    year, method = outlook or completion_from_summary(s)
    row: dict[str, Any] = {
        "scenario": prep.name,
        "description": prep.scenario.description,
        "inherits": " < ".join(prep.scenario.lineage),
        "status": s.status,
        "error": "",
        "objective": s.objective,
        "impact_years": s.impact_years,
        **financing_columns(prep),
        "best_bound": s.best_bound,
        "gap": s.gap,
        "hazards_scheduled": s.hazards.scheduled,
        "released_m2": totals.released_m2,
        "remaining_area_m2": totals.remaining_area_m2,
        "cost_usd": totals.cost_usd,
        "budget_usd": totals.budget_usd,
        "beneficiaries": totals.beneficiaries,
        "national_share_of_cost": totals.national_share_of_cost,
        "environmental_score": s.environmental_score,
        "deadline_year": a5.deadline_year,
        "article5_completion_year": a5.completion_year or NOT_WITHIN,
        "meets_deadline": a5.meets_deadline,
        "completion_year": year if year is not None else "never at this rate",
        "completion_method": method,
        "financing_drawn_usd": round(float(table["financing_draw"].sum()), 2),
        "financing_repaid_in_horizon_usd": round(float(table["financing_repayment"].sum()), 2),
        "completion_fund_usd": round(
            float(table["completion_fund"].sum() + table["conditional_top_up"].sum()), 2
        ),
        "top_up_released": (s.scenario or {}).get("funding_use", {}).get("top_up_released"),
        "earmarked_usd": round(float(table["earmarked"].sum()), 2),
        "solve_seconds": s.solve_seconds,
    }
    for y in s.per_year:
        row[f"released_m2_{y.year}"] = y.released_m2
    by_method = result.workplan.groupby("method")["released_m2"].sum()
    for m, v in by_method.items():
        row[f"released_m2_{m}"] = round(float(v), 1)
    return row
