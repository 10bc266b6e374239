"""Re-plan from reported progress: lock what was done, plan what is left.

The progress file has one row per hazard worked on (a CSV)::

    hazard_id, year, released_m2, cost_usd[, cancelled_m2, reduced_m2, cleared_m2,
    status, days_<team_type>..., team_days, team_type]

``released_m2`` is the area released that year (cleared + reduced + cancelled); a hazard is
*done* when ``status`` says ``done`` or what it released reaches its area (0.5% tolerance),
otherwise it is *partial* and keeps the rest of its area (and that share of each option's
team-days and cost) for the remaining years.

New hazards found: a row with ``status`` = ``new`` and a hazard id the project does not
have describes a hazard found during the work, with the hazards file's columns (``area_m2``,
``province``, ``impact`` or the criteria columns, ...; see
:mod:`prioritise.analyses.new_hazards`); it joins the remaining problem. Its
``released_m2`` and ``cost_usd`` count as work done on it, as on any row. An unknown id
without ``status`` = new is an error (a typo is likelier than a find).

Team-days spent: ``days_<team_type>`` columns, or ``team_days`` with ``team_type`` (which
may be left out when the project has one team type).

The years reported are over: the remaining plan starts the year after the last one (or
``start_year``). Rows *in* ``start_year`` (given explicitly) report the year under way:
their cost comes off that year's budget and their team-days off its capacity, and the rest
of the year is planned with what is left. Money: each reported year's budget minus what was
spent there is carried into the first remaining year when the project carries money over;
an overspend is always taken from the remaining years' budget (first year first), since
the money is gone either way. Team-days of the years over are over with them (the record
shows them beside the capacity).

Plan against actual: for the years reported, each hazard's planned year, cost and area
(from the plan made before any progress) beside what was reported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from models.eligibility import plan_weights
from prioritise.analyses.new_hazards import add_new_hazards, new_hazard_rows
from prioritise.analyses.remaining import Remaining, remaining_problem
from prioritise.core.errors import Finding, ProjectError, ValidationReport, error
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX
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
    problem: Problem  # the project, with the new hazards found appended
    new_hazards: tuple[str, ...] = ()
    days_spent: pd.DataFrame | None = None  # year x team type, team-days reported
    notes: tuple[str, ...] = ()

    @property
    def days_in_start_year(self) -> dict[str, float]:
        """Team-days already spent in the year under way (start_year), by team type."""
        d = self.days_spent
        if d is None or self.start_year not in d.index:
            return {}
        return {str(k): float(v) for k, v in d.loc[self.start_year].items() if v > 0}


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
    report.extend(_value_findings(rows, file))
    if not report.errors:
        report.extend(_year_findings(problem, rows, file, start_year))
    new = new_hazard_rows(rows) & ~rows["hazard_id"].isin(problem.hazards["hazard_id"])
    report.extend(_unknown_findings(problem, rows, new, file))
    days, found = _days_spent(problem, rows, file)
    report.extend(found)
    added = None
    if new.any():
        added, found = add_new_hazards(problem, rows[new], file)
        report.extend(found)
    if report.errors:
        raise ProjectError(report)
    rows["year"] = rows["year"].astype(int)
    last = int(rows["year"].max()) if len(rows) else problem.years[0] - 1
    start = start_year if start_year is not None else last + 1
    years = problem.years
    if not years[0] < start <= years[-1] or start < last:
        report.add(
            error(
                file,
                "progress-start",
                f"Re-planning from {start} is not possible: progress runs to {last} and the "
                f"horizon is {years[0]}-{years[-1]}.",
            )
        )
        raise ProjectError(report)
    base = added.problem if added is not None else problem
    progress = _totals(base, rows, start, days)
    if added is None:
        return progress
    return replace(progress, new_hazards=added.ids, notes=progress.notes + added.notes)


def _value_findings(rows: pd.DataFrame, file: str) -> list[Finding]:
    found = []
    for col in ("year", "released_m2", "cost_usd"):
        rows[col] = pd.to_numeric(rows[col], errors="coerce")
        bad = rows[col].isna() | (rows[col] < 0)
        if bad.any():
            found.append(
                error(
                    file,
                    "bad-value",
                    f"'{col}' must be a number >= 0.",
                    "Correct the listed rows.",
                    rows.loc[bad, "hazard_id"],
                )
            )
    return found


def _year_findings(
    problem: Problem, rows: pd.DataFrame, file: str, start_year: int | None
) -> list[Finding]:
    """Years over lie before the horizon's last year; the year under way is start_year."""
    years = problem.years
    allowed = [*years[:-1], *([start_year] if start_year is not None else [])]
    outside = ~rows["year"].isin(allowed)
    if not outside.any():
        return []
    under_way = f", or {start_year} (the year under way)" if start_year is not None else ""
    return [
        error(
            file,
            "progress-year",
            f"Progress years must lie in {years[0]}-{years[-2]}{under_way} (the last year of "
            "the horizon leaves nothing to re-plan).",
            "Correct the years.",
            rows.loc[outside, "hazard_id"],
        )
    ]


