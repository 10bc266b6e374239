"""The eligibility frame: one row per variable x[h, option, year] the model may use.

Sparsity lives here, as pandas masks, not as ``if`` statements inside constraint loops:
locks, the treaty deadline and unreachable prerequisites remove rows before any constraint
is written, and every constraint family is a grouping of this frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from prioritise.core.graph import dependency_graph
from prioritise.core.problem import Problem
from prioritise.core.settings import PlanSettings


@dataclass(frozen=True)
class Eligibility:
    """The frame plus per-hazard facts the families and the explanations need."""

    frame: pd.DataFrame  # hazard, option, year, t, value, cost, days_*, operator, method, env
    required: np.ndarray  # positions of hazards that must be completed
    excluded: pd.Series  # hazard position -> reason it has no variables at all
    year_weight: np.ndarray  # impact-years earned per unit impact when completed in year t


def year_weights(years: int, discount_rate: float, lifetime: int | str = "horizon") -> np.ndarray:
    """Discounted years of benefit earned per unit of yearly value when completed in year t.

    With lifetime L: w_t = sum_{s=t}^{t+L-1} (1+r)^-s. "horizon" counts to the plan's last
    year (L = T - t, the default); a number of years may run past the horizon; "perpetual" is
    the limit (1+r)^-t (1+r)/r and needs r > 0.
    """
    r = float(discount_rate)
    t = np.arange(years, dtype=float)
    start = (1.0 + r) ** -t
    if lifetime == "horizon":
        return start[::-1].cumsum()[::-1]
    if lifetime == "perpetual":
        if r <= 0:
            raise ValueError("a perpetual benefit needs a discount rate above 0")
        return start * (1.0 + r) / r
    length = int(lifetime)
    if r == 0:
        return np.full(years, float(length))
    return start * (1.0 - (1.0 + r) ** -length) * (1.0 + r) / r


def plan_weights(plan: PlanSettings) -> np.ndarray:
    """The project's year weights: its horizon, discount rate and benefit lifetime."""
    return year_weights(plan.years, plan.discount_rate, plan.benefit_years)


def completion_weights(plan: PlanSettings) -> np.ndarray:
    """c_t = w_t - w_{t+1} (w_T = 0): what the completed-by variable y[h,t] earns per year.

    y[h,t] = 1 from the completion year on, so sum_{t' >= t} c_t' = w_t: the same objective
    as w_t on the assignment variables, whatever the benefit lifetime. For "horizon" this is
    exactly the discount factor (1+r)^-t, computed as such so the model is bit-for-bit the
    one without lifetimes.
    """
    if plan.benefit_years == "horizon":
        return (1.0 + plan.discount_rate) ** -np.arange(plan.years, dtype=float)
    weights = plan_weights(plan)
    return weights - np.append(weights[1:], 0.0)


def hazard_value(problem: Problem) -> np.ndarray:
    """Yearly value per hazard the objective counts: impact, or USD of benefit for "npv"."""
    h = problem.hazards
    if problem.settings.plan.objective == "npv":
        return h["benefit_usd_per_year"].fillna(0.0).to_numpy(float)
    return h["impact"].to_numpy(float)


def option_cost_weights(problem: Problem, t: np.ndarray) -> np.ndarray:
    """Per eligibility row, the weight on its cost in the objective: (1+r)^-t for "npv"
    (costs discounted to the year they are spent in, like benefits), 0 for "impact"."""
    plan = problem.settings.plan
    if plan.objective != "npv":
        return np.zeros(len(t))
    return (1.0 + plan.discount_rate) ** -t.astype(float)


def excluded_hazards(problem: Problem) -> pd.Series:
    """Hazards that can have no variable, with the reason (locked out, no method, access)."""
    h = problem.hazards
    reasons = pd.Series(dtype=object)
    locked_out = h.index[h["lock"] == "must_not"]
    reasons = pd.concat([reasons, pd.Series("locked out (must_not)", index=locked_out)])
    no_method = h.index.difference(problem.options["hazard"].unique()).difference(locked_out)
    reasons = pd.concat([reasons, pd.Series("no eligible method or team", index=no_method)])
    if len(reasons) and not problem.dependencies.empty:
        ids = h["hazard_id"]
        graph = dependency_graph(ids, problem.dependencies)
        blocked: dict[str, str] = {}
        for pos in reasons.index:
            root = ids[pos]
            for node in nx.descendants(graph, root):
                blocked.setdefault(node, root)
        position = pd.Series(np.arange(len(h)), index=ids)
        extra = {
            int(position[n]): f"requires {r}, which cannot be scheduled"
            for n, r in sorted(blocked.items())
            if int(position[n]) not in reasons.index
        }
        reasons = pd.concat([reasons, pd.Series(extra, dtype=object)])
    return reasons.sort_index()


def build_eligibility(problem: Problem) -> Eligibility:
    """Cross options with the years each hazard may be completed in."""
    plan = problem.settings.plan
    years = np.array(problem.years)
    h = problem.hazards
    excluded = excluded_hazards(problem)
    opts = problem.options[~problem.options["hazard"].isin(excluded.index)]

    # Earliest and latest allowed year index per hazard.
    first = np.zeros(len(h), dtype=int)
    last = np.full(len(h), len(years) - 1)
    locked_year = h["lock_year"].notna().to_numpy()
    t_lock = (h["lock_year"].fillna(years[0]).to_numpy() - years[0]).astype(int)
    first[locked_year] = last[locked_year] = t_lock[locked_year]
    if plan.deadline_year is not None:
        a5 = h["article5"].to_numpy(bool) & ~locked_year
        last[a5] = plan.deadline_year - years[0]

    span = (last - first + 1)[opts["hazard"].to_numpy()]
    rep = np.repeat(np.arange(len(opts)), span)
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(span) - span, span)
    frame = opts.iloc[rep].reset_index().rename(columns={"index": "option"})
    frame["t"] = first[frame["hazard"].to_numpy()] + offset
    frame["year"] = years[frame["t"].to_numpy()]
    weight = plan_weights(plan)
    value = hazard_value(problem)[frame["hazard"].to_numpy()]
    t = frame["t"].to_numpy()
    frame["value"] = value * weight[t] - plan.environment_weight * frame["env"]
    if plan.objective == "npv":
        frame["value"] -= option_cost_weights(problem, t) * frame["cost"].to_numpy(float)

    required = (h["lock"] == "must").to_numpy(copy=True)  # writable under copy-on-write
    if plan.deadline_year is not None:
        required |= h["article5"].to_numpy(bool)
    required_pos = np.flatnonzero(required & ~h.index.isin(excluded.index))
    return Eligibility(frame=frame, required=required_pos, excluded=excluded, year_weight=weight)
