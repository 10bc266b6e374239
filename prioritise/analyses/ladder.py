"""A funding ladder: plans at several funding levels, nested, and one priority list.

Level x multiplies every year's budget by x (teams and rules unchanged). Plans are nested
as far as the rules allow: going up the ladder, every hazard funded at the level below is
required at this level (a ``must`` lock, any year of the horizon), so what is funded with
less money stays funded with more. Each level is first planned freely (those plans are
independent tasks); a level whose free plan already contains the level below's hazards
keeps it, otherwise it is planned again with the locks. If the rules make that impossible
(the locked hazards with the shares, the deadline or access do not fit this level's
money and teams), the level keeps its free plan and the hazards it drops are listed as
exceptions with the reason.

Nesting has a price: a level may give up impact-years its free plan had (the levels table
shows both, ``impact_years_given_up_to_nest``), which is the price of a list that never
takes back what a smaller budget funded.

The priority list orders every hazard by the lowest level at which it is funded, then the
year it gets at that level, then impact (highest first): read down it to see what to add
as money comes, up it to see what to drop first when money falls short.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from prioritise.core.errors import InfeasibleError
from prioritise.core.problem import Problem
from prioritise.planning.planner import plan


@dataclass(frozen=True)
class LadderSettings:
    levels: tuple[float, ...] = (0.6, 0.8, 1.0, 1.2)
    time_limit: float | None = None
    gap: float | None = None
    threads: int = 1


@dataclass(frozen=True)
class LevelPlan:
    """What a ladder task returns: the level's plan, reduced to what the ladder reads."""

    level: float
    years: np.ndarray  # per hazard, 0 = not funded
    cost: np.ndarray  # per hazard, the chosen option's cost (0 if not funded)
    status: str
    objective: float | None
    impact_years: float
    error: str = ""


def at_level(problem: Problem, level: float) -> Problem:
    return problem.replace(budget=problem.budget * level)


def level_task(
    shared: tuple[Problem, LadderSettings], item: tuple[float, tuple[str, ...]]
) -> LevelPlan:
    """Plan one level, with the hazards of ``item[1]`` required; pure in its inputs."""
    problem, settings = shared
    level, required = item
    p = at_level(problem, level)
    if required:
        h = p.hazards
        need = h["hazard_id"].isin(list(required)) & (h["lock"] != "must")
        p = p.replace(hazards=h.assign(lock=np.where(need, "must", h["lock"])))
    try:
        result = plan(p, time_limit=settings.time_limit, gap=settings.gap, threads=settings.threads)
    except InfeasibleError as exc:
        n = len(problem.hazards)
        return LevelPlan(
            level, np.zeros(n, np.int64), np.zeros(n), "infeasible", None, 0.0, str(exc)
        )
    s = result.schedule
    years = np.zeros(len(problem.hazards), np.int64)
    years[s["hazard"].to_numpy()] = s["year"].to_numpy()
    cost = np.zeros(len(problem.hazards))
    cost[s["hazard"].to_numpy()] = s["cost"].to_numpy(float)
    return LevelPlan(
        level,
        years,
        cost,
        str(result.solution.status),
        result.summary.objective,
        float(result.summary.impact_years),
    )


@dataclass(frozen=True)
class Ladder:
    levels: pd.DataFrame  # one row per level
    priority: pd.DataFrame  # one row per hazard
    exceptions: pd.DataFrame  # hazard funded below and not at a level, with why
    plans: tuple[LevelPlan, ...]


def nest(
    problem: Problem,
    free: Sequence[LevelPlan],
    replan: Any,
) -> tuple[list[LevelPlan], list[dict[str, Any]], list[str]]:
    """Walk up the ladder, re-planning a level with the level below's hazards required
    when its free plan drops some. ``replan(level, required) -> LevelPlan``."""
    ids = problem.hazards["hazard_id"].to_numpy()
    chosen: list[LevelPlan] = []
    exceptions: list[dict[str, Any]] = []
    how: list[str] = []
    for k, lp in enumerate(sorted(free, key=lambda x: x.level)):
        if k == 0 or lp.status == "infeasible":
            chosen.append(lp)
            how.append("free plan" if lp.status != "infeasible" else "no plan")
            continue
        below = chosen[-1]
        missing = (below.years > 0) & (lp.years == 0)
        if not missing.any():
            chosen.append(lp)
            how.append("free plan (already nested)")
            continue
        required = tuple(str(x) for x in ids[below.years > 0])
        forced = replan(lp.level, required)
        if forced.status != "infeasible":
            chosen.append(forced)
            how.append(
                f"re-planned with the {len(required)} hazards of level {below.level} required"
            )
            continue
        chosen.append(lp)
        how.append("free plan: the rules do not allow keeping every hazard of the level below")
        for hid in ids[missing]:
            exceptions.append(
                {
                    "hazard_id": hid,
                    "funded_at": below.level,
                    "not_funded_at": lp.level,
                    "reason": "requiring every hazard of the level below is infeasible at this "
                    "level (with the shares, deadline, locks and access rules): "
                    + forced.error.split("\n")[0],
                }
            )
    return chosen, exceptions, how