def _unknown_findings(
    problem: Problem, rows: pd.DataFrame, new: pd.Series, file: str
) -> list[Finding]:
    known = rows["hazard_id"].isin(problem.hazards["hazard_id"])
    unknown = ~known & ~new
    found = []
    if unknown.any():
        found.append(
            error(
                file,
                "progress-new-hazard",
                "Progress names hazards the project does not have (new hazards found?).",
                "Mark a new hazard's row status = new and give its area_m2, province and "
                "impact (or the criteria columns); otherwise correct the id.",
                rows.loc[unknown, "hazard_id"],
            )
        )
    if "status" in rows:
        renamed = known & new_hazard_rows(rows)
        if renamed.any():
            found.append(
                error(
                    file,
                    "progress-new-known",
                    "Rows marked status = new name hazards the project already has.",
                    "Give the new hazard an id of its own, or change the status.",
                    rows.loc[renamed, "hazard_id"],
                )
            )
    return found


def _days_spent(
    problem: Problem, rows: pd.DataFrame, file: str
) -> tuple[pd.DataFrame | None, list[Finding]]:
    """Team-days reported, year x team type (days_<type> columns, or team_days/team_type)."""
    types = [str(t) for t in problem.team_types["team_type"]]
    found: list[Finding] = []
    parts = {}
    for col in [c for c in rows.columns if isinstance(c, str) and c.startswith(DAYS_PREFIX)]:
        team = col[len(DAYS_PREFIX) :]
        if team not in types:
            found.append(_team_finding(file, [team], types, rows["hazard_id"]))
            continue
        parts[team] = pd.to_numeric(rows[col], errors="coerce").fillna(0.0)
    if "team_days" in rows:
        days = pd.to_numeric(rows["team_days"], errors="coerce")
        if "team_type" in rows:
            team_of = rows["team_type"].astype(str).str.strip()
        elif len(types) == 1:
            team_of = pd.Series(types[0], index=rows.index)
        else:
            team_of = pd.Series("", index=rows.index)
        bad = days.notna() & ~team_of.isin(types)
        if bad.any():
            found.append(
                _team_finding(file, sorted(set(team_of[bad])), types, rows.loc[bad, "hazard_id"])
            )
        for team in types:
            mine = days.where(team_of.eq(team), 0.0).fillna(0.0)
            parts[team] = parts.get(team, 0.0) + mine
    negative = [t for t, v in parts.items() if (v < 0).any()]
    if negative:
        found.append(
            error(file, "bad-value", "Team-days spent must be >= 0.", "Correct the listed rows.")
        )
    if not parts or found:
        return None, found
    table = pd.DataFrame(parts).assign(year=pd.to_numeric(rows["year"], errors="coerce"))
    return table.groupby("year").sum().reindex(columns=types, fill_value=0.0), found


