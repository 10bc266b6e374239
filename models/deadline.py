"""Model changes for the deadline analysis: feasibility, extra money, extra teams.

Applied to a workplan model built with the deadline Y in force (so the ``required_completion``
family already demands every Article 5 hazard by Y):

* feasibility: the objective is dropped, so the solver stops at the first plan that meets
  every rule (or proves there is none);
* least extra money: a column e_t >= 0 for every year t <= Y and, in those budget rows,
  ``sum c x + r_t - r_{t-1} - e_t <= B_t`` (money added in a year joins the carry-over when
  the project allows it); maximise -sum_t e_t. No column after Y: money after the deadline
  cannot help meet it;
* the same percentage on every year up to Y (the secondary view): a column alpha >= 0 and,
  in the budget rows t <= Y, ``... - B_t alpha <= B_t``; maximise -alpha;
* extra teams: integer n_{k,t} >= 0 per team type and year t <= Y and, in those capacity
  rows, ``sum d x - D_{k,t} n_{k,t} <= C_{k,t}`` (D = working days per team); maximise
  -sum w_{k,t} n_{k,t} with w = 1 (team-years) or the team's cost that year.
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


def _years_up_to(model: LinearModel, family: str, last_year: int | None) -> np.ndarray:
    """Local rows of a row block whose year is at most ``last_year`` (all when None)."""
    years = model.block(family).keys["year"].to_numpy()
    return np.arange(len(years)) if last_year is None else np.flatnonzero(years <= last_year)


def add_extra_money(model: LinearModel, last_year: int | None = None) -> tuple[np.ndarray, list]:
    """Columns e_t >= 0 (extra money in year t <= last_year) in the budget rows; minimised.

    sum_{h,o} c x[h,o,t] + r_t - r_{t-1} - e_t <= B_t;  maximise -sum_t e_t
    """
    rows = _years_up_to(model, "budget_per_year", last_year)
    years = model.block("budget_per_year").keys["year"].to_numpy()[rows].tolist()
    cols = model.add_columns(
        "extra_money", pd.DataFrame({"year": years}), lower=0.0, upper=np.inf, cost=-1.0
    )
    extend_block(model, "budget_per_year", rows, cols, -np.ones(len(rows)))
    return cols, years


def add_budget_scale(model: LinearModel, last_year: int | None = None) -> int:
    """Column alpha scaling the budget of every year up to ``last_year`` by (1 + alpha).

    sum c x + r_t - r_{t-1} - B_t alpha <= B_t  (t <= last_year);  maximise -alpha
    """
    block = model.block("budget_per_year")
    alpha = int(
        model.add_columns(
            "budget_scale", pd.DataFrame({"name": ["alpha"]}), lower=0.0, upper=np.inf, cost=-1.0
        )[0]
    )
    rows = _years_up_to(model, "budget_per_year", last_year)
    extend_block(model, "budget_per_year", rows, np.full(len(rows), alpha), -block.upper[rows])
    return alpha


def add_extra_teams(
    model: LinearModel,
    days_per_team: pd.DataFrame,
    cost_per_team_day: pd.Series | None = None,
    last_year: int | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer extra teams per team type and year up to ``last_year``; minimised.

    sum d x[h,o,t] - D_{k,t} n_{k,t} <= C_{k,t};  maximise -sum w_{k,t} n_{k,t}

    ``days_per_team`` is indexed by year with one column per team type; w is 1 (team-years)
    or, with ``cost_per_team_day`` (per team type), D_{k,t} times that rate. Returns the
    columns and their keys (team_type, year).
    """
    try:
        block = model.block("team_capacity")
    except KeyError:
        return np.zeros(0, np.int64), pd.DataFrame({"team_type": [], "year": []})
    rows = _years_up_to(model, "team_capacity", last_year)
    keys = block.keys.iloc[rows].reset_index(drop=True)
    types = keys["team_type"].to_numpy()
    year_pos = pd.Index(days_per_team.index).get_indexer(keys["year"])
    days = days_per_team.reindex(columns=list(dict.fromkeys(types))).to_numpy(float)
    k = pd.Index(list(dict.fromkeys(types))).get_indexer(types)
    d = days[year_pos, k]
    weight = (
        np.ones(len(keys))
        if cost_per_team_day is None
        else d * cost_per_team_day.reindex(types).fillna(0.0).to_numpy(float)
    )
    cols = model.add_columns(
        "extra_teams", keys, lower=0.0, upper=MAX_EXTRA_TEAMS, cost=-weight, integer=True
    )
    extend_block(model, "team_capacity", rows, cols, -d)
    return cols, keys
