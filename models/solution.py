"""The solution as a typed value, read back from the solver and checked against the rules.

The check runs twice and independently: the solver's column vector against the assembled
matrix rows (catches numerical trouble), and the resulting schedule against the problem's
rules written out again in plain pandas (catches a family that was built wrong).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.solvers import RawResult, SolveStatus
from models.workplan import BuiltModel
from prioritise.core.errors import PrioritiseError
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX

TOLERANCE = 1e-6


class SolutionCheckError(PrioritiseError, AssertionError):
    """A plan broke a rule: a defect in the engine, never the user's input."""


@dataclass(frozen=True)
class Solution:
    """What one solve produced. ``schedule`` holds one row per scheduled hazard."""

    status: SolveStatus
    objective: float | None
    best_bound: float | None
    gap: float | None
    solve_seconds: float
    build_seconds: float
    solver: str
    message: str
    schedule: pd.DataFrame
    unscheduled: pd.DataFrame  # hazard_id, reason
    n_variables: int = 0
    n_constraints: int = 0
    n_nonzeros: int = 0


SCHEDULE_COLUMNS = [
    "hazard",
    "hazard_id",
    "year",
    "method",
    "operator",
    "cost",
    "released_m2",
    "cleared_m2",
    "cancelled_m2",
    "reduced_m2",
    "env",
    "value",
]


def schedule_from_rows(problem: Problem, frame: pd.DataFrame) -> pd.DataFrame:
    """Schedule rows (one per hazard) from chosen eligibility or option rows."""
    days = [c for c in frame.columns if isinstance(c, str) and c.startswith(DAYS_PREFIX)]
    out = frame.copy()
    out["hazard_id"] = problem.hazards["hazard_id"].to_numpy()[out["hazard"].to_numpy()]
    out = out[SCHEDULE_COLUMNS + days].sort_values(["year", "hazard"], kind="stable")
    return out.reset_index(drop=True)


def read_solution(built: BuiltModel, raw: RawResult) -> Solution:
    """Turn the solver's vector into a checked schedule and the list of unscheduled hazards."""
    problem = built.problem
    if raw.x is not None and built.model.n_cols:
        if raw.complete:
            check_rows(built, raw.x)
        chosen = built.eligibility.frame[raw.x[built.x] > 0.5]
    else:
        chosen = built.eligibility.frame.iloc[0:0]
    schedule = schedule_from_rows(problem, chosen)
    if raw.status.has_plan:
        violations = check_schedule(problem, schedule)
        if violations:
            raise SolutionCheckError("The solved plan breaks rules:\n" + "\n".join(violations))
    return Solution(
        status=raw.status,
        objective=raw.objective,
        best_bound=raw.best_bound,
        gap=raw.gap,
        solve_seconds=raw.seconds,
        build_seconds=built.build_seconds,
        solver=raw.solver,
        message=raw.message,
        schedule=schedule,
        unscheduled=unscheduled_reasons(problem, schedule, built.eligibility.excluded),
        n_variables=built.model.n_cols,
        n_constraints=built.model.n_rows,
        n_nonzeros=built.model.n_nonzeros,
    )


def check_rows(built: BuiltModel, x: np.ndarray) -> None:
    """Every row of the assembled matrix holds for ``x`` (and integers are integral)."""
    _lower, _upper, _, integer = built.model.columns()
    frac = np.abs(x[integer] - np.round(x[integer]))
    if (frac > 1e-5).any():
        raise SolutionCheckError(f"{int((frac > 1e-5).sum())} integer variables are fractional.")
    activity = built.model.activity(x)
    row_lower, row_upper = built.model.row_bounds()
    # Relative to the row's own magnitude: a money row summing millions of dollars to 0 is
    # held by solvers to a relative, not an absolute, tolerance.
    bound = np.abs(
        np.nan_to_num(np.where(np.isinf(row_upper), row_lower, row_upper), posinf=0.0, neginf=0.0)
    )
    scale = np.maximum.reduce([np.ones_like(bound), bound, built.model.activity(x, True)])
    bad = (activity < row_lower - TOLERANCE * scale) | (activity > row_upper + TOLERANCE * scale)
    if bad.any():
        families = built.model.row_family_of()[bad]
        raise SolutionCheckError(
            f"{int(bad.sum())} constraints are violated by the solver's "
            f"solution, in families {sorted(set(families))}."
        )


