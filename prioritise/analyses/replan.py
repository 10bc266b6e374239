"""Re-plan from reported progress: lock what was done, plan what is left.

The progress file has one row per hazard worked on (a CSV)::

    hazard_id, year, released_m2, cost_usd[, cancelled_m2, reduced_m2, cleared_m2,
    team_days, status]

``released_m2`` is the area released that year (cleared + reduced + cancelled); a hazard is
*done* when ``status`` says ``done`` or what it released reaches its area (0.5% tolerance),
otherwise it is *partial* and keeps the rest of its area (and that share of each option's
team-days and cost) for the remaining years. Hazards not in the project are new hazards
found: give them in the hazards file and load the project again (this command reports
them and stops, rather than plan without them).

The years reported are over: the remaining plan starts the year after the last one (or
``start_year``). Money: each reported year's budget minus what was spent there is carried
into the first remaining year when the project carries money over; an overspend is always
taken from the remaining years' budget (first year first), since the money is gone either
way. Team-days of the years reported are over with them.

Plan against actual: for the years reported, each hazard's planned year, cost and area
(from the plan made before any progress) beside what was reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.eligibility import plan_weights
from prioritise.analyses.remaining import Remaining, remaining_problem
from prioritise.core.errors import ProjectError, ValidationReport, error
from prioritise.core.problem import Problem
from prioritise.planning.summary import PlanSummary

DONE_TOLERANCE = 0.005
REQUIRED = ("hazard_id", "year", "released_m2", "cost_usd")


@dataclass(frozen=True)
class Progress:
    """Reported progress, checked against the project."""

    rows: pd.DataFrame  # hazard_id, year, released_m2, cost_usd, ... (known hazards)
    done: tuple[str, ...]
    fraction_left: dict[str, float]
    start_year: int
    money_in: float  # carried (+) or owed (-) into start_year
    spent_by_year: pd.DataFrame  # year, budget_usd, spent_usd, balance_usd


def read_progress(
    problem: Problem, frame: pd.DataFrame, file: str = "progress.csv", start_year: int | None = None
) -> Progress:
    """Check the progress table against the project (every finding at once) and total it."""
    report = ValidationReport()
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        report.add(
            error(
                file,
                "missing-column",
                f"Progress needs the column(s) {', '.join(missing)}.",
                f"Columns: {', '.join(REQUIRED)} (and optionally status, cleared_m2, ...).",
            )
        )
        raise ProjectError(report)
    rows = frame.copy()
    rows["hazard_id"] = rows["hazard_id"].astype(str).str.strip()
    for col in ("year", "released_m2", "cost_usd"):
        rows[col] = pd.to_numeric(rows[col], errors="coerce")
        bad = rows[col].isna() | (rows[col] < 0)
        if bad.any():
            report.add(
                error(
                    file,
                    "bad-value",
                    f"'{col}' must be a number >= 0.",
                    "Correct the listed rows.",
                    rows.loc[bad, "hazard_id"],
                )
            )
    years = problem.years
    if not report.errors:
        outside = ~rows["year"].isin(years[:-1])
        if outside.any():
            report.add(
                error(
                    file,
                    "progress-year",
                    f"Progress years must lie in {years[0]}-{years[-2]} (the last year of the "
                    "horizon leaves nothing to re-plan).",
                    "Correct the years.",
                    rows.loc[outside, "hazard_id"],
                )
            )
    h = problem.hazards
    unknown = ~rows["hazard_id"].isin(h["hazard_id"])
    if unknown.any():
        report.add(
            error(
                file,
                "progress-new-hazard",
                "Progress names hazards the project does not have (new hazards found?).",
                "Add them to the hazards file (with their area and attributes) and run again.",
                rows.loc[unknown, "hazard_id"],
            )
        )
    if report.errors:
        raise ProjectError(report)
    rows["year"] = rows["year"].astype(int)
    last = int(rows["year"].max()) if len(rows) else years[0] - 1
    start = start_year if start_year is not None else last + 1
    if not years[0] < start <= years[-1] or start <= last:
        report.add(
            error(
                file,
                "progress-start",
                f"Re-planning from {start} is not possible: progress runs to {last} and the "
                f"horizon is {years[0]}-{years[-1]}.",
            )
        )
        raise ProjectError(report)
    return _totals(problem, rows, start)


def _totals(problem: Problem, rows: pd.DataFrame, start: int) -> Progress:
    area = problem.hazards.set_index("hazard_id")["area_m2"].astype(float)
    released = rows.groupby("hazard_id")["released_m2"].sum()
    share = (released / area.reindex(released.index)).fillna(1.0).clip(upper=1.0)
    status = (
        rows.groupby("hazard_id")["status"].last().astype(str).str.lower()
        if "status" in rows
        else pd.Series("", index=released.index)
    )
    done_mask = (share >= 1.0 - DONE_TOLERANCE) | (status.reindex(share.index) == "done")
    done = tuple(sorted(share.index[done_mask]))
    left = {hid: float(1.0 - s) for hid, s in share[~done_mask].items()}
    reported = list(range(problem.years[0], start))
    spent = rows.groupby("year")["cost_usd"].sum().reindex(reported, fill_value=0.0)
    budget = problem.budget.reindex(reported).astype(float)
    table = pd.DataFrame(
        {"year": reported, "budget_usd": budget.to_numpy(), "spent_usd": spent.to_numpy()}
    )
    carry = problem.settings.plan.carry_over
    balance = 0.0
    balances = []
    for b, s in zip(table["budget_usd"], table["spent_usd"], strict=True):
        balance = balance + b - s if carry else min(0.0, balance) + b - s
        balances.append(balance)
    table["balance_usd"] = np.round(balances, 2)
    money_in = balance if carry else min(0.0, balance)
    return Progress(rows, done, left, start, float(money_in), table)


@dataclass(frozen=True)
class ReplanInputs:
    remaining: Remaining
    progress: Progress


def replan_problem(problem: Problem, progress: Progress) -> ReplanInputs:
    """The remaining problem the re-plan solves."""
    rem = remaining_problem(
        problem,
        progress.start_year,
        done=progress.done,
        fraction_left=progress.fraction_left,
        money_in=progress.money_in,
    )
    return ReplanInputs(rem, progress)


def plan_against_actual(
    problem: Problem, planned: pd.DataFrame, progress: Progress
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per hazard and per year, for the years reported: the plan beside what was done.

    ``planned`` is the plan's schedule made before any progress (hazard_id, year, cost,
    released_m2).
    """
    years = list(range(problem.years[0], progress.start_year))
    plan_rows = planned[planned["year"].isin(years)]
    actual = progress.rows.groupby("hazard_id", as_index=False).agg(
        actual_year=("year", "max"),
        actual_cost_usd=("cost_usd", "sum"),
        actual_released_m2=("released_m2", "sum"),
    )
    merged = plan_rows[["hazard_id", "year", "cost", "released_m2"]].rename(
        columns={"year": "planned_year", "cost": "planned_cost_usd", "released_m2": "planned_m2"}
    )
    table = merged.merge(actual, on="hazard_id", how="outer")
    done = set(progress.done)
    table["outcome"] = [_outcome(r, done) for r in table.to_dict(orient="records")]
    table["cost_difference_usd"] = (
        table["actual_cost_usd"].fillna(0.0) - table["planned_cost_usd"].fillna(0.0)
    ).round(2)
    by_year = []
    for y in years:
        p = plan_rows[plan_rows["year"] == y]
        a = progress.rows[progress.rows["year"] == y]
        by_year.append(
            {
                "year": y,
                "planned_hazards": len(p),
                "actual_hazards_worked": int(a["hazard_id"].nunique()),
                "planned_cost_usd": round(float(p["cost"].sum()), 2),
                "actual_cost_usd": round(float(a["cost_usd"].sum()), 2),
                "planned_released_m2": round(float(p["released_m2"].sum()), 1),
                "actual_released_m2": round(float(a["released_m2"].sum()), 1),
                "budget_usd": round(float(problem.budget[y]), 2),
            }
        )
    order = ["planned_year", "actual_year", "hazard_id"]
    return table.sort_values(order).reset_index(drop=True), pd.DataFrame(by_year)


