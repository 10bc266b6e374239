"""Economic value and targets in the four Es: the pieces ``indicators`` adds to its tables.

Money figures are present values in USD of the plan's first year, counted only over hazards
with a benefit figure (``planning.economics.hazard_values``); a project without any benefit
figure gets no economic columns at all, never zeros. Targets are only judged when the
project sets them: the Article 5 deadline is a setting, a casualty-reduction target is not,
so recorded casualties at released land are shown as a share, not as met or missed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from prioritise.core.problem import Problem
from prioritise.planning.economics import hazard_values

CASUALTY_PREFIX = "casualties"


def valued(problem: Problem) -> bool:
    """Whether any hazard has a benefit figure (a column or the [economics] value table)."""
    return bool(problem.hazards["benefit_usd_per_year"].notna().any())


def with_values(problem: Problem, enriched: pd.DataFrame) -> pd.DataFrame:
    """``enriched`` (one row per scheduled hazard) with pv_benefit_usd and pv_cost_usd, both
    NaN for a hazard without a benefit figure."""
    values = hazard_values(problem, enriched)
    return enriched.assign(
        pv_benefit_usd=values["pv_benefit_usd"].to_numpy(float),
        pv_cost_usd=values["pv_cost_usd"].to_numpy(float),
    )


def benefit_per_usd(part: pd.DataFrame) -> float:
    """PV of benefits per USD of PV cost over the valued hazards of ``part`` (NaN: none
    valued, or nothing spent on them)."""
    known = part.dropna(subset=["pv_benefit_usd"])
    cost = float(known["pv_cost_usd"].sum())
    return float(known["pv_benefit_usd"].sum()) / cost if cost > 0 else np.nan


def casualty_columns(problem: Problem) -> list[str]:
    """Numeric hazard columns of recorded casualties (e.g. ``casualties_24m``) with data."""
    h = problem.hazards
    return [
        str(c)
        for c in h.columns
        if str(c).startswith(CASUALTY_PREFIX)
        and pd.api.types.is_numeric_dtype(h[c])
        and h[c].notna().any()
    ]


def article5_measures(problem: Problem, schedule: pd.DataFrame) -> dict[str, Any]:
    """Article 5 hazards completed, the year the last one is, and whether the deadline is
    met (only when the project sets one)."""
    a5 = problem.hazards["article5"].astype(bool).to_numpy()
    total = int(a5.sum())
    if total == 0:
        return {}
    done = a5[schedule["hazard"].to_numpy(int)]
    completed = int(done.sum())
    years = schedule["year"].to_numpy(int)[done]
    last = int(years.max()) if completed == total and completed else None
    deadline = problem.settings.plan.deadline_year
    out: dict[str, Any] = {
        f"Article 5 hazards completed (of {total:,})": completed,
        "Article 5 completion year": "not within the plan" if last is None else str(last),
    }
    if deadline is None:
        out["Article 5 deadline met"] = "no deadline set ([plan] deadline_year)"
    else:
        met = last is not None and last <= deadline
        out[f"Article 5 deadline {deadline} met"] = "yes" if met else "no"
    return out


def casualty_measures(problem: Problem, schedule: pd.DataFrame) -> dict[str, Any]:
    """Recorded casualties at the hazards the plan releases, and their share of all recorded:
    a reduction of exposure, shown without a target (the project sets none)."""
    out: dict[str, Any] = {}
    pos = schedule["hazard"].to_numpy(int)
    for col in casualty_columns(problem):
        values = problem.hazards[col].to_numpy(float)
        total = float(np.nansum(values))
        released = float(np.nansum(values[pos]))
        out[f"recorded casualties at released hazards ({col})"] = released
        out[f"share of all recorded casualties ({col}) at released hazards"] = (
            released / total if total > 0 else np.nan
        )
    return out