def check_schedule(problem: Problem, schedule: pd.DataFrame, *, rules: str = "all") -> list[str]:
    """Plain re-statement of the rules; returns one line per violation (empty = valid).

    ``rules='resources'`` checks only what the ranking baseline promises (once, budget,
    capacity, access, locks); ``'all'`` adds the deadline and the shares.
    """
    out: list[str] = []
    tol = 1e-6
    years = problem.years
    if schedule["hazard"].duplicated().any():
        out.append("a hazard is scheduled twice")
    spent = schedule.groupby("year")["cost"].sum().reindex(years, fill_value=0.0)
    budget = problem.budget.reindex(years)
    if problem.settings.plan.carry_over:
        over = (spent.cumsum() - budget.cumsum()) > tol * np.maximum(1, budget.cumsum())
    else:
        over = (spent - budget) > tol * np.maximum(1, budget)
    out += [
        f"budget exceeded in {y}: {spent[y]:,.2f} > {budget[y]:,.2f}" for y in spent.index[over]
    ]
    for team in problem.capacity.columns:
        col = DAYS_PREFIX + team
        if col not in schedule:
            continue
        used = schedule.groupby("year")[col].sum().reindex(years, fill_value=0.0)
        cap = problem.capacity[team]
        bad = used - cap > tol * np.maximum(1, cap)
        out += [
            f"{team} capacity exceeded in {y}: {used[y]:,.1f} > {cap[y]:,.1f}"
            for y in used.index[bad]
        ]
    year_of = schedule.set_index("hazard_id")["year"]
    deps = problem.dependencies
    if not deps.empty:
        y_after = year_of.reindex(deps["hazard_id"]).to_numpy()
        y_before = year_of.reindex(deps["requires"]).to_numpy()
        broken = ~np.isnan(y_after) & (np.isnan(y_before) | (y_before > y_after))
        out += [
            f"{a} is scheduled but its prerequisite {b} is not done by then"
            for a, b in zip(deps["hazard_id"][broken], deps["requires"][broken], strict=True)
        ]
    h = problem.hazards
    locked_out = set(h.loc[h["lock"] == "must_not", "hazard_id"]) & set(year_of.index)
    out += [f"{i} is locked out but scheduled" for i in sorted(locked_out)]
    must = h[h["lock"] == "must"]
    missing = set(must["hazard_id"]) - set(year_of.index)
    out += [f"{i} is locked 'must' but not scheduled" for i in sorted(missing)]
    dated = must[must["lock_year"].notna() & must["hazard_id"].isin(year_of.index)]
    wrong = dated[year_of.reindex(dated["hazard_id"]).to_numpy() != dated["lock_year"]]
    out += [
        f"{i} is locked to {int(y)} but scheduled otherwise"
        for i, y in zip(wrong["hazard_id"], wrong["lock_year"], strict=True)
    ]
    if rules == "resources":
        return out
    deadline = problem.settings.plan.deadline_year
    if deadline is not None:
        a5 = h.loc[h["article5"], "hazard_id"]
        late = a5[~a5.isin(year_of.index) | (year_of.reindex(a5).to_numpy() > deadline)]
        out += [f"Article 5 hazard {i} is not done by {deadline}" for i in late]
    out += _check_shares(problem, schedule)
    return out


def _check_shares(problem: Problem, schedule: pd.DataFrame) -> list[str]:
    out = []
    c = problem.settings.constraints
    total = schedule["cost"].sum()
    provinces = problem.hazards["province"].to_numpy()[schedule["hazard"].to_numpy()]
    by_province = schedule["cost"].groupby(provinces).sum()
    for p in sorted(problem.hazards["province"].unique()):
        share = c.equity_min_share.get(p, c.equity_default_share)
        if share > 0 and by_province.get(p, 0.0) < share * total - 1e-6 * max(1, total):
            out.append(f"province {p} gets {by_province.get(p, 0.0):,.0f} < {share:.1%} of spend")
    if c.localisation_min_share > 0:
        national = schedule.loc[schedule["operator"] == "national", "cost"].sum()
        if national < c.localisation_min_share * total - 1e-6 * max(1, total):
            out.append(
                f"national share {national / max(total, 1):.1%} is below "
                f"{c.localisation_min_share:.0%}"
            )
    return out


