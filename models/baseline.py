"""The current-practice baseline: rank by impact, fill each year down the list.

This is the spreadsheet method the optimiser replaces, done faithfully so the uplift is
honest: locked hazards first, then the ranking; each hazard takes its cheapest method that
still fits the year's money and team-days; a hazard whose access is not cleared yet is
skipped until it is. Deadlines and equity/localisation shares are not part of the practice,
so the baseline does not enforce them; the report says whether it meets them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.eligibility import excluded_hazards, year_weights
from models.solution import schedule_from_rows
from prioritise.core.problem import Problem
from prioritise.core.schema import DAYS_PREFIX


def ranking_order(problem: Problem) -> np.ndarray:
    """Hazard positions in the order a ranked list is worked: locks first, then by impact."""
    h = problem.hazards
    key = pd.DataFrame({"must": h["lock"] != "must", "impact": -h["impact"], "id": h["hazard_id"]})
    return key.sort_values(["must", "impact", "id"], kind="stable").index.to_numpy()


def ranking_baseline(problem: Problem) -> pd.DataFrame:
    """The schedule of the ranking practice (same columns as an optimised schedule)."""
    h = problem.hazards
    years = problem.years
    teams = list(problem.capacity.columns)
    excluded = set(excluded_hazards(problem).index)
    opts = problem.options.sort_values(["hazard", "cost"], kind="stable")
    cost = opts["cost"].to_numpy(float)
    days = opts[[DAYS_PREFIX + t for t in teams]].to_numpy(float)
    starts = np.searchsorted(opts["hazard"].to_numpy(), np.arange(len(h) + 1))
    ids = h["hazard_id"].to_numpy()
    pos = {hid: i for i, hid in enumerate(ids)}
    requires: dict[int, list[int]] = {}
    for a, b in zip(
        problem.dependencies["hazard_id"], problem.dependencies["requires"], strict=True
    ):
        requires.setdefault(pos[a], []).append(pos[b])
    lock_year = h["lock_year"].to_numpy(float)

    order = [int(i) for i in ranking_order(problem) if int(i) not in excluded]
    done: set[int] = set()
    picks: list[tuple[int, int, int]] = []  # (option row, hazard, year)
    carry = 0.0
    for year in years:
        money = float(problem.budget[year]) + carry
        capacity = problem.capacity.loc[year, teams].to_numpy(float).copy()
        cheapest_left = _cheapest(cost, starts, order, done)
        changed = True
        while changed and money >= cheapest_left - 1e-9:
            changed = False
            for hz in order:
                if hz in done or (not np.isnan(lock_year[hz]) and lock_year[hz] != year):
                    continue
                if any(r not in done for r in requires.get(hz, ())):
                    continue
                for k in range(starts[hz], starts[hz + 1]):
                    if cost[k] <= money + 1e-9 and (days[k] <= capacity + 1e-9).all():
                        money -= cost[k]
                        capacity -= days[k]
                        done.add(hz)
                        picks.append((k, hz, year))
                        changed = True
                        break
        carry = money if problem.settings.plan.carry_over else 0.0
    rows = [k for k, _, _ in picks]
    frame = opts.iloc[rows].copy()
    frame["year"] = np.array([y for _, _, y in picks], dtype=int)
    t = frame["year"].to_numpy(int) - years[0]
    weight = year_weights(len(years), problem.settings.plan.discount_rate)
    frame["value"] = h["impact"].to_numpy(float)[frame["hazard"].to_numpy()] * weight[
        t
    ] - problem.settings.plan.environment_weight * frame["env"].to_numpy(float)
    return schedule_from_rows(problem, frame)


def _cheapest(cost: np.ndarray, starts: np.ndarray, order: list[int], done: set[int]) -> float:
    """Cheapest option among hazards not yet done (a year with less money can stop early)."""
    best = np.inf
    for hz in order:
        if hz not in done and starts[hz + 1] > starts[hz]:
            best = min(best, float(cost[starts[hz] : starts[hz + 1]].min()))
    return best