def _outcome(r: dict[str, Any], done: set[str]) -> str:
    planned = pd.notna(r.get("planned_year"))
    worked = pd.notna(r.get("actual_year"))
    if planned and not worked:
        return "planned, not reported"
    if not planned:
        return "done, not planned for these years" if r["hazard_id"] in done else "partly done"
    if r["hazard_id"] not in done:
        return "partly done"
    if r["actual_year"] > r["planned_year"]:
        return "done later than planned"
    if r["actual_year"] < r["planned_year"]:
        return "done earlier than planned"
    return "done as planned"


def replan_record(
    problem: Problem,
    nominal_schedule: pd.DataFrame,
    inputs: ReplanInputs,
    result_schedule: pd.DataFrame,
    result_summary: PlanSummary,
) -> dict[str, Any]:
    """What the re-plan locked, carried and changed, for replan.json and the terminal.

    ``rest_*`` compare the remaining years: the plan made before any progress against
    the re-plan, both in impact-years of the *original* horizon (completion year weights)
    so they can be set side by side.
    """
    p = inputs.progress
    rem = inputs.remaining
    start = p.start_year
    w = plan_weights(problem.settings.plan)
    impact = problem.hazards.set_index("hazard_id")["impact"].astype(float)

    def rest_value(s: pd.DataFrame) -> float:
        s = s[s["year"] >= start]
        return float(
            (impact.reindex(s["hazard_id"]).to_numpy() * w[s["year"] - problem.years[0]]).sum()
        )

    return {
        "start_year": start,
        "years_reported": list(range(problem.years[0], start)),
        "hazards_done": len(p.done),
        "hazards_partly_done": {k: round(v, 4) for k, v in sorted(p.fraction_left.items())},
        "money_in_usd": round(p.money_in, 2),
        "money": p.spent_by_year.to_dict(orient="records"),
        "notes": list(rem.notes),
        "status": result_summary.status,
        "gap": result_summary.gap,
        "rest_impact_years_planned_before": round(rest_value(nominal_schedule), 6),
        "rest_impact_years_replanned": round(rest_value(result_schedule), 6),
        "rest_measure": "impact x the original horizon's weight of each completion year, "
        f"hazards completed from {start} on",
    }
