"""Model changes for the deadline analysis: feasibility, extra budget, extra teams.

Applied to a workplan model built with the deadline in force (so the ``required_completion``
family already demands every Article 5 hazard by the deadline year):

* feasibility: the objective is dropped, so the solver stops at the first plan that meets
  every rule (or proves there is none);
* extra budget with the profile kept: a column alpha >= 0 and, in every budget row,
  ``... - B_t alpha <= B_t``; maximise -alpha, i.e. the smallest uniform budget increase
  (1 + alpha) B_t that makes the deadline reachable;
* extra teams: integer n_k >= 0 per team type and, in every capacity row,
  ``sum d x - D_{k,t} n_k <= C_{k,t}`` (D = working days per team); maximise
  -sum_k cost_k n_k with cost_k = 1 (count) or the team's cost over the horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.funding import extend_block
from models.matrix import LinearModel

MAX_EXTRA_TEAMS = 10_000.0


def zero_objective(model: LinearModel) -> None:
    """Drop every objective coefficient (feasibility only)."""
    model.col_cost = [np.zeros_like(c) for c in model.col_cost]


def add_budget_scale(model: LinearModel) -> int:
    """Column alpha scaling every year's budget by (1 + alpha); minimised."""
    block = model.block("budget_per_year")
    alpha = int(
        model.add_columns(
            "budget_scale", pd.DataFrame({"name": ["alpha"]}), lower=0.0, upper=np.inf, cost=-1.0
        )[0]
    )
    rows = np.arange(block.n_rows)
    extend_block(model, "budget_per_year", rows, np.full(len(rows), alpha), -block.upper)
    return alpha


def add_extra_teams(
    model: LinearModel, days_per_team: pd.DataFrame, cost_per_team: pd.Series | None = None
) -> tuple[np.ndarray, list[str]]:
    """Integer extra teams per team type with a capacity row; minimised by count or cost.

    ``days_per_team`` is indexed by year with one column per team type; ``cost_per_team``
    (per team type, over the horizon) switches the objective from count to cost.
    """
    try:
        block = model.block("team_capacity")
    except KeyError:
        return np.zeros(0, np.int64), []
    keys = block.keys
    types = list(dict.fromkeys(keys["team_type"]))
    weight = (
        np.ones(len(types))
        if cost_per_team is None
        else cost_per_team.reindex(types).fillna(0.0).to_numpy(float)
    )
    cols = model.add_columns(
        "extra_teams",
        pd.DataFrame({"team_type": types}),
        lower=0.0,
        upper=MAX_EXTRA_TEAMS,
        cost=-weight,
        integer=True,
    )
    k = pd.Index(types).get_indexer(keys["team_type"])
    days = days_per_team.reindex(columns=types).to_numpy(float)
    year_pos = pd.Index(days_per_team.index).get_indexer(keys["year"])
    coef = -days[year_pos, k]
    extend_block(model, "team_capacity", np.arange(len(keys)), cols[k], coef)
    return cols, types
