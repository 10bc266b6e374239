"""The workplan MILP, one function per named family of variables or constraints.

Notation: x[h,o,t] = 1 when hazard h is completed with option o (method, operator) in year
t; c[h,o] its cost, d[h,o,k] its team-days of team type k, B_t the budget, C_{k,t} the
team-days available, I_h the impact, w_t the impact-years per unit impact for completion in
year t, e[h,o] the environmental score and lambda its weight.

Every function reads the eligibility frame ``E`` and writes whole blocks with numpy; none
loops over variables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.eligibility import (
    Eligibility,
    completion_weights,
    hazard_value,
    option_cost_weights,
)
from models.matrix import LinearModel
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX


@dataclass
class Context:
    """What the families share while one model is built."""

    problem: Problem
    elig: Eligibility
    model: LinearModel
    x: np.ndarray  # column index of each eligibility row
    objective: str = "completion"  # where impact is counted: "completion" (y) or "assignment" (x)
    y: np.ndarray | None = None  # completed-by columns, y[h, t] at index h * T + t
    spend: int | None = None  # column of total spending, created on demand

    @property
    def frame(self) -> pd.DataFrame:
        return self.elig.frame

    @property
    def n_years(self) -> int:
        return len(self.problem.years)


def add_assignment_variables(ctx: Context) -> None:
    """x[h,o,t] in {0,1} for every eligibility row.

    With the default objective on completion (see add_completed_by) x carries the terms that
    depend on the option: maximise ... - sum (k_t c[h,o] + lambda e[h,o]) x[h,o,t], with
    k_t = (1+r)^-t for objective "npv" (the option's cost, discounted to its year) and 0 for
    "impact". With objective "assignment" x carries the whole value:
    maximise sum (V_h w_t - k_t c[h,o] - lambda e[h,o]) x[h,o,t].
    """
    f = ctx.frame
    keys = pd.DataFrame(
        {
            "hazard": ctx.problem.hazards["hazard_id"].to_numpy()[f["hazard"]],
            "method": f["method"],
            "operator": f["operator"],
            "year": f["year"],
        }
    )
    if ctx.objective == "assignment":
        cost = f["value"].to_numpy(float)
    else:
        t = f["t"].to_numpy()
        cost = -option_cost_weights(ctx.problem, t) * f["cost"].to_numpy(float)
        cost = cost - ctx.problem.settings.plan.environment_weight * f["env"].to_numpy(float)
    ctx.x = ctx.model.add_columns("x", keys, lower=0.0, upper=1.0, cost=cost, integer=True)


def add_completed_by(ctx: Context) -> None:
    """Completed-by variables y[h,t] in [0,1]: 1 from the year h is completed onwards.

    y[h,t] - y[h,t-1] - sum_o x[h,o,t] = 0  (y[h,-1] = 0), for every hazard and year.
    With the objective on completion, y carries the hazard's value: maximise
    sum V_h c_t y[h,t] with c_t = w_t - w_{t+1} (w_T = 0), which equals sum V_h w_t x[h,o,t]
    for any benefit lifetime (w_t are the year weights; V_h the impact, or the benefit in
    USD a year for "npv"). The LP bound is the same as with the value on x; the binaries then
    carry no value, which keeps HiGHS's objective clique analysis small on national
    instances. y is continuous: x makes it integral.
    """
    h = ctx.problem.hazards
    T = ctx.n_years
    n = len(h)
    ids = h["hazard_id"].to_numpy()
    keys = pd.DataFrame({"hazard": np.repeat(ids, T), "t": np.tile(np.arange(T), n)})
    cost: np.ndarray | float = 0.0
    if ctx.objective == "completion":
        per_year = completion_weights(ctx.problem.settings.plan)
        cost = np.outer(hazard_value(ctx.problem), per_year).ravel()
    ctx.y = ctx.model.add_columns("completed_by", keys, lower=0.0, upper=1.0, cost=cost)
    grid = np.arange(n * T)
    has_prev = grid % T > 0
    f = ctx.frame
    rows = np.concatenate([grid, grid[has_prev], f["hazard"].to_numpy() * T + f["t"].to_numpy()])
    cols = np.concatenate([ctx.y, ctx.y[grid[has_prev] - 1], ctx.x])
    vals = np.concatenate([np.ones(n * T), -np.ones(int(has_prev.sum())), -np.ones(len(f))])
    ctx.model.add_rows("completed_by_definition", keys, rows, cols, vals, lower=0.0, upper=0.0)


def add_complete_once(ctx: Context) -> None:
    """Each hazard is completed at most once, in one year, by one option.

    sum_{o,t} x[h,o,t] <= 1   for every hazard h with variables
    """
    f = ctx.frame
    codes, hazards = pd.factorize(f["hazard"], sort=True)
    keys = pd.DataFrame({"hazard": ctx.problem.hazards["hazard_id"].to_numpy()[hazards]})
    ctx.model.add_rows(
        "complete_once", keys, codes, ctx.x, np.ones(len(f)), lower=-np.inf, upper=1.0
    )


def add_required_completion(ctx: Context) -> None:
    """Hazards locked 'must', and Article 5 hazards under a deadline, are completed.

    sum_{o,t} x[h,o,t] >= 1   for h in MUST (years already limited to the lock year or to
    t <= deadline by the eligibility frame)
    """
    required = ctx.elig.required
    if not len(required):
        return
    f = ctx.frame
    mask = f["hazard"].isin(required).to_numpy()
    codes = np.searchsorted(required, f.loc[mask, "hazard"].to_numpy())
    keys = pd.DataFrame({"hazard": ctx.problem.hazards["hazard_id"].to_numpy()[required]})
    ctx.model.add_rows(
        "required_completion",
        keys,
        codes,
        ctx.x[mask],
        np.ones(int(mask.sum())),
        lower=1.0,
        upper=np.inf,
    )


def add_budget_per_year(ctx: Context) -> None:
    """Spending in each year stays within that year's budget (plus carry-over if allowed).

    sum_{h,o} c[h,o] x[h,o,t] + r_t - r_{t-1} <= B_t, with carry r_t >= 0 (r_{-1} = 0 and
    r_t fixed to 0 unless [plan] carry_over)
    """
    f = ctx.frame
    T = ctx.n_years
    budget = ctx.problem.budget.to_numpy(float)
    rows = [f["t"].to_numpy()]
    cols = [ctx.x]
    vals = [f["cost"].to_numpy(float)]
    if ctx.problem.settings.plan.carry_over and T > 1:
        carry = ctx.model.add_columns(
            "carry", pd.DataFrame({"year": ctx.problem.years[:-1]}), lower=0.0, upper=np.inf
        )
        t = np.arange(T - 1)
        rows += [t, t + 1]
        cols += [carry, carry]
        vals += [np.ones(T - 1), -np.ones(T - 1)]
    ctx.model.add_rows(
        "budget_per_year",
        pd.DataFrame({"year": ctx.problem.years}),
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(vals),
        lower=-np.inf,
        upper=budget,
    )


def add_team_capacity(ctx: Context) -> None:
    """Team-days of each team type in each year stay within the teams' working days.

    sum_{h,o} d[h,o,k] x[h,o,t] <= C_{k,t}   for every team type k used and year t
    """
    f = ctx.frame
    cap = ctx.problem.capacity
    teams = [t for t in cap.columns if (f.get(DAYS_PREFIX + t, pd.Series(dtype=float)) > 0).any()]
    if not teams:
        return
    T = ctx.n_years
    year = f["t"].to_numpy()
    rows, cols, vals = [], [], []
    # One team type at a time (a handful): no (rows x team types) copy of the days columns.
    for k, team in enumerate(teams):
        days = f[DAYS_PREFIX + team].to_numpy(float)
        used = np.flatnonzero(days)
        rows.append(k * T + year[used])
        cols.append(ctx.x[used])
        vals.append(days[used])
    keys = pd.DataFrame(
        {"team_type": np.repeat(teams, T), "year": np.tile(ctx.problem.years, len(teams))}
    )
    upper = cap[teams].to_numpy(float).T.ravel()
    ctx.model.add_rows(
        "team_capacity",
        keys,
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(vals),
        lower=-np.inf,
        upper=upper,
    )


def _edges(ctx: Context) -> pd.DataFrame:
    """Dependency edges as hazard positions: ``after`` requires ``before``."""
    deps = ctx.problem.dependencies
    pos = pd.Series(np.arange(len(ctx.problem.hazards)), index=ctx.problem.hazards["hazard_id"])
    return pd.DataFrame(
        {
            "after": pos.reindex(deps["hazard_id"]).to_numpy(),
            "before": pos.reindex(deps["requires"]).to_numpy(),
        }
    )


def _expand_cumulative(f: pd.DataFrame, hazards: np.ndarray, T: int) -> pd.DataFrame:
    """For each (group, x-row of that hazard in year t) emit one row per year s >= t.

    ``hazards`` indexes groups by position; returns group, s and the eligibility row, so that
    summing over it gives sum_{t <= s} x[h,., t] per (group, s).
    """
    group_of = pd.DataFrame({"group": np.arange(len(hazards)), "hazard": hazards})
    hit = group_of.merge(f[["hazard", "t"]].reset_index(), on="hazard")
    span = T - hit["t"].to_numpy()
    rep = np.repeat(np.arange(len(hit)), span)
    s = hit["t"].to_numpy()[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(span) - span, span))
    return pd.DataFrame(
        {"group": hit["group"].to_numpy()[rep], "s": s, "row": hit["index"].to_numpy()[rep]}
    )


def add_access_precedence(ctx: Context, formulation: str = "by") -> None:
    """A hazard is completed only in a year at or after every hazard it requires.

    For every edge (h requires g) and year t:
        sum_{o, s<=t} x[h,o,s] <= sum_{o, s<=t} x[g,o,s]
    so h is never done before g (same year allowed) and not at all unless g is done.

    ``by`` writes it with completed-by variables y[h,t] = y[h,t-1] + sum_o x[h,o,t]
    (few non-zeros per row); ``cumulative`` writes the sums inline; ``aggregated`` is the
    weak textbook form (done_h <= done_g and year_h >= year_g) kept for the benchmark.
    """
    if ctx.problem.dependencies.empty:
        return
    edges = _edges(ctx)
    f = ctx.frame
    T = ctx.n_years
    keys_at = pd.DataFrame(
        {
            "hazard": np.repeat(ctx.problem.hazards["hazard_id"].to_numpy()[edges["after"]], T),
            "requires": np.repeat(ctx.problem.hazards["hazard_id"].to_numpy()[edges["before"]], T),
            "t": np.tile(np.arange(T), len(edges)),
        }
    )
    if formulation == "by" and ctx.y is not None:
        T_ = T
        e_rows = np.arange(len(edges) * T_)
        t = e_rows % T_
        after = np.repeat(edges["after"].to_numpy(), T_) * T_ + t
        before = np.repeat(edges["before"].to_numpy(), T_) * T_ + t
        ctx.model.add_rows(
            "access_precedence",
            keys_at,
            np.concatenate([e_rows, e_rows]),
            np.concatenate([ctx.y[after], ctx.y[before]]),
            np.concatenate([np.ones(len(e_rows)), -np.ones(len(e_rows))]),
            lower=-np.inf,
            upper=0.0,
        )
    elif formulation == "by":
        involved = np.unique(np.concatenate([edges["after"], edges["before"]]))
        ids = ctx.problem.hazards["hazard_id"].to_numpy()[involved]
        y = ctx.model.add_columns(
            "completed_by",
            pd.DataFrame({"hazard": np.repeat(ids, T), "t": np.tile(np.arange(T), len(involved))}),
            lower=0.0,
            upper=1.0,
        )
        # Definition rows: y[h,t] - y[h,t-1] - sum_o x[h,o,t] = 0.
        n_def = len(involved) * T
        grid = np.arange(n_def)
        has_prev = grid % T > 0
        sub = f[f["hazard"].isin(involved)]
        group = np.searchsorted(involved, sub["hazard"].to_numpy())
        rows = np.concatenate([grid, grid[has_prev], group * T + sub["t"].to_numpy()])
        cols = np.concatenate([y, y[grid[has_prev] - 1], ctx.x[sub.index.to_numpy()]])
        vals = np.concatenate([np.ones(n_def), -np.ones(int(has_prev.sum())), -np.ones(len(sub))])
        ctx.model.add_rows(
            "completed_by_definition",
            pd.DataFrame({"hazard": np.repeat(ids, T), "t": np.tile(np.arange(T), len(involved))}),
            rows,
            cols,
            vals,
            lower=0.0,
            upper=0.0,
        )
        a = np.searchsorted(involved, edges["after"].to_numpy())
        b = np.searchsorted(involved, edges["before"].to_numpy())
        e_rows = np.arange(len(edges) * T)
        t = e_rows % T
        ctx.model.add_rows(
            "access_precedence",
            keys_at,
            np.concatenate([e_rows, e_rows]),
            np.concatenate([y[np.repeat(a, T) * T + t], y[np.repeat(b, T) * T + t]]),
            np.concatenate([np.ones(len(e_rows)), -np.ones(len(e_rows))]),
            lower=-np.inf,
            upper=0.0,
        )
    elif formulation == "cumulative":
        after = _expand_cumulative(f, edges["after"].to_numpy(), T)
        before = _expand_cumulative(f, edges["before"].to_numpy(), T)
        rows = np.concatenate([after["group"] * T + after["s"], before["group"] * T + before["s"]])
        cols = np.concatenate([ctx.x[after["row"]], ctx.x[before["row"]]])
        vals = np.concatenate([np.ones(len(after)), -np.ones(len(before))])
        ctx.model.add_rows("access_precedence", keys_at, rows, cols, vals, lower=-np.inf, upper=0.0)
    elif formulation == "aggregated":
        keys = pd.DataFrame(
            {
                "hazard": ctx.problem.hazards["hazard_id"].to_numpy()[edges["after"]],
                "requires": ctx.problem.hazards["hazard_id"].to_numpy()[edges["before"]],
            }
        )
        hit_a = edges.reset_index().merge(
            f[["hazard", "t"]].reset_index(names="row"), left_on="after", right_on="hazard"
        )
        hit_b = edges.reset_index().merge(
            f[["hazard", "t"]].reset_index(names="row"), left_on="before", right_on="hazard"
        )
        # done_h - done_g <= 0
        ctx.model.add_rows(
            "access_precedence",
            keys,
            np.concatenate([hit_a["index"], hit_b["index"]]),
            np.concatenate([ctx.x[hit_a["row"]], ctx.x[hit_b["row"]]]),
            np.concatenate([np.ones(len(hit_a)), -np.ones(len(hit_b))]),
            lower=-np.inf,
            upper=0.0,
        )
        # sum (t+1-T) x_h - sum (t+1) x_g >= -T  (year_h >= year_g when h is done)
        ctx.model.add_rows(
            "access_precedence_year",
            keys,
            np.concatenate([hit_a["index"], hit_b["index"]]),
            np.concatenate([ctx.x[hit_a["row"]], ctx.x[hit_b["row"]]]),
            np.concatenate([hit_a["t"] + 1 - T, -(hit_b["t"] + 1)]).astype(float),
            lower=-float(T),
            upper=np.inf,
        )
    else:
        raise ValueError(f"unknown precedence formulation {formulation!r}")


def _spend(ctx: Context) -> int:
    """Column S = sum c x (total spending), defined once for the share constraints."""
    if ctx.spend is None:
        col = ctx.model.add_columns(
            "total_spend", pd.DataFrame({"name": ["all"]}), lower=0.0, upper=np.inf
        )
        ctx.spend = int(col[0])
        f = ctx.frame
        n = len(f)
        ctx.model.add_rows(
            "total_spend_definition",
            pd.DataFrame({"name": ["all"]}),
            np.zeros(n + 1, np.int64),
            np.concatenate([ctx.x, [ctx.spend]]),
            np.concatenate([f["cost"].to_numpy(float), [-1.0]]),
            lower=0.0,
            upper=0.0,
        )
    return ctx.spend


def add_province_equity(ctx: Context) -> None:
    """Each province receives at least its minimum share of the money spent.

    sum_{h in p, o, t} c[h,o] x[h,o,t] - s_p S >= 0   with S = sum c x (total spending)
    """
    c = ctx.problem.settings.constraints
    h = ctx.problem.hazards
    provinces = sorted(h["province"].unique())
    shares = np.array([c.equity_min_share.get(p, c.equity_default_share) for p in provinces])
    active = shares > 0
    if not active.any():
        return
    provinces = [p for p, a in zip(provinces, active, strict=True) if a]
    shares = shares[active]
    spend = _spend(ctx)
    f = ctx.frame
    codes = pd.Index(provinces).get_indexer(h["province"].to_numpy()[f["hazard"]])
    mask = codes >= 0
    n_p = len(provinces)
    ctx.model.add_rows(
        "province_equity",
        pd.DataFrame({"province": provinces}),
        np.concatenate([codes[mask], np.arange(n_p)]),
        np.concatenate([ctx.x[mask], np.full(n_p, spend)]),
        np.concatenate([f["cost"].to_numpy(float)[mask], -shares]),
        lower=0.0,
        upper=np.inf,
    )


def add_localisation(ctx: Context) -> None:
    """National operators deliver at least a minimum share of the money spent.

    sum_{h,o national,t} c[h,o] x[h,o,t] - s S >= 0
    """
    share = ctx.problem.settings.constraints.localisation_min_share
    if share <= 0:
        return
    spend = _spend(ctx)
    f = ctx.frame
    national = (f["operator"] == "national").to_numpy()
    n = int(national.sum())
    ctx.model.add_rows(
        "localisation",
        pd.DataFrame({"operator": ["national"]}),
        np.zeros(n + 1, np.int64),
        np.concatenate([ctx.x[national], [spend]]),
        np.concatenate([f["cost"].to_numpy(float)[national], [-share]]),
        lower=0.0,
        upper=np.inf,
    )


Family = Callable[[Context], None]

# The model, in build order. Tests assert every family here has a build-level test.
FAMILIES: dict[str, Family] = {
    "assignment_variables": add_assignment_variables,
    "completed_by": add_completed_by,
    "complete_once": add_complete_once,
    "required_completion": add_required_completion,
    "budget_per_year": add_budget_per_year,
    "team_capacity": add_team_capacity,
    "access_precedence": add_access_precedence,
    "province_equity": add_province_equity,
    "localisation": add_localisation,
}