def resource_slack(problem: Problem, schedule: pd.DataFrame) -> pd.DataFrame:
    """Money and team-days left per year after a schedule (carry-over counted)."""
    years = problem.years
    spent = schedule.groupby("year")["cost"].sum().reindex(years, fill_value=0.0)
    budget = problem.budget.reindex(years)
    if problem.settings.plan.carry_over:
        left = budget.cumsum() - spent.cumsum()
        # Money left in year t can only be spent in t or later: slack_t = min over s >= t.
        money = left[::-1].cummin()[::-1]
    else:
        money = budget - spent
    slack = pd.DataFrame({"budget_usd": money}, index=pd.Index(years, name="year"))
    for team in problem.capacity.columns:
        col = DAYS_PREFIX + team
        used = (
            schedule.groupby("year")[col].sum().reindex(years, fill_value=0.0)
            if col in schedule
            else 0.0
        )
        slack[team] = problem.capacity[team] - used
    return slack


def unscheduled_reasons(
    problem: Problem, schedule: pd.DataFrame, excluded: pd.Series
) -> pd.DataFrame:
    """Why each hazard without a year has none, in words a planner can act on."""
    h = problem.hazards
    done = set(schedule["hazard"])
    missing = [i for i in range(len(h)) if i not in done]
    reasons: dict[int, str] = {int(i): str(r) for i, r in excluded.items()}
    todo = [i for i in missing if i not in reasons]
    if todo:
        deps = problem.dependencies
        pos = pd.Series(np.arange(len(h)), index=h["hazard_id"])
        scheduled_ids = set(h["hazard_id"].to_numpy()[list(done)])
        if not deps.empty:
            blocked = deps[~deps["requires"].isin(scheduled_ids)]
            first_missing = blocked.groupby("hazard_id")["requires"].first()
            for hid, req in first_missing.items():
                p = int(pos[hid])
                if p in todo:
                    reasons[p] = f"requires {req}, which is not scheduled"
        rest = [i for i in todo if i not in reasons]
        reasons.update(_resource_reasons(problem, schedule, rest))
    return pd.DataFrame(
        {"hazard_id": h["hazard_id"].to_numpy()[missing], "reason": [reasons[i] for i in missing]}
    )


def _resource_reasons(
    problem: Problem, schedule: pd.DataFrame, hazards: list[int]
) -> dict[int, str]:
    if not hazards:
        return {}
    slack = resource_slack(problem, schedule)
    opts = problem.options[problem.options["hazard"].isin(hazards)]
    teams = list(problem.capacity.columns)
    need = opts[["cost"] + [DAYS_PREFIX + t for t in teams]].to_numpy(float)
    have = slack[["budget_usd", *teams]].to_numpy(float)  # years x resources
    short = need[:, None, :] > have[None, :, :] + 1e-6  # options x years x resources
    fits_any = ~short.any(axis=2)  # options x years
    out: dict[int, str] = {}
    names = np.array(["budget"] + [f"{t} team-days" for t in teams])
    hazard_of = opts["hazard"].to_numpy()
    impact = problem.hazards["impact"].to_numpy(float)
    for hz in hazards:
        sel = hazard_of == hz
        if fits_any[sel].any():
            year = problem.years[int(np.flatnonzero(fits_any[sel].any(axis=0))[0])]
            why = (
                "its impact is 0"
                if impact[hz] <= 0
                else "its environmental cost or the equity/localisation shares outweigh it, or "
                "it lies within the solver's optimality gap"
            )
            out[hz] = f"not selected: it fits what is left in {year}, but {why}"
            continue
        # For the cheapest option: which resources are short in every year.
        cheapest = np.flatnonzero(sel)[np.argmin(need[sel, 0])]
        always_short = short[cheapest].all(axis=0)
        blocking = names[always_short] if always_short.any() else names[short[cheapest].any(axis=0)]
        out[hz] = (
            "budget and capacity used up by higher-value work: not enough "
            + ", ".join(blocking)
            + " left in any year"
        )
    return out
