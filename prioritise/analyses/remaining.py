"""The problem that is left after some years of work: what re-planning solves.

Used by re-planning from reported progress (:mod:`prioritise.analyses.replan`) and by the
Monte Carlo with annual re-planning (:mod:`prioritise.analyses.uncertainty`), so both lock
completed work the same way:

* hazards done are removed (their access prerequisites are met, so the dependency rows that
  name them go too);
* a partly done hazard keeps ``fraction_left`` of its area, and of every option's areas,
  team-days and cost;
* the horizon starts at ``start_year`` and ends where the project's does; the budget and
  team-days of the years before it are gone; ``money_in`` is added to the first remaining
  year (unspent money carried over, if the project carries money over) or, when negative
  (an overspend), taken from the remaining years in order until it is repaid;
* ``days_factor`` (team type -> multiplier) re-estimates every option's team-days from what
  was observed, each changed team-day costed at the type's cost per day; ``cost_factor``
  (method -> multiplier) does the same for a method's cost per m² of cleared land;
* a ``must`` lock whose year has passed keeps the ``must`` without the year (do it as soon
  as the rules allow); a deadline that has passed is dropped (the caller reports it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX

AREA_COLUMNS = ("released_m2", "cleared_m2", "cancelled_m2", "reduced_m2")


@dataclass(frozen=True)
class Remaining:
    """The remaining problem and what building it changed (for the report)."""

    problem: Problem
    kept: np.ndarray  # positions, in the original problem, of the hazards kept (new order)
    notes: tuple[str, ...] = ()


def remaining_problem(
    problem: Problem,
    start_year: int,
    *,
    done: Collection[str] = (),
    fraction_left: Mapping[str, float] | None = None,
    money_in: float = 0.0,
    days_factor: Mapping[str, float] | None = None,
    cost_factor: Mapping[str, float] | None = None,
) -> Remaining:
    """The problem from ``start_year`` on, without the work already done (module doc)."""
    years = problem.years
    if not years[0] <= start_year <= years[-1]:
        raise ValueError(f"{start_year} is outside the horizon {years[0]}-{years[-1]}.")
    h = problem.hazards
    keep = ~h["hazard_id"].isin(list(done)).to_numpy()
    kept = np.flatnonzero(keep)
    new_pos = np.full(len(h), -1)
    new_pos[kept] = np.arange(len(kept))
    left = h["hazard_id"].map(dict(fraction_left or {})).fillna(1.0).to_numpy(float)
    left = np.clip(left, 0.0, 1.0)

    hazards = h.iloc[kept].reset_index(drop=True)
    hazards["area_m2"] = hazards["area_m2"] * left[kept]
    notes: list[str] = []
    hazards, lock_notes = _passed_locks(hazards, start_year)
    notes += lock_notes

    options = _options_left(problem, new_pos, left, days_factor or {}, cost_factor or {})
    budget, capacity, money_notes = _resources_left(problem, start_year, money_in)
    notes += money_notes

    deps = problem.dependencies
    ids = set(hazards["hazard_id"])
    deps = deps[deps["hazard_id"].isin(ids) & deps["requires"].isin(ids)].reset_index(drop=True)

    plan = problem.settings.plan
    deadline = plan.deadline_year
    if deadline is not None and deadline < start_year:
        notes.append(
            f"The deadline {deadline} has passed; the remaining years are planned without it."
        )
        deadline = None
    settings = replace(
        problem.settings,
        plan=replace(
            plan,
            start_year=start_year,
            years=years[-1] - start_year + 1,
            deadline_year=deadline,
        ),
    )
    geometry = problem.geometry
    if geometry is not None:
        geometry = geometry.iloc[kept].reset_index(drop=True)
    contributions = problem.contributions.iloc[kept].reset_index(drop=True)
    out = problem.replace(
        settings=settings,
        hazards=hazards,
        contributions=contributions,
        options=options,
        budget=budget,
        capacity=capacity,
        dependencies=deps,
        geometry=geometry,
    )
    return Remaining(out, kept, tuple(notes))


def _passed_locks(hazards: pd.DataFrame, start_year: int) -> tuple[pd.DataFrame, list[str]]:
    passed = hazards["lock_year"].notna() & (hazards["lock_year"] < start_year)
    if not passed.any():
        return hazards, []
    out = hazards.copy()
    out.loc[passed, "lock_year"] = np.nan
    ids = ", ".join(out.loc[passed, "hazard_id"].astype(str).head(10))
    return out, [
        f"{int(passed.sum())} hazard(s) locked to a year that has passed ({ids}) must still "
        "be done, in any remaining year."
    ]


def _options_left(
    problem: Problem,
    new_pos: np.ndarray,
    left: np.ndarray,
    days_factor: Mapping[str, float],
    cost_factor: Mapping[str, float],
) -> pd.DataFrame:
    """Options of the kept hazards, scaled to the work left and re-estimated."""
    opts = problem.options
    pos = opts["hazard"].to_numpy()
    out = opts[new_pos[pos] >= 0].copy()
    old = out["hazard"].to_numpy()
    frac = left[old]
    out["hazard"] = new_pos[old]
    days_cols = [c for c in out.columns if isinstance(c, str) and c.startswith(DAYS_PREFIX)]
    for c in (*AREA_COLUMNS, *days_cols, "cost"):
        out[c] = out[c].to_numpy(float) * frac
    rate = problem.team_types.set_index("team_type")["cost_per_day"]
    for team, factor in days_factor.items():
        col = DAYS_PREFIX + team
        if col not in out or factor == 1.0:
            continue
        before = out[col].to_numpy(float)
        out[col] = before * factor
        out["cost"] += (out[col].to_numpy(float) - before) * float(np.nan_to_num(rate.get(team)))
    per_m2 = {m.name: m.cost_per_m2 for m in problem.settings.methods}
    for method, factor in cost_factor.items():
        rows = (out["method"] == method).to_numpy()
        extra = per_m2.get(method, 0.0) * (factor - 1.0) * out.loc[rows, "cleared_m2"]
        out.loc[rows, "cost"] += extra
    out["cost"] = out["cost"].clip(lower=0.0)
    return out.reset_index(drop=True)


def _resources_left(
    problem: Problem, start_year: int, money_in: float
) -> tuple[pd.Series, pd.DataFrame, list[str]]:
    budget = problem.budget.loc[start_year:].astype(float).copy()
    capacity = problem.capacity.loc[start_year:].copy()
    notes = []
    if money_in > 0:
        budget.iloc[0] += money_in
        notes.append(f"{money_in:,.0f} unspent is carried into {start_year}.")
    elif money_in < 0:
        owed = -money_in
        for i in range(len(budget)):
            take = min(owed, float(budget.iloc[i]))
            budget.iloc[i] -= take
            owed -= take
        notes.append(
            f"An overspend of {-money_in:,.0f} is repaid from the budget of {start_year}"
            + (" and later years" if -money_in > float(problem.budget.loc[start_year]) else "")
            + (f"; {owed:,.0f} cannot be repaid within the horizon" if owed > 0 else "")
            + "."
        )
    return budget, capacity, notes
