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


@dataclass(frozen=True)
class Eligibility:
    """The frame plus per-hazard facts the families and the explanations need."""

    frame: pd.DataFrame  # hazard, option, year, t, value, cost, days_*, operator, method, env
    required: np.ndarray  # positions of hazards that must be completed
    excluded: pd.Series  # hazard position -> reason it has no variables at all
    year_weight: np.ndarray  # impact-years earned per unit impact when completed in year t


def year_weights(years: int, discount_rate: float) -> np.ndarray:
    """w_t = sum_{s=t}^{T-1} (1+r)^-s: discounted years of use left when completed in t."""
    per_year = (1.0 + discount_rate) ** -np.arange(years, dtype=float)
    return per_year[::-1].cumsum()[::-1]


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
    weight = year_weights(len(years), plan.discount_rate)
    impact = h["impact"].to_numpy(float)[frame["hazard"].to_numpy()]
    frame["value"] = impact * weight[frame["t"].to_numpy()] - plan.environment_weight * frame["env"]

    required = (h["lock"] == "must").to_numpy(copy=True)  # writable under copy-on-write
    if plan.deadline_year is not None:
        required |= h["article5"].to_numpy(bool)
    required_pos = np.flatnonzero(required & ~h.index.isin(excluded.index))
    return Eligibility(frame=frame, required=required_pos, excluded=excluded, year_weight=weight)