def build_ladder(
    problem: Problem,
    chosen: Sequence[LevelPlan],
    how: Sequence[str],
    exceptions: list[dict[str, Any]],
    free: Sequence[LevelPlan] = (),
) -> Ladder:
    """The tables; ``free`` (the unconstrained plans) gives what nesting costs per level."""
    h = problem.hazards
    free_iy = {lp.level: lp.impact_years for lp in free if lp.status not in ("infeasible",)}
    levels = pd.DataFrame(
        [
            {
                "level": lp.level,
                "budget_usd": round(float(problem.budget.sum() * lp.level), 2),
                "status": lp.status,
                "how": text,
                "hazards_funded": int((lp.years > 0).sum()),
                "cost_usd": round(float(lp.cost.sum()), 2),
                "impact_years": round(lp.impact_years, 4),
                "free_plan_impact_years": (
                    round(free_iy[lp.level], 4) if lp.level in free_iy else None
                ),
                "impact_years_given_up_to_nest": (
                    round(free_iy[lp.level] - lp.impact_years, 4) if lp.level in free_iy else None
                ),
                "objective": lp.objective,
            }
            for lp, text in zip(chosen, how, strict=True)
        ]
    )
    first = np.full(len(h), np.inf)
    first_year = np.zeros(len(h), np.int64)
    first_cost = np.zeros(len(h))
    for lp in reversed(list(chosen)):  # lowest level last, so it wins
        funded = lp.years > 0
        first[funded] = lp.level
        first_year[funded] = lp.years[funded]
        first_cost[funded] = lp.cost[funded]
    priority = pd.DataFrame(
        {
            "hazard_id": h["hazard_id"],
            "name": h["name"],
            "province": h["province"],
            "article5": h["article5"],
            "impact": h["impact"].round(4),
            "first_funded_at_level": np.where(np.isfinite(first), first, np.nan),
            "year_at_that_level": pd.array(np.where(first_year > 0, first_year, 0), dtype="Int64"),
            "cost_at_that_level_usd": np.round(first_cost, 2),
        }
    )
    for lp in chosen:
        priority[f"year_at_{lp.level:g}"] = pd.array(
            np.where(lp.years > 0, lp.years, 0), dtype="Int64"
        )
        priority.loc[lp.years == 0, f"year_at_{lp.level:g}"] = pd.NA
    priority.loc[priority["year_at_that_level"] == 0, "year_at_that_level"] = pd.NA
    priority["_impact"] = -h["impact"].to_numpy(float)
    priority = (
        priority.sort_values(
            ["first_funded_at_level", "year_at_that_level", "_impact", "hazard_id"],
            na_position="last",
        )
        .drop(columns="_impact")
        .reset_index(drop=True)
    )
    priority.insert(0, "rank", np.arange(1, len(priority) + 1))
    funded = priority["first_funded_at_level"].notna()
    priority["cumulative_cost_usd"] = (
        priority["cost_at_that_level_usd"].where(funded, 0.0).cumsum().round(2)
    )
    priority.loc[~funded, "cumulative_cost_usd"] = np.nan
    frame = pd.DataFrame(exceptions, columns=["hazard_id", "funded_at", "not_funded_at", "reason"])
    return Ladder(levels, priority, frame, tuple(chosen))


def ladder_summary(ladder: Ladder, settings: LadderSettings) -> dict[str, Any]:
    return {
        "levels": ladder.levels.to_dict(orient="records"),
        "exceptions": len(ladder.exceptions),
        "nested": bool(ladder.exceptions.empty),
        "level_means": "every year's budget x the level; teams and rules unchanged",
        "priority_order": "lowest level funded, then year at that level, then impact "
        "(highest first); hazards funded at no level last",
        "cumulative_cost_note": "each hazard's cost at the level that first funds it; a "
        "sum of those costs, not the cost of any one level's plan",
        "settings": {**settings.__dict__, "levels": list(settings.levels)},
    }