def _team_finding(file: str, teams: list[str], types: list[str], ids: pd.Series) -> Finding:
    return error(
        file,
        "progress-team-type",
        f"Team-days are reported for team type(s) the project does not have: "
        f"{', '.join(t or '(none given)' for t in teams)}.",
        f"Use one of {', '.join(types)} (column days_<team_type>, or team_type).",
        ids,
    )


def _totals(
    problem: Problem, rows: pd.DataFrame, start: int, days: pd.DataFrame | None = None
) -> Progress:
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
    # a hazard reported with nothing released (a new find, a site visit) is untouched
    left = {hid: float(1.0 - s) for hid, s in share[~done_mask].items() if s > 0}
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
    under_way = float(rows.loc[rows["year"] == start, "cost_usd"].sum())
    notes = []
    if under_way > 0:
        money_in -= under_way
        notes.append(f"{under_way:,.0f} already spent in {start} comes off its budget.")
    return Progress(
        rows,
        done,
        left,
        start,
        float(money_in),
        table,
        problem,
        days_spent=days,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class ReplanInputs:
    remaining: Remaining
    progress: Progress


def replan_problem(problem: Problem, progress: Progress) -> ReplanInputs:
    """The remaining problem the re-plan solves.

    ``progress.problem`` is ``problem`` with the new hazards found appended (the same
    project when none were); team-days spent in the year under way come off its capacity.
    """
    del problem  # progress was read against it and carries it, new hazards included
    rem = remaining_problem(
        progress.problem,
        progress.start_year,
        done=progress.done,
        fraction_left=progress.fraction_left,
        money_in=progress.money_in,
    )
    spent = progress.days_in_start_year
    notes = list(progress.notes)
    if spent:
        capacity = rem.problem.capacity.copy()
        year = progress.start_year
        for team, days in spent.items():
            have = float(capacity.loc[year, team])
            capacity.loc[year, team] = max(0.0, have - days)
            notes.append(
                f"{days:,.1f} {team} team-days already spent in {year} come off its "
                f"{have:,.1f}" + (" (more than it had: none left)" if days > have else "") + "."
            )
        rem = replace(rem, problem=rem.problem.replace(capacity=capacity))
    if progress.new_hazards:
        notes.append(
            f"{len(progress.new_hazards)} new hazard(s) found are planned with the rest: "
            + ", ".join(progress.new_hazards[:10])
            + ("..." if len(progress.new_hazards) > 10 else "")
            + "."
        )
    return ReplanInputs(replace(rem, notes=rem.notes + tuple(notes)), progress)


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
    new = set(progress.new_hazards)
    table["outcome"] = [
        "new hazard found" if r["hazard_id"] in new else _outcome(r, done)
        for r in table.to_dict(orient="records")
    ]
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
                **_days_columns(problem, progress, y),
            }
        )
    order = ["planned_year", "actual_year", "hazard_id"]
    return table.sort_values(order).reset_index(drop=True), pd.DataFrame(by_year)


def _days_columns(problem: Problem, progress: Progress, year: int) -> dict[str, float]:
    """Team-days reported beside the capacity, per team type (when the file gives them)."""
    d = progress.days_spent
    if d is None:
        return {}
    out = {}
    for team in d.columns:
        spent = float(d.loc[year, team]) if year in d.index else 0.0
        out[f"capacity_days_{team}"] = round(float(problem.capacity.loc[year, team]), 1)
        out[f"spent_days_{team}"] = round(spent, 1)
    return out


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
        values = impact.reindex(s["hazard_id"]).to_numpy() * w[s["year"] - problem.years[0]]
        return float(np.nansum(values))  # new hazards found are not in the plan before

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
        f"hazards completed from {start} on (the project's hazards only: new hazards found "
        "count in neither figure)",
        "new_hazards": list(p.new_hazards),
    }
